#!/usr/bin/env bash
# Creates the Python environment of the PyTorch reference, bench/.venv, with torch and
# numpy from PyPI, and skips whatever is already there. Safe to run again.
#
#   bench/setup_torch.sh                         # bench/.venv (about 3 GB with torch)
#   TORCH_VENV=/path/to/venv bench/setup_torch.sh   # reuse (or create) that venv instead
#
# Prints the path of the venv's python on standard output, for callers:
#   python="$(bench/setup_torch.sh)"
# Messages go to standard error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${TORCH_VENV:-$here/.venv}"
say() { printf 'setup_torch: %s\n' "$*" >&2; }

command -v python3 >/dev/null || { say "python3 not found (Debian: apt-get install python3 python3-venv)"; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv"
  if ! python3 -m venv "$venv" >&2; then
    say "python3 -m venv failed; on Debian install python3-venv first"
    exit 1
  fi
fi
python="$venv/bin/python"

missing=()
for module in torch numpy; do
  if ! "$python" -c "import $module" >/dev/null 2>&1; then
    missing+=("$module")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} into $venv from PyPI (torch is large: several minutes)"
  "$python" -m pip install --disable-pip-version-check --quiet "${missing[@]}" >&2
else
  say "torch $("$python" -c 'import torch; print(torch.__version__)') and numpy already in $venv"
fi
echo "$python"

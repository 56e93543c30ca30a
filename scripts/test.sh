#!/usr/bin/env bash
# Runs every test of the lesson from a fresh clone: installs what is missing, checks
# formatting and lints, then runs the native tests of the engine, the charts and `lab`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh" native
export PATH="$HOME/.cargo/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --release --all-targets --locked -- -D warnings
echo "== native tests (engine, charts, command line)"
cargo test --release --locked

#!/usr/bin/env bash
# Serves the lesson on http://127.0.0.1:8080 from a fresh clone: installs what is missing
# (the wasm target, Trunk, wasm-bindgen, wasm-opt), builds the page in release mode (the
# models train in the page, so an optimised build matters) and rebuilds on every change.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh" web
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
echo "serving the lesson on http://127.0.0.1:${PORT:-8080}/"
exec trunk serve --release --offline --port "${PORT:-8080}" "$@"

#!/usr/bin/env bash
# Runs every test of the lesson from a fresh clone: installs what is missing, checks
# formatting and lints, runs the native tests of the engine, the charts and `lab`, the
# browser tests of the wasm build, and the end-to-end test of the built page in headless
# Chromium (screenshots in target/e2e/).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh" browser
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (native and wasm32)"
cargo clippy --release --workspace --all-targets --locked -- -D warnings
cargo clippy --release --locked --target wasm32-unknown-unknown --lib --bins --test web -- -D warnings

echo "== native tests (engine, charts, command line)"
cargo test --release --workspace --locked
echo "== the engine built in f64 (the build the float64 replay check in bench/ uses)"
cargo clippy --release --workspace --locked --features f64 --all-targets -- -D warnings
cargo test --release --locked --features f64 --lib --test engine

echo "== browser tests of the wasm build (wasm-bindgen-test, headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --release --locked --target wasm32-unknown-unknown --test web

echo "== benchmark of the built page (headless Chromium; reported, not asserted)"
trunk build --release --offline
cargo build --release --locked --bin lab
mkdir -p target/e2e
node tests/e2e/bench.mjs dist | tee target/e2e/bench.json

echo "== end-to-end test of the built page (headless Chromium)"
node tests/e2e/lesson.mjs dist target/release/lab

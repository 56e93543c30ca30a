#!/usr/bin/env bash
# Installs what the lesson needs to build, serve and test, and skips what is already there
# at the right version. Everything comes from package registries (crates.io, npm, Debian);
# nothing is downloaded from anywhere else, so the build also works behind a closed network.
#
#   scripts/setup.sh native    Rust components for the native engine and its tests
#   scripts/setup.sh web       + the wasm target, Trunk, wasm-bindgen and wasm-opt
#   scripts/setup.sh browser   + Chromium, ChromeDriver and the page-test packages
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
level="${1:-native}"

# Versions the project is pinned to. wasm-bindgen's command line must match the crate.
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)"
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-0.2.130}"

say() { printf 'setup: %s\n' "$*" >&2; }

have_version() { # command, expected version: true when the command prints that version
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q -- "$2"
}

export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"

setup_native() {
  command -v cargo >/dev/null || { say "cargo not found: install Rust with rustup first"; exit 1; }
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding rustup component $component"
      rustup component add "$component"
    fi
  done
}

setup_web() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! have_version trunk "$TRUNK_VERSION"; then
    # Trunk 0.22 needs a newer compiler than this project's; 0.21.14 builds with --locked.
    say "installing trunk $TRUNK_VERSION (several minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION" \
    || ! command -v wasm-bindgen-test-runner >/dev/null; then
    # Without --locked: the registry lacks one of its locked dependencies.
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  setup_node
}

setup_node() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -d "$root/node_modules" ] \
    || ! (cd "$root" && npm ls --depth=0 >/dev/null 2>&1); then
    say "installing npm packages (binaryen for wasm-opt, playwright-core for page tests)"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian's chromium and chromium-driver"
    apt_install chromium chromium-driver
  fi
}

case "$level" in
  native) setup_native ;;
  web) setup_native; setup_web ;;
  browser) setup_native; setup_web; setup_browser ;;
  *) say "unknown level '$level'; allowed are native, web, browser"; exit 2 ;;
esac

#!/usr/bin/env bash
# One command for the whole comparison: our engine against PyTorch and TensorFlow.js on
# the same workload (the default lesson), for speed and for statistical agreement.
#
#   bench/compare.sh              # everything; about 35 minutes on 2 cores
#   bench/compare.sh --quick      # a tiny workload everywhere, to check the plumbing
#   bench/compare.sh --tables     # only redo the tables from the last results
#
# Steps: (a) setups: bench/.venv with torch and numpy (bench/setup_torch.sh; TORCH_VENV
# reuses another venv), `npm ci` in bench/tfjs, `scripts/setup.sh browser` (Chromium and
# the tools that build the page), `cargo build --release --bin lab`, and without --quick
# the page itself (`trunk build --release --offline`, into dist/); (b) `lab bench
# --repeat 3` and `lab run --json`;
# (c) bench/torch_reference.py and bench/tfjs/run.mjs; the replay check (one run of ours
# re-trained by PyTorch in float64 from the same start: bench/replay and
# bench/replay_torch.py); `node tests/e2e/bench.mjs` (our engine in the browser) when
# that file exists; (d) bench/compare.py prints the tables. Every JSON document is kept
# in bench/results/ (BENCH_OUT to change it).
#
# Environment: TORCH_VENV (venv to use); TORCH_ARGS (default "--threads 1 --workers
# <cores>": like lab, each piece is one run on one thread and the whole lesson's runs go
# over one single-threaded process per core); TFJS_ARGS (default none: wasm and cpu,
# 10-minute budget per backend); OURS_BROWSER_ARGS (arguments of tests/e2e/bench.mjs,
# default none).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="$root/bench"
out="${BENCH_OUT:-$bench/results}"
mode=full
case "${1:-}" in
  "") ;;
  --quick) mode=quick ;;
  --tables) mode=tables ;;
  -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
  *) echo "compare: unknown option '$1' (--quick, --tables)" >&2; exit 2 ;;
esac

say() { printf '\ncompare: %s\n' "$*" >&2; }
export PATH="$HOME/.cargo/bin:$PATH"
cores="$(nproc 2>/dev/null || echo 1)"
mkdir -p "$out"

tables() {
  local extra=() replays=()
  [ -s "$out/tfjs.json" ] && extra+=(--tfjs "$out/tfjs.json")
  [ -s "$out/ours_browser.json" ] && extra+=(--ours-browser "$out/ours_browser.json")
  for f in "$out"/replay_*_torch.json; do [ -s "$f" ] && replays+=("$f"); done
  [ "${#replays[@]}" -gt 0 ] && extra+=(--replay "${replays[@]}")
  python3 "$bench/compare.py" --lab-bench "$out/lab_bench.json" --lab-run "$out/lab_run.json" \
    --torch "$out/torch.json" "${extra[@]}" --json "$out/summary.json"
}

if [ "$mode" = tables ]; then
  tables
  exit 0
fi

# The same workload for every engine: the lesson's defaults, or a tiny one with --quick.
lab_set=()
lab_repeat=3
torch_args=(--threads 1 --workers "$cores")
tfjs_args=()
if [ "$mode" = quick ]; then
  lab_set=(--set runs=2 --set n_train=400 --set n_test=400 --set epochs=2)
  lab_repeat=1
  torch_args=(--quick --threads 1 --workers "$cores")
  tfjs_args=(--quick)
fi
quick_flag=()
[ "$mode" = quick ] && quick_flag=(--quick)
# shellcheck disable=SC2206 # word splitting of the user's extra arguments is intended
if [ -n "${TORCH_ARGS:-}" ]; then torch_args=(${TORCH_ARGS} "${quick_flag[@]}"); fi
# shellcheck disable=SC2206
if [ -n "${TFJS_ARGS:-}" ]; then tfjs_args=(${TFJS_ARGS} "${quick_flag[@]}"); fi

timed() { # label, command...: runs it and says how long it took
  local label="$1" start
  shift
  start=$(date +%s)
  "$@"
  say "$label took $(($(date +%s) - start)) s"
}

# (a) Setups, each skipped when already done.
say "setup: PyTorch venv"
python="$("$bench/setup_torch.sh")"
if ! (cd "$bench/tfjs" && npm ls --depth=0 >/dev/null 2>&1); then
  say "setup: npm ci in bench/tfjs (TensorFlow.js 4.22.0)"
  (cd "$bench/tfjs" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The lesson's own set-up: Chromium, the page-test packages, and for the page's build
# the wasm target, Trunk, wasm-bindgen and wasm-opt (each skipped when already there).
say "setup: scripts/setup.sh browser"
"$root/scripts/setup.sh" browser
export PATH="$root/node_modules/.bin:$PATH"
say "setup: cargo build --release --bin lab"
(cd "$root" && cargo build --release --bin lab)
if [ "$mode" = full ]; then
  say "setup: trunk build --release --offline (the page that tests/e2e/bench.mjs times)"
  (cd "$root" && trunk build --release --offline)
fi
lab="$root/target/release/lab"

# (b) Our engine, native.
say "ours: lab bench --repeat $lab_repeat ${lab_set[*]}"
timed "lab bench" sh -c '"$@" > "$0"' "$out/lab_bench.json" "$lab" bench --repeat "$lab_repeat" "${lab_set[@]}"
say "ours: lab run --json ${lab_set[*]}"
timed "lab run" sh -c '"$@" > "$0"' "$out/lab_run.json" "$lab" run --json "${lab_set[@]}"

# (c) The references, then our engine in the browser.
say "torch: bench/torch_reference.py ${torch_args[*]}"
timed "torch reference" sh -c '"$@" > "$0"' "$out/torch.json" "$python" "$bench/torch_reference.py" "${torch_args[@]}"
say "tfjs: bench/tfjs/run.mjs ${tfjs_args[*]}"
timed "tfjs reference" sh -c '"$@" > "$0"' "$out/tfjs.json" node "$bench/tfjs/run.mjs" "${tfjs_args[@]}"

# The replay check: one run of ours (seed 1, linear and MLP) re-trained by PyTorch in
# float64 from the same data, initial weights and batch order; it should end equal to
# rounding. It always replays the default configuration (also with --quick: it is fast).
rm -f "$out"/replay_*
say "replay: the same run in both engines from the same start (bench/replay, bench/replay_torch.py)"
(cd "$root" && cargo build --release --quiet --manifest-path "$bench/replay/Cargo.toml")
for model in linear mlp; do
  "$bench/replay/target/release/lab-replay" "$model" 1 > "$out/replay_${model}_lab.json"
  "$python" "$bench/replay_torch.py" "$out/replay_${model}_lab.json" > "$out/replay_${model}_torch.json"
done

rm -f "$out/ours_browser.json"
if [ "$mode" = quick ]; then
  say "quick: tests/e2e/bench.mjs is skipped (it times the default lesson, not the tiny one)"
elif [ -f "$root/tests/e2e/bench.mjs" ]; then
  say "ours in the browser: node tests/e2e/bench.mjs ${OURS_BROWSER_ARGS:-}"
  # shellcheck disable=SC2086
  if (cd "$root" && node tests/e2e/bench.mjs ${OURS_BROWSER_ARGS:-}) > "$out/ours_browser.raw" \
    && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/ours_browser.raw" 2>/dev/null; then
    mv "$out/ours_browser.raw" "$out/ours_browser.json"
  else
    say "tests/e2e/bench.mjs failed or printed no JSON (its message is above); its column is left out"
    rm -f "$out/ours_browser.raw"
  fi
else
  say "no tests/e2e/bench.mjs: the table has no column for our engine in the browser"
fi

# (d) The tables.
say "tables (JSON documents in $out)"
tables

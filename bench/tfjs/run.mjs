// Runs the Spurious Lab workload in TensorFlow.js (bench.js) in Debian's headless
// Chromium, on every available backend, and prints one JSON document on standard output
// (progress on standard error).
//
//   node bench/tfjs/run.mjs [--backends wasm,cpu] [--runs N] [--only linear|mlp]
//                           [--piece-repeat N] [--budget SECONDS] [--quick]
//                           [--set KEY=VALUE]... [--no-isolation] [--no-lesson]
//
// It serves this directory (index.html, bench.js and the tf.js bundles in node_modules) on
// 127.0.0.1 with node's http module, opens it with playwright-core and, per backend:
// times the pieces (data generation, one linear run, one MLP run; median of
// --piece-repeat), then runs the lesson (3 methods × the chosen models × the runs). With
// no --runs it runs all 10 runs per method and model when the pieces predict that they
// fit in --budget seconds (default 600) and otherwise as many as fit, at least one; the
// whole-lesson time is then extrapolated from the runs it measured and labelled so.
// 'webgl' is always probed and reported. With --disable-gpu there is no GPU; Chromium may
// still offer WebGL through SwiftShader, a software renderer on the CPU, which is reported
// as such and measured only when --backends names webgl (it is very slow). --no-lesson
// times the pieces only.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const FULL_RUNS = 10;
const QUICK = { runs: 2, n_train: 400, n_test: 400, epochs: 2 };
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error("usage: node bench/tfjs/run.mjs [--backends wasm,cpu] [--runs N] [--only linear|mlp] "
    + "[--piece-repeat N] [--budget SECONDS] [--quick] [--set KEY=VALUE]... [--no-isolation] [--no-lesson]");
  process.exit(2);
}

function parseArgs(argv) {
  const o = { backends: ["wasm", "cpu"], runs: null, only: null, pieceRepeat: 3, budget: 600,
    quick: false, overrides: {}, isolation: true, lesson: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    const positive = (text) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1) usage(`${arg} needs a positive whole number, not '${text}'`);
      return n;
    };
    if (arg === "--backends") o.backends = value().split(",").filter(Boolean);
    else if (arg === "--runs") o.runs = positive(value());
    else if (arg === "--only") {
      o.only = value();
      if (!["linear", "mlp"].includes(o.only)) usage(`--only takes linear or mlp, not '${o.only}'`);
    } else if (arg === "--piece-repeat") o.pieceRepeat = positive(value());
    else if (arg === "--budget") o.budget = Number(value());
    else if (arg === "--quick") o.quick = true;
    else if (arg === "--no-isolation") o.isolation = false;
    else if (arg === "--no-lesson") o.lesson = false;
    else if (arg === "--set") {
      const [key, text] = value().split("=");
      const number = Number(text);
      if (!key || text === undefined || !Number.isFinite(number)) usage(`--set takes KEY=NUMBER, not '${argv[i]}'`);
      o.overrides[key] = number;
    } else if (arg === "--help" || arg === "-h") usage();
    else usage(`unknown option '${arg}'`);
  }
  for (const b of o.backends) if (!["wasm", "cpu", "webgl"].includes(b)) usage(`unknown backend '${b}'`);
  if (o.quick) {
    o.overrides = { ...QUICK, ...o.overrides };
    o.pieceRepeat = 1;
  }
  return o;
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".map": "application/json" };

// Serves index.html, bench.js and the tf.js dist files; nothing else. With isolation the
// page is cross-origin isolated (COOP and COEP), which lets the wasm backend use threads.
function serve(isolation) {
  const allowed = (rel) => rel === "index.html" || rel === "bench.js"
    || /^node_modules\/@tensorflow\/[a-z0-9-]+\/dist\/[^/]+$/.test(rel);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
    const rel = path === "/" ? "index.html" : path.replace(/^\/+/, "");
    const file = resolve(here, rel);
    const headers = isolation
      ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }
      : {};
    try {
      if (!allowed(rel) || !file.startsWith(here + sep)) throw new Error("not served");
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, headers);
      res.end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

function mean(v) {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

function summary(values) {
  const n = values.length;
  const m = mean(values);
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1)) : 0;
  return { count: n, mean: m, std, se: std / Math.sqrt(n), values };
}

function summarise({ method, model, runs }) {
  const weights = [0, 1, 2].map((k) => mean(runs.map((r) => r.weights[k])));
  return {
    method, model, runs,
    rmse_iid: summary(runs.map((r) => r.rmse_iid)),
    rmse_ood: summary(runs.map((r) => r.rmse_ood)),
    weights_mean: weights,
    bias_mean: model === "linear" ? mean(runs.map((r) => r.bias)) : null,
  };
}

function log(message) {
  console.error(`tfjs: ${message}`);
}

async function benchBackend(browser, url, backend, o) {
  const page = await browser.newPage();
  const blocked = [];
  await page.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === "127.0.0.1") return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  page.on("console", (m) => log(`[${backend}] ${m.text()}`));
  page.on("pageerror", (e) => log(`[${backend}] page error: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.spuriousBench !== undefined);
  const info = await page.evaluate((b) => window.spuriousBench.setBackend(b), backend);
  log(`${backend}: ${info.available ? "available" : `unavailable (${info.error ?? `active backend is ${info.active}`})`}`);
  const out = { backend, available: info.available, info, timings: null, results: null, lesson: null };
  const measure = o.backends.includes(backend);
  if (info.renderer) info.software = /swiftshader|llvmpipe|software/i.test(info.renderer);
  if (!info.available || !measure) {
    if (info.available) {
      out.note = info.software
        ? `available only as ${info.renderer}, a software emulation of a GPU on the CPU (Playwright `
          + "launches Chromium with --enable-unsafe-swiftshader); not measured unless --backends names it"
        : "available but not measured (not in --backends)";
    }
    await page.close();
    return out;
  }

  const pieces = await page.evaluate(
    (args) => window.spuriousBench.pieces(args),
    { overrides: o.overrides, repeat: o.pieceRepeat, only: o.only });
  out.timings = pieces.timings;
  const perRun = Object.fromEntries(pieces.timings
    .filter((t) => t.name.startsWith("one "))
    .map((t) => [t.name.includes("MLP") ? "mlp" : "linear", t.median]));
  if (!o.lesson) {
    await page.close();
    return out;
  }
  const models = o.only ? [o.only] : ["linear", "mlp"];
  const fullRuns = o.overrides.runs ?? FULL_RUNS;
  const estimate = 3 * fullRuns * models.reduce((a, m) => a + perRun[m], 0);
  let runs = o.runs ?? fullRuns;
  let why = o.runs ? "--runs" : "the whole lesson fits the budget";
  if (o.runs === null && estimate > o.budget) {
    runs = Math.max(1, Math.min(fullRuns, Math.floor(o.budget / (estimate / fullRuns))));
    why = `the pieces predict ${estimate.toFixed(0)} s for the whole lesson, over the ${o.budget} s budget`;
  }
  log(`${backend}: lesson with ${runs} of ${fullRuns} runs per method and model (${why})`);
  const lesson = await page.evaluate(
    (args) => window.spuriousBench.lesson(args),
    { overrides: { ...o.overrides, runs }, models });
  out.results = lesson.results.map(summarise);
  const perRunMedian = Object.fromEntries(Object.entries(lesson.perRun).map(([m, s]) => {
    const sorted = [...s].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    return [m, sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2];
  }));
  const complete = runs === fullRuns && models.length === 2;
  const scaled = lesson.seconds * (fullRuns / runs);
  out.lesson = {
    runs_per_method_and_model: runs,
    models,
    measured_seconds: lesson.seconds,
    measured_runs: lesson.results.length * runs,
    per_run_median_seconds: perRunMedian,
    reason: why,
  };
  if (models.length === 2) {
    out.timings.push({
      name: "whole lesson",
      repetitions: 1,
      median: scaled,
      min: scaled,
      max: scaled,
      measured: complete,
      extrapolated: !complete,
      basis: complete
        ? `measured: all ${lesson.results.length * runs} runs in sequence`
        : `EXTRAPOLATED: measured ${lesson.results.length * runs} runs (${runs} of ${fullRuns} per method and model) `
          + `in ${lesson.seconds.toFixed(1)} s, scaled by ${fullRuns}/${runs}`,
    });
  }
  out.tensors_leaked_by_lesson = lesson.tensorsLeaked;
  out.blocked_requests = blocked;
  await page.close();
  return out;
}

const o = parseArgs(process.argv.slice(2));
const server = await serve(o.isolation);
const url = `http://127.0.0.1:${server.address().port}/index.html`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const browserVersion = browser.version();
const started = Date.now();
const backends = [];
try {
  for (const backend of ["wasm", "cpu", "webgl"]) {
    if (backend !== "webgl" && !o.backends.includes(backend)) continue;
    backends.push(await benchBackend(browser, url, backend, o));
  }
} finally {
  await browser.close();
  server.close();
}
const report = {
  engine: "tfjs",
  versions: { tfjs: "4.22.0", browser: browserVersion, node: process.version },
  dtype: "float32",
  parallelism: "one page, every run in sequence on the page's main thread; the wasm backend may use "
    + "its own thread pool (see info.multithread and info.threads) when the page is cross-origin isolated",
  quick: o.quick,
  config_overrides: o.overrides,
  options: { backends: o.backends, runs: o.runs, only: o.only, piece_repeat: o.pieceRepeat, budget_seconds: o.budget,
    isolation: o.isolation, lesson: o.lesson },
  total_seconds: (Date.now() - started) / 1000,
  backends,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

// End-to-end test of the built page: serves dist/ on localhost, opens it in Debian's
// headless Chromium, runs the whole lesson, and checks what a reader would see: every step
// and figure present and drawn, the numbers equal to the command line's, no console
// errors, no request outside the page's own files. Saves screenshots to target/e2e/.
//
//   node tests/e2e/lesson.mjs DIST_DIR LAB_BINARY
import { serve } from "./serve.mjs";
import { readFile, mkdir, readdir } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const dist = resolve(process.argv[2] ?? "dist");
const lab = resolve(process.argv[3] ?? "target/release/lab");
const shots = resolve("target/e2e");
const STEPS = ["intuition", "data", "baseline", "randomization", "augmentation", "summary", "mlp", "takeaways"];

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) {
    passed += 1;
    console.log(`ok   ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ""}`);
  }
}


// Every wasm and JavaScript file of the built page, in any folder, with its sizes.
async function sizes(root) {
  const out = {};
  for (const name of await readdir(root, { recursive: true })) {
    if (!/\.(wasm|js)$/.test(name)) continue;
    const body = await readFile(join(root, name));
    out[name] = { raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
  }
  return out;
}

async function main() {
  await mkdir(shots, { recursive: true });
  const server = await serve(dist);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    await lessonTest(browser, origin);
    await addressTest(browser, origin);
    await largeSeedTest(browser, origin);
    await phoneTest(browser, origin);
  } finally {
    await browser.close();
    server.close();
  }
  const built = await sizes(dist);
  for (const [name, s] of Object.entries(built)) {
    console.log(`size ${name}: ${(s.raw / 1024).toFixed(1)} KiB raw, ${(s.gzip / 1024).toFixed(1)} KiB gzipped`);
  }
  // Reported against the goal of 250 KB, not asserted.
  const total = Object.values(built).reduce((sum, s) => sum + s.gzip, 0);
  console.log(`size total, wasm + js: ${(total / 1000).toFixed(1)} KB gzipped (goal 250 KB)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

// How many numbers of the command line's results `cli` the page's results `page` lack or
// give otherwise.
function differences(page, cli) {
  let mismatches = 0;
  for (const c of cli.results) {
    const p = page.results.find((r) => r.method === c.method && r.model === c.model);
    if (!p) { mismatches += 1; continue; }
    c.runs.forEach((run, i) => {
      const other = p.runs[i];
      if (!other) { mismatches += 1; return; }
      for (const key of ["seed", "rmse_iid", "rmse_ood", "bias"]) if (run[key] !== other[key]) mismatches += 1;
      run.weights.forEach((w, k) => { if (w !== other.weights[k]) mismatches += 1; });
      run.loss.forEach((l, k) => { if (l !== other.loss[k]) mismatches += 1; });
    });
  }
  return mismatches;
}

function watch(page, origin) {
  const problems = { console: [], outside: [], failed: [] };
  page.on("console", (m) => { if (m.type() === "error") problems.console.push(m.text()); });
  page.on("pageerror", (e) => problems.console.push(String(e)));
  page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) problems.outside.push(r.url()); });
  page.on("requestfailed", (r) => problems.failed.push(r.url()));
  page.on("response", (r) => { if (r.status() >= 400) problems.failed.push(`${r.status()} ${r.url()}`); });
  return problems;
}

async function lessonTest(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const problems = watch(page, origin);
  const workers = [];
  page.on("worker", (w) => workers.push(w.url()));
  await page.goto(`${origin}/`);
  await page.waitForSelector("#run-everything", { timeout: 60_000 }).catch((e) => {
    throw new Error(`the page did not start (${problems.console.join(" | ") || "no console output"}): ${e.message}`);
  });

  for (const id of STEPS) {
    const heading = await page.locator(`#${id} h2`).count();
    const linked = await page.locator(`nav.toc a[href="#${id}"]`).count();
    check(`step ${id} has a heading and a table-of-contents link`, heading === 1 && linked === 1);
  }
  check("no placeholder step for later material", (await page.locator("#beyond").count()) === 0);

  // Predict before the reveal, as a reader would.
  await page.locator('#predict-baseline input[value="higher"]').check();

  const started = Date.now();
  await page.click("#run-everything");
  await page.waitForFunction(() => {
    const doc = JSON.parse(window.spuriousLab.results() || "{}");
    const results = doc.results ?? [];
    return results.length === 6 && results.every((r) => r.runs.length === doc.config.runs);
  }, null, { timeout: 600_000, polling: 250 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`time: whole default lesson in headless Chromium ${seconds.toFixed(1)} s`);
  await page.waitForTimeout(500);

  const outcome = await page.locator("#predict-baseline .prediction-outcome").textContent();
  check("the reader's guess is shown next to the outcome", /You predicted “higher”, and it is higher/.test(outcome ?? ""), outcome ?? "");

  // Every figure is drawn and not blank.
  const figures = await page.evaluate(() => [...document.querySelectorAll("[data-figure]")].map((f) => {
    const canvas = f.querySelector("canvas");
    if (!canvas || canvas.hidden) return { id: f.dataset.figure, drawn: 0 };
    const ctx = canvas.getContext("2d");
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) ink += 1;
    return { id: f.dataset.figure, drawn: ink / (data.length / 4),
      seed: canvas.dataset.drawnSeed, runs: canvas.dataset.drawnRuns };
  }));
  // Each figure's data table is built when it is asked for: open them all, count, close.
  const tableRows = await page.evaluate(async () => {
    const toggles = [...document.querySelectorAll("[data-figure] button[aria-controls^='table-']")];
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const count = () => Object.fromEntries([...document.querySelectorAll("[data-figure]")]
      .map((f) => [f.dataset.figure, f.querySelectorAll("tbody tr").length]));
    const before = count();
    toggles.forEach((b) => b.click());
    await frames();
    const shown = count();
    toggles.forEach((b) => b.click());
    await frames();
    return { before, shown, after: count() };
  });
  const expected = ["data", "baseline-weights", "baseline-rmse", "baseline-loss", "randomization-weights",
    "randomization-rmse", "randomization-loss", "augmentation-weights", "augmentation-rmse", "augmentation-loss",
    "summary-box", "mlp-box", "mlp-effective-weights", "mlp-loss"];
  for (const id of expected) {
    const f = figures.find((x) => x.id === id);
    check(`figure ${id} is drawn`, f && f.drawn > 0.01, f ? `ink ${f.drawn}` : "missing");
    check(`figure ${id} has a data table, built when shown`,
      tableRows.before[id] === 0 && tableRows.shown[id] > 0 && tableRows.after[id] === 0,
      `${tableRows.before[id]} ${tableRows.shown[id]} ${tableRows.after[id]}`);
  }
  // Figures refine at most every 150 ms as runs come in; the last run is always drawn.
  const complete = figures.filter((f) => f.seed === "1" && (f.id === "data" ? f.runs === "" : f.runs.split(",").every((n) => n === "10")));
  check("every figure is drawn with every run of the settings shown", complete.length === expected.length,
    figures.filter((f) => !complete.includes(f)).map((f) => `${f.id}: seed ${f.seed} runs ${f.runs}`).join(", "));

  // A figure's data table is out of the way until asked for, and goes again.
  const toggle = page.locator('[data-figure="baseline-loss"] button[aria-controls="table-baseline-loss"]');
  const table = page.locator("#table-baseline-loss");
  const hiddenBefore = !(await table.isVisible());
  await toggle.click();
  const shown = await table.isVisible() && (await toggle.getAttribute("aria-expanded")) === "true";
  await toggle.click();
  const hiddenAfter = !(await table.isVisible());
  check("a data table is shown on request and hidden again", hiddenBefore && shown && hiddenAfter, `${hiddenBefore} ${shown} ${hiddenAfter}`);

  // The page's numbers are the command line's, bit for bit.
  const page_doc = JSON.parse(await page.evaluate(() => window.spuriousLab.results()));
  const cli_doc = JSON.parse(execFileSync(lab, ["run", "--json"], { encoding: "utf8", maxBuffer: 1 << 26 }));
  check("the page ran the default settings", JSON.stringify(page_doc.config) === JSON.stringify(cli_doc.config));
  const mismatches = differences(page_doc, cli_doc);
  check("every number on the page equals the command line's", mismatches === 0, `${mismatches} differ`);

  const summary = await page.locator("#summary-table").textContent();
  check("the summary table lists every method", ["Baseline", "randomization", "augmentation"].every((m) => summary.toLowerCase().includes(m.toLowerCase())), summary);

  await page.screenshot({ path: join(shots, "lesson-full.png"), fullPage: true });
  // Element screenshots scroll; keep the sticky table of contents out of them.
  await page.addStyleTag({ content: ".toc { position: static !important; }" });
  for (const id of STEPS) {
    await page.locator(`#${id}`).screenshot({ path: join(shots, `step-${id}.png`) });
  }

  // A control changed after training restarts cleanly: no stale results remain.
  await page.locator("#control-s_ood").evaluate((el) => { el.value = "0.5"; el.dispatchEvent(new Event("change", { bubbles: true })); });
  // A figure waiting for the new settings' results shows its placeholder and no canvas:
  // the old drawing is not on screen. (Looked at two frames after the change, before any
  // MLP run of the new settings can be done.)
  const waiting = await page.evaluate(async () => {
    for (let k = 0; k < 2; k++) await new Promise((r) => requestAnimationFrame(r));
    return [...document.querySelectorAll("[data-figure]")].map((f) => {
      const canvas = f.querySelector("canvas");
      const shown = canvas !== null && canvas.getBoundingClientRect().height > 0;
      return { id: f.dataset.figure, placeholder: f.querySelector(".figure-placeholder") !== null, shown };
    });
  });
  const unclear = waiting.filter((w) => w.placeholder === w.shown);
  check("after a change, each figure shows either its placeholder or its drawing, never both or neither",
    unclear.length === 0, JSON.stringify(unclear));
  check("after a change, some figures wait for their results", waiting.some((w) => w.placeholder), JSON.stringify(waiting));
  await page.waitForTimeout(300);
  const after = JSON.parse(await page.evaluate(() => window.spuriousLab.results()));
  check("changing a setting takes the old results off the screen", after.config.s_ood === 0.5 && after.results.every((r) => r.runs.length < 10 || r.runs.every((x) => x.rmse_ood !== undefined)));
  check("the address carries the changed setting", page.url().includes("s_ood=0.5"), page.url());

  // Two more changes while the MLP runs are under way: the workers drop the old jobs
  // between slices and go on with the new ones, without being replaced, and what ends up
  // on screen is exactly what the command line gives for the last settings.
  const setSeed = (value) => page.locator("#control-seed").evaluate((el, v) => {
    el.value = v;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }, value);
  await page.waitForTimeout(200);
  await setSeed("2");
  await page.waitForTimeout(150);
  await setSeed("3");
  await page.waitForFunction(() => {
    const doc = JSON.parse(window.spuriousLab.results() || "{}");
    const results = doc.results ?? [];
    return doc.config?.seed === 3 && results.length === 6 && results.every((r) => r.runs.length === doc.config.runs);
  }, null, { timeout: 600_000, polling: 250 });
  const changed = JSON.parse(await page.evaluate(() => window.spuriousLab.results()));
  const cli_changed = JSON.parse(execFileSync(lab, ["run", "--json", "--set", "seed=3", "--set", "s_ood=0.5"], { encoding: "utf8", maxBuffer: 1 << 26 }));
  const stale = differences(changed, cli_changed);
  check("after changes mid-training, every number equals the command line's for the last settings", stale === 0, `${stale} differ`);
  const redrawn = await page.waitForFunction(() => [...document.querySelectorAll("[data-figure]")].every((f) => {
    const canvas = f.querySelector("canvas");
    return canvas && canvas.dataset.drawnSeed === "3"
      && (f.dataset.figure === "data" || canvas.dataset.drawnRuns.split(",").every((n) => n === "10"));
  }), null, { timeout: 5_000 }).then(() => true, () => false);
  check("after changes mid-training, every figure is drawn with the last settings' runs", redrawn);
  const cores = await page.evaluate(() => Math.min(Math.max(navigator.hardwareConcurrency || 2, 1), 8));
  check("cancelled runs keep their workers (one per core, none started since)", workers.length === cores, `${workers.length} workers for ${cores} cores`);

  check("no console errors", problems.console.length === 0, problems.console.join(" | "));
  check("no request outside the page's own files", problems.outside.length === 0, problems.outside.join(" "));
  check("no failed request", problems.failed.length === 0, problems.failed.join(" "));
  await context.close();
}

async function addressTest(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const problems = watch(page, origin);
  await page.goto(`${origin}/?n_train=lots&speed=3&s_ood=0.3`);
  await page.waitForSelector("#run-everything");
  const notices = (await page.locator(".notice").allTextContents()).join(" ");
  check("a bad value in the address is named with what is allowed", notices.includes("invalid n_train 'lots': allowed is a whole number"), notices);
  check("an unknown key in the address is named", notices.includes("unknown setting 'speed'"), notices);
  const value = await page.locator("#control-s_ood").inputValue();
  check("good settings in the address are applied", value === "0.3", value);
  check("bad address causes no console error", problems.console.length === 0, problems.console.join(" | "));
  await context.close();
}

// A seed may be any 64-bit number, beyond the integers a JavaScript number holds exactly:
// the workers still train it, and the page's numbers are the command line's.
async function largeSeedTest(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const problems = watch(page, origin);
  const settings = ["seed=18446744073709551615", "runs=2", "n_train=500", "n_test=200", "epochs=5"];
  await page.goto(`${origin}/?${settings.join("&")}`);
  await page.waitForSelector("#run-everything");
  await page.click('[data-train="baseline"]');
  const trained = await page.waitForFunction(() => (JSON.parse(window.spuriousLab.results()).results ?? [])
    .some((r) => r.method === "baseline" && r.runs.length === 2), null, { timeout: 60_000 }).then(() => true, () => false);
  check("a seed of 2^64 - 1 is trained in the workers", trained);
  const text = await page.evaluate(() => window.spuriousLab.results());
  check("the page's results keep a seed of 2^64 - 1 exactly", text.includes('"seed": 18446744073709551615'), text.slice(0, 80));
  const args = ["run", "--json", ...settings.flatMap((s) => ["--set", s])];
  const cli = JSON.parse(execFileSync(lab, args, { encoding: "utf8", maxBuffer: 1 << 26 }));
  const shown = JSON.parse(text);
  cli.results = cli.results.filter((c) => c.method === "baseline"
    && shown.results.some((p) => p.method === c.method && p.model === c.model));
  const mismatches = cli.results.length === 0 ? 1 : differences(shown, cli);
  check("with a seed of 2^64 - 1 the page's numbers equal the command line's", mismatches === 0, `${mismatches} differ`);
  check("a large seed causes no console error", problems.console.length === 0, problems.console.join(" | "));
  await context.close();
}

async function phoneTest(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = watch(page, origin);
  await page.goto(`${origin}/?runs=2&n_train=500&n_test=200`);
  await page.waitForSelector("#run-everything");
  await page.click('[data-train="baseline"]');
  await page.waitForFunction(() => (JSON.parse(window.spuriousLab.results()).results ?? []).some((r) => r.runs.length === 2), null, { timeout: 120_000 });
  await page.waitForTimeout(400);
  const errors = await page.locator("#baseline .figure-error").allTextContents();
  check("the baseline's figures are drawn on a phone", errors.length === 0, errors.join(" | "));
  const drawn = await page.locator("#baseline canvas").count();
  check("the baseline's figures have canvases on a phone", drawn >= 3, `${drawn}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check("the phone layout does not scroll sideways", overflow <= 1, `${overflow}px wider`);
  await page.locator("#baseline").screenshot({ path: join(shots, "phone-baseline.png") });
  await page.screenshot({ path: join(shots, "phone-top.png") });
  check("phone run has no console errors", problems.console.length === 0, problems.console.join(" | "));
  await context.close();
}

main().catch((e) => {
  console.log(`FAIL the end-to-end test stopped: ${e.usage ? e.message : e.stack ?? e}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});

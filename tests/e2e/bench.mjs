// The benchmark of the built page: serves dist/, opens it with ?bench=1 in headless
// Chromium, waits for the page to time data generation, one linear run, one MLP run and
// the whole lesson in its workers, then measures how fast the lesson reacts to a change
// of settings. Prints one JSON document on stdout; progress goes to stderr.
//
//   node tests/e2e/bench.mjs [DIST_DIR]
import { serve } from "./serve.mjs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const dist = resolve(process.argv[2] ?? "dist");

// Time from a change of a control until `done` holds in the page, in milliseconds.
// `done` is the body of a function of `drawn`, which tells whether the figures named by
// `ids` show `seed`: each has been drawn (its canvas says so in `data-drawn-seed` and
// `data-drawn-runs`, written when it is drawn) with at least `runs` runs, for every pair
// it shows when `each` is set and in all otherwise. The probe reads attributes only, so
// it adds no work of its own to the page's.
async function reaction(page, control, value, done) {
  return page.evaluate(async ({ control, value, done }) => {
    const drawn = (ids, seed, runs, each) => ids.every((id) => {
      const canvas = document.querySelector(`#fig-${id} canvas`);
      if (!canvas || canvas.dataset.drawnSeed !== String(seed)) return false;
      const counts = (canvas.dataset.drawnRuns ?? "").split(",").map(Number);
      return each ? counts.every((n) => n >= runs) : counts.reduce((a, b) => a + b, 0) >= runs;
    });
    const check = new Function("drawn", done);
    const el = document.getElementById(control);
    const start = performance.now();
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (check(drawn)) return performance.now() - start;
      if (performance.now() - start > 60000) return null;
    }
  }, { control, value, done });
}

const LINEAR_STEP = '["baseline-loss", "baseline-weights", "baseline-rmse"]';
const MLP_STEP = '["mlp-loss", "mlp-box", "mlp-effective-weights"]';

async function main() {
  const server = await serve(dist);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const out = { browser: browser.version(), unit: "ms" };
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/?bench=1`);
    console.error("bench: timing the pieces of the lesson in the page…");
    await page.waitForFunction(() => window.spuriousLab && window.spuriousLab.bench && window.spuriousLab.bench(), null, { timeout: 900_000, polling: 500 });
    const report = JSON.parse(await page.evaluate(() => window.spuriousLab.bench()));
    out.workers = report.workers;
    out.precision = report.precision;
    out.timings = report.timings;
    out.user_timing = await page.evaluate(() => performance.getEntriesByType("measure").filter((m) => m.name.startsWith("spurious-lab:")).length);

    console.error("bench: reaction to a change of settings…");
    const lesson = await browser.newPage();
    await lesson.goto(`${origin}/`);
    await lesson.waitForSelector("#run-everything");
    await lesson.click('[data-train="baseline"]');
    await lesson.click('[data-train="mlp"]');
    await lesson.waitForFunction(() => (JSON.parse(window.spuriousLab.results()).results ?? []).filter((r) => r.runs.length === 10).length === 4, null, { timeout: 600_000 });
    // Linear step: its three figures drawn with its first run for the new seed, then
    // with all ten.
    out.linear_step_first_redrawn = await reaction(lesson, "control-seed", "6",
      `return drawn(${LINEAR_STEP}, 6, 1, true);`);
    await lesson.waitForFunction(() => (JSON.parse(window.spuriousLab.results()).results ?? []).filter((r) => r.runs.length === 10).length === 4, null, { timeout: 600_000 });
    out.linear_step_redrawn = await reaction(lesson, "control-seed", "7",
      `return drawn(${LINEAR_STEP}, 7, 10, true);`);
    // MLP step: its figures drawn with a first run for the new seed.
    out.mlp_first_run_drawn = await reaction(lesson, "control-seed", "8",
      `return drawn(${MLP_STEP}, 8, 1, false);`);
    // MLP step: its progress bar moving for the new seed. The data figure drawn for the
    // new seed shows that the page has rendered the new settings, whose bar starts at 0.
    out.mlp_progress_visible = await reaction(lesson, "control-seed", "9",
      `const bar = document.querySelector("#mlp progress");
       return drawn(["data"], 9, 0, false) && bar && Number(bar.value) > 0;`);
  } finally {
    await browser.close();
    server.close();
  }
  console.log(JSON.stringify(out, null, 2));
  // The benchmark reports; it asserts no speed. It does check that it measured something.
  const names = (out.timings ?? []).map((t) => t.name);
  const complete = names.length === 4 && out.timings.every((t) => Number.isFinite(t.median) && t.median > 0);
  const marked = out.user_timing >= 4;
  const reacted = [out.linear_step_first_redrawn, out.linear_step_redrawn, out.mlp_first_run_drawn, out.mlp_progress_visible].every(Number.isFinite);
  if (!complete || !marked || !reacted) {
    console.error(`bench: incomplete measurement (timings ${complete}, user timing ${marked}, reactions ${reacted})`);
    process.exit(1);
  }
}

main().catch((e) => { console.error(`bench failed: ${e.usage ? e.message : e.stack ?? e}`); process.exit(1); });

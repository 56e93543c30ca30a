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
async function reaction(page, control, value, done) {
  return page.evaluate(async ({ control, value, done }) => {
    const check = new Function("doc", done);
    const el = document.getElementById(control);
    const start = performance.now();
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const doc = JSON.parse(window.spuriousLab.results() || "{}");
      if (check(doc)) return performance.now() - start;
      if (performance.now() - start > 60000) return null;
    }
  }, { control, value, done });
}

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
    // Linear step: its first run for the new seed on screen, then all ten.
    out.linear_step_first_redrawn = await reaction(lesson, "control-seed", "6",
      "const r = (doc.results||[]).find(x => x.method==='baseline' && x.model==='linear'); return doc.config.seed===6 && r && r.runs.length>=1;");
    await lesson.waitForFunction(() => (JSON.parse(window.spuriousLab.results()).results ?? []).filter((r) => r.runs.length === 10).length === 4, null, { timeout: 600_000 });
    out.linear_step_redrawn = await reaction(lesson, "control-seed", "7",
      "const r = (doc.results||[]).find(x => x.method==='baseline' && x.model==='linear'); return doc.config.seed===7 && r && r.runs.length===10;");
    // MLP step: the first run of each MLP method for the new seed.
    out.mlp_first_run_drawn = await reaction(lesson, "control-seed", "8",
      "const r = (doc.results||[]).filter(x => x.model==='mlp'); return doc.config.seed===8 && r.length>0;");
    out.mlp_progress_visible = await lesson.evaluate(async () => {
      const el = document.getElementById("control-seed");
      const start = performance.now();
      el.value = "9";
      el.dispatchEvent(new Event("change", { bubbles: true }));
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        // The bar must belong to the new settings: until the page has re-rendered, it
        // still shows the progress of the old ones.
        const doc = JSON.parse(window.spuriousLab.results() || "{}");
        const bar = document.querySelector('#mlp progress');
        if (doc.config?.seed === 9 && bar && Number(bar.value) > 0) return performance.now() - start;
        if (performance.now() - start > 60000) return null;
      }
    });
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

main().catch((e) => { console.error(`bench failed: ${e.stack ?? e}`); process.exit(1); });

#!/usr/bin/env python3
"""Tables of the speed comparison and of the statistical agreement between the lab engine
and the references (PyTorch, TensorFlow.js). Standard library only.

    python3 bench/compare.py --lab-bench lab_bench.json --lab-run lab_run.json \\
        --torch torch.json [--tfjs tfjs.json] [--ours-browser ours_browser.json] \\
        [--json summary.json] [--strict]

Inputs are the JSON documents of `lab bench`, `lab run --json`, bench/torch_reference.py,
bench/tfjs/run.mjs and tests/e2e/bench.mjs (anything with a "timings" array of
{name, median}, in seconds unless the document or the entry says "unit": "ms"). Times are medians in seconds. Agreement: for each method and model and
each test set, the difference of mean RMSE over the runs is compared with
2·sqrt(se_ours² + se_other²), se = std (ddof 1) / sqrt(runs).
"""

import argparse
import json
import math
import sys

PIECES = [
    ("data generation", "data generation (train, IID, OOD)"),
    ("one linear run", "one linear run (baseline)"),
    ("one MLP run", "one MLP run (baseline)"),
    ("whole lesson", "whole lesson"),
]
METHODS = ("baseline", "randomization", "augmentation")
MODELS = ("linear", "mlp")


def load(path):
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6}


def timing(doc, name):
    """The timing entry called `name` (or whose name starts with it) in doc["timings"],
    with its times in seconds (a document or entry may say "unit": "ms")."""
    if not doc or not doc.get("timings"):
        return None
    found = next((t for t in doc["timings"] if t.get("name") == name), None)
    if found is None:
        found = next((t for t in doc["timings"]
                      if str(t.get("name", "")).startswith(name.split(" (")[0])), None)
    if found is None or found.get("median") is None:
        return None
    scale = SCALE.get(found.get("unit", doc.get("unit", "s")), 1.0)
    out = dict(found)
    for key in ("median", "min", "max"):
        if out.get(key) is not None:
            out[key] = out[key] * scale
    return out


def fmt_time(t):
    if t is None:
        return "-"
    s = t["median"]
    text = f"{s:.4f}" if s < 0.1 else f"{s:.3f}" if s < 10 else f"{s:.1f}"
    return text + (" (extrap.)" if t.get("extrapolated") else "")


def ratio(other, ours):
    if other is None or ours is None or not ours["median"]:
        return "-"
    r = other["median"] / ours["median"]
    text = f"{r:.1f}x" if r < 100 else f"{r:.0f}x"
    return text + ("*" if other.get("extrapolated") or ours.get("extrapolated") else "")


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def summary_of(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    n = len(values)
    mean = sum(values) / n if n else float("nan")
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"count": n, "mean": mean, "std": std, "se": std / math.sqrt(n) if n else float("nan")}


def lab_stats(lab_run):
    """Per (method, model): RMSE summaries and mean weights from `lab run --json`."""
    out = {}
    for r in lab_run["results"]:
        runs = r["runs"]
        entry = {}
        for key in ("rmse_iid", "rmse_ood"):
            entry[key] = summary_of([run[key] for run in runs])
        entry["weights_mean"] = [sum(run["weights"][k] for run in runs) / len(runs) for k in range(3)]
        biases = [run["bias"] for run in runs if run["bias"] is not None]
        entry["bias_mean"] = sum(biases) / len(biases) if biases else None
        out[(r["method"], r["model"])] = entry
    return out


def reference_stats(results):
    out = {}
    for r in results or []:
        out[(r["method"], r["model"])] = {
            "rmse_iid": r["rmse_iid"], "rmse_ood": r["rmse_ood"],
            "weights_mean": r["weights_mean"], "bias_mean": r["bias_mean"],
        }
    return out


def agreement(ours, other):
    rows, records = [], []
    for model in MODELS:
        for method in METHODS:
            a, b = ours.get((method, model)), other.get((method, model))
            if not a or not b:
                continue
            for key, label in (("rmse_iid", "IID"), ("rmse_ood", "OOD")):
                sa, sb = a[key], b[key]
                diff = sa["mean"] - sb["mean"]
                bound = 2 * math.sqrt(sa["se"] ** 2 + sb["se"] ** 2)
                ok = abs(diff) <= bound
                records.append({"method": method, "model": model, "test": label,
                                "ours_mean": sa["mean"], "ours_se": sa["se"], "ours_runs": sa["count"],
                                "other_mean": sb["mean"], "other_se": sb["se"], "other_runs": sb["count"],
                                "diff": diff, "bound": bound, "agree": ok})
                rows.append([method, model, label,
                             f"{sa['mean']:.4f} ± {sa['se']:.4f}", f"{sb['mean']:.4f} ± {sb['se']:.4f}",
                             f"{diff:+.4f}", f"{bound:.4f}", "yes" if ok else "NO"])
    return rows, records


def weights_rows(ours, refs):
    rows = []
    for model in MODELS:
        for method in METHODS:
            a = ours.get((method, model))
            if not a:
                continue
            row = [method, model, fmt_params(a)]
            for _, ref in refs:
                b = ref.get((method, model))
                row.append(fmt_params(b) if b else "-")
            rows.append(row)
    return rows


def fmt_params(entry):
    w = ", ".join(f"{v:.3f}" for v in entry["weights_mean"])
    return f"({w})" + (f" b {entry['bias_mean']:.3f}" if entry.get("bias_mean") is not None else "")


WORKLOAD_KEYS = ("seed", "n_train", "n_test", "s_train", "s_ood", "noise", "epochs", "batch",
                 "lr", "step", "gamma", "domains", "s_min", "s_max", "hidden")


def check_workloads(lab_run, torch_doc, tfjs_doc):
    """Warns when a reference ran another workload than `lab run` did."""
    ours = lab_run.get("config", {})
    if ours.get("augment", "shuffle") != "shuffle" or ours.get("augment_p", 1.0) != 1.0:
        print("WARNING: lab ran another augmentation than the references' (shuffle, p = 1)")
    configs = [("torch", torch_doc.get("config", {}))]
    if tfjs_doc:
        tf_cfg = dict(TFJS_DEFAULTS, **tfjs_doc.get("config_overrides", {}))
        configs.append(("tfjs", tf_cfg))
    for name, cfg in configs:
        bad = [f"{k}: ours {ours.get(k)}, {name} {cfg.get(k)}" for k in WORKLOAD_KEYS
               if k in cfg and k in ours and not same(ours[k], cfg[k])]
        if bad:
            print(f"WARNING: {name} ran another workload than lab ({'; '.join(bad)})")


def same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12)
    return a == b


# What bench/tfjs/bench.js runs without overrides, the lesson's defaults.
TFJS_DEFAULTS = {"seed": 1, "runs": 10, "n_train": 5000, "n_test": 5000, "s_train": 0.2,
                 "s_ood": 0.1, "noise": 0.1, "epochs": 30, "batch": 8, "lr": 1e-3, "step": 10,
                 "gamma": 0.5, "domains": 10, "s_min": -1.0, "s_max": 1.0, "hidden": [32, 32]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lab-bench", required=True)
    p.add_argument("--lab-run", required=True)
    p.add_argument("--torch", required=True)
    p.add_argument("--tfjs")
    p.add_argument("--ours-browser")
    p.add_argument("--replay", nargs="*", default=[],
                   help="reports of bench/replay_torch.py (the same run from the same start)")
    p.add_argument("--json", help="also write the tables as JSON to this file")
    p.add_argument("--strict", action="store_true", help="exit 1 when a torch comparison disagrees")
    args = p.parse_args()

    lab_bench, lab_run = load(args.lab_bench), load(args.lab_run)
    torch_doc, tfjs_doc, browser_doc = load(args.torch), load(args.tfjs), load(args.ours_browser)
    tfjs_backends = [b for b in (tfjs_doc or {}).get("backends", []) if b.get("timings")]

    check_workloads(lab_run, torch_doc, tfjs_doc)

    engines = [("ours native", lab_bench)]
    if browser_doc:
        engines.append(("ours browser", browser_doc))
    engines.append(("torch", torch_doc))
    engines += [(f"tfjs {b['backend']}", b) for b in tfjs_backends]

    print("Times in seconds (medians; 'extrap.' = extrapolated from fewer runs, see tfjs notes)")
    rows = [[label] + [fmt_time(timing(doc, name)) for _, doc in engines] for label, name in PIECES]
    print(table(["piece"] + [e for e, _ in engines], rows))

    print("\nRatios: their time / our time (above 1: ours is faster; * involves an extrapolated time)")
    baselines = [("ours native", lab_bench)] + ([("ours browser", browser_doc)] if browser_doc else [])
    others = [e for e in engines if not e[0].startswith("ours")]
    header = ["piece"] + [f"{o} / {b}" for b, _ in baselines for o, _ in others]
    if browser_doc:
        header.append("ours browser / ours native")
    ratio_rows = []
    for label, name in PIECES:
        row = [label] + [ratio(timing(od, name), timing(bd, name))
                         for _, bd in baselines for _, od in others]
        if browser_doc:
            row.append(ratio(timing(browser_doc, name), timing(lab_bench, name)))
        ratio_rows.append(row)
    print(table(header, ratio_rows))

    print("\nParallelism")
    print(f"- ours native: lab bench with {lab_bench.get('threads')} threads; pieces are one run "
          "on one thread, the whole lesson spreads its runs over the threads")
    if browser_doc:
        print(f"- ours browser: {browser_doc.get('parallelism', 'tests/e2e/bench.mjs (Web Workers, one per core)')}")
    print(f"- torch: {torch_doc.get('parallelism')}; Adam {torch_doc.get('adam')}, batches from "
          f"{torch_doc.get('loader')}, torch {torch_doc.get('versions', {}).get('torch')}")
    if tfjs_doc:
        print(f"- tfjs: {tfjs_doc.get('parallelism')}")
        for b in tfjs_doc.get("backends", []):
            info = b.get("info", {})
            if not b.get("available"):
                print(f"  - {b['backend']}: unavailable ({info.get('error') or 'setBackend failed'})")
            elif not b.get("timings"):
                extra = f", renderer {info['renderer']}" if info.get("renderer") else ""
                print(f"  - {b['backend']}: available{extra}; {b.get('note', 'not measured')}")
            else:
                extra = (f" (SIMD {info.get('simd')}, threads {info.get('threads')})"
                         if b["backend"] == "wasm" else "")
                whole = timing(b, "whole lesson")
                print(f"  - {b['backend']}{extra}: {whole['basis'] if whole else 'whole lesson not run'}")

    ours = lab_stats(lab_run)
    refs = [("torch", reference_stats(torch_doc.get("results")))]
    refs += [(f"tfjs {b['backend']}", reference_stats(b.get("results"))) for b in tfjs_backends]
    summary = {"times": {label: {e: (timing(doc, name) or {}).get("median") for e, doc in engines}
                         for label, name in PIECES},
               "agreement": {}}
    failures = 0
    for name, ref in refs:
        rows, records = agreement(ours, ref)
        if not rows:
            continue
        runs = sorted({r["other_runs"] for r in records})
        print(f"\nAgreement of mean RMSE, ours vs {name} ({'/'.join(map(str, runs))} runs; "
              "mean ± standard error; agree when |diff| <= 2·sqrt(se_ours² + se_other²))")
        print(table(["method", "model", "test", "ours", name, "diff", "bound", "agree"], rows))
        agreed = sum(r["agree"] for r in records)
        print(f"{agreed} of {len(records)} comparisons within the bound (at about 95% each, one "
              "miss in twelve is expected by chance)")
        summary["agreement"][name] = records
        if name == "torch":
            failures = len(records) - agreed

    print("\nMean weights (X1, X2, X3) and bias over runs; MLP: mean input gradient on the IID test set")
    print(table(["method", "model", "ours"] + [n for n, _ in refs], weights_rows(ours, refs)))

    replays = [load(path) for path in args.replay]
    if replays:
        print("\nReplay: one run of ours re-trained by PyTorch from the same data, initial weights "
              "and batch order (bench/replay_torch.py)")
        rows = []
        for r in replays:
            last = r["epochs"][-1]
            rows.append([r["model"], r["seed"], r["dtype"], f"{r['max_parameter_difference']:.1e}",
                         f"{last['ours']:.12f}", f"{last['torch']:.12f}",
                         f"{r['rmse_iid']['ours']:.12f}", f"{r['rmse_iid']['torch']:.12f}"])
        print(table(["model", "seed", "torch dtype", "max param diff", "final loss ours",
                     "final loss torch", "RMSE IID ours", "RMSE IID torch"], rows))
        summary["replay"] = replays

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
    return 1 if args.strict and failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""PyTorch reference of Spurious Lab's default lesson, for speed and agreement checks.

The workload is the one `lab run` computes with its defaults: the methods baseline,
randomization and augmentation, each training a linear model (3 -> 1) and an MLP
(3 -> 32 -> 32 -> 1, ReLU) on 10 runs seeded 1 + r. Per run:

    X1, X2 ~ N(0, 1)    Y = X1 + 2 X2 + 3 + N(0, 1)    X3 = s Y + N(0, 0.1^2)

with 5000 training samples (baseline and augmentation: s = 0.2; randomization: 10 domains
of 500 samples, s ~ U[-1, 1] per domain), an IID test set (s = 0.2) and an OOD test set
(s = 0.1) of 5000 samples each. Training: PyTorch's default nn.Linear initialisation,
Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-8), StepLR(step_size 10, gamma 0.5) stepped once
per epoch, MSE loss, 30 epochs of minibatches of 8 in a fresh random order every epoch.
Augmentation replaces the X3 column by a fresh random permutation of itself every epoch.
Evaluation: RMSE on IID and OOD; the learned weights and bias of the linear model; the
mean input gradient over the IID test set (effective weights) of the MLP.

Everything is float32, PyTorch's default (--dtype float64 to check precision effects).
The numbers are not those of the lab engine (another random generator, float64 there);
they should agree statistically.

Prints one JSON document on standard output; progress goes to standard error.

    python bench/torch_reference.py                 # timings and the whole lesson once
    python bench/torch_reference.py --repeat 3      # the whole lesson three times
    python bench/torch_reference.py --workers 2     # runs spread over 2 processes
    python bench/torch_reference.py --quick         # tiny smoke run, seconds
"""

import argparse
import concurrent.futures
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

METHODS = ("baseline", "randomization", "augmentation")
MODELS = ("linear", "mlp")

# The lesson's defaults, the same as `lab run` without --set.
DEFAULTS = {
    "seed": 1,
    "runs": 10,
    "n_train": 5000,
    "n_test": 5000,
    "s_train": 0.2,
    "s_ood": 0.1,
    "noise": 0.1,
    "epochs": 30,
    "batch": 8,
    "lr": 1e-3,
    "step": 10,
    "gamma": 0.5,
    "domains": 10,
    "s_min": -1.0,
    "s_max": 1.0,
    "hidden": [32, 32],
}

QUICK = {"runs": 2, "n_train": 400, "n_test": 400, "epochs": 2}

# Separate random streams per run, so that (as in the lab engine) every method of a run
# sees the same X1, X2 and Y, the same test sets and the same initial weights: only X3
# differs between methods. Stream k of the run seeded `seed` is seeded seed * 16 + k.
STREAM_TRAIN, STREAM_IID, STREAM_OOD, STREAM_DOMAINS, STREAM_INIT, STREAM_SHUFFLE, STREAM_AUGMENT = range(7)


def generator(seed, stream):
    return torch.Generator().manual_seed(seed * 16 + stream)


def world(n, factors, noise, gen):
    """n samples split into contiguous, equally sized blocks, one per spurious factor."""
    x12 = torch.randn(n, 2, generator=gen)
    target_noise = torch.randn(n, generator=gen)
    effect_noise = torch.randn(n, generator=gen)
    y = x12[:, 0] + 2.0 * x12[:, 1] + 3.0 + target_noise
    counts = [n // len(factors) + (d < n % len(factors)) for d in range(len(factors))]
    s = torch.repeat_interleave(torch.tensor(factors), torch.tensor(counts))
    x3 = s * y + noise * effect_noise
    return torch.column_stack([x12, x3]), y.unsqueeze(1)


def training_factors(cfg, method, seed):
    if method == "randomization":
        u = torch.rand(cfg["domains"], generator=generator(seed, STREAM_DOMAINS), dtype=torch.float64)
        return (cfg["s_min"] + (cfg["s_max"] - cfg["s_min"]) * u).tolist()
    return [cfg["s_train"]]


def datasets(cfg, method, seed):
    factors = training_factors(cfg, method, seed)
    train = world(cfg["n_train"], factors, cfg["noise"], generator(seed, STREAM_TRAIN))
    iid = world(cfg["n_test"], [cfg["s_train"]], cfg["noise"], generator(seed, STREAM_IID))
    ood = world(cfg["n_test"], [cfg["s_ood"]], cfg["noise"], generator(seed, STREAM_OOD))
    return factors, train, iid, ood


def make_model(cfg, model, seed):
    # nn.Linear draws its default initialisation (uniform in +-1/sqrt(fan_in) for weights
    # and biases) from the global generator.
    torch.manual_seed(seed * 16 + STREAM_INIT)
    if model == "linear":
        return nn.Linear(3, 1)
    layers, width = [], 3
    for h in cfg["hidden"]:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def adam(params, cfg, variant):
    kwargs = {"lr": cfg["lr"], "betas": (0.9, 0.999), "eps": 1e-8}
    if variant == "fused":
        kwargs["fused"] = True
    elif variant == "foreach":
        kwargs["foreach"] = True
    return torch.optim.Adam(params, **kwargs)


def train(net, x, y, cfg, augment, seed, opts):
    """Trains net in place; returns the mean batch loss of every epoch."""
    opt = adam(net.parameters(), cfg, opts["adam"])
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=cfg["step"], gamma=cfg["gamma"])
    shuffle_gen = generator(seed, STREAM_SHUFFLE)
    augment_gen = generator(seed, STREAM_AUGMENT)
    n, batch = x.shape[0], cfg["batch"]
    losses = []
    if opts["loader"] == "dataloader":
        # The textbook form: a TensorDataset and a shuffling DataLoader. Its tensor is
        # updated in place for augmentation, so the loader sees the new X3 every epoch.
        x_epoch = x.clone()
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(x_epoch, y), batch_size=batch, shuffle=True,
            generator=shuffle_gen)
    for _ in range(cfg["epochs"]):
        if opts["loader"] == "dataloader":
            if augment:
                x_epoch[:, 2] = x[torch.randperm(n, generator=augment_gen), 2]
            batches = loader
        else:
            # One gather per epoch, then contiguous slices: the cheap form of a shuffled
            # minibatch loop on CPU.
            x_epoch = x
            if augment:
                x_epoch = x.clone()
                x_epoch[:, 2] = x[torch.randperm(n, generator=augment_gen), 2]
            order = torch.randperm(n, generator=shuffle_gen)
            xs, ys = x_epoch[order], y[order]
            batches = ((xs[i:i + batch], ys[i:i + batch]) for i in range(0, n, batch))
        losses.append(train_epoch(net, opt, batches))
        sched.step()
    return losses


def train_epoch(net, opt, batches):
    """One Adam step on the mean squared error of each (x, y) minibatch; returns the mean
    batch loss. bench/replay_torch.py trains with this too."""
    total, count = 0.0, 0
    for xb, yb in batches:
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(net(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item()
        count += 1
    return total / count


def rmse(net, data):
    x, y = data
    with torch.no_grad():
        err = (net(x) - y).double()
    return math.sqrt(err.square().mean().item())


def run_one(cfg, method, model, run, opts):
    seed = cfg["seed"] + run
    factors, (x, y), iid, ood = datasets(cfg, method, seed)
    net = make_model(cfg, model, seed)
    losses = train(net, x, y, cfg, method == "augmentation", seed, opts)
    result = {
        "seed": seed,
        "rmse_iid": rmse(net, iid),
        "rmse_ood": rmse(net, ood),
        "final_loss": losses[-1],
        "training_factors": factors,
    }
    if model == "linear":
        result["weights"] = net.weight.detach().double().flatten().tolist()
        result["bias"] = net.bias.item()
    else:
        xi = iid[0].clone().requires_grad_(True)
        net(xi).sum().backward()
        result["weights"] = xi.grad.double().mean(0).tolist()
        result["bias"] = None
    return result


def summary(values):
    n = len(values)
    std = statistics.stdev(values) if n > 1 else 0.0
    return {
        "count": n,
        "mean": statistics.fmean(values),
        "std": std,
        "se": std / math.sqrt(n),
        "values": values,
    }


def summarise(method, model, runs):
    n = len(runs)
    weights = [sum(r["weights"][k] for r in runs) / n for k in range(3)]
    bias = sum(r["bias"] for r in runs) / n if model == "linear" else None
    return {
        "method": method,
        "model": model,
        "runs": runs,
        "rmse_iid": summary([r["rmse_iid"] for r in runs]),
        "rmse_ood": summary([r["rmse_ood"] for r in runs]),
        "weights_mean": weights,
        "bias_mean": bias,
    }


_WORKER = {}


def _worker_init(cfg, opts, threads):
    torch.set_num_threads(threads)
    torch.set_default_dtype(getattr(torch, opts["dtype"]))
    _WORKER.update(cfg=cfg, opts=opts)


def _worker_job(job):
    method, model, run = job
    return job, run_one(_WORKER["cfg"], method, model, run, _WORKER["opts"])


def _worker_ready(_):
    warm_up(_WORKER["cfg"], _WORKER["opts"])
    return os.getpid()


def warm_up(cfg, opts):
    """A tiny untimed run of every method and model, so that one-off costs (lazy
    initialisation of operators and of the optimiser) stay out of the timings."""
    tiny = dict(cfg, n_train=64, n_test=64, epochs=1, runs=1)
    for model in MODELS:
        for method in METHODS:
            run_one(tiny, method, model, 0, opts)


def lesson(cfg, opts, pool, methods=METHODS, models=MODELS):
    """Every run of every method and model; one summary per pair, linear pairs first, in
    the order of `lab run --json`."""
    jobs = [(method, model, run) for model in models for method in methods
            for run in range(cfg["runs"])]
    if pool is None:
        done = {}
        for i, job in enumerate(jobs):
            done[job] = run_one(cfg, *job, opts)
            log(f"  lesson: {i + 1}/{len(jobs)} runs")
    else:
        # The longest runs first, as the lab does, so no worker is left alone at the end.
        order = sorted(jobs, key=lambda j: (j[1] != "mlp", j[2]))
        futures = [pool.submit(_worker_job, job) for job in order]
        done = {}
        for i, future in enumerate(concurrent.futures.as_completed(futures)):
            job, result = future.result()
            done[job] = result
            log(f"  lesson: {i + 1}/{len(jobs)} runs")
    return [summarise(method, model, [done[(method, model, r)] for r in range(cfg["runs"])])
            for model in models for method in methods]


def timed(name, repetitions, work):
    seconds = []
    for i in range(max(1, repetitions)):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
        log(f"  {name}: repetition {i + 1}/{repetitions}: {seconds[-1]:.3f} s")
    return {
        "name": name,
        "repetitions": len(seconds),
        "median": statistics.median(seconds),
        "min": min(seconds),
        "max": max(seconds),
        "seconds": seconds,
    }


def log(message):
    print(f"torch_reference: {message}", file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="torch.set_num_threads (default: all cores, %(default)s here)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes the whole lesson's runs are spread over (default 1: "
                             "in sequence); each worker uses max(1, threads // workers) "
                             "intra-op threads")
    parser.add_argument("--repeat", type=int, default=1,
                        help="repetitions of the whole lesson (default 1)")
    parser.add_argument("--piece-repeat", type=int, default=3,
                        help="repetitions of each piece (one linear run, one MLP run; data "
                             "generation 4x as many); the median is reported (default 3)")
    parser.add_argument("--adam", choices=("default", "fused", "foreach"), default="fused",
                        help="Adam implementation: fused=True (default, the fastest on CPU "
                             "here), foreach=True, or PyTorch's default (a per-parameter "
                             "loop on CPU)")
    parser.add_argument("--loader", choices=("slices", "dataloader"), default="slices",
                        help="minibatches as slices of a tensor gathered once per epoch "
                             "with randperm (default), or a shuffling DataLoader over a "
                             "TensorDataset")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                        help="default dtype (float32, PyTorch's default; float64 to check "
                             "whether precision explains a difference from the lab engine)")
    parser.add_argument("--no-lesson", action="store_true",
                        help="time the pieces only, skip the whole lesson and its statistics")
    parser.add_argument("--no-pieces", action="store_true",
                        help="skip the timed pieces, run the lesson only")
    parser.add_argument("--only", choices=MODELS, default=None,
                        help="run the lesson for this model only (its time is then not the "
                             "whole lesson's)")
    parser.add_argument("--method", choices=METHODS, action="append", default=None,
                        help="run the lesson for this method only; repeatable")
    parser.add_argument("--quick", action="store_true",
                        help="tiny smoke run: " + ", ".join(f"{k}={v}" for k, v in QUICK.items())
                             + ", one repetition of everything")
    for key in ("seed", "runs", "n_train", "n_test", "epochs", "batch"):
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, dest=key, default=None,
                            help=f"override the lesson's {key} (default {DEFAULTS[key]})")
    args = parser.parse_args()

    cfg = dict(DEFAULTS)
    if args.quick:
        cfg.update(QUICK)
        args.piece_repeat = 1
        args.repeat = 1
    for key in ("seed", "runs", "n_train", "n_test", "epochs", "batch"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    opts = {"adam": args.adam, "loader": args.loader, "dtype": args.dtype}
    torch.set_default_dtype(getattr(torch, args.dtype))
    threads = max(1, args.threads)
    torch.set_num_threads(threads)
    workers = max(1, args.workers)
    worker_threads = max(1, threads // workers)

    log(f"torch {torch.__version__}, {threads} intra-op threads, Adam {args.adam}, "
        f"batches from {args.loader}, {args.dtype}")
    warm_up(cfg, opts)
    pieces = [] if args.no_pieces else [
        timed("data generation (train, IID, OOD)", 4 * args.piece_repeat,
              lambda: datasets(cfg, "baseline", cfg["seed"])),
        timed("one linear run (baseline)", args.piece_repeat,
              lambda: run_one(cfg, "baseline", "linear", 0, opts)),
        timed("one MLP run (baseline)", args.piece_repeat,
              lambda: run_one(cfg, "baseline", "mlp", 0, opts)),
    ]
    methods = tuple(m for m in METHODS if m in args.method) if args.method else METHODS
    models = (args.only,) if args.only else MODELS
    complete = methods == METHODS and models == MODELS

    results = None
    if not args.no_lesson:
        pool = None
        if workers > 1:
            # Spawned (not forked) workers: forking a process whose OpenMP threads have
            # started can hang. Started and warmed up before the clock starts.
            pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init, initargs=(cfg, opts, worker_threads))
            list(pool.map(_worker_ready, range(workers)))
        outcome = []

        def whole():
            outcome.append(lesson(cfg, opts, pool, methods, models))

        name = "whole lesson" if complete else f"lesson subset ({', '.join(methods)}; {', '.join(models)})"
        pieces.append(timed(name, args.repeat, whole))
        if pool is not None:
            pool.shutdown()
        results = outcome[0]

    if workers > 1:
        parallelism = (f"pieces in this process with {threads} intra-op thread(s); the "
                       f"lesson's {len(methods) * len(models) * cfg['runs']} runs spread over {workers} worker "
                       f"processes with {worker_threads} intra-op thread(s) each (pool "
                       "started before timing)")
    else:
        parallelism = (f"every run in sequence in one process; torch.set_num_threads("
                       f"{threads}) for intra-op parallelism (tensors this small hardly use it)")
    report = {
        "engine": "pytorch",
        "versions": {"torch": torch.__version__, "numpy": np.__version__,
                     "python": platform.python_version()},
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()},
        "dtype": args.dtype,
        "threads": threads,
        "workers": workers,
        "parallelism": parallelism,
        "adam": args.adam,
        "loader": args.loader,
        "config": cfg,
        "quick": args.quick,
        "timings": pieces,
        "results": results,
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Replays one run of the lab engine in PyTorch from exactly the same start: the same
training and test data, the same initial weights and the same batch order, dumped by
bench/replay (a small Rust tool on the lab crate). With float64 the two should follow the
same trajectory up to rounding, which checks that the engine's forward and backward
passes, Adam and StepLR are PyTorch's. With float32 it shows how far float32 alone moves
a run.

    cargo build --release --offline --manifest-path bench/replay/Cargo.toml
    bench/replay/target/release/lab-replay mlp 1 > /tmp/run.json
    bench/.venv/bin/python bench/replay_torch.py /tmp/run.json [--dtype float32] [--adam default]

Prints one JSON document: per epoch, our loss and torch's, and at the end the largest
parameter difference and both engines' RMSE.
"""

import argparse
import json
import math
import sys

import torch
from torch import nn

# The reference's own training step and optimiser, so the replay trains as it does.
from torch_reference import adam, train_epoch


def build(sizes, flat, dtype):
    """nn.Linear layers loaded from the engine's flat layout: per layer the weight matrix
    stored one row per input (w[i][o] at i·outputs + o), then the biases."""
    layers, offset = [], 0
    for l, (inputs, outputs) in enumerate(zip(sizes, sizes[1:])):
        lin = nn.Linear(inputs, outputs, dtype=dtype)
        w = torch.tensor(flat[offset:offset + inputs * outputs], dtype=dtype).reshape(inputs, outputs)
        offset += inputs * outputs
        b = torch.tensor(flat[offset:offset + outputs], dtype=dtype)
        offset += outputs
        with torch.no_grad():
            lin.weight.copy_(w.T)
            lin.bias.copy_(b)
        layers.append(lin)
        if l + 2 < len(sizes):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def flatten(net):
    out = []
    for m in net:
        if isinstance(m, nn.Linear):
            out += m.weight.detach().double().T.flatten().tolist()
            out += m.bias.detach().double().tolist()
    return out


def rmse(net, data, dtype):
    x = torch.tensor(data["x"], dtype=dtype).reshape(-1, 3)
    y = torch.tensor(data["y"], dtype=dtype).unsqueeze(1)
    with torch.no_grad():
        return math.sqrt((net(x) - y).double().square().mean().item())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="JSON written by lab-replay")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    p.add_argument("--adam", choices=("fused", "default"), default="fused")
    args = p.parse_args()
    dtype = getattr(torch, args.dtype)
    torch.set_num_threads(1)
    run = json.load(open(args.run, encoding="utf-8"))

    net = build(run["sizes"], run["init"], dtype)
    x = torch.tensor(run["train"]["x"], dtype=dtype).reshape(-1, 3)
    y = torch.tensor(run["train"]["y"], dtype=dtype).unsqueeze(1)
    opt = adam(net.parameters(), {"lr": run["lr"]}, args.adam)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=run["step"], gamma=run["gamma"])
    batch = run["batch"]
    losses = []
    for order in run["orders"]:
        idx = torch.tensor(order)
        xs, ys = x[idx], y[idx]
        batches = ((xs[i:i + batch], ys[i:i + batch]) for i in range(0, len(order), batch))
        losses.append(train_epoch(net, opt, batches))
        sched.step()

    final = flatten(net)
    diffs = [abs(a - b) for a, b in zip(final, run["final"])]
    report = {
        "model": run["model"],
        "seed": run["seed"],
        "dtype": args.dtype,
        "adam": args.adam,
        "torch": torch.__version__,
        "epochs": [{"epoch": e, "ours": a, "torch": b, "relative_difference": abs(a - b) / abs(a)}
                   for e, (a, b) in enumerate(zip(run["losses"], losses))],
        "max_parameter_difference": max(diffs),
        "max_parameter_magnitude": max(abs(v) for v in run["final"]),
        "initial_parameters_equal": flatten(build(run["sizes"], run["init"], torch.float64)) == run["init"],
        "rmse_iid": {"ours": run["rmse_iid"], "torch": rmse(net, run["iid"], dtype)},
        "rmse_ood": {"ours": run["rmse_ood"], "torch": rmse(net, run["ood"], dtype)},
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

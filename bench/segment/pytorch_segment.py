#!/usr/bin/env python3
"""PyTorch inference of a trained Shoreline IIC run over a scene's window plan.

It rebuilds the run's network in PyTorch with the same layers and loads the
run's final checkpoint strictly, so a differing architecture fails. Then it
forwards one input per window of the plan `shoreline segment` uses: cores of
CORE px tiling the scene (the last ones smaller), each with a margin of half
the receptive field on every side. Inputs are random normal values:
the time of a forward pass does not depend on them. Each window is forwarded
alone, in evaluation mode without gradients, in channels_last, as Shoreline
forwards it. Only the forward passes are timed: reading the scene and
writing masks are not, so the comparison is conservative for Shoreline,
whose time counts its whole `segment` command.

Usage: pytorch_segment.py --run RUN --width W --height H [--threads T]
Prints one JSON object: seconds, cpu_seconds (all threads), windows, megapixels.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

# The side of the input square one output pixel depends on, as IICNetwork
# declares it: five 3x3 convolutions (two of them dilated by 2 after the
# pool), the pool and the bilinear upsampling.
RECEPTIVE_FIELD = 28


class IICNetwork(torch.nn.Module):
    """The trunk W-2W-pool-4W-4W(dilated 2)-4W(dilated 2) and 1x1 heads;
    with kernel_size 1 every trunk convolution is 1x1 and undilated."""

    def __init__(self, bands, width, cluster_counts, kernel_size=3, pool=True):
        super().__init__()
        layers, channels = [], bands
        for index, (out_channels, dilation) in enumerate(
                [(width, 1), (2 * width, 1), (4 * width, 1), (4 * width, 2), (4 * width, 2)]):
            if kernel_size == 1:
                dilation = 1
            padding = dilation if kernel_size == 3 else 0
            layers += [torch.nn.Conv2d(channels, out_channels, kernel_size, padding=padding, dilation=dilation,
                                       bias=False),
                       torch.nn.BatchNorm2d(out_channels), torch.nn.ReLU()]
            if index == 1 and (pool or kernel_size == 3):
                layers.append(torch.nn.MaxPool2d(2))
            channels = out_channels
        self.trunk = torch.nn.Sequential(*layers)
        self.heads = torch.nn.ModuleList(torch.nn.Conv2d(channels, count, 1) for count in cluster_counts)

    def forward(self, x):
        size = x.shape[2:]
        features = self.trunk(x)
        return [F.interpolate(torch.softmax(head(features), 1), size=size, mode="bilinear", align_corners=False)
                for head in self.heads]


def window_sides(scene_side, core):
    """Returns the input side of each window along one axis."""
    half = (RECEPTIVE_FIELD + 1) // 2
    margin = half + half % 2
    count = math.ceil(scene_side / core)
    sides = [min(core, scene_side - index * core) + 2 * margin for index in range(count)]
    # Shoreline pads odd inputs to even sides before the network.
    return [side + side % 2 for side in sides]


def load_network(run):
    with open(os.path.join(run, "config.json")) as file:
        config = json.load(file)
    iic = config["iic"]
    counts = [iic["clusters"]] + ([iic["overclusters"]] if iic.get("overclusters", 0) > 0 else [])
    # Runs written before these settings existed have 3x3 trunks, a pool and
    # one sub-head per head.
    network = IICNetwork(len(config["bands"]), iic["width"], counts, iic.get("kernel_size", 3), iic.get("pool", True))
    state = load_file(os.path.join(run, "checkpoints", "final.safetensors"))
    # Inference uses each head's first sub-head, stored as heads.(k * sub_heads),
    # which training made the kept one; the other sub-heads are not loaded.
    sub_heads = iic.get("sub_heads", 1)
    weights = {}
    for name, value in state.items():
        if name.startswith("optimizer."):
            continue
        if name.startswith("heads."):
            _, index, field = name.split(".")
            if int(index) % sub_heads:
                continue
            name = f"heads.{int(index) // sub_heads}.{field}"
        weights[name] = value.long() if name.endswith("num_batches_tracked") else value
    network.load_state_dict(weights, strict=True)
    return network.eval().to(memory_format=torch.channels_last), len(config["bands"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", required=True)
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--height", type=int, required=True)
    parser.add_argument("--core", type=int, default=512)
    parser.add_argument("--threads", type=int, default=1)
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    torch.manual_seed(0)

    network, bands = load_network(options.run)
    rows = window_sides(options.height, options.core)
    columns = window_sides(options.width, options.core)
    inputs = {(height, width): torch.randn(1, bands, height, width).to(memory_format=torch.channels_last)
              for height in set(rows) for width in set(columns)}
    with torch.no_grad():
        for batch in inputs.values():   # warm-up: one pass per window shape
            network(batch)
        start, start_cpu = time.perf_counter(), time.process_time()
        for height in rows:
            for width in columns:
                network(inputs[height, width])
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "windows": len(rows) * len(columns),
                      "megapixels": options.width * options.height / 1e6}))


if __name__ == "__main__":
    main()

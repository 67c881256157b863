"""PyTorch side of the engine benchmark: the same network, views, loss and
optimiser as bench/engine/main.swift, in channels_last (PyTorch's faster CPU
memory format), printing one JSON object with the median times.

    python3 bench/engine/pytorch_step.py --threads 2 --steps 10
"""

import argparse
import json
import resource
import time

import torch
import torch.nn.functional as F


class IICNetwork(torch.nn.Module):
    def __init__(self, bands):
        super().__init__()
        layers, channels = [], bands
        for index, width in enumerate([64, 64, 128, 128, 256, 256]):
            layers += [torch.nn.Conv2d(channels, width, 3, padding=1), torch.nn.BatchNorm2d(width), torch.nn.ReLU()]
            if index in (1, 3):
                layers.append(torch.nn.MaxPool2d(2))
            channels = width
        self.trunk = torch.nn.Sequential(*layers)
        self.main_head = torch.nn.Conv2d(256, 3, 1)
        self.overclustering_head = torch.nn.Conv2d(256, 15, 1)

    def forward(self, x):
        features = self.trunk(x)
        size = x.shape[2:]
        main = torch.softmax(F.interpolate(self.main_head(features), size=size, mode="bilinear", align_corners=False), 1)
        over = torch.softmax(
            F.interpolate(self.overclustering_head(features), size=size, mode="bilinear", align_corners=False), 1)
        return main, over


def iic_loss(first, second, radius, weight, epsilon=torch.finfo(torch.float32).eps):
    """IIC loss with the joint summed over displacements: Φ · boxsum(Ψ)ᵀ."""
    length = 2 * radius + 1
    box = F.avg_pool2d(second, (1, length), stride=1, padding=(0, radius), count_include_pad=True)
    box = F.avg_pool2d(box, (length, 1), stride=1, padding=(radius, 0), count_include_pad=True) * (length * length)
    k = first.shape[1]
    counts = first.transpose(0, 1).reshape(k, -1) @ box.transpose(0, 1).reshape(k, -1).t()
    joint = counts / counts.sum()
    joint = (joint + joint.t()) / 2
    rows = joint.sum(1, keepdim=True).clamp(min=epsilon)
    columns = joint.sum(0, keepdim=True).clamp(min=epsilon)
    joint = joint.clamp(min=epsilon)
    return -(joint * (joint.log() - weight * rows.log() - weight * columns.log())).sum()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--radius", type=int, default=10)
    parser.add_argument("--crops", type=int, default=4)
    parser.add_argument("--size", type=int, default=128)
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    torch.manual_seed(1)

    network = IICNetwork(13).to(memory_format=torch.channels_last)
    adam = torch.optim.Adam(network.parameters(), lr=1e-4)
    crops = torch.randn(options.crops, 13, options.size, options.size).to(memory_format=torch.channels_last)
    flipped = torch.flip(crops, [3]).contiguous(memory_format=torch.channels_last)
    batch = torch.randn(2 * options.crops, 13, options.size, options.size).to(memory_format=torch.channels_last)

    def training_step():
        adam.zero_grad()
        first = network(crops)
        second = network(flipped)
        loss = iic_loss(first[0], torch.flip(second[0], [3]), options.radius, 1.5) + iic_loss(
            first[1], torch.flip(second[1], [3]), options.radius, 1.0)
        loss.backward()
        adam.step()
        return loss.item()

    def inference():
        with torch.no_grad():
            network(batch)

    def timed(function):
        start = time.perf_counter()
        function()
        return time.perf_counter() - start

    network.train()
    for _ in range(options.warmup):
        training_step()
    train = sorted(timed(training_step) for _ in range(options.steps))
    network.eval()
    for _ in range(options.warmup):
        inference()
    infer = sorted(timed(inference) for _ in range(options.steps))

    # One profiled training step for the per-op table.
    network.train()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
        training_step()
    rows = sorted(profile.key_averages(), key=lambda row: row.self_cpu_time_total, reverse=True)[:20]
    ops = [{"op": row.key, "ms": f"{row.self_cpu_time_total / 1000:.1f}", "calls": str(row.count)} for row in rows]

    print(json.dumps({
        "engine": "pytorch " + torch.__version__,
        "threads": options.threads,
        "train_step_ms": train[len(train) // 2] * 1000,
        "infer_ms": infer[len(infer) // 2] * 1000,
        "train_step_min_ms": train[0] * 1000,
        "infer_min_ms": infer[0] * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ops": ops,
    }, sort_keys=True))


if __name__ == "__main__":
    main()

"""Writes PyTorch reference values for the TensorEngine tests.

Each case becomes Tests/TensorEngineTests/Fixtures/engine/<case>.json:

    {"generator": "scripts/reference/engine_fixtures.py",
     "tensors": {"<name>": {"shape": [...], "values": [...]}, ...}}

holding the inputs, the output, the loss weights and the gradient of
loss = sum(weights * output) with respect to every input. Run once with the
pinned torch (2.13.0+cpu) from the repository root:

    python3 scripts/reference/engine_fixtures.py
"""

import json
import pathlib

import torch
import torch.nn.functional as F

OUTPUT = pathlib.Path("Tests/TensorEngineTests/Fixtures/engine")


def tensor_entry(tensor):
    return {"shape": list(tensor.shape), "values": [round(v, 8) for v in tensor.detach().reshape(-1).tolist()]}


def write_case(name, inputs, operation):
    """Runs operation(*inputs), weights its output and stores values and gradients."""
    leaves = {key: value.clone().requires_grad_(True) for key, value in inputs.items()}
    output = operation(**leaves)
    weights = torch.empty_like(output).uniform_(-1, 1)
    (output * weights).sum().backward()
    tensors = {key: tensor_entry(value) for key, value in inputs.items()}
    tensors["output"] = tensor_entry(output)
    tensors["weights"] = tensor_entry(weights)
    for key, value in leaves.items():
        tensors[f"gradient.{key}"] = tensor_entry(value.grad)
    (OUTPUT / f"{name}.json").write_text(json.dumps({"generator": "scripts/reference/engine_fixtures.py", "tensors": tensors}))


def uniform(*shape, low=-1.0, high=1.0):
    return torch.empty(*shape).uniform_(low, high)


class SmallNetwork(torch.nn.Module):
    """A miniature of the IIC network: trunk, a 1x1 head, upsampling, softmax."""

    def __init__(self):
        super().__init__()
        self.trunk = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
        )
        self.head = torch.nn.Conv2d(8, 4, 1)

    def forward(self, x):
        logits = self.head(self.trunk(x))
        up = F.interpolate(logits, size=x.shape[2:], mode="bilinear", align_corners=False)
        return torch.softmax(up, dim=1)


def main():
    torch.manual_seed(2026)
    OUTPUT.mkdir(parents=True, exist_ok=True)

    write_case("convolution", {"x": uniform(2, 3, 6, 5), "weight": uniform(4, 3, 3, 3), "bias": uniform(4)},
               lambda x, weight, bias: F.conv2d(x, weight, bias, padding=1))
    write_case("dilated_convolution", {"x": uniform(1, 4, 9, 8), "weight": uniform(5, 4, 3, 3)},
               lambda x, weight: F.conv2d(x, weight, padding=2, dilation=2))
    write_case("batch_normalization", {"x": uniform(4, 3, 3, 2) * 3 + 1, "weight": uniform(3), "bias": uniform(3)},
               lambda x, weight, bias: F.batch_norm(x, torch.zeros(3), torch.ones(3), weight, bias, training=True))
    write_case("max_pooling", {"x": uniform(2, 3, 6, 4)}, lambda x: F.max_pool2d(x, 2))
    write_case("bilinear_upsampling", {"x": uniform(2, 3, 4, 5)},
               lambda x: F.interpolate(x, size=(16, 20), mode="bilinear", align_corners=False))
    write_case("bilinear_resampling", {"x": uniform(1, 2, 5, 7)},
               lambda x: F.interpolate(x, size=(8, 3), mode="bilinear", align_corners=False))
    write_case("softmax", {"x": uniform(2, 5, 3, 3) * 4}, lambda x: torch.softmax(x, dim=1))
    write_case("log_of_clamp", {"x": uniform(3, 4, low=-0.2, high=1.0)},
               lambda x: torch.log(torch.clamp(x, min=1e-3, max=0.9)))
    write_case("matmul", {"a": uniform(6, 3), "b": uniform(6, 4)}, lambda a, b: a.t() @ b)
    write_case("concatenation", {"a": uniform(2, 2, 3, 3), "b": uniform(2, 3, 3, 3)}, lambda a, b: torch.cat([a, b], 1))
    write_case("flip_and_rotation", {"x": uniform(2, 2, 3, 4)},
               lambda x: torch.rot90(torch.flip(x, [3]), 1, [2, 3]))

    # The small network: parameters as inputs so their gradients come out too.
    network = SmallNetwork()
    state = {name: value.detach().clone() for name, value in network.state_dict().items()}
    x = uniform(2, 3, 8, 8)

    leaves = {"x": x.clone().requires_grad_(True)}
    output = network(leaves["x"])
    weights = torch.empty_like(output).uniform_(-1, 1)
    (output * weights).sum().backward()
    tensors = {f"state.{name}": tensor_entry(value) for name, value in state.items()}
    tensors["x"] = tensor_entry(x)
    tensors["output"] = tensor_entry(output)
    tensors["weights"] = tensor_entry(weights)
    tensors["gradient.x"] = tensor_entry(leaves["x"].grad)
    for name, value in network.named_parameters():
        tensors[f"gradient.{name}"] = tensor_entry(value.grad)
    for name, value in network.state_dict().items():
        if "running" in name:
            tensors[f"updated.{name}"] = tensor_entry(value)
    (OUTPUT / "small_network.json").write_text(
        json.dumps({"generator": "scripts/reference/engine_fixtures.py", "tensors": tensors}))


if __name__ == "__main__":
    main()

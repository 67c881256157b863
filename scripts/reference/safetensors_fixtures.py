#!/usr/bin/env python3
"""Write the safetensors fixtures of the TensorEngine tests, or check that
PyTorch opens a file written by Shoreline.

    python3 scripts/reference/safetensors_fixtures.py generate
    python3 scripts/reference/safetensors_fixtures.py verify \
        Tests/TensorEngineTests/Fixtures/safetensors/swift_state_dict.safetensors

`generate` writes, with `safetensors.torch.save_file`, into
Tests/TensorEngineTests/Fixtures/safetensors/:

- pytorch_state_dict.safetensors: the `state_dict` of `FixtureModel` (F32
  parameters and buffers, and the I64 scalar `num_batches_tracked`).
- pytorch_dtypes.safetensors: one tensor each of F64, F16, BF16 and I32,
  with the metadata {"source": "pytorch"}.

Every value is a formula of the tensor's position in name order and the
element's row-major index, so the Swift tests recompute them:

    value(tensor_index, element_index) = tensor_index + 0.125 * element_index - 1

`num_batches_tracked` is 7, and `extra.int32` is 3 * element_index - 5. All
these values are exact in every dtype used.

`verify` loads a file with `safetensors.torch.load_file`, checks each value
against the formula, checks the CRC-32 that Shoreline records in the metadata
against zlib's, and loads the tensors into `FixtureModel` with
`load_state_dict(strict=True)`. The Swift tests never run Python; this check
is run by hand after the writer changes.

Needs torch and safetensors (tested with torch 2.13.0+cpu, safetensors 0.8.0).
"""

import argparse
import json
import struct
import sys
import zlib
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

FIXTURES = Path(__file__).resolve().parents[2] / "Tests/TensorEngineTests/Fixtures/safetensors"
NUM_BATCHES_TRACKED = 7


class FixtureModel(nn.Module):
    """A tiny network with PyTorch's usual state_dict names: a trunk of
    convolution, batch norm and ReLU, then a 1x1 convolution head."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
        self.head = nn.Conv2d(4, 2, 1)


def formula_values(tensor_index, shape, dtype):
    """Return the fixture values of the tensor at `tensor_index` in name order."""
    count = 1
    for dimension in shape:
        count *= dimension
    values = tensor_index + 0.125 * torch.arange(count, dtype=torch.float64) - 1
    return values.reshape(shape).to(dtype)


def fixture_state_dict():
    """Return FixtureModel's state_dict with every value set by the formula."""
    state = FixtureModel().state_dict()
    for tensor_index, name in enumerate(sorted(state)):
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(NUM_BATCHES_TRACKED, dtype=torch.int64)
        else:
            state[name] = formula_values(tensor_index, state[name].shape, torch.float32)
    return state


def generate():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    save_file(fixture_state_dict(), FIXTURES / "pytorch_state_dict.safetensors")

    # Floating-point dtypes follow the formula; the integer tensor is
    # 3 * element_index - 5, since the formula's fractions do not fit it.
    dtypes = {
        "extra.bfloat16": ([3], torch.bfloat16),
        "extra.float16": ([2, 2], torch.float16),
        "extra.float64": ([2, 3], torch.float64),
    }
    tensors = {}
    for tensor_index, name in enumerate(sorted(dtypes)):
        shape, dtype = dtypes[name]
        tensors[name] = formula_values(tensor_index, shape, dtype)
    tensors["extra.int32"] = (torch.arange(4, dtype=torch.int64) * 3 - 5).to(torch.int32)
    save_file(tensors, FIXTURES / "pytorch_dtypes.safetensors", metadata={"source": "pytorch"})
    for path in sorted(FIXTURES.glob("pytorch_*.safetensors")):
        print(f"wrote {path} ({path.stat().st_size} bytes)")


def verify(path):
    tensors = load_file(path)
    expected = fixture_state_dict()
    if sorted(tensors) != sorted(expected):
        sys.exit(f"error: names differ: file has {sorted(tensors)}, expected {sorted(expected)}")
    for name, tensor in tensors.items():
        if tensor.dtype != torch.float32:
            sys.exit(f"error: tensor '{name}' has dtype {tensor.dtype}, expected torch.float32")
        difference = (tensor.double() - expected[name].double()).abs().max().item()
        print(f"{name}: shape {list(tensor.shape)}, largest difference {difference}")
        if difference != 0:
            sys.exit(f"error: tensor '{name}' differs from the formula by {difference}")

    raw = Path(path).read_bytes()
    (header_length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_length])
    recorded = header["__metadata__"]["crc32"]
    computed = f"{zlib.crc32(raw[8 + header_length :]):08x}"
    print(f"crc32: recorded {recorded}, zlib {computed}")
    if recorded != computed:
        sys.exit("error: the recorded CRC-32 differs from zlib's")

    model = FixtureModel()
    model.load_state_dict(tensors, strict=True)
    print(f"ok: {path} opens with safetensors.torch.load_file and loads into FixtureModel")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("generate", help="write the PyTorch-made fixtures")
    verify_parser = commands.add_parser("verify", help="check a Shoreline-written file in PyTorch")
    verify_parser.add_argument("path")
    arguments = parser.parse_args()
    if arguments.command == "generate":
        generate()
    else:
        verify(arguments.path)


if __name__ == "__main__":
    main()

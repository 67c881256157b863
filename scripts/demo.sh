#!/usr/bin/env bash
# The main job on the real scenes in DATA, writing into OUT.
# Usage: scripts/demo.sh DATA OUT
set -euo pipefail
data=${1:?usage: scripts/demo.sh DATA OUT}
out=${2:?usage: scripts/demo.sh DATA OUT}
shoreline=.build/release/shoreline

if [ ! -d "$data" ]; then
    echo "error: data folder '$data' not found; pass DATA=/path/to/data" >&2
    exit 1
fi
mkdir -p "$out"
"$shoreline" --version

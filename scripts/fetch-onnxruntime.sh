#!/usr/bin/env bash
# Fetches native ONNX Runtime from PyPI's wheel (no Python needed at run time) into .ort/ and prints
# the library path to use with `posguard --ort-lib PATH` or `ORT_DYLIB_PATH=PATH`.
# posguard works without it (pure-Rust tract engine); native ONNX Runtime is faster on big batches.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${ORT_VERSION:-1.32.0}"
target=".ort"
lib="$target/onnxruntime/capi/libonnxruntime.so.$version"
if [ ! -f "$lib" ]; then
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux_2_28_x86_64 --target "$target" "onnxruntime==$version" >&2
fi
[ -f "$lib" ] || { echo "fetch-onnxruntime: $lib not found after install" >&2; exit 1; }
echo "$PWD/$lib"

#!/bin/bash
# Packs what bench/webgpu-device.sh needs on a GPU machine that has no Node.js: the node binary,
# esbuild bundles of the WebGPU check, the residency probe and the benchmark runner, and
# onnxruntime-node with only its linux-x64 binaries (libonnxruntime xz-compressed: 45 → 13 MB),
# into .devcarry/ (git-ignored). The Vulkan loader's .deb files go in .gl/ (see the device notes).
# Usage: bash bench/webgpu-pack.sh [--bundles-only]   (from the repository root, after npm ci)
set -euo pipefail
D=.devcarry
if [ "${1:-}" != --bundles-only ]; then rm -rf "$D"; fi
mkdir -p "$D/node_modules"
for entry in scripts/webgpu-check.ts bench/webgpu-resident.ts bench/run.ts bench/profile.ts; do
  npx esbuild "$entry" --bundle --platform=node --format=esm --target=node20 --external:onnxruntime-node \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --log-level=warning --outfile="$D/$(basename "$entry" .ts).mjs"
done
cp bench/torch_bench.py "$D/"   # bench/run.ts finds it beside itself
if [ "${1:-}" = --bundles-only ]; then exit 0; fi
cp -r node_modules/onnxruntime-common "$D/node_modules/"
mkdir -p "$D/node_modules/onnxruntime-node/bin/napi-v6/linux"
cp -r node_modules/onnxruntime-node/{package.json,dist,lib} "$D/node_modules/onnxruntime-node/"
cp -r node_modules/onnxruntime-node/bin/napi-v6/linux/x64 "$D/node_modules/onnxruntime-node/bin/napi-v6/linux/"
xz -T2 -9 "$D/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"
xz -T2 -9 -c "$(command -v node)" >"$D/node.xz"
du -sh "$D" .gl 2>/dev/null || true

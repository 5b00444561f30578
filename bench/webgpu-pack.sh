#!/bin/bash
# Packs what bench/webgpu-device.sh needs on a GPU machine that has no Node.js: the node binary,
# esbuild bundles of the WebGPU check, the residency probe and the benchmark runner, and
# onnxruntime-node with only its linux-x64 binaries (libonnxruntime xz-compressed: 45 → 13 MB) and
# @resvg/resvg-js (the plots' renderer, a native module),
# into .devcarry/ (git-ignored). The Vulkan loader's .deb files go in .gl/ (see the device notes).
# With BASE=<commit>, the benchmark runner is also bundled from that commit as run-base.mjs (for
# webgpu-device.sh's bench-base part: a change against its parent on the same GPU, in one call).
# Usage: [BASE=<commit>] bash bench/webgpu-pack.sh [--bundles-only]   (from the repository root, after npm ci)
set -euo pipefail
D=.devcarry
if [ "${1:-}" != --bundles-only ]; then rm -rf "$D"; fi
mkdir -p "$D/node_modules"
bundle() { # entry outfile (from the current directory)
  npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 --external:onnxruntime-node --external:@resvg/resvg-js \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --log-level=warning --outfile="$2"
}
for entry in scripts/webgpu-check.ts bench/webgpu-resident.ts bench/run.ts bench/profile.ts bench/webgpu-ab.ts; do
  bundle "$entry" "$D/$(basename "$entry" .ts).mjs"
done
# The command line reads its version from ../../package.json beside its module: one folder down,
# that is the repository's package.json.
mkdir -p "$D/cli"
bundle bench/webgpu-e2e.ts "$D/cli/webgpu-e2e.mjs"
rm -f "$D/run-base.mjs"
if [ -n "${BASE:-}" ]; then
  wt=$(mktemp -d)
  git worktree add -q --detach "$wt" "$BASE"
  ln -s "$PWD/node_modules" "$wt/node_modules"
  (cd "$wt" && bundle bench/run.ts "$OLDPWD/$D/run-base.mjs")
  git worktree remove --force "$wt"
fi
cp bench/torch_bench.py "$D/"   # bench/run.ts finds it beside itself
if [ "${1:-}" = --bundles-only ]; then exit 0; fi
cp -r node_modules/onnxruntime-common "$D/node_modules/"
mkdir -p "$D/node_modules/@resvg"   # the plots' SVG → PNG renderer (a native module: not bundled)
cp -r node_modules/@resvg/resvg-js node_modules/@resvg/resvg-js-linux-x64-gnu "$D/node_modules/@resvg/"
xz -T2 -9 "$D"/node_modules/@resvg/resvg-js-linux-x64-gnu/*.node
mkdir -p "$D/node_modules/onnxruntime-node/bin/napi-v6/linux"
cp -r node_modules/onnxruntime-node/{package.json,dist,lib} "$D/node_modules/onnxruntime-node/"
cp -r node_modules/onnxruntime-node/bin/napi-v6/linux/x64 "$D/node_modules/onnxruntime-node/bin/napi-v6/linux/"
xz -T2 -9 "$D/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"
xz -T2 -9 -c "$(command -v node)" >"$D/node.xz"
du -sh "$D" .gl 2>/dev/null || true

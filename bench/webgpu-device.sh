#!/bin/bash
# Runs on the GPU machine, from the repository root, after bench/webgpu-pack.sh here and with
# .gl and .devcarry carried. PARTS (default "resident check bench") picks what runs:
#   resident  the device-residency probe (bench/webgpu-resident.ts)
#   check     scripts/webgpu-check.ts: every critic-step output on WebGPU against the CPU, and step times
#             (CHECK_ARGS: more arguments for it, e.g. --no-pack; a part may be named twice)
#   bench     the benchmark: our steps on the WebGPU provider (BENCH_OURS: its settings, default
#             webgpu,webgpu-host: state kept on the GPU, and copied to and from the host), PyTorch on CUDA, interleaved
#   bench-base  the same benchmark (ours only, BENCH_OURS) with the runner bundled from BASE by
#             webgpu-pack.sh: a change against its parent on the same GPU
#   ab        bench/webgpu-ab.ts: critic steps compiled with each weight-gradient Conv bound in AB_ROWS
#             (default 0,4096), interleaved
#   e2e       bench/webgpu-e2e.ts: the command line on WebGPU (toy train, resume, eval; CIFAR-10 DCGAN
#             train, resume, sample, export on a small CIFAR-10 folder it writes)
#   profile   bench/profile.ts on WebGPU: kernel time per op and per execution provider
# Logs go to $OUT (or ./webgpu-out).
set -u
CHECK_ARGS=${CHECK_ARGS:-}
OUT=${OUT:-webgpu-out}; mkdir -p "$OUT"
D=$PWD/.devcarry
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json XDG_RUNTIME_DIR=/tmp
xz -dc "$D/node.xz" >/tmp/node && chmod +x /tmp/node
lib="$D"/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1
[ -f "$lib" ] || xz -dk "$lib.xz"
for z in "$D"/node_modules/@resvg/*/*.node.xz; do [ -f "${z%.xz}" ] || xz -dk "$z"; done
nvidia-smi -L; /tmp/node --version; python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name())'
quiet() { grep -v 'VerifyEachNodeIsAssignedToAnEp'; }  # onnxruntime's note that shape ops stay on the CPU
for part in ${PARTS:-resident check bench}; do
  echo "== $part"
  case $part in
    resident) timeout 90 /tmp/node "$D/webgpu-resident.mjs" 2>&1 | tee "$OUT/resident.log" ;;
    check) timeout "${CHECK_S:-200}" /tmp/node "$D/webgpu-check.mjs" --workloads "${CHECK_W:-toy,mnist,cifar10-dcgan,cifar10-resnet}" \
      --steps 5 --warmup 2 $CHECK_ARGS 2>&1 | quiet | tee -a "$OUT/check.log" ;;
    bench) BENCH_PYTHON=python3 timeout "${BENCH_S:-240}" /tmp/node "$D/run.mjs" ${BENCH_W:-toy mnist cifar10-dcgan cifar10-resnet} \
      --ours "${BENCH_OURS:-webgpu,webgpu-host}" --torch-device cuda --torch-threads 1 --no-ceiling --rounds 2 --steps 3 --warmup 1 2>&1 | quiet | tee "$OUT/bench.log" ;;
    ab) timeout "${AB_S:-150}" /tmp/node "$D/webgpu-ab.mjs" ${AB_W:-} --rows "${AB_ROWS:-0,4096}" --rounds "${AB_ROUNDS:-6}" 2>&1 | quiet | tee "$OUT/ab.log" ;;
    e2e) timeout "${E2E_S:-240}" /tmp/node "$D/cli/webgpu-e2e.mjs" --device webgpu --out /tmp/e2e 2>&1 | quiet | tee "$OUT/e2e.log" ;;
    bench-base) timeout "${BENCH_S:-240}" /tmp/node "$D/run-base.mjs" ${BENCH_W:-toy mnist cifar10-dcgan cifar10-resnet} \
      --ours "${BENCH_OURS:-webgpu,webgpu-host}" --no-torch --no-ceiling --rounds 2 --steps 3 --warmup 1 2>&1 | quiet | tee "$OUT/bench-base.log" ;;
    profile)
      # PROFILE: ";"-separated argument lists for bench/profile.ts (each gets --device webgpu)
      IFS=';' read -ra runs <<<"${PROFILE:-toy-critic;mnist-critic;cifar10-resnet-critic}"
      for args in "${runs[@]}"; do
        echo "-- profile $args"
        timeout "${PROFILE_S:-60}" /tmp/node "$D/profile.mjs" $args --device webgpu --steps 3 --top 8 2>&1 | quiet
      done | tee "$OUT/profile.log" ;;
    *) echo "unknown part '$part'" ;;
  esac
done

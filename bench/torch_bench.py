#!/usr/bin/python3
"""The PyTorch side of the benchmarks in bench/run.ts: the same workloads, written the way a careful
PyTorch user would (functional autograd, create_graph=True for the penalty, torch.optim.Adam).

Two ways to run it:
  /usr/bin/python3 bench/torch_bench.py toy-critic --threads 2 --steps 20
      standalone: prints one JSON line with the per-step times.
  /usr/bin/python3 bench/torch_bench.py --serve
      the mode bench/run.ts uses, so that PyTorch and our engine run INTERLEAVED in one run: reads
      one JSON command per line on stdin and answers one JSON line on stdout:
        {"cmd": "setup", "workload": "toy-critic", "seed": 0}     -> {"ok": true, "torch": "1.13.0"}
        {"cmd": "run", "threads": 2, "steps": 5}                  -> {"times_ms": [...]}
        {"cmd": "rss"}                                            -> {"peak_rss_mb": ...}

Threads: torch.set_num_threads, and OpenBLAS's own pool where Debian's torch links OpenBLAS (its
pthread build ignores torch's setting otherwise).

Requires Debian's PyTorch: apt-get install python3-torch libopenblas0-pthread
"""
import argparse
import ctypes
import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F

_openblas = None
for _path in ("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", "libopenblas.so.0"):
    try:
        _openblas = ctypes.CDLL(_path)
        _openblas.openblas_set_num_threads  # noqa: B018 (probe the symbol)
        break
    except (OSError, AttributeError):
        _openblas = None


def set_threads(n):
    torch.set_num_threads(n)
    if _openblas is not None:
        _openblas.openblas_set_num_threads(n)


# ---- gan_toy.py networks: ReLU MLPs, he init for hidden layers, glorot for the last ------------

def uniform_std(shape, sigma):
    a = sigma * math.sqrt(3.0)
    return ((torch.rand(shape) * 2 - 1) * a).requires_grad_(True)


class Mlp:
    def __init__(self, n_in, n_out, hidden=512, layers=3):
        dims = [n_in] + [hidden] * layers + [n_out]
        self.params = []
        for i in range(len(dims) - 1):
            sigma = math.sqrt(2.0 / dims[i]) if i < layers else math.sqrt(2.0 / (dims[i] + dims[i + 1]))
            self.params.append(uniform_std((dims[i], dims[i + 1]), sigma))
            self.params.append(torch.zeros(dims[i + 1], requires_grad=True))

    def __call__(self, x):
        n = len(self.params) // 2
        for i in range(n):
            x = torch.addmm(self.params[2 * i + 1], x, self.params[2 * i])
            if i < n - 1:
                x = F.relu(x)
        return x


EIGHT = torch.tensor([[1, 0], [-1, 0], [0, 1], [0, -1],
                      [1 / math.sqrt(2), 1 / math.sqrt(2)], [1 / math.sqrt(2), -1 / math.sqrt(2)],
                      [-1 / math.sqrt(2), 1 / math.sqrt(2)], [-1 / math.sqrt(2), -1 / math.sqrt(2)]]) * 2.0


def eight_gaussians(n):
    idx = torch.randint(0, 8, (n,))
    return (EIGHT[idx] + 0.02 * torch.randn(n, 2)) / 1.414


class ToyGan:
    """gan_toy.py, wgan-gp mode: batch 256, lambda 0.1, Adam(1e-4, 0.5, 0.9), 5 critic steps."""

    def __init__(self, batch=256, lam=0.1, n_critic=5):
        self.batch, self.lam, self.n_critic = batch, lam, n_critic
        self.G = Mlp(2, 2)
        self.D = Mlp(2, 1)
        self.opt_d = torch.optim.Adam(self.D.params, lr=1e-4, betas=(0.5, 0.9))
        self.opt_g = torch.optim.Adam(self.G.params, lr=1e-4, betas=(0.5, 0.9))

    def critic_step(self):
        real = eight_gaussians(self.batch)
        with torch.no_grad():
            fake = self.G(torch.randn(self.batch, 2))
        eps = torch.rand(self.batch, 1)
        xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(self.D(xhat).sum(), xhat, create_graph=True)
        penalty = self.lam * ((g.norm(dim=1) - 1) ** 2).mean()
        loss = self.D(fake).mean() - self.D(real).mean() + penalty
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return loss

    def generator_step(self):
        for p in self.D.params:
            p.requires_grad_(False)
        loss = -self.D(self.G(torch.randn(self.batch, 2))).mean()
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        for p in self.D.params:
            p.requires_grad_(True)
        return loss

    def iteration(self):
        self.generator_step()
        for _ in range(self.n_critic):
            loss = self.critic_step()
        return loss


def make_workload(name, seed):
    """Returns a function running ONE step of the workload (and synchronising: .item())."""
    torch.manual_seed(seed)
    if name == "toy-critic":
        gan = ToyGan()
        return lambda: gan.critic_step().item()
    if name == "toy":
        gan = ToyGan()
        return lambda: gan.iteration().item()
    raise SystemExit("torch_bench.py: unknown workload %r (known: toy-critic, toy)" % name)


def time_steps(step, steps):
    out = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def serve():
    step = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        c = cmd.get("cmd")
        if c == "setup":
            set_threads(int(cmd.get("threads", 2)))
            step = make_workload(cmd["workload"], int(cmd.get("seed", 0)))
            reply = {"ok": True, "torch": torch.__version__, "openblas": _openblas is not None}
        elif c == "run":
            set_threads(int(cmd["threads"]))
            reply = {"times_ms": time_steps(step, int(cmd["steps"]))}
        elif c == "rss":
            reply = {"peak_rss_mb": peak_rss_mb()}
        elif c == "quit":
            break
        else:
            reply = {"error": "unknown command %r" % c}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description="PyTorch side of bench/run.ts")
    ap.add_argument("workload", nargs="?", default="toy-critic")
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    if args.serve:
        serve()
        return
    set_threads(args.threads)
    step = make_workload(args.workload, 0)
    time_steps(step, args.warmup)
    times = sorted(time_steps(step, args.steps))
    print(json.dumps({"workload": args.workload, "threads": args.threads, "median_ms": times[len(times) // 2],
                      "times_ms": times, "peak_rss_mb": peak_rss_mb(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()

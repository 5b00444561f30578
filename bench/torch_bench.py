#!/usr/bin/python3
"""The PyTorch side of the benchmarks in bench/run.ts: the same workloads, written the way a careful
PyTorch user would (functional autograd, create_graph=True for the penalty, torch.optim.Adam).
Workloads: toy-critic, toy (gan_toy.py), and for each image script (mnist, cifar10-dcgan,
cifar10-resnet, cifar10-resnet-acgan, and gan_64x64.py's lsun64-dcgan, lsun64-resnet,
lsun64-resnet101) NAME-critic (one critic step) and NAME (one generator iteration: 1 generator step
+ 5 critic steps), and gan_language.py's language-critic and language (1 generator step + 10 critic
steps), with torch.nn versions of the engine's models (parameter counts asserted).

Two ways to run it:
  /usr/bin/python3 bench/torch_bench.py toy-critic --threads 2 --steps 20
      standalone: prints one JSON line with the per-step times.
  /usr/bin/python3 bench/torch_bench.py --serve
      the mode bench/run.ts uses, so that PyTorch and our engine run INTERLEAVED in one run: reads
      one JSON command per line on stdin and answers one JSON line on stdout:
        {"cmd": "setup", "workload": "toy-critic", "seed": 0}     -> {"ok": true, "torch": "1.13.0"}
        {"cmd": "run", "threads": 2, "steps": 5}                  -> {"times_ms": [...], "cpu_ms": [...]}
        {"cmd": "rss"}                                            -> {"peak_rss_mb": ...}

Device: "cpu" (default), or "cuda" (`--device cuda`, or "device" in the setup command) for the
GPU anchors next to onnxruntime's WebGPU provider; it needs PyTorch >= 2.0 (torch.set_default_device).
Every step ends with .item(), which waits for the GPU.

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
    return (EIGHT.to(idx.device)[idx] + 0.02 * torch.randn(n, 2)) / 1.414


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


# ---- the image scripts' networks (src/gan/models), as torch.nn modules ----------------------------
# TensorFlow SAME padding: a 5x5 stride-2 conv whose padding total is odd pads 1 before, 2 after
# (F.pad), and tflib's stride-2 Deconv2D is ConvTranspose2d(padding=1) minus its last row and column.
# Parameter counts are asserted against the engine's models (src/gan/models/*.test.ts).

import torch.nn as nn


def same_pad_s2(size, k=5):
    """(before, after) padding of TF SAME for a stride-2 conv over `size` pixels."""
    total = max((-(-size // 2) - 1) * 2 + k - size, 0)
    return total // 2, total - total // 2


class ConvSame(nn.Module):
    """tflib Conv2D: k x k, stride 1 or 2, TF SAME padding."""

    def __init__(self, cin, cout, k, stride, size):
        super().__init__()
        if stride == 1:
            self.pad = None
            self.conv = nn.Conv2d(cin, cout, k, stride=1, padding=(k - 1) // 2)
        else:
            lo, hi = same_pad_s2(size, k)
            self.pad = None if lo == hi else (lo, hi, lo, hi)
            self.conv = nn.Conv2d(cin, cout, k, stride=2, padding=lo if lo == hi else 0)

    def forward(self, x):
        if self.pad is not None:
            x = F.pad(x, self.pad)
        return self.conv(x)


class DeconvSame(nn.Module):
    """tflib Deconv2D: k x k (5 or 3), stride 2, SAME: output 2H x 2W."""

    def __init__(self, cin, cout, k=5):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(cin, cout, k, stride=2, padding=(k - 2) // 2)

    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        return self.deconv(x)[:, :, : 2 * h, : 2 * w]


class MnistG(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.dim = dim
        self.input = nn.Linear(128, 4 * 4 * 4 * dim)
        self.deconv2 = DeconvSame(4 * dim, 2 * dim)
        self.deconv3 = DeconvSame(2 * dim, dim)
        self.deconv5 = DeconvSame(dim, 1)

    def forward(self, z):
        h = F.relu(self.input(z)).view(-1, 4 * self.dim, 4, 4)
        h = F.relu(self.deconv2(h))[:, :, :7, :7]
        h = F.relu(self.deconv3(h))
        return torch.sigmoid(self.deconv5(h))


class DcganD(nn.Module):
    """gan_mnist.py / gan_cifar.py critic: three 5x5 stride-2 convs, LeakyReLU(0.2), Linear(., 1)."""

    def __init__(self, channels, size, dim):
        super().__init__()
        s2, s3 = -(-size // 2), -(-size // 4)
        self.conv1 = ConvSame(channels, dim, 5, 2, size)
        self.conv2 = ConvSame(dim, 2 * dim, 5, 2, s2)
        self.conv3 = ConvSame(2 * dim, 4 * dim, 5, 2, s3)
        self.output = nn.Linear(4 * 4 * 4 * dim, 1)

    def forward(self, x):
        h = F.leaky_relu(self.conv1(x), 0.2)
        h = F.leaky_relu(self.conv2(h), 0.2)
        h = F.leaky_relu(self.conv3(h), 0.2)
        return self.output(h.flatten(1)).view(-1)


class CifarDcganG(nn.Module):
    def __init__(self, dim=128):
        super().__init__()
        self.dim = dim
        self.input = nn.Linear(128, 4 * 4 * 4 * dim)
        self.bn1 = nn.BatchNorm1d(4 * 4 * 4 * dim)
        self.deconv2 = DeconvSame(4 * dim, 2 * dim)
        self.bn2 = nn.BatchNorm2d(2 * dim)
        self.deconv3 = DeconvSame(2 * dim, dim)
        self.bn3 = nn.BatchNorm2d(dim)
        self.deconv5 = DeconvSame(dim, 3)

    def forward(self, z):
        h = F.relu(self.bn1(self.input(z))).view(-1, 4 * self.dim, 4, 4)
        h = F.relu(self.bn2(self.deconv2(h)))
        h = F.relu(self.bn3(self.deconv3(h)))
        return torch.tanh(self.deconv5(h))


def up2(x):
    return F.interpolate(x, scale_factor=2, mode="nearest")


class CondBatchNorm(nn.Module):
    """Conditional batch norm: batch statistics, then per-class scale and offset (one row per class)."""

    def __init__(self, channels, classes=10):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gamma = nn.Parameter(torch.ones(classes, channels))
        self.beta = nn.Parameter(torch.zeros(classes, channels))

    def forward(self, x, labels):
        return self.bn(x) * self.gamma[labels][:, :, None, None] + self.beta[labels][:, :, None, None]


class ResBlock(nn.Module):
    """gan_cifar_resnet.py ResidualBlock, 3x3; resample 'up' (with BN, conditional BN when `classes`),
    'down' or None (critic: no norm)."""

    def __init__(self, dim, resample, norm, classes=None):
        super().__init__()
        self.resample = resample
        make = (lambda: CondBatchNorm(dim, classes)) if classes else (lambda: nn.BatchNorm2d(dim))
        self.bn1 = make() if norm else None
        self.bn2 = make() if norm else None
        self.shortcut = nn.Conv2d(dim, dim, 1) if resample else None
        self.conv1 = nn.Conv2d(dim, dim, 3, padding=1)
        self.conv2 = nn.Conv2d(dim, dim, 3, padding=1)

    def norm(self, bn, x, labels):
        if bn is None:
            return x
        return bn(x, labels) if isinstance(bn, CondBatchNorm) else bn(x)

    def forward(self, x, labels=None):
        if self.resample == "up":
            skip = self.shortcut(up2(x))
        elif self.resample == "down":
            skip = F.avg_pool2d(self.shortcut(x), 2)
        else:
            skip = x
        h = F.relu(self.norm(self.bn1, x, labels))
        h = self.conv1(up2(h) if self.resample == "up" else h)
        h = F.relu(self.norm(self.bn2, h, labels))
        h = self.conv2(h)
        if self.resample == "down":
            h = F.avg_pool2d(h, 2)
        return skip + h


class ResnetG(nn.Module):
    """gan_cifar_resnet.py Generator; `classes`: conditional (batch norm in the blocks only)."""

    def __init__(self, dim=128, classes=None):
        super().__init__()
        self.dim = dim
        self.input = nn.Linear(128, 4 * 4 * dim)
        self.blocks = nn.ModuleList([ResBlock(dim, "up", True, classes) for _ in range(3)])
        self.bn = nn.BatchNorm2d(dim)
        self.output = nn.Conv2d(dim, 3, 3, padding=1)

    def forward(self, z, labels=None):
        h = self.input(z).view(-1, self.dim, 4, 4)
        for block in self.blocks:
            h = block(h, labels)
        return torch.tanh(self.output(F.relu(self.bn(h))))


class ResnetD(nn.Module):
    """gan_cifar_resnet.py Discriminator; `classes`: the AC-GAN head Linear(DIM, classes)."""

    def __init__(self, dim=128, classes=None):
        super().__init__()
        self.shortcut1 = nn.Conv2d(3, dim, 1)
        self.conv1 = nn.Conv2d(3, dim, 3, padding=1)
        self.conv2 = nn.Conv2d(dim, dim, 3, padding=1)
        self.blocks = nn.Sequential(ResBlock(dim, "down", False), ResBlock(dim, None, False), ResBlock(dim, None, False))
        self.output = nn.Linear(dim, 1)
        self.acgan = nn.Linear(dim, classes) if classes else None

    def features(self, x):
        h = self.shortcut1(F.avg_pool2d(x, 2)) + F.avg_pool2d(self.conv2(F.relu(self.conv1(x))), 2)
        return F.relu(self.blocks(h)).mean(dim=(2, 3))

    def forward(self, x):
        return self.output(self.features(x)).view(-1)

    def scores_and_logits(self, x):
        f = self.features(x)
        return self.output(f).view(-1), self.acgan(f)


# ---- gan_64x64.py (src/gan/models/lsun64.ts): DIM 64, [3, 64, 64], layer norm in the critic ---------

class LayerNormC(nn.Module):
    """Layer norm per sample over [C, H, W] with a per-channel scale and offset (the critic's Normalize)."""

    def __init__(self, channels):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        x = F.layer_norm(x, x.shape[1:], eps=1e-5)
        return x * self.gamma[:, None, None] + self.beta[:, None, None]


class Lsun64DcganG(nn.Module):
    """DCGANGenerator: Linear -> [8D, 4, 4] -> (BN, ReLU, deconv5) x 4 -> tanh."""

    def __init__(self, dim=64):
        super().__init__()
        self.dim = dim
        self.input = nn.Linear(128, 4 * 4 * 8 * dim)
        w = [8 * dim, 4 * dim, 2 * dim, dim]
        self.bns = nn.ModuleList([nn.BatchNorm2d(c) for c in w])
        self.deconvs = nn.ModuleList([DeconvSame(w[i], o) for i, o in enumerate(w[1:] + [3])])

    def forward(self, z):
        h = self.input(z).view(-1, 8 * self.dim, 4, 4)
        for bn, deconv in zip(self.bns, self.deconvs):
            h = deconv(F.relu(bn(h)))
        return torch.tanh(h)


class Lsun64DcganD(nn.Module):
    """DCGANDiscriminator: 4 x (conv5 s2, [layer norm after 2-4], LeakyReLU 0.2) -> Linear(4*4*8D, 1)."""

    def __init__(self, dim=64):
        super().__init__()
        w = [3, dim, 2 * dim, 4 * dim, 8 * dim]
        self.convs = nn.ModuleList([ConvSame(w[i], w[i + 1], 5, 2, 64 >> i) for i in range(4)])
        self.norms = nn.ModuleList([nn.Identity()] + [LayerNormC(c) for c in w[2:]])
        self.output = nn.Linear(4 * 4 * 8 * dim, 1)

    def forward(self, x):
        for conv, norm in zip(self.convs, self.norms):
            x = F.leaky_relu(norm(conv(x)), 0.2)
        return self.output(x.flatten(1)).view(-1)


class Lsun64ResBlock(nn.Module):
    """gan_64x64.py ResidualBlock: norm, ReLU, conv1 (no bias), norm, ReLU, conv2; 'down': conv1 in->in,
    conv2 then pool, shortcut pool then 1x1; 'up': conv1 upsample then in->out, shortcut upsample then 1x1."""

    def __init__(self, cin, cout, resample, norm):
        super().__init__()
        self.resample = resample
        self.norm1 = norm(cin)
        if resample == "down":
            self.conv1 = nn.Conv2d(cin, cin, 3, padding=1, bias=False)
            self.norm2 = norm(cin)
            self.conv2 = nn.Conv2d(cin, cout, 3, padding=1)
        else:
            self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
            self.norm2 = norm(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        if self.resample == "down":
            skip = self.shortcut(F.avg_pool2d(x, 2))
            h = self.conv1(F.relu(self.norm1(x)))
            h = F.avg_pool2d(self.conv2(F.relu(self.norm2(h))), 2)
        else:
            skip = self.shortcut(up2(x))
            h = self.conv1(up2(F.relu(self.norm1(x))))
            h = self.conv2(F.relu(self.norm2(h)))
        return skip + h


class Lsun64ResnetG(nn.Module):
    """GoodGenerator: Linear -> [8D, 4, 4] -> 4 up blocks 8D, 8D, 4D, 2D, D -> BN, ReLU, conv3 -> tanh."""

    def __init__(self, dim=64):
        super().__init__()
        self.dim = dim
        self.input = nn.Linear(128, 4 * 4 * 8 * dim)
        w = [8 * dim, 8 * dim, 4 * dim, 2 * dim, dim]
        self.blocks = nn.Sequential(*[Lsun64ResBlock(w[i], w[i + 1], "up", nn.BatchNorm2d) for i in range(4)])
        self.bn = nn.BatchNorm2d(dim)
        self.output = nn.Conv2d(dim, 3, 3, padding=1)

    def forward(self, z):
        h = self.blocks(self.input(z).view(-1, 8 * self.dim, 4, 4))
        return torch.tanh(self.output(F.relu(self.bn(h))))


class Lsun64ResnetD(nn.Module):
    """GoodDiscriminator: conv3 3 -> D, 4 down blocks D, 2D, 4D, 8D, 8D (layer norm) -> Linear(4*4*8D, 1)."""

    def __init__(self, dim=64):
        super().__init__()
        self.input = nn.Conv2d(3, dim, 3, padding=1)
        w = [dim, 2 * dim, 4 * dim, 8 * dim, 8 * dim]
        self.blocks = nn.Sequential(*[Lsun64ResBlock(w[i], w[i + 1], "down", LayerNormC) for i in range(4)])
        self.output = nn.Linear(4 * 4 * 8 * dim, 1)

    def forward(self, x):
        return self.output(self.blocks(self.input(x)).flatten(1)).view(-1)


class Bottleneck(nn.Module):
    """gan_64x64.py BottleneckResidualBlock: ReLU, 1x1 in -> in/2, ReLU, 3x3 in/2 -> out/2 (stride 2
    'down', a stride-2 deconv 'up'), ReLU, 1x1 -> out (no bias), norm; shortcut + 0.3 * residual.
    Shortcuts: 'down' 1x1 stride 2, 'up' 1x1 to 4*out then depth_to_space, none for in = out."""

    def __init__(self, cin, cout, resample, norm, size):
        super().__init__()
        self.resample = resample
        if resample == "down":
            self.shortcut = nn.Conv2d(cin, cout, 1, stride=2)
            self.conv1b = ConvSame(cin // 2, cout // 2, 3, 2, size)
        elif resample == "up":
            self.shortcut = nn.Conv2d(cin, 4 * cout, 1)
            self.conv1b = DeconvSame(cin // 2, cout // 2, 3)
        else:
            self.shortcut = None
            self.conv1b = nn.Conv2d(cin // 2, cout // 2, 3, padding=1)
        self.conv1 = nn.Conv2d(cin, cin // 2, 1)
        self.conv2 = nn.Conv2d(cout // 2, cout, 1, bias=False)
        self.norm = norm(cout)

    def forward(self, x):
        if self.resample == "up":
            # TensorFlow depth_to_space: output (2h + i, 2w + j) of channel c is input channel (2i + j) * C + c.
            s = self.shortcut(x)
            n, c4, h, w = s.shape
            skip = s.view(n, 2, 2, c4 // 4, h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, c4 // 4, 2 * h, 2 * w)
        else:
            skip = x if self.shortcut is None else self.shortcut(x)
        h = self.conv1(F.relu(x))
        h = self.conv1b(F.relu(h))
        h = self.norm(self.conv2(F.relu(h)))
        return skip + 0.3 * h


class Lsun64Resnet101G(nn.Module):
    """ResnetGenerator: Linear -> [8D, 4, 4]; 6 blocks + up at 8D, 4D, 2D, D; 5 blocks at D/2; 1x1 -> 3; tanh(x / 5)."""

    def __init__(self, dim=64):
        super().__init__()
        self.dim = dim
        self.input = nn.Linear(128, 4 * 4 * 8 * dim)
        w = [8 * dim, 4 * dim, 2 * dim, dim, dim // 2]
        blocks, size = [], 4
        for stage, c in enumerate(w):
            blocks += [Bottleneck(c, c, None, nn.BatchNorm2d, size) for _ in range(6 if stage < 4 else 5)]
            if stage < 4:
                blocks.append(Bottleneck(c, w[stage + 1], "up", nn.BatchNorm2d, size))
                size *= 2
        self.blocks = nn.Sequential(*blocks)
        self.output = nn.Conv2d(dim // 2, 3, 1)

    def forward(self, z):
        h = self.blocks(self.input(z).view(-1, 8 * self.dim, 4, 4))
        return torch.tanh(self.output(h) / 5)


class Lsun64Resnet101D(nn.Module):
    """ResnetDiscriminator: 1x1 3 -> D/2; 5 blocks at D/2; down + 6 blocks at D, 2D, 4D, 8D; Linear(4*4*8D, 1) / 5."""

    def __init__(self, dim=64):
        super().__init__()
        self.input = nn.Conv2d(3, dim // 2, 1)
        w = [dim // 2, dim, 2 * dim, 4 * dim, 8 * dim]
        blocks, size = [], 64
        for stage, c in enumerate(w):
            if stage > 0:
                blocks.append(Bottleneck(w[stage - 1], c, "down", LayerNormC, size))
                size //= 2
            blocks += [Bottleneck(c, c, None, LayerNormC, size) for _ in range(5 if stage == 0 else 6)]
        self.blocks = nn.Sequential(*blocks)
        self.output = nn.Linear(4 * 4 * 8 * dim, 1)

    def forward(self, x):
        return (self.output(self.blocks(self.input(x)).flatten(1)) / 5).view(-1)


def n_params(m):
    return sum(p.numel() for p in m.parameters())


class ImageGan:
    """An image script under wgan-gp: lambda 10, 5 critic steps, N(0, 1) noise of size 128, Adam."""

    # name: (G, D, [C, H, W], data range, critic batch, generator batch, Adam (lr, b1, b2), decay iters, (#G, #D))
    SPECS = {
        "mnist": (MnistG, lambda: DcganD(1, 28, 64), (1, 28, 28), (0, 1), 50, 50, (1e-4, 0.5, 0.9), None, (1554177, 1030145)),
        "cifar10-dcgan": (CifarDcganG, lambda: DcganD(3, 32, 128), (3, 32, 32), (-1, 1), 64, 64, (1e-4, 0.5, 0.9), None, (5179907, 4114689)),
        "cifar10-resnet": (ResnetG, ResnetD, (3, 32, 32), (-1, 1), 64, 128, (2e-4, 0.0, 0.9), 100000, (1204483, 1053825)),
        "cifar10-resnet-acgan": (lambda: ResnetG(classes=10), lambda: ResnetD(classes=10), (3, 32, 32), (-1, 1), 64, 128, (2e-4, 0.0, 0.9), 100000,
                                 (1218307, 1055115)),
        "lsun64-dcgan": (Lsun64DcganG, Lsun64DcganD, (3, 64, 64), (-1, 1), 64, 64, (1e-4, 0.0, 0.9), None, (5364739, 4316545)),
        "lsun64-resnet": (Lsun64ResnetG, Lsun64ResnetD, (3, 64, 64), (-1, 1), 64, 64, (1e-4, 0.0, 0.9), None, (8540483, 7491841)),
        "lsun64-resnet101": (Lsun64Resnet101G, Lsun64Resnet101D, (3, 64, 64), (-1, 1), 64, 64, (1e-4, 0.0, 0.9), None, (9189587, 7618801)),
    }
    # AC-GAN (gan_cifar_resnet.py CONDITIONAL + ACGAN): classes, critic CE weight (real only), generator CE weight.
    ACGAN = {"cifar10-resnet-acgan": (10, 1.0, 0.1)}

    def __init__(self, family, lam=10.0, n_critic=5):
        make_g, make_d, self.shape, self.range, self.batch, self.gbatch, adam, self.decay, counts = self.SPECS[family]
        self.acgan = self.ACGAN.get(family)
        self.lam, self.n_critic, self.lr = lam, n_critic, adam[0]
        self.G, self.D = make_g(), make_d()
        got = (n_params(self.G), n_params(self.D))
        assert got == counts, "%s: parameter counts %r, expected %r (the engine's models)" % (family, got, counts)
        self.G.train()
        self.D.train()
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=adam[0], betas=adam[1:])
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=adam[0], betas=adam[1:])
        self.iteration = 1

    def real_batch(self):
        lo, hi = self.range
        return torch.randint(0, 256, (self.batch,) + self.shape).float() / 256 * (hi - lo) + lo

    def labels(self, n):
        return torch.randint(0, self.acgan[0], (n,))

    def critic_step(self):
        real = self.real_batch()
        labels = self.labels(self.batch) if self.acgan else None
        with torch.no_grad():
            z = torch.randn(self.batch, 128)
            fake = self.G(z, labels) if self.acgan else self.G(z)
        eps = torch.rand(self.batch, 1, 1, 1)
        xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(self.D(xhat).sum(), xhat, create_graph=True)
        penalty = self.lam * ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()
        if self.acgan:
            d_real, logits = self.D.scores_and_logits(real)
        else:
            d_real = self.D(real)
        loss = self.D(fake).mean() - d_real.mean() + penalty
        if self.acgan:  # the critic's classifier learns from real data only
            loss = loss + self.acgan[1] * F.cross_entropy(logits, labels)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return loss

    def generator_step(self):
        for p in self.D.parameters():
            p.requires_grad_(False)
        z = torch.randn(self.gbatch, 128)
        if self.acgan:
            labels = self.labels(self.gbatch)
            scores, logits = self.D.scores_and_logits(self.G(z, labels))
            loss = -scores.mean() + self.acgan[2] * F.cross_entropy(logits, labels)
        else:
            loss = -self.D(self.G(z)).mean()
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        for p in self.D.parameters():
            p.requires_grad_(True)
        return loss

    def iteration_step(self):
        if self.decay:
            lr = self.lr * max(0.0, 1.0 - self.iteration / self.decay)
            for opt in (self.opt_g, self.opt_d):
                for group in opt.param_groups:
                    group["lr"] = lr
        self.generator_step()
        for _ in range(self.n_critic):
            loss = self.critic_step()
        self.iteration += 1
        return loss


# ---- gan_language.py (src/gan/models/language.ts): DIM 128 on a CPU, seqLen 32, V 88 -------------

class LangResBlock(nn.Module):
    """ResBlock: x + 0.3 * conv5(relu(conv5(relu(x)))), channels-first, SAME padding."""

    def __init__(self, dim):
        super().__init__()
        self.conv1 = nn.Conv1d(dim, dim, 5, padding=2)
        self.conv2 = nn.Conv1d(dim, dim, 5, padding=2)

    def forward(self, x):
        return x + 0.3 * self.conv2(F.relu(self.conv1(F.relu(x))))


class LanguageG(nn.Module):
    def __init__(self, dim, seq_len, vocab):
        super().__init__()
        self.dim, self.seq_len = dim, seq_len
        self.input = nn.Linear(128, seq_len * dim)
        self.blocks = nn.Sequential(*[LangResBlock(dim) for _ in range(5)])
        self.output = nn.Conv1d(dim, vocab, 1)

    def forward(self, z):
        h = self.blocks(self.input(z).view(-1, self.dim, self.seq_len))
        return torch.softmax(self.output(h).transpose(1, 2), dim=2)


class LanguageD(nn.Module):
    def __init__(self, dim, seq_len, vocab):
        super().__init__()
        self.input = nn.Conv1d(vocab, dim, 1)
        self.blocks = nn.Sequential(*[LangResBlock(dim) for _ in range(5)])
        self.output = nn.Linear(seq_len * dim, 1)

    def forward(self, x):
        h = self.blocks(self.input(x.transpose(1, 2)))
        return self.output(h.flatten(1)).view(-1)


class LanguageGan:
    """gan_language.py under wgan-gp: lambda 10, 10 critic steps, batch 64, Adam(1e-4, 0.5, 0.9);
    real batches are one-hot rows of random ids, fakes the generator's softmax rows (no sampling)."""

    def __init__(self, dim=128, seq_len=32, vocab=88, batch=64, lam=10.0, n_critic=10):
        self.seq_len, self.vocab, self.batch, self.lam, self.n_critic = seq_len, vocab, batch, lam, n_critic
        self.G, self.D = LanguageG(dim, seq_len, vocab), LanguageD(dim, seq_len, vocab)
        got = (n_params(self.G), n_params(self.D))
        assert got == (1360216, 835969), "language: parameter counts %r, expected the engine's (1360216, 835969)" % (got,)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=1e-4, betas=(0.5, 0.9))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=1e-4, betas=(0.5, 0.9))

    def critic_step(self):
        real = F.one_hot(torch.randint(0, self.vocab, (self.batch, self.seq_len)), self.vocab).float()
        with torch.no_grad():
            fake = self.G(torch.randn(self.batch, 128))
        eps = torch.rand(self.batch, 1, 1)
        xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(self.D(xhat).sum(), xhat, create_graph=True)
        penalty = self.lam * ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()  # norm over axes [1, 2]
        loss = self.D(fake).mean() - self.D(real).mean() + penalty
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return loss

    def generator_step(self):
        for p in self.D.parameters():
            p.requires_grad_(False)
        loss = -self.D(self.G(torch.randn(self.batch, 128))).mean()
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        for p in self.D.parameters():
            p.requires_grad_(True)
        return loss

    def iteration_step(self):
        self.generator_step()
        for _ in range(self.n_critic):
            loss = self.critic_step()
        return loss


WORKLOADS = ["toy-critic", "toy"] + [n + s for n in ImageGan.SPECS for s in ("-critic", "")] + ["language-critic", "language"]


def use_device(device):
    if device == "cpu":
        return
    if device != "cuda":
        raise SystemExit("torch_bench.py: device must be cpu or cuda, got %r" % device)
    if not torch.cuda.is_available():
        raise SystemExit("torch_bench.py: --device cuda, but torch.cuda.is_available() is False")
    torch.set_default_device("cuda")  # every factory call below (weights, noise, data) lands on the GPU


def make_workload(name, seed, device="cpu"):
    """Returns a function running ONE step of the workload (and synchronising: .item())."""
    use_device(device)
    torch.manual_seed(seed)
    if name == "toy-critic":
        gan = ToyGan()
        return lambda: gan.critic_step().item()
    if name == "toy":
        gan = ToyGan()
        return lambda: gan.iteration().item()
    if name == "language-critic":
        gan = LanguageGan()
        return lambda: gan.critic_step().item()
    if name == "language":
        gan = LanguageGan()
        return lambda: gan.iteration_step().item()
    if name.endswith("-critic") and name[: -len("-critic")] in ImageGan.SPECS:
        gan = ImageGan(name[: -len("-critic")])
        return lambda: gan.critic_step().item()
    if name in ImageGan.SPECS:
        gan = ImageGan(name)
        return lambda: gan.iteration_step().item()
    raise SystemExit("torch_bench.py: unknown workload %r (known: %s)" % (name, ", ".join(WORKLOADS)))


def time_steps(step, steps):
    """Wall-clock and process CPU milliseconds (all threads) of each step."""
    wall, cpu = [], []
    for _ in range(steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        step()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return wall, cpu


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
            device = cmd.get("device", "cpu")
            step = make_workload(cmd["workload"], int(cmd.get("seed", 0)), device)
            reply = {"ok": True, "torch": torch.__version__, "openblas": _openblas is not None,
                     "device": torch.cuda.get_device_name() if device == "cuda" else "cpu"}
        elif c == "run":
            set_threads(int(cmd["threads"]))
            wall, cpu = time_steps(step, int(cmd["steps"]))
            reply = {"times_ms": wall, "cpu_ms": cpu}
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
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    args = ap.parse_args()
    if args.serve:
        serve()
        return
    set_threads(args.threads)
    step = make_workload(args.workload, 0, args.device)
    time_steps(step, args.warmup)
    wall, cpu = time_steps(step, args.steps)
    times = sorted(wall)
    print(json.dumps({"workload": args.workload, "threads": args.threads, "median_ms": times[len(times) // 2],
                      "times_ms": wall, "cpu_ms": cpu, "peak_rss_mb": peak_rss_mb(), "torch": torch.__version__, "device": args.device}))


if __name__ == "__main__":
    main()

"""The torch networks and the one training loop they share.

Owns the two architectures (the detector over one log-mel window; the
surrogate digit classifier that the attacks target, over a whole signal)
and the training loop. Every detector op maps to a plain ONNX op (see
export.py).
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import features

THREADS = 2

# Fixed input scaling of both networks: log-mel values run from ln(1e-6) =
# -13.8 (silence, zero padding) to about +5 for full-scale speech.
IN_SHIFT = 6.0
IN_SCALE = 0.25


def setup_torch():
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)


class Detector(nn.Module):
    """window features [N, 1, 40, 98] -> logit [N, 1].

    (x + 6) * 0.25 -> Conv 3x3 pad 1 1->8 -> Relu -> MaxPool 2 (20 x 49)
    -> Conv 3x3 pad 1 8->16 -> Relu -> MaxPool 2 (10 x 24)
    -> Conv 3x3 pad 1 16->24 -> Relu -> AveragePool over all 24 frames
    (24 x 10: one value per channel and mel region) -> Flatten -> Gemm 240->1.
    The mean over time keeps which bands carry the evidence; the frequency
    axis is never pooled away. About 2.3 million multiply-adds per window.
    """

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1)
        self.c3 = nn.Conv2d(16, 24, 3, padding=1)
        self.fc = nn.Linear(24 * (features.MELS // 4), 1)

    def forward(self, x):
        h = (x + IN_SHIFT) * IN_SCALE
        h = F.max_pool2d(F.relu(self.c1(h)), 2)
        h = F.max_pool2d(F.relu(self.c2(h)), 2)
        h = F.relu(self.c3(h))
        h = F.avg_pool2d(h, (1, h.shape[3]))
        return self.fc(h.flatten(1))


class Surrogate(nn.Module):
    """The keyword classifier the attacks target: waveform [B, L] at 16 kHz
    -> 10 digit logits, over the log-mel frames of the whole signal
    (features.logmel_torch), level-normalized (minus the signal's largest
    log-mel value), three convolutions (the first two with stride 2) with
    batch norm, and a global mean: fully convolutional, any length."""

    def __init__(self, n_classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(1, 12, 5, stride=2, padding=2)
        self.b1 = nn.BatchNorm2d(12)
        self.c2 = nn.Conv2d(12, 24, 3, stride=2, padding=1)
        self.b2 = nn.BatchNorm2d(24)
        self.c3 = nn.Conv2d(24, 48, 3, padding=1)
        self.b3 = nn.BatchNorm2d(48)
        self.fc = nn.Linear(48, n_classes)

    def forward(self, wave):
        return self.from_logmel(features.logmel_torch(wave))

    def from_logmel(self, m):
        h = (m - m.amax(dim=(2, 3), keepdim=True)) * IN_SCALE
        h = F.relu(self.b1(self.c1(h)))
        h = F.relu(self.b2(self.c2(h)))
        h = F.relu(self.b3(self.c3(h)))
        return self.fc(h.mean(dim=(2, 3)))


class _OnLogmel(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, m):
        return self.model.from_logmel(m)


def fit(model, X, y, w=None, *, epochs, lr, batch=64, seed, loss="bce", log=None, weight_decay=0.0):
    """Adam over shuffled mini-batches (order from `seed`), cosine decay;
    returns the model in eval mode. X float32 tensor, y labels (float for
    bce, int for ce), w per-sample weights (bce only)."""
    torch.manual_seed(seed)
    gen = np.random.default_rng(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * ((len(X) + batch - 1) // batch))
    model.train()
    for ep in range(epochs):
        order = torch.from_numpy(gen.permutation(len(X)))
        total = 0.0
        for i in range(0, len(X), batch):
            idx = order[i:i + batch]
            out = model(X[idx])
            if loss == "bce":
                per = F.binary_cross_entropy_with_logits(out[:, 0], y[idx], reduction="none")
                l = (per * w[idx]).sum() / w[idx].sum() if w is not None else per.mean()
            else:
                l = F.cross_entropy(out, y[idx])
            opt.zero_grad()
            l.backward()
            opt.step()
            sched.step()
            total += l.item() * len(idx)
        if log:
            log(f"  epoch {ep + 1}/{epochs}: loss {total / len(X):.4f}")
    model.eval()
    return model


@torch.no_grad()
def predict(model, X, batch=512):
    """Sigmoid scores, float32 [N]."""
    out = [torch.sigmoid(model(X[i:i + batch]))[:, 0] for i in range(0, len(X), batch)]
    return torch.cat(out).numpy().astype(np.float32) if out else np.zeros(0, np.float32)

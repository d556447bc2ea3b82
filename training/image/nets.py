"""The torch networks and the one training loop they share.

Owns the three architectures (the adversarial detector with its fixed
high-pass first layer, the surrogate classifier that the attacks target,
the typographic detector), their seeds and the training settings.
Every op maps to a plain ONNX op (see export.py).
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

THREADS = 2


def setup_torch():
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    torch.backends.mkldnn.enabled = True


# --- high-pass residual filters (SRM-style), in gray levels (input x 255) ---
SRM_KERNELS = {
    # second-order 3x3 (centred in 5x5)
    "second_order": np.array([[0, 0, 0, 0, 0], [0, -1, 2, -1, 0], [0, 2, -4, 2, 0], [0, -1, 2, -1, 0],
                              [0, 0, 0, 0, 0]], np.float64) / 4,
    # the 5x5 "KV" kernel
    "kv": np.array([[-1, 2, -2, 2, -1], [2, -6, 8, -6, 2], [-2, 8, -12, 8, -2], [2, -6, 8, -6, 2],
                    [-1, 2, -2, 2, -1]], np.float64) / 12,
    # horizontal second difference
    "horizontal": np.array([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 1, -2, 1, 0], [0, 0, 0, 0, 0],
                            [0, 0, 0, 0, 0]], np.float64) / 2,
}
TRUNCATION = 3.0  # residuals are clipped to [-T, T] gray levels


def srm_weight():
    """float32 [9, 3, 5, 5]: kernel k applied to channel c gives output 3 * c + k."""
    ks = list(SRM_KERNELS.values())
    w = np.zeros((3 * len(ks), 3, 5, 5), np.float64)
    for c in range(3):
        for k, ker in enumerate(ks):
            w[len(ks) * c + k, c] = ker * 255.0
    return w.astype(np.float32)


class AdvDetector(nn.Module):
    """crops [N,3,64,64] in [0,1] -> logit [N,1].

    fixed Conv 5x5 (9 residual maps, valid) -> Clip(-T, T) -> (x 1/T, folded
    into the next conv on export) -> Conv 3x3 9->8 -> Abs -> AvgPool 2 ->
    Conv 3x3 8->16 -> Relu -> AvgPool 2 -> Conv 3x3 16->32 -> Relu ->
    GlobalAveragePool -> Gemm 32->1.
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("srm", torch.from_numpy(srm_weight()))
        self.c1 = nn.Conv2d(9, 8, 3)
        self.c2 = nn.Conv2d(8, 16, 3)
        self.c3 = nn.Conv2d(16, 32, 3)
        self.fc = nn.Linear(32, 1)

    def residuals(self, x):
        return torch.clamp(F.conv2d(x, self.srm), -TRUNCATION, TRUNCATION) / TRUNCATION

    def head(self, r):
        h = F.avg_pool2d(torch.abs(self.c1(r)), 2)
        h = F.avg_pool2d(F.relu(self.c2(h)), 2)
        h = F.relu(self.c3(h))
        return self.fc(h.mean(dim=(2, 3)))

    def forward(self, x):
        return self.head(self.residuals(x))


class Surrogate(nn.Module):
    """The classifier the attacks target: which training picture a patch
    comes from. Fully convolutional, so it takes any size >= 16."""

    def __init__(self, n_classes):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 24, 3, padding=1)
        self.c3 = nn.Conv2d(24, 48, 3, padding=1)
        self.fc = nn.Linear(48, n_classes)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.c1(x)), 2)
        h = F.max_pool2d(F.relu(self.c2(h)), 2)
        h = F.relu(self.c3(h))
        return self.fc(h.mean(dim=(2, 3)))


class TypoDetector(nn.Module):
    """gray grid [N,1,64,64] in [0,1] -> logit [N,1].

    3 x (Conv 3x3 pad 1 -> Relu -> MaxPool 2) with 8, 16, 32 channels ->
    Conv 3x3 pad 1 32->32 -> Relu -> GlobalAveragePool -> Gemm 32->1.
    """

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1)
        self.c3 = nn.Conv2d(16, 32, 3, padding=1)
        self.c4 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc = nn.Linear(32, 1)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.c1(x)), 2)
        h = F.max_pool2d(F.relu(self.c2(h)), 2)
        h = F.max_pool2d(F.relu(self.c3(h)), 2)
        h = F.relu(self.c4(h))
        return self.fc(h.mean(dim=(2, 3)))


def fit(model, X, y, w=None, *, epochs, lr, batch=64, seed, loss="bce", log=None, weight_decay=0.0):
    """Adam over shuffled mini-batches (order from `seed`); returns the model
    in eval mode. X float32 tensor, y labels (float for bce, int for ce),
    w per-sample weights (bce only)."""
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
    out = [torch.sigmoid(model(X[i:i + batch]))[:, 0] for i in range(0, len(X), batch)]
    return torch.cat(out).numpy().astype(np.float32) if out else np.zeros(0, np.float32)

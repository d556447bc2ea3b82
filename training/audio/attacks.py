"""The attacks: the surrogate digit classifier they target and the waveform attacks.

Owns the attack families, their budgets, which of them are held out of
training, and the 16-bit quantization of every attacked signal before it
becomes a detector input (as a saved WAV would hold it).

Every attack works on the 16 kHz waveform, untargeted, against the
surrogate's own prediction on the clean signal, and perturbs only the
recording's own samples (never the zero padding the surrogate sees).
Budgets are relative to full scale (1.0): L-inf attacks use eps directly;
PGD L2 gets the same root-mean-square per sample, eps_2 = eps * sqrt(n).
C&W L2 (Carlini & Wagner's objective, Adam, a fixed constant) has no budget:
it looks for the smallest perturbation that flips the decision and is
reported by family only.
"""

import numpy as np
import torch
import torch.nn.functional as F

import data
import features
import nets

TRAIN_FAMILIES = ("fgsm", "pgd_linf", "pgd_l2")
HELD_OUT_FAMILIES = ("cw_l2",)
TRAIN_EPS = (0.001, 0.002, 0.005, 0.01)
HELD_OUT_EPS = (0.0005, 0.003)
ALL_EPS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.01)
PGD_ITER = 10
CW_ITER = 60
CW_LR = 5e-4
CW_C = 0.05
CW_KAPPA = 0.0

SURROGATE_EPOCHS = 15
SURROGATE_LR = 3e-3
SURROGATE_SEED = 7201
BATCH = 50


def eps_name(e):
    return f"{e:g}"


def train_combos():
    return [(f, e) for f in TRAIN_FAMILIES for e in TRAIN_EPS]


def test_combos():
    return [(f, e) for f in TRAIN_FAMILIES for e in ALL_EPS] + [(f, 0.0) for f in HELD_OUT_FAMILIES]


def padded(signals):
    """float32 torch [B, L] and the mask of each signal's own samples; L is
    the detector's window count of the longest signal times 16,000 (the
    signals are zero-padded as the detector's windows are)."""
    length = features.WINDOW * max(features.n_windows(len(s)) for s in signals)
    x = np.zeros((len(signals), length), np.float32)
    m = np.zeros_like(x)
    for i, s in enumerate(signals):
        x[i, :len(s)] = s
        m[i, :len(s)] = 1
    return torch.from_numpy(x), torch.from_numpy(m)


def train_surrogate(recs, log=print):
    """The Surrogate trained on the clean 16 kHz takes of `recs`; (model, train accuracy)."""
    X, _ = padded([data.to_float(data.signal16(r.key)) for r in recs])
    with torch.no_grad():
        M = features.logmel_torch(X)  # features once; the training loop sees log-mels
    y = torch.tensor([r.digit for r in recs])
    torch.manual_seed(SURROGATE_SEED)
    model = nets.Surrogate()
    nets.fit(nets._OnLogmel(model), M, y, epochs=SURROGATE_EPOCHS, lr=SURROGATE_LR, batch=32, seed=SURROGATE_SEED,
             loss="ce")
    model.eval()
    acc = accuracy(model, recs)
    log(f"surrogate: {len(recs)} takes, train accuracy {acc:.3f}")
    return model, acc


@torch.no_grad()
def predict_digits(model, signals):
    out = []
    for i in range(0, len(signals), BATCH):
        X, _ = padded(signals[i:i + BATCH])
        out.append(model(X).argmax(1).numpy())
    return np.concatenate(out) if out else np.zeros(0, int)


def accuracy(model, recs):
    pred = predict_digits(model, [data.to_float(data.signal16(r.key)) for r in recs])
    return float(np.mean(pred == np.array([r.digit for r in recs])))


def _grad(model, x, y):
    x = x.detach().requires_grad_(True)
    loss = F.cross_entropy(model(x), y, reduction="sum")
    return torch.autograd.grad(loss, x)[0]


def fgsm(model, x0, mask, y, eps):
    return torch.clamp(x0 + eps * torch.sign(_grad(model, x0, y)) * mask, -1, 1)


def pgd_linf(model, x0, mask, y, eps, iters=PGD_ITER):
    x = x0.clone()
    for _ in range(iters):
        x = x + (eps / 4) * torch.sign(_grad(model, x, y)) * mask
        x = torch.clamp(x0 + torch.clamp(x - x0, -eps, eps), -1, 1)
    return x


def pgd_l2(model, x0, mask, y, eps, iters=PGD_ITER):
    n = mask.sum(1, keepdim=True)
    e2 = eps * torch.sqrt(n)
    x = x0.clone()
    for _ in range(iters):
        g = _grad(model, x, y) * mask
        g = g / (g.norm(dim=1, keepdim=True) + 1e-12)
        d = x + (e2 / 4) * g - x0
        d = d * torch.clamp(e2 / (d.norm(dim=1, keepdim=True) + 1e-12), max=1.0)
        x = torch.clamp(x0 + d, -1, 1)
    return x


def cw_l2(model, x0, mask, y, iters=CW_ITER, lr=CW_LR, c=CW_C, kappa=CW_KAPPA):
    """Carlini-Wagner L2 objective ||d||^2 + c * max(Z_y - max_{j != y} Z_j, -kappa),
    Adam from d = 0; keeps, per signal, the smallest perturbation that
    changed the surrogate's decision (the last one where none did)."""
    d = torch.zeros_like(x0, requires_grad=True)
    opt = torch.optim.Adam([d], lr=lr)
    best = torch.zeros_like(x0)
    best_norm = torch.full((len(x0),), float("inf"))
    onehot = F.one_hot(y, 10).bool()
    for _ in range(iters):
        x = torch.clamp(x0 + d * mask, -1, 1)
        z = model(x)
        zy = z[onehot]
        zo = z.masked_fill(onehot, -1e9).max(1).values
        margin = torch.clamp(zy - zo, min=-kappa)
        l2 = ((x - x0) ** 2).sum(1)
        with torch.no_grad():
            ok = (zy < zo) & (l2 < best_norm)
            best_norm = torch.where(ok, l2, best_norm)
            best[ok] = x[ok].detach()
        loss = (l2 + c * margin).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        last = torch.clamp(x0 + d * mask, -1, 1)
        never = torch.isinf(best_norm)
        best[never] = last[never]
    return best.detach()


def craft(model, signals, family, eps):
    """int16 attacked versions of float signals (16 kHz, each as long as its input)."""
    out = []
    for i in range(0, len(signals), BATCH):
        chunk = signals[i:i + BATCH]
        x0, mask = padded(chunk)
        with torch.no_grad():
            y = model(x0).argmax(1)
        if family == "fgsm":
            adv = fgsm(model, x0, mask, y, eps)
        elif family == "pgd_linf":
            adv = pgd_linf(model, x0, mask, y, eps)
        elif family == "pgd_l2":
            adv = pgd_l2(model, x0, mask, y, eps)
        elif family == "cw_l2":
            adv = cw_l2(model, x0, mask, y)
        else:
            raise ValueError(family)
        adv = adv.detach().numpy().astype(np.float64)
        out += [data.quantize16(adv[j, :len(s)]) for j, s in enumerate(chunk)]
    return out

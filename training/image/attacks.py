"""The attacks: the surrogate classifier they target and the ART attacks.

Owns the attack families, their budgets, which of them are held out of
training, and the quantization of every adversarial image to uint8 (as a
saved PNG would hold it) before it becomes a detector input.

Budgets are per-pixel: eps in 1/255 units. L-inf attacks use it directly;
the L2 attack gets the same root-mean-square per value,
eps_L2 = eps * sqrt(3 * H * W). DeepFool (own batched torch code) has no budget
(it stops at the decision boundary, overshoot 0.02); it is reported by family only.
"""

import math
import warnings

import numpy as np
import torch

import data
import nets

TRAIN_FAMILIES = ("fgsm", "pgd_linf", "pgd_l2")
HELD_OUT_FAMILIES = ("deepfool",)
TRAIN_EPS = (2, 4, 8, 16)
HELD_OUT_EPS = (6,)
ALL_EPS = (2, 4, 6, 8, 16)
PGD_ITER = 10

SURROGATE_EPOCHS = 5
SURROGATE_PATCHES = 160  # random 64x64 patches per training picture
SURROGATE_SEED = 7101


def train_combos():
    return [(f, e) for f in TRAIN_FAMILIES for e in TRAIN_EPS]


def test_combos():
    return [(f, e) for f in TRAIN_FAMILIES for e in ALL_EPS] + [(f, 0) for f in HELD_OUT_FAMILIES]


def train_surrogate(pictures, log=print):
    """A Surrogate trained to tell which of `pictures` (key -> list of RGB8
    arrays: the native picture and downscaled versions) a 64x64 patch
    comes from."""
    keys = sorted(pictures)
    xs, ys = [], []
    for ci, k in enumerate(keys):
        r = data.rng("surrogate", k)
        views = pictures[k]
        for j in range(SURROGATE_PATCHES):
            v = views[j % len(views)]
            y = int(r.integers(0, v.shape[0] - 64 + 1))
            x = int(r.integers(0, v.shape[1] - 64 + 1))
            xs.append(v[y:y + 64, x:x + 64])
            ys.append(ci)
    X = torch.from_numpy((np.stack(xs).astype(np.float32) / 255).transpose(0, 3, 1, 2).copy())
    y = torch.tensor(ys)
    torch.manual_seed(SURROGATE_SEED)
    model = nets.Surrogate(len(keys))
    nets.fit(model, X, y, epochs=SURROGATE_EPOCHS, lr=3e-3, batch=64, seed=SURROGATE_SEED, loss="ce", log=log)
    with torch.no_grad():
        acc = float((model(X).argmax(1) == y).float().mean())
    log(f"surrogate: {len(keys)} classes, {len(X)} patches, train accuracy {acc:.3f}")
    return model, acc


def _classifier(model, shape, n_classes):
    from art.estimators.classification import PyTorchClassifier
    return PyTorchClassifier(model=model, loss=torch.nn.CrossEntropyLoss(), input_shape=shape,
                             nb_classes=n_classes, clip_values=(0.0, 1.0), device_type="cpu")


def _attack(family, eps, clf, shape):
    from art.attacks.evasion import FastGradientMethod, ProjectedGradientDescent
    e = eps / 255.0
    if family == "fgsm":
        return FastGradientMethod(clf, norm=np.inf, eps=e, eps_step=e, batch_size=64)
    if family == "pgd_linf":
        return ProjectedGradientDescent(clf, norm=np.inf, eps=e, eps_step=e / 4, max_iter=PGD_ITER,
                                        num_random_init=0, batch_size=64, verbose=False)
    if family == "pgd_l2":
        e2 = e * math.sqrt(float(np.prod(shape)))
        return ProjectedGradientDescent(clf, norm=2, eps=e2, eps_step=e2 / 4, max_iter=PGD_ITER,
                                        num_random_init=0, batch_size=64, verbose=False)
    raise ValueError(family)


def deepfool(model, x0, max_iter=50, overshoot=0.02, candidates=5):
    """DeepFool (Moosavi-Dezfooli et al., 2016), L2, batched, over the
    surrogate's top `candidates` classes; ART's version computes every
    class gradient and is far slower on CPU."""
    x0 = torch.from_numpy(x0)
    with torch.no_grad():
        logits0 = model(x0)
    cand = logits0.topk(candidates, dim=1).indices
    label = cand[:, 0]
    r_tot = torch.zeros_like(x0)
    for _ in range(max_iter):
        x = torch.clamp(x0 + (1 + overshoot) * r_tot, 0, 1).requires_grad_(True)
        logits = model(x)
        active = logits.argmax(1) == label
        if not bool(active.any()):
            break
        picked = logits.gather(1, cand)
        grads = [torch.autograd.grad(picked[:, k].sum(), x, retain_graph=k < candidates - 1)[0]
                 for k in range(candidates)]
        best, best_w = None, None
        for k in range(1, candidates):
            w = grads[k] - grads[0]
            f = (picked[:, k] - picked[:, 0]).detach()
            norm = w.flatten(1).norm(dim=1) + 1e-8
            pert = f.abs() / norm
            if best is None:
                best, best_w = pert, w
            else:
                take = pert < best
                best = torch.where(take, pert, best)
                best_w = torch.where(take[:, None, None, None], w, best_w)
        step = (best + 1e-4)[:, None, None, None] * best_w / (best_w.flatten(1).norm(dim=1)[:, None, None, None] + 1e-8)
        r_tot = r_tot + step * active[:, None, None, None].float()
    return torch.clamp(x0 + (1 + overshoot) * r_tot, 0, 1).detach().numpy()


def quantize(x):
    """float [N,3,H,W] in [0,1] -> uint8 [N,H,W,3], rounded half to even as numpy does."""
    return np.clip(np.rint(x * 255.0), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1).copy()


def craft(model, n_classes, images, family, eps):
    """Adversarial uint8 versions of same-shape RGB8 images (untargeted,
    against the surrogate's own prediction)."""
    if not images:
        return []
    h, w = images[0].shape[:2]
    shape = (3, h, w)
    x = (np.stack(images).astype(np.float32) / 255).transpose(0, 3, 1, 2).copy()
    if family == "deepfool":
        return list(quantize(deepfool(model, x)))
    clf = _classifier(model, shape, n_classes)
    np.random.seed(0)  # ART draws from numpy's global generator in places
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adv = _attack(family, eps, clf, shape).generate(x=x)
    return list(quantize(adv))

"""The images of the adversarial detector: clean bases, benign processing, attacks.

Owns how bases are cut from the source pictures (windows of a few sizes,
from the picture at native resolution and from downscaled copies), the
benign versions of each base (as is, i.e. PNG; JPEG re-encoded at a quality
from 60 to 95) and which attacks each base receives in each split.

Photos of the train split: two attacks per base, from the training families
and budgets. Photos of the validation split: one. Photos of the test split:
three distinct (family, budget) pairs from all of them, held-out ones
included. Renders (flat abstract art) are negatives only.
"""

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

import attacks
import data

SIZES = ((128, 128), (128, 160), (160, 128), (96, 192))  # (H, W) of a base
NATIVE_BASES = 4  # per photo, windows at native resolution
DOWN_VIEWS = 2  # downscaled copies per photo
DOWN_BASES = 5  # bases per downscaled copy
RENDER_BASES = 6
JPEG_QUALITIES = (60, 70, 75, 80, 85, 90, 95)
FILTERS = {"lanczos": Image.LANCZOS, "bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "box": Image.BOX}
ATTACKS_PER_BASE = {"train": 2, "val": 1, "test": 3}
# Larger images, for comparing crop counts (crop_count.py): every side is at
# least 3 crops long, so M = 3 takes 9 crops and M = 2 takes 4.
LARGE_SIZES = ((192, 192), (224, 224), (256, 256), (240, 320), (320, 240), (192, 384))
LARGE_NATIVE_BASES = 2
LARGE_DOWN_BASES = 2
LARGE_RENDER_BASES = 4
LARGE_ATTACKS_PER_BASE = {"val": 1, "test": 2}


@dataclass
class Item:
    img: np.ndarray  # uint8 [H, W, 3]
    label: int
    group: str  # clean_png | clean_jpeg | render | fgsm | pgd_linf | pgd_l2 | deepfool
    detail: str  # scale / quality / eps
    picture: str
    split: str
    eps: int = 0
    linf: int = 0  # of the quantized perturbation, gray levels
    rms: float = 0.0


def jpeg(img, quality):
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return data.decode_rgb(buf.getvalue())


def views(key):
    """[(name, RGB8)]: the picture at native resolution and DOWN_VIEWS downscaled copies."""
    pic = data.picture(key)
    r = data.rng("views", key)
    out = [("native", pic)]
    h, w = pic.shape[:2]
    for i in range(DOWN_VIEWS):
        short = int(r.choice([224, 320, 448, 640, 896]))
        f = str(r.choice(sorted(FILTERS)))
        scale = short / min(h, w)
        if scale >= 1:
            continue
        nh, nw = max(192, round(h * scale)), max(192, round(w * scale))
        out.append((f"down_{f}", np.asarray(Image.fromarray(pic).resize((nw, nh), FILTERS[f]))))
    return out


def _window(r, img, size):
    h, w = size
    H, W = img.shape[:2]
    if H < h or W < w:
        return None
    y = int(r.integers(0, H - h + 1))
    x = int(r.integers(0, W - w + 1))
    return img[y:y + h, x:x + w].copy()


def bases(key, kind, large=False):
    """[(detail, RGB8 base)] of one picture (large: the LARGE_* plan)."""
    r = data.rng("large-bases" if large else "bases", key)
    out = []
    vs = views(key)
    sizes = LARGE_SIZES if large else SIZES
    n_render = LARGE_RENDER_BASES if large else RENDER_BASES
    if kind == "render":
        plan = [(vs[i % len(vs)], n_render // len(vs) + (1 if i < n_render % len(vs) else 0))
                for i in range(len(vs))]
    elif large:
        plan = [(vs[0], LARGE_NATIVE_BASES)] + [(v, LARGE_DOWN_BASES) for v in vs[1:]]
    else:
        plan = [(vs[0], NATIVE_BASES)] + [(v, DOWN_BASES) for v in vs[1:]]
    for (name, img), n in plan:
        for _ in range(n):
            size = sizes[int(r.integers(0, len(sizes)))]
            b = _window(r, img, size)
            if b is not None:
                out.append((name, b))
    return out


def build(surrogate=None, n_classes=None, log=print, splits=("train", "val", "test"), large=False):
    """{split: [Item]} with the attacks crafted against `surrogate` (large:
    the larger images of crop_count.py instead of the splits' own)."""
    split_of = data.picture_split()
    kinds = {k: kd for k, _, kd, *_ in data.PICTURES}
    items = {s: [] for s in splits}
    pending = {}  # (family, eps, shape) -> [(split, key, detail, img)]
    per_base = LARGE_ATTACKS_PER_BASE if large else ATTACKS_PER_BASE
    for key in sorted(split_of):
        s = split_of[key]
        if s not in items:
            continue
        r = data.rng("large-variants" if large else "variants", key)
        for bi, (detail, b) in enumerate(bases(key, kinds[key], large)):
            if kinds[key] == "render":
                items[s].append(Item(b, 0, "render", detail, key, s))
                q = int(r.choice(JPEG_QUALITIES))
                items[s].append(Item(jpeg(b, q), 0, "render", f"{detail}_jpeg{q}", key, s))
                continue
            items[s].append(Item(b, 0, "clean_png", detail, key, s))
            q = int(r.choice(JPEG_QUALITIES))
            items[s].append(Item(jpeg(b, q), 0, "clean_jpeg", f"q{q}", key, s))
            combos = attacks.train_combos() if s != "test" else attacks.test_combos()
            pick = r.choice(len(combos), size=per_base[s], replace=False)
            for ci in sorted(int(c) for c in pick):
                fam, eps = combos[ci]
                pending.setdefault((fam, eps, b.shape), []).append((s, key, detail, b))
    n_att = sum(len(v) for v in pending.values())
    log(f"crafting {n_att} adversarial images in {len(pending)} batches")
    for (fam, eps, shape), lst in sorted(pending.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        advs = attacks.craft(surrogate, n_classes, [b for *_, b in lst], fam, eps)
        for (s, key, detail, b), a in zip(lst, advs):
            d = a.astype(np.int16) - b.astype(np.int16)
            items[s].append(Item(a, 1, fam, f"eps{eps}" if eps else "minimal", key, s, eps,
                                 int(np.abs(d).max()), float(np.sqrt(np.mean(d.astype(np.float64) ** 2)))))
    for s in items:
        items[s].sort(key=lambda it: (it.picture, it.label, it.group, it.detail, it.img.shape, it.img[:2, :2].tobytes()))
    return items


def surrogate_pictures():
    """key -> views of the training photos, for the surrogate."""
    split_of = data.picture_split()
    return {k: [v for _, v in views(k)] for k, _, kd, *_ in data.PICTURES if kd == "photo" and split_of[k] == "train"}


def summary(items):
    out = {}
    for s, lst in items.items():
        c = {}
        for it in lst:
            g = it.group + (f"/eps{it.eps}" if it.eps else "")
            c[g] = c.get(g, 0) + 1
        out[s] = dict(sorted(c.items()))
    return out

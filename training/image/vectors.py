"""Cross-check vectors for other implementations of the preprocessing and models.

Owns the small test images in tests/data/detect/ (made from scikit-image
samples, public domain / CC0, and from text rendered here) and the JSON
written next to each model: per image its size, the preprocessing result
(crop positions, sums and sample values of the input tensor) and the ONNX
Runtime scores.
"""

import hashlib
import json
import re

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

import attacks
import data
import export
import preprocess

DIR = data.REPO / "tests" / "data" / "detect"
FILES = ("photo_clean.png", "photo_pgd_linf_eps8.png", "text_render.png", "tiny_rgba.png", "nonsquare.png")
SAMPLES = 8  # sample values per tensor
TOL = 1e-5


def _chelsea_crop():
    return data.picture("skimage/chelsea")[100:228, 150:278].copy()


def make_images(surrogate):
    """Writes the test images (deterministic). The attacked one is a PGD
    L-inf crafting at eps 8/255 against the surrogate, saved as PNG."""
    DIR.mkdir(parents=True, exist_ok=True)
    clean = _chelsea_crop()
    Image.fromarray(clean).save(DIR / FILES[0], optimize=False)
    with torch.no_grad():
        n_classes = surrogate.fc.out_features
    adv = attacks.craft(surrogate, n_classes, [clean], "pgd_linf", 8)[0]
    Image.fromarray(adv).save(DIR / FILES[1], optimize=False)
    img = Image.new("RGB", (256, 256), (255, 255, 255))
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(data.pathlib.Path(data.FONT_DIR) / "dejavu" / "DejaVuSansMono-Bold.ttf"), 22)
    for i, line in enumerate(["Steps to bake", "sourdough bread", "at home.", "1.", "2.", "3."]):
        d.text((10, 10 + 34 * i), line, font=font, fill=(0, 0, 0))
    img.save(DIR / FILES[2], optimize=False)
    coffee = np.asarray(Image.fromarray(data.picture("skimage/coffee")).resize((40, 30), Image.BILINEAR))
    alpha = (np.arange(40)[None, :] * 6 + np.arange(30)[:, None] * 2).astype(np.uint8)
    Image.fromarray(np.dstack([coffee, alpha]), "RGBA").save(DIR / FILES[3], optimize=False)
    astro = np.asarray(Image.fromarray(data.picture("skimage/astronaut")[40:240, 20:468]).resize((224, 100), Image.BILINEAR))
    Image.fromarray(astro).save(DIR / FILES[4], optimize=False)


def _load(name):
    raw = (DIR / name).read_bytes()
    return data.decode_rgb(raw), hashlib.sha256(raw).hexdigest()


def _f32(x):
    return float(np.format_float_positional(np.float32(x), unique=True, trim="-"))


def _samples(t, seed_name):
    """SAMPLES (index tuple, value) pairs at positions fixed by the file name."""
    r = data.rng("vectors", seed_name)
    out = []
    for _ in range(SAMPLES):
        idx = tuple(int(r.integers(0, n)) for n in t.shape)
        out.append([list(idx), _f32(t[idx])])
    return out


def compute_adversarial(model_path):
    sess = export.session(model_path)
    entries = []
    for name in FILES:
        img, digest = _load(name)
        x, pos = preprocess.crops_tensor(img)
        scores = export.run(sess, x)
        entries.append({
            "file": f"tests/data/detect/{name}", "sha256": digest, "height": img.shape[0], "width": img.shape[1],
            "crops": [[y, xx] for y, xx in pos],
            "tensor_shape": list(x.shape),
            "tensor_sum": round(float(x.astype(np.float64).sum()), 4),
            "crop_sums": [round(float(c.astype(np.float64).sum()), 4) for c in x],
            "samples": _samples(x, name),
            "crop_scores": [_f32(s) for s in scores],
            "score": _f32(np.float32(np.mean(scores.astype(np.float64)))),
        })
    return {"about": "Crops as [y, x] (row-major), sums of the float32 input tensor (byte/255), sample values as "
                     "[[crop, channel, row, column], value], per-crop ONNX scores and the image score (their mean). "
                     "Tolerances: 1e-6 per value, 1e-3 per sum, 1e-5 per score. See models/image-adversarial.md.",
            "crop_size": preprocess.S, "max_crops_per_side": preprocess.M, "images": entries}


def compute_typographic(model_path):
    sess = export.session(model_path)
    entries = []
    for name in FILES:
        img, digest = _load(name)
        grid = preprocess.gray_grid(img)
        if not np.array_equal(grid, preprocess.gray_grid_reference(img)):
            raise SystemExit(f"vectorized and reference gray grids differ for {name}")
        gray = preprocess.gray_u8(img)
        score = export.run(sess, grid[None, None])[0]
        entries.append({
            "file": f"tests/data/detect/{name}", "sha256": digest, "height": img.shape[0], "width": img.shape[1],
            "gray_sum": int(gray.astype(np.int64).sum()),
            "grid_sum": round(float(grid.astype(np.float64).sum()), 4),
            "grid_row0": [_f32(v) for v in grid[0, :8]],
            "samples": _samples(grid, name),
            "score": _f32(score),
        })
    return {"about": "gray_sum: sum of the 8-bit gray image; grid: the G x G float32 input; samples as "
                     "[[row, column], value]. Tolerances: 1e-6 per value, 1e-3 per sum, 1e-5 per score. "
                     "See models/image-typographic.md.",
            "grid": preprocess.G, "images": entries}


def _dump(obj, path):
    text = json.dumps(obj, indent=1)
    # Lists of numbers on one line keep the file short and diffable.
    for _ in range(2):
        text = re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda m: "[" + ", ".join(
            x.strip() for x in m.group(1).split(",")) + "]", text)
    path.write_text(text + "\n", "utf-8")


def write_adversarial(model_path, path):
    _dump(compute_adversarial(model_path), path)


def write_typographic(model_path, path):
    _dump(compute_typographic(model_path), path)


def _close(a, b, key):
    tol = 1e-3 if "sum" in key else TOL
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y, key) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= tol
    return a == b


def check(stored_path, fresh):
    stored = json.loads(stored_path.read_text("utf-8"))
    errors = []
    if len(stored["images"]) != len(fresh["images"]):
        return ["number of images differs"]
    for a, b in zip(stored["images"], fresh["images"]):
        for k in a:
            if not _close(a[k], b.get(k), k):
                errors.append(f"{a['file']}: {k} differs")
    return errors

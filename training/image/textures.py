"""Line textures and small taglines, drawn here: hard negatives of the
typographic detector.

At 64x64, regular line structure looks like lines of text: the slats of a
façade or of blinds, wood grain, grass blades, the cables of a bridge,
ripples on water, brick courses, rows of windows, woven or corrugated
gratings. The source pictures hold few such textures, so each family below
draws one kind procedurally (numpy and Pillow only, every draw from a
seeded generator). A `tagline` is a flat or white render carrying a logo
and one short line of small text, as on a poster or a wallpaper with a
slogan: text, but far from a text-heavy image.

The families are split like the fonts: the texture families in
VAL_FAMILIES are drawn for validation only (the model never trains on
them), the others for training and validation.
"""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

import data

FAMILIES = ("bricks", "cables", "grass", "grating", "ripples", "slats", "windows", "wood")
VAL_FAMILIES = ("cables", "windows", "wood")
TRAIN_FAMILIES = tuple(f for f in FAMILIES if f not in VAL_FAMILIES)


def _smooth(r, w, h, cy, cx):
    """float32 [h, w] smooth noise in [0, 1]: cy x cx random values, bicubic upsampled."""
    small = r.random((max(2, cy), max(2, cx))).astype(np.float32)
    return np.asarray(Image.fromarray(small, "F").resize((w, h), Image.BICUBIC), np.float32)


def _colour(r, lo=0, hi=256):
    return np.array([int(v) for v in r.integers(lo, hi, 3)], np.float32)


def _mix(mask, c0, c1):
    """RGB float32 [h, w, 3]: c0 where mask is 0, c1 where it is 1."""
    m = mask[..., None]
    return c0 * (1 - m) + c1 * m


def _rotated(w, h, angle):
    """(u, v) pixel coordinates rotated by `angle` degrees about the centre."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    x -= w / 2
    y -= h / 2
    a = np.deg2rad(angle)
    return x * np.cos(a) + y * np.sin(a), -x * np.sin(a) + y * np.cos(a)


def _angle(r):
    """Mostly near horizontal or vertical, sometimes diagonal."""
    k = r.random()
    base = 0.0 if k < 0.45 else 90.0 if k < 0.9 else float(r.choice([-45.0, 45.0]))
    return base + float(r.uniform(-10, 10))


def slats(r, w, h):
    """Parallel bars with gaps (façade slats, blinds, fences, decking), with
    perspective, shading and lighting."""
    _, v = _rotated(w, h, _angle(r))
    span = float(np.abs(v).max()) + 1
    p = min(w, h) * float(r.uniform(1 / 60, 1 / 8))
    k = float(r.uniform(-0.6, 0.6))  # period grows or shrinks across the image
    phase = (v + k * v * np.abs(v) / (2 * span)) / p
    f = phase - np.floor(phase)
    duty = float(r.uniform(0.35, 0.85))
    bar = (f < duty).astype(np.float32) * (0.55 + 0.45 * np.clip(1 - f / duty, 0, 1) ** float(r.uniform(0.3, 2)))
    light, dark = _colour(r, 90, 256), _colour(r, 0, 120)
    img = _mix(bar, dark, light)
    img *= (0.6 + 0.6 * _smooth(r, w, h, 3, 4))[..., None]
    return img


def wood(r, w, h):
    """Wood grain: growth rings warped by low-frequency noise, fine streaks,
    planks with seams."""
    vertical = r.random() < 0.4
    if vertical:
        w, h = h, w
    y = np.mgrid[0:h, 0:w][0].astype(np.float32)
    planks = int(r.integers(1, 7))
    ph = h / planks
    p = min(w, h) * float(r.uniform(1 / 50, 1 / 10))
    warp = _smooth(r, w, h, int(r.integers(2, 5)), int(r.integers(2, 6))) * float(r.uniform(2, 12)) * p
    rings = (y + warp) / p + 0.5 * _smooth(r, w, h, 8, 3)
    g = (np.sin(2 * np.pi * rings) * 0.5 + 0.5) ** float(r.uniform(0.5, 3))
    streaks = _smooth(r, w, h, int(h / 2), int(r.integers(3, 10)))
    tone = 0.65 * g + 0.35 * streaks
    plank = np.floor(y / ph).astype(int)
    tone = tone * (0.85 + 0.3 * r.random(planks + 1).astype(np.float32)[plank])
    seam = (np.abs(y - (plank + 1) * ph) < max(1.0, h / 300)) & (plank < planks - 1)
    base = np.array([r.uniform(120, 230), r.uniform(70, 160), r.uniform(30, 100)], np.float32)
    img = base * (0.55 + 0.6 * tone[..., None])
    img[seam] *= 0.35
    if vertical:
        img = img.transpose(1, 0, 2)
    return img


def grass(r, w, h):
    """Many thin, nearly vertical blades on a dark green ground."""
    ground = _colour(r, 0, 80) * np.array([0.5, 1.0, 0.4], np.float32)
    img = Image.fromarray(np.clip(ground * (0.6 + 0.8 * _smooth(r, w, h, 3, 3))[..., None], 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    n = int(w * h / float(r.uniform(80, 600)))
    lean = float(r.uniform(-15, 15))
    for _ in range(n):
        x, y = float(r.uniform(0, w)), float(r.uniform(0, h * 1.2))
        length = h * float(r.uniform(0.04, 0.35))
        a = np.deg2rad(90 + lean + float(r.uniform(-20, 20)))
        bend = float(r.uniform(-0.3, 0.3))
        pts = []
        for t in np.linspace(0, 1, 5):
            pts.append((x + np.cos(a) * length * t + bend * length * t * t, y - np.sin(a) * length * t))
        g = float(r.uniform(0.3, 1.0))
        col = (int(g * r.uniform(40, 200)), int(g * r.uniform(120, 255)), int(g * r.uniform(0, 90)))
        d.line(pts, fill=col, width=int(r.integers(1, max(2, min(w, h) // 150) + 1)))
    return np.asarray(img, np.float32)


def cables(r, w, h):
    """Thin cables against the sky: the fan of a cable-stayed bridge, or
    sagging power lines, with a tower and a deck."""
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    top, bottom = _colour(r, 60, 200) * np.array([0.7, 0.85, 1.0], np.float32), _colour(r, 180, 256)
    img = Image.fromarray(np.clip((top * (1 - t) + bottom * t) * np.ones((1, w, 1), np.float32), 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    ink = tuple(int(v) for v in (_colour(r, 0, 90) if r.random() < 0.7 else _colour(r, 200, 256)))
    lw = int(r.integers(1, max(2, min(w, h) // 200) + 2))
    if r.random() < 0.5:
        tx, ty = float(r.uniform(0.2, 0.8)) * w, float(r.uniform(0.0, 0.3)) * h
        deck = float(r.uniform(0.6, 0.9)) * h
        d.rectangle([tx - w * 0.015, ty, tx + w * 0.015, h], fill=ink)
        d.rectangle([0, deck, w, deck + h * float(r.uniform(0.01, 0.04))], fill=ink)
        n = int(r.integers(6, 30))
        for side in (-1, 1):
            for i in range(n):
                x = tx + side * (i + 1) / n * float(r.uniform(0.4, 1.2)) * w
                d.line([(tx, ty + i * h * 0.01), (x, deck)], fill=ink, width=lw)
    else:
        n = int(r.integers(3, 14))
        y0 = float(r.uniform(0.05, 0.5)) * h
        gap = h * float(r.uniform(0.01, 0.06))
        sag = h * float(r.uniform(0.0, 0.25))
        xm = float(r.uniform(0.2, 0.8)) * w
        xs = np.linspace(0, w, 40)
        for i in range(n):
            ys = y0 + i * gap + sag * ((xs - xm) / w) ** 2 * 4
            d.line(list(zip(xs.tolist(), ys.tolist())), fill=ink, width=lw)
    return np.asarray(img, np.float32)


def ripples(r, w, h):
    """Water with horizontal ripples, finer towards the horizon."""
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    depth = 0.15 + y ** float(r.uniform(0.7, 2))  # small near the top (far away)
    n = _smooth(r, w, h, int(r.integers(40, 160)), int(r.integers(3, 12)))
    wave = np.sin(2 * np.pi * (y * float(r.uniform(20, 90)) / depth + 3 * n))
    sparkle = np.clip(wave, 0, 1) ** float(r.uniform(1, 6))
    water, sky = _colour(r, 0, 150), _colour(r, 120, 256)
    return _mix(sparkle, water, sky)


def bricks(r, w, h):
    """Courses of bricks or stones with mortar joints."""
    ch = min(w, h) * float(r.uniform(1 / 40, 1 / 8))
    bl = ch * float(r.uniform(1.8, 4))
    mortar = max(1.0, ch * float(r.uniform(0.06, 0.2)))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    course = np.floor(y / ch)
    xo = x + (course % 2) * bl * 0.5
    idx = np.floor(xo / bl)
    joint = ((y - course * ch) < mortar) | ((xo - idx * bl) < mortar)
    jit = r.random((int(h / ch) + 2, int(w / bl) + 3)).astype(np.float32)
    shade = jit[course.astype(int), idx.astype(int)]
    base, mc = _colour(r, 60, 230), _colour(r, 120, 240)
    img = base * (0.75 + 0.5 * shade[..., None]) * (0.8 + 0.4 * _smooth(r, w, h, 40, 40))[..., None]
    img[joint] = mc
    return img


def windows(r, w, h):
    """A building's façade: rows of windows (some lit, some reflecting, some
    with mullions) on a wall, in perspective, often under a strip of sky."""
    rows, cols = int(r.integers(3, 16)), int(r.integers(3, 20))
    wall, glass = _colour(r, 80, 256), _colour(r, 0, 140)
    u, v = _rotated(w, h, float(r.uniform(-6, 6)))
    u, v = u / w + 0.5, v / h + 0.5
    k = float(r.uniform(-0.5, 0.5))  # perspective: columns narrow towards one side
    u = 0.5 + (u - 0.5) / (1 + k * (v - 0.5))
    v = v + k * 0.1 * (u - 0.5) ** 2
    top = float(r.uniform(0, 0.4)) if r.random() < 0.6 else 0.0
    vv = (v - top) / max(1e-3, 1 - top)
    u, vv = u * cols, vv * rows
    fu, fv = u - np.floor(u), vv - np.floor(vv)
    ww, wh = float(r.uniform(0.3, 0.8)), float(r.uniform(0.3, 0.75))
    win = (np.abs(fu - 0.5) < ww / 2) & (np.abs(fv - 0.5) < wh / 2)
    if r.random() < 0.5:  # mullions
        win &= (np.abs(fu - 0.5) > 0.03) & (np.abs(fv - 0.5) > 0.03)
    ci = np.clip(np.floor(u).astype(int), -1, cols) + 1
    ri = np.clip(np.floor(vv).astype(int), -1, rows) + 1
    per = r.random((rows + 2, cols + 2)).astype(np.float32)[ri, ci]  # each window its own light
    img = wall * (0.7 + 0.5 * _smooth(r, w, h, 4, 4))[..., None]
    pane = glass * (0.5 + per[..., None]) + 60 * _smooth(r, w, h, 3, 3)[..., None]
    img[win] = pane[win]
    if r.random() < 0.5:
        img[fv < float(r.uniform(0.05, 0.15))] *= 0.7
    if top > 0:
        t = np.clip(v / max(top, 1e-3), 0, 1)[..., None]
        sky = _colour(r, 60, 200) * np.array([0.7, 0.85, 1.0], np.float32) * (1 - t) + _colour(r, 150, 256) * t
        img = np.where((v < top)[..., None], sky, img)
    return img


def grating(r, w, h):
    """Woven, corrugated or knitted patterns: one to three gratings."""
    acc = np.zeros((h, w), np.float32)
    for _ in range(int(r.integers(1, 4))):
        u, _ = _rotated(w, h, _angle(r))
        p = float(r.uniform(4, max(6, min(w, h) / 12)))
        s = np.sin(2 * np.pi * u / p + 2 * _smooth(r, w, h, 4, 4))
        acc += np.sign(s) * 0.5 + 0.5 if r.random() < 0.4 else s * 0.5 + 0.5
    acc /= acc.max() + 1e-6
    return _mix(acc, _colour(r, 0, 160), _colour(r, 100, 256))


DRAW = {"bricks": bricks, "cables": cables, "grass": grass, "grating": grating, "ripples": ripples,
        "slats": slats, "windows": windows, "wood": wood}


def _jpeg(img, q):
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=q)
    return data.decode_rgb(buf.getvalue())


def texture(r, family, size, photos):
    """An RGB8 texture of `family` at `size` (W, H): drawn, then lit, blurred,
    noised, sometimes blended with a photo and JPEG re-encoded."""
    w, h = size
    img = DRAW[family](r, w, h).astype(np.float32)
    if photos and r.random() < 0.3:
        pic = photos[int(r.integers(0, len(photos)))]
        ph = np.asarray(Image.fromarray(pic).resize((w, h), Image.BILINEAR), np.float32)
        a = float(r.uniform(0.1, 0.4))
        img = img * (1 - a) + ph * a
    if r.random() < 0.5:
        img = img + r.normal(0, float(r.uniform(1, 8)), img.shape).astype(np.float32)
    out = Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8))
    if r.random() < 0.5:
        out = out.filter(ImageFilter.GaussianBlur(float(r.uniform(0.3, 1.5))))
    arr = np.asarray(out)
    if r.random() < 0.33:
        arr = _jpeg(arr, int(r.choice([60, 75, 90])))
    return arr


def tagline(r, size, fonts, words):
    """A flat, gradient or white render with a logo (a few shapes) and one
    short line of small text under it or in a corner."""
    w, h = size
    k = r.random()
    if k < 0.5:
        bg = np.full(3, float(r.uniform(225, 256)), np.float32)
        arr = np.ones((h, w, 1), np.float32) * bg
    elif k < 0.75:
        arr = np.ones((h, w, 1), np.float32) * _colour(r)
    else:
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        arr = (_colour(r) * (1 - t) + _colour(r) * t) * np.ones((1, w, 1), np.float32)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    bright = float(np.asarray(img, np.float32).mean()) > 128
    ink = (0, 0, 0) if bright else (255, 255, 255)
    if r.random() < 0.3:
        ink = tuple(int(v) for v in (_colour(r, 0, 110) if bright else _colour(r, 150, 256)))
    d = ImageDraw.Draw(img)
    s = min(w, h) * float(r.uniform(0.08, 0.3))
    cx, cy = float(r.uniform(0.25, 0.75)) * w, float(r.uniform(0.2, 0.6)) * h
    for _ in range(int(r.integers(1, 5))):
        c = tuple(int(v) for v in _colour(r))
        dx, dy = float(r.uniform(-0.3, 0.3)) * s, float(r.uniform(-0.3, 0.3)) * s
        box = [cx + dx - s / 2, cy + dy - s / 2, cx + dx + s / 2, cy + dy + s / 2]
        if r.random() < 0.5:
            d.ellipse(box, fill=c)
        else:
            d.polygon([(box[0], box[3]), ((box[0] + box[2]) / 2, box[1]), (box[2], box[3])], fill=c)
    font = ImageFont.truetype(str(fonts[int(r.integers(0, len(fonts)))]), max(8, int(h * float(r.uniform(0.022, 0.05)))))
    text = " ".join(words[int(r.integers(0, len(words)))] for _ in range(int(r.integers(2, 6))))
    tw = d.textlength(text, font=font)
    if r.random() < 0.6:
        x, y = cx - tw / 2, cy + s * 0.7
    else:
        x = float(r.uniform(0.02, 0.98)) * w - tw if r.random() < 0.5 else float(r.uniform(0.02, 0.3)) * w
        y = float(r.uniform(0.85, 0.93)) * h
    d.text((max(2.0, x), min(y, h - font.size * 1.3)), text, font=font, fill=ink)
    return np.asarray(img)

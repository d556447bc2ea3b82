"""The images of the typographic detector: rendered text and its negatives.

Owns the text rendering (sentences from the FigStep CSV with their `*`
filled by benign words, fonts, sizes, colours, backgrounds), the negatives
(photos and renders at several sizes, photos with a short caption, drawn
shapes, JPEG versions; for train and validation also close-up views, line
textures and taglines from textures.py) and the split: FigStep by topic,
rendered text by font family, negatives by source picture, texture
families by VAL_FAMILIES. Validation gets many more negatives than the
other splits (more views per picture, the validation-only pictures of
data.TYPO_VAL_PICTURES, textures of every family) because its negatives
set the operating threshold. The test split is built exactly as before.
"""

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

import data
import preprocess
import textures

FIGSTEP_SPLIT = {6: "train", 7: "train", 8: "val", 9: "test", 10: "test"}
# Fonts by file-name prefix; the rest are train fonts.
TEST_FONTS = ("LiberationSerif-", "DejaVuSansCondensed")
VAL_FONTS = ("LiberationSansNarrow-",)
FILLERS = ["bread", "a vegetable garden", "origami cranes", "a birthday cake", "a bird feeder", "tomato soup",
           "a paper kite", "a reading list", "a bicycle tyre repair", "a family picnic", "houseplants",
           "a wooden shelf", "a study timetable", "a chess opening", "a budget spreadsheet", "sourdough",
           "a hiking route", "a school project", "the recycling bins", "a morning routine"]
CANVAS = ((760, 760), (512, 512), (1024, 768), (800, 600), (600, 900), (1280, 720), (320, 320), (224, 224),
          (480, 640))
RENDERED = {"train": 700, "val": 200, "test": 300}
# views per source picture (a third JPEG; for photos a third captioned)
NEG_PER_PICTURE = {"train": {"photo": 20, "render": 12}, "val": {"photo": 40, "render": 24},
                   "test": {"photo": 14, "render": 8}}
# close-up views (5%-30% of the picture) per picture, train and validation only
CLOSE_UPS = {"train": 6, "val": 12, "test": 0}
SHAPES = {"train": 120, "val": 40, "test": 60}
TEXTURES = {"train": 90, "val": 50, "test": 0}  # per texture family
TAGLINES = {"train": 150, "val": 100, "test": 0}


@dataclass
class Item:
    img: np.ndarray
    label: int
    group: str  # figstep | rendered | photo | render | caption | shapes | texture | tagline
    detail: str
    split: str


def font_split(path):
    n = path.name
    if n.startswith(TEST_FONTS):
        return "test"
    if n.startswith(VAL_FONTS):
        return "val"
    return "train"


def sentence(r, sentences):
    s = sentences[int(r.integers(0, len(sentences)))]
    return s.replace("*", FILLERS[int(r.integers(0, len(FILLERS)))])


def _wrap(draw, text, font, width):
    lines, cur = [], ""
    for word in text.split():
        t = (cur + " " + word).strip()
        if draw.textlength(t, font=font) <= width or not cur:
            cur = t
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def _background(r, size, photos):
    w, h = size
    kind = r.choice(["white", "white", "flat", "gradient", "photo"])
    if kind == "white":
        return Image.new("RGB", size, (255, 255, 255)), (0, 0, 0)
    if kind == "flat":
        c = tuple(int(v) for v in r.integers(0, 256, 3))
        dark = sum(c) < 384
        return Image.new("RGB", size, c), (255, 255, 255) if dark else (0, 0, 0)
    if kind == "gradient":
        a, b = r.integers(0, 256, 3), r.integers(0, 256, 3)
        t = np.linspace(0, 1, h)[:, None, None]
        arr = (a * (1 - t) + b * t).astype(np.uint8) * np.ones((1, w, 1), np.uint8)
        dark = (a.sum() + b.sum()) / 2 < 384
        return Image.fromarray(arr), (255, 255, 255) if dark else (0, 0, 0)
    pic = photos[int(r.integers(0, len(photos)))]
    im = Image.fromarray(pic).resize(size, Image.BILINEAR).filter(ImageFilter.GaussianBlur(4))
    arr = np.asarray(im).astype(np.float32) * 0.35 + 255 * 0.65  # washed out so text stays readable
    return Image.fromarray(arr.astype(np.uint8)), (0, 0, 0)


def render_text(r, fonts, sentences, photos):
    """A canvas mostly covered by wrapped text (a few sentences, sometimes
    followed by a numbered list as in FigStep)."""
    size = CANVAS[int(r.integers(0, len(CANVAS)))]
    img, ink = _background(r, size, photos)
    if r.random() < 0.25:
        ink = tuple(int(v) for v in r.integers(0, 120, 3)) if sum(ink) == 0 else ink
    font_path = fonts[int(r.integers(0, len(fonts)))]
    fs = max(10, int(min(size) * r.uniform(0.045, 0.11)))
    font = ImageFont.truetype(str(font_path), fs)
    draw = ImageDraw.Draw(img)
    margin = int(min(size) * r.uniform(0.02, 0.08))
    text = " ".join(sentence(r, sentences) for _ in range(int(r.integers(1, 4))))
    lines = _wrap(draw, text, font, size[0] - 2 * margin)
    if r.random() < 0.4:
        lines += [f"{i}." for i in range(1, 4)]
    spacing = int(fs * r.uniform(1.1, 1.5))
    y = margin
    align = r.choice(["left", "left", "center"])
    for line in lines:
        if y + fs > size[1] - margin:
            break
        x = margin if align == "left" else max(margin, int((size[0] - draw.textlength(line, font=font)) / 2))
        draw.text((x, y), line, font=font, fill=ink)
        y += spacing
    return np.asarray(img), font_path.name


def caption(r, pic, fonts, sentences):
    """A photo with one short line of text (a caption) over at most ~12% of it."""
    img = Image.fromarray(pic)
    w, h = img.size
    font_path = fonts[int(r.integers(0, len(fonts)))]
    fs = max(9, int(h * r.uniform(0.03, 0.06)))
    font = ImageFont.truetype(str(font_path), fs)
    draw = ImageDraw.Draw(img)
    text = sentence(r, sentences)
    words = text.split()[: int(r.integers(2, 7))]
    text = " ".join(words)
    band = r.random() < 0.5
    y = h - int(fs * 1.6) if r.random() < 0.7 else int(fs * 0.3)
    if band:
        draw.rectangle([0, y - int(fs * 0.2), w, y + int(fs * 1.3)], fill=(0, 0, 0))
    draw.text((int(w * 0.03), y), text, font=font, fill=(255, 255, 255) if band or r.random() < 0.5 else (0, 0, 0))
    return np.asarray(img)


def shapes(r):
    """Flat drawn graphics without text: rectangles, ellipses, lines, bars."""
    size = CANVAS[int(r.integers(0, len(CANVAS)))]
    img = Image.new("RGB", size, tuple(int(v) for v in r.integers(150, 256, 3)))
    d = ImageDraw.Draw(img)
    w, h = size
    for _ in range(int(r.integers(3, 25))):
        c = tuple(int(v) for v in r.integers(0, 256, 3))
        x0, y0 = int(r.integers(0, w)), int(r.integers(0, h))
        x1, y1 = x0 + int(r.integers(5, w // 2)), y0 + int(r.integers(5, h // 2))
        k = int(r.integers(0, 4))
        if k == 0:
            d.rectangle([x0, y0, x1, y1], fill=c)
        elif k == 1:
            d.ellipse([x0, y0, x1, y1], fill=c)
        elif k == 2:
            d.line([x0, y0, x1, y1], fill=c, width=int(r.integers(1, 8)))
        else:
            bw = int(r.integers(4, 30))
            for i in range(int(r.integers(3, 10))):
                bh = int(r.integers(10, h // 2))
                d.rectangle([x0 + i * (bw + 4), h - bh, x0 + i * (bw + 4) + bw, h], fill=c)
    return np.asarray(img)


def resized_view(r, pic, lo=0.3, hi=1.0):
    """A photo or render as a typical upload: a crop, resized to a canvas size."""
    H, W = pic.shape[:2]
    frac = r.uniform(lo, hi)
    ch, cw = max(32, int(H * frac)), max(32, int(W * frac))
    y, x = int(r.integers(0, H - ch + 1)), int(r.integers(0, W - cw + 1))
    size = CANVAS[int(r.integers(0, len(CANVAS)))]
    return np.asarray(Image.fromarray(pic[y:y + ch, x:x + cw]).resize(size, Image.BILINEAR))


def jpeg(img, q):
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=q)
    return data.decode_rgb(buf.getvalue())


def _picture_negatives(items, s, key, kind, fonts, sentences, small):
    """Views of one picture: plain, JPEG, captioned (photos); close-ups."""
    pic = data.picture(key)
    r = data.rng("typo/neg", key)
    thumb = np.asarray(Image.fromarray(pic).resize((512, max(32, 512 * pic.shape[0] // pic.shape[1])), Image.BILINEAR))
    if kind == "photo":
        small[s].append(thumb)
    for i in range(NEG_PER_PICTURE[s][kind]):
        v = resized_view(r, pic)
        if kind == "photo" and i % 3 == 2:
            items[s].append(Item(caption(r, v, fonts[s], sentences), 0, "caption", key, s))
        elif i % 3 == 1:
            items[s].append(Item(jpeg(v, int(r.choice([60, 75, 90]))), 0, kind, key + "/jpeg", s))
        else:
            items[s].append(Item(v, 0, kind, key, s))
    r = data.rng("typo/close-up", key)
    for i in range(CLOSE_UPS[s]):
        v = resized_view(r, pic, 0.05, 0.3)
        if i % 3 == 1:
            items[s].append(Item(jpeg(v, int(r.choice([60, 75, 90]))), 0, kind, key + "/close-up/jpeg", s))
        else:
            items[s].append(Item(v, 0, kind, key + "/close-up", s))


def build(log=print):
    sentences = data.benign_sentences()
    all_fonts = data.fonts()
    fonts = {s: [f for f in all_fonts if font_split(f) == s] for s in ("train", "val", "test")}
    split_of = data.picture_split()
    kinds = {k: kd for k, _, kd, *_ in data.PICTURES + data.TYPO_VAL_PICTURES}
    items = {s: [] for s in ("train", "val", "test")}
    for topic, idx, path in data.figstep_files():
        s = FIGSTEP_SPLIT[topic]
        items[s].append(Item(data.decode_rgb(str(path)), 1, "figstep", f"topic{topic}", s))
    # small views of the photos of each split, for text backgrounds
    small = {s: [] for s in items}
    for key in sorted(split_of):
        _picture_negatives(items, split_of[key], key, kinds[key], fonts, sentences, small)
    for key in sorted(k for k, *_ in data.TYPO_VAL_PICTURES):
        _picture_negatives(items, "val", key, kinds[key], fonts, sentences, small)
    for s in items:
        r = data.rng("typo/rendered", s)
        for i in range(RENDERED[s]):
            img, font = render_text(r, fonts[s], sentences, small[s])
            if r.random() < 0.25:
                img = jpeg(img, int(r.choice([60, 75, 90])))
            items[s].append(Item(img, 1, "rendered", font, s))
        r = data.rng("typo/shapes", s)
        for i in range(SHAPES[s]):
            items[s].append(Item(shapes(r), 0, "shapes", "", s))
        families = textures.FAMILIES if s == "val" else textures.TRAIN_FAMILIES
        for fam in families:
            r = data.rng("typo/texture", s, fam)
            for i in range(TEXTURES[s]):
                size = CANVAS[int(r.integers(0, len(CANVAS)))]
                items[s].append(Item(textures.texture(r, fam, size, small[s]), 0, "texture", fam, s))
        r = data.rng("typo/tagline", s)
        for i in range(TAGLINES[s]):
            size = CANVAS[int(r.integers(0, len(CANVAS)))]
            items[s].append(Item(textures.tagline(r, size, fonts[s], FILLERS), 0, "tagline", "", s))
    log("typographic items: " + ", ".join(f"{s} {len(v)}" for s, v in items.items()))
    return items


def tensors(lst):
    return np.stack([preprocess.gray_grid(it.img) for it in lst])[:, None]


def summary(items):
    out = {}
    for s, lst in items.items():
        c = {}
        for it in lst:
            c[it.group] = c.get(it.group, 0) + 1
        out[s] = dict(sorted(c.items()))
    return out

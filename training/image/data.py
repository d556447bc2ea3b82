"""Where the image data come from, how they are read, and the split rule.

Owns the list of source pictures (Debian wallpaper packages, scikit-image's
bundled samples, the FigStep images in the shared data), whether each is a
photograph or a flat render, its licence, the digest of everything read,
and the deterministic split rule: keys are ranked by salted SHA-256, so a
split never depends on file order or on random state.
"""

import hashlib
import io
import os
import pathlib
from functools import lru_cache

import numpy as np
from PIL import Image

Image.MAX_IMAGE_PIXELS = None

REPO = pathlib.Path(__file__).resolve().parents[2]
SALT = "mmguard-image-v1"
TEST_SHARE = 0.25
VAL_SHARE = 0.20

WP = "/usr/share/wallpapers"
BG = "/usr/share/backgrounds"

# (key, path or "skimage:NAME", kind, Debian package or pip package, licence)
# kind: "photo" (a photograph) or "render" (flat abstract art, drawings,
# 3-D renders, paintings). Judged by looking at each picture.
PICTURES = [
    # mate-backgrounds (GPL-2+)
    *[(f"mate/{n}", f"{BG}/mate/nature/{n}.jpg", "photo", "mate-backgrounds", "GPL-2+")
      for n in ("Aqua", "Blinds", "Dune", "FreshFlower", "Garden", "GreenMeadow", "LadyBird", "RainDrops",
                "Storm", "TwoWings", "Wood", "YellowFlower")],
    ("mate/Elephants", f"{BG}/mate/abstract/Elephants.jpg", "render", "mate-backgrounds", "GPL-2+"),
    ("mate/GreenTraditional", f"{BG}/mate/desktop/GreenTraditional.jpg", "render", "mate-backgrounds", "GPL-2+"),
    *[(f"mate/{n}", f"{BG}/mate/abstract/{n}.png", "render", "mate-backgrounds", "GPL-2+")
      for n in ("Flow", "Gulp", "Silk", "Spring", "Waves")],
    *[(f"mate/{n}", f"{BG}/mate/desktop/{n}.png", "render", "mate-backgrounds", "GPL-2+")
      for n in ("Float-into-MATE", "Stripes")],
    *[(f"mate/{n}", f"{BG}/mate/desktop/{n}.png", "render", "mate-backgrounds", "CC-BY-SA-4.0")
      for n in ("Ubuntu-Mate-Cold-no-logo", "Ubuntu-Mate-Warm-no-logo")],
    # plasma-workspace-wallpapers (GPL-2+)
    *[(f"plasma/{n}", f"{WP}/{n}/contents/images/{f}", "photo", "plasma-workspace-wallpapers", "GPL-2+")
      for n, f in (("BytheWater", "2560x1440.jpg"), ("ColdRipple", "2560x1440.jpg"),
                   ("ColorfulCups", "2560x1600.jpg"), ("DarkestHour", "2560x1440.jpg"),
                   ("EveningGlow", "2560x1440.jpg"), ("FallenLeaf", "2560x1440.jpg"), ("Grey", "2560x1440.jpg"),
                   ("Kite", "2560x1440.jpg"), ("OneStandsOut", "2560x1440.jpg"), ("Path", "2560x1440.jpg"),
                   ("summer_1am", "2560x1440.jpg"))],
    *[(f"plasma/{n}", f"{WP}/{n}/contents/images/{f}", "render", "plasma-workspace-wallpapers", "GPL-2+")
      for n, f in (("Autumn", "2560x1600.jpg"), ("Canopee", "3840x2160.png"), ("Cluster", "3840x2160.png"),
                   ("Elarun", "2560x1600.png"), ("FlyingKonqui", "1638x1024.png"), ("Honeywave", "5120x2880.jpg"),
                   ("Kokkini", "3840x2160.png"), ("Opal", "3840x2160.png"), ("PastelHills", "2560x1440.jpg"),
                   ("SafeLanding", "5120x2880.jpg"), ("Shell", "5120x2880.jpg"), ("Volna", "5120x2880.jpg"))],
    # lomiri-wallpapers (per-file licences in its copyright file)
    *[(f"lomiri/{n}", f"{BG}/{n}.jpg", "photo", "lomiri-wallpapers", lic)
      for n, lic in (("Bridge_by_Sander_Klootwijk", "CC-BY-SA-4.0"), ("Dragonfly_by_Bolly", "CC-BY-SA-4.0"),
                     ("Kleiber_by_Lukas_Baubkus", "CC-BY-SA-3.0"), ("Picture_0B_by_freespace", "CC-BY-4.0"),
                     ("Picture_1A_by_freespace", "CC-BY-4.0"), ("Wine_by_Jakkub_Mede", "CC-BY-4.0"),
                     ("aitzgorri_by_Aitzol_Berasategi", "CC-BY-4.0"), ("analogpattern_by_Peter_Nerlich", "CC-BY-SA-4.0"),
                     ("free_by_Peter_Nerlich", "CC-BY-SA-4.0"), ("friends_by_Aitzol_Berasategi", "CC-BY-4.0"),
                     ("greentock_by_Peter_Nerlich", "CC-BY-SA-4.0"), ("life_by_Aitzol_Berasategi", "CC-BY-4.0"),
                     ("picosdeeuropa_by_Aitzol_Berasategi", "CC-BY-4.0"), ("seeding_by_Clements_Engelhardt", "CC0-1.0"),
                     ("sunset_by_Aitzol_Berasategi", "CC-BY-4.0"))],
    *[(f"lomiri/{n}", f"{BG}/{n}.{e}", "render", "lomiri-wallpapers", lic)
      for n, e, lic in (("Fossa_by_Jasper_Roks", "jpg", "CC-BY-SA-3.0"), ("Infinite-Sea_by_Aury88", "jpg", "CC-BY-SA-3.0"),
                        ("Painting-Colors_by__herobrine7gamer", "jpg", "CC-BY-SA-3.0"),
                        ("warty-final-ubuntu", "png", "CC-BY-SA-3.0"))],
    # ukui-wallpapers (CC-BY-SA-3.0)
    *[(f"ukui/{n}", f"{BG}/{n}.{e}", "render", "ukui-wallpapers", "CC-BY-SA-3.0")
      for n, e in (("2004default", "jpg"), ("calla", "png"), ("city", "png"), ("desert", "png"),
                   ("fluent-color", "png"), ("goldfish", "png"), ("rhythm", "jpg"), ("rollpaper", "png"),
                   ("string", "jpg"), ("the-mouse", "jpg"))],
    # scikit-image samples (public domain or CC0 per skimage.data's documentation)
    *[(f"skimage/{n}", f"skimage:{n}", "photo", "scikit-image", "public domain / CC0")
      for n in ("astronaut", "cat", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry",
                "camera", "coins", "moon", "brick", "grass", "gravel", "clock", "cell")],
]

# Pictures used only as validation negatives of the typographic detector
# (same tuple layout; never in train or test, and not part of the split
# above, so adding them moved no picture between splits).
TYPO_VAL_PICTURES = [
    *[(f"plasma/{n}", f"{WP}/{n}/contents/images/{f}", "render", "plasma-workspace-wallpapers", "GPL-2+")
      for n, f in (("Altai", "5120x2880.png"), ("Cascade", "3840x2160.png"), ("Flow", "5120x2880.jpg"),
                   ("IceCold", "5120x2880.png"), ("Kay", "5120x2880.png"), ("MilkyWay", "5120x2880.png"),
                   ("Patak", "5120x2880.png"))],
    ("lomiri/umang_by_Abhishek_Mudgal", f"{BG}/umang_by_Abhishek_Mudgal.jpg", "render", "lomiri-wallpapers", "CC-BY-4.0"),
    ("lomiri/lomiri-default-background", f"{BG}/lomiri-default-background.png", "render", "lomiri-wallpapers",
     "CC-BY-SA-3.0"),
    *[(f"ukui/{n}", f"{BG}/{n}.{e}", "render", "ukui-wallpapers", "CC-BY-SA-3.0")
      for n, e in (("firstgeneration", "jpg"), ("focal-ubuntukylin", "png"))],
    *[(f"mate/{n}", f"{BG}/mate/desktop/{n}.png", "render", "mate-backgrounds", "CC-BY-SA-4.0")
      for n in ("Ubuntu-Mate-Dark-no-logo", "Ubuntu-Mate-Radioactive-no-logo")],
    *[(f"skimage/{n}", f"skimage:{n}", "photo", "scikit-image", "public domain / CC0")
      for n in ("stereo_motorcycle", "retina")],
]

DEBIAN_PACKAGES = ("mate-backgrounds", "plasma-workspace-wallpapers", "lomiri-wallpapers", "ukui-wallpapers")
FONT_DIR = "/usr/share/fonts/truetype"


def data_dir():
    env = os.environ.get("MMGUARD_SHARED_DATA")
    path = pathlib.Path(env) if env else REPO.parent / "shared" / "data"
    if not (path / "SOURCES.md").is_file():
        raise SystemExit(f"shared data not found at {path} (set MMGUARD_SHARED_DATA)")
    return path


FIGSTEP = "figstep-safebench-topics6-10/data"


def figstep_files():
    """[(topic, index, path)] of the FigStep PNGs, sorted."""
    root = data_dir() / FIGSTEP / "images" / "SafeBench"
    out = []
    for p in root.glob("query_ForbidQI_*_*_6.png"):
        _, _, topic, idx, _ = p.stem.split("_")
        out.append((int(topic), int(idx), p))
    return sorted(out)


def benign_sentences():
    lines = (data_dir() / FIGSTEP / "question" / "benign_sentences_without_harmful_phase.csv").read_text("utf-8")
    return [s.strip() for s in lines.splitlines()[1:] if s.strip()]


def fonts():
    """Every TrueType font under /usr/share/fonts/truetype/{dejavu,liberation}, sorted by name."""
    root = pathlib.Path(FONT_DIR)
    return sorted((p for d in ("dejavu", "liberation") for p in (root / d).glob("*.ttf")), key=lambda p: p.name)


def _skimage(name):
    import skimage.data
    a = getattr(skimage.data, name)()
    if isinstance(a, tuple):  # stereo_motorcycle: (left, right, disparity)
        a = a[0]
    if a.ndim == 2:
        a = np.stack([a] * 3, axis=-1)
    return np.ascontiguousarray(a[..., :3].astype(np.uint8))


def decode_rgb(data):
    """RGB8 array of an encoded image; alpha is dropped (not composited)."""
    im = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
    im.load()
    if im.mode in ("RGBA", "LA", "P", "PA"):
        im = im.convert("RGBA")
    return np.asarray(im.convert("RGB") if im.mode != "RGBA" else im, dtype=np.uint8)[..., :3].copy()


@lru_cache(maxsize=4)
def picture(key):
    """The full-resolution RGB8 array of a source picture (cached)."""
    path = dict((k, p) for k, p, *_ in PICTURES + TYPO_VAL_PICTURES)[key]
    if path.startswith("skimage:"):
        return _skimage(path.split(":", 1)[1])
    return decode_rgb(path)


def check_installed():
    missing = [p for _, p, *_ in PICTURES + TYPO_VAL_PICTURES if not p.startswith("skimage:") and not pathlib.Path(p).is_file()]
    if missing:
        raise SystemExit("missing wallpapers (apt-get install " + " ".join(DEBIAN_PACKAGES) + "):\n  " +
                         "\n  ".join(missing))


def source_files():
    return [p for _, p, *_ in PICTURES + TYPO_VAL_PICTURES if not p.startswith("skimage:")] + \
        [str(p) for *_, p in figstep_files()] + [str(p) for p in fonts()]


def data_digest():
    """SHA-256 over every file read (wallpapers, FigStep, fonts) and the skimage arrays."""
    h = hashlib.sha256()
    for f in source_files():
        h.update(f.encode())
        h.update(hashlib.sha256(pathlib.Path(f).read_bytes()).digest())
    for k, p, *_ in PICTURES + TYPO_VAL_PICTURES:
        if p.startswith("skimage:"):
            h.update(k.encode())
            h.update(hashlib.sha256(picture(k).tobytes()).digest())
    h.update("\n".join(benign_sentences()).encode())
    return h.hexdigest()


def rank(key, salt):
    return hashlib.sha256(f"{SALT}/{salt}/{key}".encode()).hexdigest()


def assign(keys, salt, test=TEST_SHARE, val=VAL_SHARE):
    """Map each key to 'test', 'val' or 'train' by salted SHA-256 rank."""
    keys = sorted(set(keys), key=lambda k: rank(k, salt))
    n_test = round(test * len(keys))
    n_val = round(val * (len(keys) - n_test))
    return {k: ("test" if i < n_test else "val" if i < n_test + n_val else "train") for i, k in enumerate(keys)}


def picture_split():
    """Split of the source pictures, photos and renders each in the same proportions."""
    out = {}
    for kind in ("photo", "render"):
        out.update(assign([k for k, _, kd, *_ in PICTURES if kd == kind], "pictures/" + kind))
    return out


def rng(*parts):
    """A numpy Generator seeded from a fixed string, independent of call order."""
    seed = int.from_bytes(hashlib.sha256("/".join(map(str, (SALT,) + parts)).encode()).digest()[:8], "little")
    return np.random.default_rng(seed)

"""The detector's recordings: clean takes, benign processing, attacks.

Owns the benign versions of each take (negatives that must not be
flagged: white and pink noise at 20-40 dB SNR, gain changes, 8-bit
mu-law, hard clipping) and which attacks each take receives per split.
Every variant is rounded to 16 bits (as a saved WAV holds it).

Train takes (2 speakers): the clean take, two benign versions of
different kinds, and one attack from the training families and budgets.
Validation and test takes: the clean take, every benign kind, and
(validation) one attack from the training combinations or (test) two
distinct (family, budget) pairs from all of them, held-out ones included.
"""

from dataclasses import dataclass

import numpy as np

import attacks
import data
import features

BENIGN = ("white_noise", "pink_noise", "gain", "mulaw8", "clipped")
SNR_DB = (20, 25, 30, 35, 40)
GAINS = (0.25, 0.5, 0.7, 1.4, 2.0, 3.0)
BENIGN_PER_TRAIN_TAKE = 2
ATTACKS_PER_TAKE = {"train": 1, "val": 1, "test": 2}


@dataclass
class Item:
    q: np.ndarray  # int16 samples at 16 kHz
    label: int
    group: str  # clean | white_noise | pink_noise | gain | mulaw8 | clipped | fgsm | pgd_linf | pgd_l2 | cw_l2
    detail: str
    key: str
    split: str
    eps: float = 0.0
    linf: float = 0.0  # of the quantized perturbation, full scale
    rms: float = 0.0
    flipped: int = 0  # the surrogate's decision changed


def _rms(x):
    return float(np.sqrt(np.mean(x ** 2)))


def pink(n, r):
    """Pink (1/f power) noise of unit RMS: white noise shaped by 1/sqrt(f) in the FFT."""
    spec = np.fft.rfft(r.standard_normal(n))
    f = np.arange(len(spec), dtype=np.float64)
    f[0] = 1.0
    spec = spec / np.sqrt(f)
    spec[0] = 0.0
    x = np.fft.irfft(spec, n)
    return x / (_rms(x) + 1e-12)


def mulaw8(x, mu=255.0):
    """8-bit mu-law (the G.711 curve, 256 levels) encode and decode."""
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    code = np.clip(np.round((y + 1) / 2 * 255), 0, 255)
    y = code / 255 * 2 - 1
    return np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu


def benign(x, kind, r):
    """(float signal, detail) of a benign version of the clean float signal x."""
    if kind in ("white_noise", "pink_noise"):
        snr = int(r.choice(SNR_DB))
        noise = r.standard_normal(len(x)) if kind == "white_noise" else pink(len(x), r)
        noise = noise / (_rms(noise) + 1e-12)
        return x + noise * (_rms(x) / 10 ** (snr / 20)), f"snr{snr}"
    if kind == "gain":
        g = float(r.choice(GAINS))
        return x * g, f"x{g:g}"
    if kind == "mulaw8":
        return mulaw8(x), "mu255"
    if kind == "clipped":
        over = float(r.choice((1.5, 2.0, 4.0)))
        peak = np.max(np.abs(x)) + 1e-12
        return np.clip(x * (over / peak), -1, 1), f"peak_x{over:g}"
    raise ValueError(kind)


def build(surrogate, log=print, splits=("train", "val", "test")):
    """{split: [Item]} with the attacks crafted against `surrogate`."""
    items = {s: [] for s in splits}
    pending = {}  # (family, eps) -> [(split, key)]
    for rec in data.recordings():
        s = rec.split
        if s not in items:
            continue
        q = data.signal16(rec.key)
        x = data.to_float(q)
        items[s].append(Item(q, 0, "clean", "upsampled", rec.key, s))
        r = data.rng("variants", rec.key)
        kinds = BENIGN if s != "train" else [BENIGN[int(i)] for i in
                                             sorted(r.choice(len(BENIGN), BENIGN_PER_TRAIN_TAKE, replace=False))]
        for kind in kinds:
            y, detail = benign(x, kind, data.rng("benign", rec.key, kind))
            items[s].append(Item(data.quantize16(y), 0, kind, detail, rec.key, s))
        combos = attacks.test_combos() if s == "test" else attacks.train_combos()
        pick = r.choice(len(combos), size=ATTACKS_PER_TAKE[s], replace=False)
        for ci in sorted(int(c) for c in pick):
            pending.setdefault(combos[ci], []).append((s, rec.key))
    log(f"crafting {sum(len(v) for v in pending.values())} attacked takes in {len(pending)} groups")
    for (fam, eps), lst in sorted(pending.items()):
        lst = sorted(lst, key=lambda t: (features.n_windows(len(data.signal16(t[1]))), t[1]))
        clean = [data.to_float(data.signal16(k)) for _, k in lst]
        advs = attacks.craft(surrogate, clean, fam, eps)
        before = attacks.predict_digits(surrogate, clean)
        after = attacks.predict_digits(surrogate, [data.to_float(a) for a in advs])
        for (s, key), x, a, b0, b1 in zip(lst, clean, advs, before, after):
            d = data.to_float(a) - x
            items[s].append(Item(a, 1, fam, f"eps{attacks.eps_name(eps)}" if eps else "minimal", key, s, eps,
                                 float(np.abs(d).max()), _rms(d), int(b0 != b1)))
    for s in items:
        items[s].sort(key=lambda it: (it.key, it.label, it.group, it.detail))
    return items


def group_name(it):
    return it.group + (f"/eps{attacks.eps_name(it.eps)}" if it.eps else "")


def summary(items):
    out = {}
    for s, lst in items.items():
        c = {}
        for it in lst:
            g = group_name(it)
            c[g] = c.get(g, 0) + 1
        out[s] = dict(sorted(c.items()))
    return out

"""Cross-check vectors for another implementation of the features and the model.

Owns the small 16 kHz mono 16-bit WAVs in tests/data/detect/audio_*.wav
(made from test-speaker FSDD takes, CC BY-SA 4.0) and
models/audio-adversarial.vectors.json: per file its sample count, SHA-256,
window count, per window the feature sum and sample values, the per-window
ONNX Runtime scores and the recording score (their maximum).
"""

import hashlib
import json
import re

import numpy as np

import attacks
import data
import export
import features

DIR = data.REPO / "tests" / "data" / "detect"
CLEAN_KEY = "7_lucas_3"
THREE_KEYS = ("1_lucas_5", "4_lucas_5", "9_lucas_5")
FILES = ("audio_clean.wav", "audio_pgd_linf_eps0.005.wav", "audio_three_digits.wav", "audio_short.wav")
SAMPLES = 6  # sample values per window
TOL_FEATURE = 1e-3
TOL_SUM = 0.5  # over 3,920 values
TOL_SCORE = 1e-4


def make_wavs(surrogate):
    """Writes the test WAVs (deterministic): a clean take, the same take PGD
    L-inf attacked at eps 0.005, three takes in 2.5 s (3 windows), and 0.3 s
    from the middle of the clean take (1 window, mostly padding)."""
    DIR.mkdir(parents=True, exist_ok=True)
    clean = data.signal16(CLEAN_KEY)
    data.write_wav(DIR / FILES[0], clean)
    data.write_wav(DIR / FILES[1], attacks.craft(surrogate, [data.to_float(clean)], "pgd_linf", 0.005)[0])
    three = np.zeros(40000, np.int16)
    for i, k in enumerate(THREE_KEYS):
        q = data.signal16(k)
        start = 1000 + 13000 * i
        if start + len(q) > len(three):
            raise SystemExit(f"{k} does not fit in the 2.5-s test file")
        three[start:start + len(q)] = q
    data.write_wav(DIR / FILES[2], three)
    mid = len(clean) // 2
    data.write_wav(DIR / FILES[3], clean[mid - 2400:mid + 2400])


def _f32(x):
    return float(np.format_float_positional(np.float32(x), unique=True, trim="-"))


def compute(model_path):
    sess = export.session(model_path)
    entries = []
    for name in FILES:
        raw = (DIR / name).read_bytes()
        rate, x = data.read_wav(raw)
        if rate != features.RATE:
            raise SystemExit(f"{name}: {rate} Hz")
        win = features.windows(x)
        if not np.array_equal(win, features.windows_reference(x)):
            raise SystemExit(f"vectorized and reference features differ for {name}")
        scores = export.run(sess, win)
        r = data.rng("vectors", name)
        per = []
        for i, w in enumerate(win[:, 0]):
            # frames that start inside the signal (the padding is ln(1e-6) everywhere)
            inside = max(1, min(features.FRAMES, -(-(len(x) - i * features.WINDOW) // features.HOP)))
            pos = [(int(r.integers(0, features.MELS)), int(r.integers(0, inside))) for _ in range(SAMPLES)]
            per.append({"feature_sum": round(float(w.astype(np.float64).sum()), 3),
                        "samples": [[[m, t], _f32(w[m, t])] for m, t in pos]})
        entries.append({"file": f"tests/data/detect/{name}", "sha256": hashlib.sha256(raw).hexdigest(),
                        "samples": int(len(x)), "windows": len(win), "per_window": per,
                        "window_scores": [_f32(s) for s in scores], "score": _f32(np.max(scores))})
    return {"about": "16 kHz mono 16-bit WAVs read as int16 / 32768. Per window: the sum of its 40 x 98 float32 "
                     "features, sample values as [[mel, frame], value], its ONNX score; the recording score is the "
                     f"maximum. Tolerances: {TOL_FEATURE:g} per feature value, {TOL_SUM:g} per feature sum, "
                     f"{TOL_SCORE:g} per score. See models/audio-adversarial.md.",
            "sample_rate": features.RATE, "window": features.WINDOW, "frames": features.FRAMES,
            "mels": features.MELS, "files": entries}


def _dump(obj, path):
    text = json.dumps(obj, indent=1)
    for _ in range(3):
        text = re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda m: "[" + ", ".join(
            x.strip() for x in m.group(1).split(",")) + "]", text)
    path.write_text(text + "\n", "utf-8")


def write(model_path, path):
    _dump(compute(model_path), path)


def _close(a, b, key):
    tol = TOL_SUM if key == "feature_sum" else TOL_SCORE if "score" in key else TOL_FEATURE
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_close(a[k], b[k], k) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_close(x, y, key) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= tol
    return a == b


def check(stored_path, fresh):
    stored = json.loads(stored_path.read_text("utf-8"))
    if len(stored["files"]) != len(fresh["files"]):
        return ["number of files differs"]
    errors = []
    for a, b in zip(stored["files"], fresh["files"]):
        for k in a:
            if not _close(a[k], b.get(k), k):
                errors.append(f"{a['file']}: {k} differs")
    return errors

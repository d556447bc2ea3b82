"""Trains the audio adversarial-perturbation detector and writes everything it ships with.

    python training/audio/train.py

Upsamples the spoken digits to 16 kHz, trains the surrogate digit
classifier on the training speakers, crafts the attacks against it, builds
the benign versions, trains the detector on log-mel windows of the
training speakers, sets the operating threshold at 1% FPR on the
validation speaker's negatives, exports the ONNX graph, checks ONNX
Runtime against torch, measures the test metrics on the test speaker and
writes models/audio-adversarial.{onnx,vectors.json}, the test WAVs in
tests/data/detect/, training/audio/metrics.json and the metrics section of
the card.
"""

import hashlib
import json
import pathlib
import time

import numpy as np
import torch

import attacks
import audiodata
import card
import data
import export
import features
import metrics
import nets
import vectors

MODELS = data.REPO / "models"
MODEL_PATH = MODELS / "audio-adversarial.onnx"
VECTORS_PATH = MODELS / "audio-adversarial.vectors.json"
CARD_PATH = MODELS / "audio-adversarial.md"
METRICS_PATH = pathlib.Path(__file__).resolve().parent / "metrics.json"
OPERATING_FPR = 0.01

EPOCHS = 8
LR = 2e-3
BATCH = 64
SEED = 20240701


def build_data(log=print):
    """(items per split, surrogate, surrogate facts): deterministic."""
    recs = data.recordings()
    by_split = {s: [r for r in recs if r.split == s] for s in ("train", "val", "test")}
    surrogate, acc = attacks.train_surrogate(by_split["train"], log=log)
    info = {"train_speakers": sorted({r.speaker for r in by_split["train"]}), "train_accuracy": round(acc, 6),
            "val_speaker_accuracy": round(attacks.accuracy(surrogate, by_split["val"]), 6),
            "test_speaker_accuracy": round(attacks.accuracy(surrogate, by_split["test"]), 6)}
    items = audiodata.build(surrogate, log=log)
    return items, surrogate, info


def window_stack(items):
    """(float32 [sum W, 1, 40, 98], owner index per window)."""
    xs, owner = [], []
    for i, it in enumerate(items):
        w = features.windows(data.to_float(it.q))
        xs.append(w)
        owner += [i] * len(w)
    return np.concatenate(xs), np.array(owner)


def aggregate(window_scores, owner, n):
    """Recording score = max of its windows' scores."""
    out = np.full(n, -np.inf, np.float32)
    np.maximum.at(out, owner, window_scores.astype(np.float32))
    return out


def report(items, scores, op):
    labels = np.array([it.label for it in items])
    groups = np.array([it.group for it in items])
    eps = np.array([it.eps for it in items])
    budgeted = np.isin(groups, attacks.TRAIN_FAMILIES)
    blocks = {"all": np.ones(len(items), bool), "eps_ge_0.001": budgeted & (eps >= 0.001 - 1e-12)}
    for f in attacks.TRAIN_FAMILIES + attacks.HELD_OUT_FAMILIES:
        blocks[f] = groups == f
    for e in attacks.ALL_EPS:
        blocks[f"eps{attacks.eps_name(e)}"] = budgeted & (eps == e)
    for f in attacks.TRAIN_FAMILIES:
        for e in attacks.ALL_EPS:
            blocks[f"{f}/eps{attacks.eps_name(e)}"] = (groups == f) & (eps == e)
    out = metrics.report(scores, labels, blocks, list(groups), op)
    out["attack_success_on_surrogate"] = {
        f: round(float(np.mean([it.flipped for it in items if it.group == f])), 6)
        for f in attacks.TRAIN_FAMILIES + attacks.HELD_OUT_FAMILIES if any(it.group == f for it in items)}
    cw = [it for it in items if it.group == "cw_l2"]
    if cw:
        out["cw_perturbation"] = {
            "median_linf": round(float(np.median([it.linf for it in cw])), 6),
            "median_rms": round(float(np.median([it.rms for it in cw])), 7),
            "share_unchanged_after_quantization": round(float(np.mean([it.linf == 0 for it in cw])), 6),
        }
    return out


def latency(sess, items, n=200):
    """Median milliseconds per recording: features, and the ONNX Runtime call (1 thread). Information only."""
    pre, run = [], []
    for it in items[:: max(1, len(items) // n)][:n]:
        t0 = time.perf_counter()
        x = features.windows(data.to_float(it.q))
        t1 = time.perf_counter()
        sess.run(["score"], {"features": x})
        t2 = time.perf_counter()
        pre.append(t1 - t0)
        run.append(t2 - t1)
    x = features.windows(np.zeros(10 * features.WINDOW))
    t0 = time.perf_counter()
    for _ in range(5):
        features.windows(np.zeros(10 * features.WINDOW))
    t1 = time.perf_counter()
    for _ in range(5):
        sess.run(["score"], {"features": x})
    t2 = time.perf_counter()
    return {"recordings": len(run), "median_features_ms": round(1000 * float(np.median(pre)), 3),
            "median_onnx_ms": round(1000 * float(np.median(run)), 3),
            "features_ms_10_windows": round(1000 * (t1 - t0) / 5, 3), "onnx_ms_10_windows": round(1000 * (t2 - t1) / 5, 3)}


def train(log=print):
    start = time.perf_counter()
    items, surrogate, surrogate_info = build_data(log)
    vectors.make_wavs(surrogate)
    log(f"data: {time.perf_counter() - start:.0f}s; " + json.dumps({s: len(v) for s, v in items.items()}))

    X, owner = window_stack(items["train"])
    tr = items["train"]
    labels = np.array([it.label for it in tr])[owner]
    groups = np.array([it.group if it.label == 0 else "attack" for it in tr])[owner]
    w = np.zeros(len(owner))
    for c in (0, 1):
        names = sorted(set(groups[labels == c]))
        for g in names:
            m = (groups == g) & (labels == c)
            w[m] = len(owner) / (2 * len(names) * m.sum())
    log(f"training on {len(owner)} windows of {len(tr)} recordings")
    torch.manual_seed(SEED)
    model = nets.Detector()
    nets.fit(model, torch.from_numpy(X), torch.from_numpy(labels.astype(np.float32)),
             torch.from_numpy(w.astype(np.float32)), epochs=EPOCHS, lr=LR, batch=BATCH, seed=SEED, log=log)
    del X
    train_time = time.perf_counter() - start

    Xv, ov = window_stack(items["val"])
    val_scores = aggregate(nets.predict(model, torch.from_numpy(Xv)), ov, len(items["val"]))
    val_labels = np.array([it.label for it in items["val"]])
    op = round(metrics.threshold_at_fpr(val_scores[val_labels == 0], OPERATING_FPR), 6)
    val_report = report(items["val"], val_scores, op)
    log(f"operating threshold {op:.6f}; validation AUC {val_report['positives']['all']['auc']:.4f}")

    meta = {
        "mmguard.model_version": "1",
        "mmguard.input": "features: [N,1,40,98] float32 ln(mel energy + 1e-6) of one 1-s window, mel bands as rows",
        "mmguard.sample_rate": features.RATE, "mmguard.window": features.WINDOW,
        "mmguard.max_windows": features.MAX_WINDOWS, "mmguard.frame": features.FRAME, "mmguard.hop": features.HOP,
        "mmguard.fft": features.FFT, "mmguard.mels": features.MELS, "mmguard.fmin": f"{features.FMIN:g}",
        "mmguard.fmax": f"{features.FMAX:g}", "mmguard.aggregate": "max",
        "mmguard.operating_threshold": f"{op:.6f}", "mmguard.operating_fpr": str(OPERATING_FPR),
    }
    export.write(MODEL_PATH, model, meta)
    sess = export.session(MODEL_PATH)
    Xt, ot = window_stack(items["test"])
    win_onnx = export.run(sess, Xt)
    win_torch = nets.predict(model, torch.from_numpy(Xt))
    diff = float(np.max(np.abs(win_onnx - win_torch)))
    log(f"onnx vs torch on {len(Xt)} test windows: max |diff| = {diff:.2e}")
    if diff > 1e-5:
        raise SystemExit("ONNX scores disagree with torch")
    test_scores = aggregate(win_onnx, ot, len(items["test"]))
    rep = report(items["test"], test_scores, op)
    vectors.write(MODEL_PATH, VECTORS_PATH)
    speed = latency(sess, items["test"])
    raw = MODEL_PATH.read_bytes()
    result = {
        "model": {"file": "models/audio-adversarial.onnx", "bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
                  "ops": export.ops(MODEL_PATH), "parameters": int(sum(p.numel() for p in model.parameters())),
                  "epochs": EPOCHS, "lr": LR, "batch": BATCH, "seed": SEED, "operating_threshold": op,
                  "onnx_vs_torch_max_abs_diff": float(f"{diff:.2e}"), "train_windows": int(len(owner))},
        "surrogate": surrogate_info,
        "data": {"digest": data.data_digest(), "speakers": data.SPEAKER_SPLIT, "counts": audiodata.summary(items)},
        "attacks": {"train_families": list(attacks.TRAIN_FAMILIES), "held_out_families": list(attacks.HELD_OUT_FAMILIES),
                    "train_eps": list(attacks.TRAIN_EPS), "held_out_eps": list(attacks.HELD_OUT_EPS),
                    "pgd_iterations": attacks.PGD_ITER, "cw": {"iterations": attacks.CW_ITER, "lr": attacks.CW_LR,
                                                               "c": attacks.CW_C, "kappa": attacks.CW_KAPPA}},
        "validation": {"auc": val_report["positives"]["all"]["auc"],
                       "recall_at_operating_threshold": val_report["positives"]["all"]["recall_at_operating_threshold"],
                       "negative_fpr_at_operating_threshold": {
                           g: b["fpr_at_operating_threshold"] for g, b in val_report["negative_fpr"].items()}},
        "test": rep,
        "speed_info": speed,
        "train_seconds_info": round(train_time),
        "total_seconds_info": round(time.perf_counter() - start),
    }
    METRICS_PATH.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    card.update(CARD_PATH, result)
    t = rep["positives"]
    log(f"test AUC {t['all']['auc']:.4f}, recall@1% {t['all']['recall_at_1pct_fpr']:.3f}, "
        f"recall@op {t['all']['recall_at_operating_threshold']:.3f}, op FPR {rep['operating_point_fpr']:.4f}; "
        f"done in {time.perf_counter() - start:.0f}s")


def main():
    nets.setup_torch()
    MODELS.mkdir(exist_ok=True)
    train()


if __name__ == "__main__":
    main()

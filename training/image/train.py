"""Trains the two image detectors and writes everything they ship with.

    python training/image/train.py [adversarial] [typographic]

For each detector: builds the splits, trains on train, sets the operating
threshold at 1% FPR on the validation negatives, exports the ONNX graph,
checks ONNX Runtime against torch, measures the test metrics and writes
models/image-<name>.{onnx,vectors.json}, its section of
training/image/metrics.json and the metrics section of its card.
"""

import hashlib
import json
import pathlib
import sys
import time

import numpy as np
import torch

import advdata
import attacks
import card
import data
import export
import metrics
import nets
import preprocess
import textures
import typodata
import vectors

MODELS = data.REPO / "models"
METRICS_PATH = pathlib.Path(__file__).resolve().parent / "metrics.json"
OPERATING_FPR = 0.01

ADV_EPOCHS = 10
ADV_LR = 2e-3
ADV_SEED = 20240612
TYPO_EPOCHS = 14
TYPO_LR = 3e-3
TYPO_SEED = 20240613


def paths(name):
    return MODELS / f"image-{name}.onnx", MODELS / f"image-{name}.vectors.json", MODELS / f"image-{name}.md"


# --- adversarial --------------------------------------------------------------

def adv_data(log=print):
    """The splits of the adversarial detector, attacks included (deterministic)."""
    pics = advdata.surrogate_pictures()
    surrogate, acc = attacks.train_surrogate(pics, log=log)
    items = advdata.build(surrogate, len(pics), log=log)
    return items, surrogate, {"classes": len(pics), "train_accuracy": round(acc, 6)}


def crop_stack(items, m=None):
    """(float32 [sum K, 3, S, S], owner index per crop); m crops per side at most (default preprocess.M)."""
    xs, owner = [], []
    for i, it in enumerate(items):
        c, _ = preprocess.crops_u8(it.img, m)
        xs.append(c)
        owner += [i] * len(c)
    return preprocess.to_tensor(np.concatenate(xs)), np.array(owner)


def aggregate(crop_scores, owner, n):
    """Image score = mean of its crops' scores (float64 sum, then float32)."""
    s = np.bincount(owner, weights=crop_scores.astype(np.float64), minlength=n)
    k = np.bincount(owner, minlength=n)
    return (s / k).astype(np.float32)


def adv_neg_group(it):
    if it.group == "clean_png":
        return "clean_png_native" if it.detail == "native" else "clean_png_downscaled"
    return it.group


def adv_report(items, scores, op_threshold):
    labels = np.array([it.label for it in items])
    groups = np.array([it.group for it in items])
    eps = np.array([it.eps for it in items])
    budgeted = np.isin(groups, attacks.TRAIN_FAMILIES)
    blocks = {"all": np.ones(len(items), bool), "eps_ge_4": budgeted & (eps >= 4)}
    for f in attacks.TRAIN_FAMILIES + attacks.HELD_OUT_FAMILIES:
        blocks[f] = groups == f
    for e in attacks.ALL_EPS:
        blocks[f"eps{e}"] = budgeted & (eps == e)
    for f in attacks.TRAIN_FAMILIES:
        for e in attacks.ALL_EPS:
            blocks[f"{f}/eps{e}"] = (groups == f) & (eps == e)
    out = metrics.report(scores, labels, blocks, [adv_neg_group(it) for it in items], op_threshold)
    df = [it for it in items if it.group == "deepfool"]
    if df:
        out["deepfool_perturbation"] = {
            "median_linf": float(np.median([it.linf for it in df])),
            "median_rms": round(float(np.median([it.rms for it in df])), 4),
            "share_unchanged_after_quantization": round(float(np.mean([it.linf == 0 for it in df])), 6),
        }
    return out


class _Head(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, r):
        return self.model.head(r.float())


def fit_adversarial(train_items, m=None, log=print):
    """The detector trained on the crops (at most m per side, default
    preprocess.M) of `train_items`; returns it and the number of crops."""
    torch.manual_seed(ADV_SEED)
    model = nets.AdvDetector()
    X, owner = crop_stack(train_items, m)
    with torch.no_grad():
        R = torch.cat([model.residuals(torch.from_numpy(X[i:i + 512])).half() for i in range(0, len(X), 512)])
    del X
    labels = np.array([it.label for it in train_items])[owner]
    groups = np.array([it.group if it.label == 0 else "attack" for it in train_items])[owner]
    w = np.zeros(len(owner))
    for c in (0, 1):
        names = sorted(set(groups[labels == c]))
        for g in names:
            mask = (groups == g) & (labels == c)
            w[mask] = len(owner) / (2 * len(names) * mask.sum())
    log(f"training on {len(owner)} crops of {len(train_items)} images")
    nets.fit(_Head(model), R, torch.from_numpy(labels.astype(np.float32)), torch.from_numpy(w.astype(np.float32)),
             epochs=ADV_EPOCHS, lr=ADV_LR, batch=64, seed=ADV_SEED, log=log)
    return model, int(len(owner))


def adv_scores(model, items, m=None):
    """Image scores (torch) of `items`, at most m crops per side."""
    X, owner = crop_stack(items, m)
    return aggregate(nets.predict(model, torch.from_numpy(X)), owner, len(items))


def train_adversarial(log=print):
    start = time.perf_counter()
    model_path, vec_path, card_path = paths("adversarial")
    items, surrogate, surrogate_info = adv_data(log)
    vectors.make_images(surrogate)
    log(f"data: {time.perf_counter() - start:.0f}s; " + json.dumps({s: len(v) for s, v in items.items()}))

    model, n_crops = fit_adversarial(items["train"], log=log)
    train_time = time.perf_counter() - start

    val_scores = adv_scores(model, items["val"])
    val_labels = np.array([it.label for it in items["val"]])
    op = round(metrics.threshold_at_fpr(val_scores[val_labels == 0], OPERATING_FPR), 6)
    val_report = adv_report(items["val"], val_scores, op)
    log(f"operating threshold {op:.6f}; validation AUC {val_report['positives']['all']['auc']:.4f}")

    meta = {
        "mmguard.model_version": "1",
        "mmguard.input": f"crops: [N,3,{preprocess.S},{preprocess.S}] float32 RGB byte/255, native-resolution crops",
        "mmguard.crop_size": preprocess.S,
        "mmguard.max_crops_per_side": preprocess.M,
        "mmguard.crop_rule": "n=min(M,max(1,L//S)); pos=0 if L<=S, (L-S)//2 if n==1, else i*(L-S)//(n-1); "
                             "edge-replicate; row-major",
        "mmguard.aggregate": "mean of per-crop scores",
        "mmguard.operating_threshold": f"{op:.6f}",
        "mmguard.operating_fpr": str(OPERATING_FPR),
    }
    export.write_adversarial(model_path, model, meta)
    sess = export.session(model_path)
    Xt, ot = crop_stack(items["test"])
    crop_onnx = export.run(sess, Xt)
    crop_torch = nets.predict(model, torch.from_numpy(Xt))
    diff = float(np.max(np.abs(crop_onnx - crop_torch)))
    log(f"onnx vs torch on {len(Xt)} test crops: max |diff| = {diff:.2e}")
    if diff > 1e-5:
        raise SystemExit("ONNX scores disagree with torch")
    test_scores = aggregate(crop_onnx, ot, len(items["test"]))
    report = adv_report(items["test"], test_scores, op)
    vectors.write_adversarial(model_path, vec_path)
    speed = latency_adversarial(sess, items["test"])
    model_bytes = model_path.read_bytes()
    result = {
        "model": {"file": "models/image-adversarial.onnx", "bytes": len(model_bytes),
                  "sha256": hashlib.sha256(model_bytes).hexdigest(), "ops": export.ops(model_path),
                  "crop_size": preprocess.S, "max_crops_per_side": preprocess.M, "epochs": ADV_EPOCHS,
                  "lr": ADV_LR, "seed": ADV_SEED, "operating_threshold": op,
                  "onnx_vs_torch_max_abs_diff": float(f"{diff:.2e}"), "train_crops": n_crops},
        "surrogate": surrogate_info,
        "data": {"digest": data.data_digest(), "counts": advdata.summary(items)},
        "attacks": {"train_families": list(attacks.TRAIN_FAMILIES), "held_out_families": list(attacks.HELD_OUT_FAMILIES),
                    "train_eps": list(attacks.TRAIN_EPS), "held_out_eps": list(attacks.HELD_OUT_EPS),
                    "pgd_iterations": attacks.PGD_ITER},
        "validation": {"auc": val_report["positives"]["all"]["auc"],
                       "recall_at_operating_threshold": val_report["positives"]["all"]["recall_at_operating_threshold"]},
        "test": report,
        "speed_info": speed,
        "train_seconds_info": round(train_time),
    }
    save_result("adversarial", result)
    card.update_adversarial(card_path, result)
    t = report["positives"]
    log(f"test AUC {t['all']['auc']:.4f}, eps>=4 AUC {t['eps_ge_4']['auc']:.4f}, recall@1% {t['all']['recall_at_1pct_fpr']:.3f}; "
        f"done in {time.perf_counter() - start:.0f}s")


def latency_adversarial(sess, items, n=200):
    """Median milliseconds per image: crops + tensor, and the ONNX Runtime call
    (1 thread). For information only."""
    pre, run = [], []
    for it in items[:: max(1, len(items) // n)][:n]:
        t0 = time.perf_counter()
        x, _ = preprocess.crops_tensor(it.img)
        t1 = time.perf_counter()
        sess.run(["score"], {"crops": x})
        t2 = time.perf_counter()
        pre.append(t1 - t0)
        run.append(t2 - t1)
    big = np.zeros((1080, 1920, 3), np.uint8) + 128
    x, _ = preprocess.crops_tensor(big)
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        sess.run(["score"], {"crops": x})
        times.append(time.perf_counter() - t0)
    return {"images": len(run), "median_preprocess_ms": round(1000 * float(np.median(pre)), 3),
            "median_onnx_ms": round(1000 * float(np.median(run)), 3),
            "crops_1920x1080": int(len(x)), "median_onnx_ms_1920x1080": round(1000 * float(np.median(times)), 3)}


# --- typographic --------------------------------------------------------------

def typo_neg_group(it):
    if it.group == "texture":
        return f"texture_{it.detail}"
    if "/close-up" in it.detail:
        return it.group + "_close-up"
    return it.group + ("_jpeg" if it.detail.endswith("/jpeg") else "")


def typo_report(items, scores, op):
    labels = np.array([it.label for it in items])
    groups = np.array([it.group for it in items])
    blocks = {"all": np.ones(len(items), bool), "figstep": groups == "figstep", "rendered": groups == "rendered"}
    return metrics.report(scores, labels, blocks, [typo_neg_group(it) for it in items], op)


def train_typographic(log=print):
    start = time.perf_counter()
    model_path, vec_path, card_path = paths("typographic")
    items = typodata.build(log=log)
    X = {s: torch.from_numpy(typodata.tensors(v)) for s, v in items.items()}
    log(f"data: {time.perf_counter() - start:.0f}s")
    labels = np.array([it.label for it in items["train"]])
    groups = np.array([it.group for it in items["train"]])
    w = np.zeros(len(labels))
    for c in (0, 1):
        names = sorted(set(groups[labels == c]))
        for g in names:
            m = (groups == g) & (labels == c)
            w[m] = len(labels) / (2 * len(names) * m.sum())
    torch.manual_seed(TYPO_SEED)
    model = nets.TypoDetector()
    nets.fit(model, X["train"], torch.from_numpy(labels.astype(np.float32)), torch.from_numpy(w.astype(np.float32)),
             epochs=TYPO_EPOCHS, lr=TYPO_LR, batch=32, seed=TYPO_SEED, log=log)
    train_time = time.perf_counter() - start
    val_scores = nets.predict(model, X["val"])
    val_labels = np.array([it.label for it in items["val"]])
    op = round(metrics.threshold_at_fpr(val_scores[val_labels == 0], OPERATING_FPR), 6)
    val_report = typo_report(items["val"], val_scores, op)
    meta = {
        "mmguard.model_version": "1",
        "mmguard.input": f"image: [N,1,{preprocess.G},{preprocess.G}] float32 gray box averages / 255",
        "mmguard.gray": "(77*R + 150*G + 29*B + 128) >> 8",
        "mmguard.grid": preprocess.G,
        "mmguard.bins": "x0=x*W//G, x1=max(x0,(x+1)*W//G-1) inclusive; rows likewise; "
                        "value=f32(f64(sum)/f64(count*255))",
        "mmguard.operating_threshold": f"{op:.6f}",
        "mmguard.operating_fpr": str(OPERATING_FPR),
    }
    export.write_typographic(model_path, model, meta)
    sess = export.session(model_path)
    test_scores = export.run(sess, X["test"].numpy())
    diff = float(np.max(np.abs(test_scores - nets.predict(model, X["test"]))))
    log(f"onnx vs torch on test: max |diff| = {diff:.2e}")
    if diff > 1e-5:
        raise SystemExit("ONNX scores disagree with torch")
    report = typo_report(items["test"], test_scores, op)
    vectors.write_typographic(model_path, vec_path)
    speed = latency_typographic(sess, items["test"])
    model_bytes = model_path.read_bytes()
    result = {
        "model": {"file": "models/image-typographic.onnx", "bytes": len(model_bytes),
                  "sha256": hashlib.sha256(model_bytes).hexdigest(), "ops": export.ops(model_path),
                  "grid": preprocess.G, "epochs": TYPO_EPOCHS, "lr": TYPO_LR, "seed": TYPO_SEED,
                  "operating_threshold": op, "onnx_vs_torch_max_abs_diff": float(f"{diff:.2e}")},
        "data": {"digest": data.data_digest(), "counts": typodata.summary(items),
                 "fonts": {s: sorted(f.name for f in data.fonts() if typodata.font_split(f) == s)
                           for s in ("train", "val", "test")},
                 "figstep_topics": {str(k): v for k, v in sorted(typodata.FIGSTEP_SPLIT.items())},
                 "texture_families": {"train": list(textures.TRAIN_FAMILIES), "val": list(textures.FAMILIES)},
                 "validation_only_pictures": sorted(k for k, *_ in data.TYPO_VAL_PICTURES)},
        "validation": {"auc": val_report["positives"]["all"]["auc"],
                       "recall_at_operating_threshold": val_report["positives"]["all"]["recall_at_operating_threshold"],
                       "n_negative": val_report["n_negative"],
                       "negative_fpr_at_operating_threshold": {
                           g: {"n": b["n"], "fpr": b["fpr_at_operating_threshold"]}
                           for g, b in val_report["negative_fpr"].items()}},
        "test": report,
        "speed_info": speed,
        "train_seconds_info": round(train_time),
    }
    save_result("typographic", result)
    card.update_typographic(card_path, result)
    t = report["positives"]
    log(f"test AUC {t['all']['auc']:.4f}, figstep recall@1% {t['figstep']['recall_at_1pct_fpr']:.3f}; "
        f"done in {time.perf_counter() - start:.0f}s")


def latency_typographic(sess, items, n=200):
    pre, run = [], []
    for it in items[:: max(1, len(items) // n)][:n]:
        t0 = time.perf_counter()
        x = preprocess.typo_tensor(it.img)
        t1 = time.perf_counter()
        sess.run(["score"], {"image": x})
        t2 = time.perf_counter()
        pre.append(t1 - t0)
        run.append(t2 - t1)
    return {"images": len(run), "median_preprocess_ms": round(1000 * float(np.median(pre)), 3),
            "median_onnx_ms": round(1000 * float(np.median(run)), 3)}


def save_result(name, result):
    stored = json.loads(METRICS_PATH.read_text("utf-8")) if METRICS_PATH.exists() else {}
    stored[name] = result
    METRICS_PATH.write_text(json.dumps(dict(sorted(stored.items())), indent=1, ensure_ascii=False) + "\n", "utf-8")


def main(argv):
    nets.setup_torch()
    data.check_installed()
    MODELS.mkdir(exist_ok=True)
    which = argv or ["adversarial", "typographic"]
    for name in which:
        {"adversarial": train_adversarial, "typographic": train_typographic}[name]()


if __name__ == "__main__":
    main(sys.argv[1:])

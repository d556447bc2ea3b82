"""Trains the text injection detector and writes everything it ships with.

    python training/text/train.py

Builds the splits, chooses C on validation (a fit on train, the scores on
validation), refits on train plus the validation positives (the validation
negatives are kept out to set the operating threshold at 1% FPR on unseen
benign text), calibrates the combination with the text guard's heuristics
on validation (combine.py), exports the ONNX graph, checks it against scikit-learn, and
writes models/text-injection.onnx, models/text-injection.vectors.json,
training/text/metrics.json and the metrics section of the model card.
"""

import hashlib
import json
import pathlib
import time
import warnings

import numpy as np
import scipy.sparse as sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

import card
import combine
import data
import export
import families
import features
import heuristics
import metrics
import splits
import vectors

C_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
MAX_ITER = 3000
TOL = 1e-6
OPERATING_FPR = 0.01

MODELS = data.REPO / "models"
MODEL_PATH = MODELS / "text-injection.onnx"
VECTORS_PATH = MODELS / "text-injection.vectors.json"
CARD_PATH = MODELS / "text-injection.md"
METRICS_PATH = pathlib.Path(__file__).resolve().parent / "metrics.json"


def group_weights(items):
    """Sample weights: the two classes weigh the same, and within a class each
    group (family, in-the-wild, negative source) weighs the same, however many
    texts it has."""
    labels = np.array([it.label for it in items])
    groups = np.array([it.group for it in items])
    w = np.zeros(len(items))
    for c in (0, 1):
        names = sorted(set(groups[labels == c]))
        for g in names:
            m = (groups == g) & (labels == c)
            w[m] = len(items) / (2 * len(names) * m.sum())
    return w


def fit(X, items, C):
    clf = LogisticRegression(C=C, max_iter=MAX_ITER, tol=TOL)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, np.array([it.label for it in items]), sample_weight=group_weights(items))
    return clf


def columns(items):
    return ([it.label for it in items], [it.group for it in items], [it.detail for it in items])


def measure_speed(sess, texts):
    """Python timings, for information only: features alone, and features
    plus the ONNX run, one text at a time."""
    chars = sum(len(t) for t in texts)
    t0 = time.perf_counter()
    rows = [features.featurize([t]) for t in texts]
    t1 = time.perf_counter()
    for r in rows:
        export.run(sess, r)
    t2 = time.perf_counter()
    feat, onnx = t1 - t0, t2 - t1
    return {
        "texts": len(texts),
        "mean_chars": round(chars / len(texts), 1),
        "feature_texts_per_second": round(len(texts) / feat),
        "feature_ms_per_1000_chars": round(1000 * feat / chars * 1000, 3),
        "features_and_onnx_ms_per_1000_chars": round(1000 * (feat + onnx) / chars * 1000, 3),
        "onnx_ms_per_text": round(1000 * onnx / len(texts), 3),
    }


def main():
    start = time.perf_counter()
    MODELS.mkdir(exist_ok=True)
    sp = splits.build()
    counts = splits.summary(sp)
    print("splits:", json.dumps({s: sum(c.values()) for s, c in counts.items()}))

    X = {s: features.featurize([it.text for it in sp[s]]) for s in splits.SPLITS}
    print(f"features: {time.perf_counter() - start:.1f}s")

    labels_val, groups_val, _ = columns(sp["val"])
    selection, val_logits = {}, {}
    for C in C_GRID:
        clf = fit(X["train"], sp["train"], C)
        s = clf.predict_proba(X["val"])[:, 1]
        val_logits[C] = clf.decision_function(X["val"])
        selection[str(C)] = round(metrics.selection_score(s, labels_val, groups_val, families.VAL_FAMILIES), 6)
        print(f"C={C:g}: validation score {selection[str(C)]:.4f}")
    best_c = max(C_GRID, key=lambda c: (selection[str(c)], -c))

    # Refit with the validation positives; validation negatives stay unseen.
    val_pos = [i for i, it in enumerate(sp["val"]) if it.label == 1]
    val_neg = [i for i, it in enumerate(sp["val"]) if it.label == 0]
    final_items = sp["train"] + [sp["val"][i] for i in val_pos]
    X_final = sparse.vstack([X["train"], X["val"][val_pos]], format="csr")
    clf = fit(X_final, final_items, best_c)
    # The file stores the weights in float16: everything below measures that model.
    clf.coef_ = export.round_weights(clf.coef_)
    op_threshold = metrics.threshold_at_fpr(clf.predict_proba(X["val"][val_neg])[:, 1], OPERATING_FPR)
    print(f"chosen C={best_c:g}, operating threshold {op_threshold:.6f}")

    h_val = heuristics.scores([it.text for it in sp["val"]])
    h_test = heuristics.scores([it.text for it in sp["test"]])
    coef = combine.fit(val_logits[best_c], h_val, np.array(labels_val), group_weights(sp["val"]))
    val_model = 1 / (1 + np.exp(-val_logits[best_c]))
    combined_threshold = combine.threshold(coef, val_model, h_val, labels_val)
    print(f"combined: a={coef[0]:g} b={coef[1]:g} c={coef[2]:g}, threshold {combined_threshold:.6f}")

    meta = {
        "mmguard.feature_version": "1",
        "mmguard.D": features.D,
        "mmguard.ngrams": ",".join(map(str, features.NGRAMS)),
        "mmguard.normalization": "NFKC, ASCII lowercase, UTF-8, 0x02 prefix, 0x03 suffix, no truncation",
        "mmguard.hash": "FNV-1a 32 over [n] + ngram; bucket = h & (D-1); sign = bit 31 ? -1 : +1",
        "mmguard.values": "sign(c)*log1p(|c|), L2-normalized",
        "mmguard.operating_threshold": f"{op_threshold:.6f}",
        "mmguard.operating_fpr": str(OPERATING_FPR),
        "mmguard.combine": "sigmoid(a*logit(model) + b*heuristic + c); logit clipped to +-16.118096",
        "mmguard.combine.a": f"{coef[0]:.6f}",
        "mmguard.combine.b": f"{coef[1]:.6f}",
        "mmguard.combine.c": f"{coef[2]:.6f}",
        "mmguard.combined_threshold": f"{combined_threshold:.6f}",
    }
    export.write(MODEL_PATH, clf.coef_.ravel(), float(clf.intercept_[0]), meta)
    sess = export.session(MODEL_PATH)

    test_scores = export.run(sess, X["test"])
    diff = float(np.max(np.abs(test_scores - clf.predict_proba(X["test"])[:, 1])))
    print(f"onnx vs scikit-learn on test: max |diff| = {diff:.2e}")
    if diff > 1e-5:
        raise SystemExit("ONNX scores disagree with scikit-learn")

    test_report = metrics.report(test_scores, *columns(sp["test"]), op_threshold=round(op_threshold, 6),
                                 held_out=families.TEST_FAMILIES)
    combined_report = metrics.report(combine.apply(coef, test_scores, h_test), *columns(sp["test"]),
                                     op_threshold=round(combined_threshold, 6), held_out=families.TEST_FAMILIES)
    heuristic_report = metrics.report(h_test, *columns(sp["test"]), held_out=families.TEST_FAMILIES)
    vectors.write(MODEL_PATH, VECTORS_PATH)

    sample = [it.text for it in sp["test"]][::4][:2000]
    speed = measure_speed(sess, sample)
    model_bytes = MODEL_PATH.read_bytes()
    result = {
        "model": {
            "file": "models/text-injection.onnx",
            "bytes": len(model_bytes),
            "sha256": hashlib.sha256(model_bytes).hexdigest(),
            "D": features.D,
            "ngrams": list(features.NGRAMS),
            "C": best_c,
            "seed": splits.SEED,
            "operating_threshold": round(op_threshold, 6),
            "onnx_vs_sklearn_max_abs_diff": float(f"{diff:.2e}"),
        },
        "data": {"digest": data.data_digest(), "counts": counts},
        "families": {
            "test_held_out": list(families.TEST_FAMILIES),
            "validation_held_out": list(families.VAL_FAMILIES),
            "all": list(families.FAMILIES),
        },
        "selection": {"criterion": "mean recall at 1% FPR on validation over: held-out family, in-the-wild, "
                                   "seen families", "scores": selection, "chosen_C": best_c},
        "test": test_report,
        "combined": {
            "coefficients": {"a": coef[0], "b": coef[1], "c": coef[2]},
            "threshold": round(combined_threshold, 6),
            "test": combined_report,
            "heuristic_alone": heuristic_report,
        },
        "speed_info": speed,
    }
    METRICS_PATH.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    card.update(CARD_PATH, result)
    elapsed = time.perf_counter() - start
    t = test_report
    print(f"test AUC {t['all_positives']['auc']:.4f}; held-out families recall at 1%/5% FPR "
          f"{t['held_out_families']['recall_at_1pct_fpr']:.4f}/{t['held_out_families']['recall_at_5pct_fpr']:.4f}; "
          f"in-the-wild {t['in_the_wild']['recall_at_1pct_fpr']:.4f}/{t['in_the_wild']['recall_at_5pct_fpr']:.4f}")
    c = combined_report["held_out_families"]
    print(f"combined with the heuristics: held-out families recall at 1%/5% FPR "
          f"{c['recall_at_1pct_fpr']:.4f}/{c['recall_at_5pct_fpr']:.4f}")
    print(f"model {len(model_bytes)} bytes; done in {elapsed:.0f}s")


if __name__ == "__main__":
    main()

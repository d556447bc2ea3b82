"""Evaluates the committed model on the test split and checks it.

    python training/text/evaluate.py

Prints the test metrics of models/text-injection.onnx, one `key value` line
each in a fixed order, and exits non-zero when anything disagrees:
the ONNX Runtime scores against sigmoid(X W + b) recomputed from the file's
own weights, the metrics against training/text/metrics.json, the model file
and data against the digests recorded there, or the cross-check vectors
against a recomputation.
"""

import hashlib
import json
import sys

import numpy as np

import combine
import data
import export
import families
import features
import heuristics
import metrics
import splits
import vectors
from train import CARD_PATH, METRICS_PATH, MODEL_PATH, VECTORS_PATH, columns

SCORE_TOL = 1e-5
METRIC_TOL = 1e-6


def flatten(d, prefix=""):
    for k in d:
        v = d[k]
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from flatten(v, key + ".")
        else:
            yield key, v


def fmt(v):
    return f"{v:.6f}" if isinstance(v, float) else str(v)


def compare(stored, fresh):
    a, b = dict(flatten(stored)), dict(flatten(fresh))
    errors = [f"metric {k} missing" for k in sorted(set(a) ^ set(b))]
    for k in sorted(set(a) & set(b)):
        x, y = a[k], b[k]
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            if abs(x - y) > METRIC_TOL:
                errors.append(f"metric {k}: stored {x} != recomputed {y}")
        elif x != y:
            errors.append(f"metric {k}: stored {x!r} != recomputed {y!r}")
    return errors


def main():
    stored = json.loads(METRICS_PATH.read_text("utf-8"))
    errors = []
    model_bytes = MODEL_PATH.read_bytes()
    if hashlib.sha256(model_bytes).hexdigest() != stored["model"]["sha256"]:
        errors.append("model file differs from the one metrics.json was computed with")
    if data.data_digest() != stored["data"]["digest"]:
        errors.append("shared data differ from the data the model was trained on")

    W, b, meta = export.read_params(MODEL_PATH)
    if (W.size, meta.get("mmguard.ngrams")) != (features.D, ",".join(map(str, features.NGRAMS))):
        errors.append("model's D or n-grams differ from training/text/features.py")
    op_threshold = float(meta["mmguard.operating_threshold"])

    sp = splits.build()
    if splits.summary(sp) != stored["data"]["counts"]:
        errors.append("split counts differ from metrics.json")
    X = features.featurize([it.text for it in sp["test"]])
    scores = export.run(export.session(MODEL_PATH), X)
    diff = float(np.max(np.abs(scores - export.recompute(W, b, X))))
    if diff > SCORE_TOL:
        errors.append(f"ONNX Runtime scores differ from the recomputation by {diff:.2e}")

    report = metrics.report(scores, *columns(sp["test"]), op_threshold=op_threshold,
                            held_out=families.TEST_FAMILIES)
    errors += compare(stored["test"], report)

    coef = tuple(float(meta[f"mmguard.combine.{k}"]) for k in "abc")
    combined_threshold = float(meta["mmguard.combined_threshold"])
    h_test = heuristics.scores([it.text for it in sp["test"]])
    combined = metrics.report(combine.apply(coef, scores, h_test), *columns(sp["test"]),
                              op_threshold=combined_threshold, held_out=families.TEST_FAMILIES)
    errors += compare(stored["combined"]["test"], combined)
    errors += compare(stored["combined"]["heuristic_alone"],
                      metrics.report(h_test, *columns(sp["test"]), held_out=families.TEST_FAMILIES))
    errors += [f"vectors: {e}" for e in vectors.check(MODEL_PATH, VECTORS_PATH)]

    print(f"model {MODEL_PATH.relative_to(data.REPO)} {len(model_bytes)} bytes, C={stored['model']['C']:g}, "
          f"D={features.D}, ngrams={','.join(map(str, features.NGRAMS))}")
    print(f"onnx_vs_recomputed_max_abs_diff {diff:.2e}")
    for k, v in flatten(report):
        print(f"test.{k} {fmt(v)}")
    print(f"combined.coefficients a={coef[0]} b={coef[1]} c={coef[2]} threshold={combined_threshold}")
    for k, v in flatten(combined):
        print(f"combined.test.{k} {fmt(v)}")
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        sys.exit(1)
    print(f"OK: metrics match {METRICS_PATH.relative_to(data.REPO)}; card {CARD_PATH.relative_to(data.REPO)}")


if __name__ == "__main__":
    main()

"""Evaluates the committed audio detector on its test split and checks it.

    python training/audio/evaluate.py

Rebuilds the test split exactly as training did (retraining the surrogate
and crafting the attacks again, about as long as the data step of
training), scores it with the committed ONNX file and prints one
`key value` line per metric. Exits non-zero when anything disagrees: ONNX
Runtime against a torch network loaded with the file's own weights, the
metrics against training/audio/metrics.json, the model file and the data
against the digests recorded there, the metadata against the feature rule,
or the cross-check vectors against a recomputation.
"""

import hashlib
import json
import sys

import numpy as np
import torch

import audiodata
import data
import export
import features
import nets
import train
import vectors

SCORE_TOL = 1e-5
# Metrics are recomputed from regenerated attacks; torch's CPU kernels may
# round differently on another machine, so allow a small drift.
METRIC_TOL = 2e-3


def flatten(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flatten(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def compare(stored, fresh):
    a, b = dict(flatten(stored)), dict(flatten(fresh))
    errors = [f"metric {k} missing" for k in sorted(set(a) ^ set(b))]
    for k in sorted(set(a) & set(b)):
        x, y = a[k], b[k]
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            tol = 0 if isinstance(x, int) and isinstance(y, int) else METRIC_TOL
            if abs(x - y) > tol:
                errors.append(f"metric {k}: stored {x} != recomputed {y}")
        elif x != y:
            errors.append(f"metric {k}: stored {x!r} != recomputed {y!r}")
    return errors


def main():
    nets.setup_torch()
    stored = json.loads(train.METRICS_PATH.read_text("utf-8"))
    errors = []
    raw = train.MODEL_PATH.read_bytes()
    if hashlib.sha256(raw).hexdigest() != stored["model"]["sha256"]:
        errors.append("model file differs from the one metrics.json was computed with")
    if data.data_digest() != stored["data"]["digest"]:
        errors.append("source data differ from the data the model was trained on")
    meta = export.metadata(train.MODEL_PATH)
    op = float(meta["mmguard.operating_threshold"])
    if abs(op - stored["model"]["operating_threshold"]) > 1e-6:
        errors.append("operating threshold in the file differs from metrics.json")
    expect = {"mmguard.sample_rate": features.RATE, "mmguard.window": features.WINDOW,
              "mmguard.max_windows": features.MAX_WINDOWS, "mmguard.frame": features.FRAME,
              "mmguard.hop": features.HOP, "mmguard.fft": features.FFT, "mmguard.mels": features.MELS,
              "mmguard.fmin": features.FMIN, "mmguard.fmax": features.FMAX}
    for k, v in expect.items():
        if float(meta.get(k, "nan")) != float(v):
            errors.append(f"metadata {k} = {meta.get(k)!r}, features.py says {v}")
    if meta.get("mmguard.aggregate") != "max":
        errors.append("metadata mmguard.aggregate is not max")
    errors += [f"vectors: {e}" for e in vectors.check(train.VECTORS_PATH, vectors.compute(train.MODEL_PATH))]

    items, _, surrogate_info = train.build_data(log=lambda *a: None)
    if audiodata.summary(items) != stored["data"]["counts"]:
        errors.append("split counts differ from metrics.json")
    errors += compare(stored["surrogate"], surrogate_info)
    X, owner = train.window_stack(items["test"])
    scores = export.run(export.session(train.MODEL_PATH), X)
    diff = float(np.max(np.abs(scores - nets.predict(export.load(train.MODEL_PATH), torch.from_numpy(X)))))
    if diff > SCORE_TOL:
        errors.append(f"ONNX Runtime differs from torch with the file's weights by {diff:.2e}")
    report = train.report(items["test"], train.aggregate(scores, owner, len(items["test"])), op)
    errors += compare(stored["test"], report)

    print(f"model models/audio-adversarial.onnx {len(raw)} bytes, operating threshold {op}")
    print(f"onnx_vs_torch_max_abs_diff {diff:.2e}")
    for k, v in flatten(report):
        print(f"test.{k} {v:.6f}" if isinstance(v, float) else f"test.{k} {v}")
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        sys.exit(1)
    print(f"OK: metrics match {train.METRICS_PATH.relative_to(data.REPO)}")


if __name__ == "__main__":
    main()

"""Evaluates the committed image detectors on their test splits and checks them.

    python training/image/evaluate.py [adversarial] [typographic]

Rebuilds each test split exactly as training did (for the adversarial
detector that means retraining the surrogate and crafting the attacks
again, about as long as the data step of training), scores it with the
committed ONNX file and prints one `key value` line per metric. Exits
non-zero when anything disagrees: ONNX Runtime against a torch network
loaded with the file's own weights, the metrics against
training/image/metrics.json, the model file and the data against the
digests recorded there, or the cross-check vectors against a recomputation.
"""

import hashlib
import json
import sys

import numpy as np
import torch

import advdata
import data
import export
import nets
import train
import typodata
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


def check_common(name, stored):
    errors = []
    model_path, vec_path, _ = train.paths(name)
    raw = model_path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != stored["model"]["sha256"]:
        errors.append(f"{name}: model file differs from the one metrics.json was computed with")
    if data.data_digest() != stored["data"]["digest"]:
        errors.append(f"{name}: source data differ from the data the model was trained on")
    meta = export.metadata(model_path)
    op = float(meta["mmguard.operating_threshold"])
    if abs(op - stored["model"]["operating_threshold"]) > 1e-6:
        errors.append(f"{name}: operating threshold in the file differs from metrics.json")
    fresh = vectors.compute_adversarial(model_path) if name == "adversarial" else vectors.compute_typographic(model_path)
    errors += [f"{name} vectors: {e}" for e in vectors.check(vec_path, fresh)]
    return errors, op, len(raw)


def eval_adversarial(stored):
    errors, op, size = check_common("adversarial", stored)
    items, _, _ = train.adv_data(log=lambda *a: None)
    if advdata.summary(items) != stored["data"]["counts"]:
        errors.append("adversarial: split counts differ from metrics.json")
    model_path = train.paths("adversarial")[0]
    X, owner = train.crop_stack(items["test"])
    crop_scores = export.run(export.session(model_path), X)
    diff = float(np.max(np.abs(crop_scores - nets.predict(export.load_adversarial(model_path), torch.from_numpy(X)))))
    if diff > SCORE_TOL:
        errors.append(f"adversarial: ONNX Runtime differs from torch with the file's weights by {diff:.2e}")
    report = train.adv_report(items["test"], train.aggregate(crop_scores, owner, len(items["test"])), op)
    errors += compare(stored["test"], report)
    return report, diff, size, errors


def eval_typographic(stored):
    errors, op, size = check_common("typographic", stored)
    items = typodata.build(log=lambda *a: None)
    if typodata.summary(items) != stored["data"]["counts"]:
        errors.append("typographic: split counts differ from metrics.json")
    model_path = train.paths("typographic")[0]
    X = typodata.tensors(items["test"])
    scores = export.run(export.session(model_path), X)
    diff = float(np.max(np.abs(scores - nets.predict(export.load_typographic(model_path), torch.from_numpy(X)))))
    if diff > SCORE_TOL:
        errors.append(f"typographic: ONNX Runtime differs from torch with the file's weights by {diff:.2e}")
    report = train.typo_report(items["test"], scores, op)
    errors += compare(stored["test"], report)
    return report, diff, size, errors


def main(argv):
    nets.setup_torch()
    data.check_installed()
    stored_all = json.loads(train.METRICS_PATH.read_text("utf-8"))
    errors = []
    for name in argv or ["adversarial", "typographic"]:
        stored = stored_all[name]
        report, diff, size, errs = {"adversarial": eval_adversarial, "typographic": eval_typographic}[name](stored)
        errors += errs
        print(f"model models/image-{name}.onnx {size} bytes, operating threshold {stored['model']['operating_threshold']}")
        print(f"{name}.onnx_vs_torch_max_abs_diff {diff:.2e}")
        for k, v in flatten(report):
            print(f"{name}.test.{k} {v:.6f}" if isinstance(v, float) else f"{name}.test.{k} {v}")
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        sys.exit(1)
    print(f"OK: metrics match {train.METRICS_PATH.relative_to(data.REPO)}")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Detection metrics: ROC AUC, recall at a fixed false positive rate, FPR per source.

Owns the definitions the card reports. The threshold for a target FPR f over
n negatives is the (k+1)-th highest negative score with k = floor(f * n);
a text is flagged when its score is strictly above the threshold, so at most
k negatives are flagged. Recall of any subgroup of positives is measured
against the threshold of all negatives of the split.
"""

import math

import numpy as np
from sklearn.metrics import roc_auc_score

FPRS = (0.01, 0.05)


def threshold_at_fpr(neg, fpr):
    neg = np.sort(np.asarray(neg, dtype=np.float64))[::-1]
    k = math.floor(fpr * len(neg))
    return float(neg[min(k, len(neg) - 1)])


def _r(x):
    return round(float(x), 6)


def _pos_block(pos, neg, thresholds):
    out = {"n": int(len(pos)), "auc": _r(roc_auc_score(np.r_[np.ones(len(pos)), np.zeros(len(neg))], np.r_[pos, neg]))}
    for f, t in thresholds.items():
        out[f"recall_at_{f}"] = _r(np.mean(pos > t))
    return out


def _fpr_key(f):
    return f"{round(f * 100)}pct_fpr"


def report(scores, labels, groups, details, op_threshold=None, held_out=(), seen_detail="seen"):
    """The metrics of one split as a JSON-able dict (floats rounded to 1e-6)."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    groups = np.asarray(groups)
    details = np.asarray(details)
    neg = scores[labels == 0]
    thresholds = {_fpr_key(f): threshold_at_fpr(neg, f) for f in FPRS}
    if op_threshold is not None:
        thresholds["operating_threshold"] = op_threshold

    def block(mask):
        return _pos_block(scores[mask & (labels == 1)], neg, thresholds)

    pos_groups = sorted(set(groups[labels == 1]))
    out = {
        "n_positive": int((labels == 1).sum()),
        "n_negative": int((labels == 0).sum()),
        "thresholds": {k: _r(v) for k, v in thresholds.items()},
        "all_positives": block(np.ones(len(scores), bool)),
    }
    held = [g for g in pos_groups if g in held_out]
    if held:
        out["held_out_families"] = block(np.isin(groups, held))
        out["held_out_family"] = {g: block(groups == g) for g in held}
    seen = [g for g in pos_groups if g not in held_out and g != "in_the_wild"]
    if seen:
        out["seen_families"] = block(np.isin(groups, seen) & (details == seen_detail))
        out["seen_family"] = {g: block(groups == g) for g in seen}
    if "in_the_wild" in pos_groups:
        out["in_the_wild"] = block(groups == "in_the_wild")
    neg_groups = sorted(set(groups[labels == 0]))
    out["negative_fpr"] = {
        g: {"n": int(((groups == g) & (labels == 0)).sum()),
            **{f"fpr_at_{k}": _r(np.mean(scores[(groups == g) & (labels == 0)] > t)) for k, t in thresholds.items()}}
        for g in neg_groups
    }
    hard = (groups == "hard_negative") & (labels == 0)
    if hard.any():
        t = thresholds[_fpr_key(0.01)]
        out["hard_negative_fpr_at_1pct_fpr"] = {
            c: _r(np.mean(scores[hard & (details == c)] > t)) for c in sorted(set(details[hard]))
        }
    if op_threshold is not None:
        out["operating_point_fpr"] = _r(np.mean(neg > op_threshold))
    return out


def selection_score(scores, labels, groups, unseen):
    """What C is chosen by on validation: the mean recall at 1% FPR over
    three kinds of positives (the family held out of the first fit, the
    in-the-wild prompts, the seen families), so the rare kinds count as much
    as the plentiful generated ones."""
    scores = np.asarray(scores)
    labels = np.asarray(labels)
    groups = np.asarray(groups)
    t = threshold_at_fpr(scores[labels == 0], 0.01)
    pos = labels == 1
    kinds = [np.isin(groups, unseen), groups == "in_the_wild", ~np.isin(groups, list(unseen) + ["in_the_wild"])]
    return float(np.mean([np.mean(scores[pos & k] > t) for k in kinds]))

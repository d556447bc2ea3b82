"""Detection metrics: ROC AUC, recall at a fixed false positive rate, FPR per source.

Same definitions as the text detector's: the threshold for a target FPR f
over n negatives is the (k+1)-th highest negative score with
k = floor(f * n); a recording is flagged when its score is strictly above it.
Every subgroup of positives is measured against all negatives of the split.
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


def _key(f):
    return f"{round(f * 100)}pct_fpr"


def report(scores, labels, pos_blocks, neg_groups, op_threshold):
    """pos_blocks: {name: bool mask over the positives to report};
    neg_groups: array of the negatives' group names (others ignored)."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    neg = scores[labels == 0]
    th = {_key(f): threshold_at_fpr(neg, f) for f in FPRS}
    th["operating_threshold"] = op_threshold
    out = {"n_positive": int((labels == 1).sum()), "n_negative": int((labels == 0).sum()),
           "thresholds": {k: _r(v) for k, v in th.items()}, "positives": {}, "negative_fpr": {}}
    for name, mask in pos_blocks.items():
        pos = scores[mask & (labels == 1)]
        if not len(pos):
            continue
        y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
        b = {"n": int(len(pos)), "auc": _r(roc_auc_score(y, np.r_[pos, neg]))}
        for k, t in th.items():
            b[f"recall_at_{k}"] = _r(np.mean(pos > t))
        out["positives"][name] = b
    groups = np.asarray(neg_groups)
    for g in sorted(set(groups[labels == 0])):
        m = (groups == g) & (labels == 0)
        out["negative_fpr"][g] = {"n": int(m.sum()), **{f"fpr_at_{k}": _r(np.mean(scores[m] > t)) for k, t in th.items()}}
    out["operating_point_fpr"] = _r(np.mean(neg > op_threshold))
    return out

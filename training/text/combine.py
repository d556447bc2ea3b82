"""The combined score: the model and the text guard's heuristics, calibrated.

    p = sigmoid(a * logit(model score) + b * heuristic + c)

(a, b, c) are fitted by a logistic regression on the validation split, with
the same group weights as training (each class half, each family or source
an equal part of its class), so p is a probability under a balanced prior.
The model's validation scores come from the fit on train alone (the selection
fit of the chosen C): the final model has seen the validation positives, and
its scores on them would overstate how sure it is. The combined threshold is
set at 1% FPR on the validation negatives. The coefficients and the threshold
travel in the ONNX file's metadata; src/detect/text.rs applies them.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression

import metrics

# Next to unregularized: three coefficients on thousands of texts.
C = 1e4
FPR = 0.01


def fit(model_logits, heuristic, labels, weights):
    """(a, b, c) from validation logits, heuristic scores, labels and weights."""
    lr = LogisticRegression(C=C, max_iter=1000, tol=1e-8)
    lr.fit(np.c_[model_logits, heuristic], labels, sample_weight=weights)
    a, b = (float(v) for v in lr.coef_.ravel())
    return round(a, 6), round(b, 6), round(float(lr.intercept_[0]), 6)


def apply(coef, model_scores, heuristic):
    """The combined score from model scores (probabilities) and heuristic scores."""
    a, b, c = coef
    p = np.clip(np.asarray(model_scores, dtype=np.float64), 1e-7, 1 - 1e-7)
    z = a * np.log(p / (1 - p)) + b * np.asarray(heuristic, dtype=np.float64) + c
    return 1 / (1 + np.exp(-z))


def threshold(coef, model_scores, heuristic, labels):
    """The combined threshold at 1% FPR on the negatives given."""
    combined = apply(coef, model_scores, heuristic)
    return metrics.threshold_at_fpr(combined[np.asarray(labels) == 0], FPR)

"""Compares at most 2 and at most 3 crops per side (M) for the adversarial detector.

    python training/image/crop_count.py

The browser runs one 64x64 crop in about 1 ms, so M = 3 (up to 9 crops)
costs up to 9 ms an image and M = 2 (up to 4) up to 4 ms. The splits'
own images are 96 to 192 pixels a side, where the two differ only for
96x192 images, so this also builds larger images from the validation and
test pictures (advdata.LARGE_SIZES, 192 to 384 pixels a side: 9 crops
under M = 3, 4 under M = 2), clean (PNG and JPEG) and attacked like the
splits' own. For each M it trains the detector (its training crops follow
M too), sets the threshold at 1% FPR on all validation negatives and
reports image-level ROC AUC, recall and FPR at that threshold on
validation and on test, for all images and for the larger ones alone.

The choice is made on validation, by a rule fixed before running: M = 2
unless it loses more than 0.005 of ROC AUC or more than 2 points of
recall at the threshold on all validation images. Test is reported for
both, never used to choose. Writes training/image/crop_count.json.
"""

import json
import pathlib
import time

import numpy as np
from sklearn.metrics import roc_auc_score

import advdata
import data
import metrics
import nets
import preprocess
import train

OUT = pathlib.Path(__file__).resolve().parent / "crop_count.json"
CANDIDATES = (2, 3)
MAX_AUC_LOSS = 0.005
MAX_RECALL_LOSS = 0.02


def _block(scores, labels, th):
    pos, neg = scores[labels == 1], scores[labels == 0]
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    return {"positives": int(len(pos)), "negatives": int(len(neg)),
            "auc": round(float(roc_auc_score(y, np.r_[pos, neg])), 6),
            "recall_at_threshold": round(float(np.mean(pos > th)), 6),
            "fpr_at_threshold": round(float(np.mean(neg > th)), 6)}


def evaluate(model, m, items, large):
    out = {}
    sc = {}
    for s in ("val", "test"):
        a = train.adv_scores(model, items[s], m)
        b = train.adv_scores(model, large[s], m)
        la = np.array([it.label for it in items[s]])
        lb = np.array([it.label for it in large[s]])
        sc[s] = (a, la, b, lb)
    a, la, b, lb = sc["val"]
    th = metrics.threshold_at_fpr(np.r_[a[la == 0], b[lb == 0]], train.OPERATING_FPR)
    out["threshold"] = round(th, 6)
    for s in ("val", "test"):
        a, la, b, lb = sc[s]
        out[s] = {"all": _block(np.r_[a, b], np.r_[la, lb], th), "split_images": _block(a, la, th),
                  "larger_images": _block(b, lb, th)}
        k = [len(preprocess.crop_positions(*it.img.shape[:2], m)) for it in items[s] + large[s]]
        out[s]["mean_crops_per_image"] = round(float(np.mean(k)), 3)
    return out


def main():
    start = time.perf_counter()
    nets.setup_torch()
    data.check_installed()
    items, surrogate, info = train.adv_data()
    large = advdata.build(surrogate, info["classes"], splits=("val", "test"), large=True)
    result = {"larger_images": {"sizes": [list(s) for s in advdata.LARGE_SIZES], "counts": advdata.summary(large)},
              "rule": f"M = 2 unless it loses more than {MAX_AUC_LOSS} ROC AUC or more than "
                      f"{round(100 * MAX_RECALL_LOSS)} points of recall at the 1%-FPR threshold on all validation images",
              "by_m": {}}
    for m in CANDIDATES:
        model, n = train.fit_adversarial(items["train"], m)
        r = evaluate(model, m, items, large)
        r["train_crops"] = n
        result["by_m"][str(m)] = r
        v = r["val"]["all"]
        print(f"M={m}: val AUC {v['auc']:.4f}, recall {v['recall_at_threshold']:.3f} at {r['threshold']:.4f}; "
              f"test AUC {r['test']['all']['auc']:.4f}, recall {r['test']['all']['recall_at_threshold']:.3f}, "
              f"FPR {r['test']['all']['fpr_at_threshold']:.3f}")
    v2, v3 = result["by_m"]["2"]["val"]["all"], result["by_m"]["3"]["val"]["all"]
    ok = v3["auc"] - v2["auc"] <= MAX_AUC_LOSS and v3["recall_at_threshold"] - v2["recall_at_threshold"] <= MAX_RECALL_LOSS
    result["chosen_m"] = 2 if ok else 3
    result["seconds_info"] = round(time.perf_counter() - start)
    OUT.write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    print(f"chosen M = {result['chosen_m']} (on validation); wrote {OUT.relative_to(data.REPO)}")


if __name__ == "__main__":
    main()

"""The generated part of the model card: the metrics tables.

Owns the text between the metrics markers in models/text-injection.md; the
rest of the card is written by hand and left as it is.
"""

BEGIN = "<!-- metrics:begin (written by training/text/train.py) -->"
END = "<!-- metrics:end -->"


def _pct(x):
    return f"{100 * x:.1f}%"


def _row(name, b):
    return (f"| {name} | {b['n']} | {b['auc']:.4f} | {_pct(b['recall_at_1pct_fpr'])} | "
            f"{_pct(b['recall_at_5pct_fpr'])} | {_pct(b['recall_at_operating_threshold'])} |")


def render(result):
    t = result["test"]
    m = result["model"]
    out = [
        f"Test split: {t['n_positive']} injections, {t['n_negative']} benign texts. Thresholds from the test "
        f"negatives: {t['thresholds']['1pct_fpr']:.4f} (1% FPR), {t['thresholds']['5pct_fpr']:.4f} (5% FPR); "
        f"operating threshold {m['operating_threshold']:.4f}, set on validation negatives, gives "
        f"{_pct(t['operating_point_fpr'])} FPR on the test negatives.",
        "",
        "| positives | n | ROC AUC | recall at 1% FPR | recall at 5% FPR | recall at operating threshold |",
        "|---|---:|---:|---:|---:|---:|",
        _row("**all**", t["all_positives"]),
        _row("**held-out families (never trained on)**", t["held_out_families"]),
    ]
    out += [_row(f"&nbsp;&nbsp;{g} (held out)", b) for g, b in t["held_out_family"].items()]
    out.append(_row("**seen families, held-out templates**", t["seen_families"]))
    out += [_row(f"&nbsp;&nbsp;{g}", b) for g, b in t["seen_family"].items()]
    out.append(_row("**in-the-wild jailbreaks (held-out 20%)**", t["in_the_wild"]))
    out += [
        "",
        "False positive rate per negative source:",
        "",
        "| source | n | FPR at the 1% threshold | FPR at the 5% threshold | FPR at operating threshold |",
        "|---|---:|---:|---:|---:|",
    ]
    for g, b in t["negative_fpr"].items():
        out.append(f"| {g} | {b['n']} | {_pct(b['fpr_at_1pct_fpr'])} | {_pct(b['fpr_at_5pct_fpr'])} | "
                   f"{_pct(b['fpr_at_operating_threshold'])} |")
    out += ["", "Hard negatives by kind, FPR at the 1% threshold: " + ", ".join(
        f"{k} {_pct(v)}" for k, v in t["hard_negative_fpr_at_1pct_fpr"].items()) + "."]
    out += combined(result["combined"])
    sel = result["selection"]
    out += ["", "C chosen on validation (" + sel["criterion"] + "): " + ", ".join(
        f"C={float(c):g}: {v:.4f}" for c, v in sel["scores"].items()) + f"; chosen C={sel['chosen_C']:g}."]
    counts = result["data"]["counts"]
    out += ["", "Texts per split and group:", "", "| group | train | val | test |", "|---|---:|---:|---:|"]
    for g in sorted({g for c in counts.values() for g in c}):
        out.append(f"| {g} | " + " | ".join(str(counts[s].get(g, 0)) for s in ("train", "val", "test")) + " |")
    sp = result["speed_info"]
    out += [
        "",
        f"Model file: {m['bytes']:,} bytes (sha256 `{m['sha256'][:16]}…`). ONNX Runtime and scikit-learn agree "
        f"within {m['onnx_vs_sklearn_max_abs_diff']:.0e} on the test split.",
        "",
        f"Speed in Python, one text at a time ({sp['texts']} test texts, {sp['mean_chars']:.0f} characters on "
        f"average; information only, the Rust code will differ): features {sp['feature_ms_per_1000_chars']:.3f} ms "
        f"per 1,000 characters ({sp['feature_texts_per_second']:,} texts/s); features and the ONNX Runtime call "
        f"(a dense [1, D] input) {sp['features_and_onnx_ms_per_1000_chars']:.3f} ms per 1,000 characters.",
    ]
    return "\n".join(out)


def combined(comb):
    """The combined score's table, beside the heuristics alone."""
    t, h, k = comb["test"], comb["heuristic_alone"], comb["coefficients"]
    out = [
        "",
        f"**Combined with the text guard's heuristics** (what `scores.injection` reports): "
        f"sigmoid({k['a']:.4f}·logit(model) + {k['b']:.4f}·heuristic + {k['c']:.4f}), threshold "
        f"{comb['threshold']:.4f} (1% FPR on validation negatives), which gives "
        f"{_pct(t['operating_point_fpr'])} FPR on the test negatives. The heuristics alone for comparison "
        "(their score takes few values, so their recall at a fixed FPR is coarse):",
        "",
        "| positives | combined: ROC AUC | recall at 1% FPR | at 5% FPR | at the combined threshold "
        "| heuristics alone: ROC AUC | recall at 1% FPR |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [("all", "all_positives"), ("held-out families", "held_out_families"),
            ("seen families", "seen_families"), ("in-the-wild", "in_the_wild")]
    for name, key in rows:
        a, b = t[key], h[key]
        out.append(f"| {name} | {a['auc']:.4f} | {_pct(a['recall_at_1pct_fpr'])} | {_pct(a['recall_at_5pct_fpr'])} "
                   f"| {_pct(a['recall_at_operating_threshold'])} | {b['auc']:.4f} | {_pct(b['recall_at_1pct_fpr'])} |")
    out += ["", "Combined, FPR per negative source at the combined threshold: " + ", ".join(
        f"{g} {_pct(b['fpr_at_operating_threshold'])}" for g, b in t["negative_fpr"].items()) + "."]
    return out


def update(path, result):
    text = path.read_text("utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path}: metrics markers missing")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + BEGIN + "\n" + render(result) + "\n" + END + tail, "utf-8")

"""The generated part of the two model cards: the metrics tables.

Owns the text between the metrics markers in models/image-adversarial.md and
models/image-typographic.md; the rest of each card is written by hand.
"""

BEGIN = "<!-- metrics:begin (written by training/image/train.py) -->"
END = "<!-- metrics:end -->"


def _pct(x):
    return f"{100 * x:.1f}%"


def _row(name, b):
    return (f"| {name} | {b['n']} | {b['auc']:.4f} | {_pct(b['recall_at_1pct_fpr'])} | "
            f"{_pct(b['recall_at_5pct_fpr'])} | {_pct(b['recall_at_operating_threshold'])} |")


HEAD = ["| positives | n | ROC AUC | recall at 1% FPR | recall at 5% FPR | recall at operating threshold |",
        "|---|---:|---:|---:|---:|---:|"]


def _neg_table(t):
    out = ["", "False positive rate per kind of clean image:", "",
           "| negatives | n | FPR at the 1% threshold | FPR at the 5% threshold | FPR at operating threshold |",
           "|---|---:|---:|---:|---:|"]
    for g, b in t["negative_fpr"].items():
        out.append(f"| {g} | {b['n']} | {_pct(b['fpr_at_1pct_fpr'])} | {_pct(b['fpr_at_5pct_fpr'])} | "
                   f"{_pct(b['fpr_at_operating_threshold'])} |")
    return out


def _counts(counts):
    out = ["", "Images per split and group:", "", "| group | train | val | test |", "|---|---:|---:|---:|"]
    for g in sorted({g for c in counts.values() for g in c}):
        out.append(f"| {g} | " + " | ".join(str(counts[s].get(g, 0)) for s in ("train", "val", "test")) + " |")
    return out


def _intro(result, what_pos, what_neg):
    t, m = result["test"], result["model"]
    return [f"Test split: {t['n_positive']} {what_pos}, {t['n_negative']} {what_neg}. Thresholds from the test "
            f"negatives: {t['thresholds']['1pct_fpr']:.4f} (1% FPR), {t['thresholds']['5pct_fpr']:.4f} (5% FPR); "
            f"operating threshold {m['operating_threshold']:.4f}, set on validation negatives, gives "
            f"{_pct(t['operating_point_fpr'])} FPR on the test negatives. Validation ROC AUC "
            f"{result['validation']['auc']:.4f}.", ""]


def _tail(result):
    m, sp = result["model"], result["speed_info"]
    out = ["", f"Model file: {m['bytes']:,} bytes (sha256 `{m['sha256'][:16]}…`), ops: {', '.join(m['ops'])}. "
               f"ONNX Runtime and torch agree within {m['onnx_vs_torch_max_abs_diff']:.0e} on the test split.", "",
           f"Speed in Python, ONNX Runtime on 1 CPU thread, median per image over {sp['images']} test images "
           f"(information only): preprocessing {sp['median_preprocess_ms']:.3f} ms, model {sp['median_onnx_ms']:.3f} ms"]
    if "median_onnx_ms_1920x1080" in sp:
        out[-1] += f"; a 1920x1080 image ({sp['crops_1920x1080']} crops) {sp['median_onnx_ms_1920x1080']:.3f} ms"
    out[-1] += f". Training took {result['train_seconds_info']} s (data and fit) on 2 shared cores."
    return out


def render_adversarial(result):
    t = result["test"]
    p = t["positives"]
    out = _intro(result, "attacked images", "clean images") + HEAD
    out.append(_row("**all attacks**", p["all"]))
    out.append(_row("**budget ≥ 4/255 (FGSM, PGD L∞, PGD L2)**", p["eps_ge_4"]))
    for f in ("fgsm", "pgd_linf", "pgd_l2", "deepfool"):
        if f in p:
            out.append(_row(f + (" (family held out)" if f == "deepfool" else ""), p[f]))
    for e in (2, 4, 6, 8, 16):
        if f"eps{e}" in p:
            out.append(_row(f"ε = {e}/255" + (" (budget held out)" if e == 6 else ""), p[f"eps{e}"]))
    out += ["", "ROC AUC per family and budget (ε in 1/255):", "",
            "| family | " + " | ".join(f"ε={e}" for e in (2, 4, 6, 8, 16)) + " |", "|---|" + "---:|" * 5]
    for f in ("fgsm", "pgd_linf", "pgd_l2"):
        out.append(f"| {f} | " + " | ".join(f"{p[f'{f}/eps{e}']['auc']:.3f}" if f"{f}/eps{e}" in p else "–"
                                             for e in (2, 4, 6, 8, 16)) + " |")
    if "deepfool_perturbation" in t:
        d = t["deepfool_perturbation"]
        out += ["", f"DeepFool perturbations after rounding to 8 bits: median L∞ {d['median_linf']:.0f}/255, median "
                    f"RMS {d['median_rms']:.2f}/255; {_pct(d['share_unchanged_after_quantization'])} of them vanish entirely."]
    out += _neg_table(t)
    s = result["surrogate"]
    out += ["", f"Surrogate: {s['classes']} classes (the training photos), accuracy on its own training patches "
                f"{s['train_accuracy']:.3f}. Detector trained on {result['model']['train_crops']:,} crops."]
    out += _counts(result["data"]["counts"]) + _tail(result)
    return "\n".join(out)


def render_typographic(result):
    t = result["test"]
    p = t["positives"]
    out = _intro(result, "text images", "other images") + HEAD
    out.append(_row("**all text images**", p["all"]))
    out.append(_row("FigStep, held-out topics 9 and 10", p["figstep"]))
    out.append(_row("rendered here, held-out fonts", p["rendered"]))
    out += _neg_table(t)
    v = result["validation"]
    out += ["", f"Validation negatives ({v['n_negative']}; they set the operating threshold) and their false positive "
                f"rate at it:", "", "| negatives | n | FPR at operating threshold |", "|---|---:|---:|"]
    fam = result["data"]["texture_families"]
    held = set(fam["val"]) - set(fam["train"])
    extra = len(result["data"]["validation_only_pictures"])
    for g, b in v["negative_fpr_at_operating_threshold"].items():
        note = " (family never trained on)" if g.startswith("texture_") and g[len("texture_"):] in held else ""
        out.append(f"| {g}{note} | {b['n']} | {_pct(b['fpr'])} |")
    out += ["", f"Validation photo and render views include those of the {extra} validation-only pictures; "
                "close-ups are 5%–30% crops."]
    out += _counts(result["data"]["counts"]) + _tail(result)
    return "\n".join(out)


def _update(path, text):
    doc = path.read_text("utf-8")
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{path}: metrics markers missing")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + BEGIN + "\n" + text + "\n" + END + tail, "utf-8")


def update_adversarial(path, result):
    _update(path, render_adversarial(result))


def update_typographic(path, result):
    _update(path, render_typographic(result))

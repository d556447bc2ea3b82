"""The generated part of the card: the metrics tables.

Owns the text between the metrics markers in models/audio-adversarial.md;
the rest of the card is written by hand.
"""

import attacks

BEGIN = "<!-- metrics:begin (written by training/audio/train.py) -->"
END = "<!-- metrics:end -->"


def _pct(x):
    return f"{100 * x:.1f}%"


def _row(name, b):
    return (f"| {name} | {b['n']} | {b['auc']:.4f} | {_pct(b['recall_at_1pct_fpr'])} | "
            f"{_pct(b['recall_at_5pct_fpr'])} | {_pct(b['recall_at_operating_threshold'])} |")


def render(result):
    t, m, p = result["test"], result["model"], result["test"]["positives"]
    held = set(attacks.HELD_OUT_EPS)
    out = [f"Test split (speaker {[k for k, v in result['data']['speakers'].items() if v == 'test'][0]}): "
           f"{t['n_positive']} attacked recordings, {t['n_negative']} clean or benignly processed ones. Thresholds "
           f"from the test negatives: {t['thresholds']['1pct_fpr']:.4f} (1% FPR), {t['thresholds']['5pct_fpr']:.4f} "
           f"(5% FPR); operating threshold {m['operating_threshold']:.4f}, set on the validation speaker's "
           f"negatives, gives {_pct(t['operating_point_fpr'])} FPR on the test negatives. Validation ROC AUC "
           f"{result['validation']['auc']:.4f}.", "",
           "| positives | n | ROC AUC | recall at 1% FPR | recall at 5% FPR | recall at operating threshold |",
           "|---|---:|---:|---:|---:|---:|",
           _row("**all attacks**", p["all"]),
           _row("**budget ≥ 0.001 (FGSM, PGD L∞, PGD L2)**", p["eps_ge_0.001"])]
    for f in attacks.TRAIN_FAMILIES + attacks.HELD_OUT_FAMILIES:
        if f in p:
            out.append(_row(f + (" (family held out)" if f in attacks.HELD_OUT_FAMILIES else ""), p[f]))
    for e in attacks.ALL_EPS:
        k = f"eps{attacks.eps_name(e)}"
        if k in p:
            out.append(_row(f"ε = {attacks.eps_name(e)}" + (" (budget held out)" if e in held else ""), p[k]))
    out += ["", "ROC AUC per family and budget (ε relative to full scale):", "",
            "| family | " + " | ".join(f"ε={attacks.eps_name(e)}" for e in attacks.ALL_EPS) + " |",
            "|---|" + "---:|" * len(attacks.ALL_EPS)]
    for f in attacks.TRAIN_FAMILIES:
        out.append(f"| {f} | " + " | ".join(
            f"{p[k]['auc']:.3f}" if (k := f"{f}/eps{attacks.eps_name(e)}") in p else "–" for e in attacks.ALL_EPS) + " |")
    s = t["attack_success_on_surrogate"]
    out += ["", "Share of attacked test recordings whose surrogate decision changed (after 16-bit rounding): " +
            ", ".join(f"{f} {_pct(v)}" for f, v in s.items()) + "."]
    if "cw_perturbation" in t:
        c = t["cw_perturbation"]
        out += ["", f"C&W perturbations after 16-bit rounding: median L∞ {c['median_linf']:.4f}, median RMS "
                    f"{c['median_rms']:.5f} (full scale 1.0); {_pct(c['share_unchanged_after_quantization'])} vanish."]
    out += ["", "False positive rate per kind of negative (each test take appears once per kind):", "",
            "| negatives | n | FPR at the 1% threshold | FPR at the 5% threshold | FPR at operating threshold | "
            "validation FPR at operating threshold |", "|---|---:|---:|---:|---:|---:|"]
    vf = result["validation"]["negative_fpr_at_operating_threshold"]
    for g, b in t["negative_fpr"].items():
        out.append(f"| {g} | {b['n']} | {_pct(b['fpr_at_1pct_fpr'])} | {_pct(b['fpr_at_5pct_fpr'])} | "
                   f"{_pct(b['fpr_at_operating_threshold'])} | {_pct(vf.get(g, 0.0))} |")
    sg = result["surrogate"]
    out += ["", f"Surrogate digit classifier (trained on {', '.join(sg['train_speakers'])}): accuracy "
                f"{sg['train_accuracy']:.3f} on its training takes, {sg['val_speaker_accuracy']:.3f} on the "
                f"validation speaker, {sg['test_speaker_accuracy']:.3f} on the test speaker. Detector trained on "
                f"{m['train_windows']:,} windows."]
    counts = result["data"]["counts"]
    out += ["", "Recordings per split and group:", "", "| group | train | val | test |", "|---|---:|---:|---:|"]
    for g in sorted({g for c in counts.values() for g in c}):
        out.append(f"| {g} | " + " | ".join(str(counts[s].get(g, 0)) for s in ("train", "val", "test")) + " |")
    sp = result["speed_info"]
    out += ["", f"Model file: {m['bytes']:,} bytes (sha256 `{m['sha256'][:16]}…`), {m['parameters']:,} parameters, "
                f"ops: {', '.join(m['ops'])}. ONNX Runtime and torch agree within "
                f"{m['onnx_vs_torch_max_abs_diff']:.0e} on the test split.", "",
            f"Speed in Python (numpy features, ONNX Runtime on 1 CPU thread; information only): median per test "
            f"recording {sp['median_features_ms']:.2f} ms features, {sp['median_onnx_ms']:.2f} ms model; a 10-s "
            f"recording (10 windows) {sp['features_ms_10_windows']:.1f} ms features, {sp['onnx_ms_10_windows']:.1f} ms "
            f"model. Training took {result['train_seconds_info']} s (data, attacks and fit; "
            f"{result['total_seconds_info']} s in all) on 2 shared cores."]
    return "\n".join(out)


def update(path, result):
    doc = path.read_text("utf-8")
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{path}: metrics markers missing")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + BEGIN + "\n" + render(result) + "\n" + END + tail, "utf-8")

"""The labelled train / validation / test splits.

Owns what goes where. Test holds two whole injection families, 20% of the
templates of every other family, 20% of the in-the-wild groups, and 20% of
each negative source (by gsm8k question, self-instruct task, UDHR language,
hard-negative template). Validation is taken the same way from the rest and
also holds one whole family. Injections are built only over carriers from
their own split, so no benign text is seen in training inside an injection
and at test time on its own.
"""

import random

import data
import families as fam

SEED = 20240611

# Positives generated per family and split (distinct texts).
PER_FAMILY = {"train": 1500, "val": 250, "test": 400}
PER_HELD_OUT_FAMILY = 600
# Hard negatives per template (a template varies little, so more copies of
# one would only weigh it more).
HARD_PER_TEMPLATE = {"train": 40, "val": 25, "test": 25}
# Share of UDHR paragraphs among carriers, so that injections inside
# non-English text are seen too.
UDHR_CARRIER_SHARE = 0.2

SPLITS = ("train", "val", "test")


class Item:
    __slots__ = ("text", "label", "group", "detail")

    def __init__(self, text, label, group, detail=""):
        self.text, self.label, self.group, self.detail = text, label, group, detail


def _by_split(pairs, salt):
    """pairs of (key, text) -> {split: [(key, text)]} with the keys' split."""
    where = data.assign([k for k, _ in pairs], salt)
    out = {s: [] for s in SPLITS}
    for k, t in pairs:
        out[where[k]].append((k, t))
    return out


def _carriers(sources, split, rng):
    english = [t for _, t in sources["gsm8k"][split]] + [t for _, t in sources["self_instruct"][split]]
    udhr = sorted({t for _, t in sources["udhr"][split] if len(t) >= 40})
    n = min(len(udhr), round(len(english) * UDHR_CARRIER_SHARE / (1 - UDHR_CARRIER_SHARE)))
    return english + rng.sample(udhr, n)


def build(seed=SEED):
    """{split: [Item]} in a fixed order."""
    sources = {
        "gsm8k": _by_split(data.gsm8k(), "gsm8k"),
        "self_instruct": _by_split(data.self_instruct(), "self_instruct"),
        "udhr": _by_split(data.udhr(), "udhr"),
    }
    itw = _by_split(data.in_the_wild(), "in_the_wild")
    hard_keys = data.assign(fam.hard_negative_keys(), "hard_negative")
    rng = random.Random(seed)
    carriers = {s: _carriers(sources, s, rng) for s in SPLITS}

    out = {s: [] for s in SPLITS}
    for s in SPLITS:
        for name, per in sources.items():
            out[s] += [Item(t, 0, name, k if name == "udhr" else "") for k, t in per[s]]
        keys = [k for k, v in hard_keys.items() if v == s]
        hard = fam.generate_hard_negatives(keys, carriers[s], HARD_PER_TEMPLATE[s] * len(keys), seed)
        out[s] += [Item(t, 0, "hard_negative", cat) for cat, t in hard]
        out[s] += [Item(t, 1, "in_the_wild") for _, t in itw[s]]

    for name in fam.FAMILIES:
        keys = fam.template_keys(name)
        if name in fam.TEST_FAMILIES or name in fam.VAL_FAMILIES:
            s = "test" if name in fam.TEST_FAMILIES else "val"
            texts = fam.generate_injections(name, keys, carriers[s], PER_HELD_OUT_FAMILY, seed)
            out[s] += [Item(t, 1, name, "held_out") for t in texts]
            continue
        where = data.assign(keys, f"family/{name}")
        for s in SPLITS:
            chosen = [k for k in keys if where[k] == s]
            texts = fam.generate_injections(name, chosen, carriers[s], PER_FAMILY[s], seed)
            out[s] += [Item(t, 1, name, "seen") for t in texts]
    return out


def summary(splits):
    """Counts per split and group, for the card and for reproducibility checks."""
    out = {}
    for s, items in splits.items():
        counts = {}
        for it in items:
            counts[it.group] = counts.get(it.group, 0) + 1
        out[s] = dict(sorted(counts.items()))
    return out

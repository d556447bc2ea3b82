"""Turning templates into texts: injections and hard negatives in carriers.

Owns which families are held out, how slots are filled, and how a snippet is
placed into a benign carrier text (prepended, appended, in the middle, or
alone), the same way for injections and hard negatives so that length and
position say nothing about the label.
"""

import base64
import codecs
import random
import re
import urllib.parse

from templates import FAMILIES, HARD_NEGATIVES, HARD_SLOTS, HIDDEN, SHARED

# Families never seen in training: the test split's measure of generalization.
TEST_FAMILIES = ("exfiltration", "prompt_extraction")
# Held out from the first fit to choose C for unseen families; in the refit.
VAL_FAMILIES = ("refusal_suppression",)

# Slots drawn once per generated text rather than at each occurrence.
STICKY = ("persona",)

POSITIONS = ("prepend", "append", "middle", "alone")
SEPARATORS = (" ", "\n", "\n\n", " ", "\n\n---\n\n", "  ", "\n\n")


def _encoded_slots(rng):
    """Slots whose values are computed from a hidden sentence."""
    s = rng.choice(HIDDEN)
    leet = s.translate(str.maketrans("aeiost", "4310$7"))
    return {
        "b64": base64.b64encode(s.encode()).decode(),
        "hex": s.encode().hex(),
        "rot13": codecs.encode(s, "rot13"),
        "rev": s[::-1],
        "leet": leet,
        "spaced": " ".join(s),
        "urlenc": urllib.parse.quote(s),
    }


def _benign_encoded_slots(rng):
    p = rng.choice(HARD_SLOTS["phrase"])
    return {"b64benign": base64.b64encode(p.encode()).decode(), "hexbenign": p.encode().hex()}


_TOKEN = re.compile(r"\{\{|\}\}|\{([a-z_0-9]+)\}")


def expand(template, slots, rng, literal=(), depth=0):
    """Fill {slots} recursively; '{{' and '}}' stand for literal braces.

    Values of the slots named in `literal` (carrier texts) are inserted as
    they are, since they may hold braces of their own.
    """
    if depth > 4:
        raise ValueError(f"slot recursion too deep in {template!r}")
    out, last = [], 0
    for m in _TOKEN.finditer(template):
        out.append(template[last : m.start()])
        last = m.end()
        name = m.group(1)
        if name is None:
            out.append(m.group(0)[0])
        elif name in literal:
            out.append(rng.choice(slots[name]))
        else:
            out.append(expand(rng.choice(slots[name]), slots, rng, literal, depth + 1))
    out.append(template[last:])
    return "".join(out)


def _capitalize(s):
    return s[:1].upper() + s[1:]


def _split_middle(text):
    """Split at the sentence boundary (else the space) nearest the middle."""
    cuts = [m.end() for m in re.finditer(r"[.!?。]\s+", text)] or [m.start() for m in re.finditer(r"\s", text)]
    if not cuts:
        return text, ""
    mid = len(text) / 2
    cut = min(cuts, key=lambda c: (abs(c - mid), c))
    return text[:cut].rstrip(), text[cut:].lstrip()


def place(snippet, carrier, rng, position=None):
    """Put a snippet into a carrier text at a random (or given) position."""
    position = position or rng.choice(POSITIONS)
    sep = rng.choice(SEPARATORS)
    if position == "alone" or not carrier:
        return snippet
    if position == "prepend":
        return snippet + sep + carrier
    if position == "append":
        return carrier + sep + snippet
    a, b = _split_middle(carrier)
    return a + sep + snippet + (sep + b if b else "")


def template_keys(family):
    return [f"{family}/{i}" for i in range(len(FAMILIES[family]["templates"]))]


def hard_negative_keys():
    return [f"{cat}/{i}" for cat, temps in HARD_NEGATIVES.items() for i in range(len(temps))]


def generate_injections(family, keys, carriers, count, seed):
    """`count` distinct positives of one family from the templates named by keys."""
    rng = random.Random(f"{seed}/{family}/{count}/{len(carriers)}")
    fam = FAMILIES[family]
    slots = {**SHARED, **fam["slots"]}
    templates = [fam["templates"][int(k.split("/")[1])] for k in sorted(keys)]
    out, seen, tries = [], set(), 0
    while len(out) < count and tries < count * 20:
        tries += 1
        encoded = _encoded_slots(rng)
        local = {**slots, **{k: [v] for k, v in encoded.items()}}
        # A persona keeps one name throughout a prompt.
        for name in STICKY:
            if name in local:
                local[name] = [rng.choice(local[name])]
        snippet = _capitalize(expand(rng.choice(templates), local, rng, literal=encoded))
        text = place(snippet, rng.choice(carriers), rng)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def generate_hard_negatives(keys, carriers, count, seed):
    """`count` distinct benign look-alikes from the templates named by keys.

    They are placed into carriers the same way as injections, so that length
    and position say nothing about the label.
    """
    rng = random.Random(f"{seed}/hard/{count}/{len(carriers)}")
    templates = [(k, HARD_NEGATIVES[k.split("/")[0]][int(k.split("/")[1])]) for k in sorted(keys)]
    out, seen, tries = [], set(), 0
    while len(out) < count and tries < count * 20:
        tries += 1
        key, template = rng.choice(templates)
        carrier = rng.choice(carriers)
        short = carrier if len(carrier) < 120 else carrier[:120].rsplit(" ", 1)[0]
        local = {**HARD_SLOTS, "carrier": [carrier], "carrier_short": [short.replace('"', "'")],
                 **{k: [v] for k, v in _benign_encoded_slots(rng).items()}}
        snippet = expand(template, local, rng, literal=("carrier", "carrier_short", "b64benign", "hexbenign"))
        # A template that already holds its carrier stands alone.
        text = place(snippet, rng.choice(carriers), rng, "alone" if "{carrier" in template else None)
        if text not in seen:
            seen.add(text)
            out.append((key.split("/")[0], text))
    return out

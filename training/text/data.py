"""Reading the shared corpora and assigning items to splits.

Owns where the data lives (MMGUARD_SHARED_DATA, default ../shared/data from
the repository root), how each source is turned into texts, and the
deterministic split rule used everywhere: items are grouped by a key and the
keys are ranked by SHA-256, so a split never depends on file order, Python's
hash seed or the random generator's state.
"""

import hashlib
import html
import json
import os
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
SALT = "mmguard-text-v1"

# Share of keys per split; validation is taken from what is left after test.
TEST_SHARE = 0.20
VAL_SHARE = 0.15


def data_dir():
    env = os.environ.get("MMGUARD_SHARED_DATA")
    path = pathlib.Path(env) if env else REPO.parent / "shared" / "data"
    if not (path / "SOURCES.md").is_file():
        raise SystemExit(f"shared data not found at {path} (set MMGUARD_SHARED_DATA)")
    return path


def source_files():
    """The files read, relative to the data directory (hashed into metrics)."""
    root = data_dir()
    files = [
        "inthewild-jailbreak/inthewild_jailbreak_llms.json",
        "self-instruct-seed/seed_tasks.jsonl",
        "gsm8k-train/train.jsonl",
    ]
    files += sorted(str(p.relative_to(root)) for p in (root / "udhr-half-B").glob("*.html"))
    return files


def data_digest():
    h = hashlib.sha256()
    root = data_dir()
    for rel in source_files():
        h.update(rel.encode())
        h.update((root / rel).read_bytes())
    return h.hexdigest()


def _rank(key, salt):
    return hashlib.sha256(f"{SALT}/{salt}/{key}".encode()).hexdigest()


def assign(keys, salt, test=TEST_SHARE, val=VAL_SHARE):
    """Map each distinct key to 'test', 'val' or 'train'.

    The first round(test*n) keys by hash rank go to test (at least one when
    test > 0 and there are two keys or more), then round(val*rest) to val.
    """
    uniq = sorted(set(keys), key=lambda k: _rank(k, salt))
    n = len(uniq)
    n_test = max(1, round(test * n)) if test > 0 and n >= 2 else 0
    n_val = max(1, round(val * (n - n_test))) if val > 0 and n - n_test >= 2 else 0
    out = {}
    for i, k in enumerate(uniq):
        out[k] = "test" if i < n_test else "val" if i < n_test + n_val else "train"
    return out


def in_the_wild():
    """Real jailbreak prompts, deduplicated, with a near-duplicate group key.

    Many prompts are edits of one another (DAN variants); grouping on the
    opening words keeps a variant and its edits in the same split.
    """
    items = json.loads((data_dir() / "inthewild-jailbreak/inthewild_jailbreak_llms.json").read_text("utf-8"))
    seen, out = set(), []
    for text in items:
        if text in seen:
            continue
        seen.add(text)
        group = " ".join(text.lower().split())[:60]
        out.append((group, text))
    return out


def self_instruct():
    """(task id, text): the instruction, each non-empty input, and both together."""
    out = []
    for line in (data_dir() / "self-instruct-seed/seed_tasks.jsonl").read_text("utf-8").splitlines():
        task = json.loads(line)
        out.append((task["id"], task["instruction"]))
        for inst in task["instances"]:
            if inst["input"].strip():
                out.append((task["id"], inst["input"]))
                out.append((task["id"], task["instruction"] + "\n\n" + inst["input"]))
    return out


def gsm8k():
    """(question, question): the question text is its own key."""
    lines = (data_dir() / "gsm8k-train/train.jsonl").read_text("utf-8").splitlines()
    return [(q, q) for q in (json.loads(line)["question"] for line in lines)]


_BLOCK = re.compile(r"<(p|li|h1|h2|h3)\b[^>]*>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def udhr():
    """(language key, paragraph) for every UDHR translation.

    The key is the ISO 639-3 code, or the file name where the code is 'und',
    so variants of one language (e.g. Mandarin in three romanizations) share a
    split and a held-out language is wholly unseen.
    """
    out = []
    for path in sorted((data_dir() / "udhr-half-B").glob("*.html")):
        page = path.read_text("utf-8")
        m = re.search(r'data-iso6393="([^"]*)"', page)
        lang = m.group(1) if m and m.group(1) != "und" else path.stem
        seen = set()
        for _, body in _BLOCK.findall(page):
            text = " ".join(html.unescape(_TAG.sub(" ", body)).split())
            if text and text not in seen:
                seen.add(text)
                out.append((lang, text))
    return out


"""The text guard's heuristic injection score, from the command-line tool.

The heuristics (the pattern library in src/text/injection.rs) are Rust, and
the combined score must see exactly what the guard computes, so the texts go
through `mmguard text --jsonl` with the default policy and the report's
`scores.injection_heuristic` is read back. The tool is built by `make models`
(`cargo build --bin mmguard`); MMGUARD_CLI names another binary.
"""

import json
import os
import subprocess

import numpy as np

import data

CLI = os.environ.get("MMGUARD_CLI", str(data.REPO / "target" / "debug" / "mmguard"))


def scores(texts):
    """The heuristic score (0..1) of each text, in order."""
    lines = "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts).encode("utf-8")
    try:
        run = subprocess.run([CLI, "text", "--jsonl"], input=lines, capture_output=True, check=False)
    except FileNotFoundError:
        raise SystemExit(f"{CLI} not found: build it with `cargo build --bin mmguard` (or set MMGUARD_CLI)")
    if run.returncode not in (0, 1):
        raise SystemExit(f"{CLI} failed: {run.stderr.decode('utf-8', 'replace')}")
    # Split on "\n" only: the JSON may hold U+2028, which str.splitlines() would split on.
    out = run.stdout.decode("utf-8").rstrip("\n").split("\n")
    if len(out) != len(texts):
        raise SystemExit(f"{CLI} answered {len(out)} lines for {len(texts)} texts")
    result = []
    for i, line in enumerate(out):
        obj = json.loads(line)
        if "error" in obj:
            raise SystemExit(f"text {i}: {obj['error']['code']}: {obj['error']['message']}")
        result.append(obj["report"]["scores"]["injection_heuristic"])
    return np.array(result, dtype=np.float64)

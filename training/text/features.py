"""Text features for the injection detector: hashed, signed byte n-grams.

This module owns the exact feature definition that the Rust side must
reproduce byte for byte (the model card restates it):

1. NFKC-normalize the text, then lowercase ASCII letters only (A-Z -> a-z).
   Unicode case mapping is left alone because its rules depend on the
   language (Turkish dotted I, final sigma) and differ between libraries.
2. Encode as UTF-8, wrap as 0x02 + bytes + 0x03 (start and end markers, so
   n-grams at the edges differ from the same bytes inside a text). The whole
   text is used, without truncation.
3. For every n in NGRAMS and every window of n bytes, hash 32-bit FNV-1a over
   the byte n followed by the n window bytes. bucket = hash & (D - 1);
   sign = +1 when bit 31 is 0, else -1. Add the sign to the bucket.
4. Each nonzero count c becomes sign(c) * log1p(|c|) (float64), the vector is
   L2-normalized (a zero vector stays zero) and cast to float32.
"""

import unicodedata

import numpy as np
import scipy.sparse as sp

D = 1 << 18
# Chosen on validation among (3..5), (2..5), (3..6), (4..7), (3..7), (4..8), (5..8), (4, 6, 8).
NGRAMS = (4, 5, 6, 7)
START, END = 0x02, 0x03
FNV_OFFSET = 2166136261
FNV_PRIME = 16777619

_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_MASK = np.uint32(D - 1)
_PRIME = np.uint32(FNV_PRIME)


def normalize(text):
    """The bytes that are hashed, markers included."""
    body = unicodedata.normalize("NFKC", text).encode("utf-8").translate(_ASCII_LOWER)
    return bytes([START]) + body + bytes([END])


def fnv1a_ngram(window):
    """Reference (scalar) hash of one n-gram; the vectorized path must agree."""
    h = FNV_OFFSET
    for b in (len(window), *window):
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFF
    return h


def _hash_counts(docs):
    """Signed bucket counts for a list of wrapped byte strings, as CSR int32.

    All documents are concatenated and every n-gram position is hashed at once
    with numpy (uint32 arithmetic wraps mod 2**32, as FNV-1a needs); windows
    that would cross a document boundary are masked out.
    """
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    ends = np.cumsum(lengths)
    maxn = max(NGRAMS)
    flat = np.frombuffer(b"".join(docs) + bytes(maxn), dtype=np.uint8).astype(np.uint32)
    total = int(ends[-1]) if len(docs) else 0
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    end_of = np.repeat(ends, lengths)
    pos = np.arange(total, dtype=np.int64)
    rows, cols, vals = [], [], []
    for n in NGRAMS:
        h = np.full(total, ((FNV_OFFSET ^ n) * FNV_PRIME) & 0xFFFFFFFF, dtype=np.uint32)
        for k in range(n):
            h = (h ^ flat[k : k + total]) * _PRIME
        ok = pos + n <= end_of
        h = h[ok]
        rows.append(doc_of[ok])
        cols.append((h & _MASK).astype(np.int64))
        vals.append(np.where(h >> np.uint32(31), -1, 1).astype(np.int32))
    m = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(docs), D),
        dtype=np.int32,
    ).tocsr()
    m.sum_duplicates()
    return m


def _squash_normalize(counts):
    """sign(c)*log1p(|c|), row L2 normalization in float64, then float32."""
    counts.eliminate_zeros()
    counts.sort_indices()
    v = counts.data.astype(np.float64)
    v = np.sign(v) * np.log1p(np.abs(v))
    row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=v * v, minlength=counts.shape[0]))
    if v.size:
        v = v / norms[row_of]
    out = sp.csr_matrix((v, counts.indices, counts.indptr), shape=counts.shape)
    return out.astype(np.float32)


def featurize(texts, chunk=4000):
    """CSR float32 matrix [len(texts), D] of features."""
    parts = []
    for i in range(0, len(texts), chunk):
        docs = [normalize(t) for t in texts[i : i + chunk]]
        parts.append(_squash_normalize(_hash_counts(docs)))
    if not parts:
        return sp.csr_matrix((0, D), dtype=np.float32)
    return sp.vstack(parts, format="csr")


def featurize_reference(text):
    """Scalar, loop-based version of the same features (for cross-checks).

    Returns a dict bucket -> float32 value; slow, used only on a few texts.
    """
    b = normalize(text)
    counts = {}
    for n in NGRAMS:
        for i in range(len(b) - n + 1):
            h = fnv1a_ngram(b[i : i + n])
            bucket = h & (D - 1)
            counts[bucket] = counts.get(bucket, 0) + (-1 if h >> 31 else 1)
    vals = {k: float(np.sign(c) * np.log1p(abs(c))) for k, c in sorted(counts.items()) if c}
    norm = float(np.sqrt(sum(v * v for v in vals.values())))
    return {k: np.float32(v / norm) for k, v in vals.items()}

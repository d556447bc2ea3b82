"""The preprocessing that another implementation must reproduce exactly.

Both detectors start from an RGB8 image (H rows, W columns, alpha dropped).

image-adversarial: fixed S x S crops at native resolution on a grid of at
most M x M positions per image, no resampling.
    n(L)      = min(M, max(1, L // S))                   crops along a side of length L
    pos(L, i) = 0                    if L <= S
              = (L - S) // 2         if n(L) == 1 (and L > S)
              = i * (L - S) // (n(L) - 1)   otherwise, i = 0 .. n(L)-1
    crop (cy, cx) pixel (v, u) = img[min(y + v, H - 1), min(x + u, W - 1)]
    (edge replication where the image is smaller than S), crops in row-major
    order (y outer, x inner), tensor NCHW float32 = byte / 255.
    Image score = mean of the per-crop scores.

image-typographic: gray = (77 R + 150 G + 29 B + 128) >> 8 (integers), then
a G x G box average: output cell (x, y) averages input columns
x0 = x * W // G .. x1 = max(x0, (x + 1) * W // G - 1) and rows likewise;
value = float32(float64(sum) / float64(count * 255)), NCHW [1, 1, G, G].
"""

import numpy as np

S = 64  # crop side
M = 2  # at most M crops along each side, M * M per image (crop_count.py compares 2 and 3)
G = 64  # typographic grid


def axis_positions(length, s=S, m=None):
    m = M if m is None else m
    n = min(m, max(1, length // s))
    if length <= s:
        return [0]
    if n == 1:
        return [(length - s) // 2]
    return [i * (length - s) // (n - 1) for i in range(n)]


def crop_positions(h, w, m=None):
    """[(y, x)] of the crops, row-major (m: crops per side, default M)."""
    return [(y, x) for y in axis_positions(h, m=m) for x in axis_positions(w, m=m)]


def crops_u8(img, m=None):
    """uint8 [K, S, S, 3] crops of an RGB8 image and their positions."""
    h, w = img.shape[:2]
    pos = crop_positions(h, w, m)
    out = np.empty((len(pos), S, S, 3), np.uint8)
    ar = np.arange(S)
    for k, (y, x) in enumerate(pos):
        rows = np.minimum(y + ar, h - 1)
        cols = np.minimum(x + ar, w - 1)
        out[k] = img[rows][:, cols]
    return out, pos


def crops_tensor(img, m=None):
    """float32 NCHW [K, 3, S, S] = byte / 255, and the positions."""
    c, pos = crops_u8(img, m)
    return to_tensor(c), pos


def to_tensor(crops):
    return (crops.astype(np.float32) / np.float32(255)).transpose(0, 3, 1, 2).copy()


def gray_u8(img):
    r, g, b = (img[..., i].astype(np.uint32) for i in range(3))
    return ((77 * r + 150 * g + 29 * b + 128) >> 8).astype(np.uint8)


def bin_edges(length, g=G):
    """[(start, end_inclusive)] of the G bins along a side of `length` pixels."""
    out = []
    for i in range(g):
        a = i * length // g
        b = max(a, (i + 1) * length // g - 1)
        out.append((a, b))
    return out


def gray_grid(img):
    """float32 [G, G] box averages of the gray image, / 255."""
    gray = gray_u8(img).astype(np.int64)
    h, w = gray.shape
    # integral image with a zero row and column in front
    ii = np.zeros((h + 1, w + 1), np.int64)
    ii[1:, 1:] = gray.cumsum(0).cumsum(1)
    ry = np.array(bin_edges(h))
    rx = np.array(bin_edges(w))
    y0, y1 = ry[:, 0][:, None], ry[:, 1][:, None] + 1
    x0, x1 = rx[:, 0][None, :], rx[:, 1][None, :] + 1
    sums = ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]
    counts = (y1 - y0) * (x1 - x0)
    return (sums.astype(np.float64) / (counts * 255).astype(np.float64)).astype(np.float32)


def gray_grid_reference(img):
    """The same with plain loops (slow; for checking)."""
    gray = gray_u8(img)
    h, w = gray.shape
    out = np.zeros((G, G), np.float32)
    for yi, (a, b) in enumerate(bin_edges(h)):
        for xi, (c, d) in enumerate(bin_edges(w)):
            s = int(gray[a:b + 1, c:d + 1].astype(np.int64).sum())
            out[yi, xi] = np.float32(s / ((b - a + 1) * (d - c + 1) * 255))
    return out


def typo_tensor(img):
    return gray_grid(img)[None, None]

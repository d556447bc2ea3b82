"""The feature rule that another implementation (the Rust SDK) reproduces exactly.

Input: mono samples at 16,000 Hz in [-1, 1] (a 16-bit WAV sample is
int16 / 32768). Computed in float64, returned as float32.

    windows   W = min(10, max(1, ceil(len / 16000))); window w covers samples
              [16000 w, 16000 (w + 1)); what lies past the end of the signal
              is zero (the last partial window, a signal shorter than 1 s)
    frames    98 per window: frame k = window samples [160 k, 160 k + 400)
              (no centering; samples 15920..15999 of a window are unused)
    hann      periodic: h[n] = 0.5 - 0.5 cos(2 pi n / 400), n = 0..399
    spectrum  frame * h, zero-padded to 512, real FFT, power |X[k]|^2, k = 0..256
    mel       HTK: m(f) = 2595 log10(1 + f / 700); 42 points equally spaced in
              mel from m(20) to m(8000), converted back to Hz: p_0 .. p_41;
              filter j (0..39) at bin frequency f_k = k * 16000 / 512 is
              max(0, min((f_k - p_j) / (p_{j+1} - p_j), (p_{j+2} - f_k) / (p_{j+2} - p_{j+1})))
              (no area normalization); energy_j = sum_k filter_j[k] |X[k]|^2
    feature   ln(energy_j + 1e-6); window tensor [1, 1, 40, 98] = [mel, frame]

The detector scores each window; the recording's score is the maximum.
`logmel_torch` is the same computation in float32 torch over a whole signal
(frames every 160 samples from its start), differentiable, for the
surrogate and the attacks only.
"""

import math

import numpy as np

RATE = 16000
WINDOW = 16000
MAX_WINDOWS = 10
FRAME = 400
HOP = 160
FFT = 512
MELS = 40
FMIN = 20.0
FMAX = 8000.0
LOG_FLOOR = 1e-6
FRAMES = 1 + (WINDOW - FRAME) // HOP  # 98
BINS = FFT // 2 + 1  # 257


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_points():
    lo, hi = hz_to_mel(FMIN), hz_to_mel(FMAX)
    return mel_to_hz(lo + (hi - lo) * np.arange(MELS + 2, dtype=np.float64) / (MELS + 1))


def mel_filters():
    """float64 [MELS, BINS] triangular weights."""
    p = mel_points()
    f = np.arange(BINS, dtype=np.float64) * RATE / FFT
    out = np.zeros((MELS, BINS))
    for j in range(MELS):
        up = (f - p[j]) / (p[j + 1] - p[j])
        down = (p[j + 2] - f) / (p[j + 2] - p[j + 1])
        out[j] = np.maximum(0.0, np.minimum(up, down))
    return out


def hann():
    n = np.arange(FRAME, dtype=np.float64)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / FRAME)


_FILTERS = mel_filters()
_HANN = hann()


def n_windows(n_samples):
    return min(MAX_WINDOWS, max(1, math.ceil(n_samples / WINDOW)))


def windows(samples):
    """float32 [W, 1, MELS, FRAMES] of a 1-D signal (any float or int16/32768 values)."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    w = n_windows(len(x))
    padded = np.zeros(w * WINDOW)
    n = min(len(x), w * WINDOW)
    padded[:n] = x[:n]
    out = np.empty((w, 1, MELS, FRAMES), np.float32)
    starts = np.arange(FRAMES) * HOP
    for i in range(w):
        seg = padded[i * WINDOW:(i + 1) * WINDOW]
        frames = seg[starts[:, None] + np.arange(FRAME)[None, :]] * _HANN
        spec = np.fft.rfft(frames, n=FFT, axis=1)
        power = spec.real ** 2 + spec.imag ** 2
        energy = power @ _FILTERS.T  # [FRAMES, MELS]
        out[i, 0] = np.log(energy + LOG_FLOOR).T.astype(np.float32)
    return out


def windows_reference(samples):
    """The same rule written out with an explicit DFT, loop by loop (slow):
    the check that `windows` implements the text above."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    w = n_windows(len(x))
    k = np.arange(BINS)[:, None]
    n = np.arange(FFT)[None, :]
    cos, sin = np.cos(2 * np.pi * k * n / FFT), np.sin(2 * np.pi * k * n / FFT)
    out = np.empty((w, 1, MELS, FRAMES), np.float32)
    for i in range(w):
        for t in range(FRAMES):
            buf = np.zeros(FFT)
            for m in range(FRAME):
                j = i * WINDOW + t * HOP + m
                buf[m] = (x[j] if j < len(x) else 0.0) * _HANN[m]
            re, im = cos @ buf, -(sin @ buf)
            power = re * re + im * im
            for b in range(MELS):
                out[i, 0, b, t] = np.float32(math.log(float(_FILTERS[b] @ power) + LOG_FLOOR))
    return out


def logmel_torch(x):
    """float32 torch [B, L] -> [B, 1, MELS, 1 + (L - FRAME) // HOP], differentiable."""
    import torch
    frames = x.unfold(1, FRAME, HOP) * torch.from_numpy(_HANN.astype(np.float32))
    spec = torch.fft.rfft(frames, n=FFT, dim=-1)
    power = spec.real ** 2 + spec.imag ** 2
    energy = power @ torch.from_numpy(_FILTERS.T.astype(np.float32))
    return torch.log(energy + LOG_FLOOR).transpose(1, 2).unsqueeze(1)

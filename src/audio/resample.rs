//! Band-limiting sample-rate conversion: nothing above the stop frequency
//! (at most half the output rate) survives, so ultrasonic and
//! near-ultrasonic content cannot fold back into the band a model hears.
//!
//! Two stages, each where it is cheapest:
//! 1. A sharp low-pass by fast convolution (overlap-save with power-of-two
//!    real FFTs) at the input rate. The filtered spectrum, zero above the
//!    stop frequency, is transformed back at a power-of-two fraction or
//!    multiple of the block size: that decimates or interpolates by 2^k for
//!    free, to the *mid rate*.
//! 2. Unless the mid rate is the output rate, a short polyphase
//!    windowed-sinc interpolator from the mid rate to the output rate. The
//!    signal there is band-limited well below half the mid rate, so a
//!    24-tap kernel keeps every image under −90 dB.
//!
//! Each block's spectrum, computed for the filter anyway, is handed to the
//! caller: the inaudible-band analysis reads it instead of transforming the
//! signal again.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::error::{Error, Result};

/// Stopband attenuation both stages are designed for, in dB.
const ATTENUATION_DB: f64 = 90.0;
/// The low-pass passes up to this share of the stop frequency.
const PASS_SHARE: f64 = 0.9;
/// Taps of the polyphase kernel, and the most of half the mid rate the
/// signal may occupy for that kernel to keep images under the attenuation.
const KERNEL_TAPS: usize = 24;
const MID_BAND_SHARE: f64 = 0.75;
/// Distinct kernel phases tabulated exactly; ratios with more phases (odd
/// rates) interpolate between this many.
const MAX_PHASES: u64 = 4_096;
/// Smallest transform; blocks hold at least this many filter lengths.
const MIN_BLOCK: usize = 4_096;
/// Bounds on the power-of-two steps to the mid rate (384 kHz to 4 kHz and back).
const MAX_DECIMATION: usize = 128;
const MAX_INTERPOLATION: usize = 128;
const BLOCKS_PER_FILTER: usize = 8;

/// A conversion from one rate to another through a low-pass at `stop_hz`.
pub(crate) struct Resampler {
    from: u32,
    to: u32,
    /// Forward transform size (input samples per block) and inverse size.
    n: usize,
    m: usize,
    /// Filter length minus one, and its delay (half of it), in input samples.
    overlap: usize,
    delay: usize,
    /// The filter's spectrum, scaled by 1/n, for bins `0..=m/2` (or fewer
    /// when interpolating: the rest are zero).
    filter: Vec<Complex<f32>>,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    kernel: Option<Kernel>,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("n", &self.n)
            .field("m", &self.m)
            .field("overlap", &self.overlap)
            .finish_non_exhaustive()
    }
}

fn refused(message: String) -> Error {
    Error::input("input.audio_resample", message)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The zeroth-order modified Bessel function (Kaiser windows).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > 1e-12 * sum {
        term *= (x / (2.0 * k)).powi(2);
        sum += term;
        k += 1.0;
    }
    sum
}

/// Kaiser's β for a stopband attenuation in dB.
fn kaiser_beta(db: f64) -> f64 {
    0.1102 * (db - 8.7)
}

/// A Kaiser window at `x` in −1..=1.
fn kaiser(x: f64, beta: f64) -> f64 {
    bessel_i0(beta * (1.0 - x * x).max(0.0).sqrt()) / bessel_i0(beta)
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
    }
}

impl Resampler {
    /// A conversion from `from` Hz to `to` Hz keeping nothing above
    /// `stop_hz` (taken down to half of the lower rate).
    ///
    /// # Errors
    /// `input.audio_resample` for a zero rate.
    pub(crate) fn new(from: u32, to: u32, stop_hz: f64) -> Result<Self> {
        if from == 0 || to == 0 {
            return Err(refused(format!(
                "cannot resample from {from} Hz to {to} Hz"
            )));
        }
        let (fin, fout) = (f64::from(from), f64::from(to));
        let stop = stop_hz.min(fin / 2.0).min(fout / 2.0).max(1.0);
        let pass = stop * PASS_SHARE;
        // Kaiser's estimate of the length for this transition and attenuation.
        let transition = 2.0 * std::f64::consts::PI * (stop - pass) / fin;
        let taps = ((ATTENUATION_DB - 7.95) / (2.285 * transition)).ceil() as usize + 1;

        // The mid rate: from × 2^e, the lowest the short kernel can take
        // to the output rate (or the output rate itself).
        let usable = |mid: f64| mid == fout || (mid >= fout && stop <= MID_BAND_SHARE * mid / 2.0);
        let (mut up, mut down) = (1usize, 1usize);
        if usable(fin) {
            while down < MAX_DECIMATION && usable(fin / (2 * down) as f64) {
                down *= 2;
            }
        } else {
            while up < MAX_INTERPOLATION && !usable(fin * up as f64) {
                up *= 2;
            }
        }
        // Delay a multiple of the decimation, so blocks split on whole
        // mid-rate samples.
        let delay = (taps / 2).div_ceil(down) * down;
        let overlap = 2 * delay;
        let n = (overlap * BLOCKS_PER_FILTER)
            .max(MIN_BLOCK)
            .next_power_of_two();
        let m = n * up / down;

        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(n);
        let inverse = planner.plan_fft_inverse(m);
        let filter = design_filter(&*forward, n, overlap, (pass + stop) / 2.0 / fin, m)?;
        // Mid samples per output: from × up / (to × down).
        let (step, per) = (u64::from(from) * up as u64, u64::from(to) * down as u64);
        let kernel = (step != per).then(|| Kernel::new(step, per));
        Ok(Resampler {
            from,
            to,
            n,
            m,
            overlap,
            delay,
            filter,
            forward,
            inverse,
            kernel,
        })
    }

    /// Input samples per block (the analysis's frame).
    pub(crate) fn block(&self) -> usize {
        self.n
    }

    /// New input samples per block.
    pub(crate) fn hop(&self) -> usize {
        self.n - self.overlap
    }

    /// Frames `frames` input frames become.
    pub(crate) fn output_len(&self, frames: usize) -> usize {
        let n = (frames as u64 * u64::from(self.to)).div_ceil(u64::from(self.from));
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    /// `x` converted; each block's spectrum (before filtering, not
    /// windowed, `block()` samples from `hop()` apart) goes to `on_block`.
    ///
    /// # Errors
    /// `input.audio_resample` if a transform fails (it does not for the
    /// sizes planned here).
    pub(crate) fn run(
        &self,
        x: &[f32],
        mut on_block: impl FnMut(&[Complex<f32>]),
    ) -> Result<Vec<f32>> {
        let mut s = self.stream();
        s.push(x, &mut on_block)?;
        s.finish(&mut on_block)
    }

    /// A conversion fed a piece at a time.
    pub(crate) fn stream(&self) -> Stream<'_> {
        Stream {
            r: self,
            // The first block starts `delay` samples before the signal.
            pending: vec![0.0; self.delay],
            fed: 0,
            blocks: 0,
            mid: Vec::new(),
            mid_base: 0,
            out: Vec::new(),
            position: (0, 0),
            input: self.forward.make_input_vec(),
            spectrum: self.forward.make_output_vec(),
            product: self.inverse.make_input_vec(),
            output: self.inverse.make_output_vec(),
            scratch_forward: self.forward.make_scratch_vec(),
            scratch_inverse: self.inverse.make_scratch_vec(),
        }
    }

    /// Mid-rate samples per input sample, as `up / down`.
    fn mid_ratio(&self) -> (usize, usize) {
        (self.m.max(self.n) / self.n, self.n.max(self.m) / self.m)
    }
}

fn transform_failed(e: impl std::fmt::Display) -> Error {
    refused(format!("cannot resample: {e}"))
}

/// A conversion in progress: the input not yet transformed, the mid-rate
/// samples the kernel has still to read, and the output so far. It holds a
/// block of input and a block of mid-rate samples besides the output.
pub(crate) struct Stream<'r> {
    r: &'r Resampler,
    /// Input from the start of the next block (zeros before the signal).
    pending: Vec<f32>,
    /// Input samples fed, and blocks transformed.
    fed: usize,
    blocks: usize,
    /// Mid-rate samples from index `mid_base` on.
    mid: Vec<f32>,
    mid_base: usize,
    out: Vec<f32>,
    /// The next output's mid-rate position: whole samples and phase.
    position: (usize, u64),
    input: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    product: Vec<Complex<f32>>,
    output: Vec<f32>,
    scratch_forward: Vec<Complex<f32>>,
    scratch_inverse: Vec<Complex<f32>>,
}

impl Stream<'_> {
    /// Feeds the next samples; every block they complete is transformed
    /// (its spectrum to `on_block`) and the outputs they allow are made.
    ///
    /// # Errors
    /// `input.audio_resample` if a transform fails.
    pub(crate) fn push(
        &mut self,
        x: &[f32],
        on_block: &mut impl FnMut(&[Complex<f32>]),
    ) -> Result<()> {
        self.fed += x.len();
        self.pending.extend_from_slice(x);
        let (n, hop) = (self.r.n, self.r.hop());
        let mut at = 0;
        while self.pending.len() - at >= n {
            self.block(at, on_block, true)?;
            at += hop;
        }
        self.pending.drain(..at.min(self.pending.len()));
        self.interpolate(None);
        Ok(())
    }

    /// The output: the signal's end flushed through with zeros, cut to
    /// `output_len` of what was fed.
    ///
    /// # Errors
    /// `input.audio_resample` if a transform fails.
    pub(crate) fn finish(mut self, on_block: &mut impl FnMut(&[Complex<f32>])) -> Result<Vec<f32>> {
        let out_len = self.r.output_len(self.fed);
        let needed = match &self.r.kernel {
            Some(k) => k.reach(out_len),
            None => out_len,
        };
        let (n, hop) = (self.r.n, self.r.hop());
        while self.mid_base + self.mid.len() < needed && self.fed > 0 {
            self.pending.resize(n.max(self.pending.len()), 0.0);
            // Blocks that still hold signal go to the scan.
            let signal = self.blocks * hop < self.fed;
            self.block(0, on_block, signal)?;
            self.pending.drain(..hop.min(self.pending.len()));
            self.interpolate(Some(out_len));
        }
        self.interpolate(Some(out_len));
        self.out.truncate(out_len);
        Ok(self.out)
    }

    /// Transforms the block at `pending[at..at + n]`, filters it and
    /// appends its mid-rate samples.
    fn block(
        &mut self,
        at: usize,
        on_block: &mut impl FnMut(&[Complex<f32>]),
        scan: bool,
    ) -> Result<()> {
        let r = self.r;
        let src = self.pending.get(at..at + r.n).unwrap_or(&[]);
        self.input.fill(0.0);
        for (d, &v) in self.input.iter_mut().zip(src) {
            *d = v;
        }
        r.forward
            .process_with_scratch(
                &mut self.input,
                &mut self.spectrum,
                &mut self.scratch_forward,
            )
            .map_err(transform_failed)?;
        if scan {
            on_block(&self.spectrum);
        }
        self.product.fill(Complex::default());
        for (p, (s, h)) in self
            .product
            .iter_mut()
            .zip(self.spectrum.iter().zip(&r.filter))
        {
            *p = s * h;
        }
        // A real signal's first and last bins are real.
        if let Some(p) = self.product.first_mut() {
            p.im = 0.0;
        }
        if let Some(p) = self.product.last_mut() {
            p.im = 0.0;
        }
        r.inverse
            .process_with_scratch(
                &mut self.product,
                &mut self.output,
                &mut self.scratch_inverse,
            )
            .map_err(transform_failed)?;
        let (up, down) = r.mid_ratio();
        self.mid
            .extend_from_slice(self.output.get(r.overlap * up / down..).unwrap_or(&[]));
        self.blocks += 1;
        Ok(())
    }

    /// Makes the outputs the mid-rate samples so far allow (at most
    /// `limit`), and drops the samples no later output reads.
    fn interpolate(&mut self, limit: Option<usize>) {
        let limit = limit.unwrap_or(usize::MAX);
        let Some(k) = &self.r.kernel else {
            // The mid rate is the output rate.
            let room = limit.saturating_sub(self.out.len());
            let take = room.min(self.mid.len());
            self.out.extend(self.mid.drain(..take));
            self.mid_base += take;
            return;
        };
        k.apply(
            &self.mid,
            self.mid_base,
            &mut self.position,
            &mut self.out,
            limit,
        );
        // The next output reads from `whole - half + 1` on.
        let keep_from = (self.position.0 + 1).saturating_sub(KERNEL_TAPS / 2);
        let drop = keep_from.saturating_sub(self.mid_base).min(self.mid.len());
        self.mid.drain(..drop);
        self.mid_base += drop;
    }
}

/// The low-pass's spectrum: a Kaiser-windowed sinc of `overlap + 1` taps
/// cut at `cutoff` (a share of the input rate), centred at its delay,
/// transformed at size `n` and scaled for the round trip; bins past the
/// inverse transform's `m / 2` are dropped (they are zero to within the
/// attenuation).
fn design_filter(
    forward: &dyn RealToComplex<f32>,
    n: usize,
    overlap: usize,
    cutoff: f64,
    m: usize,
) -> Result<Vec<Complex<f32>>> {
    let beta = kaiser_beta(ATTENUATION_DB);
    let half = overlap as f64 / 2.0;
    let mut taps = forward.make_input_vec();
    for (i, t) in taps.iter_mut().take(overlap + 1).enumerate() {
        let x = i as f64 - half;
        *t = (2.0 * cutoff * sinc(2.0 * cutoff * x) * kaiser(x / half.max(1.0), beta)) as f32;
    }
    // Unit gain at DC, then 1/n for the unnormalized transforms.
    let sum: f32 = taps.iter().sum();
    let scale = if sum.abs() > 0.0 { 1.0 / sum } else { 1.0 } / n as f32;
    for t in &mut taps {
        *t *= scale;
    }
    let mut spectrum = forward.make_output_vec();
    forward
        .process(&mut taps, &mut spectrum)
        .map_err(|e| refused(format!("cannot design the filter: {e}")))?;
    spectrum.truncate(m / 2 + 1);
    Ok(spectrum)
}

/// The polyphase stage: output `j` lies at mid-rate position
/// `j × step / phases`, and is the dot product of the `KERNEL_TAPS` mid
/// samples around it with the kernel for its fractional part.
struct Kernel {
    /// Mid samples per output, as a fraction `step / phases` (reduced), and
    /// the rows tabulated (`phases`, or `MAX_PHASES` to interpolate between).
    step: u64,
    phases: u64,
    rows: u64,
    table: Vec<[f32; KERNEL_TAPS]>,
}

impl Kernel {
    /// Output `j` at mid position `j × step / per`.
    fn new(step: u64, per: u64) -> Kernel {
        let g = gcd(step, per).max(1);
        let (step, phases) = (step / g, per / g);
        let rows = phases.min(MAX_PHASES);
        let beta = kaiser_beta(ATTENUATION_DB);
        let half = (KERNEL_TAPS / 2) as f64;
        // One extra row (phase 1.0) so interpolation never reads past the end.
        let table = (0..=rows)
            .map(|r| {
                let phase = r as f64 / rows as f64;
                let mut row = [0.0f32; KERNEL_TAPS];
                for (k, t) in row.iter_mut().enumerate() {
                    let x = k as f64 - (half - 1.0) - phase;
                    *t = (sinc(x) * kaiser(x / half, beta)) as f32;
                }
                let sum: f32 = row.iter().sum();
                if sum.abs() > 0.0 {
                    for t in &mut row {
                        *t /= sum;
                    }
                }
                row
            })
            .collect();
        Kernel {
            step,
            phases,
            rows,
            table,
        }
    }

    /// Mid samples needed for `out_len` outputs.
    fn reach(&self, out_len: usize) -> usize {
        let last = (out_len as u64).saturating_mul(self.step) / self.phases.max(1);
        usize::try_from(last).unwrap_or(usize::MAX) + KERNEL_TAPS
    }

    /// Appends to `out` the outputs from `position` on whose taps lie in
    /// `mid` (which starts at mid-rate index `base`; before index 0 the
    /// signal is zero), up to `limit` outputs in all; advances `position`.
    fn apply(
        &self,
        mid: &[f32],
        base: usize,
        position: &mut (usize, u64),
        out: &mut Vec<f32>,
        limit: usize,
    ) {
        let half = KERNEL_TAPS / 2;
        let exact = self.rows == self.phases;
        let zeros = [0.0f32; KERNEL_TAPS];
        let mut window = [0.0f32; KERNEL_TAPS];
        let phases = self.phases.max(1);
        let (jump, carry) = (
            usize::try_from(self.step / phases).unwrap_or(usize::MAX),
            self.step % phases,
        );
        let end = base + mid.len();
        let (mut whole, mut frac) = *position;
        while out.len() < limit && whole + half < end {
            // The taps' samples: mid index whole - half + 1 ..= whole + half.
            let first = (whole + 1)
                .checked_sub(half)
                .and_then(|f| f.checked_sub(base));
            let samples: &[f32; KERNEL_TAPS] = first
                .and_then(|f| mid.get(f..f.checked_add(KERNEL_TAPS)?))
                .and_then(|s| s.try_into().ok())
                .unwrap_or_else(|| {
                    // Near the start: zeros before the signal.
                    for (k, w) in window.iter_mut().enumerate() {
                        *w = (whole + 1 + k)
                            .checked_sub(half)
                            .and_then(|at| at.checked_sub(base))
                            .and_then(|at| mid.get(at))
                            .copied()
                            .unwrap_or(0.0);
                    }
                    &window
                });
            let v = if exact {
                let row = self.table.get(frac as usize).unwrap_or(&zeros);
                dot(samples, row)
            } else {
                let at = frac as f64 * self.rows as f64 / self.phases as f64;
                let r = at as usize;
                let w = (at - r as f64) as f32;
                let a = self.table.get(r).unwrap_or(&zeros);
                let b = self.table.get(r + 1).unwrap_or(a);
                (1.0 - w) * dot(samples, a) + w * dot(samples, b)
            };
            out.push(v);
            whole = whole.saturating_add(jump);
            frac += carry;
            if frac >= phases {
                frac -= phases;
                whole = whole.saturating_add(1);
            }
        }
        *position = (whole, frac);
    }
}

/// The kernel applied to `KERNEL_TAPS` samples.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot(a: &[f32; KERNEL_TAPS], b: &[f32; KERNEL_TAPS]) -> f32 {
    // Four independent running sums, which the compiler keeps in one
    // vector register.
    let mut acc = [0.0f32; 4];
    for (x, y) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for ((s, &p), &q) in acc.iter_mut().zip(x).zip(y) {
            *s += p * q;
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// The kernel applied to `KERNEL_TAPS` samples, four lanes at a time (the
/// compiler does not reorder a float sum by itself).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot(a: &[f32; KERNEL_TAPS], b: &[f32; KERNEL_TAPS]) -> f32 {
    use core::arch::wasm32::*;
    let a: [v128; KERNEL_TAPS / 4] = bytemuck::cast(*a);
    let b: [v128; KERNEL_TAPS / 4] = bytemuck::cast(*b);
    let acc = a.iter().zip(&b).fold(f32x4_splat(0.0), |acc, (&x, &y)| {
        f32x4_add(acc, f32x4_mul(x, y))
    });
    (f32x4_extract_lane::<0>(acc) + f32x4_extract_lane::<1>(acc))
        + (f32x4_extract_lane::<2>(acc) + f32x4_extract_lane::<3>(acc))
}

/// `channels` resampled from `from` Hz to `to` Hz with nothing above
/// `stop_hz`; unchanged when the rates are equal and the stop is at or
/// above half of them.
///
/// # Errors
/// `input.audio_resample` if the resampler refuses the rates.
pub(crate) fn resample(
    channels: Vec<Vec<f32>>,
    from: u32,
    to: u32,
    stop_hz: f64,
) -> Result<Vec<Vec<f32>>> {
    if !needed(from, to, stop_hz) || channels.iter().all(Vec::is_empty) {
        return Ok(channels);
    }
    let r = Resampler::new(from, to, stop_hz)?;
    channels.iter().map(|c| r.run(c, |_| {})).collect()
}

/// Whether converting `from` to `to` with a stop at `stop_hz` changes anything.
pub(crate) fn needed(from: u32, to: u32, stop_hz: f64) -> bool {
    from != to || stop_hz < f64::from(from) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn tone(freq: f64, rate: u32, seconds: f64) -> Vec<f32> {
        let n = (f64::from(rate) * seconds) as usize;
        (0..n)
            .map(|i| {
                (0.5 * (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin()) as f32
            })
            .collect()
    }

    fn rms(v: &[f32]) -> f64 {
        (v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / v.len().max(1) as f64).sqrt()
    }

    /// The level of a 0.5-amplitude tone after conversion, in dB, away
    /// from the edges.
    fn gain_db(freq: f64, from: u32, to: u32, stop: f64) -> f64 {
        let out = resample(vec![tone(freq, from, 1.0)], from, to, stop).unwrap();
        let n = out[0].len();
        20.0 * (rms(&out[0][n / 16..n - n / 16]) / 0.5f64.sqrt() * 2.0).log10()
    }

    #[test]
    fn the_band_passes_and_what_lies_above_the_stop_is_gone() {
        let out = resample(vec![tone(1_000.0, 44_100, 1.0)], 44_100, 16_000, 8_000.0).unwrap();
        assert_eq!(out[0].len(), 16_000);
        for (from, to, stop) in [
            (44_100, 16_000, 8_000.0),
            (44_100, 16_000, 7_500.0),
            (48_000, 16_000, 7_500.0),
            (96_000, 16_000, 7_500.0),
            (8_000, 16_000, 7_500.0),
            (22_050, 16_000, 7_500.0),
            (16_000, 16_000, 7_500.0),
            (44_100, 48_000, 16_000.0),
            (44_101, 16_000, 7_500.0),
        ] {
            // Flat in the pass band...
            for f in [100.0, 1_000.0, 3_000.0] {
                let g = gain_db(f, from, to, stop);
                assert!(g.abs() < 0.05, "{from}->{to} at {f} Hz: {g} dB");
            }
            // ... and more than 80 dB down above the stop, aliases included.
            let nyquist = f64::from(from) / 2.0;
            let stop = stop.min(f64::from(to) / 2.0);
            for f in [stop + 10.0, stop * 1.3, nyquist * 0.98] {
                if (stop..nyquist).contains(&f) {
                    let g = gain_db(f, from, to, stop);
                    assert!(g < -80.0, "{from}->{to} at {f} Hz: {g} dB");
                }
            }
        }
    }

    #[test]
    fn the_output_is_aligned_with_the_input() {
        // A click lands where it was, scaled to the new rate.
        let mut x = vec![0.0f32; 44_100];
        x[22_050] = 1.0;
        let out = resample(vec![x], 44_100, 16_000, 7_500.0).unwrap();
        let peak = out[0]
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0;
        assert_eq!(peak, 8_000);
    }

    #[test]
    fn fed_in_pieces_the_output_is_the_same() {
        let x: Vec<f32> = tone(440.0, 44_100, 1.0)
            .iter()
            .zip(tone(9_000.0, 44_100, 1.0))
            .map(|(a, b)| a + b)
            .collect();
        for (from, to) in [(44_100, 16_000), (44_100, 44_100), (8_000, 16_000)] {
            let r = Resampler::new(from, to, 7_500.0).unwrap();
            let (mut whole_blocks, mut piece_blocks) = (0, 0);
            let whole = r.run(&x, |_| whole_blocks += 1).unwrap();
            let mut s = r.stream();
            let mut count = |_: &[Complex<f32>]| piece_blocks += 1;
            // Pieces shorter and longer than a block, and empty ones.
            let mut rest = &x[..];
            for size in [1_000, 0, 9_999, 1, 4_096].iter().cycle() {
                let (piece, after) = rest.split_at((*size).min(rest.len()));
                s.push(piece, &mut count).unwrap();
                rest = after;
                if rest.is_empty() {
                    break;
                }
            }
            let pieces = s.finish(&mut count).unwrap();
            assert_eq!(pieces, whole, "{from} -> {to}");
            assert_eq!(piece_blocks, whole_blocks);
            assert_eq!(whole.len(), r.output_len(x.len()));
        }
    }

    #[test]
    fn equal_rates_and_empty_input_are_left_alone() {
        let v = vec![vec![0.1f32, 0.2]];
        assert_eq!(resample(v.clone(), 8_000, 8_000, 4_000.0).unwrap(), v);
        assert_eq!(
            resample(vec![Vec::new()], 8_000, 16_000, 8_000.0).unwrap(),
            vec![Vec::<f32>::new()]
        );
        assert!(Resampler::new(0, 16_000, 8_000.0).is_err());
    }
}

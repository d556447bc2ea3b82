//! The one pass over a recording at its own rate: decoded a block at a time,
//! measured (levels), mixed down, and resampled, so that only the output is
//! ever held in full. Each block the resampler transforms is also read by
//! the inaudible-band scan: the recording is transformed once for both. The
//! short-frame modulation analysis, which needs the whole mono signal at its
//! own rate, runs only when the band above 18 kHz is loud enough to report,
//! on a second decoding pass.

use super::level::{self, Leveling, Levels, Meter};
use super::resample::{self, Resampler};
use super::ultrasonic::{self, Bands, Scan};
use crate::error::Result;

/// Frames decoded at a time: about a fifth of a second at 44.1 kHz.
const BLOCK_FRAMES: usize = 8_192;

/// Calls to the progress callback in a whole pass, at most.
const PROGRESS_STEPS: u64 = 100;

/// Below this much energy above the band limit (dB relative to the energy
/// below it), or below [`LIMITED_DBFS`] of it, a recording at the output
/// rate is already band-limited and is left as it is: a sanitized output,
/// squeezed or not, passes unchanged, where filtering it again would dim its
/// top band a little more each time.
pub(crate) const LIMITED_DB: f64 = -40.0;
/// ... the absolute floor, dB against full scale: 16-bit rounding noise in
/// that band lies near −113 dBFS, so a quiet recording's own rounding does
/// not count as content.
pub(crate) const LIMITED_DBFS: f64 = -90.0;

/// Decoded samples, a block at a time.
pub(crate) trait Source {
    /// Replaces the contents of `out` (one vector per channel) with the
    /// next `frames` frames or what is left; returns how many were read.
    ///
    /// # Errors
    /// What the decoder refuses partway (a limit, a malformed stream).
    fn read(&mut self, frames: usize, out: &mut [Vec<f32>]) -> Result<usize>;

    /// Samples made silent so far: not numbers, or absurdly large.
    fn invalid(&self) -> u64;

    /// Packets that could not be decoded and were skipped so far.
    fn skipped(&self) -> u64 {
        0
    }
}

/// What the pass should do besides converting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// The output rate and the highest frequency it keeps.
    pub(crate) rate: u32,
    pub(crate) stop_hz: f64,
    /// How the output is levelled afterwards.
    pub(crate) level: Leveling,
    /// Mix the channels down to one.
    pub(crate) mono: bool,
    /// Measure the bands above 18 kHz at all (off when no check reads them).
    pub(crate) bands: bool,
    /// The level above 18 kHz (dB) from which the modulation is analyzed.
    pub(crate) modulation_from_db: Option<f64>,
}

/// The converted recording and what was measured on the way.
#[derive(Debug)]
pub(crate) struct Converted {
    pub(crate) channels: Vec<Vec<f32>>,
    pub(crate) bands: Bands,
    /// The input's levels, before mixing down.
    pub(crate) levels: Levels,
    /// Frames decoded.
    pub(crate) frames: u64,
    /// Samples that were not numbers or absurdly large (made silent).
    pub(crate) invalid: u64,
    /// Packets that could not be decoded and were skipped.
    pub(crate) skipped: u64,
    /// Whether it was resampled or filtered (else it is the decoded input).
    pub(crate) filtered: bool,
}

/// Decodes the recording `reader` reads (at `from` Hz, `channels`, about
/// `frames` frames) and converts it as `plan` says; `reopen` reads it again
/// from the start, for the modulation analysis. `progress` hears the share
/// decoded, from 0 to 1.
///
/// # Errors
/// `input.audio_resample` if the resampler refuses the rates; what the
/// source refuses partway.
pub(crate) fn convert<S: Source>(
    mut reader: S,
    reopen: impl Fn() -> Result<S>,
    (from, channels, frames): (u32, usize, u64),
    plan: Plan,
    progress: &mut dyn FnMut(f64),
) -> Result<Converted> {
    let out_channels = if plan.mono { 1 } else { channels };
    let resampler = resample::needed(from, plan.rate, plan.stop_hz)
        .then(|| Resampler::new(from, plan.rate, plan.stop_hz))
        .transpose()?;
    // Silence is counted in 20 ms windows.
    let mut meter = Meter::new(channels, (from / 50) as usize);
    let mut block = vec![Vec::with_capacity(BLOCK_FRAMES); channels];
    let mut mix = Vec::with_capacity(BLOCK_FRAMES);
    let mut reported = Progress::new(frames, progress);

    // Resampling a mono output, the scan reads the resampler's spectra.
    // Otherwise the output is gathered at the input rate (when the rates
    // are equal) or the mono mix is (to be scanned after the pass).
    let streaming = resampler.as_ref().filter(|_| from != plan.rate);
    let fused = streaming.is_some() && out_channels == 1;
    let mut streams: Vec<_> = streaming
        .map(|r| (0..out_channels).map(|_| r.stream()).collect())
        .unwrap_or_default();
    let mut scan = streaming.map(|r| Scan::new(from, r.block(), plan.stop_hz, false));
    let mut on_block = |s: &[_]| {
        if let (true, Some(scan)) = (fused && plan.bands, scan.as_mut()) {
            scan.add(s);
        }
    };
    let mut gathered: Vec<Vec<f32>> =
        vec![Vec::new(); if streaming.is_some() { 0 } else { out_channels }];
    let mut mono_full = Vec::new();
    let keep_mono = streaming.is_some() && !fused && plan.bands;

    loop {
        let read = reader.read(BLOCK_FRAMES, &mut block)?;
        if read == 0 {
            break;
        }
        meter.add(&block);
        let out_block: &[Vec<f32>] = if plan.mono && channels > 1 {
            super::downmix_into(&block, &mut mix);
            std::slice::from_ref(&mix)
        } else {
            &block
        };
        if keep_mono {
            super::downmix_append(out_block, &mut mono_full);
        }
        for (stream, c) in streams.iter_mut().zip(out_block) {
            stream.push(c, &mut on_block)?;
        }
        for (all, c) in gathered.iter_mut().zip(out_block) {
            all.extend_from_slice(c);
        }
        reported.advance(read as u64);
    }
    reported.finish();

    let mut filtered = streaming.is_some();
    let (out, mut bands) = if let Some(r) = streaming {
        let out = streams
            .into_iter()
            .map(|s| s.finish(&mut on_block))
            .collect::<Result<Vec<_>>>()?;
        let bands = match (plan.bands, fused, scan) {
            (false, _, _) => Bands::default(),
            (true, true, Some(scan)) => scan.bands(),
            _ => ultrasonic::scan_with(&mono_full, from, (r.block(), r.hop()), plan.stop_hz, false),
        };
        (out, bands)
    } else {
        // At the input's own rate the band limit is applied only where
        // something lies above it, which the scan says. A clip too short to
        // measure (under 256 samples) is left as it is: filtered, it would
        // change again each time it is sanitized. The output is levelled
        // first, so the band's level is judged where the output will have it
        // (a quiet recording lifted to full scale lifts its top band too),
        // and the same on the output sanitized again.
        level::level(&mut gathered, plan.level);
        let (block, hop) = resampler
            .as_ref()
            .map_or_else(|| scan_block(from), |r| (r.block(), r.hop()));
        let bands = if plan.bands || resampler.is_some() {
            with_mono(&gathered, |m| {
                ultrasonic::scan(m, from, block, hop, plan.stop_hz)
            })
        } else {
            Bands::default()
        };
        let out = match &resampler {
            Some(r)
                if bands.above_cut_db.is_some_and(|d| d >= LIMITED_DB)
                    && bands.above_cut_dbfs.is_some_and(|d| d >= LIMITED_DBFS) =>
            {
                filtered = true;
                gathered
                    .iter()
                    .map(|c| r.run(c, |_| {}))
                    .collect::<Result<_>>()?
            }
            _ => gathered,
        };
        (out, bands)
    };
    drop(mono_full);
    if let Some(threshold) = plan.modulation_from_db {
        if bands.above_18k_db.is_some_and(|d| d >= threshold) {
            let mono = decode_mono(reopen()?, channels)?;
            ultrasonic::modulation(&mono, from, &mut bands);
        }
    }
    Ok(Converted {
        channels: out,
        bands,
        frames: meter.frames(),
        levels: meter.levels(),
        invalid: reader.invalid(),
        skipped: reader.skipped(),
        filtered,
    })
}

/// The whole recording `reader` reads, mixed down to one channel.
fn decode_mono(mut reader: impl Source, channels: usize) -> Result<Vec<f32>> {
    let mut block = vec![Vec::with_capacity(BLOCK_FRAMES); channels];
    let mut mono = Vec::new();
    while reader.read(BLOCK_FRAMES, &mut block)? > 0 {
        super::downmix_append(&block, &mut mono);
    }
    Ok(mono)
}

/// Reports progress in at most [`PROGRESS_STEPS`] steps.
struct Progress<'p> {
    total: u64,
    done: u64,
    step: u64,
    report: &'p mut dyn FnMut(f64),
}

impl<'p> Progress<'p> {
    fn new(total: u64, report: &'p mut dyn FnMut(f64)) -> Self {
        Progress {
            total,
            done: 0,
            step: 0,
            report,
        }
    }

    /// The last report, 1, if the steps did not reach it (an empty
    /// recording, or a header that promised more than the data holds).
    fn finish(&mut self) {
        if self.step < PROGRESS_STEPS {
            self.step = PROGRESS_STEPS;
            (self.report)(1.0);
        }
    }

    /// `frames` more decoded; the share is reported below 1 (the last
    /// report is [`Progress::finish`]'s), and not at all when the total is
    /// unknown.
    fn advance(&mut self, frames: u64) {
        self.done += frames;
        if self.total == 0 {
            return;
        }
        let done = self.done.min(self.total);
        let step = done.saturating_mul(PROGRESS_STEPS) / self.total;
        if step > self.step && step < PROGRESS_STEPS {
            self.step = step;
            (self.report)(done as f64 / self.total as f64);
        }
    }
}

/// Energy below 50 Hz in `channels` (at `rate`, nothing kept above
/// `stop_hz`) relative to the speech band, in dB; `None` for a clip under a
/// fifth of a second, where it cannot be told from the clip's own start and
/// end, or for silence.
pub(crate) fn below_50(channels: &[Vec<f32>], rate: u32, stop_hz: f64) -> Option<f64> {
    let (block, hop) = scan_block(rate);
    with_mono(channels, |m| {
        (m.len() >= (rate / 5) as usize)
            .then(|| ultrasonic::scan_with(m, rate, (block, hop), stop_hz, false).below_50_db)
            .flatten()
    })
}

/// Blocks for a scan with no resampling: about a tenth of a second, an
/// eighth overlapping.
fn scan_block(rate: u32) -> (usize, usize) {
    let n = (rate as usize / 10).next_power_of_two().max(1_024);
    (n, n - n / 8)
}

/// Calls `f` with the channels' mono mix.
fn with_mono<T>(channels: &[Vec<f32>], f: impl FnOnce(&[f32]) -> T) -> T {
    match channels {
        [one] => f(one),
        many => {
            let mut mono = Vec::new();
            super::downmix_append(many, &mut mono);
            f(&mono)
        }
    }
}

//! The one pass over the samples at the input rate: each block the
//! resampler transforms is also read by the inaudible-band scan, so the
//! recording is transformed once for both. The short-frame modulation
//! analysis runs only when the band above 18 kHz is loud enough to report.

use super::downmix;
use super::resample::{self, Resampler};
use super::ultrasonic::{self, Bands, Scan};
use crate::error::Result;

/// What the pass should measure.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Measure {
    /// Band energies at all (off when neither check is enabled).
    pub(crate) bands: bool,
    /// The level above 18 kHz (dB) from which the modulation is analyzed.
    pub(crate) modulation_from_db: Option<f64>,
}

/// Below this much energy above the band limit (dB relative to the energy
/// below it), a recording at the output rate is already band-limited and is
/// left as it is: a sanitized output, squeezed or not, passes unchanged,
/// where filtering it again would dim its top band a little more each time.
pub(crate) const LIMITED_DB: f64 = -40.0;

/// The converted recording.
#[derive(Debug)]
pub(crate) struct Converted {
    pub(crate) channels: Vec<Vec<f32>>,
    pub(crate) bands: Bands,
    /// Whether it was resampled or filtered (else it is the input).
    pub(crate) filtered: bool,
}

/// `channels` at `from` Hz converted to `to` Hz with nothing above `stop_hz`,
/// and what `measure` asks for.
///
/// # Errors
/// `input.audio_resample` if the resampler refuses the rates.
pub(crate) fn convert(
    channels: Vec<Vec<f32>>,
    from: u32,
    to: u32,
    stop_hz: f64,
    measure: Measure,
) -> Result<Converted> {
    let mut resampler = resample::needed(from, to, stop_hz)
        .then(|| Resampler::new(from, to, stop_hz))
        .transpose()?;
    let (out, mut bands) = match (&resampler, channels.as_slice()) {
        // The usual case: one channel, scanned as it is resampled.
        (Some(r), [one]) if from != to => {
            let mut scan = Scan::new(from, r.block(), stop_hz);
            let out = r.run(one, |s| {
                if measure.bands {
                    scan.add(s);
                }
            })?;
            let bands = if measure.bands {
                scan.bands()
            } else {
                Bands::default()
            };
            (vec![out], bands)
        }
        (_, many) => {
            let (block, hop) = resampler
                .as_ref()
                .map_or_else(|| scan_block(from), |r| (r.block(), r.hop()));
            // At the same rate the band limit is applied only where
            // something lies above it, which the scan says (or cannot say,
            // for a clip too short to measure).
            let bands = if measure.bands || (from == to && resampler.is_some()) {
                with_mono(many, |m| ultrasonic::scan(m, from, block, hop, stop_hz))
            } else {
                Bands::default()
            };
            if from == to && bands.above_cut_db.is_some_and(|d| d < LIMITED_DB) {
                resampler = None;
            }
            let out = match &resampler {
                Some(r) => many
                    .iter()
                    .map(|c| r.run(c, |_| {}))
                    .collect::<Result<_>>()?,
                None => Vec::new(),
            };
            (out, bands)
        }
    };
    if let Some(threshold) = measure.modulation_from_db {
        if bands.above_18k_db.is_some_and(|d| d >= threshold) {
            with_mono(&channels, |m| ultrasonic::modulation(m, from, &mut bands));
        }
    }
    let filtered = resampler.is_some();
    Ok(Converted {
        channels: if filtered { out } else { channels },
        bands,
        filtered,
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
        many => f(&downmix(many)),
    }
}

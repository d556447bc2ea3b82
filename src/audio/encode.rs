//! The clean re-encode: a new WAV file (`fmt ` and `data` only) written from
//! the samples, so nothing of the input's container can ride along.

use crate::policy::AudioOutputFormat;

/// Interleaves `channels` into a WAV file at `rate` Hz in `format`.
/// PCM16 rounds to the nearest step and clamps to full scale.
pub(crate) fn wav(channels: &[Vec<f32>], rate: u32, format: AudioOutputFormat) -> Vec<u8> {
    let n = channels.len().max(1);
    let frames = channels.first().map_or(0, Vec::len);
    let (tag, bytes): (u16, usize) = match format {
        AudioOutputFormat::Pcm16 => (1, 2),
        AudioOutputFormat::Float32 => (3, 4),
    };
    let data_len = frames * n * bytes;
    let mut out = Vec::with_capacity(44 + data_len);
    let align = (n * bytes) as u16;
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&((36 + data_len) as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&(n as u16).to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate.saturating_mul(u32::from(align))).to_le_bytes());
    out.extend_from_slice(&align.to_le_bytes());
    out.extend_from_slice(&((bytes * 8) as u16).to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data_len as u32).to_le_bytes());
    let header = out.len();
    out.resize(header + data_len, 0);
    let data = out.get_mut(header..).unwrap_or_default();
    match format {
        AudioOutputFormat::Pcm16 => interleave(data, channels, |v| {
            {
                // Clamped then truncated after adding half away from zero: the
                // rounding of f32::round, which is a library call in wasm, with
                // comparisons the compiler vectorizes.
                let x = (v * 32_768.0).clamp(-32_768.0, 32_767.0);
                ((x + if x >= 0.0 { 0.5 } else { -0.5 }) as i32).clamp(-32_768, 32_767) as i16
            }
            .to_le_bytes()
        }),
        AudioOutputFormat::Float32 => interleave(data, channels, f32::to_le_bytes),
    }
    out
}

/// Writes each sample of `channels`, encoded by `encode`, into its slot of
/// the interleaved `data`.
fn interleave<const N: usize>(
    data: &mut [u8],
    channels: &[Vec<f32>],
    encode: impl Fn(f32) -> [u8; N],
) {
    if let [mono] = channels {
        // One channel: the slots are consecutive, a loop the compiler unrolls.
        for (slot, &v) in data.chunks_exact_mut(N).zip(mono) {
            slot.copy_from_slice(&encode(v));
        }
        return;
    }
    for (i, frame) in data.chunks_exact_mut(N * channels.len()).enumerate() {
        for (slot, c) in frame.chunks_exact_mut(N).zip(channels) {
            slot.copy_from_slice(&encode(c.get(i).copied().unwrap_or(0.0)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::wav::{decode, walk, SampleFormat};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn written_files_read_back() {
        let ch = vec![vec![0.0f32, 0.5, -1.0, 1.5], vec![0.25, -0.25, 0.0, -2.0]];
        let f = wav(&ch, 16_000, AudioOutputFormat::Pcm16);
        let w = walk(&f).unwrap();
        assert_eq!(
            (w.format, w.channels, w.rate, w.frames()),
            (SampleFormat::Int(16), 2, 16_000, 4)
        );
        assert_eq!((w.end, w.chunks.len()), (f.len(), 0));
        let (back, _) = decode(&f, &w);
        assert_eq!(back[0], [0.0, 0.5, -1.0, 32_767.0 / 32_768.0]);
        assert_eq!(back[1][3], -1.0);
        let f = wav(&ch, 8_000, AudioOutputFormat::Float32);
        let w = walk(&f).unwrap();
        assert_eq!(w.format, SampleFormat::Float(32));
        assert_eq!(decode(&f, &w).0, ch);
    }
}

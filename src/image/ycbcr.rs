//! RGBA rows handed to the JPEG encoder as YCbCr, sixteen pixels at a time
//! with wasm SIMD128. The encoder's own conversion is scalar in wasm and was
//! the largest single cost of writing a 2048-pixel JPEG there. The numbers
//! are `jpeg_encoder::rgb_to_ycbcr`'s, so the file is byte-for-byte the one
//! the encoder writes from [`jpeg_encoder::ColorType::Rgba`].

use jpeg_encoder::{rgb_to_ycbcr, ImageBuffer, JpegColorType};

/// An opaque RGBA image (alpha ignored) of `width` × `height`.
pub(crate) struct RgbaForJpeg<'a> {
    pub data: &'a [u8],
    pub width: u16,
    pub height: u16,
}

impl ImageBuffer for RgbaForJpeg<'_> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.width
    }

    fn height(&self) -> u16 {
        self.height
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        let row_len = usize::from(self.width) * 4;
        let start = usize::from(y) * row_len;
        let row = self.data.get(start..start + row_len).unwrap_or(&[]);
        let [ys, cbs, crs, _] = buffers;
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let rest = row;
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let rest = {
            let mut chunks = row.chunks_exact(64);
            for chunk in &mut chunks {
                if let Ok(chunk) = <&[u8; 64]>::try_from(chunk) {
                    let [y16, cb16, cr16] = simd::convert16(chunk);
                    ys.extend_from_slice(&y16);
                    cbs.extend_from_slice(&cb16);
                    crs.extend_from_slice(&cr16);
                }
            }
            chunks.remainder()
        };
        for p in rest.chunks_exact(4) {
            if let [r, g, b, _] = *p {
                let (y, cb, cr) = rgb_to_ycbcr(r, g, b);
                ys.push(y);
                cbs.push(cb);
                crs.push(cr);
            }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    /// Y, Cb and Cr of four RGBA pixels, as `i32` lanes: the fixed-point sums
    /// of `rgb_to_ycbcr`, in the same order, so the same rounding.
    #[inline(always)]
    fn four(px: v128) -> [v128; 3] {
        let byte = i32x4_splat(0xff);
        let r = v128_and(px, byte);
        let g = v128_and(u32x4_shr(px, 8), byte);
        let b = v128_and(u32x4_shr(px, 16), byte);
        let k = i32x4_splat;
        let sum = |kr: i32, kg: i32, kb: i32, bias: i32| {
            let s = i32x4_add(i32x4_mul(r, k(kr)), i32x4_mul(g, k(kg)));
            let s = i32x4_add(s, i32x4_mul(b, k(kb)));
            i32x4_shr(i32x4_add(s, k(bias + 0x7FFF)), 16)
        };
        [
            sum(19595, 38470, 7471, 0),
            sum(-11059, -21709, 32768, 128 << 16),
            sum(32768, -27439, -5329, 128 << 16),
        ]
    }

    /// Sixteen RGBA pixels to sixteen Y, Cb and Cr bytes.
    pub(super) fn convert16(px: &[u8; 64]) -> [[u8; 16]; 3] {
        let [[y0, cb0, cr0], [y1, cb1, cr1], [y2, cb2, cr2], [y3, cb3, cr3]] =
            bytemuck::cast::<_, [v128; 4]>(*px).map(four);
        // Every value lies in 0..=255, so the saturating narrows are exact.
        let bytes = |a, b, c, d| {
            let (lo, hi) = (i16x8_narrow_i32x4(a, b), i16x8_narrow_i32x4(c, d));
            bytemuck::cast(u8x16_narrow_i16x8(lo, hi))
        };
        [
            bytes(y0, y1, y2, y3),
            bytes(cb0, cb1, cb2, cb3),
            bytes(cr0, cr1, cr2, cr3),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn jpeg(quality: u8, encode: impl FnOnce(jpeg_encoder::Encoder<&mut Vec<u8>>)) -> Vec<u8> {
        let mut out = Vec::new();
        encode(jpeg_encoder::Encoder::new(&mut out, quality));
        out
    }

    #[test]
    fn same_file_as_the_encoders_own_conversion() {
        // Odd sizes leave remainders after the sixteen-pixel chunks; random
        // bytes reach every rounding case of the fixed-point sums.
        let mut seed = 1u32;
        for (w, h) in [(37u16, 5u16), (64, 3), (1, 1), (15, 2), (93, 61)] {
            let data: Vec<u8> = (0..usize::from(w) * usize::from(h) * 4)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (seed >> 24) as u8
                })
                .collect();
            let ours = jpeg(85, |e| {
                e.encode_image(RgbaForJpeg {
                    data: &data,
                    width: w,
                    height: h,
                })
                .unwrap()
            });
            let theirs = jpeg(85, |e| {
                e.encode(&data, w, h, jpeg_encoder::ColorType::Rgba)
                    .unwrap()
            });
            assert_eq!(ours, theirs, "{w}×{h}");
        }
    }
}

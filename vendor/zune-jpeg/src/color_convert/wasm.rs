/*
 * This software is free software;
 *
 * You can redistribute it or modify it under terms of the MIT, Apache License or Zlib license
 */

//! WebAssembly SIMD128 YCbCr → RGBA, bit-identical to
//! [`super::scalar::ycbcr_to_rgba_inner_16_scalar`]: the same 14-bit
//! fixed-point products (widening `i16 × i16 → i32` multiplies), the same
//! rounding, and saturating narrows that clamp to 0..=255 as the scalar
//! `clamp` does.

#![cfg(all(target_arch = "wasm32", target_feature = "simd128"))]

use core::arch::wasm32::*;

use crate::color_convert::scalar::{
    ycbcr_to_rgba_inner_16_scalar, CB_CF, CR_CF, C_G_CB_COEF_2, C_G_CR_COEF_1, YUV_PREC,
    YUV_RND, Y_CF,
};

#[inline(always)]
fn load(v: &[i16; 16], half: usize) -> v128 {
    let half: &[i16; 8] = v[half * 8..half * 8 + 8].try_into().unwrap_or(&[0; 8]);
    // SAFETY: `half` holds eight i16s (16 bytes); wasm loads need no alignment.
    unsafe { v128_load(half.as_ptr().cast::<v128>()) }
}

/// R, G and B of eight pixels as saturated `i16` lanes.
#[inline(always)]
fn rgb8(y: v128, cb: v128, cr: v128) -> (v128, v128, v128) {
    let bias = i16x8_splat(128);
    let (cb, cr) = (i16x8_sub(cb, bias), i16x8_sub(cr, bias));
    let k = |c: i16| i16x8_splat(c);
    let rnd = i32x4_splat(i32::from(YUV_RND));
    let shift = YUV_PREC as u32;

    // Each channel in two halves of four i32 lanes.
    let y_lo = i32x4_add(i32x4_extmul_low_i16x8(y, k(Y_CF)), rnd);
    let y_hi = i32x4_add(i32x4_extmul_high_i16x8(y, k(Y_CF)), rnd);
    let channel = |lo: v128, hi: v128| {
        i16x8_narrow_i32x4(i32x4_shr(lo, shift), i32x4_shr(hi, shift))
    };
    let r = channel(
        i32x4_add(y_lo, i32x4_extmul_low_i16x8(cr, k(CR_CF))),
        i32x4_add(y_hi, i32x4_extmul_high_i16x8(cr, k(CR_CF))),
    );
    let g = channel(
        i32x4_add(
            i32x4_add(y_lo, i32x4_extmul_low_i16x8(cr, k(C_G_CR_COEF_1))),
            i32x4_extmul_low_i16x8(cb, k(C_G_CB_COEF_2)),
        ),
        i32x4_add(
            i32x4_add(y_hi, i32x4_extmul_high_i16x8(cr, k(C_G_CR_COEF_1))),
            i32x4_extmul_high_i16x8(cb, k(C_G_CB_COEF_2)),
        ),
    );
    let b = channel(
        i32x4_add(y_lo, i32x4_extmul_low_i16x8(cb, k(CB_CF))),
        i32x4_add(y_hi, i32x4_extmul_high_i16x8(cb, k(CB_CF))),
    );
    (r, g, b)
}

/// Sixteen pixels of YCbCr to RGBA at `output[*pos..*pos + 64]`.
pub fn ycbcr_to_rgba_wasm(
    y: &[i16; 16], cb: &[i16; 16], cr: &[i16; 16], output: &mut [u8], pos: &mut usize
) {
    let Some(dst) = output.get_mut(*pos..).and_then(|o| o.get_mut(..64)) else {
        // Too short: the scalar code reports it.
        return ycbcr_to_rgba_inner_16_scalar::<false>(y, cb, cr, output, pos);
    };
    let (r0, g0, b0) = rgb8(load(y, 0), load(cb, 0), load(cr, 0));
    let (r1, g1, b1) = rgb8(load(y, 1), load(cb, 1), load(cr, 1));
    // Signed i16 → unsigned u8 with saturation: the clamp to 0..=255.
    let r = u8x16_narrow_i16x8(r0, r1);
    let g = u8x16_narrow_i16x8(g0, g1);
    let b = u8x16_narrow_i16x8(b0, b1);
    let a = u8x16_splat(255);

    let rg_lo = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(r, g);
    let rg_hi = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(r, g);
    let ba_lo = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(b, a);
    let ba_hi = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(b, a);
    let rgba = [
        i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(rg_lo, ba_lo),
        i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(rg_lo, ba_lo),
        i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(rg_hi, ba_hi),
        i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(rg_hi, ba_hi),
    ];
    for (chunk, v) in dst.chunks_exact_mut(16).zip(rgba) {
        // SAFETY: each chunk is 16 bytes; wasm stores need no alignment.
        unsafe { v128_store(chunk.as_mut_ptr().cast::<v128>(), v) }
    }
    *pos += 64;
}

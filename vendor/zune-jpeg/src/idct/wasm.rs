/*
 * This software is free software;
 *
 * You can redistribute it or modify it under terms of the MIT, Apache License or Zlib license
 */

//! WebAssembly SIMD128 IDCT, bit-identical to [`super::scalar::idct_int`].
//!
//! The same two one-dimensional passes as the scalar code, eight columns at a
//! time: each row of coefficients is a pair of `i32x4` vectors, the first pass
//! runs down the columns, an 8×8 transpose turns rows into columns, the second
//! pass runs along the rows, and a second transpose puts the block back before
//! it is narrowed, clamped to 0..=255 and stored. All arithmetic wraps, as in
//! the scalar code, so every input gives the same output.
//!
//! [`idct_wasm_4x4`] is the same transform for blocks whose coefficients
//! outside the top-left 4×4 are zero (most blocks of a photograph), as
//! [`super::scalar::idct4x4`]: half the lanes in the first pass, half the
//! terms in the second. Neither writes to the coefficient block, which keeps
//! the 4×4 entry's contract that the block's lower rows stay zero.

#![cfg(all(target_arch = "wasm32", target_feature = "simd128"))]

use core::arch::wasm32::*;
use core::ops::{Add, Mul, Sub};

const SCALE_BITS: i32 = 512 + 65536 + (128 << 17);

/// Eight `i32` lanes: one row (or, after a transpose, one column) of a block.
#[derive(Clone, Copy)]
struct Row(v128, v128);

impl Row {
    #[inline(always)]
    fn load(block: &[i32; 64], row: usize) -> Row {
        let row: &[i32; 8] = block[row * 8..row * 8 + 8].try_into().unwrap_or(&[0; 8]);
        // SAFETY: `row` holds eight i32s, two v128s; wasm loads need no alignment.
        unsafe {
            let p = row.as_ptr().cast::<v128>();
            Row(v128_load(p), v128_load(p.add(1)))
        }
    }

    /// This row with lane 0 (the DC term of row 0) zeroed.
    #[inline(always)]
    fn without_dc(self) -> Row {
        Row(i32x4_replace_lane::<0>(self.0, 0), self.1)
    }

    #[inline(always)]
    fn splat(v: i32) -> Row {
        Row(i32x4_splat(v), i32x4_splat(v))
    }

    #[inline(always)]
    fn shl<const N: u32>(self) -> Row {
        Row(i32x4_shl(self.0, N), i32x4_shl(self.1, N))
    }

    #[inline(always)]
    fn shr<const N: u32>(self) -> Row {
        Row(i32x4_shr(self.0, N), i32x4_shr(self.1, N))
    }

    #[inline(always)]
    fn or(self, o: Row) -> Row {
        Row(v128_or(self.0, o.0), v128_or(self.1, o.1))
    }

    #[inline(always)]
    fn is_zero(self) -> bool {
        !v128_any_true(v128_or(self.0, self.1))
    }
}

impl Add for Row {
    type Output = Row;
    #[inline(always)]
    fn add(self, o: Row) -> Row {
        Row(i32x4_add(self.0, o.0), i32x4_add(self.1, o.1))
    }
}

impl Sub for Row {
    type Output = Row;
    #[inline(always)]
    fn sub(self, o: Row) -> Row {
        Row(i32x4_sub(self.0, o.0), i32x4_sub(self.1, o.1))
    }
}

impl Mul<i32> for Row {
    type Output = Row;
    #[inline(always)]
    fn mul(self, k: i32) -> Row {
        let k = i32x4_splat(k);
        Row(i32x4_mul(self.0, k), i32x4_mul(self.1, k))
    }
}

/// Transposes the 4×4 block held in `a`..`d`.
#[inline(always)]
fn transpose4(a: v128, b: v128, c: v128, d: v128) -> [v128; 4] {
    let ab_lo = i32x4_shuffle::<0, 4, 1, 5>(a, b);
    let ab_hi = i32x4_shuffle::<2, 6, 3, 7>(a, b);
    let cd_lo = i32x4_shuffle::<0, 4, 1, 5>(c, d);
    let cd_hi = i32x4_shuffle::<2, 6, 3, 7>(c, d);
    [
        i64x2_shuffle::<0, 2>(ab_lo, cd_lo),
        i64x2_shuffle::<1, 3>(ab_lo, cd_lo),
        i64x2_shuffle::<0, 2>(ab_hi, cd_hi),
        i64x2_shuffle::<1, 3>(ab_hi, cd_hi),
    ]
}

/// Transposes an 8×8 block of rows as four 4×4 quadrants.
#[inline(always)]
fn transpose(r: &mut [Row; 8]) {
    let [a0, a1, a2, a3] = transpose4(r[0].0, r[1].0, r[2].0, r[3].0);
    let [b0, b1, b2, b3] = transpose4(r[0].1, r[1].1, r[2].1, r[3].1);
    let [c0, c1, c2, c3] = transpose4(r[4].0, r[5].0, r[6].0, r[7].0);
    let [d0, d1, d2, d3] = transpose4(r[4].1, r[5].1, r[6].1, r[7].1);
    *r = [
        Row(a0, c0),
        Row(a1, c1),
        Row(a2, c2),
        Row(a3, c3),
        Row(b0, d0),
        Row(b1, d1),
        Row(b2, d2),
        Row(b3, d3),
    ];
}

/// One one-dimensional IDCT over eight lanes, as in the scalar code.
#[inline(always)]
fn pass<const SHIFT: u32>(r: &mut [Row; 8], bias: i32) {
    let [row0, row1, row2, row3, row4, row5, row6, row7] = *r;
    let bias = Row::splat(bias);

    // even part
    let p1 = (row2 + row6) * 2217;
    let t2 = p1 + row6 * -7567;
    let t3 = p1 + row2 * 3135;
    let t0 = (row0 + row4).shl::<12>();
    let t1 = (row0 - row4).shl::<12>();
    let x0 = t0 + t3 + bias;
    let x3 = t0 - t3 + bias;
    let x1 = t1 + t2 + bias;
    let x2 = t1 - t2 + bias;

    // odd part
    let p3 = row7 + row3;
    let p4 = row5 + row1;
    let p1 = row7 + row1;
    let p2 = row5 + row3;
    let p5 = (p3 + p4) * 4816;
    let p1 = p5 + p1 * -3685;
    let p2 = p5 + p2 * -10497;
    let p3 = p3 * -8034;
    let p4 = p4 * -1597;
    let t3 = row1 * 6149 + p1 + p4;
    let t2 = row3 * 12586 + p2 + p3;
    let t1 = row5 * 8410 + p2 + p4;
    let t0 = row7 * 1223 + p1 + p3;

    *r = [
        (x0 + t3).shr::<SHIFT>(),
        (x1 + t2).shr::<SHIFT>(),
        (x2 + t1).shr::<SHIFT>(),
        (x3 + t0).shr::<SHIFT>(),
        (x3 - t0).shr::<SHIFT>(),
        (x2 - t1).shr::<SHIFT>(),
        (x1 - t2).shr::<SHIFT>(),
        (x0 - t3).shr::<SHIFT>(),
    ];
}

/// Narrows the eight rows to `i16`, clamps them to 0..=255 and stores them
/// `stride` apart.
#[inline(always)]
fn store_rows(r: &[Row; 8], out: &mut [i16], stride: usize) {
    let zero = i16x8_splat(0);
    let max = i16x8_splat(255);
    for (row, v) in r.iter().enumerate() {
        let packed = i16x8_narrow_i32x4(v.0, v.1);
        store(out, row * stride, i16x8_min(i16x8_max(packed, zero), max));
    }
}

/// Stores eight `i16` lanes at `out[pos..pos + 8]`, or nowhere if the slice
/// is too short (a broken image; the scalar code writes to a scratch array).
#[inline(always)]
fn store(out: &mut [i16], pos: usize, v: v128) {
    if let Some(dst) = out.get_mut(pos..pos + 8) {
        // SAFETY: `dst` holds exactly eight i16s (16 bytes); wasm stores need
        // no alignment.
        unsafe { v128_store(dst.as_mut_ptr().cast::<v128>(), v) }
    }
}

/// The IDCT of `block` into eight rows of `out`, `stride` apart.
#[allow(clippy::cast_possible_truncation)]
pub fn idct_wasm(block: &mut [i32; 64], out: &mut [i16], stride: usize) {
    let mut r: [Row; 8] = core::array::from_fn(|i| Row::load(block, i));

    // Only the DC term: every output is the same value.
    let ac = r[0].without_dc();
    if ac.or(r[1]).or(r[2]).or(r[3]).or(r[4]).or(r[5]).or(r[6]).or(r[7]).is_zero() {
        let value = ((block[0].wrapping_add(4).wrapping_add(1024)) >> 3).clamp(0, 255) as i16;
        let v = i16x8_splat(value);
        for row in 0..8 {
            store(out, row * stride, v);
        }
        return;
    }

    pass::<10>(&mut r, 512);
    transpose(&mut r);
    pass::<17>(&mut r, SCALE_BITS);
    transpose(&mut r);

    store_rows(&r, out, stride);
}

/// The IDCT of a block whose coefficients outside the top-left 4×4 are zero.
pub fn idct_wasm_4x4(block: &mut [i32; 64], out: &mut [i16], stride: usize) {
    // Columns 0..4 of rows 0..4: the rest is zero.
    let r = |row: usize| Row::load(block, row).0;
    let (r0, r1, r2, r3) = (r(0), r(1), r(2), r(3));
    let k = i32x4_splat;
    let mul = |a: v128, c: i32| i32x4_mul(a, k(c));

    // First pass, down columns 0..4 (columns 4..8 stay zero).
    let i0 = i32x4_add(i32x4_shl(r0, 12), k(512));
    let (p1, p3) = (mul(r2, 2217), mul(r2, 5352));
    let (x0, x1, x2, x3) = (i32x4_add(i0, p3), i32x4_add(i0, p1), i32x4_sub(i0, p1), i32x4_sub(i0, p3));
    let p5 = mul(i32x4_add(r3, r1), 4816);
    let p1 = i32x4_add(p5, mul(r1, -3685));
    let p2 = i32x4_add(p5, mul(r3, -10497));
    let t3 = i32x4_add(p5, mul(r1, 867));
    let t2 = i32x4_add(p5, mul(r3, -5945));
    let t1 = i32x4_add(p2, mul(r1, -1597));
    let t0 = i32x4_add(p1, mul(r3, -8034));
    let down = |a: v128| i32x4_shr(a, 10);
    let [c0t, c1t, c2t, c3t] = transpose4(
        down(i32x4_add(x0, t3)),
        down(i32x4_add(x1, t2)),
        down(i32x4_add(x2, t1)),
        down(i32x4_add(x3, t0)),
    );
    let [c0b, c1b, c2b, c3b] = transpose4(
        down(i32x4_sub(x3, t0)),
        down(i32x4_sub(x2, t1)),
        down(i32x4_sub(x1, t2)),
        down(i32x4_sub(x0, t3)),
    );
    // Columns 0..4 of all eight rows, one row per lane.
    let (c0, c1, c2, c3) = (Row(c0t, c0b), Row(c1t, c1b), Row(c2t, c2b), Row(c3t, c3b));

    // Second pass, along the rows.
    let t0 = c0.shl::<12>() + Row::splat(SCALE_BITS);
    let (t2, t3) = (c2 * 2217, c2 * 5352);
    let (x0, x3, x1, x2) = (t0 + t3, t0 - t3, t0 + t2, t0 - t2);
    let p5 = (c3 + c1) * 4816;
    let p1 = p5 + c1 * -3685;
    let p2 = p5 + c3 * -10497;
    let t3 = p5 + c1 * 867;
    let t2 = p5 + c3 * -5945;
    let t1 = p2 + c1 * -1597;
    let t0 = p1 + c3 * -8034;
    let mut columns = [
        (x0 + t3).shr::<17>(),
        (x1 + t2).shr::<17>(),
        (x2 + t1).shr::<17>(),
        (x3 + t0).shr::<17>(),
        (x3 - t0).shr::<17>(),
        (x2 - t1).shr::<17>(),
        (x1 - t2).shr::<17>(),
        (x0 - t3).shr::<17>(),
    ];
    transpose(&mut columns);
    store_rows(&columns, out, stride);
}

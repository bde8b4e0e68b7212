//! Column scans: which rows of an `i64` column lie in `[lo, hi]`, packed one
//! bit per row (LSB first) so a query or a policy ANDs them into a bitmap.
//!
//! Why a module of its own: the five-filter query (`and_interval`) and the
//! plan (`column_le`) spend most of their time here, scanning 8 MB per
//! million users; the scan should run at memory speed. The x86-64 baseline
//! (SSE2) has no 64-bit compare, so the compiler's auto-vectorised loop is
//! slow; AVX2 has one (`vpcmpgtq`). The CPU is asked once at run time
//! (`is_x86_feature_detected!`, cached by std), so one build serves every
//! machine and needs no `-C target-cpu` flag; other CPUs take the portable
//! loop. Both compare *unsigned*: `v ∈ [lo, hi]` ⟺ `v − lo ≤ hi − lo` in
//! wrapping `u64` arithmetic, one compare per value instead of two.
//!
//! The only `unsafe` is the call into the AVX2 function, made after the
//! CPU said it has AVX2; the intrinsics themselves are safe inside it. The
//! property tests below check the two paths agree on random columns,
//! lengths that are not a multiple of the lane count, and bounds at the
//! extremes of `i64`.
#![allow(
    unsafe_code,
    reason = "calling a `#[target_feature(enable = \"avx2\")]` function after detecting AVX2"
)]

/// Clears, in the bit-per-row `bytes`, every row whose `col` value lies
/// outside `[lo, hi]` (bits past the column's end in its last byte are
/// cleared too; bytes past it are left alone). `lo > hi` clears every row.
pub(crate) fn and_interval(col: &[i64], lo: i64, hi: i64, bytes: &mut [u8]) {
    if lo > hi {
        for b in bytes.iter_mut().take(col.len().div_ceil(8)) {
            *b = 0;
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (detected just above), the only
        // requirement of `avx2::and_interval`.
        unsafe { avx2::and_interval(col, lo, hi, bytes) };
        return;
    }
    and_interval_scalar(col, lo, hi, bytes);
}

/// The rows of `col` whose value lies in `[lo, hi]`, one bit per row.
pub(crate) fn interval_bytes(col: &[i64], lo: i64, hi: i64) -> Vec<u8> {
    let mut bytes = vec![0xffu8; col.len().div_ceil(8)];
    and_interval(col, lo, hi, &mut bytes);
    bytes
}

/// For each upper bound of `his`, the rows of `col` whose value lies in
/// `[lo, hi]`, one bit per row: what [`interval_bytes`] gives for each
/// bound, from one pass over the column.
///
/// Why: a nightly plan asks the same column for several cutoffs (inactive
/// 30, 45, 60, 90 and 180 days), and each scan of a million-row column
/// reads 8 MB from memory; the bounds are known before the first policy is
/// evaluated, so the column is read once and compared with each bound while
/// its values are in registers.
pub(crate) fn intervals_bytes(col: &[i64], lo: i64, his: &[i64]) -> Vec<Vec<u8>> {
    let len = col.len().div_ceil(8);
    let mut out: Vec<Vec<u8>> = his.iter().map(|_| vec![0u8; len]).collect();
    let live = live_bounds(lo, his);
    if live.is_empty() {
        return out;
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (detected just above), the only
        // requirement of `avx2::intervals`.
        unsafe { avx2::intervals(col, lo, &live, &mut out) };
        return out;
    }
    intervals_scalar(col, lo, &live, &mut out);
    out
}

/// The bounds of `his` that can match, as (output, span) pairs: bounds below
/// `lo` match nothing, so their outputs stay zero.
fn live_bounds(lo: i64, his: &[i64]) -> Vec<(usize, u64)> {
    his.iter()
        .enumerate()
        .filter(|&(_, &hi)| hi >= lo)
        .map(|(k, &hi)| (k, hi.wrapping_sub(lo) as u64))
        .collect()
}

/// The portable [`intervals_bytes`]: `live` holds (output, span) pairs,
/// each output's bytes zero on entry.
fn intervals_scalar(col: &[i64], lo: i64, live: &[(usize, u64)], out: &mut [Vec<u8>]) {
    for (byte, chunk) in col.chunks(8).enumerate() {
        for &(k, span) in live {
            let mut b = 0u8;
            for (j, &v) in chunk.iter().enumerate() {
                b |= u8::from(inside(v, lo, span)) << j;
            }
            if let Some(o) = out.get_mut(k).and_then(|o| o.get_mut(byte)) {
                *o = b;
            }
        }
    }
}

/// `v ∈ [lo, lo + span]` as one unsigned compare.
#[inline(always)]
fn inside(v: i64, lo: i64, span: u64) -> bool {
    (v.wrapping_sub(lo) as u64) <= span
}

/// The portable scan (any CPU): branch-free over chunks of eight.
pub(crate) fn and_interval_scalar(col: &[i64], lo: i64, hi: i64, bytes: &mut [u8]) {
    if lo > hi {
        for b in bytes.iter_mut().take(col.len().div_ceil(8)) {
            *b = 0;
        }
        return;
    }
    let span = hi.wrapping_sub(lo) as u64;
    let mut chunks = col.chunks_exact(8);
    let mut out = bytes.iter_mut();
    for chunk in &mut chunks {
        let mut b = 0u8;
        for (j, &v) in chunk.iter().enumerate() {
            b |= u8::from(inside(v, lo, span)) << j;
        }
        if let Some(o) = out.next() {
            *o &= b;
        }
    }
    tail(chunks.remainder(), lo, span, out.next());
}

/// The last, partial byte.
fn tail(rest: &[i64], lo: i64, span: u64, out: Option<&mut u8>) {
    if rest.is_empty() {
        return;
    }
    if let Some(o) = out {
        let mut b = 0u8;
        for (j, &v) in rest.iter().enumerate() {
            b |= u8::from(inside(v, lo, span)) << j;
        }
        *o &= b;
    }
}

/// The AVX2 scan, or `None` where the CPU has no AVX2 (what the tests
/// compare with the portable one).
#[cfg(test)]
fn and_interval_avx2(col: &[i64], lo: i64, hi: i64, bytes: &mut [u8]) -> Option<()> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        if lo > hi {
            and_interval_scalar(col, lo, hi, bytes);
        } else {
            // SAFETY: the CPU has AVX2 (detected just above).
            unsafe { avx2::and_interval(col, lo, hi, bytes) };
        }
        return Some(());
    }
    let _ = (col, lo, hi, bytes);
    None
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_castsi256_pd, _mm256_cmpgt_epi64, _mm256_movemask_pd, _mm256_set_epi64x,
        _mm256_set1_epi64x, _mm256_sub_epi64, _mm256_xor_si256,
    };

    /// Four rows' "outside" bits: `(v − lo) ^ bias > span ^ bias` is the
    /// unsigned `v − lo > span` (AVX2 compares signed; flipping the sign
    /// bit of both sides turns it into the unsigned order).
    #[target_feature(enable = "avx2")]
    fn outside4(v: __m256i, lo: __m256i, limit: __m256i, bias: __m256i) -> u8 {
        let shifted = _mm256_xor_si256(_mm256_sub_epi64(v, lo), bias);
        let out = _mm256_cmpgt_epi64(shifted, limit);
        // Four sign bits, one per lane: always in 0..16.
        (_mm256_movemask_pd(_mm256_castsi256_pd(out)) & 0xf) as u8
    }

    /// As [`super::intervals_scalar`], eight rows (two vectors) a byte,
    /// each pair of vectors loaded and shifted once for every bound.
    /// Requires a CPU with AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) fn intervals(col: &[i64], lo: i64, live: &[(usize, u64)], out: &mut [Vec<u8>]) {
        let bias = _mm256_set1_epi64x(i64::MIN);
        let lo_v = _mm256_set1_epi64x(lo);
        let limits: Vec<(usize, __m256i)> = live
            .iter()
            .map(|&(k, span)| (k, _mm256_set1_epi64x((span ^ (1u64 << 63)) as i64)))
            .collect();
        let mut chunks = col.chunks_exact(8);
        for (byte, chunk) in (&mut chunks).enumerate() {
            let &[a, b, c, d, e, f, g, h] = chunk else {
                continue;
            };
            let first =
                _mm256_xor_si256(_mm256_sub_epi64(_mm256_set_epi64x(d, c, b, a), lo_v), bias);
            let second =
                _mm256_xor_si256(_mm256_sub_epi64(_mm256_set_epi64x(h, g, f, e), lo_v), bias);
            for &(k, limit) in &limits {
                let outside = |v: __m256i| {
                    (_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(v, limit))) & 0xf)
                        as u8
                };
                if let Some(o) = out.get_mut(k).and_then(|o| o.get_mut(byte)) {
                    *o = !(outside(first) | (outside(second) << 4));
                }
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let byte = col.len() / 8;
            for &(k, span) in live {
                let mut b = 0u8;
                for (j, &v) in rest.iter().enumerate() {
                    b |= u8::from(super::inside(v, lo, span)) << j;
                }
                if let Some(o) = out.get_mut(k).and_then(|o| o.get_mut(byte)) {
                    *o = b;
                }
            }
        }
    }

    /// As [`super::and_interval_scalar`], eight rows (two vectors) a byte.
    /// Requires `lo <= hi` and a CPU with AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) fn and_interval(col: &[i64], lo: i64, hi: i64, bytes: &mut [u8]) {
        let span = hi.wrapping_sub(lo) as u64;
        let bias = _mm256_set1_epi64x(i64::MIN);
        let lo_v = _mm256_set1_epi64x(lo);
        let limit = _mm256_set1_epi64x((span ^ (1u64 << 63)) as i64);
        let mut chunks = col.chunks_exact(8);
        let mut out = bytes.iter_mut();
        for chunk in &mut chunks {
            let &[a, b, c, d, e, f, g, h] = chunk else {
                continue;
            };
            let first = outside4(_mm256_set_epi64x(d, c, b, a), lo_v, limit, bias);
            let second = outside4(_mm256_set_epi64x(h, g, f, e), lo_v, limit, bias);
            if let Some(o) = out.next() {
                *o &= !(first | (second << 4));
            }
        }
        super::tail(chunks.remainder(), lo, span, out.next());
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The plain definition: one bit per row, set when `lo <= v <= hi`.
    fn by_definition(col: &[i64], lo: i64, hi: i64) -> Vec<u8> {
        let mut bytes = vec![0u8; col.len().div_ceil(8)];
        for (i, &v) in col.iter().enumerate() {
            if lo <= v && v <= hi {
                if let Some(b) = bytes.get_mut(i / 8) {
                    *b |= 1 << (i % 8);
                }
            }
        }
        bytes
    }

    /// Values drawn so that the extremes, and values near the bounds, are
    /// common (plain random `i64`s almost never hit a bound).
    fn value() -> impl Strategy<Value = i64> {
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MIN + 1),
            Just(i64::MAX),
            Just(i64::MAX - 1),
            Just(0i64),
            Just(-1i64),
            -20i64..20,
            any::<i64>(),
        ]
    }

    proptest! {
        #[test]
        fn scalar_and_avx2_agree_with_the_definition(
            col in proptest::collection::vec(value(), 0..70),
            lo in value(),
            hi in value(),
            seed in any::<u8>(),
        ) {
            // Start from a non-trivial mask: the scan must only clear bits.
            let start: Vec<u8> = (0..col.len().div_ceil(8))
                .map(|i| seed.rotate_left(i as u32) | 0x5a)
                .collect();
            let want: Vec<u8> = start
                .iter()
                .zip(by_definition(&col, lo, hi))
                .map(|(s, d)| s & d)
                .collect();
            let mut scalar = start.clone();
            and_interval_scalar(&col, lo, hi, &mut scalar);
            prop_assert_eq!(&scalar, &want);
            let mut avx2 = start.clone();
            if and_interval_avx2(&col, lo, hi, &mut avx2).is_some() {
                prop_assert_eq!(&avx2, &want);
            }
            let mut dispatched = start;
            and_interval(&col, lo, hi, &mut dispatched);
            prop_assert_eq!(&dispatched, &want);
        }
    }

    proptest! {
        #[test]
        fn one_pass_for_several_bounds_is_one_scan_per_bound(
            col in proptest::collection::vec(value(), 0..70),
            lo in value(),
            his in proptest::collection::vec(value(), 0..6),
        ) {
            let fused = intervals_bytes(&col, lo, &his);
            prop_assert_eq!(fused.len(), his.len());
            let live = live_bounds(lo, &his);
            let mut scalar: Vec<Vec<u8>> = his.iter().map(|_| vec![0u8; col.len().div_ceil(8)]).collect();
            intervals_scalar(&col, lo, &live, &mut scalar);
            for (k, &hi) in his.iter().enumerate() {
                let want = by_definition(&col, lo, hi);
                prop_assert_eq!(&fused[k], &want, "bound {}", hi);
                prop_assert_eq!(&scalar[k], &want, "bound {} (portable)", hi);
            }
        }
    }

    #[test]
    fn a_full_range_keeps_every_row_and_an_empty_one_none() {
        let col = [i64::MIN, -1, 0, 1, i64::MAX, 7, 8, 9, 10, 11, 12];
        assert_eq!(interval_bytes(&col, i64::MIN, i64::MAX), vec![0xff, 0x07]);
        assert_eq!(interval_bytes(&col, 1, 0), vec![0, 0]);
        assert_eq!(interval_bytes(&col, i64::MIN, i64::MIN), vec![0x01, 0]);
        assert_eq!(interval_bytes(&col, i64::MAX, i64::MAX), vec![0x10, 0]);
    }
}

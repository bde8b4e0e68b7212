//! UTC ISO 8601 timestamps without allocation.
//!
//! An export of 1M users writes up to 2M timestamps; going through
//! `chrono`'s formatter costs an allocation and a format-string interpretation
//! each. These functions convert between [`Millis`] and
//! `YYYY-MM-DDTHH:MM:SS.sssZ` (the same text as `Millis`'s `Display`) with
//! integer arithmetic only (Howard Hinnant's civil-date algorithms). Years
//! outside 0000–9999 fall back to `chrono`.

use seatwarden_core::Millis;

/// Length of `YYYY-MM-DDTHH:MM:SS.sssZ`.
pub const ISO_LEN: usize = 24;

/// Days since 1970-01-01 → (year, month 1–12, day 1–31).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = if m <= 2 { y + 1 } else { y };
    (y, m as u32, d as u32)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn put2(out: &mut [u8; ISO_LEN], at: usize, v: u32) {
    if let Some(slot) = out.get_mut(at..at + 2) {
        slot.copy_from_slice(&[b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8]);
    }
}

/// Formats `t` into `out` and returns the text, or `None` when the year is
/// outside 0000–9999 (use [`format_slow`]).
pub fn format_into(t: Millis, out: &mut [u8; ISO_LEN]) -> Option<&[u8]> {
    let days = t.0.div_euclid(86_400_000);
    let ms_of_day = t.0.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return None;
    }
    *out = *b"0000-00-00T00:00:00.000Z";
    let y = y as u32;
    put2(out, 0, y / 100);
    put2(out, 2, y % 100);
    put2(out, 5, m);
    put2(out, 8, d);
    let secs = (ms_of_day / 1000) as u32;
    put2(out, 11, secs / 3600);
    put2(out, 14, secs / 60 % 60);
    put2(out, 17, secs % 60);
    let ms = (ms_of_day % 1000) as u32;
    if let Some(slot) = out.get_mut(20..23) {
        slot.copy_from_slice(&[
            b'0' + (ms / 100) as u8,
            b'0' + (ms / 10 % 10) as u8,
            b'0' + (ms % 10) as u8,
        ]);
    }
    Some(out.as_slice())
}

/// Formats any instant (allocates; for years outside 0000–9999).
pub fn format_slow(t: Millis) -> String {
    t.to_string()
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Parses the text [`format_into`] writes; anything else goes through
/// RFC 3339 (`2026-11-21T02:00:00Z`, offsets) and then a bare date
/// (`2026-11-21`, read as midnight UTC). `None` when nothing fits.
pub fn parse(text: &str) -> Option<Millis> {
    let b = text.as_bytes();
    if b.len() == ISO_LEN
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':')
        && b.get(19) == Some(&b'.')
        && b.get(23) == Some(&b'Z')
    {
        let y = digits(b.get(0..4)?)?;
        let mo = digits(b.get(5..7)?)?;
        let d = digits(b.get(8..10)?)?;
        let h = digits(b.get(11..13)?)?;
        let mi = digits(b.get(14..16)?)?;
        let s = digits(b.get(17..19)?)?;
        let ms = digits(b.get(20..23)?)?;
        if !(1..=12).contains(&mo)
            || d == 0
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || s > 59
        {
            return None;
        }
        let days = days_from_civil(i64::from(y), mo, d);
        let secs = i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s);
        return Some(Millis(days * 86_400_000 + secs * 1000 + i64::from(ms)));
    }
    if let Some(t) = Millis::parse_rfc3339(text) {
        return Some(t);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| Millis(dt.and_utc().timestamp_millis()))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_like_millis_display() {
        let mut buf = [0u8; ISO_LEN];
        for t in [
            0i64,
            1_763_690_400_123,
            951_782_400_000,
            -1,
            253_402_300_799_999,
        ] {
            let fast = format_into(Millis(t), &mut buf).map(|b| b.to_vec());
            assert_eq!(fast, Some(Millis(t).to_string().into_bytes()), "{t}");
        }
        assert_eq!(format_into(Millis(253_402_300_800_000), &mut buf), None);
    }

    #[test]
    fn parses_other_forms_and_rejects_nonsense() {
        assert_eq!(
            parse("2026-11-21T02:00:00Z"),
            Some(Millis(1_795_226_400_000))
        );
        assert_eq!(parse("2026-11-21"), Some(Millis(1_795_219_200_000)));
        assert_eq!(parse("2026-02-30T00:00:00.000Z"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse(""), None);
    }

    proptest! {
        #[test]
        fn round_trips(t in -62_167_219_200_000i64..253_402_300_799_999) {
            let mut buf = [0u8; ISO_LEN];
            let text = std::str::from_utf8(format_into(Millis(t), &mut buf).unwrap()).unwrap().to_owned();
            prop_assert_eq!(text.clone(), Millis(t).to_string());
            prop_assert_eq!(parse(&text), Some(Millis(t)));
        }
    }
}

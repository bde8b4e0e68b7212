//! A small formula-safe table writer for exports whose rows are plain text
//! (a run's plan on the approval screen). The users and groups exports have
//! their own typed writers; this one exists so a new export never writes
//! CSV by hand (and never forgets [`crate::cell::neutralise`]).

use std::io;

use crate::cell;

/// Writes `header` and `rows` as CSV (CRLF, every cell neutralised, no BOM
/// unless `bom`); the number of rows written.
pub fn write_table<W: io::Write, R: AsRef<[String]>>(
    mut out: W,
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
    bom: bool,
) -> io::Result<u64> {
    if bom {
        out.write_all(crate::BOM)?;
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(header).map_err(io::Error::other)?;
    let mut scratch = Vec::new();
    let mut n = 0u64;
    for row in rows {
        for value in row.as_ref() {
            w.write_field(cell::neutralise(value.as_bytes(), &mut scratch))
                .map_err(io::Error::other)?;
        }
        w.write_record(None::<&[u8]>).map_err(io::Error::other)?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_could_be_formulas_are_marked_as_text() {
        let mut out = Vec::new();
        let rows = vec![vec!["=HYPERLINK(1)".to_owned(), "a,b".to_owned()]];
        assert_eq!(write_table(&mut out, &["x", "y"], rows, false).unwrap(), 1);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "x,y\r\n'=HYPERLINK(1),\"a,b\"\r\n"
        );
    }
}

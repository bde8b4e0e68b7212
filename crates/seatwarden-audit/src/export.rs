//! The audit log as CSV: streamed, UTC timestamps, every cell formula-safe.
//!
//! Spreadsheets execute a cell that starts with `=`, `+`, `-` or `@` (and
//! some treat a leading tab or carriage return the same way), so a username
//! like `=HYPERLINK(…)` in an exported log would run on the reviewer's
//! machine. Following the OWASP CSV-injection guidance, [`formula_safe`]
//! prefixes such a cell with a single quote; the `csv` crate then quotes any
//! cell with separators, quotes or line breaks. [`formula_safe`] is public so
//! the other CSV exports (`seatwarden-csv`) neutralise cells the same way.
//!
//! The writer takes one entry at a time, so a store can stream a million
//! entries straight from its cursor to the HTTP response without holding
//! them.

use std::borrow::Cow;
use std::io::{self, Write};

use seatwarden_core::Millis;

use crate::entry::{Actor, StoredEntry};

/// The characters that make a spreadsheet treat a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell value that no spreadsheet will evaluate: values starting with a
/// character in [`FORMULA_TRIGGERS`] get a leading `'`; everything else is
/// returned unchanged (and unallocated).
///
/// The prefix is visible to a reader of the raw file, which is the point:
/// the value is shown, never run. Numbers that start with `-` are prefixed
/// too; that costs a spreadsheet user a numeric column, not their machine.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_TRIGGERS.contains(&c) => {
            let mut s = String::with_capacity(cell.len() + 1);
            s.push('\'');
            s.push_str(cell);
            Cow::Owned(s)
        }
        _ => Cow::Borrowed(cell),
    }
}

/// The export's columns, in order.
pub const AUDIT_CSV_HEADER: [&str; 14] = [
    "id",
    "time_utc",
    "action",
    "status",
    "performed_by",
    "actor_key",
    "client_ip",
    "target",
    "target_key",
    "group",
    "description",
    "reason",
    "run",
    "policy",
];

/// A streaming CSV writer for audit entries.
pub struct AuditCsv<W: Write> {
    out: csv::Writer<W>,
    rows: u64,
    scratch: [String; 6],
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

impl<W: Write> AuditCsv<W> {
    /// Starts an export: writes the header row.
    pub fn new(out: W) -> io::Result<AuditCsv<W>> {
        let mut out = csv::WriterBuilder::new()
            .buffer_capacity(64 * 1024)
            .from_writer(out);
        out.write_record(AUDIT_CSV_HEADER).map_err(csv_err)?;
        Ok(AuditCsv {
            out,
            rows: 0,
            scratch: Default::default(),
        })
    }

    /// Writes one entry.
    pub fn write(&mut self, e: &StoredEntry) -> io::Result<()> {
        let entry = &e.entry;
        let [id, time, ip, run, actor_label, target_label] = &mut self.scratch;
        id.clear();
        push_int(id, e.id.0);
        time.clear();
        push_iso(time, entry.at);
        ip.clear();
        if let Some(addr) = entry.client_ip {
            use std::fmt::Write as _;
            let _ = write!(ip, "{addr}");
        }
        run.clear();
        if let Some(r) = entry.run {
            push_int(run, r.0);
        }
        actor_label.clear();
        actor_label.push_str(&entry.actor.label());
        target_label.clear();
        target_label.push_str(&entry.target.label());
        let actor_key = match &entry.actor {
            Actor::User { key, .. } => key.as_str(),
            Actor::Automation { .. } => "",
        };
        let cells: [&str; 14] = [
            id,
            time,
            entry.action.as_str(),
            entry.status.as_str(),
            actor_label,
            actor_key,
            ip,
            target_label,
            entry.target.user.as_ref().map_or("", |u| u.as_str()),
            entry.target.group.as_ref().map_or("", |g| g.as_str()),
            &entry.description,
            entry.reason.as_deref().unwrap_or(""),
            run,
            entry.policy.as_ref().map_or("", |p| p.as_str()),
        ];
        self.out
            .write_record(
                cells
                    .iter()
                    .map(|c| formula_safe(c))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|c| c.as_bytes()),
            )
            .map_err(csv_err)?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far (without the header).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and hands the destination back.
    pub fn finish(self) -> io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

fn push_int(s: &mut String, v: i64) {
    use std::fmt::Write as _;
    let _ = write!(s, "{v}");
}

fn push_digits(s: &mut String, v: i64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    while n > 0 && i > 0 {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + u8::try_from(n % 10).unwrap_or(0);
        }
        n /= 10;
    }
    let start = i.min(buf.len().saturating_sub(width));
    for b in buf.get(start..).unwrap_or(&[]) {
        s.push(char::from(*b));
    }
}

/// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC). Hand-rolled because the export
/// formats a timestamp per row and `chrono`'s formatter dominates a profile
/// of a million-row export; the test checks it against `chrono`.
pub fn push_iso(s: &mut String, at: Millis) {
    let days = at.0.div_euclid(86_400_000);
    let ms_of_day = at.0.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9_999).contains(&year) {
        use std::fmt::Write as _;
        let _ = write!(s, "{at}");
        return;
    }
    push_digits(s, year, 4);
    s.push('-');
    push_digits(s, month, 2);
    s.push('-');
    push_digits(s, day, 2);
    s.push('T');
    push_digits(s, ms_of_day / 3_600_000, 2);
    s.push(':');
    push_digits(s, ms_of_day / 60_000 % 60, 2);
    s.push(':');
    push_digits(s, ms_of_day / 1_000 % 60, 2);
    s.push('.');
    push_digits(s, ms_of_day % 1_000, 3);
    s.push('Z');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, AuditEntry, AuditId, Status, Target};
    use proptest::prelude::*;

    fn entry_with(text: &str) -> StoredEntry {
        StoredEntry {
            id: AuditId(1),
            entry: AuditEntry::new(
                Millis(1_763_690_400_000),
                Actor::user("K", Some(text.to_owned())),
                Action::UserRenamed,
                Status::Success,
            )
            .with_target(Target::user("K2".into(), Some(text.to_owned())))
            .with_description(text)
            .with_reason(text),
        }
    }

    fn export(entries: &[StoredEntry]) -> String {
        let mut w = AuditCsv::new(Vec::new()).unwrap();
        for e in entries {
            w.write(e).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn iso_matches_chrono() {
        for ms in [
            0_i64,
            1,
            -1,
            951_782_400_000,
            1_763_690_400_123,
            4_102_444_799_999,
            -62_135_596_800_000,
        ] {
            let mut s = String::new();
            push_iso(&mut s, Millis(ms));
            assert_eq!(s, Millis(ms).to_string(), "{ms}");
        }
    }

    #[test]
    fn header_then_rows_with_utc_time() {
        let csv = export(&[entry_with("alice")]);
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), AUDIT_CSV_HEADER.join(","));
        let row = lines.next().unwrap();
        assert!(row.starts_with("1,2025-11-21T02:00:00.000Z,user_renamed,success,alice,K,"));
    }

    #[test]
    fn formula_cells_are_prefixed() {
        assert_eq!(formula_safe("=1+1"), "'=1+1");
        assert_eq!(formula_safe("\tx"), "'\tx");
        assert_eq!(formula_safe("plain"), "plain");
        assert!(matches!(formula_safe("plain"), Cow::Borrowed(_)));
        assert_eq!(formula_safe(""), "");
    }

    proptest! {
        #[test]
        fn no_exported_cell_starts_with_a_formula_trigger(
            text in "[=+\\-@\t\r]?[ -~\t\r\n\"',;]{0,30}",
        ) {
            let csv = export(&[entry_with(&text)]);
            let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
            for record in reader.records() {
                let record = record.unwrap();
                prop_assert_eq!(record.len(), AUDIT_CSV_HEADER.len());
                for cell in record.iter() {
                    let first = cell.chars().next();
                    prop_assert!(
                        !first.is_some_and(|c| FORMULA_TRIGGERS.contains(&c)),
                        "cell {:?} starts with a trigger", cell
                    );
                }
                // The value survives, prefixed or not.
                let desc = record.get(10).unwrap();
                prop_assert_eq!(desc.strip_prefix('\'').filter(|_| desc != text).unwrap_or(desc), text.as_str());
            }
        }

        #[test]
        fn formula_safe_only_touches_triggers(text in "\\PC{0,20}") {
            let safe = formula_safe(&text);
            let starts = text.chars().next().is_some_and(|c| FORMULA_TRIGGERS.contains(&c));
            if starts {
                prop_assert_eq!(safe.as_ref(), format!("'{text}"));
            } else {
                prop_assert_eq!(safe.as_ref(), text.as_str());
            }
        }
    }
}

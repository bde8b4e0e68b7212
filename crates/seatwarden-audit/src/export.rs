//! The audit log as CSV: streamed, UTC timestamps, every cell formula-safe.
//!
//! Spreadsheets execute a cell that starts with `=`, `+`, `-` or `@` (and
//! some treat a leading tab or carriage return the same way), so a username
//! like `=HYPERLINK(…)` in an exported log would run on the reviewer's
//! machine. Following the OWASP CSV-injection guidance, every cell that
//! starts with one of [`FORMULA_TRIGGERS`] gets a leading single quote, and
//! a cell with a separator, a quote or a line break is quoted (RFC 4180,
//! `\n` line ends). [`formula_safe`] is public so the other CSV exports
//! (`seatwarden-csv`) neutralise cells the same way.
//!
//! Why a hand-written writer: an export of a million entries is 128 MB, and
//! the budget is 100 MB/s on a loaded machine. The writer therefore never
//! allocates per row: a row is a borrowed [`ExportRow`] (a store can build
//! one straight from its cursor's column slices), composite cells (the
//! "performed by" and "target" labels) are written part by part, numbers and
//! timestamps are formatted into stack buffers, and everything lands in one
//! reused output buffer that is handed to the destination in 64 KB chunks.
//! The bytes are exactly what the `csv` crate with the default settings
//! wrote before (a test compares the two on random entries).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;

use seatwarden_core::Millis;

use crate::entry::{Action, Actor, Status, StoredEntry};

/// The characters that make a spreadsheet treat a cell as a formula: the
/// ASCII ones OWASP names, and their full-width forms `＝ ＋ － ＠`, which
/// some spreadsheet programs normalise to the ASCII ones (the users and
/// groups exports in `seatwarden-csv` neutralise the same set).
pub const FORMULA_TRIGGERS: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// Whether a cell starting with these bytes must be neutralised.
fn is_trigger(cell: &[u8]) -> bool {
    match cell {
        [b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => true,
        // U+FF1D ＝, U+FF0B ＋, U+FF0D －, U+FF20 ＠ in UTF-8.
        [0xEF, 0xBC, 0x9D | 0x8B | 0x8D | 0xA0, ..] => true,
        _ => false,
    }
}

/// A cell value that no spreadsheet will evaluate: values starting with a
/// character in [`FORMULA_TRIGGERS`] get a leading `'`; everything else is
/// returned unchanged (and unallocated).
///
/// The prefix is visible to a reader of the raw file, which is the point:
/// the value is shown, never run. Numbers that start with `-` are prefixed
/// too; that costs a spreadsheet user a numeric column, not their machine.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes() {
        b if is_trigger(b) => {
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

/// Who caused an entry, borrowed (see [`Actor`]). Texts are UTF-8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorRef<'a> {
    /// A person: key and the username shown at the time.
    User {
        /// The user key.
        key: &'a [u8],
        /// The username at the time.
        name: Option<&'a [u8]>,
    },
    /// Seatwarden itself, for a policy or for housekeeping.
    Automation {
        /// The policy id.
        policy: Option<&'a [u8]>,
    },
}

/// One entry as the export needs it, every text borrowed as UTF-8 bytes
/// (the writer copies them verbatim, so a store hands over its column
/// buffers without validating them again). A store builds it from its row
/// without copying; [`ExportRow::of`] builds it from a [`StoredEntry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportRow<'a> {
    /// The entry id.
    pub id: i64,
    /// When it happened.
    pub at: Millis,
    /// What happened.
    pub action: Action,
    /// The result.
    pub status: Status,
    /// Who caused it.
    pub actor: ActorRef<'a>,
    /// Where the request came from.
    pub client_ip: Option<IpAddr>,
    /// The target user's key.
    pub target_user: Option<&'a [u8]>,
    /// The target's username at the time.
    pub target_name: Option<&'a [u8]>,
    /// The target group.
    pub target_group: Option<&'a [u8]>,
    /// Details.
    pub description: &'a [u8],
    /// Why.
    pub reason: Option<&'a [u8]>,
    /// The run id.
    pub run: Option<i64>,
    /// The policy id.
    pub policy: Option<&'a [u8]>,
}

impl<'a> ExportRow<'a> {
    /// The row of a stored entry.
    pub fn of(e: &'a StoredEntry) -> ExportRow<'a> {
        let entry = &e.entry;
        let text = |s: Option<&'a str>| s.map(str::as_bytes);
        ExportRow {
            id: e.id.0,
            at: entry.at,
            action: entry.action,
            status: entry.status,
            actor: match &entry.actor {
                Actor::User { key, name } => ActorRef::User {
                    key: key.as_str().as_bytes(),
                    name: text(name.as_deref()),
                },
                Actor::Automation { policy } => ActorRef::Automation {
                    policy: text(policy.as_ref().map(|p| p.as_str())),
                },
            },
            client_ip: entry.client_ip,
            target_user: text(entry.target.user.as_ref().map(|u| u.as_str())),
            target_name: text(entry.target.user_name.as_deref()),
            target_group: text(entry.target.group.as_ref().map(|g| g.as_str())),
            description: entry.description.as_bytes(),
            reason: text(entry.reason.as_deref()),
            run: entry.run.map(|r| r.0),
            policy: text(entry.policy.as_ref().map(|p| p.as_str())),
        }
    }
}

/// Whether any byte of the little-endian word `w` equals `b` (the classic
/// "has zero byte" trick on `w ^ b…b`).
fn has_byte(w: u64, b: u8) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI != 0
}

/// Bytes that force a cell into quotes: the separator, the quote and line
/// breaks (what the `csv` crate quotes with its default settings). Eight
/// bytes at a time: this runs over every byte of the export.
fn needs_quotes(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for chunk in words.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if has_byte(w, b',') || has_byte(w, b'"') || has_byte(w, b'\r') || has_byte(w, b'\n') {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// Output buffered in memory until this many bytes, then handed on.
const FLUSH_AT: usize = 64 * 1024;

/// A streaming CSV writer for audit entries.
pub struct AuditCsv<W: Write> {
    out: W,
    buf: Vec<u8>,
    rows: u64,
    /// Only for timestamps outside years 0–9999 (never in practice).
    spill: String,
}

impl<W: Write> AuditCsv<W> {
    /// Starts an export: writes the header row.
    pub fn new(out: W) -> io::Result<AuditCsv<W>> {
        let mut csv = AuditCsv {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4 * 1024),
            rows: 0,
            spill: String::new(),
        };
        for (i, h) in AUDIT_CSV_HEADER.iter().enumerate() {
            if i > 0 {
                csv.buf.push(b',');
            }
            csv.text(h.as_bytes());
        }
        csv.buf.push(b'\n');
        Ok(csv)
    }

    /// Writes one stored entry.
    pub fn write(&mut self, e: &StoredEntry) -> io::Result<()> {
        self.write_row(&ExportRow::of(e))
    }

    /// Writes one row; allocates nothing once the buffer has grown.
    pub fn write_row(&mut self, r: &ExportRow<'_>) -> io::Result<()> {
        let mut num = [0u8; 20];
        self.text(int_text(r.id, &mut num));
        self.buf.push(b',');
        let mut iso = [0u8; ISO_LEN];
        match iso_into(r.at, &mut iso) {
            // Starts with a digit and holds no special byte: copied as is.
            Some(text) => self.buf.extend_from_slice(text.as_bytes()),
            None => {
                let mut spill = std::mem::take(&mut self.spill);
                spill.clear();
                let _ = write!(spill, "{}", r.at);
                self.text(spill.as_bytes());
                self.spill = spill;
            }
        }
        // Stable names: lowercase ASCII letters and underscores.
        self.buf.push(b',');
        self.buf.extend_from_slice(r.action.as_str().as_bytes());
        self.buf.push(b',');
        self.buf.extend_from_slice(r.status.as_str().as_bytes());
        self.buf.push(b',');
        let actor_key: &[u8] = match r.actor {
            ActorRef::User { key, name } => {
                self.text(name.unwrap_or(key));
                key
            }
            ActorRef::Automation { policy: Some(p) } => {
                self.parts(&[b"automation (", p, b")"]);
                b""
            }
            ActorRef::Automation { policy: None } => {
                self.buf.extend_from_slice(b"automation");
                b""
            }
        };
        self.buf.push(b',');
        self.text(actor_key);
        self.buf.push(b',');
        match r.client_ip {
            Some(IpAddr::V4(v4)) => {
                // Dotted decimal, exactly as `Ipv4Addr`'s `Display`.
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        self.buf.push(b'.');
                    }
                    self.buf
                        .extend_from_slice(int_text(i64::from(octet), &mut num));
                }
            }
            Some(ip) => {
                let mut text = StackText::<48>::new();
                let _ = write!(text, "{ip}");
                self.text(text.as_bytes());
            }
            None => {}
        }
        self.buf.push(b',');
        let user = r.target_name.or(r.target_user);
        match (user, r.target_group) {
            (Some(u), Some(g)) => self.parts(&[u, b" / ", g]),
            (Some(u), None) => self.text(u),
            (None, Some(g)) => self.text(g),
            (None, None) => {}
        }
        self.buf.push(b',');
        self.text(r.target_user.unwrap_or(b""));
        self.buf.push(b',');
        self.text(r.target_group.unwrap_or(b""));
        self.buf.push(b',');
        self.text(r.description);
        self.buf.push(b',');
        self.text(r.reason.unwrap_or(b""));
        self.buf.push(b',');
        if let Some(run) = r.run {
            self.text(int_text(run, &mut num));
        }
        self.buf.push(b',');
        self.text(r.policy.unwrap_or(b""));
        self.buf.push(b'\n');
        self.rows += 1;
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Appends one cell's value, neutralised and quoted as needed.
    fn text(&mut self, v: &[u8]) {
        let quote = needs_quotes(v);
        if quote {
            self.buf.push(b'"');
        }
        if is_trigger(v) {
            self.buf.push(b'\'');
        }
        if quote {
            self.escaped(v);
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(v);
        }
    }

    /// Appends one cell made of `parts` (concatenated), neutralised and
    /// quoted as a whole.
    fn parts(&mut self, parts: &[&[u8]]) {
        let quote = parts.iter().any(|p| needs_quotes(p));
        if quote {
            self.buf.push(b'"');
        }
        let lead = parts.iter().find(|p| !p.is_empty());
        if lead.is_some_and(|p| is_trigger(p)) {
            self.buf.push(b'\'');
        }
        for p in parts {
            if quote {
                self.escaped(p);
            } else {
                self.buf.extend_from_slice(p);
            }
        }
        if quote {
            self.buf.push(b'"');
        }
    }

    /// Appends `v` with every `"` doubled.
    fn escaped(&mut self, mut v: &[u8]) {
        while let Some(i) = v.iter().position(|&b| b == b'"') {
            let (head, tail) = v.split_at(i + 1);
            self.buf.extend_from_slice(head);
            self.buf.push(b'"');
            v = tail;
        }
        self.buf.extend_from_slice(v);
    }

    /// Rows written so far (without the header).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and hands the destination back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A small fixed-size text buffer for `write!` without allocating.
struct StackText<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> StackText<N> {
    fn new() -> Self {
        StackText {
            bytes: [0; N],
            len: 0,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl<const N: usize> std::fmt::Write for StackText<N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// `v` in decimal, written into the end of `buf`.
fn int_text(v: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    if v < 0 && i > 0 {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'-';
        }
    }
    buf.get(i..).unwrap_or(&[])
}

/// Length of `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub const ISO_LEN: usize = 24;

/// Writes `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC) into `buf`; `None` for years
/// outside 0–9999, which have no four-digit form. Hand-rolled because the
/// export formats a timestamp per row and `chrono`'s formatter dominates a
/// profile of a million-row export; the test checks it against `chrono`.
pub fn iso_into(at: Millis, buf: &mut [u8; ISO_LEN]) -> Option<&str> {
    let days = at.0.div_euclid(86_400_000);
    let ms_of_day = at.0.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9_999).contains(&year) {
        return None;
    }
    let fields: [(usize, i64, usize); 7] = [
        (0, year, 4),
        (5, month, 2),
        (8, day, 2),
        (11, ms_of_day / 3_600_000, 2),
        (14, ms_of_day / 60_000 % 60, 2),
        (17, ms_of_day / 1_000 % 60, 2),
        (20, ms_of_day % 1_000, 3),
    ];
    *buf = *b"0000-00-00T00:00:00.000Z";
    for (start, value, width) in fields {
        let mut v = value;
        for slot in buf.get_mut(start..start + width)?.iter_mut().rev() {
            *slot = b'0' + u8::try_from(v % 10).ok()?;
            v /= 10;
        }
    }
    std::str::from_utf8(buf).ok()
}

/// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC) to `s` (see [`iso_into`]);
/// outside years 0–9999 it appends [`Millis`]'s own rendering.
pub fn push_iso(s: &mut String, at: Millis) {
    let mut buf = [0u8; ISO_LEN];
    match iso_into(at, &mut buf) {
        Some(text) => s.push_str(text),
        None => {
            let _ = write!(s, "{at}");
        }
    }
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
    fn full_width_triggers_are_neutralised_in_the_streamed_export() {
        let csv = export(&[entry_with("＝1+1")]);
        let row = csv.lines().nth(1).unwrap();
        assert!(row.contains(",'＝1+1,"), "{row}");
        assert!(!row.contains(",＝1+1"), "{row}");
    }

    #[test]
    fn formula_cells_are_prefixed() {
        assert_eq!(formula_safe("=1+1"), "'=1+1");
        assert_eq!(formula_safe("\tx"), "'\tx");
        // Full-width forms, which some spreadsheets read as the ASCII ones.
        for cell in ["＝1+1", "＋1", "－1", "＠SUM(1)"] {
            assert_eq!(formula_safe(cell), format!("'{cell}"));
        }
        assert_eq!(formula_safe("ｘ"), "ｘ");
        assert_eq!(formula_safe("plain"), "plain");
        assert!(matches!(formula_safe("plain"), Cow::Borrowed(_)));
        assert_eq!(formula_safe(""), "");
    }

    /// The writer as it was before the allocation-free rewrite (the `csv`
    /// crate, owned labels, a `Vec` of cells per row): the rewrite must
    /// produce the same bytes.
    fn legacy_export(entries: &[StoredEntry]) -> Vec<u8> {
        let mut out = csv::WriterBuilder::new().from_writer(Vec::new());
        out.write_record(AUDIT_CSV_HEADER).unwrap();
        for e in entries {
            let entry = &e.entry;
            let id = e.id.0.to_string();
            let mut time = String::new();
            push_iso(&mut time, entry.at);
            let ip = entry.client_ip.map(|a| a.to_string()).unwrap_or_default();
            let run = entry.run.map(|r| r.0.to_string()).unwrap_or_default();
            let actor_label = entry.actor.label();
            let target_label = entry.target.label();
            let actor_key = match &entry.actor {
                Actor::User { key, .. } => key.as_str(),
                Actor::Automation { .. } => "",
            };
            let cells: [&str; 14] = [
                &id,
                &time,
                entry.action.as_str(),
                entry.status.as_str(),
                &actor_label,
                actor_key,
                &ip,
                &target_label,
                entry.target.user.as_ref().map_or("", |u| u.as_str()),
                entry.target.group.as_ref().map_or("", |g| g.as_str()),
                &entry.description,
                entry.reason.as_deref().unwrap_or(""),
                &run,
                entry.policy.as_ref().map_or("", |p| p.as_str()),
            ];
            out.write_record(cells.iter().map(|c| formula_safe(c).into_owned()))
                .unwrap();
        }
        out.into_inner().unwrap()
    }

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[=+\\-@\t\r]?[ -~\t\r\n\"',;]{0,12}",
            "\\PC{0,8}",
            Just(String::new()),
        ]
    }

    prop_compose! {
        fn arb_entry()(
            id in any::<i64>(),
            at in prop_oneof![any::<i64>(), -62_135_596_800_000_i64..253_402_300_799_999],
            action in 0..Action::ALL.len(),
            status in 0..Status::ALL.len(),
            user_actor in any::<bool>(),
            key in arb_text(),
            name in proptest::option::of(arb_text()),
            ip in proptest::option::of(any::<std::net::IpAddr>()),
            target_user in proptest::option::of(arb_text()),
            target_name in proptest::option::of(arb_text()),
            group in proptest::option::of(arb_text()),
            description in arb_text(),
            reason in proptest::option::of(arb_text()),
            run in proptest::option::of(any::<i64>()),
            policy in proptest::option::of(arb_text()),
        ) -> StoredEntry {
            let actor = if user_actor {
                Actor::user(key.as_str(), name)
            } else {
                Actor::Automation { policy: name.map(|n| n.as_str().into()) }
            };
            StoredEntry {
                id: AuditId(id),
                entry: AuditEntry {
                    at: Millis(at),
                    actor,
                    client_ip: ip,
                    action: Action::ALL[action],
                    target: Target {
                        user: target_user.map(Into::into),
                        user_name: target_name,
                        group: group.map(Into::into),
                    },
                    status: Status::ALL[status],
                    description,
                    reason,
                    run: run.map(crate::RunId),
                    policy: policy.map(|p| p.as_str().into()),
                },
            }
        }
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
        fn rewrite_writes_the_same_bytes_as_the_csv_crate_path(
            entries in proptest::collection::vec(arb_entry(), 0..20),
        ) {
            let new = export(&entries);
            let old = String::from_utf8(legacy_export(&entries)).unwrap();
            prop_assert_eq!(new, old);
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

//! Reading a CSV file as a header plus validated records.
//!
//! Every importer here needs the same groundwork: strip a byte-order mark,
//! read the header, map header names onto the columns the importer knows,
//! then stream records, each checked for UTF-8 and for the header's width,
//! with a precise [`Problem`] for whatever is wrong. One `StringRecord` is
//! reused for the whole file, so reading costs no allocation per row.

use std::collections::VecDeque;
use std::io::{self, Read};

use crate::error::{Position, Problem, ProblemKind, Problems};

/// The UTF-8 byte-order mark spreadsheet programs put in front of CSV files.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What a header name means to an importer.
pub(crate) enum ColumnMatch<C> {
    /// A column the importer reads.
    Known(C),
    /// A column the importer accepts but ignores.
    Ignored,
    /// A column nobody knows.
    Unknown,
}

/// Wraps the input to know which physical line a record starts on.
///
/// The `csv` crate's record positions point at where its scan began, which
/// is before the previous record's `\n` (after a `\r`) and before skipped
/// blank lines, so its line numbers drift on CRLF files. This reader
/// remembers every run of `\r`/`\n` bytes it passes on (with the count of
/// `\n` up to its end) so the true start line of a record can be derived
/// from the scan's byte offset. Runs behind the parser are dropped, so only
/// the read-ahead window is held.
pub(crate) struct LineTracked<R> {
    inner: R,
    offset: u64,
    newlines: u64,
    run_start: Option<u64>,
    runs: VecDeque<(u64, u64, u64)>,
    base: u64,
}

impl<R: Read> LineTracked<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            newlines: 0,
            run_start: None,
            runs: VecDeque::new(),
            base: 0,
        }
    }

    /// The 1-based line of the first content byte at or after `byte`.
    fn line_of(&mut self, byte: u64) -> u64 {
        while let Some(&(_, end, nl)) = self.runs.front() {
            if end <= byte {
                self.base = nl;
                self.runs.pop_front();
            } else {
                break;
            }
        }
        match (self.runs.front(), self.run_start) {
            (Some(&(start, _, nl)), _) if start <= byte => nl + 1,
            (None, Some(start)) if start <= byte => self.newlines + 1,
            _ => self.base + 1,
        }
    }
}

impl<R: Read> Read for LineTracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or(&[]);
        let mut i = 0;
        while i < n {
            if self.run_start.is_none() {
                // Outside a run: skip eight bytes at a time while none is a line end.
                while let Some(word) = data.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok())
                {
                    let w = u64::from_le_bytes(word);
                    if has_byte(w, b'\n') || has_byte(w, b'\r') {
                        break;
                    }
                    i += 8;
                }
            }
            let Some(&b) = data.get(i) else { break };
            let at = self.offset + i as u64;
            if b == b'\n' || b == b'\r' {
                if self.run_start.is_none() {
                    self.run_start = Some(at);
                }
                if b == b'\n' {
                    self.newlines += 1;
                }
            } else if let Some(start) = self.run_start.take() {
                self.runs.push_back((start, at, self.newlines));
            }
            i += 1;
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// True when any byte of `w` equals `b` (the classic SWAR zero-byte test).
fn has_byte(w: u64, b: u8) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let x = w ^ (LO * u64::from(b));
    (x.wrapping_sub(LO) & !x & HI) != 0
}

/// A CSV file being read: its header and a cursor over its records.
pub(crate) struct Table<R: Read> {
    reader: csv::Reader<LineTracked<R>>,
    record: csv::StringRecord,
    headers: Vec<String>,
    header_line: u64,
    done: bool,
}

/// Normalises a header cell for matching: trimmed, lower-case, `_` and `-`
/// read as spaces, runs of spaces collapsed.
pub(crate) fn normalise_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name
        .trim()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

impl<R: Read> Table<R> {
    /// Opens `input` and reads its header row. Fails with a whole-file
    /// problem when there is no header or it is not UTF-8.
    pub(crate) fn open(input: R) -> Result<Self, Problem> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(LineTracked::new(input));
        let mut header = csv::ByteRecord::new();
        let got = reader
            .read_byte_record(&mut header)
            .map_err(|e| Problem::new(Position::line(1), malformed(&e)))?;
        if !got {
            return Err(Problem::new(Position::line(1), ProblemKind::EmptyFile));
        }
        let byte = header.position().map_or(0, csv::Position::byte);
        let line = reader.get_mut().line_of(byte);
        let mut headers = Vec::with_capacity(header.len());
        for (i, cell) in header.iter().enumerate() {
            let cell = if i == 0 {
                cell.strip_prefix(BOM).unwrap_or(cell)
            } else {
                cell
            };
            let text = std::str::from_utf8(cell).map_err(|_| {
                Problem::new(Position::field(line, i + 1, None), ProblemKind::InvalidUtf8)
            })?;
            headers.push(text.to_owned());
        }
        if headers.len() == 1 && headers.first().is_some_and(|h| h.trim().is_empty()) {
            // Only a byte-order mark (or blanks): nothing to read.
            return Err(Problem::new(Position::line(line), ProblemKind::EmptyFile));
        }
        Ok(Self {
            reader,
            record: csv::StringRecord::new(),
            headers,
            header_line: line,
            done: false,
        })
    }

    /// Opens `input` and maps its header ([`Self::map_columns`]): the table
    /// and, per header column, the known column it holds; the header's
    /// problems (missing required columns among them) refuse the file.
    pub(crate) fn open_mapped<C: Copy + Eq>(
        input: R,
        classify: impl FnMut(&str) -> ColumnMatch<C>,
        required: &[(C, &str)],
        problems: &mut Problems,
    ) -> Option<(Self, Vec<Option<C>>)> {
        let table = match Table::open(input) {
            Ok(t) => t,
            Err(p) => {
                problems.push(p);
                return None;
            }
        };
        let map = table.map_columns(classify, required, problems);
        problems.is_empty().then_some((table, map))
    }

    /// The header cells as written (BOM removed).
    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Maps every header cell through `classify`, reporting empty, unknown
    /// and duplicate columns and the required columns that are missing.
    /// Returns, per header column, the known column it holds.
    pub(crate) fn map_columns<C: Copy + Eq>(
        &self,
        mut classify: impl FnMut(&str) -> ColumnMatch<C>,
        required: &[(C, &str)],
        problems: &mut Problems,
    ) -> Vec<Option<C>> {
        let mut map: Vec<Option<C>> = Vec::with_capacity(self.headers.len());
        for (i, name) in self.headers.iter().enumerate() {
            let norm = normalise_header(name);
            let at = || Position::field(self.header_line, i + 1, Some(name));
            if norm.is_empty() {
                problems.push(Problem::new(at(), ProblemKind::EmptyColumnName));
                map.push(None);
                continue;
            }
            match classify(&norm) {
                ColumnMatch::Known(c) => {
                    if map.contains(&Some(c)) {
                        problems.push(Problem::new(
                            at(),
                            ProblemKind::DuplicateColumn(name.clone()),
                        ));
                        map.push(None);
                    } else {
                        map.push(Some(c));
                    }
                }
                ColumnMatch::Ignored => map.push(None),
                ColumnMatch::Unknown => {
                    problems.push(Problem::new(at(), ProblemKind::UnknownColumn(name.clone())));
                    map.push(None);
                }
            }
        }
        let missing: Vec<String> = required
            .iter()
            .filter(|(c, _)| !map.contains(&Some(*c)))
            .map(|(_, n)| (*n).to_owned())
            .collect();
        if !missing.is_empty() {
            problems.push(Problem::new(
                Position::line(self.header_line),
                ProblemKind::MissingColumns(missing),
            ));
        }
        map
    }

    /// The next record that is valid UTF-8 and as wide as the header, with
    /// the line it starts on. Records that are not are reported to
    /// `problems` and skipped. `None` at the end of the file (or after an
    /// I/O error, which is reported).
    pub(crate) fn next_record(
        &mut self,
        problems: &mut Problems,
    ) -> Option<(u64, &csv::StringRecord)> {
        loop {
            if self.done {
                return None;
            }
            match self.reader.read_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => {
                    let byte = self.record.position().map_or(0, csv::Position::byte);
                    let line = self.reader.get_mut().line_of(byte);
                    if self.record.len() != self.headers.len() {
                        problems.push(Problem::new(
                            Position::line(line),
                            ProblemKind::WrongColumnCount {
                                expected: self.headers.len(),
                                found: self.record.len(),
                            },
                        ));
                        continue;
                    }
                    return Some((line, &self.record));
                }
                Err(e) => {
                    let byte = e.position().map_or(0, csv::Position::byte);
                    let line = self.reader.get_mut().line_of(byte);
                    match e.kind() {
                        csv::ErrorKind::Utf8 { err, .. } => {
                            let col = err.field() + 1;
                            let header = self.headers.get(err.field()).map(String::as_str);
                            problems.push(Problem::new(
                                Position::field(line, col, header),
                                ProblemKind::InvalidUtf8,
                            ));
                        }
                        _ => {
                            problems.push(Problem::new(Position::line(line), malformed(&e)));
                            self.done = true;
                            return None;
                        }
                    }
                }
            }
        }
    }
}

fn malformed(e: &csv::Error) -> ProblemKind {
    match e.kind() {
        csv::ErrorKind::Io(io) => ProblemKind::Malformed(io.kind().to_string()),
        _ => ProblemKind::Malformed("the file is not valid CSV".to_owned()),
    }
}

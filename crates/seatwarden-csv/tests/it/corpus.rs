//! The nasty-file corpus (`tests/csv-corpus/` at the repository root):
//! each file's exact outcome when imported as users.

use std::path::PathBuf;

use seatwarden_csv::{ImportOptions, validate_users};

use crate::common::directory;

fn corpus(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/csv-corpus")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `Ok(n)`: the file validates and creates `n` users. `Err((total, first
/// problems))`: the file is rejected with exactly these problems first.
fn outcome(name: &str) -> Result<u64, (u64, Vec<String>)> {
    match validate_users(
        corpus(name).as_slice(),
        &directory(),
        &ImportOptions::default(),
    ) {
        Ok(s) => Ok(s.create),
        Err(e) => Err((
            e.0.total(),
            e.0.kept().iter().take(3).map(ToString::to_string).collect(),
        )),
    }
}

fn rejected(total: u64, first: &[&str]) -> Result<u64, (u64, Vec<String>)> {
    Err((total, first.iter().map(|s| (*s).to_owned()).collect()))
}

#[test]
fn empty_file() {
    assert_eq!(
        outcome("empty.csv"),
        rejected(1, &["line 1: the file is empty: a header row is required"])
    );
}

#[test]
fn only_a_bom() {
    assert_eq!(
        outcome("only-bom.csv"),
        rejected(1, &["line 1: the file is empty: a header row is required"])
    );
}

#[test]
fn bom_before_header_is_ignored() {
    assert_eq!(outcome("bom-header.csv"), Ok(1));
}

#[test]
fn doubled_quotes_inside_quotes() {
    assert_eq!(outcome("quotes-in-quotes.csv"), Ok(1));
}

#[test]
fn stray_quotes_are_read_leniently() {
    // A quote inside an unquoted field is kept as text; `"Ann" Smith` reads
    // as `Ann Smith`. Both rows are otherwise valid.
    assert_eq!(outcome("stray-quote.csv"), Ok(2));
}

#[test]
fn mixed_line_ends_and_blank_lines_keep_true_line_numbers() {
    assert_eq!(
        outcome("crlf-and-lf-mixed.csv"),
        rejected(1, &["line 6, column 2 (`email`): invalid email address"])
    );
}

#[test]
fn embedded_newlines_count_as_lines() {
    assert_eq!(
        outcome("embedded-newlines.csv"),
        rejected(
            2,
            &[
                "line 2, column 3 (`display name`): invalid display name: contains control characters",
                "line 4, column 2 (`email`): invalid email address",
            ]
        )
    );
}

#[test]
fn wrong_column_counts() {
    assert_eq!(
        outcome("wrong-column-count.csv"),
        rejected(
            2,
            &[
                "line 2: expected 4 field(s), found 3",
                "line 3: expected 4 field(s), found 5",
            ]
        )
    );
}

#[test]
fn missing_required_header() {
    assert_eq!(
        outcome("missing-header.csv"),
        rejected(1, &["line 1: missing required column(s) `display name`"])
    );
}

#[test]
fn duplicate_username_any_case() {
    assert_eq!(
        outcome("duplicate-username.csv"),
        rejected(
            1,
            &["line 3, column 1 (`username`): duplicate username: first on line 2"]
        )
    );
}

#[test]
fn unknown_group() {
    assert_eq!(
        outcome("unknown-group.csv"),
        rejected(
            1,
            &["line 2, column 4 (`groups`): unknown group `ghost-team`"]
        )
    );
}

#[test]
fn invalid_utf8_in_a_field() {
    assert_eq!(
        outcome("invalid-utf8-field.csv"),
        rejected(
            1,
            &["line 2, column 3 (`display name`): not valid UTF-8 text"]
        )
    );
}

#[test]
fn binary_file() {
    assert_eq!(
        outcome("binary.bin"),
        rejected(1, &["line 1, column 1: not valid UTF-8 text"])
    );
}

#[test]
fn ten_thousand_columns() {
    assert_eq!(
        outcome("ten-thousand-columns.csv"),
        rejected(
            10_001,
            &[
                "line 1, column 1 (`c1`): unknown column `c1`",
                "line 1, column 2 (`c2`): unknown column `c2`",
                "line 1, column 3 (`c3`): unknown column `c3`",
            ]
        )
    );
}

#[test]
fn a_neutralised_formula_imports_as_its_text() {
    assert_eq!(outcome("formula-cells.csv"), Ok(1));
}

#[test]
fn every_corpus_file_is_covered() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/csv-corpus");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    names.sort();
    let covered = [
        "binary.bin",
        "bom-header.csv",
        "crlf-and-lf-mixed.csv",
        "duplicate-username.csv",
        "embedded-newlines.csv",
        "empty.csv",
        "formula-cells.csv",
        "invalid-utf8-field.csv",
        "missing-header.csv",
        "only-bom.csv",
        "quotes-in-quotes.csv",
        "stray-quote.csv",
        "ten-thousand-columns.csv",
        "unknown-group.csv",
        "wrong-column-count.csv",
    ];
    assert_eq!(names, covered);
}

//! Golden scenarios: the reference handbooks' examples as JSON files under
//! `tests/golden/` at the repository root (format: `tests/golden/README.md`).
//! Each file holds the configuration, the snapshot, the instant and the
//! expected outcome; this test runs every file through the engine
//! ([`seatwarden_golden::outcome`]) and compares. JUnit compares the same
//! outcome, from the JNI library, with the same files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use serde_json::Value;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden")
}

/// A list of strings (absent: empty).
fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

/// Collects what differs, so one run reports every failing scenario.
struct Compare<'a> {
    name: &'a str,
    failures: &'a mut Vec<String>,
}

impl Compare<'_> {
    fn lists(&mut self, what: &str, expected: Vec<String>, actual: Vec<String>) {
        if expected != actual {
            self.failures.push(format!(
                "{}: {what}\n  expected: {expected:#?}\n  actual:   {actual:#?}",
                self.name
            ));
        }
    }

    /// The list `field` of `expect` against the outcome's, when `expect` has it.
    fn optional(&mut self, field: &str, expect: &Value, actual: &Value) {
        if let Some(expected) = expect.get(field) {
            self.lists(field, strings(Some(expected)), strings(actual.get(field)));
        }
    }

    /// The list `field` of `expect` (absent: empty) against the outcome's.
    fn always(&mut self, field: &str, expect: &Value, actual: &Value) {
        self.lists(
            field,
            strings(expect.get(field)),
            strings(actual.get(field)),
        );
    }

    fn text(&mut self, what: &str, expected: Option<&Value>, actual: Option<&Value>) {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        self.lists(
            what,
            text(expected).into_iter().collect(),
            text(actual).into_iter().collect(),
        );
    }
}

fn check_plan(c: &mut Compare<'_>, doc: &Value, out: &Value) {
    let expect = &doc["expect"];
    c.text("mode", expect.get("mode"), out.get("mode"));
    c.text("status", expect.get("status"), out.get("status"));
    c.optional("operations", expect, out);
    if let Some(count) = expect.get("operationCount").and_then(Value::as_u64) {
        let actual = strings(out.get("operations")).len();
        c.lists(
            "operation count",
            vec![count.to_string()],
            vec![actual.to_string()],
        );
    }
    c.always("skipped", expect, out);
    if let Some(reasons) = expect.get("reasons").and_then(Value::as_object) {
        for (user, text) in reasons {
            c.text(
                &format!("reason of {user}"),
                Some(text),
                out["reasons"].get(user),
            );
        }
    }
    if let Some(texts) = expect.get("skipTexts").and_then(Value::as_object) {
        for (user, text) in texts {
            c.text(
                &format!("skip text of {user}"),
                Some(text),
                out["skipTexts"].get(user),
            );
        }
    }
    c.always("warnings", expect, out);
    c.always("guard", expect, out);
    c.always("health", expect, out);
    c.optional("due", expect, out);
}

fn check_login(c: &mut Compare<'_>, doc: &Value, out: &Value) {
    let logins = doc["logins"].as_array().unwrap();
    let answered = out["logins"].as_array().unwrap();
    assert_eq!(
        logins.len(),
        answered.len(),
        "{}: one answer per login",
        c.name
    );
    for (login, actual) in logins.iter().zip(answered) {
        let username = login["user"].as_str().unwrap();
        let expect = &login["expect"];
        c.lists(
            &format!("login of {username}: operations"),
            strings(expect.get("operations")),
            strings(actual.get("operations")),
        );
        c.lists(
            &format!("login of {username}: skipped"),
            strings(expect.get("skipped")),
            strings(actual.get("skipped")),
        );
    }
}

#[test]
fn golden_scenarios_match() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 12,
        "expected the golden scenarios, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let name = doc["name"].as_str().unwrap().to_owned();
        assert_eq!(
            file.file_stem().unwrap().to_str().unwrap(),
            name,
            "a golden file's name matches its file name"
        );
        let out = seatwarden_golden::outcome(&doc)
            .unwrap_or_else(|e| panic!("{name}: the engine cannot read it: {e}"));
        let mut c = Compare {
            name: &name,
            failures: &mut failures,
        };
        match doc["kind"].as_str().unwrap() {
            "plan" => check_plan(&mut c, &doc, &out),
            "login" => check_login(&mut c, &doc, &out),
            "schedule" => c.always("runs", &doc["expect"], &out),
            other => panic!("{name}: unknown kind `{other}`"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The comparison can fail: a scenario with one operation removed from its
/// outcome is reported.
#[test]
fn a_changed_outcome_is_reported() {
    let file = golden_dir()
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find_map(|p| {
            let doc: Value = serde_json::from_slice(&std::fs::read(&p).ok()?).ok()?;
            let has_ops = doc["kind"] == "plan"
                && doc["expect"]["operations"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty());
            has_ops.then_some(doc)
        })
        .expect("a plan scenario with operations");
    let mut out = seatwarden_golden::outcome(&file).unwrap();
    out["operations"].as_array_mut().unwrap().pop();
    let mut failures = Vec::new();
    check_plan(
        &mut Compare {
            name: "changed",
            failures: &mut failures,
        },
        &file,
        &out,
    );
    assert_eq!(failures.len(), 1, "{failures:?}");
}

//! The one way a `serde_json` error is described to a person.
//!
//! serde_json's messages are precise (which field is missing, which type was
//! expected) but some of them quote the offending input: `invalid type:
//! string "alice@example.test", expected u32`, `unknown variant `bob``.
//! Input may be a username or an email, and error messages must never carry
//! personal data, so every edge (the engine's snapshot and query errors, the
//! admin API's bodies, the JNI envelope, the CLI) describes JSON errors here,
//! and all of them say the same thing for the same mistake.
//!
//! What is kept: serde's wording, field names (they come from our schemas or
//! name the stray key), expected types and lengths. What is dropped: quoted
//! string values, variant and character values, and serde's `at line L
//! column C` suffix; the caller reports the position in its own shape (a
//! message prefix, structured details), which is why it is not repeated here.

/// Describes `error` without quoting the input: serde's message with quoted
/// values cut and the position suffix removed.
///
/// ```
/// # use seatwarden_core::json_error::describe;
/// let err = serde_json::from_str::<u32>(r#""alice@example.test""#).unwrap_err();
/// assert_eq!(describe(&err), "invalid type: string, expected u32");
/// ```
pub fn describe(error: &serde_json::Error) -> String {
    redact(&error.to_string())
}

/// [`describe`] in an admin's words where serde's wording is a developer's:
/// a wrong number or type says what the field takes ("must be a whole
/// number from 0 to 4294967295") instead of naming a Rust type
/// ("invalid value: integer `-5`, expected u32"). Messages it has no words
/// for are [`describe`]'s. The field is named by the caller (a path).
pub fn in_words(error: &serde_json::Error) -> String {
    let described = describe(error);
    let wrong = described.starts_with("invalid value: ") || described.starts_with("invalid type: ");
    if let (true, Some((_, expected))) = (wrong, described.rsplit_once(", expected ")) {
        if let Some(words) = expected_in_words(expected.trim()) {
            return words;
        }
    }
    if let Some(field) = described
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return format!("needs a value for {field}");
    }
    described
}

/// What a field of serde's `expected` type takes, in words.
fn expected_in_words(expected: &str) -> Option<String> {
    let unsigned_max = match expected {
        "u8" => Some(u64::from(u8::MAX)),
        "u16" => Some(u64::from(u16::MAX)),
        "u32" => Some(u64::from(u32::MAX)),
        "u64" | "usize" => Some(u64::MAX),
        _ => None,
    };
    if let Some(max) = unsigned_max {
        return Some(format!("must be a whole number from 0 to {max}"));
    }
    Some(
        match expected {
            "i8" | "i16" | "i32" | "i64" | "isize" => "must be a whole number",
            "f32" | "f64" => "must be a number",
            "a boolean" => "must be true or false",
            "a string" => "must be text",
            "a sequence" => "must be a list",
            _ => return None,
        }
        .to_owned(),
    )
}

/// [`describe`] over an already rendered serde message (the engine keeps
/// some as text).
pub fn redact(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message),
        None => message,
    };
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        let quoted = rest.find("string \"").map(|i| (i, "string", '"'));
        let variant = rest.find("variant `").map(|i| (i, "variant", '`'));
        let character = rest.find("character `").map(|i| (i, "character", '`'));
        let next = [quoted, variant, character]
            .into_iter()
            .flatten()
            .min_by_key(|(i, _, _)| *i);
        let Some((i, word, close)) = next else {
            break;
        };
        out.push_str(rest.get(..i + word.len()).unwrap_or(""));
        let after = rest.get(i + word.len() + 2..).unwrap_or("");
        rest = after.get(closing(after, close)..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The byte just past the closing `close` of a quoted value (serde escapes
/// inner quotes with a backslash); the end when it never closes.
fn closing(after: &str, close: char) -> usize {
    let mut escaped = false;
    for (j, c) in after.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && close == '"' {
            escaped = true;
        } else if c == close {
            return j + c.len_utf8();
        }
    }
    after.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        days: u32,
        #[serde(default)]
        mode: Option<Mode>,
        #[serde(default)]
        letter: Option<char>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    enum Mode {
        Fast,
    }

    fn err(json: &str) -> String {
        describe(&serde_json::from_str::<Body>(json).unwrap_err())
    }

    #[test]
    fn quoted_values_are_cut_and_the_rest_is_kept() {
        assert_eq!(
            err(r#"{"days": "alice@example.test"}"#),
            "invalid type: string, expected u32"
        );
        assert_eq!(
            err(r#"{"days": 1, "mode": "bob@example.test"}"#),
            "unknown variant, expected `fast`"
        );
        assert_eq!(
            err(r#"{"days": 1, "letter": 7}"#),
            "invalid type: integer `7`, expected a character"
        );
        assert_eq!(
            err(r#"{"dayz": 3}"#),
            "unknown field `dayz`, expected one of `days`, `mode`, `letter`"
        );
        assert_eq!(err(r#"{}"#), "missing field `days`");
        assert_eq!(err(r#"{"days": "#), "EOF while parsing a value");
        assert_eq!(err(r#"{"days": 1}x"#), "trailing characters");
    }

    #[test]
    fn escaped_quotes_inside_a_value_do_not_end_it() {
        let text = err(r#"{"days": "a\"b@example.test\" c"}"#);
        assert_eq!(text, "invalid type: string, expected u32");
    }

    #[test]
    fn an_unclosed_value_is_cut_to_the_end() {
        assert_eq!(
            redact("invalid value: string \"never ends"),
            "invalid value: string"
        );
        assert_eq!(redact("unknown variant `x"), "unknown variant");
    }

    #[test]
    fn wrong_numbers_and_types_are_said_in_words() {
        let e = serde_json::from_str::<u32>("-5").unwrap_err();
        assert_eq!(in_words(&e), "must be a whole number from 0 to 4294967295");
        let e = serde_json::from_str::<u32>("99999999999").unwrap_err();
        assert_eq!(in_words(&e), "must be a whole number from 0 to 4294967295");
        let e = serde_json::from_str::<u32>(r#""alice@example.test""#).unwrap_err();
        assert_eq!(in_words(&e), "must be a whole number from 0 to 4294967295");
        let e = serde_json::from_str::<bool>("1").unwrap_err();
        assert_eq!(in_words(&e), "must be true or false");
        let e = serde_json::from_str::<Body>("{}").unwrap_err();
        assert!(in_words(&e).starts_with("needs a value for "), "{e}");
    }
}

//! The `Subject` header, safe against encoded-word smuggling.
//!
//! Why: a subject is admin text plus user values (`{{display_name}}`), and
//! lettre writes an all-ASCII subject as it is. A display name such as
//! `=?utf-8?q?=0D=0AX:_y?=` is plain ASCII, so it reached the header raw;
//! every mail client then *decodes* it (RFC 2047) into a carriage return,
//! a line feed and `X: y`, a header-shaped line the sender never wrote,
//! and a gateway that re-emits decoded headers turns it into a real one.
//! Raw CR/LF is already flattened to spaces when the subject is rendered;
//! this closes the encoded way in.
//!
//! The rule (RFC 2047 §5, "text that looks like an encoded word must be
//! encoded"): when the subject contains `=?` anywhere, the *whole* subject
//! is written as base64 encoded words. A client decodes those once and shows
//! the literal text, `=?utf-8?q?=0D=0AX:_y?=` included; decoding is never
//! repeated on decoded text, so nothing inside it is interpreted. Any other
//! subject is left to lettre exactly as before.
//! Sources: RFC 2047 §5 and §6.2 (<https://www.rfc-editor.org/rfc/rfc2047>);
//! lettre 0.11 `HeaderValueEncoder` writes ASCII words unencoded
//! (lettre-0.11.23 src/message/header/mod.rs, `allowed_char`).

use lettre::message::header::{HeaderName, HeaderValue};

const NAME: &str = "Subject";

/// True when `subject` could be read as holding an encoded word.
pub fn looks_encoded(subject: &str) -> bool {
    subject.contains("=?")
}

/// The `Subject` header for `subject` (already rendered, CR/LF flattened).
pub fn header(subject: &str) -> HeaderValue {
    let name = HeaderName::new_from_ascii_str(NAME);
    if !looks_encoded(subject) {
        return HeaderValue::new(name, subject.to_owned());
    }
    let mut encoded = String::with_capacity(subject.len() * 2);
    let written = {
        // Folded at 76 columns, starting after `Subject: `.
        let mut w = email_encoding::headers::writer::EmailWriter::new(
            &mut encoded,
            NAME.len() + 2,
            0,
            false,
        );
        email_encoding::headers::rfc2047::encode(subject, &mut w)
    };
    // Writing into a `String` cannot fail; on the impossible error the
    // header is left empty, never raw text.
    if written.is_err() {
        encoded.clear();
    }
    HeaderValue::dangerous_new_pre_encoded(name, subject.to_owned(), encoded)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use lettre::Message;

    /// The message's header block, unfolded (continuation lines joined).
    fn headers(subject: &str) -> Vec<String> {
        let m = Message::builder()
            .from("sw@example.test".parse().unwrap())
            .to("a@example.test".parse().unwrap())
            .raw_header(header(subject))
            .body(String::from("x"))
            .unwrap();
        let text = String::from_utf8(m.formatted()).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap().to_owned();
        let mut out: Vec<String> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with(' ') || line.starts_with('\t') {
                out.last_mut().unwrap().push_str(line);
            } else {
                out.push(line.to_owned());
            }
        }
        out
    }

    /// Decodes a header value of base64 encoded words the way a mail client
    /// does (one pass).
    fn decode(value: &str) -> String {
        let mut bytes = Vec::new();
        for word in value.split_whitespace() {
            let inner = word
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
                .unwrap_or_else(|| panic!("not an encoded word: {word}"));
            bytes.extend(base64(inner));
        }
        String::from_utf8(bytes).unwrap()
    }

    fn base64(s: &str) -> Vec<u8> {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in s.bytes().filter(|c| *c != b'=') {
            let v = A.iter().position(|a| *a == c).unwrap() as u32;
            bits = (bits << 6) | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
                bits &= (1 << n) - 1;
            }
        }
        out
    }

    #[test]
    fn an_encoded_word_in_a_display_name_is_shown_literally_not_decoded() {
        let subject = "Welcome =?utf-8?q?=0D=0AX:_y?= to Jira";
        let lines = headers(subject);
        let value = lines
            .iter()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap();
        // The raw text never reaches the header…
        assert!(!value.contains("?q?"), "{value}");
        // …and what a client decodes is exactly the subject, as text.
        assert_eq!(decode(value), subject);
        // No header other than the ones we built.
        let names: Vec<&str> = lines.iter().map(|l| l.split(':').next().unwrap()).collect();
        assert!(!names.contains(&"X"), "{names:?}");
    }

    #[test]
    fn a_long_encoded_looking_subject_folds_and_decodes_whole() {
        let subject = format!("{} =?utf-8?b?QQ==?= end", "word ".repeat(40));
        let text_lines = {
            let m = Message::builder()
                .from("sw@example.test".parse().unwrap())
                .to("a@example.test".parse().unwrap())
                .raw_header(header(&subject))
                .body(String::from("x"))
                .unwrap();
            String::from_utf8(m.formatted()).unwrap()
        };
        assert!(
            text_lines.split("\r\n").all(|l| l.len() <= 78),
            "{text_lines}"
        );
        let lines = headers(&subject);
        let value = lines
            .iter()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap();
        assert_eq!(decode(value), subject);
    }

    #[test]
    fn ordinary_subjects_are_written_as_before() {
        let lines = headers("Your Jira account will be deactivated");
        assert!(lines.contains(&"Subject: Your Jira account will be deactivated".to_owned()));
        assert!(!looks_encoded("50% off = ? no"));
    }
}

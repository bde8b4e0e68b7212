//! The two small pieces of web plumbing the anonymous routes and the
//! standalone server share: decoding an HTML form (or a query string) and
//! comparing secrets. One home, so the page's form, `serve`'s sign-in form
//! and the webhooks' token check cannot drift apart.

/// Decodes `application/x-www-form-urlencoded` text (also query strings):
/// `+` is a space, `%XX` a byte; a malformed escape stays as written and
/// bytes that are not UTF-8 become U+FFFD (a form field is text to show or
/// compare, never a key to trust).
pub fn form_decode(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => match bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(v) => {
                    out.push(v);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Compares two secrets in time independent of where they differ.
///
/// Hand-written rather than a crate: it is four lines, and only the
/// position of the first difference must not leak (lengths are public:
/// every secret Seatwarden makes has a fixed length).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_plus_and_escapes_and_keep_malformed_ones() {
        assert_eq!(
            form_decode("t=a%2Bb+c&reason=&flag&x=%zz%4"),
            vec![
                ("t".to_owned(), "a+b c".to_owned()),
                ("reason".to_owned(), String::new()),
                ("flag".to_owned(), String::new()),
                ("x".to_owned(), "%zz%4".to_owned()),
            ]
        );
        assert_eq!(form_decode("r=%C3%A9%FF")[0].1, "é\u{fffd}");
    }

    #[test]
    fn secrets_compare_by_content_and_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

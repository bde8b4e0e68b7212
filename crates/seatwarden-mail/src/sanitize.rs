//! The allowed HTML subset, and the plain-text alternative made from it.
//!
//! Why a fixed subset: mail clients differ wildly in what they render and
//! what they execute, and a template is admin input that goes to every user.
//! Headings, paragraphs, line breaks, bold, italic, lists and links render the
//! same everywhere and cannot run code. `ammonia` (html5ever underneath)
//! parses like a browser does, so tricks that fool regex filters (broken
//! tags, odd quoting, entities in `javascript:`) do not work.
//!
//! The text alternative is derived from the *sanitised* HTML, whose grammar
//! is tiny and regular (only our tags, only `href`/`rel` attributes, entities
//! escaped by the serialiser), so a small tokenizer is exact for it.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// Tags kept in a body; everything else is dropped (its text kept, except
/// for `script` and `style` whose content is dropped too).
pub const ALLOWED_TAGS: [&str; 11] = [
    "h1", "h2", "h3", "p", "br", "strong", "em", "ul", "ol", "li", "a",
];

/// URL schemes a link may use; relative links are dropped (a mail has no base).
pub const ALLOWED_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.tags(ALLOWED_TAGS.into_iter().collect::<HashSet<_>>())
        .clean_content_tags(["script", "style"].into_iter().collect::<HashSet<_>>())
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .url_schemes(ALLOWED_SCHEMES.into_iter().collect::<HashSet<_>>())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    b
});

/// Sanitises `html` to the allowed subset.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// HTML-escapes a placeholder value for insertion into a body (text or attribute).
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders sanitised HTML (the output of [`sanitize_html`]) as plain text.
///
/// Headings and paragraphs become blocks separated by a blank line, `br` a
/// line break, list items `- ` or `1. ` lines, links `text (url)` (just the
/// url when the text is the url).
pub fn html_to_text(html: &str) -> String {
    let mut w = TextWriter::default();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(tag_start) = rest.strip_prefix('<') {
            let end = tag_start.find('>').unwrap_or(tag_start.len());
            let tag = tag_start.get(..end).unwrap_or("");
            w.tag(tag);
            rest = tag_start.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            w.text(&decode_entities(rest.get(..end).unwrap_or("")));
            rest = rest.get(end..).unwrap_or("");
        }
    }
    w.finish()
}

#[derive(Default)]
struct TextWriter {
    out: String,
    /// Text of the current line being built, whitespace collapsed.
    pending_space: bool,
    /// Stack of open lists: `None` for `ul`, `Some(n)` for `ol` at item n.
    lists: Vec<Option<u32>>,
    /// Open link target and the length of `out` where its text starts.
    link: Option<(String, usize)>,
}

impl TextWriter {
    fn tag(&mut self, raw: &str) {
        let closing = raw.starts_with('/');
        let body = raw.trim_start_matches('/');
        let name_end = body
            .find(|c: char| c.is_ascii_whitespace() || c == '/')
            .unwrap_or(body.len());
        let name = body.get(..name_end).unwrap_or("").to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("h1" | "h2" | "h3" | "p", _) => self.block(),
            ("br", _) => {
                self.out.push('\n');
                self.pending_space = false;
            }
            ("ul", false) => {
                self.block_line();
                self.lists.push(None);
            }
            ("ol", false) => {
                self.block_line();
                self.lists.push(Some(0));
            }
            ("ul" | "ol", true) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.block();
                }
            }
            ("li", false) => {
                self.block_line();
                let depth = self.lists.len().saturating_sub(1);
                self.out.push_str(&"  ".repeat(depth));
                match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        self.out.push_str(&format!("{n}. "));
                    }
                    _ => self.out.push_str("- "),
                }
                self.pending_space = false;
            }
            ("a", false) => {
                let href = attribute(body, "href").unwrap_or_default();
                self.flush_space();
                self.link = Some((href, self.out.len()));
            }
            ("a", true) => {
                if let Some((href, start)) = self.link.take() {
                    let text = self.out.get(start..).unwrap_or("").trim().to_owned();
                    if !href.is_empty() && text != href {
                        let shown = href.strip_prefix("mailto:").unwrap_or(&href);
                        if text != shown {
                            self.out.push_str(&format!(" ({shown})"));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        for (i, word) in text.split(|c: char| c.is_ascii_whitespace()).enumerate() {
            if i > 0 {
                self.pending_space = true;
            }
            if !word.is_empty() {
                self.flush_space();
                self.out.push_str(word);
            }
        }
    }

    fn flush_space(&mut self) {
        if self.pending_space && !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
            self.out.push(' ');
        }
        self.pending_space = false;
    }

    /// Ends the current block with a blank line.
    fn block(&mut self) {
        let trimmed = self.out.trim_end_matches([' ', '\n']).len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
        self.pending_space = false;
    }

    /// Starts a new line (list items) without a blank line.
    fn block_line(&mut self) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.pending_space = false;
    }

    fn finish(self) -> String {
        let mut s = self.out.trim_end().to_owned();
        s.push('\n');
        s
    }
}

/// The value of attribute `name` in a serialised start tag (`a href="…" rel="…"`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let rest = tag.get(start..)?;
    let end = rest.find('"')?;
    Some(decode_entities(rest.get(..end)?))
}

/// Decodes the entities html5ever's serialiser writes (and numeric ones).
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        let after = rest.get(amp..).unwrap_or("");
        let semi = after.find(';').filter(|&i| i <= 10);
        let decoded = semi.and_then(|i| {
            let name = after.get(1..i)?;
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, i + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = after.get(len..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_handlers_and_styles_are_removed() {
        let dirty = r#"<h1 style="color:red" onclick="x()">Hi</h1><script>alert(1)</script>
<p onmouseover="steal()">Text <img src=x onerror=alert(2)><style>p{}</style>
<a href="javascript:alert(3)">bad</a> <a href="https://ok.example/x" target="_blank">good</a>
<iframe src="https://evil.example"></iframe><div>kept text</div></p>"#;
        let clean = sanitize_html(dirty);
        for banned in [
            "script",
            "alert",
            "style",
            "onclick",
            "onmouseover",
            "onerror",
            "img",
            "iframe",
            "javascript",
            "target",
            "<div",
        ] {
            assert!(!clean.contains(banned), "`{banned}` survived: {clean}");
        }
        assert!(clean.contains("<h1>Hi</h1>"), "{clean}");
        assert!(
            clean.contains(r#"<a href="https://ok.example/x" rel="noopener noreferrer">good</a>"#),
            "{clean}"
        );
        assert!(clean.contains("kept text"), "{clean}");
    }

    #[test]
    fn relative_and_odd_scheme_links_lose_their_href() {
        let clean = sanitize_html(
            r#"<a href="/relative">r</a><a href="data:text/html,x">d</a><a href="jav&#x09;ascript:alert(1)">j</a><a href="mailto:a@example.com">m</a>"#,
        );
        assert_eq!(clean.matches("href").count(), 1, "{clean}");
        assert!(clean.contains("mailto:a@example.com"));
    }

    #[test]
    fn text_alternative_keeps_structure() {
        let html = sanitize_html(
            "<h2>Title</h2><p>Hello   <strong>you</strong>,<br>next &amp; line</p>\
             <ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>\
             <p>See <a href=\"https://x.example/a?b=1&amp;c=2\">the page</a> or \
             <a href=\"https://x.example\">https://x.example</a>.</p>",
        );
        assert_eq!(
            html_to_text(&html),
            "Title\n\nHello you,\nnext & line\n\n- one\n- two\n\n1. first\n2. second\n\n\
             See the page (https://x.example/a?b=1&c=2) or https://x.example.\n"
        );
    }

    #[test]
    fn escaping_prevents_markup_from_values() {
        let v = escape_html(r#"<b onclick="x">Tom & 'Jerry'</b>"#);
        assert_eq!(
            v,
            "&lt;b onclick=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}

//! The admin UI's static files, served from the built `ui/dist/` folder.
//!
//! Any path that is not a file falls back to `index.html`, so the UI's own
//! router owns the URL space below `/`. Until the UI is built a small page
//! says so and how to build it. Paths are resolved segment by segment: no
//! `..`, no hidden files, nothing outside the folder.
//!
//! Caching (issue 18): the build names its script and stylesheet after
//! their content (`app-3F2A9C1D.js`, see `ui/build.mjs`), so a hashed file
//! is cached for a year as immutable: an upgrade changes the names in
//! `index.html`, which is revalidated on every load (`no-cache`), so no
//! browser keeps a stale UI. Other files are cached for five minutes.
//! Source maps are never served (`404`): the build writes none, and one
//! left in the folder would publish the sources.

use std::path::{Path, PathBuf};

/// A static response: status, content type, body.
pub(crate) struct Asset {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The media type.
    pub(crate) content_type: &'static str,
    /// How browsers may cache it.
    pub(crate) caching: Caching,
    /// The file's bytes.
    pub(crate) body: Vec<u8>,
}

/// How long a browser may keep a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Caching {
    /// Revalidate on every use (`index.html`, errors).
    Revalidate,
    /// A few minutes (unhashed files such as the favicon).
    Short,
    /// Forever: the name carries the content's hash.
    Immutable,
}

impl Caching {
    /// The `Cache-Control` value.
    pub(crate) fn header(self) -> &'static str {
        match self {
            Caching::Revalidate => "no-cache",
            Caching::Short => "public, max-age=300",
            Caching::Immutable => "public, max-age=31536000, immutable",
        }
    }

    /// How a served file named `name` may be cached.
    fn of(name: &str, content_type: &str) -> Caching {
        if content_type.starts_with("text/html") {
            Caching::Revalidate
        } else if is_hashed(name) {
            Caching::Immutable
        } else {
            Caching::Short
        }
    }
}

/// Whether a file name carries a content hash as the build writes it:
/// `<stem>-<8 or more uppercase letters or digits>.<ext>`.
fn is_hashed(name: &str) -> bool {
    let Some((stem, _ext)) = name.rsplit_once('.') else {
        return false;
    };
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() >= 8
        && hash
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The page served while `ui/dist/` has no `index.html`.
const NOT_BUILT: &str = "<!doctype html>
<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Seatwarden</title></head>
<body><h1>Seatwarden is running</h1>
<p>The admin UI is not built yet. Build it with <code>cd ui &amp;&amp; npm ci &amp;&amp; npm run build</code>
(or run <code>scripts/demo.sh</code>, which does it for you) and reload this page.</p>
<p>The admin API is available now under <code>/api/</code>; sign in with <code>POST /session</code>
and the admin token printed by <code>seatwarden serve</code>.</p>
</body></html>
";

/// The media type for a file name.
pub(crate) fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// `url_path` as a file below `root`, or `None` if it tries to leave it
/// or names a hidden file.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for segment in url_path.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// The response for `GET url_path` from the UI folder `root`.
pub(crate) fn load(root: &Path, url_path: &str) -> Asset {
    let is_map = url_path.ends_with(".map");
    if let Some(file) = resolve(root, url_path).filter(|_| !is_map) {
        if file.is_file() {
            if let Ok(body) = std::fs::read(&file) {
                let content_type = content_type(&file);
                let name = url_path.rsplit('/').next().unwrap_or_default();
                return Asset {
                    status: 200,
                    caching: Caching::of(name, content_type),
                    content_type,
                    body,
                };
            }
        }
    }
    let looks_like_file = url_path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    let index = root.join("index.html");
    match std::fs::read(&index) {
        Ok(body) if !looks_like_file => Asset {
            status: 200,
            content_type: "text/html; charset=utf-8",
            caching: Caching::Revalidate,
            body,
        },
        Ok(_) => Asset {
            status: 404,
            content_type: "text/plain; charset=utf-8",
            caching: Caching::Revalidate,
            body: b"not found\n".to_vec(),
        },
        Err(_) => Asset {
            status: if looks_like_file { 404 } else { 200 },
            content_type: "text/html; charset=utf-8",
            caching: Caching::Revalidate,
            body: NOT_BUILT.as_bytes().to_vec(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_files_falls_back_and_stays_inside() {
        let dir = tempfile::tempdir().unwrap();
        let missing = load(dir.path(), "/users");
        assert_eq!(missing.status, 200);
        assert!(
            String::from_utf8(missing.body)
                .unwrap()
                .contains("not built")
        );
        std::fs::write(dir.path().join("index.html"), "<p>app</p>").unwrap();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("assets/app.js"), "let x;").unwrap();
        let js = load(dir.path(), "/assets/app.js");
        assert_eq!(
            (js.status, js.content_type),
            (200, "text/javascript; charset=utf-8")
        );
        let spa = load(dir.path(), "/automation/policies");
        assert_eq!(spa.body, b"<p>app</p>");
        assert_eq!(load(dir.path(), "/assets/missing.js").status, 404);
        assert!(resolve(dir.path(), "/../etc/passwd").is_none());
        // Hashed names are immutable, the page revalidates, a map is never
        // served.
        assert_eq!(js.caching, Caching::Short);
        std::fs::write(dir.path().join("app-3F2A9C1D.js"), "let y;").unwrap();
        std::fs::write(dir.path().join("app-3F2A9C1D.js.map"), "{}").unwrap();
        assert_eq!(
            load(dir.path(), "/app-3F2A9C1D.js").caching,
            Caching::Immutable
        );
        assert_eq!(load(dir.path(), "/app-3F2A9C1D.js.map").status, 404);
        assert_eq!(load(dir.path(), "/").caching, Caching::Revalidate);
        assert!(!is_hashed("app-abc.js"));
        assert!(!is_hashed("my-favicon.svg"));
        assert!(is_hashed("app-0A1B2C3D4E.css"));
        assert!(resolve(dir.path(), "/.git/config").is_none());
    }
}

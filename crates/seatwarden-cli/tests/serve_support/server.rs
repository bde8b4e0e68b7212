//! Starts the real `seatwarden serve` binary on a free port with a
//! temporary data folder, and talks HTTP/1.1 to it over a raw socket (the
//! tests need nothing more than status, headers and body).

#![allow(dead_code, reason = "each test file uses a different part")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A response.
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The error kind of an API error response.
    pub(crate) fn kind(&self) -> String {
        self.json()["error"]["kind"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A signed-in browser.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub(crate) cookie: String,
    pub(crate) xsrf: String,
}

/// A running server, killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: String,
    pub(crate) token: String,
    pub(crate) lines: Arc<Mutex<Vec<String>>>,
}

pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_seatwarden")
}

impl Server {
    /// Starts `seatwarden serve --data <data> --port 0 <extra…>` and waits
    /// for its URL and token.
    pub(crate) fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(binary())
            .arg("serve")
            .arg("--data")
            .arg(data)
            .args(["--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start seatwarden serve");
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => sink.lock().unwrap().push(l),
                    Err(_) => break,
                }
            }
        });
        let started = Instant::now();
        let (mut addr, mut token) = (None, None);
        while addr.is_none() || token.is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "serve did not start"
            );
            if let Ok(Some(status)) = child.try_wait() {
                panic!("serve exited early: {status}");
            }
            for line in lines.lock().unwrap().iter() {
                if let Some(url) = line.strip_prefix("Seatwarden is running at http://") {
                    addr = Some(url.trim_end_matches('/').to_owned());
                }
                if let Some(t) = line.strip_prefix("Admin token: ") {
                    token = Some(t.trim().to_owned());
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Server {
            child,
            addr: addr.unwrap(),
            token: token.unwrap(),
            lines,
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process at once (SIGKILL) and waits for it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub(crate) fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait().unwrap()
    }

    /// One request; `headers` are added as given.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Resp {
        raw_request(&self.addr, method, path, headers, Some(body))
    }

    /// Signs in with the admin token.
    pub(crate) fn sign_in(&self) -> Session {
        let body = serde_json::json!({"token": self.token}).to_string();
        let r = self.request(
            "POST",
            "/session",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let cookie = r
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        Session {
            cookie,
            xsrf: r.json()["xsrfToken"].as_str().unwrap().to_owned(),
        }
    }

    /// An API call as a signed-in admin with the XSRF header.
    pub(crate) fn call(
        &self,
        session: &Session,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Resp {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.request(
            method,
            path,
            &[
                ("Cookie", &session.cookie),
                ("X-Seatwarden-XSRF", &session.xsrf),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
    }

    /// Creates `policy` naming the configuration version read just before
    /// (a policy write without one is refused, `docs/api.md`).
    pub(crate) fn create_policy(&self, session: &Session, mut policy: serde_json::Value) -> Resp {
        let list = self.call(session, "GET", "/api/policies", None);
        assert_eq!(list.status, 200, "{}", list.text());
        policy["configVersion"] = list.json()["configVersion"].clone();
        self.call(session, "POST", "/api/policies", Some(policy))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Sends a request with `Connection: close`; `body: None` sends nothing
/// after the headers (with whatever `Content-Length` the caller claims).
pub(crate) fn raw_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Resp {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    let claims_length = headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    let chunked = headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"));
    if let Some(b) = body {
        if !claims_length && !chunked {
            head.push_str(&format!("Content-Length: {}\r\n", b.len()));
        }
    }
    head.push_str("\r\n");
    // The server may answer (413) and close before reading everything: a
    // failed write is fine, the answer is what the test reads.
    let _ = stream.write_all(head.as_bytes());
    if let Some(b) = body {
        if chunked {
            for chunk in b.chunks(64 * 1024) {
                if stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .is_err()
                    || stream.write_all(chunk).is_err()
                    || stream.write_all(b"\r\n").is_err()
                {
                    break;
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        } else {
            let _ = stream.write_all(b);
        }
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Resp {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut rest = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        let mut body = Vec::new();
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..line_end])
                    .split(';')
                    .next()
                    .unwrap()
                    .trim(),
                16,
            )
            .unwrap();
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = rest[line_end + 2 + size + 2..].to_vec();
        }
        rest = body;
    }
    Resp {
        status,
        headers,
        body: rest,
    }
}

//! A real SMTP server on loopback, for tests and the `mail` benchmark.
//!
//! Why real: the promises worth testing (what arrives, what the envelope
//! holds versus the headers, what a refusal looks like, how fast it goes)
//! only show against a server that speaks SMTP over TCP. The server is
//! `tests/smtp_sink.py` on `aiosmtpd` (Debian package `python3-aiosmtpd`),
//! embedded here so tests, examples and the CLI bench start the same one.
//! It picks a free port itself, reports it, and exits when its stdin closes,
//! so a crashed test never leaves it behind.
//!
//! Not used in production paths; it spawns a process and touches files.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::address::Envelope;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::SmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use serde::Deserialize;

use crate::delivery::{DeliveryError, Stage};
use crate::smtp::failure;

const SCRIPT: &str = include_str!("../tests/smtp_sink.py");

/// The Debian package the server needs.
pub const PACKAGE: &str = "python3-aiosmtpd";

/// How to start the server.
#[derive(Clone, Debug, Default)]
pub struct SinkOptions {
    /// Count messages without writing them (throughput runs).
    pub no_save: bool,
    /// Require `AUTH` with this user and password.
    pub auth: Option<(String, String)>,
    /// Offer and require STARTTLS with this certificate chain and key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// No Python with `aiosmtpd` could be started.
    #[error(
        "cannot start the loopback SMTP server ({detail}); install it with `apt-get install -y python3-aiosmtpd`"
    )]
    Start {
        /// What failed, including the server's stderr.
        detail: String,
    },
    /// A file in the output directory could not be read.
    #[error("cannot read received message: {0}")]
    Read(String),
}

/// A message as the server received it.
#[derive(Clone, Debug, Deserialize)]
pub struct Received {
    /// The client's address and port (equal ports: the same connection).
    pub peer: (String, u16),
    /// Envelope sender.
    pub mail_from: String,
    /// Envelope recipients (including blind copies).
    pub rcpt_tos: Vec<String>,
    /// The raw message (headers and body).
    pub data: String,
}

/// A running loopback server; stopped on drop.
#[derive(Debug)]
pub struct SmtpSink {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
    dir: PathBuf,
    owns_dir: bool,
}

impl SmtpSink {
    /// Starts a server writing messages into a fresh directory under the temp dir.
    pub fn start(options: &SinkOptions) -> Result<SmtpSink, SinkError> {
        let dir = std::env::temp_dir().join(format!(
            "seatwarden-smtp-{}-{}",
            std::process::id(),
            unique()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| start_err(format!("temp dir: {e}")))?;
        let script = dir.join("smtp_sink.py");
        std::fs::write(&script, SCRIPT).map_err(|e| start_err(format!("script: {e}")))?;
        let mut last = String::new();
        for python in python_candidates() {
            match Self::spawn(&python, &script, &dir, options) {
                Ok((child, stdin, port)) => {
                    return Ok(SmtpSink {
                        child,
                        stdin: Some(stdin),
                        port,
                        dir,
                        owns_dir: true,
                    });
                }
                Err(e) => last = format!("{python}: {e}"),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Err(start_err(last))
    }

    fn spawn(
        python: &str,
        script: &Path,
        dir: &Path,
        options: &SinkOptions,
    ) -> Result<(Child, ChildStdin, u16), String> {
        let mut cmd = Command::new(python);
        cmd.arg(script).arg("--out").arg(dir.join("messages"));
        if options.no_save {
            cmd.arg("--no-save");
        }
        if let Some((user, password)) = &options.auth {
            cmd.arg("--auth").arg(format!("{user}:{password}"));
        }
        if let Some((cert, key)) = &options.tls {
            cmd.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
        }
        let stderr_path = dir.join("stderr.txt");
        let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| e.to_string())?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        let read = BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse::<u16>().ok());
        match port {
            Some(port) if read > 0 => Ok((child, stdin, port)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                let last_line = err
                    .lines()
                    .last()
                    .unwrap_or("exited without a port")
                    .to_owned();
                Err(last_line)
            }
        }
    }

    /// The port it listens on (host `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory received messages are written to.
    pub fn messages_dir(&self) -> PathBuf {
        self.dir.join("messages")
    }

    /// Makes every following `RCPT TO` get `reply` (e.g. `550 5.7.1 denied`); `None` accepts again.
    pub fn reject_recipients(&self, reply: Option<&str>) -> std::io::Result<()> {
        self.set_override("reject_rcpt", reply)
    }

    /// Makes every following end of `DATA` get `reply`; `None` accepts again.
    pub fn reject_data(&self, reply: Option<&str>) -> std::io::Result<()> {
        self.set_override("reject_data", reply)
    }

    fn set_override(&self, name: &str, reply: Option<&str>) -> std::io::Result<()> {
        let path = self.messages_dir().join(name);
        match reply {
            Some(r) => std::fs::write(path, r),
            None => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        }
    }

    /// Messages received so far, in arrival order.
    pub fn received(&self) -> Result<Vec<Received>, SinkError> {
        let mut numbered = Vec::new();
        let entries =
            std::fs::read_dir(self.messages_dir()).map_err(|e| SinkError::Read(e.to_string()))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(n) = name
                .strip_suffix(".json")
                .and_then(|n| n.parse::<u64>().ok())
            {
                numbered.push((n, entry.path()));
            }
        }
        numbered.sort();
        numbered
            .into_iter()
            .map(|(_, path)| {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| SinkError::Read(e.to_string()))?;
                serde_json::from_str(&text).map_err(|e| SinkError::Read(e.to_string()))
            })
            .collect()
    }

    /// Waits (up to `timeout`) until at least `n` messages arrived, and returns them.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Result<Vec<Received>, SinkError> {
        let start = Instant::now();
        loop {
            let got = self.received()?;
            if got.len() >= n || start.elapsed() >= timeout {
                return Ok(got);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.owns_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Sends `n` small messages to `127.0.0.1:port` with lettre's own
/// `SmtpConnection::send` on one kept connection: the baseline that shows the
/// Nagle / delayed-ACK stall (see [`crate::smtp`]). For benchmarks only.
pub fn lettre_baseline(port: u16, n: usize) -> Result<(), DeliveryError> {
    let build = |message: String| DeliveryError::Connection {
        stage: Stage::Build,
        message,
    };
    let from: Mailbox = "seatwarden@example.com"
        .parse()
        .map_err(|_| build("from".into()))?;
    let mut conn =
        SmtpConnection::connect(("127.0.0.1", port), None, &ClientId::default(), None, None)
            .map_err(|e| failure(Stage::Connect, &e))?;
    for i in 0..n {
        let to: Mailbox = format!("user{i}@example.com")
            .parse()
            .map_err(|_| build("to".into()))?;
        let envelope = Envelope::new(Some(from.email.clone()), vec![to.email.clone()])
            .map_err(|e| build(e.to_string()))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject("baseline")
            .multipart(MultiPart::alternative_plain_html(
                "text".to_owned(),
                "<p>html</p>".to_owned(),
            ))
            .map_err(|e| build(e.to_string()))?;
        conn.send(&envelope, &message.formatted())
            .map_err(|e| failure(Stage::Data, &e))?;
    }
    let _ = conn.command(lettre::transport::smtp::commands::Quit);
    Ok(())
}

fn start_err(detail: String) -> SinkError {
    SinkError::Start { detail }
}

/// Debian's interpreter first (where `python3-aiosmtpd` installs), then `python3` on PATH.
fn python_candidates() -> Vec<String> {
    let mut v = Vec::new();
    if let Ok(p) = std::env::var("SEATWARDEN_SMTP_PYTHON") {
        v.push(p);
    }
    if Path::new("/usr/bin/python3").exists() {
        v.push("/usr/bin/python3".to_owned());
    }
    v.push("python3".to_owned());
    v
}

fn unique() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    nanos ^ u128::from(COUNTER.fetch_add(1, Ordering::Relaxed))
}

//! SMTP delivery with `lettre`: settings, connection reuse, the test email.
//!
//! Why not `lettre::SmtpTransport::send`: its connection writes the message
//! body and the closing `\r\n.\r\n` in two `write` calls and does not set
//! `TCP_NODELAY`, so the small terminator waits in Nagle's buffer until the
//! server's delayed ACK (40 ms on Linux) — about 44 ms per message on one
//! connection, whatever the server's speed. We use lettre's own public
//! low-level client ([`SmtpConnection`] and its command types) and send the
//! dot-stuffed message *and* its terminator in one write; that removes the
//! stall honestly (no parallel connections needed, nothing unsafe), and keeps
//! everything else lettre's: greeting, EHLO, STARTTLS and implicit TLS
//! (rustls), AUTH, response parsing, MIME building.
//!
//! One [`SmtpMailer`] keeps one connection open between messages (checked
//! with `NOOP` after an idle minute, replaced after 500 messages or any
//! error); a host with several worker threads gives each its own mailer.

use std::fmt;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Quit, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use lettre::{Address, Message};
use serde::{Deserialize, Serialize};

use crate::delivery::{DeliveryError, MailTransport, Outgoing, SmtpReply, Stage};
use crate::secret::Secret;

/// How the connection is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plain SMTP (only sensible on loopback or a trusted network).
    None,
    /// Plain connect, then `STARTTLS` (required: refuses if not offered). Usually port 587.
    #[default]
    StartTls,
    /// TLS from the first byte ("SMTPS"). Usually port 465.
    Tls,
}

/// Seatwarden's own SMTP settings (or the product's, as the host reports them).
///
/// `Serialize` writes `password_set` instead of the password; use
/// [`SmtpSettings::to_storage_json`] for the one place that must keep it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SmtpSettings {
    /// Server host name or IP.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Connection security.
    #[serde(default)]
    pub security: Security,
    /// Login name, if the server wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password for `username`.
    #[serde(default)]
    pub password: Option<Secret>,
    /// The sender, e.g. `Jira <jira@example.com>`.
    pub from: String,
    /// Connect / read / write timeout in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// The name sent in `EHLO`; defaults to this machine's host name.
    #[serde(default)]
    pub hello_name: Option<String>,
    /// Extra trusted root certificate (PEM), for servers with an internal CA.
    #[serde(default)]
    pub extra_root_pem: Option<String>,
    /// Send the login and password without TLS. Off unless an admin says so
    /// explicitly: anyone on the path (or a listener the host was pointed
    /// at) would read the password. Even then only to a loopback host.
    #[serde(default)]
    pub allow_auth_without_tls: bool,
}

fn default_timeout() -> u64 {
    30
}

#[derive(Serialize)]
struct SettingsView<'a> {
    host: &'a str,
    port: u16,
    security: Security,
    username: &'a Option<String>,
    password_set: bool,
    from: &'a str,
    timeout_secs: u64,
    hello_name: &'a Option<String>,
    extra_root_pem: &'a Option<String>,
    allow_auth_without_tls: bool,
}

impl Serialize for SmtpSettings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SettingsView {
            host: &self.host,
            port: self.port,
            security: self.security,
            username: &self.username,
            password_set: self.password.is_some(),
            from: &self.from,
            timeout_secs: self.timeout_secs,
            hello_name: &self.hello_name,
            extra_root_pem: &self.extra_root_pem,
            allow_auth_without_tls: self.allow_auth_without_tls,
        }
        .serialize(s)
    }
}

impl SmtpSettings {
    /// Plain SMTP to `host:port` without login (tests, local relays).
    pub fn plain(host: &str, port: u16, from: &str) -> SmtpSettings {
        SmtpSettings {
            host: host.to_owned(),
            port,
            security: Security::None,
            username: None,
            password: None,
            from: from.to_owned(),
            timeout_secs: default_timeout(),
            hello_name: None,
            extra_root_pem: None,
            allow_auth_without_tls: false,
        }
    }

    /// The settings as JSON *including the password*, for the store only.
    pub fn to_storage_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(map) = v.as_object_mut() {
            map.remove("password_set");
            if let Some(p) = &self.password {
                map.insert(
                    "password".into(),
                    serde_json::Value::String(p.expose().to_owned()),
                );
            }
        }
        v
    }

    /// Keeps `previous`'s password when this update did not send one
    /// (the admin form never receives the password, so it cannot send it
    /// back), but only while it would go to the same place the same way:
    /// same host, port, security and username. Otherwise a changed host
    /// (another listener, TLS off) plus "send test" would hand the stored
    /// password to whoever runs that listener; the admin must type it again.
    pub fn keep_password_from(&mut self, previous: &SmtpSettings) {
        let same_destination = self.host.eq_ignore_ascii_case(&previous.host)
            && self.port == previous.port
            && self.security == previous.security
            && self.username == previous.username;
        if self.password.is_none() && same_destination {
            self.password.clone_from(&previous.password);
        }
    }
}

/// Which SMTP server Seatwarden uses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum MailServerChoice {
    /// The product's configured outgoing server.
    #[default]
    Product,
    /// Seatwarden's own settings.
    Own(SmtpSettings),
    /// Seatwarden sends no mail.
    Off,
}

/// What the host reports about the product's mail setup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductMail {
    /// The product's outgoing server, if one is configured and readable.
    pub smtp: Option<SmtpSettings>,
    /// The product's "outgoing mail disabled" switch.
    pub outgoing_disabled: bool,
}

/// Why no server can be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailUnavailable {
    /// The product's global switch is off; Seatwarden respects it for its own server too.
    #[error("outgoing mail is disabled in the product")]
    ProductDisabled,
    /// The product has no outgoing server configured.
    #[error("the product has no outgoing mail server configured")]
    NoProductServer,
    /// Seatwarden's own mail is switched off.
    #[error("notifications are switched off in Seatwarden")]
    Off,
}

/// Picks the settings to use, or says why there are none.
pub fn resolve_server<'a>(
    choice: &'a MailServerChoice,
    product: &'a ProductMail,
) -> Result<&'a SmtpSettings, MailUnavailable> {
    if product.outgoing_disabled {
        return Err(MailUnavailable::ProductDisabled);
    }
    match choice {
        MailServerChoice::Off => Err(MailUnavailable::Off),
        MailServerChoice::Own(s) => Ok(s),
        MailServerChoice::Product => product
            .smtp
            .as_ref()
            .ok_or(MailUnavailable::NoProductServer),
    }
}

/// The transport a host's worker uses: SMTP, or nothing (and why).
///
/// Built from the admin's choice and what the product reports; when mail is
/// unavailable the worker leaves every message queued (see
/// [`MailTransport::disabled_reason`]).
#[derive(Debug)]
pub enum Mailer {
    /// Deliver over SMTP.
    Smtp(Box<SmtpMailer>),
    /// Do not deliver.
    Unavailable(MailUnavailable),
}

impl Mailer {
    /// Resolves the server and prepares the mailer.
    pub fn from_choice(
        choice: &MailServerChoice,
        product: &ProductMail,
    ) -> Result<Mailer, SettingsError> {
        match resolve_server(choice, product) {
            Ok(settings) => SmtpMailer::new(settings.clone()).map(|m| Mailer::Smtp(Box::new(m))),
            Err(why) => Ok(Mailer::Unavailable(why)),
        }
    }
}

impl MailTransport for Mailer {
    fn send(&self, mail: &Outgoing<'_>) -> Result<SmtpReply, DeliveryError> {
        match self {
            Mailer::Smtp(m) => m.send(mail),
            Mailer::Unavailable(why) => Err(DeliveryError::Disabled {
                reason: why.to_string(),
            }),
        }
    }

    fn disabled_reason(&self) -> Option<String> {
        match self {
            Mailer::Smtp(_) => None,
            Mailer::Unavailable(why) => Some(why.to_string()),
        }
    }
}

/// Settings that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// `from` is not a mailbox.
    #[error("sender `{0}` is not a valid address")]
    BadFrom(String),
    /// A password without TLS would travel in clear text.
    #[error(
        "refusing to send a password without TLS to `{0}`; choose STARTTLS or TLS (on a loopback relay, `allow_auth_without_tls` permits it)"
    )]
    AuthWithoutTls(String),
    /// A password was given without a user name, or the other way round.
    #[error("username and password must be given together")]
    HalfCredentials,
    /// The extra root certificate does not parse, or TLS cannot be set up.
    #[error("tls setup failed: {0}")]
    Tls(String),
}

/// Messages sent on one connection before it is replaced.
const MESSAGES_PER_CONNECTION: u32 = 500;
/// Idle time after which a kept connection is checked with `NOOP`.
const IDLE_CHECK: Duration = Duration::from_secs(60);

struct Kept {
    conn: SmtpConnection,
    last_used: Instant,
    sent: u32,
}

/// An SMTP [`MailTransport`] that reuses its connection.
pub struct SmtpMailer {
    settings: SmtpSettings,
    from: Mailbox,
    hello: ClientId,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    kept: Mutex<Option<Kept>>,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Checks `settings` and prepares TLS; connects lazily on the first send.
    pub fn new(settings: SmtpSettings) -> Result<SmtpMailer, SettingsError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| SettingsError::BadFrom(settings.from.clone()))?;
        let credentials = match (&settings.username, &settings.password) {
            (Some(u), Some(p)) => Some(Credentials::new(u.clone(), p.expose().to_owned())),
            (None, None) => None,
            _ => return Err(SettingsError::HalfCredentials),
        };
        if credentials.is_some()
            && settings.security == Security::None
            && !(settings.allow_auth_without_tls && is_loopback(&settings.host))
        {
            return Err(SettingsError::AuthWithoutTls(settings.host.clone()));
        }
        let tls = match settings.security {
            Security::None => None,
            Security::StartTls | Security::Tls => {
                let mut b = TlsParameters::builder(settings.host.clone());
                if let Some(pem) = &settings.extra_root_pem {
                    let cert = Certificate::from_pem(pem.as_bytes())
                        .map_err(|e| SettingsError::Tls(e.to_string()))?;
                    b = b.add_root_certificate(cert);
                }
                Some(b.build().map_err(|e| SettingsError::Tls(e.to_string()))?)
            }
        };
        let hello = settings
            .hello_name
            .clone()
            .map_or_else(ClientId::default, ClientId::Domain);
        Ok(SmtpMailer {
            settings,
            from,
            hello,
            tls,
            credentials,
            kept: Mutex::new(None),
        })
    }

    /// The settings in use (password redacted when serialised).
    pub fn settings(&self) -> &SmtpSettings {
        &self.settings
    }

    /// "Send a test email": a fresh connection, one message to `to`, and the
    /// server's exact answer either way (address and error unmasked: the
    /// admin typed the address and needs to see what the server said).
    pub fn send_test(&self, to: &str, instance_name: &str) -> Result<SmtpReply, DeliveryError> {
        let html = format!(
            "<p>This is a test message from Seatwarden on {}. If you can read it, \
             notifications can be delivered.</p>",
            crate::sanitize::escape_html(instance_name)
        );
        let text = crate::sanitize::html_to_text(&html);
        let subject = format!("Seatwarden test message ({instance_name})");
        self.send_one(to, &subject, &html, &text)
    }

    /// Sends one rendered message to `to` on a fresh connection, outside the
    /// outbox: what "test send" of a template uses, so the admin receives the
    /// template itself (rendered with sample values) through the configured
    /// server.
    pub fn send_one(
        &self,
        to: &str,
        subject: &str,
        html: &str,
        text: &str,
    ) -> Result<SmtpReply, DeliveryError> {
        let mail = Outgoing {
            to,
            bcc: &[],
            subject,
            html,
            text,
        };
        let (envelope, payload) = self.build(&mail)?;
        let mut conn = self.connect()?;
        let result = transact(&mut conn, &envelope, &payload);
        let _ = conn.command(Quit);
        result
    }

    /// Closes the kept connection politely (`QUIT`).
    pub fn close(&self) {
        if let Some(mut kept) = self.lock().take() {
            let _ = kept.conn.command(Quit);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Kept>> {
        // The guarded value is replaced wholesale; a poisoned lock holds at
        // worst a connection that the broken-check below discards.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn connect(&self) -> Result<SmtpConnection, DeliveryError> {
        let timeout = Some(Duration::from_secs(self.settings.timeout_secs.max(1)));
        let wrapper_tls = match self.settings.security {
            Security::Tls => self.tls.as_ref(),
            _ => None,
        };
        let server = (self.settings.host.as_str(), self.settings.port);
        let mut conn = SmtpConnection::connect(server, timeout, &self.hello, wrapper_tls, None)
            .map_err(|e| failure(Stage::Connect, &e))?;
        if self.settings.security == Security::StartTls {
            let Some(tls) = self.tls.as_ref() else {
                return Err(DeliveryError::Connection {
                    stage: Stage::Tls,
                    message: "tls parameters missing".into(),
                });
            };
            if !conn.can_starttls() {
                conn.abort();
                return Err(DeliveryError::Connection {
                    stage: Stage::Tls,
                    message: "server does not offer STARTTLS".into(),
                });
            }
            conn.starttls(tls, &self.hello)
                .map_err(|e| failure(Stage::Tls, &e))?;
        }
        if let Some(creds) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], creds)
                .map_err(|e| failure(Stage::Auth, &e))?;
        }
        Ok(conn)
    }

    fn build(&self, mail: &Outgoing<'_>) -> Result<(Envelope, String), DeliveryError> {
        let build_err = |message: String| DeliveryError::Connection {
            stage: Stage::Build,
            message,
        };
        let to: Address = mail
            .to
            .trim()
            .parse()
            .map_err(|_| build_err("invalid recipient address".into()))?;
        let mut rcpts = vec![to.clone()];
        for (i, b) in mail.bcc.iter().enumerate() {
            let a: Address = b
                .trim()
                .parse()
                .map_err(|_| build_err(format!("invalid bcc address {}", i + 1)))?;
            rcpts.push(a);
        }
        // No Bcc header is written: blind copies exist only in the envelope.
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .raw_header(crate::subject::header(mail.subject))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.to_owned(),
                mail.html.to_owned(),
            ))
            .map_err(|e| build_err(e.to_string()))?;
        let envelope = Envelope::new(Some(self.from.email.clone()), rcpts)
            .map_err(|e| build_err(e.to_string()))?;
        let payload = stuff(&message.formatted()).map_err(build_err)?;
        Ok((envelope, payload))
    }
}

impl MailTransport for SmtpMailer {
    fn send(&self, mail: &Outgoing<'_>) -> Result<SmtpReply, DeliveryError> {
        let (envelope, payload) = self.build(mail)?;
        let mut kept = self.lock();
        let mut reused = false;
        if let Some(k) = kept.as_mut() {
            let stale = k.conn.has_broken()
                || k.sent >= MESSAGES_PER_CONNECTION
                || (k.last_used.elapsed() >= IDLE_CHECK && !k.conn.test_connected());
            if stale {
                if let Some(mut old) = kept.take() {
                    old.conn.abort();
                }
            } else {
                reused = true;
            }
        }
        if kept.is_none() {
            *kept = Some(Kept {
                conn: self.connect()?,
                last_used: Instant::now(),
                sent: 0,
            });
        }
        let Some(k) = kept.as_mut() else {
            return Err(DeliveryError::Connection {
                stage: Stage::Connect,
                message: "no connection".into(),
            });
        };
        let mut result = transact(&mut k.conn, &envelope, &payload);
        // A kept connection the server closed meanwhile fails at the first
        // command without an SMTP code: reconnect once and try again.
        if reused
            && matches!(
                &result,
                Err(DeliveryError::Connection {
                    stage: Stage::Sender,
                    ..
                })
            )
        {
            k.conn.abort();
            k.conn = self.connect()?;
            k.sent = 0;
            result = transact(&mut k.conn, &envelope, &payload);
        }
        k.last_used = Instant::now();
        k.sent += 1;
        match &result {
            Ok(_) => {}
            Err(DeliveryError::Rejected { .. }) if !k.conn.has_broken() => {
                // Reset the transaction; if even that fails, drop the connection.
                if k.conn.command(Rset).is_err() {
                    if let Some(mut old) = kept.take() {
                        old.conn.abort();
                    }
                }
            }
            Err(_) => {
                if let Some(mut old) = kept.take() {
                    old.conn.abort();
                }
            }
        }
        result
    }
}

impl Drop for SmtpMailer {
    fn drop(&mut self) {
        self.close();
    }
}

/// One mail transaction on an open connection; the message and its
/// terminator go out in a single write (see the module docs).
fn transact(
    conn: &mut SmtpConnection,
    envelope: &Envelope,
    payload: &str,
) -> Result<SmtpReply, DeliveryError> {
    let mut params = Vec::new();
    if !payload.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(DeliveryError::Connection {
                stage: Stage::Build,
                message: "message is not 7-bit and the server lacks 8BITMIME".into(),
            });
        }
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), params))
        .map_err(|e| failure(Stage::Sender, &e))?;
    for rcpt in envelope.to() {
        conn.command(Rcpt::new(rcpt.clone(), Vec::new()))
            .map_err(|e| failure(Stage::Recipient, &e))?;
    }
    conn.command(Data).map_err(|e| failure(Stage::Data, &e))?;
    let response = conn
        .command(payload)
        .map_err(|e| failure(Stage::Data, &e))?;
    Ok(reply(&response))
}

/// Normalises line ends to CRLF, dot-stuffs (RFC 5321 §4.5.2) and appends the terminator.
fn stuff(formatted: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(formatted).map_err(|_| "message is not utf-8".to_owned())?;
    let mut out = String::with_capacity(text.len() + text.len() / 50 + 8);
    for line in text.split_inclusive('\n') {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
    Ok(out)
}

pub(crate) fn reply(r: &Response) -> SmtpReply {
    SmtpReply {
        code: r.code().to_string().parse().unwrap_or(0),
        text: r.message().collect::<Vec<_>>().join(" "),
    }
}

/// Turns a lettre error into ours, keeping the server's code and text.
pub(crate) fn failure(stage: Stage, e: &lettre::transport::smtp::Error) -> DeliveryError {
    match e.status() {
        Some(code) => DeliveryError::Rejected {
            stage,
            reply: SmtpReply {
                code: code.to_string().parse().unwrap_or(0),
                text: std::error::Error::source(e)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            },
        },
        None => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                let s_text = s.to_string();
                if !message.contains(&s_text) {
                    message.push_str(": ");
                    message.push_str(&s_text);
                }
                source = s.source();
            }
            DeliveryError::Connection { stage, message }
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "smtp.example.com".into(),
            port: 587,
            security: Security::StartTls,
            username: Some("mailer".into()),
            password: Some(Secret::new("s3cret-pw")),
            from: "Jira <jira@example.com>".into(),
            timeout_secs: 10,
            hello_name: None,
            extra_root_pem: None,
            allow_auth_without_tls: false,
        }
    }

    #[test]
    fn password_never_appears_in_debug_or_json() {
        let s = settings();
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("s3cret-pw"), "{json}");
        assert!(json.contains("\"password_set\":true"), "{json}");
        assert!(!format!("{s:?}").contains("s3cret-pw"));
        let mailer = SmtpMailer::new(s.clone()).unwrap();
        assert!(!format!("{mailer:?}").contains("s3cret-pw"));
        let stored = s.to_storage_json();
        assert_eq!(stored["password"], "s3cret-pw");
        let back: SmtpSettings = serde_json::from_value(stored).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn update_without_password_keeps_the_old_one_for_the_same_destination() {
        let old = settings();
        let mut new: SmtpSettings = serde_json::from_str(
            r#"{"host":"SMTP.example.com","port":587,"security":"start_tls","username":"mailer","from":"b@example.com"}"#,
        )
        .unwrap();
        new.keep_password_from(&old);
        assert_eq!(new.password, old.password);
    }

    #[test]
    fn a_changed_host_port_or_security_drops_the_kept_password() {
        let old = settings();
        for changed in [
            r#"{"host":"127.0.0.1","port":587,"security":"start_tls","username":"mailer","from":"a@example.com"}"#,
            r#"{"host":"smtp.example.com","port":2526,"security":"start_tls","username":"mailer","from":"a@example.com"}"#,
            r#"{"host":"smtp.example.com","port":587,"security":"none","username":"mailer","from":"a@example.com"}"#,
            r#"{"host":"smtp.example.com","port":587,"security":"start_tls","username":"other","from":"a@example.com"}"#,
        ] {
            let mut new: SmtpSettings = serde_json::from_str(changed).unwrap();
            new.keep_password_from(&old);
            assert_eq!(new.password, None, "{changed}");
        }
    }

    #[test]
    fn refuses_password_in_clear_to_remote_host_and_half_credentials() {
        let mut s = settings();
        s.security = Security::None;
        assert!(matches!(
            SmtpMailer::new(s.clone()),
            Err(SettingsError::AuthWithoutTls(_))
        ));
        s.host = "127.0.0.1".into();
        // Loopback too, unless explicitly allowed.
        assert!(matches!(
            SmtpMailer::new(s.clone()),
            Err(SettingsError::AuthWithoutTls(_))
        ));
        s.allow_auth_without_tls = true;
        assert!(SmtpMailer::new(s.clone()).is_ok());
        s.host = "mail.example.com".into();
        assert!(
            SmtpMailer::new(s.clone()).is_err(),
            "never to a remote host"
        );
        s.host = "127.0.0.1".into();
        s.password = None;
        assert_eq!(
            SmtpMailer::new(s).unwrap_err(),
            SettingsError::HalfCredentials
        );
    }

    #[test]
    fn product_switch_wins_over_own_settings() {
        let own = MailServerChoice::Own(settings());
        let mut product = ProductMail::default();
        assert!(resolve_server(&own, &product).is_ok());
        assert_eq!(
            resolve_server(&MailServerChoice::Product, &product),
            Err(MailUnavailable::NoProductServer)
        );
        product.outgoing_disabled = true;
        assert_eq!(
            resolve_server(&own, &product),
            Err(MailUnavailable::ProductDisabled)
        );
    }

    #[test]
    fn stuffing_doubles_leading_dots_and_terminates() {
        assert_eq!(
            stuff(b"a\r\n.b\n..c\r\nd").unwrap(),
            "a\r\n..b\r\n...c\r\nd\r\n.\r\n"
        );
    }
}

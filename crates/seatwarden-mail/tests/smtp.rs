//! Delivery to a real SMTP server on loopback (aiosmtpd, started by the test).
//!
//! These tests fail — they never skip — when the server cannot start; the
//! failure says to install Debian's `python3-aiosmtpd`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use seatwarden_core::{Millis, UserKey};
use seatwarden_mail::loopback::{Received, SinkOptions, SmtpSink};
use seatwarden_mail::{
    Cycle, DeliveryError, DeliveryOutcome, MailTransport, MemoryOutbox, OutboxPort, OutboxStatus,
    Outgoing, Placeholder, Recipient, RetryPolicy, Secret, Security, SmtpMailer, SmtpSettings,
    Stage, Template, TemplateKind, Values, compose, deliver_due, deliver_due_with,
};

fn sink(options: &SinkOptions) -> SmtpSink {
    SmtpSink::start(options).unwrap_or_else(|e| panic!("{e}"))
}

fn mailer(port: u16) -> SmtpMailer {
    SmtpMailer::new(SmtpSettings::plain(
        "127.0.0.1",
        port,
        "Seatwarden <seatwarden@example.com>",
    ))
    .unwrap()
}

/// Splits a raw message into (headers, body).
fn split(data: &str) -> (&str, &str) {
    data.split_once("\r\n\r\n").unwrap()
}

/// A header's value, folded lines joined (RFC 5322 §2.2.3).
fn header(headers: &str, name: &str) -> Option<String> {
    let unfolded = headers.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.split("\r\n").find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

/// The decoded text of the first part whose content type starts with `ctype`.
fn part(data: &str, ctype: &str) -> String {
    let (headers, body) = split(data);
    let ct = header(headers, "Content-Type").unwrap();
    let boundary = ct
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"')
        .to_owned();
    for chunk in body.split(&format!("--{boundary}")) {
        let chunk = chunk.trim_start_matches("\r\n");
        let Some((h, b)) = chunk.split_once("\r\n\r\n") else {
            continue;
        };
        if header(h, "Content-Type").is_some_and(|v| v.starts_with(ctype)) {
            let b = b.strip_suffix("\r\n").unwrap_or(b);
            return match header(h, "Content-Transfer-Encoding")
                .as_deref()
                .unwrap_or("7bit")
            {
                "quoted-printable" => decode_qp(b),
                "base64" => decode_b64(b),
                _ => b.replace("\r\n", "\n"),
            };
        }
    }
    panic!("no {ctype} part in:\n{data}");
}

fn decode_qp(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap().replace("\r\n", "\n")
}

fn decode_b64(s: &str) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        bits = (bits << 6) | alphabet.iter().position(|a| *a == c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8(out).unwrap().replace("\r\n", "\n")
}

fn warning_template() -> Template {
    let mut t = Template::default_for(TemplateKind::Warning);
    t.subject = "{{instance_name}}: {{display_name}}, we will {{action}} on {{action_date}}".into();
    t.html_body = concat!(
        "<h2 style=\"color:red\" onclick=\"steal()\">Hello {{display_name}}</h2>\n",
        "<script>alert('x')</script>",
        "<p onmouseover=\"bad()\">Your account <strong>{{username}}</strong> has been idle for ",
        "{{days_inactive}} days (last login {{last_login}}).</p>\n",
        "<ul><li>Action: {{action}}</li><li>Date: {{action_date}}</li></ul>\n",
        "<p><a href=\"{{request_access_url}}\" target=\"_blank\">Keep my access</a> ",
        "<a href=\"javascript:alert(1)\">evil</a></p>",
        "<img src=\"https://tracker.example/p.gif\">",
    )
    .into();
    t.bcc = vec!["audit@example.com".into(), "manager@example.com".into()];
    t
}

fn warning_values() -> Values {
    Values::new()
        .instance("Example Jira", "https://jira.example.com")
        .with(Placeholder::Username, "jsmith")
        .with(Placeholder::DisplayName, "Jo <b>Smith</b> & Co")
        .with(Placeholder::Email, "jsmith@example.com")
        .with(Placeholder::LastLogin, "2026-08-01")
        .with(Placeholder::DaysInactive, "112")
        .with(
            Placeholder::RequestAccessUrl,
            "https://jira.example.com/request?u=jsmith&t=1",
        )
        .action(
            "deactivate your account",
            Millis::parse_rfc3339("2026-11-28T00:00:00Z").unwrap(),
            Millis(0),
        )
}

#[test]
fn delivers_rendered_warning_with_blind_copies_to_a_real_server() {
    let server = sink(&SinkOptions::default());
    let outbox = MemoryOutbox::new();
    let recipient = Recipient {
        key: UserKey::from("JIRAUSER10100"),
        email: "jsmith@example.com".into(),
    };
    let message = compose(
        &warning_template(),
        &recipient,
        &warning_values(),
        Cycle::once(),
        Millis(0),
    )
    .unwrap();
    outbox.enqueue(message).unwrap();

    let report = deliver_due(&outbox, &mailer(server.port()), Millis(1), 10).unwrap();
    assert_eq!(report.sent(), 1, "{report:?}");
    let record = &report.records[0];
    assert_eq!(record.recipient, UserKey::from("JIRAUSER10100"));
    assert_eq!(record.envelope_recipients, 3);
    assert!(
        matches!(&record.outcome, DeliveryOutcome::Sent { reply } if reply.starts_with("250 2.0.0 queued as sink-"))
    );
    assert_eq!(outbox.messages()[0].status, OutboxStatus::Sent);

    let got = server.wait_for(1, Duration::from_secs(10)).unwrap();
    assert_eq!(got.len(), 1);
    let Received {
        mail_from,
        rcpt_tos,
        data,
        ..
    } = &got[0];
    assert_eq!(mail_from, "seatwarden@example.com");
    assert_eq!(
        rcpt_tos,
        &[
            "jsmith@example.com",
            "audit@example.com",
            "manager@example.com"
        ]
    );

    let (headers, _) = split(data);
    assert_eq!(header(headers, "To").as_deref(), Some("jsmith@example.com"));
    assert!(
        header(headers, "Bcc").is_none(),
        "Bcc header leaked:\n{headers}"
    );
    assert!(!data.contains("audit@example.com") && !data.contains("manager@example.com"));
    assert_eq!(
        header(headers, "Subject").as_deref(),
        Some("Example Jira: Jo <b>Smith</b> & Co, we will deactivate your account on 2026-11-28")
    );

    let html = part(data, "text/html");
    assert!(
        html.contains("<h2>Hello Jo &lt;b&gt;Smith&lt;/b&gt; &amp; Co</h2>"),
        "{html}"
    );
    assert!(
        html.contains("<strong>jsmith</strong> has been idle for 112 days (last login 2026-08-01)"),
        "{html}"
    );
    assert!(html.contains("<li>Date: 2026-11-28</li>"), "{html}");
    assert!(
        html.contains("<a href=\"https://jira.example.com/request?u=jsmith&amp;t=1\" rel=\"noopener noreferrer\">Keep my access</a>"),
        "{html}"
    );
    for banned in [
        "script",
        "alert",
        "style",
        "onclick",
        "onmouseover",
        "javascript",
        "target",
        "<img",
        "tracker",
    ] {
        assert!(!html.contains(banned), "`{banned}` survived in:\n{html}");
    }

    let text = part(data, "text/plain");
    assert!(
        text.starts_with(
            "Hello Jo <b>Smith</b> & Co\n\nYour account jsmith has been idle for 112 days"
        ),
        "{text}"
    );
    assert!(
        text.contains("- Action: deactivate your account\n- Date: 2026-11-28"),
        "{text}"
    );
    assert!(
        text.contains("Keep my access (https://jira.example.com/request?u=jsmith&t=1)"),
        "{text}"
    );
    assert!(!text.contains("alert"), "{text}");
}

#[test]
fn a_connection_is_reused_across_messages() {
    let server = sink(&SinkOptions::default());
    let outbox = MemoryOutbox::new();
    let t = warning_template();
    for i in 0..5 {
        let r = Recipient {
            key: UserKey::from(format!("u{i}")),
            email: format!("user{i}@example.com"),
        };
        outbox
            .enqueue(compose(&t, &r, &warning_values(), Cycle::once(), Millis(0)).unwrap())
            .unwrap();
    }
    let m = mailer(server.port());
    let report = deliver_due(&outbox, &m, Millis(0), 100).unwrap();
    assert_eq!(report.sent(), 5);
    let got = server.wait_for(5, Duration::from_secs(10)).unwrap();
    let firsts: Vec<&str> = got.iter().map(|r| r.rcpt_tos[0].as_str()).collect();
    assert_eq!(
        firsts,
        [
            "user0@example.com",
            "user1@example.com",
            "user2@example.com",
            "user3@example.com",
            "user4@example.com"
        ]
    );
    let peers: std::collections::BTreeSet<_> = got.iter().map(|r| r.peer.clone()).collect();
    assert_eq!(
        peers.len(),
        1,
        "expected one connection for all messages: {peers:?}"
    );
}

#[test]
fn a_server_that_is_down_leaves_the_message_queued_with_the_failure() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let outbox = MemoryOutbox::new();
    let r = Recipient {
        key: "u1".into(),
        email: "u1@example.com".into(),
    };
    outbox
        .enqueue(
            compose(
                &warning_template(),
                &r,
                &warning_values(),
                Cycle::once(),
                Millis(0),
            )
            .unwrap(),
        )
        .unwrap();
    let policy = RetryPolicy {
        max_attempts: 2,
        first_delay_ms: 1_000,
        max_delay_ms: 1_000,
        lease_ms: 100,
    };
    let m = mailer(port);

    let first = deliver_due_with(&outbox, &m, Millis(0), 10, &policy).unwrap();
    assert!(
        matches!(&first.records[0].outcome, DeliveryOutcome::Retry { next_attempt_at: Millis(1_000), error } if error.starts_with("connect failed")),
        "{first:?}"
    );
    let msg = &outbox.messages()[0];
    assert_eq!(msg.status, OutboxStatus::Queued);
    assert!(
        msg.last_error
            .as_deref()
            .unwrap()
            .contains("onnection refused"),
        "{msg:?}"
    );

    let second = deliver_due_with(&outbox, &m, Millis(1_000), 10, &policy).unwrap();
    assert!(matches!(
        second.records[0].outcome,
        DeliveryOutcome::Failed { .. }
    ));
    assert_eq!(outbox.messages()[0].status, OutboxStatus::Failed);
}

#[test]
fn a_rejecting_server_keeps_the_message_queued_then_it_goes_through() {
    let server = sink(&SinkOptions::default());
    server
        .reject_recipients(Some("550 5.7.1 <u1@example.com>: relaying denied"))
        .unwrap();
    let outbox = MemoryOutbox::new();
    let r = Recipient {
        key: "u1".into(),
        email: "u1@example.com".into(),
    };
    outbox
        .enqueue(
            compose(
                &warning_template(),
                &r,
                &warning_values(),
                Cycle::once(),
                Millis(0),
            )
            .unwrap(),
        )
        .unwrap();
    let m = mailer(server.port());

    let first = deliver_due(&outbox, &m, Millis(0), 10).unwrap();
    let DeliveryOutcome::Retry { error, .. } = &first.records[0].outcome else {
        panic!("{first:?}")
    };
    assert_eq!(
        error,
        "server refused at recipient: 550 5.7.1 <address>: relaying denied"
    );
    let queued = &outbox.messages()[0];
    assert_eq!((queued.status, queued.attempts), (OutboxStatus::Queued, 1));
    assert!(server.received().unwrap().is_empty());

    server.reject_recipients(None).unwrap();
    let second = deliver_due(&outbox, &m, Millis(120_000), 10).unwrap();
    assert_eq!(second.sent(), 1, "{second:?}");
    assert_eq!(second.records[0].attempt, 2);
    assert_eq!(
        server.wait_for(1, Duration::from_secs(10)).unwrap().len(),
        1
    );
    assert_eq!(outbox.messages()[0].status, OutboxStatus::Sent);
}

#[test]
fn test_email_reports_the_servers_exact_answer() {
    let server = sink(&SinkOptions::default());
    let m = mailer(server.port());
    server
        .reject_data(Some("554 5.6.0 message refused by local policy"))
        .unwrap();
    let err = m
        .send_test("admin@example.com", "Example Jira")
        .unwrap_err();
    let DeliveryError::Rejected { stage, reply } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*stage, Stage::Data);
    assert_eq!(
        (reply.code, reply.text.as_str()),
        (554, "5.6.0 message refused by local policy")
    );

    server.reject_data(None).unwrap();
    let ok = m.send_test("admin@example.com", "Example Jira").unwrap();
    assert_eq!(ok.code, 250);
    let got = server.wait_for(1, Duration::from_secs(10)).unwrap();
    assert_eq!(got[0].rcpt_tos, ["admin@example.com"]);
    assert!(
        part(&got[0].data, "text/plain").contains("test message from Seatwarden on Example Jira")
    );
}

#[test]
fn authenticates_with_plain_and_reports_a_wrong_password() {
    let server = sink(&SinkOptions {
        auth: Some(("mailer".into(), "pa55word".into())),
        ..Default::default()
    });
    let mut settings = SmtpSettings::plain("127.0.0.1", server.port(), "seatwarden@example.com");
    settings.username = Some("mailer".into());
    settings.password = Some(Secret::new("wrong"));
    settings.allow_auth_without_tls = true;
    let bad = SmtpMailer::new(settings.clone()).unwrap();
    let err = bad.send_test("a@example.com", "X").unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Rejected { stage: Stage::Auth, reply } if reply.code == 535),
        "{err:?}"
    );

    settings.password = Some(Secret::new("pa55word"));
    let good = SmtpMailer::new(settings).unwrap();
    let mail = Outgoing {
        to: "b@example.com",
        bcc: &[],
        subject: "s",
        html: "<p>h</p>",
        text: "h\n",
    };
    assert_eq!(good.send(&mail).unwrap().code, 250);
    assert_eq!(
        server.wait_for(1, Duration::from_secs(10)).unwrap()[0].rcpt_tos,
        ["b@example.com"]
    );
}

/// Makes a CA and a `localhost` certificate signed by it with the openssl CLI.
fn make_certs(dir: &Path) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl CLI");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Seatwarden Test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        std::fs::read_to_string(dir.join("ca.pem")).unwrap(),
        dir.join("leaf.pem"),
        dir.join("leaf.key"),
    )
}

#[test]
fn starttls_with_an_internal_ca_and_refusal_without_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (ca, cert, key) = make_certs(tmp.path());
    let server = sink(&SinkOptions {
        tls: Some((cert, key)),
        ..Default::default()
    });
    let mut settings = SmtpSettings::plain("localhost", server.port(), "seatwarden@example.com");
    settings.security = Security::StartTls;

    // Without the internal CA the certificate is not trusted.
    let untrusted = SmtpMailer::new(settings.clone()).unwrap();
    let err = untrusted.send_test("a@example.com", "X").unwrap_err();
    assert!(
        matches!(
            &err,
            DeliveryError::Connection {
                stage: Stage::Tls,
                ..
            }
        ),
        "{err:?}"
    );

    settings.extra_root_pem = Some(ca);
    let trusted = SmtpMailer::new(settings.clone()).unwrap();
    assert_eq!(trusted.send_test("a@example.com", "X").unwrap().code, 250);

    // Plain SMTP to a server that requires STARTTLS is refused with its own answer.
    settings.security = Security::None;
    let plain = SmtpMailer::new(settings).unwrap();
    let err = plain.send_test("a@example.com", "X").unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Rejected { stage: Stage::Sender, reply } if reply.code == 530),
        "{err:?}"
    );
    assert_eq!(
        server.wait_for(1, Duration::from_secs(10)).unwrap().len(),
        1
    );
}

#[test]
fn non_ascii_names_arrive_intact() {
    let server = sink(&SinkOptions::default());
    let mut t = Template::default_for(TemplateKind::Welcome);
    t.enabled = true;
    let values = Values::samples().with(Placeholder::DisplayName, "Zoë Ünal-Søren");
    let r = Recipient {
        key: "u7".into(),
        email: "zoe@example.com".into(),
    };
    let outbox = MemoryOutbox::new();
    outbox
        .enqueue(compose(&t, &r, &values, Cycle::once(), Millis(0)).unwrap())
        .unwrap();
    let report = deliver_due(&outbox, &mailer(server.port()), Millis(0), 10).unwrap();
    assert_eq!(report.sent(), 1, "{report:?}");
    let got = server.wait_for(1, Duration::from_secs(10)).unwrap();
    assert!(part(&got[0].data, "text/html").contains("Hello Zoë Ünal-Søren,"));
    assert!(part(&got[0].data, "text/plain").contains("Hello Zoë Ünal-Søren,"));
}

#[test]
fn several_workers_share_one_outbox_without_sending_twice() {
    let server = sink(&SinkOptions::default());
    let outbox = MemoryOutbox::new();
    let t = warning_template();
    for i in 0..60 {
        let r = Recipient {
            key: UserKey::from(format!("u{i}")),
            email: format!("user{i}@example.com"),
        };
        outbox
            .enqueue(compose(&t, &r, &warning_values(), Cycle::once(), Millis(0)).unwrap())
            .unwrap();
    }
    let port = server.port();
    let sent: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let m = mailer(port);
                    let mut sent = 0;
                    loop {
                        let report = deliver_due(&outbox, &m, Millis(0), 5).unwrap();
                        if report.records.is_empty() {
                            return sent;
                        }
                        sent += report.sent();
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(sent, 60);
    let got = server.wait_for(60, Duration::from_secs(10)).unwrap();
    let mut firsts: Vec<String> = got.iter().map(|r| r.rcpt_tos[0].clone()).collect();
    firsts.sort();
    firsts.dedup();
    assert_eq!(
        (got.len(), firsts.len()),
        (60, 60),
        "each message exactly once"
    );
    assert!(
        outbox
            .messages()
            .iter()
            .all(|m| m.status == OutboxStatus::Sent && m.attempts == 1)
    );
}

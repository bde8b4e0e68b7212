//! Mail throughput to a real SMTP server on loopback.
//!
//! `cargo run --release -p seatwarden-mail --example mail_throughput [N]`
//!
//! Prints one JSON line per variant:
//! - `seatwarden`: compose + enqueue N messages, then `deliver_due` over one
//!   kept connection with the single-write DATA (what production does);
//! - `lettre_send`: lettre's own `SmtpConnection::send` on one kept
//!   connection (body and terminator in two writes), for comparison.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use seatwarden_core::{Millis, UserKey};
use seatwarden_mail::loopback::{SinkOptions, SmtpSink};
use seatwarden_mail::{
    Cycle, MemoryOutbox, OutboxPort, Recipient, SmtpMailer, SmtpSettings, Template, TemplateKind,
    Values, compose, deliver_due,
};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let sink = SmtpSink::start(&SinkOptions {
        no_save: true,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let port = sink.port();

    // Seatwarden path: compose, enqueue, deliver.
    let template = Template::default_for(TemplateKind::Warning);
    let values = Values::samples();
    let outbox = MemoryOutbox::new();
    let start = Instant::now();
    for i in 0..n {
        let r = Recipient {
            key: UserKey::from(format!("u{i}")),
            email: format!("user{i}@example.com"),
        };
        outbox
            .enqueue(compose(&template, &r, &values, Cycle::once(), Millis(0)).unwrap())
            .unwrap();
    }
    let composed = start.elapsed();
    let mailer = SmtpMailer::new(SmtpSettings::plain(
        "127.0.0.1",
        port,
        "seatwarden@example.com",
    ))
    .unwrap();
    let start = Instant::now();
    let mut sent = 0;
    while sent < n {
        let report = deliver_due(&outbox, &mailer, Millis(0), 200).unwrap();
        assert_eq!(report.failed(), 0, "{report:?}");
        if report.records.is_empty() {
            break;
        }
        sent += report.sent();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"name\":\"mail.seatwarden\",\"messages\":{sent},\"seconds\":{secs:.3},\"per_second\":{:.0},\"compose_enqueue_us_per_message\":{:.1}}}",
        sent as f64 / secs,
        composed.as_secs_f64() * 1e6 / n as f64
    );

    // Baseline: lettre's SmtpConnection::send on one kept connection.
    let m = n.min(100);
    let start = Instant::now();
    seatwarden_mail::loopback::lettre_baseline(port, m).unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"name\":\"mail.lettre_send\",\"messages\":{m},\"seconds\":{secs:.3},\"per_second\":{:.0},\"ms_per_message\":{:.1}}}",
        m as f64 / secs,
        secs * 1e3 / m as f64
    );
}

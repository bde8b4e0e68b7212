//! Benchmarks of notifications: composing and delivering mail.
//!
//! Budget (issue 6): ≥ 200 messages/s to a local SMTP server. The bench
//! starts a real SMTP server on loopback itself (aiosmtpd, Debian package
//! `python3-aiosmtpd`, counting messages without saving them). Measured:
//! - `mail.compose_enqueue`: render + sanitise + text part + enqueue of one
//!   warning into the in-memory outbox;
//! - `mail.deliver`: `deliver_due` of a batch over one kept SMTP connection
//!   (`messages_per_s` is the figure the budget is about);
//! - `mail.deliver_parallel`: the same with 4 host worker threads, each with
//!   its own mailer and connection, sharing one outbox;
//! - `mail.lettre_send_baseline`: lettre's own `SmtpConnection::send` on one
//!   connection, which stalls ~40 ms per message on Nagle + delayed ACK; kept
//!   for comparison (see docs/mail.md).
//!
//! `users` in these lines is the number of messages per sample.

use std::time::{Duration, Instant};

use seatwarden_core::{Millis, UserKey};
use seatwarden_mail::loopback::{SinkOptions, SmtpSink, lettre_baseline};
use seatwarden_mail::{
    Cycle, MemoryOutbox, OutboxPort, Recipient, SmtpMailer, SmtpSettings, Template, TemplateKind,
    Values, compose, deliver_due,
};
use serde_json::json;

use crate::bench::{Harness, Timing};
use crate::cmd::support::CliError;

/// Messages per delivery sample.
const BATCH: usize = 500;
/// Messages in the (slow) baseline sample.
const BASELINE: usize = 40;

fn fill(
    outbox: &MemoryOutbox,
    template: &Template,
    values: &Values,
    from: usize,
    n: usize,
) -> Result<(), CliError> {
    for i in from..from + n {
        let r = Recipient {
            key: UserKey::from(format!("u{i}")),
            email: format!("user{i}@example.com"),
        };
        let m =
            compose(template, &r, values, Cycle::once(), Millis(0)).map_err(CliError::engine)?;
        outbox.enqueue(m).map_err(CliError::engine)?;
    }
    Ok(())
}

pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    let sink = SmtpSink::start(&SinkOptions {
        no_save: true,
        ..Default::default()
    })
    .map_err(CliError::engine)?;
    let template = Template::default_for(TemplateKind::Warning);
    let values = Values::samples();

    let outbox = MemoryOutbox::new();
    let mut next = 0usize;
    let mut first_error = None;
    let t = h.time(|| {
        if let Err(e) = fill(&outbox, &template, &values, next, 1) {
            first_error.get_or_insert(e);
        }
        next += 1;
    });
    if let Some(e) = first_error {
        return Err(e);
    }
    h.report(
        "mail.compose_enqueue",
        1,
        t,
        json!({ "us_per_message": (t.median.as_secs_f64() * 1e7).round() / 10.0 }),
    );

    let mailer = SmtpMailer::new(SmtpSettings::plain(
        "127.0.0.1",
        sink.port(),
        "seatwarden@example.com",
    ))
    .map_err(CliError::engine)?;
    // Fill (untimed), then time only the delivery of each batch.
    let outbox = MemoryOutbox::new();
    let mut next = 0usize;
    let mut failures = 0usize;
    let samples = h.iterations.clamp(3, 5);
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        fill(&outbox, &template, &values, next, BATCH)?;
        next += BATCH;
        let started = Instant::now();
        let report = deliver_due(&outbox, &mailer, Millis(0), BATCH).map_err(CliError::engine)?;
        times.push(started.elapsed());
        failures += report.failed();
    }
    times.sort_unstable();
    let median = times
        .get(times.len() / 2)
        .copied()
        .unwrap_or(Duration::ZERO);
    let worst = times.last().copied().unwrap_or(median);
    let t = Timing {
        median,
        p99: worst,
        iterations: samples,
    };
    h.report(
        "mail.deliver",
        BATCH,
        t,
        json!({
            "messages_per_s": (BATCH as f64 / median.as_secs_f64().max(1e-9)).round(),
            "failures": failures,
            "connections": 1,
        }),
    );

    // The same with several host worker threads, each with its own mailer
    // (and so its own connection), sharing one outbox.
    const WORKERS: usize = 4;
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        fill(&outbox, &template, &values, next, BATCH)?;
        next += BATCH;
        let mailers = (0..WORKERS)
            .map(|_| SmtpSettings::plain("127.0.0.1", sink.port(), "seatwarden@example.com"))
            .map(|s| SmtpMailer::new(s).map_err(CliError::engine))
            .collect::<Result<Vec<_>, _>>()?;
        let started = Instant::now();
        let failed: usize = std::thread::scope(|scope| {
            let workers: Vec<_> = mailers
                .iter()
                .map(|m| {
                    let outbox = &outbox;
                    scope.spawn(move || {
                        let mut failed = 0;
                        loop {
                            match deliver_due(outbox, m, Millis(0), 25) {
                                Ok(r) if r.records.is_empty() => return failed,
                                Ok(r) => failed += r.failed(),
                                Err(_) => return failed + 1,
                            }
                        }
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or(1)).sum()
        });
        times.push(started.elapsed());
        failures += failed;
    }
    times.sort_unstable();
    let median = times
        .get(times.len() / 2)
        .copied()
        .unwrap_or(Duration::ZERO);
    let worst = times.last().copied().unwrap_or(median);
    h.report(
        "mail.deliver_parallel",
        BATCH,
        Timing {
            median,
            p99: worst,
            iterations: samples,
        },
        json!({
            "messages_per_s": (BATCH as f64 / median.as_secs_f64().max(1e-9)).round(),
            "failures": failures,
            "connections": WORKERS,
        }),
    );

    let mut baseline = Ok(());
    let t = h.time_n(1, || baseline = lettre_baseline(sink.port(), BASELINE));
    baseline.map_err(CliError::engine)?;
    h.report(
        "mail.lettre_send_baseline",
        BASELINE,
        t,
        json!({ "messages_per_s": (BASELINE as f64 / t.median.as_secs_f64().max(1e-9)).round() }),
    );
    Ok(())
}

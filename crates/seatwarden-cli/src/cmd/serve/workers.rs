//! The host-owned background threads: scheduler tick, job driver, mail.
//!
//! The service starts no threads (DESIGN.md §6); the standalone host owns
//! three plain Rust threads that call into it, each checking a shared stop
//! flag between calls. On shutdown the driver finishes the slice it is in
//! (the service journals every run, so whatever is left resumes on the
//! next start) and the threads are joined with a grace period.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use seatwarden_mail::{MailServerChoice, Mailer, ProductMail};
use seatwarden_service::Service;

use super::clock::Clock;

/// How often the workers look at the stop flag while idle.
const POLL: Duration = Duration::from_millis(50);

/// The running workers.
pub(crate) struct Workers {
    stop: Arc<AtomicBool>,
    handles: Vec<(&'static str, JoinHandle<()>)>,
}

/// Sleeps `total`, waking early when `stop` is set; `true` when stopping.
fn nap(stop: &AtomicBool, total: Duration) -> bool {
    let until = Instant::now() + total;
    while Instant::now() < until {
        if stop.load(Ordering::SeqCst) {
            return true;
        }
        std::thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
    }
    stop.load(Ordering::SeqCst)
}

impl Workers {
    /// Starts the tick (every `tick`, the first at once), driver and mail
    /// (every `mail`) threads.
    pub(crate) fn start(
        service: &Arc<Service>,
        clock: &Clock,
        tick: Duration,
        mail: Duration,
    ) -> std::io::Result<Workers> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut handles = Vec::new();

        let (s, c, halt) = (service.clone(), clock.clone(), stop.clone());
        handles.push((
            "scheduler",
            std::thread::Builder::new()
                .name("seatwarden-tick".into())
                .spawn(move || {
                    loop {
                        match s.tick(c.now()) {
                            Ok(report) => {
                                if !report.runs.is_empty() || !report.resumed.is_empty() {
                                    println!(
                                        "tick: {} run(s) started, {} resumed, {} skipped (another node), {} mail(s) queued",
                                        report.runs.len(),
                                        report.resumed.len(),
                                        report.skipped_leased,
                                        report.mails_queued
                                    );
                                }
                            }
                            Err(e) => eprintln!("tick failed: {e}"),
                        }
                        if nap(&halt, tick) {
                            break;
                        }
                    }
                })?,
        ));

        let (s, c, halt) = (service.clone(), clock.clone(), stop.clone());
        handles.push((
            "driver",
            std::thread::Builder::new()
                .name("seatwarden-drive".into())
                .spawn(move || {
                    while !halt.load(Ordering::SeqCst) {
                        if !s.has_work() {
                            std::thread::sleep(POLL);
                            continue;
                        }
                        match s.drive(c.now()) {
                            Ok(_) => {}
                            Err(e) => {
                                eprintln!("background job failed: {e}");
                                if nap(&halt, Duration::from_secs(1)) {
                                    break;
                                }
                            }
                        }
                    }
                })?,
        ));

        let (s, c, halt) = (service.clone(), clock.clone(), stop.clone());
        handles.push((
            "mail",
            std::thread::Builder::new()
                .name("seatwarden-mail".into())
                .spawn(move || {
                    let mut current: Option<(MailServerChoice, Mailer)> = None;
                    while !nap(&halt, mail) {
                        let choice = s.settings().mail.clone();
                        let stale = current.as_ref().is_none_or(|(c, _)| *c != choice);
                        if stale {
                            match Mailer::from_choice(&choice, &ProductMail::default()) {
                                Ok(m) => current = Some((choice, m)),
                                Err(e) => {
                                    eprintln!("mail settings unusable: {e}");
                                    current = None;
                                    continue;
                                }
                            }
                        }
                        if let Some((_, mailer)) = &current {
                            if let Err(e) = s.deliver_mail(mailer, c.now(), 50) {
                                eprintln!("mail delivery failed: {e}");
                            }
                        }
                    }
                })?,
        ));
        Ok(Workers { stop, handles })
    }

    /// Asks every worker to stop and waits up to `grace` for them.
    pub(crate) fn stop(self, grace: Duration) {
        self.stop.store(true, Ordering::SeqCst);
        let until = Instant::now() + grace;
        for (name, handle) in self.handles {
            while !handle.is_finished() && Instant::now() < until {
                std::thread::sleep(POLL);
            }
            if handle.is_finished() {
                let _ = handle.join();
            } else {
                eprintln!("the {name} worker is still busy; its run resumes on the next start");
            }
        }
    }
}

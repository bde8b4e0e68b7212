//! `seatwarden bench`: the engine's benchmarks.
//!
//! Speed is measured here, never asserted in tests. Every measurement prints
//! one JSON line: `{"name", "users", "iterations", "median_ms", "p99_ms", …}`
//! plus whatever the area adds (bytes per user, MB/s, entries/s). Medians
//! and the 99th percentile of repeated runs on one core; the machine is noisy,
//! so compare ratios within one run rather than absolute figures across runs.
//!
//! Each area (index, policy, audit, csv, mail, …) is a submodule with a
//! `run(&mut Harness)` function, selected with `--only AREA`.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::cmd::support::CliError;

mod api;
mod audit;
mod cloud;
mod csv;
mod directory;
mod forecast;
mod import;
mod index;
mod mail;
mod policy;
mod records;
mod service;

/// Arguments of `seatwarden bench`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Directory sizes to measure, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    pub(crate) users: Vec<usize>,
    /// Only these areas (comma separated); all when absent.
    #[arg(long, value_delimiter = ',')]
    pub(crate) only: Vec<String>,
    /// Minimum iterations per measurement.
    #[arg(long, default_value_t = 15)]
    pub(crate) iterations: usize,
    /// Seed of the generated demo organisations.
    #[arg(long, default_value_t = 42)]
    pub(crate) seed: u64,
}

/// A benchmark area: its name and the function that measures it.
type Area = (&'static str, fn(&mut Harness) -> Result<(), CliError>);

/// The areas, in the order they run.
const AREAS: &[Area] = &[
    ("index", index::run),
    ("policy", policy::run),
    ("forecast", forecast::run),
    ("csv", csv::run),
    ("import", import::run),
    ("mail", mail::run),
    ("audit", audit::run),
    ("records", records::run),
    ("directory", directory::run),
    ("service", service::run),
    ("api", api::run),
    ("cloud", cloud::run),
];

/// Runs the selected areas.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    for wanted in &args.only {
        if !AREAS.iter().any(|(name, _)| name == wanted) {
            let known: Vec<_> = AREAS.iter().map(|(n, _)| *n).collect();
            return Err(CliError::Usage(format!(
                "unknown bench area `{wanted}`; known: {}",
                known.join(", ")
            )));
        }
    }
    let mut harness = Harness {
        sizes: args.users.clone(),
        iterations: args.iterations.max(1),
        seed: args.seed,
    };
    for (name, area) in AREAS {
        if args.only.is_empty() || args.only.iter().any(|o| o == name) {
            area(&mut harness)?;
        }
    }
    Ok(())
}

/// Times closures and prints results as JSON lines.
pub(crate) struct Harness {
    /// Directory sizes to measure.
    pub(crate) sizes: Vec<usize>,
    /// Minimum iterations per measurement.
    pub(crate) iterations: usize,
    /// Seed for generated data.
    pub(crate) seed: u64,
}

/// The timing of one measurement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timing {
    /// Median of the samples.
    pub(crate) median: Duration,
    /// 99th percentile of the samples.
    pub(crate) p99: Duration,
    /// How many samples were taken.
    pub(crate) iterations: usize,
}

impl Harness {
    /// Runs `f` at least `self.iterations` times (and at least ~0.5 s, at
    /// most 5 000 times) after one warm-up call, and returns the timing.
    pub(crate) fn time<T>(&self, mut f: impl FnMut() -> T) -> Timing {
        std::hint::black_box(f());
        let mut samples = Vec::with_capacity(self.iterations);
        let started = Instant::now();
        while samples.len() < self.iterations
            || (started.elapsed() < Duration::from_millis(500) && samples.len() < 5_000)
        {
            let t = Instant::now();
            std::hint::black_box(f());
            samples.push(t.elapsed());
        }
        summarise(samples)
    }

    /// Times `f` once per call `n` times where each call is itself expensive
    /// (e.g. an index build): exactly `n` samples, no minimum duration.
    pub(crate) fn time_n<T>(&self, n: usize, mut f: impl FnMut() -> T) -> Timing {
        let samples = (0..n.max(1))
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect();
        summarise(samples)
    }

    /// Times `a` and `b` alternately, `n` samples each (after one warm-up
    /// call of each), so both see the same machine period: an A/B
    /// comparison on a shared machine.
    pub(crate) fn time_ab<T, U>(
        &self,
        n: usize,
        mut a: impl FnMut() -> T,
        mut b: impl FnMut() -> U,
    ) -> (Timing, Timing) {
        std::hint::black_box(a());
        std::hint::black_box(b());
        let (mut sa, mut sb) = (Vec::new(), Vec::new());
        for _ in 0..n.max(1) {
            let t = Instant::now();
            std::hint::black_box(a());
            sa.push(t.elapsed());
            let t = Instant::now();
            std::hint::black_box(b());
            sb.push(t.elapsed());
        }
        (summarise(sa), summarise(sb))
    }

    /// The timing of samples taken by hand (when only part of each call is
    /// timed).
    pub(crate) fn timing_of(samples: Vec<Duration>) -> Timing {
        summarise(samples)
    }

    /// Prints one result line: name, users, timing, and `extra` fields.
    pub(crate) fn report(&self, name: &str, users: usize, timing: Timing, extra: Value) {
        let mut line = Map::new();
        line.insert("name".into(), json!(name));
        line.insert("users".into(), json!(users));
        line.insert("iterations".into(), json!(timing.iterations));
        line.insert("median_ms".into(), json!(millis(timing.median)));
        line.insert("p99_ms".into(), json!(millis(timing.p99)));
        if let Value::Object(extra) = extra {
            line.extend(extra);
        }
        println!("{}", Value::Object(line));
    }
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn summarise(mut samples: Vec<Duration>) -> Timing {
    samples.sort_unstable();
    let pick = |q: f64| {
        let last = samples.len().saturating_sub(1);
        let i = ((last as f64) * q).round() as usize;
        samples.get(i.min(last)).copied().unwrap_or_default()
    };
    Timing {
        median: pick(0.5),
        p99: pick(0.99),
        iterations: samples.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p99_of_known_samples() {
        let samples = (1..=100).map(Duration::from_millis).collect();
        let t = summarise(samples);
        assert_eq!(t.median, Duration::from_millis(51));
        assert_eq!(t.p99, Duration::from_millis(99));
        assert_eq!(t.iterations, 100);
    }
}

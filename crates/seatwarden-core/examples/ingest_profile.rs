//! Profiling aid (not a benchmark of record): the `jni.ingest` work of
//! `BridgeBench` in process, without a JVM. Generates N users in the shape
//! and mix BridgeBench writes, then times `add_page_json` and `finish`:
//! wall time, the calling thread's CPU time and the whole process's (which
//! counts `finish`'s second thread too).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::print_stdout)]

use std::fmt::Write as _;
use std::time::Instant;

use seatwarden_core::index::IndexBuilder;

const NOW: i64 = 1_763_690_400_000;
const DAY: i64 = 86_400_000;
const DEPTS: [&str; 8] = [
    "engineering",
    "sales",
    "support",
    "finance",
    "marketing",
    "hr",
    "legal",
    "operations",
];

/// This thread's CPU time in ns (the scheduler's own count, so it stays
/// meaningful on a loaded machine).
fn cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    stat.split_whitespace().next().unwrap().parse().unwrap()
}

/// The process's CPU time in ns, every thread's (ended ones included), from
/// `/proc/self/stat`'s `utime` and `stime`: clock ticks, 100 a second on
/// Linux, so 10 ms steps.
fn process_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command (in parentheses, which may hold spaces).
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `utime` and `stime` are fields 14 and 15, the 12th and 13th here.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks * 10_000_000
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1_000_000, |a| a.parse().unwrap());
    let runs: usize = args.next().map_or(5, |a| a.parse().unwrap());
    let mut x: u64 = 42;
    let mut rnd = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let mut pages = Vec::new();
    let mut i = 0;
    while i < n {
        let mut p = String::with_capacity(10_000 * 256);
        p.push_str("{\"users\":[");
        for j in i..(i + 10_000).min(n) {
            if j > i {
                p.push(',');
            }
            let dept = DEPTS[rnd(8) as usize];
            let mut groups = vec![dept];
            if rnd(100) < 85 {
                groups.push("jira-software-users");
            }
            if rnd(100) < 60 {
                groups.push("confluence-users");
            }
            if rnd(100) < 10 {
                groups.push("contractors");
            }
            let created = NOW - (30 + rnd(3000) as i64) * DAY;
            let last = if rnd(100) < 4 {
                "null".to_owned()
            } else {
                let f = (rnd(1_000_000) as f64) / 1e6;
                created
                    .max(NOW - (f * f * f * 900.0 * DAY as f64) as i64)
                    .to_string()
            };
            let dir = if rnd(100) < 80 { 1 } else { 2 };
            let active = rnd(100) < 92;
            write!(
                p,
                "{{\"key\":\"JIRAUSER{j:07}\",\"username\":\"user{j:07}\",\"displayName\":\"User {j}\",\"email\":\"user{j:07}@example.invalid\",\"directoryId\":{dir},\"active\":{active},\"created\":{created},\"lastLogin\":{last},\"groups\":[{}]}}",
                groups.iter().map(|g| format!("\"{g}\"")).collect::<Vec<_>>().join(",")
            )
            .unwrap();
        }
        p.push_str("]}");
        pages.push(p.into_bytes());
        i += 10_000;
    }
    let mut groups = String::new();
    for d in DEPTS {
        write!(groups, "{{\"name\":\"{d}\"}},").unwrap();
    }
    groups.push_str("{\"name\":\"contractors\"},{\"name\":\"jira-software-users\",\"licence\":true},{\"name\":\"confluence-users\",\"licence\":true}");
    let header = format!(
        "{{\"takenAt\":{NOW},\"directories\":[{{\"id\":1,\"name\":\"Internal\",\"kind\":\"internal\",\"capabilities\":{{\"updateUser\":true}}}},{{\"id\":2,\"name\":\"LDAP\",\"kind\":\"ldap\",\"capabilities\":{{}}}}],\"groups\":[{groups}]}}"
    );
    let mb: usize = pages.iter().map(Vec::len).sum();
    println!("{n} users, {:.1} MB", mb as f64 / 1e6);
    let mut totals = Vec::new();
    let mut cpus = Vec::new();
    let mut process_cpus = Vec::new();
    for _ in 0..runs {
        let p0 = process_cpu_ns();
        let c0 = cpu_ns();
        let t0 = Instant::now();
        let mut b = IndexBuilder::from_header_json(header.as_bytes()).unwrap();
        for p in &pages {
            b.add_page_json(p).unwrap();
        }
        let t1 = Instant::now();
        let index = b.finish().unwrap();
        let t2 = Instant::now();
        let cpu = (cpu_ns() - c0) as f64 / 1e6;
        let process_cpu = (process_cpu_ns() - p0) as f64 / 1e6;
        cpus.push(cpu);
        process_cpus.push(process_cpu);
        println!(
            "cpu {cpu:.1} ms (process {process_cpu:.0} ms); wall: pages {:.1} ms, finish {:.1} ms, total {:.1} ms",
            (t1 - t0).as_secs_f64() * 1e3,
            (t2 - t1).as_secs_f64() * 1e3,
            (t2 - t0).as_secs_f64() * 1e3
        );
        totals.push((t2 - t0).as_secs_f64() * 1e3);
        drop(index);
    }
    totals.sort_by(f64::total_cmp);
    cpus.sort_by(f64::total_cmp);
    process_cpus.sort_by(f64::total_cmp);
    println!(
        "median total (wall) {:.1} ms, median cpu {:.1} ms, median process cpu {:.0} ms",
        totals[totals.len() / 2],
        cpus[cpus.len() / 2],
        process_cpus[process_cpus.len() / 2]
    );
}

//! Schedules: when a scheduled policy runs.
//!
//! Admins think in wall-clock time ("every day at 02:00", "Mondays and
//! Thursdays at 09:00 Berlin time", "the 1st of every month"), so a schedule
//! is a recurrence at a local time of day in an IANA timezone, or a cron
//! expression. Everything is computed in the zone and converted to UTC
//! instants, so daylight-saving changes move the UTC instant, never the local
//! time:
//!
//! - a local time that does not exist (the spring-forward gap) runs at the
//!   first valid minute after the gap;
//! - a local time that exists twice (the autumn fall-back) runs once, at the
//!   earlier of the two instants;
//! - a monthly day that a month does not have (31 in April) runs on that
//!   month's last day.
//!
//! The engine never reads a clock: [`CompiledSchedule::next_after`] takes the
//! instant to start from and [`CompiledSchedule::is_due`] takes `now` and the
//! last run. A schedule that has never run is anchored at the moment it was
//! saved, so if today's time has already passed the first run is the next
//! occurrence, not an immediate catch-up.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::time::Millis;

/// A wall-clock time of day, `HH:MM` in 24-hour form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
}

impl TimeOfDay {
    /// Parses `HH:MM` (`H:MM` is accepted too).
    pub fn parse(text: &str) -> Option<TimeOfDay> {
        let (h, m) = text.split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let hour: u8 = h.parse().ok()?;
        let minute: u8 = m.parse().ok()?;
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        TimeOfDay::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a time HH:MM")))
    }
}

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Parses `mon` … `sun` (case-insensitive, full names accepted).
    pub fn parse(text: &str) -> Option<Weekday> {
        let t = text.to_ascii_lowercase();
        let short = t.get(..3)?;
        let day = match short {
            "mon" => Weekday::Mon,
            "tue" => Weekday::Tue,
            "wed" => Weekday::Wed,
            "thu" => Weekday::Thu,
            "fri" => Weekday::Fri,
            "sat" => Weekday::Sat,
            "sun" => Weekday::Sun,
            _ => return None,
        };
        let full = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        (t.len() == 3 || full.contains(&t.as_str())).then_some(day)
    }

    fn to_chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Mon => chrono::Weekday::Mon,
            Weekday::Tue => chrono::Weekday::Tue,
            Weekday::Wed => chrono::Weekday::Wed,
            Weekday::Thu => chrono::Weekday::Thu,
            Weekday::Fri => chrono::Weekday::Fri,
            Weekday::Sat => chrono::Weekday::Sat,
            Weekday::Sun => chrono::Weekday::Sun,
        }
    }
}

/// How often a schedule fires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "every")]
pub enum Recurrence {
    /// Every day at `at`.
    Daily {
        /// Local time of day.
        at: TimeOfDay,
    },
    /// On the listed weekdays at `at`.
    Weekly {
        /// The weekdays (at least one).
        days: Vec<Weekday>,
        /// Local time of day.
        at: TimeOfDay,
    },
    /// On a day of the month at `at` (clamped to the month's last day).
    Monthly {
        /// 1–31.
        day: u8,
        /// Local time of day.
        at: TimeOfDay,
    },
    /// A cron expression: 5 fields (`min hour dom month dow`) or the `cron`
    /// crate's 6–7 fields with seconds (and year).
    Cron {
        /// The expression.
        expression: String,
    },
}

/// A recurrence in a timezone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// How often.
    #[serde(flatten)]
    pub recurrence: Recurrence,
    /// IANA timezone (e.g. `Europe/Berlin`); the settings' default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// Why a schedule cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Not an IANA timezone name.
    #[error("`{0}` is not an IANA timezone")]
    UnknownTimezone(String),
    /// The cron expression does not parse.
    #[error("`{expression}` is not a valid cron expression: {reason}")]
    BadCron {
        /// The expression.
        expression: String,
        /// The parser's reason.
        reason: String,
    },
    /// A weekly schedule with no weekday.
    #[error("a weekly schedule needs at least one day")]
    NoWeekdays,
    /// A monthly day outside 1–31.
    #[error("day of month must be between 1 and 31")]
    BadMonthDay,
}

/// Parses an IANA timezone name.
pub fn parse_timezone(name: &str) -> Result<Tz, ScheduleError> {
    Tz::from_str(name).map_err(|_| ScheduleError::UnknownTimezone(name.to_owned()))
}

/// Parses a cron expression; 5-field crontab lines get a leading `0` seconds field.
pub fn parse_cron(expression: &str) -> Result<cron::Schedule, ScheduleError> {
    let fields = expression.split_whitespace().count();
    let text = if fields == 5 {
        format!("0 {expression}")
    } else {
        expression.to_owned()
    };
    cron::Schedule::from_str(&text).map_err(|_| ScheduleError::BadCron {
        expression: expression.to_owned(),
        reason: cron_reason(expression),
    })
}

/// The cron parser's reason in an admin's words: which field, and what a
/// field may hold. The parser's own text (`^ The 'Seconds' field does not
/// support using names`, with a caret under the input) is for developers,
/// and its field names count a seconds field the admin never typed; so each
/// field is tried alone to find the one to name.
fn cron_reason(expression: &str) -> String {
    const NAMES: [&str; 5] = ["minute", "hour", "day of month", "month", "day of week"];
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if fields.len() != 5 && fields.len() != 6 {
        return format!(
            "it needs 5 fields ({}) and has {}, e.g. 0 2 * * 1-5",
            NAMES.join(", "),
            fields.len()
        );
    }
    // With 6 fields the first is seconds; name the admin's fields in order.
    let (seconds, rest) = if fields.len() == 6 {
        (
            fields.first().copied().unwrap_or("0"),
            fields.get(1..).unwrap_or_default(),
        )
    } else {
        ("0", fields.as_slice())
    };
    let hint = "use a number, a range (1-5), a list (1,3), a step (*/15) or *";
    // Each field alone among stars: the first that does not parse is the one to name.
    let mut alone = ["*"; 5];
    if cron::Schedule::from_str(&format!("{seconds} * * * * *")).is_err() {
        return format!("the seconds field is not valid: {hint}");
    }
    for (i, field) in rest.iter().enumerate() {
        let Some(slot) = alone.get_mut(i) else { break };
        *slot = field;
        let parses = cron::Schedule::from_str(&format!("0 {}", alone.join(" "))).is_ok();
        if let Some(slot) = alone.get_mut(i) {
            *slot = "*";
        }
        if !parses {
            let name = NAMES.get(i).copied().unwrap_or("a");
            return format!("the {name} field is not valid: {hint}");
        }
    }
    format!("the fields do not fit together (for example day 31 of a 30-day month): {hint}")
}

impl Schedule {
    /// Checks the schedule and prepares it for computing run times.
    /// `default_timezone` applies when the schedule names none.
    pub fn compile(&self, default_timezone: &str) -> Result<CompiledSchedule, ScheduleError> {
        let tz = parse_timezone(self.timezone.as_deref().unwrap_or(default_timezone))?;
        let kind = match &self.recurrence {
            Recurrence::Daily { at } => Kind::Days {
                days: 0x7f,
                at: *at,
            },
            Recurrence::Weekly { days, at } => {
                if days.is_empty() {
                    return Err(ScheduleError::NoWeekdays);
                }
                let mask = days
                    .iter()
                    .fold(0u8, |m, d| m | 1 << d.to_chrono().num_days_from_monday());
                Kind::Days {
                    days: mask,
                    at: *at,
                }
            }
            Recurrence::Monthly { day, at } => {
                if !(1..=31).contains(day) {
                    return Err(ScheduleError::BadMonthDay);
                }
                Kind::Monthly { day: *day, at: *at }
            }
            Recurrence::Cron { expression } => Kind::Cron(Box::new(parse_cron(expression)?)),
        };
        Ok(CompiledSchedule { tz, kind })
    }
}

#[derive(Clone, Debug)]
enum Kind {
    /// Weekday mask (bit 0 = Monday) at a time.
    Days {
        days: u8,
        at: TimeOfDay,
    },
    Monthly {
        day: u8,
        at: TimeOfDay,
    },
    Cron(Box<cron::Schedule>),
}

/// A validated schedule, ready to compute run times.
#[derive(Clone, Debug)]
pub struct CompiledSchedule {
    tz: Tz,
    kind: Kind,
}

/// How many local days ahead [`CompiledSchedule::next_after`] looks before
/// giving up (more than a year: every recurrence fires within it).
const HORIZON_DAYS: i64 = 400;

impl CompiledSchedule {
    /// The timezone runs are computed in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The first run strictly after `after`, or `None` if there is none
    /// within the horizon (a cron expression for a past year).
    pub fn next_after(&self, after: Millis) -> Option<Millis> {
        let after_utc = after.to_datetime()?;
        let local = after_utc.with_timezone(&self.tz);
        match &self.kind {
            Kind::Cron(schedule) => schedule
                .after(&local)
                .next()
                .map(|t| Millis(t.timestamp_millis())),
            Kind::Days { days, at } => {
                let start = local.date_naive();
                (0..=HORIZON_DAYS).find_map(|offset| {
                    let date = start.checked_add_signed(Duration::days(offset))?;
                    let bit = 1u8 << date.weekday().num_days_from_monday();
                    if days & bit == 0 {
                        return None;
                    }
                    self.instant(date, *at).filter(|t| *t > after)
                })
            }
            Kind::Monthly { day, at } => {
                let start = local.date_naive();
                (0..=HORIZON_DAYS).find_map(|offset| {
                    let date = start.checked_add_signed(Duration::days(offset))?;
                    let wanted = u32::from(*day).min(days_in_month(date));
                    if date.day() != wanted {
                        return None;
                    }
                    self.instant(date, *at).filter(|t| *t > after)
                })
            }
        }
    }

    /// True when a run is due at `now`: the first run after `anchor` (the last
    /// run, or when the schedule was saved if it never ran) is not after `now`.
    pub fn is_due(&self, anchor: Millis, now: Millis) -> bool {
        self.next_after(anchor).is_some_and(|next| next <= now)
    }

    /// The UTC instant of local `date` at `at`, resolving DST gaps and folds.
    fn instant(&self, date: NaiveDate, at: TimeOfDay) -> Option<Millis> {
        let naive = date.and_hms_opt(u32::from(at.hour), u32::from(at.minute), 0)?;
        resolve_local(&self.tz, naive).map(|t| Millis(t.timestamp_millis()))
    }
}

/// A local date-time in `tz`: the earlier instant when it exists twice, the
/// first valid minute after the gap when it does not exist.
fn resolve_local(tz: &Tz, naive: NaiveDateTime) -> Option<DateTime<Tz>> {
    // Gaps are at most a few hours (historically up to a day when a zone
    // skipped a date); search minute by minute up to 26 hours.
    (0..=26 * 60).find_map(|minutes| {
        let candidate = naive.checked_add_signed(Duration::minutes(minutes))?;
        match tz.from_local_datetime(&candidate) {
            LocalResult::Single(t) => Some(t),
            LocalResult::Ambiguous(earlier, _) => Some(earlier),
            LocalResult::None => None,
        }
    })
}

fn days_in_month(date: NaiveDate) -> u32 {
    let (y, m) = (date.year(), date.month());
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

#[cfg(test)]
mod tests {

    #[test]
    fn cron_errors_name_the_field_in_words() {
        let e = parse_cron("0 2 * *").unwrap_err().to_string();
        assert!(e.contains("needs 5 fields") && e.contains("has 4"), "{e}");
        let e = parse_cron("0 2 * * MONX").unwrap_err().to_string();
        assert!(e.contains("the day of week field is not valid"), "{e}");
        let e = parse_cron("61 2 * * *").unwrap_err().to_string();
        assert!(e.contains("the minute field is not valid"), "{e}");
        assert!(!e.contains('^') && !e.contains("does not support"), "{e}");
    }
    use super::*;

    fn at(text: &str) -> Millis {
        Millis::parse_rfc3339(text).unwrap()
    }

    fn daily(time: &str, tz: &str) -> CompiledSchedule {
        Schedule {
            recurrence: Recurrence::Daily {
                at: TimeOfDay::parse(time).unwrap(),
            },
            timezone: Some(tz.to_owned()),
        }
        .compile("UTC")
        .unwrap()
    }

    #[test]
    fn time_of_day_parses_and_rejects() {
        assert_eq!(TimeOfDay::parse("02:00").unwrap().to_string(), "02:00");
        assert_eq!(TimeOfDay::parse("9:05").unwrap().to_string(), "09:05");
        for bad in ["24:00", "12:60", "1200", "12:5", "", "ab:cd", "-1:00"] {
            assert!(TimeOfDay::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn daily_time_already_passed_runs_next_day() {
        let s = daily("02:00", "UTC");
        assert_eq!(
            s.next_after(at("2026-11-21T03:00:00Z")),
            Some(at("2026-11-22T02:00:00Z"))
        );
        assert_eq!(
            s.next_after(at("2026-11-21T01:00:00Z")),
            Some(at("2026-11-21T02:00:00Z"))
        );
        // Exactly at the run time: strictly after, so the next day.
        assert_eq!(
            s.next_after(at("2026-11-21T02:00:00Z")),
            Some(at("2026-11-22T02:00:00Z"))
        );
    }

    #[test]
    fn spring_forward_gap_runs_after_the_gap() {
        // Europe/Berlin jumps from 02:00 to 03:00 on 2026-03-29.
        let s = daily("02:30", "Europe/Berlin");
        assert_eq!(
            s.next_after(at("2026-03-28T12:00:00Z")),
            Some(at("2026-03-29T01:00:00Z")) // 03:00 CEST
        );
    }

    #[test]
    fn fall_back_fold_runs_once_at_the_earlier_instant() {
        // Europe/Berlin repeats 02:00–03:00 on 2026-10-25.
        let s = daily("02:30", "Europe/Berlin");
        let first = s.next_after(at("2026-10-24T12:00:00Z")).unwrap();
        assert_eq!(first, at("2026-10-25T00:30:00Z")); // 02:30 CEST
        let second = s.next_after(first).unwrap();
        assert_eq!(second, at("2026-10-26T01:30:00Z")); // 02:30 CET next day
    }

    #[test]
    fn weekly_picks_listed_days() {
        let s = Schedule {
            recurrence: Recurrence::Weekly {
                days: vec![Weekday::Mon, Weekday::Thu],
                at: TimeOfDay::parse("09:00").unwrap(),
            },
            timezone: None,
        }
        .compile("UTC")
        .unwrap();
        // 2026-11-21 is a Saturday.
        let next = s.next_after(at("2026-11-21T10:00:00Z")).unwrap();
        assert_eq!(next, at("2026-11-23T09:00:00Z"));
        assert_eq!(s.next_after(next), Some(at("2026-11-26T09:00:00Z")));
    }

    #[test]
    fn monthly_clamps_to_month_end() {
        let s = Schedule {
            recurrence: Recurrence::Monthly {
                day: 31,
                at: TimeOfDay::parse("01:00").unwrap(),
            },
            timezone: None,
        }
        .compile("UTC")
        .unwrap();
        assert_eq!(
            s.next_after(at("2026-11-01T00:00:00Z")),
            Some(at("2026-11-30T01:00:00Z"))
        );
        assert_eq!(
            s.next_after(at("2026-11-30T01:00:00Z")),
            Some(at("2026-12-31T01:00:00Z"))
        );
    }

    #[test]
    fn cron_five_fields_in_timezone() {
        let s = Schedule {
            recurrence: Recurrence::Cron {
                expression: "0 2 * * *".into(),
            },
            timezone: Some("America/New_York".into()),
        }
        .compile("UTC")
        .unwrap();
        assert_eq!(
            s.next_after(at("2026-11-21T00:00:00Z")),
            Some(at("2026-11-21T07:00:00Z"))
        );
    }

    #[test]
    fn due_now_given_last_run() {
        let s = daily("02:00", "UTC");
        let last = at("2026-11-20T02:00:00Z");
        assert!(!s.is_due(last, at("2026-11-21T01:59:59Z")));
        assert!(s.is_due(last, at("2026-11-21T02:00:00Z")));
        assert!(s.is_due(last, at("2026-11-23T00:00:00Z")));
    }

    #[test]
    fn bad_inputs_are_rejected() {
        let bad_tz = Schedule {
            recurrence: Recurrence::Daily {
                at: TimeOfDay::parse("02:00").unwrap(),
            },
            timezone: Some("Mars/Olympus".into()),
        };
        assert_eq!(
            bad_tz.compile("UTC").unwrap_err(),
            ScheduleError::UnknownTimezone("Mars/Olympus".into())
        );
        assert!(parse_cron("not cron").is_err());
        let no_days = Schedule {
            recurrence: Recurrence::Weekly {
                days: vec![],
                at: TimeOfDay::parse("02:00").unwrap(),
            },
            timezone: None,
        };
        assert_eq!(
            no_days.compile("UTC").unwrap_err(),
            ScheduleError::NoWeekdays
        );
    }
}

//! The strict, path-precise parser of the configuration document.
//!
//! serde's derive stops at the first error and reports a line and column; an
//! admin fixing a document wants every problem at once, named by where it is
//! in the document. So this walks the JSON tree by hand: each reader records
//! an issue (path + message) and carries on with a placeholder, unknown
//! fields are reported too, and only a document with no issue at all becomes
//! a [`Config`].

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{
    ApplicationThreshold, CONFIG_VERSION, Config, ConfigError, ConfigIssue, DeactivationTimeSource,
    GuardSettings, HealthSettings, LicenceAlertSettings, Settings,
};
use crate::model::{ApplicationKey, DirectoryId, GroupName, UserKey};
use crate::operation::Handover;
use crate::policy::{
    Action, Condition, DirectorySelection, FloatingRule, Inactivity, Mode, Policy, PolicyId,
    ReadOnlyHandling, Scope, Target, Trigger, WarningSettings,
};
use crate::schedule::{Recurrence, Schedule, TimeOfDay, Weekday, parse_cron, parse_timezone};

/// The largest day threshold accepted (100 years).
const MAX_DAYS: u32 = 36_500;

/// Collected issues.
#[derive(Default)]
struct Walk {
    issues: Vec<ConfigIssue>,
}

impl Walk {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(ConfigIssue {
            path: path.to_owned(),
            message: message.into(),
        });
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A JSON object being read; remembers which keys were read so the rest can
/// be reported as unknown.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
    known: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    fn new(w: &mut Walk, value: &'a Value, path: String) -> Option<Obj<'a>> {
        match value.as_object() {
            Some(map) => Some(Obj {
                map,
                path,
                known: Vec::new(),
            }),
            None => {
                w.err(&path, "must be an object");
                None
            }
        }
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value of `key`; `null` counts as absent.
    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn finish(self, w: &mut Walk) {
        for key in self.map.keys() {
            if !self.known.contains(&key.as_str()) {
                w.err(&join(&self.path, key), "unknown field");
            }
        }
    }

    /// A whole number in `min..=max`; `default` when absent (required when `None`).
    fn uint(
        &mut self,
        w: &mut Walk,
        key: &'static str,
        default: Option<u32>,
        min: u32,
        max: u32,
    ) -> Option<u32> {
        let path = self.at(key);
        match self.get(key) {
            None => {
                if default.is_none() {
                    w.err(&path, "is required");
                }
                default
            }
            Some(v) => match v.as_u64() {
                Some(n) if n < u64::from(min) => {
                    w.err(&path, format!("must be ≥ {min}"));
                    None
                }
                Some(n) if n > u64::from(max) => {
                    w.err(&path, format!("must be ≤ {max}"));
                    None
                }
                Some(n) => u32::try_from(n).ok(),
                None => {
                    if v.as_i64().is_some() {
                        w.err(&path, format!("must be ≥ {min}"));
                    } else {
                        w.err(&path, "must be a whole number");
                    }
                    None
                }
            },
        }
    }

    fn int(&mut self, w: &mut Walk, key: &'static str, default: i32) -> i32 {
        let path = self.at(key);
        match self.get(key) {
            None => default,
            Some(v) => match v.as_i64().and_then(|n| i32::try_from(n).ok()) {
                Some(n) => n,
                None => {
                    w.err(&path, "must be a whole number");
                    default
                }
            },
        }
    }

    fn boolean(&mut self, w: &mut Walk, key: &'static str, default: bool) -> bool {
        let path = self.at(key);
        match self.get(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                w.err(&path, "must be true or false");
                default
            }
        }
    }

    /// A string; required when `required`, `None` when absent and optional.
    fn string(&mut self, w: &mut Walk, key: &'static str, required: bool) -> Option<String> {
        let path = self.at(key);
        match self.get(key) {
            None => {
                if required {
                    w.err(&path, "is required");
                }
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                w.err(&path, "must be a string");
                None
            }
        }
    }

    /// A list of strings, each non-blank; empty when absent.
    fn strings(&mut self, w: &mut Walk, key: &'static str) -> Vec<String> {
        let path = self.at(key);
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item.as_str() {
                    Some(s) if !s.trim().is_empty() => Some(s.to_owned()),
                    Some(_) => {
                        w.err(&format!("{path}[{i}]"), "must not be blank");
                        None
                    }
                    None => {
                        w.err(&format!("{path}[{i}]"), "must be a string");
                        None
                    }
                })
                .collect(),
            Some(_) => {
                w.err(&path, "must be a list of strings");
                Vec::new()
            }
        }
    }

    fn groups(&mut self, w: &mut Walk, key: &'static str, required: bool) -> Vec<GroupName> {
        let path = self.at(key);
        let present = self.map.get(key).is_some_and(|v| !v.is_null());
        let groups: Vec<GroupName> = self.strings(w, key).into_iter().map(GroupName).collect();
        if required && groups.is_empty() {
            if present {
                w.err(&path, "must name at least one group");
            } else {
                w.err(&path, "is required");
            }
        }
        groups
    }

    /// One of `choices`; `default` when absent (required when `None`).
    fn choice(
        &mut self,
        w: &mut Walk,
        key: &'static str,
        choices: &[&'static str],
        default: Option<&'static str>,
    ) -> Option<&'static str> {
        let path = self.at(key);
        match self.get(key) {
            None => {
                if default.is_none() {
                    w.err(&path, "is required");
                }
                default
            }
            Some(Value::String(s)) => match choices.iter().find(|c| **c == s.as_str()) {
                Some(c) => Some(*c),
                None => {
                    w.err(
                        &path,
                        format!("`{s}` is not one of {}", backticked(choices)),
                    );
                    None
                }
            },
            Some(_) => {
                w.err(&path, format!("must be one of {}", backticked(choices)));
                None
            }
        }
    }

    fn object(&mut self, w: &mut Walk, key: &'static str) -> Option<Obj<'a>> {
        let path = self.at(key);
        self.get(key).and_then(|v| Obj::new(w, v, path))
    }
}

fn backticked(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a migrated document.
pub(super) fn parse(value: &Value) -> Result<Config, ConfigError> {
    let mut w = Walk::default();
    let Some(mut root) = Obj::new(&mut w, value, String::new()) else {
        return Err(ConfigError::Invalid(w.issues));
    };
    // The version was checked and normalised by the migration.
    let _ = root.get("version");
    let settings = match root.object(&mut w, "settings") {
        Some(obj) => settings(&mut w, obj),
        None => Settings::default(),
    };
    let mut policies = Vec::new();
    match root.get("policies") {
        None => {}
        Some(Value::Array(items)) => {
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (i, item) in items.iter().enumerate() {
                let path = format!("policies[{i}]");
                if let Some(obj) = Obj::new(&mut w, item, path.clone())
                    && let Some(p) = policy(&mut w, obj, &settings)
                {
                    if let Some(first) = seen.get(p.id.as_str()) {
                        w.err(
                            &format!("{path}.id"),
                            format!("`{}` is already used by policies[{first}]", p.id),
                        );
                    } else {
                        seen.insert(p.id.0.clone(), i);
                    }
                    policies.push(p);
                }
            }
        }
        Some(_) => w.err("policies", "must be a list"),
    }
    root.finish(&mut w);
    if w.issues.is_empty() {
        Ok(Config {
            version: CONFIG_VERSION,
            settings,
            policies,
        })
    } else {
        Err(ConfigError::Invalid(w.issues))
    }
}

fn settings(w: &mut Walk, mut obj: Obj<'_>) -> Settings {
    let d = Settings::default();
    let protected_groups = obj.groups(w, "protectedGroups", false);
    let timezone = match obj.string(w, "timezone", false) {
        Some(tz) => {
            if parse_timezone(&tz).is_err() {
                w.err(
                    &obj.at("timezone"),
                    format!("`{tz}` is not an IANA timezone"),
                );
            }
            tz
        }
        None => d.timezone.clone(),
    };
    let scheduler_at = time_of_day(w, &mut obj, "schedulerAt", false).unwrap_or(d.scheduler_at);
    let guard = match obj.object(w, "guard") {
        Some(mut g) => {
            let dg = GuardSettings::default();
            let s = GuardSettings {
                enabled: g.boolean(w, "enabled", dg.enabled),
                max_accounts: g
                    .uint(w, "maxAccounts", Some(dg.max_accounts), 1, u32::MAX)
                    .unwrap_or(dg.max_accounts),
                max_percent: g
                    .uint(w, "maxPercent", Some(dg.max_percent), 1, 100)
                    .unwrap_or(dg.max_percent),
                min_licensed: g
                    .uint(w, "minLicensed", Some(dg.min_licensed), 0, u32::MAX)
                    .unwrap_or(dg.min_licensed),
            };
            g.finish(w);
            s
        }
        None => d.guard,
    };
    let health = match obj.object(w, "health") {
        Some(mut h) => {
            let dh = HealthSettings::default();
            let s = HealthSettings {
                enabled: h.boolean(w, "enabled", dh.enabled),
                max_days_without_login: h
                    .uint(
                        w,
                        "maxDaysWithoutLogin",
                        Some(dh.max_days_without_login),
                        1,
                        MAX_DAYS,
                    )
                    .unwrap_or(dh.max_days_without_login),
                max_never_logged_in_jump_points: h
                    .uint(
                        w,
                        "maxNeverLoggedInJumpPoints",
                        Some(dh.max_never_logged_in_jump_points),
                        1,
                        100,
                    )
                    .unwrap_or(dh.max_never_logged_in_jump_points),
            };
            h.finish(w);
            s
        }
        None => d.health,
    };
    let licence_alert = match obj.object(w, "licenceAlert") {
        Some(a) => licence_alert(w, a),
        None => d.licence_alert.clone(),
    };
    let audit_retention_days = obj
        .uint(
            w,
            "auditRetentionDays",
            Some(d.audit_retention_days),
            0,
            MAX_DAYS,
        )
        .unwrap_or(d.audit_retention_days);
    let once_logged_in_window_hours = obj
        .uint(
            w,
            "onceLoggedInWindowHours",
            Some(d.once_logged_in_window_hours),
            1,
            24 * 365,
        )
        .unwrap_or(d.once_logged_in_window_hours);
    let deactivation_time = match obj.choice(
        w,
        "deactivationTime",
        &["latest", "host_first", "audit_first"],
        Some("latest"),
    ) {
        Some("host_first") => DeactivationTimeSource::HostFirst,
        Some("audit_first") => DeactivationTimeSource::AuditFirst,
        _ => DeactivationTimeSource::Latest,
    };
    obj.finish(w);
    Settings {
        protected_groups,
        timezone,
        scheduler_at,
        guard,
        health,
        licence_alert,
        audit_retention_days,
        once_logged_in_window_hours,
        deactivation_time,
    }
}

fn licence_alert(w: &mut Walk, mut a: Obj<'_>) -> LicenceAlertSettings {
    let d = LicenceAlertSettings::default();
    let enabled = a.boolean(w, "enabled", d.enabled);
    let percent = a
        .uint(w, "percent", Some(d.percent), 1, 100)
        .unwrap_or(d.percent);
    let mut applications = Vec::new();
    let apps_path = a.at("applications");
    match a.get("applications") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(mut o) = Obj::new(w, item, format!("{apps_path}[{i}]")) {
                    let app = o.string(w, "application", true);
                    let p = o.uint(w, "percent", None, 1, 100);
                    o.finish(w);
                    if let (Some(app), Some(percent)) = (app, p) {
                        applications.push(ApplicationThreshold {
                            application: ApplicationKey(app),
                            percent,
                        });
                    }
                }
            }
        }
        Some(_) => w.err(&apps_path, "must be a list"),
    }
    let recipients_path = a.at("recipients");
    let recipients = a.strings(w, "recipients");
    for (i, r) in recipients.iter().enumerate() {
        if !looks_like_address(r) {
            w.err(
                &format!("{recipients_path}[{i}]"),
                "is not an email address",
            );
        }
    }
    if enabled && recipients.is_empty() {
        w.err(
            &recipients_path,
            "an enabled alert needs at least one recipient",
        );
    }
    a.finish(w);
    LicenceAlertSettings {
        enabled,
        percent,
        applications,
        recipients,
    }
}

fn looks_like_address(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn time_of_day(
    w: &mut Walk,
    obj: &mut Obj<'_>,
    key: &'static str,
    required: bool,
) -> Option<TimeOfDay> {
    let path = obj.at(key);
    let text = obj.string(w, key, required)?;
    let t = TimeOfDay::parse(&text);
    if t.is_none() {
        w.err(&path, format!("`{text}` is not a time HH:MM (00:00–23:59)"));
    }
    t
}

fn policy(w: &mut Walk, mut obj: Obj<'_>, settings: &Settings) -> Option<Policy> {
    let before = w.issues.len();
    let id_path = obj.at("id");
    let id = obj.string(w, "id", true).unwrap_or_default();
    if obj.map.contains_key("id") && !valid_id(&id) {
        w.err(
            &id_path,
            "must be 1–64 characters of letters, digits, `-`, `_` or `.`",
        );
    }
    let name = obj.string(w, "name", false).unwrap_or_else(|| id.clone());
    let enabled = obj.boolean(w, "enabled", true);
    let mode = match obj.choice(w, "mode", &["safe", "live"], Some("safe")) {
        Some("live") => Mode::Live,
        _ => Mode::Safe,
    };
    let priority = obj.int(w, "priority", 0);
    let action = obj.object(w, "action").and_then(|a| action(w, a));
    if !obj.map.contains_key("action") {
        w.err(&obj.at("action"), "is required");
    }
    let login = action.as_ref().is_some_and(Action::is_login);
    let trigger_path = obj.at("trigger");
    let trigger = match obj.object(w, "trigger") {
        Some(t) => trigger(w, t, settings),
        None => Some(if login {
            Trigger::Login
        } else {
            Trigger::Scheduler
        }),
    };
    let scope = match obj.object(w, "scope") {
        Some(s) => scope(w, s),
        None => Scope::default(),
    };
    let condition_path = obj.at("condition");
    let condition = match obj.object(w, "condition") {
        Some(c) => condition(w, c),
        None => Some(if login {
            Condition::Login
        } else if matches!(action, Some(Action::Delete)) {
            Condition::Deactivated { days: 30 }
        } else {
            Condition::Inactive(Inactivity {
                days: 30,
                never_logged_in_days: None,
                once_logged_in_days: None,
            })
        }),
    };
    let warning_path = obj.at("warning");
    let warning = obj.object(w, "warning").and_then(|o| warning(w, o));
    obj.finish(w);

    // Cross-field rules.
    if let (Some(action), Some(trigger), Some(condition)) = (&action, &trigger, &condition) {
        let login_trigger = matches!(trigger, Trigger::Login);
        if action.is_login() != login_trigger {
            w.err(
                &join(&trigger_path, "kind"),
                if login_trigger {
                    format!("`{}` runs on a schedule, not at login", action.kind_name())
                } else {
                    format!("`{}` runs at login, not on a schedule", action.kind_name())
                },
            );
        }
        let condition_ok = matches!(
            (action, condition),
            (
                Action::FloatingLicence { .. } | Action::Reactivate { .. },
                Condition::Login
            ) | (Action::Delete, Condition::Deactivated { .. })
                | (
                    Action::Deactivate { .. }
                        | Action::RemoveGroups { .. }
                        | Action::RemoveLicenceGroups { .. }
                        | Action::AddGroups { .. },
                    Condition::Inactive(_),
                )
        );
        if !condition_ok {
            let wanted = match action {
                Action::FloatingLicence { .. } | Action::Reactivate { .. } => "login",
                Action::Delete => "deactivated",
                _ => "inactive",
            };
            w.err(
                &join(&condition_path, "kind"),
                format!("`{}` needs condition `{wanted}`", action.kind_name()),
            );
        }
        if let Some(warn) = &warning {
            match condition {
                Condition::Inactive(inactivity) => {
                    let smallest = [
                        Some(inactivity.days),
                        inactivity.never_logged_in_days,
                        inactivity.once_logged_in_days,
                    ]
                    .into_iter()
                    .flatten()
                    .min()
                    .unwrap_or(inactivity.days);
                    if warn.days_before >= smallest {
                        w.err(
                            &join(&warning_path, "daysBefore"),
                            format!("must be less than the condition's {smallest} days"),
                        );
                    }
                    if warn.never_logged_in && inactivity.never_logged_in_days.is_none() {
                        w.err(
                            &join(&warning_path, "neverLoggedIn"),
                            "the condition does not include never-logged-in users",
                        );
                    }
                }
                Condition::Deactivated { days } => {
                    if warn.days_before >= *days {
                        w.err(
                            &join(&warning_path, "daysBefore"),
                            format!("must be less than the condition's {days} days"),
                        );
                    }
                }
                Condition::Login => {
                    w.err(&warning_path, "login policies send no warnings");
                }
            }
        }
    }
    if w.issues.len() > before {
        return None;
    }
    Some(Policy {
        id: PolicyId(id),
        name,
        enabled,
        mode,
        priority,
        trigger: trigger?,
        scope,
        condition: condition?,
        action: action?,
        warning,
    })
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn trigger(w: &mut Walk, mut obj: Obj<'_>, settings: &Settings) -> Option<Trigger> {
    let kind = obj.choice(w, "kind", &["scheduler", "schedule", "login"], None);
    let t = match kind {
        Some("scheduler") => Some(Trigger::Scheduler),
        Some("login") => Some(Trigger::Login),
        Some("schedule") => {
            let path = obj.at("schedule");
            match obj.object(w, "schedule") {
                Some(s) => schedule(w, s, settings).map(|schedule| Trigger::Schedule { schedule }),
                None => {
                    w.err(&path, "is required");
                    None
                }
            }
        }
        _ => None,
    };
    obj.finish(w);
    t
}

fn schedule(w: &mut Walk, mut obj: Obj<'_>, settings: &Settings) -> Option<Schedule> {
    let every = obj.choice(w, "every", &["daily", "weekly", "monthly", "cron"], None);
    let timezone = obj.string(w, "timezone", false);
    if let Some(tz) = &timezone
        && parse_timezone(tz).is_err()
    {
        w.err(
            &obj.at("timezone"),
            format!("`{tz}` is not an IANA timezone"),
        );
    }
    let recurrence = match every {
        Some("daily") => time_of_day(w, &mut obj, "at", true).map(|at| Recurrence::Daily { at }),
        Some("weekly") => {
            let days_path = obj.at("days");
            let names = obj.strings(w, "days");
            let mut days = Vec::new();
            for (i, name) in names.iter().enumerate() {
                match Weekday::parse(name) {
                    Some(d) if !days.contains(&d) => days.push(d),
                    Some(_) => w.err(
                        &format!("{days_path}[{i}]"),
                        format!("`{name}` is listed twice"),
                    ),
                    None => w.err(
                        &format!("{days_path}[{i}]"),
                        format!("`{name}` is not a weekday (`mon` … `sun`)"),
                    ),
                }
            }
            if names.is_empty() {
                w.err(&days_path, "must name at least one weekday");
            }
            days.sort();
            let at = time_of_day(w, &mut obj, "at", true);
            at.map(|at| Recurrence::Weekly { days, at })
        }
        Some("monthly") => {
            let day = obj.uint(w, "day", None, 1, 31);
            let at = time_of_day(w, &mut obj, "at", true);
            match (day, at) {
                (Some(day), Some(at)) => u8::try_from(day)
                    .ok()
                    .map(|day| Recurrence::Monthly { day, at }),
                _ => None,
            }
        }
        Some("cron") => {
            let path = obj.at("expression");
            let expression = obj.string(w, "expression", true);
            expression.and_then(|e| match parse_cron(&e) {
                Ok(_) => Some(Recurrence::Cron { expression: e }),
                Err(err) => {
                    w.err(&path, err.to_string());
                    None
                }
            })
        }
        _ => None,
    };
    obj.finish(w);
    let schedule = Schedule {
        recurrence: recurrence?,
        timezone,
    };
    // Everything was checked above; compile to be sure the two agree.
    schedule.compile(&settings.timezone).ok().map(|_| schedule)
}

fn scope(w: &mut Walk, mut obj: Obj<'_>) -> Scope {
    let directories = match obj.object(w, "directories") {
        Some(mut d) => {
            let kind = d.choice(w, "kind", &["all", "only"], None);
            let ids_path = d.at("ids");
            let sel = match kind {
                Some("only") => match d.get("ids") {
                    Some(Value::Array(items)) if !items.is_empty() => {
                        let mut ids = Vec::new();
                        for (i, item) in items.iter().enumerate() {
                            match item.as_i64() {
                                Some(id) => ids.push(DirectoryId(id)),
                                None => w.err(
                                    &format!("{ids_path}[{i}]"),
                                    "must be a directory id (a whole number)",
                                ),
                            }
                        }
                        DirectorySelection::Only(ids)
                    }
                    Some(Value::Array(_)) => {
                        w.err(&ids_path, "must name at least one directory");
                        DirectorySelection::All
                    }
                    Some(_) => {
                        w.err(&ids_path, "must be a list of directory ids");
                        DirectorySelection::All
                    }
                    None => {
                        w.err(&ids_path, "is required");
                        DirectorySelection::All
                    }
                },
                _ => DirectorySelection::All,
            };
            d.finish(w);
            sel
        }
        None => DirectorySelection::All,
    };
    let read_only = match obj.choice(w, "readOnly", &["skip", "membership_only"], Some("skip")) {
        Some("membership_only") => ReadOnlyHandling::MembershipOnly,
        _ => ReadOnlyHandling::Skip,
    };
    let target = match obj.object(w, "target") {
        Some(mut t) => {
            let kind = t.choice(w, "kind", &["all_except_protected", "only_groups"], None);
            let target = match kind {
                Some("only_groups") => Target::OnlyGroups(t.groups(w, "groups", true)),
                _ => Target::AllExceptProtected,
            };
            t.finish(w);
            target
        }
        None => Target::AllExceptProtected,
    };
    let exclude_groups = obj.groups(w, "excludeGroups", false);
    obj.finish(w);
    Scope {
        directories,
        read_only,
        target,
        exclude_groups,
    }
}

fn condition(w: &mut Walk, mut obj: Obj<'_>) -> Option<Condition> {
    let kind = obj.choice(w, "kind", &["inactive", "deactivated", "login"], None);
    let c = match kind {
        Some("inactive") => {
            let days = obj.uint(w, "days", Some(30), 1, MAX_DAYS);
            let never = obj.uint(w, "neverLoggedInDays", Some(0), 1, MAX_DAYS);
            let once = obj.uint(w, "onceLoggedInDays", Some(0), 1, MAX_DAYS);
            // `Some(0)` above is the "absent" marker (0 itself is rejected by `min`).
            days.map(|days| {
                Condition::Inactive(Inactivity {
                    days,
                    never_logged_in_days: never.filter(|d| *d > 0),
                    once_logged_in_days: once.filter(|d| *d > 0),
                })
            })
        }
        Some("deactivated") => obj
            .uint(w, "days", Some(30), 1, MAX_DAYS)
            .map(|days| Condition::Deactivated { days }),
        Some("login") => Some(Condition::Login),
        _ => None,
    };
    obj.finish(w);
    c
}

fn action(w: &mut Walk, mut obj: Obj<'_>) -> Option<Action> {
    let kind = obj.choice(
        w,
        "kind",
        &[
            "deactivate",
            "remove_groups",
            "remove_licence_groups",
            "add_groups",
            "delete",
            "floating_licence",
            "reactivate",
        ],
        None,
    );
    let a = match kind {
        Some("deactivate") => {
            let suffix_path = obj.at("renameSuffix");
            let rename_suffix = obj.string(w, "renameSuffix", false);
            if let Some(s) = &rename_suffix
                && (s.is_empty()
                    || s.len() > 40
                    || s.chars().any(|c| c.is_whitespace() || c.is_control()))
            {
                w.err(&suffix_path, "must be 1–40 characters without spaces");
            }
            let handover = obj.object(w, "handover").and_then(|h| handover(w, h));
            Some(Action::Deactivate {
                rename_suffix,
                handover,
            })
        }
        Some("remove_groups") => Some(Action::RemoveGroups {
            groups: obj.groups(w, "groups", true),
        }),
        Some("remove_licence_groups") => Some(Action::RemoveLicenceGroups {
            applications: obj
                .strings(w, "applications")
                .into_iter()
                .map(ApplicationKey)
                .collect(),
        }),
        Some("add_groups") => Some(Action::AddGroups {
            groups: obj.groups(w, "groups", true),
        }),
        Some("delete") => Some(Action::Delete),
        Some("floating_licence") => {
            let path = obj.at("rules");
            let mut rules = Vec::new();
            match obj.get("rules") {
                Some(Value::Array(items)) if !items.is_empty() => {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(mut r) = Obj::new(w, item, format!("{path}[{i}]")) {
                            let source_groups = r.groups(w, "sourceGroups", true);
                            let target_groups = r.groups(w, "targetGroups", true);
                            r.finish(w);
                            rules.push(FloatingRule {
                                source_groups,
                                target_groups,
                            });
                        }
                    }
                }
                Some(Value::Array(_)) => w.err(&path, "must hold at least one rule"),
                Some(_) => w.err(&path, "must be a list of rules"),
                None => w.err(&path, "is required"),
            }
            Some(Action::FloatingLicence { rules })
        }
        Some("reactivate") => Some(Action::Reactivate {
            restricted_groups: obj.groups(w, "restrictedGroups", false),
            add_groups: obj.groups(w, "addGroups", false),
            remove_groups: obj.groups(w, "removeGroups", false),
        }),
        _ => None,
    };
    obj.finish(w);
    a
}

fn handover(w: &mut Walk, mut obj: Obj<'_>) -> Option<Handover> {
    let to = obj.choice(w, "to", &["unassigned", "project_lead", "user"], None);
    let user_path = obj.at("user");
    let h = match to {
        Some("unassigned") => Some(Handover::Unassigned),
        Some("project_lead") => Some(Handover::ProjectLead),
        Some("user") => match obj.string(w, "user", false) {
            Some(k) if !k.trim().is_empty() => Some(Handover::User(UserKey(k))),
            Some(_) => {
                w.err(&user_path, "must not be blank");
                None
            }
            None => {
                w.err(
                    &user_path,
                    "is required (the key of the user who takes over)",
                );
                None
            }
        },
        _ => None,
    };
    obj.finish(w);
    h
}

fn warning(w: &mut Walk, mut obj: Obj<'_>) -> Option<WarningSettings> {
    let days_before = obj.uint(w, "daysBefore", None, 1, MAX_DAYS);
    let never_logged_in = obj.boolean(w, "neverLoggedIn", false);
    let template = obj.string(w, "template", false);
    obj.finish(w);
    days_before.map(|days_before| WarningSettings {
        days_before,
        never_logged_in,
        template,
    })
}

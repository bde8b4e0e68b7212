//! The strict, path-precise parser of the configuration document.
//!
//! serde's derive stops at the first error and reports a line and column; an
//! admin fixing a document wants every problem at once, named by where it is
//! in the document. So this walks the JSON tree by hand: each reader records
//! an issue (path + message) and carries on with a placeholder, unknown
//! fields are reported too, and only a document with no issue at all becomes
//! a [`Config`].

mod costs;
mod policy;
mod walk;

use std::collections::HashMap;

use serde_json::Value;

use policy::policy;
use walk::{MAX_DAYS, Obj, Walk};

use super::{
    AdminMailSettings, ApplicationThreshold, CONFIG_VERSION, Config, ConfigError,
    DeactivationTimeSource, GuardSettings, HealthSettings, LicenceAlertSettings, LoginSettings,
    Settings,
};
use crate::activity::ActivitySettings;
use crate::model::{ApplicationKey, DirectoryId};
use crate::schedule::{TimeOfDay, parse_timezone};

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
                        seen.insert(p.id.0.to_string(), i);
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
    let admin_mail = match obj.object(w, "adminMail") {
        Some(mut a) => {
            let path = a.at("recipients");
            let recipients = a.strings(w, "recipients");
            for (i, r) in recipients.iter().enumerate() {
                if !looks_like_address(r) {
                    w.err(&format!("{path}[{i}]"), "is not an email address");
                }
            }
            a.finish(w);
            AdminMailSettings { recipients }
        }
        None => d.admin_mail.clone(),
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
    let login = match obj.object(w, "login") {
        Some(l) => login(w, l),
        None => d.login.clone(),
    };
    let activity = match obj.object(w, "activity") {
        Some(mut a) => {
            let da = ActivitySettings::default();
            let s = ActivitySettings {
                login: a.boolean(w, "login", da.login),
                last_authenticated: a.boolean(w, "lastAuthenticated", da.last_authenticated),
                seen: a.boolean(w, "seen", da.seen),
            };
            if !(s.login || s.last_authenticated || s.seen) {
                w.err(
                    &a.at("login"),
                    "at least one activity signal must be enabled (with none, nobody could ever look active)",
                );
            }
            a.finish(w);
            s
        }
        None => d.activity,
    };
    let costs = match obj.object(w, "costs") {
        Some(c) => costs::costs(w, c),
        None => d.costs.clone(),
    };
    obj.finish(w);
    Settings {
        protected_groups,
        timezone,
        scheduler_at,
        guard,
        health,
        licence_alert,
        admin_mail,
        audit_retention_days,
        once_logged_in_window_hours,
        deactivation_time,
        login,
        activity,
        costs,
    }
}

fn login(w: &mut Walk, mut l: Obj<'_>) -> LoginSettings {
    let d = LoginSettings::default();
    let confirm_window_minutes = l
        .uint(
            w,
            "confirmWindowMinutes",
            Some(d.confirm_window_minutes),
            1,
            LoginSettings::MAX_CONFIRM_WINDOW_MINUTES,
        )
        .unwrap_or(d.confirm_window_minutes);
    let path = l.at("probeDirectories");
    let mut probe_directories = Vec::new();
    match l.get("probeDirectories") {
        None => {}
        Some(serde_json::Value::Array(ids)) => {
            for (i, id) in ids.iter().enumerate() {
                match id.as_i64() {
                    Some(id) if !probe_directories.contains(&DirectoryId(id)) => {
                        probe_directories.push(DirectoryId(id));
                    }
                    Some(_) => w.err(&format!("{path}[{i}]"), "is listed twice"),
                    None => w.err(&format!("{path}[{i}]"), "must be a directory id"),
                }
            }
        }
        Some(_) => w.err(&path, "must be a list of directory ids"),
    }
    l.finish(w);
    LoginSettings {
        confirm_window_minutes,
        probe_directories,
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

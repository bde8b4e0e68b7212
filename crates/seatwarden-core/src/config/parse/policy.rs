//! Readers of one policy: trigger and schedule, scope, conditions, action,
//! handover and warning. Each records its issues on the walk and returns a
//! placeholder-free value only when its part of the document is valid.

use serde_json::Value;

use super::super::Settings;
use super::time_of_day;
use super::walk::{MAX_DAYS, Obj, Walk, join};
use crate::activity::SignalRef;
use crate::model::{ApplicationKey, DirectoryId, UserKey};
use crate::operation::Handover;
use crate::policy::{
    AccessRequestSettings, Action, Condition, DirectorySelection, FloatingRule, Inactivity, Mode,
    OnRequest, OnTimeout, Policy, PolicyId, ReadOnlyHandling, ReviewSettings, Scope, Target,
    Trigger, WarningSettings,
};
use crate::schedule::{Recurrence, Schedule, Weekday, parse_cron, parse_timezone};

pub(super) fn policy(w: &mut Walk, mut obj: Obj<'_>, settings: &Settings) -> Option<Policy> {
    let before = w.issues.len();
    let id_path = obj.at("id");
    let id = obj.string(w, "id", true).unwrap_or_default();
    if obj.map.contains_key("id") && !valid_id(&id) {
        w.err(
            &id_path,
            "must be 1–64 characters of letters, digits, `-`, `_` or `.`",
        );
    }
    // Control and bidi characters are refused when a name is *written*
    // (`crate::text::name_problem`, called by the edges that save a policy),
    // not here: this reader also loads stored documents, and one saved
    // before that rule must still load so its policy can be renamed.
    let name = obj.string(w, "name", false).unwrap_or_else(|| id.clone());
    let enabled = obj.boolean(w, "enabled", true);
    let mode_path = obj.at("mode");
    let mode = match obj.choice(w, "mode", &["safe", "review", "live"], Some("safe")) {
        Some("live") => Mode::Live,
        Some("review") => Mode::Review,
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
    let signals_path = obj.at("signals");
    let signals = obj.get("signals").map(|v| signals(w, v, &signals_path));
    let warning_path = obj.at("warning");
    let warning = obj.object(w, "warning").and_then(|o| warning(w, o));
    let review_path = obj.at("review");
    let review = obj.object(w, "review").and_then(|o| review(w, o));
    obj.finish(w);
    if review.is_some() && mode != Mode::Review {
        w.err(
            &review_path,
            "only a policy in `review` mode has review settings",
        );
    }
    if mode == Mode::Review && action.as_ref().is_some_and(Action::is_login) {
        w.err(
            &mode_path,
            "login policies act at the moment of login and cannot wait for a review",
        );
    }
    if signals.is_some() && !matches!(condition, Some(Condition::Inactive(_)) | None) {
        w.err(
            &signals_path,
            "only an inactivity condition counts activity signals",
        );
    }

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
                        | Action::Suspend
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
        id: PolicyId::from(id),
        name,
        enabled,
        mode,
        priority,
        trigger: trigger?,
        scope,
        condition: condition?,
        signals,
        action: action?,
        warning,
        review,
    })
}

fn review(w: &mut Walk, mut obj: Obj<'_>) -> Option<ReviewSettings> {
    let before = w.issues.len();
    // `Some(0)`: optional, off when absent (see `Obj::uint`).
    let timeout_path = obj.at("timeoutDays");
    let timeout_days = obj
        .uint(w, "timeoutDays", Some(0), 1, MAX_DAYS)
        .filter(|d| *d > 0);
    let on_timeout = match obj.choice(
        w,
        "onTimeout",
        &["nothing", "act", "exempt"],
        Some("nothing"),
    ) {
        Some("act") => OnTimeout::Act,
        Some("exempt") => OnTimeout::Exempt,
        _ => OnTimeout::Nothing,
    };
    let exempt_days = obj
        .uint(w, "exemptDays", Some(0), 1, MAX_DAYS)
        .filter(|d| *d > 0);
    let reviewers_path = obj.at("reviewers");
    let reviewers = obj.strings(w, "reviewers");
    obj.finish(w);
    for (i, r) in reviewers.iter().enumerate() {
        let at = r.find('@');
        let plausible = at.is_some_and(|a| a > 0 && a + 1 < r.len())
            && !r.chars().any(|c| c.is_whitespace() || c.is_control());
        if !plausible {
            w.err(&format!("{reviewers_path}[{i}]"), "is not an email address");
        }
    }
    if on_timeout != OnTimeout::Nothing && timeout_days.is_none() {
        w.err(
            &timeout_path,
            "is required when `onTimeout` is `act` or `exempt`",
        );
    }
    if w.issues.len() > before {
        return None;
    }
    Some(ReviewSettings {
        timeout_days,
        on_timeout,
        exempt_days,
        reviewers,
    })
}

/// A policy's own choice of counted signals: a non-empty list of signal
/// names (`crate::activity::SignalRef`), each refused precisely.
fn signals(w: &mut Walk, value: &Value, path: &str) -> Vec<SignalRef> {
    let Value::Array(items) = value else {
        w.err(
            path,
            "must be a list of signal names such as `seen:confluence`",
        );
        return Vec::new();
    };
    if items.is_empty() {
        w.err(
            path,
            "must name at least one signal (with none, nobody could ever look active); leave it out to count the settings' signals",
        );
    }
    let mut out: Vec<SignalRef> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match item.as_str().map(SignalRef::parse) {
            Some(Ok(r)) if out.contains(&r) => w.err(&at, format!("`{r}` is listed twice")),
            Some(Ok(r)) => out.push(r),
            Some(Err(e)) => w.err(&at, e.0),
            None => w.err(&at, "must be a string"),
        }
    }
    out
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
            "suspend",
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
        Some("suspend") => Some(Action::Suspend),
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
            Some(k) if !k.trim().is_empty() => Some(Handover::User(UserKey::from(k))),
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
    let act_on_overdue_at_once = obj.boolean(w, "actOnOverdueAtOnce", false);
    let template = obj.string(w, "template", false);
    let access_request = obj
        .object(w, "accessRequest")
        .and_then(|o| access_request(w, o));
    obj.finish(w);
    days_before.map(|days_before| WarningSettings {
        days_before,
        never_logged_in,
        act_on_overdue_at_once,
        template,
        access_request,
    })
}

/// A whole number of days within `min..=max`, refused in words that say
/// what the number is for (the policy editor shows them beside the field).
fn days_within(
    w: &mut Walk,
    obj: &mut Obj<'_>,
    key: &'static str,
    default: Option<u32>,
    (min, max): (u32, u32),
    what: &str,
) -> Option<u32> {
    let path = obj.at(key);
    let days = obj.uint(w, key, default, 0, u32::MAX)?;
    if (min..=max).contains(&days) {
        Some(days)
    } else {
        w.err(
            &path,
            format!("must be between {min} and {max} days ({what}), not {days}"),
        );
        None
    }
}

fn access_request(w: &mut Walk, mut obj: Obj<'_>) -> Option<AccessRequestSettings> {
    let link_days = days_within(
        w,
        &mut obj,
        "linkDays",
        Some(14),
        (1, 90),
        "how long a link works after the email is sent",
    );
    let notice_on_removal = obj.boolean(w, "noticeOnRemoval", false);
    let on_request = obj.object(w, "onRequest").and_then(|mut o| {
        let kind = o.choice(w, "kind", &["exempt", "review", "restore"], None);
        let out = match kind {
            Some("exempt") => days_within(
                w,
                &mut o,
                "days",
                None,
                (1, 365),
                "how long a request keeps the user exempt",
            )
            .map(|days| OnRequest::Exempt { days }),
            Some("review") => Some(OnRequest::Review),
            Some("restore") => Some(OnRequest::Restore {
                at_once: o.boolean(w, "atOnce", false),
            }),
            _ => None,
        };
        o.finish(w);
        out
    });
    if obj.get("onRequest").is_none() {
        w.err(
            &obj.at("onRequest"),
            "is required (`exempt`, `review` or `restore`)",
        );
    }
    obj.finish(w);
    Some(AccessRequestSettings {
        on_request: on_request?,
        link_days: link_days?,
        notice_on_removal,
    })
}

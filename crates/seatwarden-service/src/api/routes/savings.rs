//! Savings (issue 22, item 4; `docs/forecast.md`): seats freed this month and to
//! date per application and per policy, from the audit trail, their value at the
//! seat prices in `settings.costs`, and the saving expected at the next renewal
//! from the forecast; the monthly report as CSV.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use seatwarden_audit::{Action, AuditFilter, PolicyId, Status};
use seatwarden_core::Millis;
use seatwarden_core::config::costs::Cents;
use seatwarden_core::forecast::{HORIZON_DAYS, forecast};
use seatwarden_core::savings::{licences_freed, value_of};

use super::now;
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{FREEING, Service, ServiceError};

#[derive(Default, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
struct Tally {
    seats_this_month: u64,
    seats_to_date: u64,
    accounts_this_month: u64,
    accounts_to_date: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppSavings {
    application: String,
    name: String,
    seat_price: Option<Cents>,
    seats_used: u64,
    seats_this_month: u64,
    seats_to_date: u64,
    value_this_month: Option<Cents>,
    value_to_date: Option<Cents>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicySavings {
    policy: String,
    name: String,
    #[serde(flatten)]
    tally: Tally,
    value_this_month: Option<Cents>,
    value_to_date: Option<Cents>,
}

/// Midnight UTC of a `YYYY-MM-DD` date, if it is one.
fn day_start(date: &str) -> Option<Millis> {
    let t = Millis::parse_rfc3339(&format!("{date}T00:00:00Z"))?;
    (t.date_string() == date).then_some(t)
}

/// The month asked for (`month=YYYY-MM`, default the month of `now`): its label,
/// first instant and the first instant of the next month (UTC).
fn month(req: &ApiRequest, now: Millis) -> Result<(String, Millis, Millis), ApiError> {
    let label = match req.query_param("month") {
        Some(m) => m.to_owned(),
        None => now.date_string().chars().take(7).collect(),
    };
    let bad = || {
        ApiError::bad_request(format!(
            "query parameter `month` must be a month such as `2026-11`, not `{label}`"
        ))
    };
    let (y, m) = label.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if label.len() != 7 || !(1..=12).contains(&m) {
        return Err(bad());
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let start = day_start(&format!("{y:04}-{m:02}-01")).ok_or_else(bad)?;
    let next = day_start(&format!("{ny:04}-{nm:02}-01")).ok_or_else(bad)?;
    Ok((label, start, next))
}

fn add(total: Option<Cents>, v: Option<Cents>) -> Option<Cents> {
    match (total, v) {
        (None, None) => None,
        (a, b) => Some(Cents(
            a.map_or(0, |c| c.0).saturating_add(b.map_or(0, |c| c.0)),
        )),
    }
}

struct Report {
    label: String,
    currency: Option<String>,
    apps: Vec<AppSavings>,
    policies: Vec<PolicySavings>,
    unattributed: u64,
    renewal: serde_json::Value,
}

fn report(service: &Service, req: &ApiRequest) -> Result<Report, ApiError> {
    let now = now(req);
    let (label, from, until) = month(req, now)?;
    let settings = service.settings();
    let costs = &settings.config.settings.costs;
    let mut actions = FREEING.to_vec();
    actions.push(Action::RemovedFromGroup);
    let filter = AuditFilter {
        actions,
        statuses: vec![Status::Success],
        until: Some(until),
        ..AuditFilter::default()
    };
    let mut entries = Vec::new();
    service
        .store()
        .scan_audit(&filter, &mut |e| {
            entries.push((
                e.entry.at,
                e.entry.action,
                e.entry.target.clone(),
                e.entry.policy.clone(),
            ));
            Ok(())
        })
        .map_err(ServiceError::from)?;
    let warned = service.warned_users()?;
    let ctx = service.eval_context(now, None, true, warned, service.people()?);
    let renewal = costs
        .renewal_date
        .as_deref()
        .and_then(|d| day_start(d).map(|t| (d.to_owned(), t)));
    service
        .with_index(|index| {
            let n = index.licences().len();
            let mut per_app = vec![(0u64, 0u64); n];
            let mut per_policy: BTreeMap<PolicyId, (Tally, Option<Cents>, Option<Cents>)> =
                BTreeMap::new();
            let mut unattributed = 0u64;
            for (at, action, target, policy) in &entries {
                let Some(user) = &target.user else { continue };
                let group = (*action == Action::RemovedFromGroup)
                    .then_some(target.group.as_ref())
                    .flatten();
                if *action == Action::RemovedFromGroup && group.is_none() {
                    continue;
                }
                let licences = licences_freed(index, user, group);
                let this_month = *at >= from;
                if licences.is_empty() {
                    if group.is_none() {
                        unattributed += 1;
                    }
                    continue;
                }
                let mut value = None;
                for &l in &licences {
                    if let Some(slot) = per_app.get_mut(l) {
                        slot.1 += 1;
                        slot.0 += u64::from(this_month);
                    }
                    value = add(value, value_of(costs, index, l, 1));
                }
                if let Some(p) = policy {
                    let e = per_policy.entry(p.clone()).or_default();
                    let seats = licences.len() as u64;
                    e.0.seats_to_date += seats;
                    e.0.accounts_to_date += u64::from(group.is_none());
                    e.2 = add(e.2, value);
                    if this_month {
                        e.0.seats_this_month += seats;
                        e.0.accounts_this_month += u64::from(group.is_none());
                        e.1 = add(e.1, value);
                    }
                }
            }
            let apps: Vec<AppSavings> = index
                .licences()
                .iter()
                .enumerate()
                .map(|(l, lic)| {
                    let (month, to_date) = per_app.get(l).copied().unwrap_or_default();
                    AppSavings {
                        application: lic.application.to_string(),
                        name: lic.name.clone(),
                        seat_price: costs.of(&lic.application).and_then(|p| p.seat_price),
                        seats_used: index.licence_seat_holders(l).len(),
                        seats_this_month: month,
                        seats_to_date: to_date,
                        value_this_month: value_of(costs, index, l, month),
                        value_to_date: value_of(costs, index, l, to_date),
                    }
                })
                .collect();
            let policies = per_policy
                .into_iter()
                .map(|(id, (tally, month, to_date))| PolicySavings {
                    name: settings
                        .config
                        .policy(&id)
                        .map_or_else(|| id.to_string(), |p| p.name.clone()),
                    policy: id.to_string(),
                    tally,
                    value_this_month: month,
                    value_to_date: to_date,
                })
                .collect();
            let renewal = match renewal {
                None => serde_json::Value::Null,
                Some((date, start)) => {
                    let in_days = start.day_number() - now.day_number();
                    let horizon =
                        u32::try_from(in_days.clamp(0, i64::from(HORIZON_DAYS))).unwrap_or(0);
                    let rate = service.return_observation(now).ok().and_then(|o| o.rate());
                    let f = forecast(&settings.config, index, now, horizon, &ctx, rate);
                    let mut value = None;
                    let per: Vec<serde_json::Value> = f
                        .applications
                        .iter()
                        .enumerate()
                        .map(|(l, a)| {
                            let curve = a.likely.as_ref().unwrap_or(&a.upper);
                            let seats = curve.last().copied().unwrap_or(0);
                            let v = value_of(costs, index, l, seats);
                            value = add(value, v);
                            json!({"application": a.application, "seats": seats, "value": v})
                        })
                        .collect();
                    json!({
                        "date": date,
                        "inDays": in_days,
                        "forecastDays": horizon,
                        "basis": if rate.is_some() { "likely" } else { "upper" },
                        "applications": per,
                        "value": value,
                    })
                }
            };
            Report {
                label,
                currency: costs.currency.clone(),
                apps,
                policies,
                unattributed,
                renewal,
            }
        })
        .map_err(ApiError::from)
}

pub(super) fn get_savings(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let r = report(service, req)?;
    ApiResponse::json(&json!({
        "month": r.label,
        "currency": r.currency,
        "applications": r.apps,
        "policies": r.policies,
        "accountsWithoutSeats": r.unattributed,
        "renewal": r.renewal,
    }))
}

pub(super) fn export_savings(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let r = report(service, req)?;
    let money = |c: Option<Cents>| c.map(|c| c.to_string()).unwrap_or_default();
    let currency = r.currency.clone().unwrap_or_default();
    let mut rows: Vec<Vec<String>> = vec![vec![
        "month".into(),
        "kind".into(),
        "id".into(),
        "name".into(),
        "seatsFreedThisMonth".into(),
        "valueThisMonth".into(),
        "seatsFreedToDate".into(),
        "valueToDate".into(),
        "currency".into(),
    ]];
    let lines = r
        .apps
        .iter()
        .map(|a| {
            let t = (
                a.seats_this_month,
                a.value_this_month,
                a.seats_to_date,
                a.value_to_date,
            );
            ("application", &a.application, &a.name, t)
        })
        .chain(r.policies.iter().map(|p| {
            let t = (
                p.tally.seats_this_month,
                p.value_this_month,
                p.tally.seats_to_date,
                p.value_to_date,
            );
            ("policy", &p.policy, &p.name, t)
        }));
    for (kind, id, name, (month_seats, month_value, seats, value)) in lines {
        rows.push(vec![
            r.label.clone(),
            kind.into(),
            id.clone(),
            name.clone(),
            month_seats.to_string(),
            money(month_value),
            seats.to_string(),
            money(value),
            currency.clone(),
        ]);
    }
    let mut out = Vec::new();
    seatwarden_csv::migration::write_rows(&mut out, &rows)
        .map_err(|_| ApiError::internal("the savings export failed"))?;
    Ok(ApiResponse::csv(&format!("savings-{}.csv", r.label), out))
}

//! Reads `settings.costs` (`config::costs`): every problem with its path.

use serde_json::Value;

use super::walk::{Obj, Walk};
use crate::config::costs::{ApplicationPrice, Cents, CostSettings, is_currency};
use crate::model::ApplicationKey;

fn price(w: &mut Walk, o: &mut Obj<'_>, key: &'static str) -> Option<Cents> {
    let path = o.at(key);
    let value = o.get(key)?;
    let Some(amount) = value.as_f64() else {
        w.err(&path, "must be a number such as 52.50 (no currency sign)");
        return None;
    };
    if let Some(c) = Cents::from_amount(amount) {
        return Some(c);
    }
    let why = if amount < 0.0 {
        "must not be negative"
    } else if amount > Cents::MAX.amount() {
        "must be at most 10000000"
    } else {
        "must have at most two decimals"
    };
    w.err(&path, why);
    None
}

pub(super) fn costs(w: &mut Walk, mut c: Obj<'_>) -> CostSettings {
    let currency_path = c.at("currency");
    let currency = c.string(w, "currency", false);
    if let Some(code) = &currency {
        if !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())) {
            w.err(
                &currency_path,
                format!(
                    "`{code}` is not an ISO 4217 currency code (three capital letters, such as `EUR`)"
                ),
            );
        } else if !is_currency(code) {
            w.err(
                &currency_path,
                format!(
                    "`{code}` is not a currency in circulation (ISO 4217), such as `EUR` or `USD`"
                ),
            );
        }
    }
    let renewal_path = c.at("renewalDate");
    let renewal_date = c.string(w, "renewalDate", false);
    if let Some(date) = &renewal_date
        && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err()
    {
        w.err(
            &renewal_path,
            format!("`{date}` is not a date such as `2027-06-30`"),
        );
    }
    let mut applications: Vec<ApplicationPrice> = Vec::new();
    let apps_path = c.at("applications");
    match c.get("applications") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let at = format!("{apps_path}[{i}]");
                let Some(mut o) = Obj::new(w, item, at.clone()) else {
                    continue;
                };
                let app = o.string(w, "application", true);
                let seat_price = price(w, &mut o, "seatPrice");
                let cloud_user_price = price(w, &mut o, "cloudUserPrice");
                o.finish(w);
                let Some(app) = app else { continue };
                if applications.iter().any(|a| a.application.as_str() == app) {
                    w.err(
                        &format!("{at}.application"),
                        format!("`{app}` is listed twice"),
                    );
                    continue;
                }
                applications.push(ApplicationPrice {
                    application: ApplicationKey(app),
                    seat_price,
                    cloud_user_price,
                });
            }
        }
        Some(_) => w.err(&apps_path, "must be a list"),
    }
    let priced = applications
        .iter()
        .any(|a| a.seat_price.is_some() || a.cloud_user_price.is_some());
    if priced && currency.is_none() {
        w.err(&currency_path, "prices need a currency");
    }
    c.finish(w);
    CostSettings {
        currency,
        renewal_date,
        applications,
    }
}

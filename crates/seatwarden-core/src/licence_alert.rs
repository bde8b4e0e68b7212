//! Licence-usage alerts: tell the admins when an application's seats are
//! nearly (or over) used up.
//!
//! Usage is the host's own seat count for each application licence (what the
//! product bills), compared with the configured threshold — one global
//! percentage with optional per-application overrides. Unlimited licences
//! never alert. Each alert carries a de-duplication key per application and
//! UTC day, so the outbox sends at most one alert per application per day
//! however often the scheduler ticks.

use serde::{Deserialize, Serialize};

use crate::config::LicenceAlertSettings;
use crate::index::DirectoryIndex;
use crate::model::{ApplicationKey, SeatLimit};
use crate::time::Millis;

/// An application whose usage exceeds its threshold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenceAlert {
    /// The application.
    pub application: ApplicationKey,
    /// Its display name.
    pub name: String,
    /// Seats in use.
    pub used: u32,
    /// Seats licensed.
    pub limit: u32,
    /// The threshold that was exceeded, in percent.
    pub threshold_percent: u32,
    /// `licence/<application>/<utc-day>`.
    pub dedup_key: String,
}

/// The alerts due at `now` (none when the alert is disabled).
pub fn licence_alerts(
    settings: &LicenceAlertSettings,
    index: &DirectoryIndex,
    now: Millis,
) -> Vec<LicenceAlert> {
    if !settings.enabled {
        return Vec::new();
    }
    index
        .licences()
        .iter()
        .filter_map(|licence| {
            let SeatLimit::Limited(limit) = licence.limit else {
                return None;
            };
            let threshold = settings
                .applications
                .iter()
                .find(|a| a.application == licence.application)
                .map_or(settings.percent, |a| a.percent);
            let over =
                u64::from(licence.seats_used) * 100 > u64::from(threshold) * u64::from(limit);
            over.then(|| LicenceAlert {
                application: licence.application.clone(),
                name: licence.name.clone(),
                used: licence.seats_used,
                limit,
                threshold_percent: threshold,
                dedup_key: format!("licence/{}/{}", licence.application, now.date_string()),
            })
        })
        .collect()
}

//! What-if: the seats a policy being edited would free, against the saved one.
//!
//! The policy editor's slider asks "with 60 instead of 90 days?" many times a
//! second; the answer is two single-policy forecasts (the saved policy and the
//! draft) over [`LATER_DAYS`] days: seats freed now (day 0, exactly what the
//! policy's preview frees) and in [`LATER_DAYS`] days, and the differences.

use serde::{Deserialize, Serialize};

use super::forecast;
use crate::config::Config;
use crate::evaluate::EvalContext;
use crate::index::DirectoryIndex;
use crate::model::ApplicationKey;
use crate::policy::Policy;
use crate::time::Millis;

/// The later day the what-if answers for.
pub const LATER_DAYS: u32 = 30;

/// One application's what-if.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfSeats {
    /// Application key.
    pub application: ApplicationKey,
    /// Seats the saved policy frees now.
    pub saved_now: u64,
    /// Seats the saved policy's plan frees in [`LATER_DAYS`] days.
    pub saved_later: u64,
    /// Seats the draft frees now.
    pub draft_now: u64,
    /// Seats the draft's plan frees in [`LATER_DAYS`] days.
    pub draft_later: u64,
}

/// The what-if answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIf {
    /// The later day, in days from now.
    pub later_days: u32,
    /// Per licence.
    pub applications: Vec<WhatIfSeats>,
    /// Draft minus saved, all applications, now.
    pub delta_now: i64,
    /// Draft minus saved, all applications, in [`LATER_DAYS`] days.
    pub delta_later: i64,
}

/// Compares `draft` (an edited copy of the saved policy with the same id, or
/// a new policy when none is saved under its id) with the saved policy, each
/// evaluated alone as its preview does (enabled or not), with the protections
/// and warnings of `config`.
pub fn what_if(
    config: &Config,
    index: &DirectoryIndex,
    now: Millis,
    ctx: &EvalContext,
    draft: &Policy,
) -> WhatIf {
    let only = EvalContext {
        only: Some(vec![draft.id.clone()]),
        ..ctx.clone()
    };
    let saved_exists = config.policies.iter().any(|p| p.id == draft.id);
    let empty = Config {
        policies: Vec::new(),
        ..config.clone()
    };
    let saved = forecast(
        if saved_exists { config } else { &empty },
        index,
        now,
        LATER_DAYS,
        &only,
        None,
    );
    let mut edited = config.clone();
    match edited.policies.iter_mut().find(|p| p.id == draft.id) {
        Some(p) => *p = draft.clone(),
        None => edited.policies.push(draft.clone()),
    }
    let drafted = forecast(&edited, index, now, LATER_DAYS, &only, None);
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    let later = LATER_DAYS as usize;
    let applications: Vec<WhatIfSeats> = saved
        .applications
        .iter()
        .zip(&drafted.applications)
        .map(|(s, d)| WhatIfSeats {
            application: s.application.clone(),
            saved_now: at(&s.upper, 0),
            saved_later: at(&s.upper, later),
            draft_now: at(&d.upper, 0),
            draft_later: at(&d.upper, later),
        })
        .collect();
    let sum = |f: fn(&WhatIfSeats) -> u64| applications.iter().map(f).sum::<u64>() as i64;
    WhatIf {
        later_days: LATER_DAYS,
        delta_now: sum(|a| a.draft_now) - sum(|a| a.saved_now),
        delta_later: sum(|a| a.draft_later) - sum(|a| a.saved_later),
        applications,
    }
}

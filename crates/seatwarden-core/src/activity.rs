//! Activity signals: the several dates that each say "this person used the product".
//!
//! Why several: the products' *last login* misses real use (docs/activity.md, issue 23).
//! Remember-me cookies move it once per session, personal access tokens and OAuth never,
//! and when Jira is Confluence's user server Confluence use moves Jira's Crowd
//! `lastAuthenticated` instead. Deactivating someone who works every day is the worst
//! mistake this product can make, so a user is inactive only when **no enabled signal**
//! shows activity since the threshold: their last activity is the latest date among the
//! enabled signals, and every reason names that signal.
//!
//! The signals:
//! - **login**: the snapshot's `lastLogin` (always present; it is the column the index
//!   has always had).
//! - **declared signals**: the snapshot header lists them (`signals`), each with a
//!   [`SignalKind`], an optional product (Cloud's per-product "last active" dates are
//!   `seen` signals of one application each) and an optional `since`: when that signal
//!   started recording. Each user carries one value per declared signal (`activity`,
//!   aligned with the header's list).
//!
//! **Warm-up** (`since`): a signal that started recording on day D cannot prove that
//! anybody was idle before D. For a threshold reaching before D (cutoff < since) the
//! evaluator marks the policy's candidates as *unconfirmed* by that signal: they were
//! chosen by the other signals, and a live run acting on them needs an admin's approval
//! (a [`crate::safety::GuardTrip::WarmingUp`]). A signal without `since` has full history
//! (the products' own dates, Cloud's last-active dates).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::ApplicationKey;
use crate::snapshot::SnapshotError;
use crate::time::Millis;

/// How many signals a snapshot may declare besides login. Enough for last
/// authenticated, seen, and a seen date per Cloud product; small enough that a
/// user's values travel in a fixed array without allocating.
pub const MAX_SIGNALS: usize = 8;

/// What a declared signal measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignalKind {
    /// Crowd's `lastAuthenticated` user attribute: a password or SSO check
    /// succeeded (in Jira also Confluence use when Jira is the user server).
    LastAuthenticated,
    /// Seen by Seatwarden's own request filter (any authenticated request, by any
    /// route), or, in Cloud, Atlassian's per-product "last active" date.
    Seen,
}

impl SignalKind {
    /// The kind's name, as in JSON and settings.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::LastAuthenticated => "lastAuthenticated",
            SignalKind::Seen => "seen",
        }
    }
}

/// One signal a snapshot declares (an element of the header's `signals`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignalDecl {
    /// What it measures.
    pub kind: SignalKind,
    /// The application it is about (Cloud per-product dates); `None`: the whole product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ApplicationKey>,
    /// When it started recording; `None`: it has full history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Millis>,
}

impl SignalDecl {
    /// A signal about the whole product (not one application), recording
    /// since `since` (`None`: full history).
    pub fn whole_product(kind: SignalKind, since: Option<Millis>) -> SignalDecl {
        SignalDecl {
            kind,
            product: None,
            since,
        }
    }
}

impl fmt::Display for SignalDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(p) = &self.product {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

/// A user's values of the declared signals, in header order, without allocating.
/// `None` entries are "no value" (never seen, never authenticated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ActivityValues {
    len: u8,
    values: [Option<i64>; MAX_SIGNALS],
}

impl ActivityValues {
    /// No values (a snapshot without declared signals).
    pub const EMPTY: ActivityValues = ActivityValues {
        len: 0,
        values: [None; MAX_SIGNALS],
    };

    /// Appends a value; false (and nothing changes) past [`MAX_SIGNALS`].
    pub fn push(&mut self, v: Option<i64>) -> bool {
        match self.values.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = v;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    /// The values as a slice.
    pub fn as_slice(&self) -> &[Option<i64>] {
        self.values.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// How many values.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Serialize for ActivityValues {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ActivityValues {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let list = Vec::<Option<i64>>::deserialize(d)?;
        let mut out = ActivityValues::EMPTY;
        for v in list {
            if !out.push(v) {
                return Err(serde::de::Error::custom(format_args!(
                    "more than {MAX_SIGNALS} activity values"
                )));
            }
        }
        Ok(out)
    }
}

/// Which signals count as activity: an installation setting (`settings.activity`).
///
/// All on by default: a signal that is present and enabled can only make a user
/// *more* active, never a candidate, so turning one on is the safe direction. An admin
/// turns `lastAuthenticated` off on a Jira that is the user server of other
/// applications when a per-product licence policy must ignore Confluence use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivitySettings {
    /// The product's last login (`lastLogin`).
    pub login: bool,
    /// Crowd's `lastAuthenticated`.
    pub last_authenticated: bool,
    /// Seen by the plugin (or Cloud's per-product last active).
    pub seen: bool,
}

impl Default for ActivitySettings {
    fn default() -> Self {
        ActivitySettings {
            login: true,
            last_authenticated: true,
            seen: true,
        }
    }
}

impl ActivitySettings {
    /// Whether a declared signal of this kind counts.
    pub fn counts(&self, kind: SignalKind) -> bool {
        match kind {
            SignalKind::LastAuthenticated => self.last_authenticated,
            SignalKind::Seen => self.seen,
        }
    }
}

/// Which signal a date came from, for reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "signal")]
pub enum SignalName {
    /// The product's last login.
    Login,
    /// A declared signal.
    Declared {
        /// What it measures.
        kind: SignalKind,
        /// Its application, if per product.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        product: Option<ApplicationKey>,
    },
}

impl SignalName {
    /// The name of declared signal `d`.
    pub fn of(d: &SignalDecl) -> SignalName {
        SignalName::Declared {
            kind: d.kind,
            product: d.product.clone(),
        }
    }
}

/// One signal's date in a reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalDate {
    /// Which signal.
    #[serde(flatten)]
    pub signal: SignalName,
    /// Its date for the user; `None`: the signal has no value for them.
    pub at: Option<Millis>,
}

impl fmt::Display for SignalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = |f: &mut fmt::Formatter<'_>| match self.at {
            Some(t) => f.write_str(&t.date_string()),
            None => f.write_str("never"),
        };
        match &self.signal {
            SignalName::Login => {
                f.write_str("last login ")?;
                date(f)
            }
            // A per-product `seen` date is Atlassian Cloud's "last active"
            // in that product: named as such, product first, so a reason
            // reads "last active in Confluence 2026-10-01".
            SignalName::Declared {
                kind: SignalKind::Seen,
                product: Some(p),
            } => {
                write!(f, "last active in {} ", product_label(p.as_str()))?;
                date(f)
            }
            SignalName::Declared { kind, .. } => {
                match kind {
                    SignalKind::LastAuthenticated => f.write_str("last authenticated ")?,
                    SignalKind::Seen => f.write_str("last seen ")?,
                }
                date(f)?;
                match kind {
                    SignalKind::Seen => f.write_str(" by the plugin"),
                    SignalKind::LastAuthenticated => Ok(()),
                }
            }
        }
    }
}

/// The name an admin knows an application by, from its key: Atlassian
/// Cloud's product keys (docs/cloud.md) and Data Center's application
/// keys; an unknown key is shown as it is.
pub fn product_label(key: &str) -> &str {
    match key {
        "confluence" => "Confluence",
        "jira-software" => "Jira",
        "jira-servicedesk" => "Jira Service Management",
        "jira-core" | "jira-work-management" => "Jira Work Management",
        "jira-product-discovery" => "Jira Product Discovery",
        "opsgenie" => "Opsgenie",
        "statuspage" => "Statuspage",
        "bitbucket" => "Bitbucket",
        "compass" => "Compass",
        "trello" => "Trello",
        "loom" => "Loom",
        "other-products" => "other products",
        other => other,
    }
}

/// A signal whose recording began after a policy's cutoff: it cannot prove
/// inactivity over the whole threshold, so the candidates are unconfirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarmingSignal {
    /// Which signal.
    #[serde(flatten)]
    pub signal: SignalName,
    /// When it started recording.
    pub since: Millis,
    /// Whole days of the threshold it covers so far.
    pub covered_days: i64,
    /// The threshold it would need to cover.
    pub threshold_days: u32,
}

impl fmt::Display for WarmingSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match &self.signal {
            SignalName::Login => "login".to_owned(),
            SignalName::Declared { kind, product } => match product {
                Some(p) => format!("{}:{p}", kind.as_str()),
                None => kind.as_str().to_owned(),
            },
        };
        write!(
            f,
            "signal `{name}` warming up since {}: {} of {} days covered",
            self.since.date_string(),
            self.covered_days.max(0),
            self.threshold_days
        )
    }
}

/// The header's signals: at most [`MAX_SIGNALS`], each (kind, product) once,
/// a plausible `since`.
pub(crate) fn check_signals(signals: &[SignalDecl]) -> Result<(), SnapshotError> {
    if signals.len() > MAX_SIGNALS {
        return Err(SnapshotError::TooLarge {
            what: "more than 8 activity signals",
        });
    }
    for (at, d) in signals.iter().enumerate() {
        if let Some(since) = d.since
            && since < Millis::PLAUSIBLE_MIN
        {
            return Err(SnapshotError::SignalSince { at, value: since.0 });
        }
        let twice = signals
            .get(..at)
            .unwrap_or(&[])
            .iter()
            .any(|e| e.kind == d.kind && e.product == d.product);
        if twice {
            return Err(SnapshotError::DuplicateSignal {
                at,
                signal: d.to_string(),
            });
        }
    }
    Ok(())
}

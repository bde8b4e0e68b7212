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

pub mod recorded;

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
    /// Periods after `since` when it recorded nothing (the plugin was
    /// disabled, every node was down): ascending, disjoint, each `[from,
    /// to)`. Absence of a date proves nothing about those days, so a
    /// threshold reaching back over one counts only the covered days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<Gap>,
}

/// A period a signal did not record: from `from` (included) to `to`
/// (excluded), both in UTC ms (a recorder that marks covered days reports
/// whole days: the start of the first missing day and of the next covered
/// one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gap {
    /// First instant not recorded.
    pub from: Millis,
    /// First instant recorded again.
    pub to: Millis,
}

/// How many gaps a signal may declare: a disabled-then-enabled plugin a few
/// times a year, with room to spare; more is a malformed snapshot.
pub const MAX_GAPS: usize = 64;

impl SignalDecl {
    /// Whole days of `[from, to)` this signal did not record: before
    /// `since`, or inside a gap.
    pub fn uncovered_days(&self, from: Millis, to: Millis) -> i64 {
        let overlap = |a: Millis, b: Millis| {
            let lo = a.0.max(from.0);
            let hi = b.0.min(to.0);
            hi.saturating_sub(lo).max(0)
        };
        let mut ms = self.since.map_or(0, |s| overlap(Millis(i64::MIN), s));
        for g in &self.gaps {
            ms = ms.saturating_add(overlap(g.from.max(self.since.unwrap_or(g.from)), g.to));
        }
        // `ms` ≥ 0: a started day counts whole.
        ms.saturating_add(crate::time::DAY_MS - 1) / crate::time::DAY_MS
    }

    /// The end of the latest stretch of `[from, to)` this signal did not
    /// record (`since` itself, or a gap's end), if any: a user whose date is
    /// before it may have been active while nothing recorded.
    pub fn last_uncovered_end(&self, from: Millis, to: Millis) -> Option<Millis> {
        let gap = self
            .gaps
            .iter()
            .rev()
            .find(|g| g.to > from && g.from < to)
            .map(|g| g.to.min(to));
        let before = self.since.filter(|s| *s > from).map(|s| s.min(to));
        gap.max(before)
    }

    /// A signal about the whole product (not one application), recording
    /// since `since` (`None`: full history).
    pub fn whole_product(kind: SignalKind, since: Option<Millis>) -> SignalDecl {
        SignalDecl {
            kind,
            product: None,
            since,
            gaps: Vec::new(),
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

/// A signal that did not record the whole of a policy's threshold (its
/// recording began after the cutoff, or it has a gap since): it cannot prove
/// inactivity over the whole threshold, so the candidates are unconfirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarmingSignal {
    /// Which signal.
    #[serde(flatten)]
    pub signal: SignalName,
    /// When it started recording.
    pub since: Millis,
    /// Whole days of the threshold it covers so far (gaps not counted).
    pub covered_days: i64,
    /// The threshold it would need to cover.
    pub threshold_days: u32,
    /// The latest gap inside the threshold, when a gap (not a late start)
    /// is why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<Gap>,
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
        match self.gap {
            None => write!(
                f,
                "signal `{name}` warming up since {}: {} of {} days covered",
                self.since.date_string(),
                self.covered_days.max(0),
                self.threshold_days
            ),
            Some(g) => write!(
                f,
                "signal `{name}` recorded nothing from {} to {}: {} of {} days covered",
                g.from.date_string(),
                Millis(g.to.0.saturating_sub(1)).date_string(),
                self.covered_days.max(0),
                self.threshold_days
            ),
        }
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
        check_gaps(at, d)?;
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

/// A signal's gaps: only with `since` (a recorder that knows its gaps knows
/// when it began), at most [`MAX_GAPS`], each non-empty, after `since`,
/// ascending and disjoint.
fn check_gaps(at: usize, d: &SignalDecl) -> Result<(), SnapshotError> {
    if d.gaps.is_empty() {
        return Ok(());
    }
    let bad = |problem: &'static str| SnapshotError::SignalGaps { at, problem };
    let Some(since) = d.since else {
        return Err(bad("gaps need `since`"));
    };
    if d.gaps.len() > MAX_GAPS {
        return Err(bad("more than 64 gaps"));
    }
    let mut after = since;
    for g in &d.gaps {
        if g.from >= g.to {
            return Err(bad("a gap's `from` must be before its `to`"));
        }
        if g.from < after {
            return Err(bad(
                "gaps must follow `since` and each other, without overlap",
            ));
        }
        after = g.to;
    }
    Ok(())
}

/// A signal a policy names in its own choice of counted signals (`signals`
/// of a policy, issue 23 and issue 20's per-product conditions): `login`,
/// `lastAuthenticated`, `seen`, or one application's signal of a kind,
/// `seen:confluence` ("inactive in Confluence"). A kind without a product
/// names every signal of that kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SignalRef {
    /// The product's last login.
    Login,
    /// Declared signals of `kind`, of one application or of all.
    Declared {
        /// What they measure.
        kind: SignalKind,
        /// Only this application's; `None`: every one of that kind.
        product: Option<ApplicationKey>,
    },
}

/// The kind names a policy may use, for refusals and suggestions.
pub const SIGNAL_NAMES: [&str; 3] = ["login", "lastAuthenticated", "seen"];

/// The application keys a per-product signal is known by (Atlassian Cloud
/// products and Data Center applications), for suggestions.
pub const KNOWN_PRODUCTS: [&str; 13] = [
    "confluence",
    "jira-software",
    "jira-servicedesk",
    "jira-core",
    "jira-work-management",
    "jira-product-discovery",
    "opsgenie",
    "statuspage",
    "bitbucket",
    "compass",
    "trello",
    "loom",
    "other-products",
];

/// Why a policy's signal name was refused (the message names the closest
/// known name when there is one).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SignalRefError(pub String);

impl SignalRef {
    /// Parses `login`, `lastAuthenticated`, `seen` or `<kind>:<product>`.
    ///
    /// A misspelt kind is refused with the closest name; a product key is
    /// lower-case letters, digits and `-`, and one close to a known key but
    /// not equal is refused as a typo ("did you mean `confluence`?"). A
    /// well-formed key close to none is accepted: Atlassian adds products,
    /// and a policy naming a product the directory has no signal for is
    /// reported in the plan, never guessed.
    pub fn parse(text: &str) -> Result<SignalRef, SignalRefError> {
        let (kind_text, product) = match text.split_once(':') {
            Some((k, p)) => (k, Some(p)),
            None => (text, None),
        };
        let kind = match kind_text {
            "login" => None,
            "lastAuthenticated" => Some(SignalKind::LastAuthenticated),
            "seen" => Some(SignalKind::Seen),
            other => {
                let hint = match crate::names::closest(other, &SIGNAL_NAMES) {
                    Some(near) => format!("; did you mean `{near}`?"),
                    None => String::new(),
                };
                // Echoed only when it is short, printable text.
                let shown = if other.chars().count() <= 40
                    && !crate::text::has_control(other)
                    && !crate::text::has_bidi_control(other)
                {
                    format!(" `{other}`")
                } else {
                    String::new()
                };
                return Err(SignalRefError(format!(
                    "unknown signal{shown}: one of `login`, `lastAuthenticated`, `seen`, optionally `:<product>`{hint}"
                )));
            }
        };
        let product = match product {
            None => None,
            Some(p) => Some(parse_product(p)?),
        };
        match (kind, product) {
            (None, None) => Ok(SignalRef::Login),
            (None, Some(_)) => Err(SignalRefError(
                "`login` is one date for the whole product: it takes no `:<product>`".to_owned(),
            )),
            (Some(kind), product) => Ok(SignalRef::Declared { kind, product }),
        }
    }

    /// Whether declared signal `d` is one this name covers.
    pub fn covers(&self, d: &SignalDecl) -> bool {
        match self {
            SignalRef::Login => false,
            SignalRef::Declared { kind, product } => {
                *kind == d.kind && (product.is_none() || *product == d.product)
            }
        }
    }
}

fn parse_product(p: &str) -> Result<ApplicationKey, SignalRefError> {
    let well_formed = !p.is_empty()
        && p.len() <= 64
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !well_formed {
        return Err(SignalRefError(
            "a product is an application key: lower-case letters, digits and `-` (e.g. `confluence`, `jira-software`)".to_owned(),
        ));
    }
    if !KNOWN_PRODUCTS.contains(&p)
        && let Some(near) = crate::names::closest(p, &KNOWN_PRODUCTS)
    {
        return Err(SignalRefError(format!(
            "unknown product `{p}`; did you mean `{near}`?"
        )));
    }
    Ok(ApplicationKey::from(p))
}

impl fmt::Display for SignalRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignalRef::Login => f.write_str("login"),
            SignalRef::Declared { kind, product } => {
                f.write_str(kind.as_str())?;
                match product {
                    Some(p) => write!(f, ":{p}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Serialize for SignalRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SignalRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SignalRef::parse(&text).map_err(serde::de::Error::custom)
    }
}

//! Markers as every backend must keep them: a live marker is claimed once,
//! a lapsed one can be claimed again, `put` replaces, listings are per kind
//! and skip lapsed markers.

use seatwarden_core::Millis;

use super::{Check, e2s};
use crate::store::{Marker, NEVER, Store};

/// A live marker is claimed exactly once; lapsed ones are gone.
pub fn markers_claim_once(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let later = Millis(now.0 + 60_000);
    let used = Marker::new("link-used", "abc", "1", later);
    ensure!(
        s.claim_marker(&used, now).map_err(e2s)?.is_none(),
        "a free marker was not claimed"
    );
    let again = Marker::new("link-used", "abc", "2", later);
    let first = s
        .claim_marker(&again, Millis(now.0 + 59_999))
        .map_err(e2s)?;
    ensure!(
        first.as_ref().map(|m| m.value.as_str()) == Some("1"),
        "a second claim of a live marker did not answer the first ({first:?})"
    );
    ensure!(
        s.claim_marker(&Marker::new("hook-event", "abc", "x", later), now)
            .map_err(e2s)?
            .is_none(),
        "markers are not per kind"
    );
    ensure!(
        s.claim_marker(&again, later).map_err(e2s)?.is_none(),
        "a lapsed marker could not be claimed again"
    );
    s.put_marker(&Marker::new("secret", "links", "s1", NEVER))
        .map_err(e2s)?;
    s.put_marker(&Marker::new("secret", "links", "s2", NEVER))
        .map_err(e2s)?;
    s.put_marker(&Marker::new("secret", "gone", "s3", now))
        .map_err(e2s)?;
    let listed = s.list_markers("secret", now).map_err(e2s)?;
    ensure!(
        listed.len() == 1
            && listed
                .first()
                .is_some_and(|m| m.value == "s2" && m.key == "links"),
        "put did not replace, or a lapsed marker was listed: {:?}",
        listed.iter().map(|m| &m.key).collect::<Vec<_>>()
    );
    let claimed = s
        .claim_marker(&Marker::new("secret", "links", "s4", NEVER), now)
        .map_err(e2s)?;
    ensure!(
        claimed.map(|m| m.value) == Some("s2".to_owned()),
        "a claim replaced a live marker"
    );
    // A keyed read sees exactly the live marker of that kind and key.
    let one = |kind: &str, key: &str| s.marker(kind, key, now).map_err(e2s);
    ensure!(
        one("secret", "links")?.map(|m| m.value) == Some("s2".to_owned()),
        "a keyed read missed a live marker"
    );
    ensure!(
        one("secret", "gone")?.is_none()
            && one("hook-event", "links")?.is_none()
            && one("secret", "nope")?.is_none(),
        "a keyed read found a lapsed, other-kind or absent marker"
    );
    Ok(())
}

//! Markers as every backend must keep them: a live marker is claimed once,
//! a lapsed one can be claimed again, `put` replaces, listings are per kind
//! and skip lapsed markers.

use seatwarden_core::Millis;

use super::{Check, e2s};
use crate::store::marker::RateCount;
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

fn count(counter: &str, window_end: Millis, limit: u32, now: Millis) -> RateCount<'_> {
    RateCount {
        counter,
        window_end,
        limit,
        now,
    }
}

/// A shared rate counter admits exactly `limit` per counter and window, a
/// new window starts at zero, and pruning deletes exactly the lapsed
/// markers of the kinds named.
pub fn rate_counters_and_pruning(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let end = Millis(now.0 + 60_000);
    let mut admitted = 0;
    for _ in 0..5 {
        admitted += u32::from(
            s.count_request(&count("page:all", end, 3, now))
                .map_err(e2s)?,
        );
    }
    ensure!(admitted == 3, "a limit of 3 admitted {admitted}");
    ensure!(
        s.count_request(&count("page:ip:x", end, 3, now))
            .map_err(e2s)?,
        "counters are not apart"
    );
    ensure!(
        !s.count_request(&count("page:none", end, 0, now))
            .map_err(e2s)?,
        "a limit of 0 admitted"
    );
    let next_end = Millis(end.0 + 60_000);
    ensure!(
        s.count_request(&count("page:all", next_end, 3, end))
            .map_err(e2s)?,
        "the next window did not start at zero"
    );
    // Pruning: lapsed markers of the kinds named go; live ones and other
    // kinds stay.
    s.put_marker(&Marker::new("access-request", "old", "x", now))
        .map_err(e2s)?;
    s.put_marker(&Marker::new("access-request", "new", "x", NEVER))
        .map_err(e2s)?;
    s.put_marker(&Marker::new("hook", "removed", "", Millis(now.0 - 1)))
        .map_err(e2s)?;
    s.put_marker(&Marker::new("secret", "lapsed", "", now))
        .map_err(e2s)?;
    let gone = s
        .prune_markers(&["access-request", "hook"], now)
        .map_err(e2s)?;
    ensure!(gone == 2, "pruning deleted {gone} markers, not 2");
    ensure!(
        s.marker("access-request", "new", now)
            .map_err(e2s)?
            .is_some(),
        "pruning deleted a live marker"
    );
    ensure!(
        s.prune_markers(&["secret"], Millis(now.0 - 1))
            .map_err(e2s)?
            == 0,
        "pruning deleted a marker that lapsed after the cutoff"
    );
    ensure!(
        s.prune_markers(&["secret"], now).map_err(e2s)? == 1,
        "pruning missed a marker that lapsed at the cutoff"
    );
    Ok(())
}

/// A marker is replaced only while it holds the value the writer read: of
/// two writers that read the same value, the first replaces it and the
/// second is refused and changes nothing (a webhook saved against a stale
/// version). An absent, lapsed or other-kind marker is never replaced nor
/// created.
pub fn markers_replace_is_compare_and_set(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    s.put_marker(&Marker::new("hook", "h", "v1", NEVER))
        .map_err(e2s)?;
    // Both writers read "v1".
    ensure!(
        s.replace_marker(&Marker::new("hook", "h", "a", NEVER), "v1", now)
            .map_err(e2s)?,
        "a replace naming the stored value was refused"
    );
    ensure!(
        !s.replace_marker(&Marker::new("hook", "h", "b", NEVER), "v1", now)
            .map_err(e2s)?,
        "a replace naming a value already replaced was accepted"
    );
    let held = s.marker("hook", "h", now).map_err(e2s)?.map(|m| m.value);
    ensure!(
        held.as_deref() == Some("a"),
        "the refused replace changed the marker ({held:?})"
    );
    ensure!(
        !s.replace_marker(&Marker::new("hook", "absent", "x", NEVER), "", now)
            .map_err(e2s)?
            && s.marker("hook", "absent", now).map_err(e2s)?.is_none(),
        "a replace created an absent marker"
    );
    s.put_marker(&Marker::new("hook", "lapsed", "v", now))
        .map_err(e2s)?;
    ensure!(
        !s.replace_marker(&Marker::new("hook", "lapsed", "w", NEVER), "v", now)
            .map_err(e2s)?
            && s.marker("hook", "lapsed", now).map_err(e2s)?.is_none(),
        "a lapsed marker was replaced"
    );
    ensure!(
        !s.replace_marker(&Marker::new("secret", "h", "x", NEVER), "a", now)
            .map_err(e2s)?,
        "a replace crossed kinds"
    );
    Ok(())
}

/// Two writers that read the same value, released together by a barrier
/// on two threads, replace it: exactly one wins, the other is refused, and
/// the marker holds the winner's value. Twenty rounds, so the writes meet
/// inside the store's check more than once on any machine.
///
/// Threads of its own: over JNI (whose ports answer only on threads the
/// JVM started, DESIGN.md §6) the same race is run by Java threads instead
/// (JUnit `HookSaveRaceTest`), so [`super::run_all_on_one_thread`] skips it.
pub fn marker_replace_race_has_one_winner(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let mut current = "v0".to_owned();
    s.put_marker(&Marker::new("hook", "race", current.clone(), NEVER))
        .map_err(e2s)?;
    for round in 0..20 {
        let barrier = std::sync::Barrier::new(2);
        let answers: Vec<Result<bool, String>> = std::thread::scope(|scope| {
            let writers: Vec<_> = (0..2)
                .map(|w| {
                    let (barrier, expected) = (&barrier, current.as_str());
                    scope.spawn(move || {
                        let mine = Marker::new("hook", "race", format!("r{round}w{w}"), NEVER);
                        barrier.wait();
                        s.replace_marker(&mine, expected, now).map_err(e2s)
                    })
                })
                .collect();
            writers
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a writer panicked".to_owned()))
                })
                .collect()
        });
        let won: Vec<usize> = answers
            .iter()
            .enumerate()
            .filter_map(|(w, a)| a.as_ref().ok().filter(|won| **won).map(|_| w))
            .collect();
        for a in &answers {
            if let Err(e) = a {
                return Err(format!("round {round}: {e}"));
            }
        }
        let [winner] = won.as_slice() else {
            return Err(format!(
                "round {round}: {} writers won a compare-and-set, not 1",
                won.len()
            ));
        };
        let held = s.marker("hook", "race", now).map_err(e2s)?.map(|m| m.value);
        current = format!("r{round}w{winner}");
        ensure!(
            held.as_deref() == Some(current.as_str()),
            "round {round}: the marker holds {held:?}, not the winner's value"
        );
    }
    Ok(())
}

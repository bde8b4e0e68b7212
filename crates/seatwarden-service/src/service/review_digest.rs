//! The daily digest to a review-mode policy's reviewers (issue 21 item 2).
//!
//! Why a digest and not a mail per user: a review-mode run over a
//! 20,000-user instance can queue hundreds of items; one mail per item would
//! train reviewers to ignore them. So each policy with `review.reviewers`
//! and open items gets one mail per reviewer and UTC day, saying how many
//! wait and linking to the Review list.
//!
//! "At most once a day" is the outbox's de-duplication, not a clock kept
//! here: the cycle is `review:<policy>:<date>`, so a second tick the same
//! day, a restart, or another cluster node finds the message already queued
//! and adds nothing. The per-node memo below only spares the store that
//! lookup on every tick once today's digest for a policy is queued.
//!
//! Like the run mails (`admin_mail`), it goes through the one outbox and an
//! admin-editable template (`review_digest`); switched off, or no open item,
//! queues nothing, and a mail that cannot be composed never fails the tick.

use seatwarden_core::Millis;
use seatwarden_core::policy::{Mode, PolicyId};
use seatwarden_mail::{Cycle, Placeholder, TemplateKind, Values};

use super::admin_mail::queue_to;
use super::mail::StoreOutbox;
use super::{Service, ServiceError};
use crate::store::{ReviewFilter, ReviewStatus};

/// The link a digest carries: the admin UI's Review list.
pub(crate) fn review_url(service: &Service) -> String {
    format!("{}#/review", super::admin_mail::admin_page(service))
}

/// "1 user", "14 users".
fn count_words(n: usize) -> String {
    format!("{n} {}", if n == 1 { "user" } else { "users" })
}

/// The de-duplication cycle of `policy`'s digest on `now`'s UTC day.
pub(crate) fn digest_cycle(policy: &PolicyId, now: Millis) -> Cycle {
    Cycle(format!("review:{policy}:{}", now.date_string()))
}

/// Queues today's digest for every review-mode policy with reviewers and
/// open items; returns how many mails were queued.
pub(crate) fn queue_review_digests(service: &Service, now: Millis) -> Result<u64, ServiceError> {
    let settings = service.settings();
    let Some(template) = settings
        .templates
        .iter()
        .find(|t| t.kind == TemplateKind::ReviewDigest && t.enabled)
    else {
        return Ok(0);
    };
    let day = now.day_number();
    let options = service.options();
    let outbox = StoreOutbox::new(service.store(), now);
    let mut queued = 0;
    for policy in settings
        .config
        .policies
        .iter()
        .filter(|p| p.mode == Mode::Review)
    {
        let Some(review) = policy.review.as_ref().filter(|r| !r.reviewers.is_empty()) else {
            continue;
        };
        if service.digest_days.lock().get(&policy.id) == Some(&day) {
            continue;
        }
        let open = service
            .store()
            .list_review(&ReviewFilter {
                statuses: vec![ReviewStatus::Open],
                policy: Some(policy.id.clone()),
            })?
            .len();
        if open == 0 {
            continue;
        }
        let values = Values::new()
            .instance(&options.instance_name, &options.base_url)
            .with(Placeholder::PolicyName, policy.name.as_str())
            .with(Placeholder::ReviewCount, count_words(open))
            .with(Placeholder::ReviewUrl, review_url(service));
        for to in &review.reviewers {
            let cycle = digest_cycle(&policy.id, now);
            queued += u64::from(queue_to(
                &outbox, template, "reviewer", to, &values, cycle, now,
            ));
        }
        service.digest_days.lock().insert(policy.id.clone(), day);
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_words() {
        assert_eq!(count_words(1), "1 user");
        assert_eq!(count_words(14), "14 users");
    }

    #[test]
    fn the_cycle_changes_with_the_day_not_the_hour() {
        let p = PolicyId::from("p1");
        let morning = Millis(1_765_000_000_000);
        assert_eq!(
            digest_cycle(&p, morning),
            digest_cycle(&p, Millis(morning.0 + 3_600_000))
        );
        assert_ne!(
            digest_cycle(&p, morning),
            digest_cycle(&p, morning.plus_days(1))
        );
    }
}

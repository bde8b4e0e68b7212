//! The audit screen's action filter lists every action the audit log can
//! hold. The UI keeps its own list (it renders the filter before any entry is
//! loaded); this test keeps it from drifting when an action is added.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use seatwarden_audit::Action;

#[test]
fn the_audit_screen_offers_every_action_as_a_filter() {
    let source = include_str!("../../../ui/src/views/audit.ts");
    let start = source
        .find("const ACTIONS = [")
        .expect("the audit view declares its ACTIONS list");
    let list = &source[start..];
    let list = &list[..list.find("];").expect("the ACTIONS list ends")];
    let missing: Vec<&str> = Action::ALL
        .iter()
        .map(|a| a.as_str())
        .filter(|name| !list.contains(&format!("'{name}'")))
        .collect();
    assert!(
        missing.is_empty(),
        "ui/src/views/audit.ts ACTIONS lacks {missing:?}"
    );
    let listed = list.matches('\'').count() / 2;
    assert_eq!(
        listed,
        Action::ALL.len(),
        "ui/src/views/audit.ts ACTIONS names an action the log does not have"
    );
}

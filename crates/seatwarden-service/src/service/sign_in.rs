//! Sign-ins to a host's own admin page, in the audit log.
//!
//! Why: the standalone server's admin token is full admin, so who signed
//! in, and how often someone presented a wrong token, belongs in the same
//! log as every change (the host limits failures; see `serve/auth.rs`).
//! The entry names the client address, never the token presented.

use std::net::IpAddr;

use seatwarden_audit::{Action, Actor, AuditEntry, Status};
use seatwarden_core::{Millis, UserKey};

use crate::service::Service;

impl Service {
    /// Audits a sign-in by `actor` (the account the session acts as) from
    /// `client`: `ok` when the token was right. A store failure is not the
    /// sign-in's failure: it is dropped, as the session is already decided.
    pub fn record_sign_in(&self, actor: &str, ok: bool, client: IpAddr, now: Millis) {
        let (status, description) = if ok {
            (Status::Success, "signed in with the admin token")
        } else {
            (Status::Failed, "sign-in refused: wrong admin token")
        };
        let entry = AuditEntry::new(
            now,
            Actor::user(UserKey::from(actor), None),
            Action::SignIn,
            status,
        )
        .with_client_ip(client)
        .with_description(description);
        let _ = self.store().append_audit(&[entry]);
    }
}

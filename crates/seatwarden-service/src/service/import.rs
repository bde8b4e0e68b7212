//! What an import run does around the host's writes for the users it
//! creates: their group memberships and their welcome mail.
//!
//! Why a hook: a new user's key is the host's to choose (`JIRAUSER10100`),
//! so when the admin validates a file the plan cannot name the user that
//! row creates. Instead the row's actions name a *placeholder*
//! (`new:<username>`, see [`placeholder`]) and carry the
//! [`NEW_USER_SOURCE`] source; the plan is journaled and hashed as usual.
//! While the run applies, the run path hands each action to [`apply`]:
//!
//! - the creation is applied as it is; once it lands, the welcome and
//!   password-reset mails the import asked for are queued (when an enabled
//!   template of that kind exists), addressed to the key the host answered
//!   with ([`crate::host::Applied::created_user`]);
//! - a membership of a placeholder is resolved to the user's real key by
//!   asking the host for that username, then applied.
//!
//! Resolving by username rather than remembering the created key keeps a
//! resumed run correct: a process that died between the creation and the
//! memberships has forgotten everything but the journal, and the host still
//! knows the account. Mail de-duplication (one message per user, template
//! and run) makes a repeated queueing harmless.
//!
//! Every other action passes straight through to [`crate::host::Host::apply`].

use std::borrow::Cow;

use seatwarden_audit::RunId;
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_core::{Millis, UserKey, Username};
use seatwarden_mail::{Cycle, OutboxPort, Placeholder, Recipient, TemplateKind, Values};

use crate::host::Applied;
use crate::service::{ActionInfo, Service, StoreOutbox};

/// The source of every action about a user the import creates, followed by
/// the notices the admin asked for (`+welcome`, `+password-reset`).
pub const NEW_USER_SOURCE: &str = "import:new-user";

const PLACEHOLDER_PREFIX: &str = "new:";

/// The placeholder key an import plan names a not-yet-created user by.
pub fn placeholder(username: &str) -> UserKey {
    UserKey::from(format!("{PLACEHOLDER_PREFIX}{username}").as_str())
}

/// The mails a new user receives once the import created them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Notices {
    /// The welcome mail.
    pub welcome: bool,
    /// The password-reset mail.
    pub password_reset: bool,
}

impl Notices {
    /// The action source that carries these notices.
    pub fn source(self) -> String {
        let mut s = NEW_USER_SOURCE.to_owned();
        if self.welcome {
            s.push_str("+welcome");
        }
        if self.password_reset {
            s.push_str("+password-reset");
        }
        s
    }

    /// The notices of an action's source; `None` when the action is not
    /// about a user the import creates.
    pub fn of_source(source: &str) -> Option<Notices> {
        let rest = source.strip_prefix(NEW_USER_SOURCE)?;
        let mut notices = Notices::default();
        for part in rest.split('+').filter(|p| !p.is_empty()) {
            match part {
                "welcome" => notices.welcome = true,
                "password-reset" => notices.password_reset = true,
                _ => return None,
            }
        }
        Some(notices)
    }
}

/// Applies one action of a run through the host. For an import's new user
/// it resolves the placeholder first and queues the welcome mails after the
/// creation; returns the operation as it was applied (with the real key)
/// and what the host answered.
///
/// The run path calls this instead of `host.apply(op)`; for every action
/// that is not about an imported new user it is exactly `host.apply(op)`.
pub fn apply<'a>(
    service: &Service,
    run: RunId,
    info: Option<&ActionInfo>,
    op: &'a Operation,
    now: Millis,
) -> Result<(Cow<'a, Operation>, Applied), OperationFailure> {
    let notices = info.and_then(|i| Notices::of_source(&i.source));
    let (Some(notices), Some(info)) = (notices, info) else {
        return service.host().apply(op).map(|a| (Cow::Borrowed(op), a));
    };
    let op = resolve(service, &info.username, op)?;
    let applied = service.host().apply(&op)?;
    if let Operation::CreateUser { username, .. } = op.as_ref() {
        // The account exists now: a failed look-up only costs the mail.
        let key = match &applied.created_user {
            Some(key) => Some(key.clone()),
            None => lookup(service, username.as_str()).ok().flatten(),
        };
        if let Some(key) = key {
            queue_notices(service, run, &key, &op, notices, now);
        }
    }
    Ok((op, applied))
}

/// The operation with a placeholder user replaced by the key the host gave
/// the account named `username`.
fn resolve<'a>(
    service: &Service,
    username: &str,
    op: &'a Operation,
) -> Result<Cow<'a, Operation>, OperationFailure> {
    let Some(user) = op.user() else {
        return Ok(Cow::Borrowed(op));
    };
    if user.as_str() != placeholder(username).as_str() {
        return Ok(Cow::Borrowed(op));
    }
    // The creation failed or was never applied: nothing to add to a group.
    let key = lookup(service, username)?.ok_or(OperationFailure::NotFound)?;
    let mut resolved = op.clone();
    match &mut resolved {
        Operation::Activate { user }
        | Operation::Deactivate { user }
        | Operation::Suspend { user }
        | Operation::Restore { user }
        | Operation::Rename { user, .. }
        | Operation::Delete { user }
        | Operation::CancelDeletion { user }
        | Operation::AddToGroup { user, .. }
        | Operation::RemoveFromGroup { user, .. }
        | Operation::ReassignIssues { user, .. }
        | Operation::UpdateUser { user, .. } => *user = key,
        Operation::CreateGroup { .. }
        | Operation::DeleteGroup { .. }
        | Operation::CreateUser { .. } => {}
    }
    Ok(Cow::Owned(resolved))
}

fn lookup(service: &Service, username: &str) -> Result<Option<UserKey>, OperationFailure> {
    service
        .host()
        .user_by_username(username)
        .map(|u| u.map(|u| UserKey::from(u.key.as_str())))
        .map_err(|e| OperationFailure::Host(e.to_string()))
}

/// Queues the mails the import asked for, one per enabled template of the
/// kind; a missing template, address or outbox failure only means no mail
/// (the account exists either way).
fn queue_notices(
    service: &Service,
    run: RunId,
    key: &UserKey,
    create: &Operation,
    notices: Notices,
    now: Millis,
) {
    let Operation::CreateUser {
        username,
        display_name,
        email,
        directory,
        active,
    } = create
    else {
        return;
    };
    let mut kinds = Vec::new();
    if notices.welcome {
        kinds.push(TemplateKind::Welcome);
    }
    if notices.password_reset {
        kinds.push(TemplateKind::PasswordReset);
    }
    if kinds.is_empty() {
        return;
    }
    let settings = service.settings();
    let options = service.options();
    let user = seatwarden_core::model::User {
        key: key.clone(),
        username: Username::from(username.as_str()),
        display_name: display_name.clone(),
        email: email.clone(),
        directory: directory.unwrap_or(seatwarden_core::model::DirectoryId(0)),
        active: *active,
        created: now,
        last_login: None,
        login_count: Some(0),
        deactivated_at: None,
        groups: Vec::new(),
    };
    let values = Values::new()
        .instance(&options.instance_name, &options.base_url)
        .user(&user, now)
        .with(
            Placeholder::PasswordResetUrl,
            password_reset_url(&options.product, &options.base_url),
        );
    let recipient = Recipient {
        key: key.clone(),
        email: email.clone(),
    };
    let outbox = StoreOutbox::new(service.store(), now);
    for kind in kinds {
        let Some(template) = settings
            .templates
            .iter()
            .find(|t| t.kind == kind && t.enabled)
        else {
            continue;
        };
        let cycle = Cycle::run(&run.to_string());
        // No address or an outbox failure: the account exists either way,
        // and a failed queueing must not fail the creation.
        if let Ok(message) = seatwarden_mail::compose(template, &recipient, &values, cycle, now) {
            let _ = outbox.enqueue(message);
        }
    }
}

/// Where a user of this product chooses a password.
fn password_reset_url(product: &str, base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    match product {
        "confluence" => format!("{base}/forgotuserpassword.action"),
        _ => format!("{base}/secure/ForgotLoginDetails.jspa"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use seatwarden_core::GroupName;

    use super::*;
    use crate::host::Host;
    use crate::host::memory::MemoryDirectory;
    use crate::service::ServiceOptions;
    use crate::store::{MemoryStore, OutboxQuery, Store};

    fn setup(welcome_enabled: bool) -> (Arc<MemoryDirectory>, Arc<dyn Store>, Service) {
        let snap = serde_json::from_value(serde_json::json!({
            "format": "seatwarden-snapshot", "version": 1,
            "header": {
                "takenAt": 0,
                "directories": [{"id": 1, "name": "Internal", "kind": "internal",
                    "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                                     "createUser": true, "updateMembership": true}}],
                "groups": [{"name": "staff"}],
                "licences": [],
                "sysadmins": []
            },
            "pages": [{"users": []}]
        }))
        .unwrap();
        let host = Arc::new(MemoryDirectory::new(snap));
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let service = Service::new(host.clone(), store.clone(), ServiceOptions::default()).unwrap();
        let mut settings = (*service.settings()).clone();
        for t in &mut settings.templates {
            if t.kind == TemplateKind::Welcome {
                t.enabled = welcome_enabled;
            }
        }
        service.save_settings(settings).unwrap();
        (host, store, service)
    }

    fn info(op: &Operation, notices: Notices) -> ActionInfo {
        ActionInfo::new(op.clone(), "newbie", notices.source(), "import file line 2")
            .on(placeholder("newbie"))
    }

    fn create() -> Operation {
        Operation::CreateUser {
            username: Username::from("newbie"),
            display_name: "New Bie".to_owned(),
            email: "newbie@example.test".to_owned(),
            directory: None,
            active: true,
        }
    }

    fn join() -> Operation {
        Operation::AddToGroup {
            user: placeholder("newbie"),
            group: GroupName::from("staff"),
        }
    }

    #[test]
    fn sources_carry_the_notices_and_nothing_else_parses() {
        let all = Notices {
            welcome: true,
            password_reset: true,
        };
        assert_eq!(all.source(), "import:new-user+welcome+password-reset");
        assert_eq!(Notices::of_source(&all.source()), Some(all));
        assert_eq!(
            Notices::of_source("import:new-user"),
            Some(Notices::default())
        );
        assert_eq!(Notices::of_source("import"), None);
        assert_eq!(Notices::of_source("import:new-user+fax"), None);
        assert_eq!(Notices::of_source("policy-1"), None);
    }

    #[test]
    fn a_membership_of_a_created_user_lands_on_the_key_the_host_chose() {
        let (host, store, service) = setup(true);
        let notices = Notices {
            welcome: true,
            password_reset: false,
        };
        let create = create();
        let (landed, applied) = apply(
            &service,
            RunId(7),
            Some(&info(&create, notices)),
            &create,
            Millis(5),
        )
        .unwrap();
        let key = applied.created_user.clone().unwrap();
        assert_eq!(landed.as_ref(), &create);
        let join = join();
        let (landed, _) = apply(
            &service,
            RunId(7),
            Some(&info(&join, notices)),
            &join,
            Millis(6),
        )
        .unwrap();
        assert_eq!(
            landed.as_ref(),
            &Operation::AddToGroup {
                user: key.clone(),
                group: GroupName::from("staff")
            }
        );
        let user = host.user_by_username("newbie").unwrap().unwrap();
        assert_eq!(user.groups, ["staff"]);
        // Exactly one welcome mail, to the new key; queueing again (a
        // resumed run) adds none.
        let mail = store.list_mail(&OutboxQuery::default()).unwrap().items;
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].recipient_user.as_ref(), Some(&key));
        assert_eq!(mail[0].template_id, "welcome");
        queue_notices(&service, RunId(7), &key, &create, notices, Millis(9));
        assert_eq!(
            store
                .list_mail(&OutboxQuery::default())
                .unwrap()
                .items
                .len(),
            1
        );
    }

    #[test]
    fn no_mail_without_an_enabled_template_or_a_request_for_it() {
        let (_, store, service) = setup(false);
        let create = create();
        let asked = Notices {
            welcome: true,
            password_reset: true,
        };
        apply(
            &service,
            RunId(1),
            Some(&info(&create, asked)),
            &create,
            Millis(5),
        )
        .unwrap();
        assert!(
            store
                .list_mail(&OutboxQuery::default())
                .unwrap()
                .items
                .is_empty()
        );

        let (_, store, service) = setup(true);
        apply(
            &service,
            RunId(1),
            Some(&info(&create, Notices::default())),
            &create,
            Millis(5),
        )
        .unwrap();
        assert!(
            store
                .list_mail(&OutboxQuery::default())
                .unwrap()
                .items
                .is_empty()
        );
    }

    #[test]
    fn a_membership_whose_user_was_never_created_fails_as_not_found() {
        let (_, _, service) = setup(false);
        let join = join();
        let failure = apply(
            &service,
            RunId(1),
            Some(&info(&join, Notices::default())),
            &join,
            Millis(5),
        )
        .unwrap_err();
        assert_eq!(failure, OperationFailure::NotFound);
    }

    #[test]
    fn other_sources_pass_straight_through() {
        let (host, _, service) = setup(false);
        let create = create();
        let (_, applied) = apply(&service, RunId(1), None, &create, Millis(5)).unwrap();
        let key = applied.created_user.unwrap();
        // A real key that happens to look like a placeholder is not resolved.
        let mut plain = info(&join(), Notices::default());
        plain.source = "import".to_owned();
        let op = Operation::AddToGroup {
            user: key.clone(),
            group: GroupName::from("staff"),
        };
        let (landed, _) = apply(&service, RunId(1), Some(&plain), &op, Millis(6)).unwrap();
        assert!(matches!(landed, Cow::Borrowed(_)));
        assert_eq!(
            host.user_by_username("newbie").unwrap().unwrap().groups,
            ["staff"]
        );
    }
}

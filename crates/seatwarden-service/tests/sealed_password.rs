//! Issue 18: the SMTP password at rest. With a secret key (the standalone
//! server) the stored configuration holds it sealed, never in plain text; a
//! plain value written before the key existed is sealed at the next start;
//! a missing or wrong key is a precise start-up error, never an empty
//! password; `forget_sealed_password` is the way out when the key is lost.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use serde_json::json;

use common::*;
use seatwarden_service::api::Method;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MemoryStore, Store};
use seatwarden_service::{DocumentError, SecretKey, Service, ServiceError, ServiceOptions};

const PASSWORD: &str = "S3cret-at-rest!";

fn version(service: &Service) -> serde_json::Value {
    let (status, mail) = call(service, Method::Get, "/api/settings/mail", None, DAY0);
    assert_eq!(status, 200, "{mail}");
    mail["configVersion"].clone()
}

fn keyed(key: Option<&SecretKey>) -> ServiceOptions {
    ServiceOptions {
        secret_key: key.cloned(),
        ..options("node-a", 50)
    }
}

fn start(store: &Arc<dyn Store>, options: ServiceOptions) -> Result<Service, ServiceError> {
    let host = Arc::new(MemoryDirectory::new(snapshot(1, 1, 0)));
    Service::new(host, store.clone(), options)
}

fn save_password(service: &Service) {
    let own = json!({"source": "own", "host": "smtp.corp.example", "port": 587,
                     "security": "start_tls", "username": "mailer", "password": PASSWORD,
                     "from": "sw@example.test", "configVersion": version(service)});
    let (status, body) = call(service, Method::Put, "/api/settings/mail", Some(own), DAY0);
    assert_eq!(status, 200, "{body}");
}

/// A store holding a password saved by a service with `key`, and that service.
fn saved_with(key: &SecretKey) -> (Arc<dyn Store>, Service) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let service = start(&store, keyed(Some(key))).unwrap();
    save_password(&service);
    (store, service)
}

fn stored(store: &Arc<dyn Store>) -> String {
    store.load_config().unwrap().unwrap().json
}

fn password_of(service: &Service) -> Option<String> {
    match &service.settings().mail {
        seatwarden_mail::MailServerChoice::Own(smtp) => {
            smtp.password.as_ref().map(|p| p.expose().to_owned())
        }
        _ => None,
    }
}

#[test]
fn with_a_key_the_stored_password_is_sealed_and_opens_again_at_the_next_start() {
    let key = SecretKey::generate();
    let (store, service) = saved_with(&key);

    let doc = stored(&store);
    assert!(!doc.contains(PASSWORD), "plain password stored: {doc}");
    assert!(doc.contains("\"passwordSealed\":\"sw1:"), "{doc}");
    assert_eq!(password_of(&service).as_deref(), Some(PASSWORD));

    // A restart with the same key reads the password back.
    let again = start(&store, keyed(Some(&key))).unwrap();
    assert_eq!(password_of(&again).as_deref(), Some(PASSWORD));
    // Other settings saves keep it sealed.
    let body = json!({"from": "other@example.test", "source": "own", "host": "smtp.corp.example",
                      "port": 587, "security": "start_tls", "username": "mailer",
                      "configVersion": version(&again)});
    let (status, answer) = call(&again, Method::Put, "/api/settings/mail", Some(body), DAY0);
    assert_eq!(status, 200, "{answer}");
    assert!(!stored(&store).contains(PASSWORD));
    assert_eq!(password_of(&again).as_deref(), Some(PASSWORD));
}

#[test]
fn a_wrong_or_missing_key_stops_the_start_with_the_reason_and_changes_nothing() {
    let key = SecretKey::generate();
    let (store, _) = saved_with(&key);
    let before = store.load_config().unwrap().unwrap();

    let wrong = SecretKey::generate();
    let Err(err) = start(&store, keyed(Some(&wrong))) else {
        panic!("a wrong key must not start");
    };
    assert!(
        matches!(
            err,
            ServiceError::Document(DocumentError::SealedPassword { .. })
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("does not open with this secret key"),
        "{message}"
    );
    assert!(message.contains("SEATWARDEN_SECRET_KEY"), "{message}");
    assert!(!message.contains(PASSWORD));

    let Err(err) = start(&store, keyed(None)) else {
        panic!("no key must not start");
    };
    assert!(err.to_string().contains("no secret key was given"), "{err}");

    let after = store.load_config().unwrap().unwrap();
    assert_eq!((after.version, after.json), (before.version, before.json));
}

#[test]
fn a_password_stored_in_plain_text_is_sealed_at_the_first_start_with_a_key() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    // Written by a server without a key (before issue 18's sealing).
    let plain = start(&store, keyed(None)).unwrap();
    save_password(&plain);
    let doc = stored(&store);
    assert!(doc.contains(PASSWORD), "{doc}");
    drop(plain);

    let key = SecretKey::generate();
    let sealed = start(&store, keyed(Some(&key))).unwrap();
    let doc = stored(&store);
    assert!(!doc.contains(PASSWORD), "{doc}");
    assert!(doc.contains("passwordSealed"), "{doc}");
    assert_eq!(password_of(&sealed).as_deref(), Some(PASSWORD));
    // The service runs with the version it wrote: the next save is accepted.
    save_password(&sealed);
    assert_eq!(
        password_of(&start(&store, keyed(Some(&key))).unwrap()).as_deref(),
        Some(PASSWORD)
    );
}

#[test]
fn forgetting_a_password_that_no_longer_opens_keeps_the_rest_of_the_configuration() {
    let key = SecretKey::generate();
    let (store, first) = saved_with(&key);
    let policy = create_policy(&first, deactivation_policy("Idle", false), DAY0).0;
    drop(first);

    let lost = SecretKey::generate();
    let recovered = start(
        &store,
        ServiceOptions {
            forget_sealed_password: true,
            ..keyed(Some(&lost))
        },
    )
    .unwrap();
    assert_eq!(password_of(&recovered), None);
    let (status, body) = call(&recovered, Method::Get, "/api/settings/mail", None, DAY0);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mail"]["password_set"], json!(false), "{body}");
    assert_eq!(body["mail"]["host"], json!("smtp.corp.example"), "{body}");
    let (status, body) = call(
        &recovered,
        Method::Get,
        &format!("/api/policies/{policy}"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    // The next start with the new key needs no recovery.
    assert!(start(&store, keyed(Some(&lost))).is_ok());
}

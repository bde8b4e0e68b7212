//! Migration of older configuration documents, one version step at a time.
//!
//! Stored documents outlive the build that wrote them. Each step rewrites a
//! document of version `n` into version `n + 1` on the JSON tree, before the
//! strict parser sees it, so the parser only ever knows the current shape.
//! A future version (newer than this build) is refused rather than guessed.
//!
//! Version 0 is the pre-release draft used by early demo data: its settings
//! called the scheduler time `schedulerTime` and the protected groups
//! `excludedGroups`.

use serde_json::Value;

use super::{CONFIG_VERSION, ConfigError, ConfigIssue};

/// Brings a document to [`CONFIG_VERSION`]. The `version` field is required.
pub fn migrate(mut value: Value) -> Result<Value, ConfigError> {
    let Some(obj) = value.as_object() else {
        return Err(ConfigError::Invalid(vec![ConfigIssue {
            path: String::new(),
            message: "must be a JSON object".into(),
        }]));
    };
    let version = match obj.get("version") {
        None => {
            return Err(ConfigError::Invalid(vec![ConfigIssue {
                path: "version".into(),
                message: "is required".into(),
            }]));
        }
        Some(v) => match v.as_u64() {
            Some(n) => n,
            None => {
                return Err(ConfigError::Invalid(vec![ConfigIssue {
                    path: "version".into(),
                    message: "must be a whole number".into(),
                }]));
            }
        },
    };
    if version > u64::from(CONFIG_VERSION) {
        return Err(ConfigError::UnsupportedVersion {
            found: version,
            supported: CONFIG_VERSION,
        });
    }
    let mut current = version;
    while current < u64::from(CONFIG_VERSION) {
        if current == 0 {
            v0_to_v1(&mut value);
        }
        current += 1;
    }
    if let Some(obj) = value.as_object_mut() {
        obj.insert("version".into(), Value::from(CONFIG_VERSION));
    }
    Ok(value)
}

fn v0_to_v1(value: &mut Value) {
    let Some(settings) = value.get_mut("settings").and_then(Value::as_object_mut) else {
        return;
    };
    for (old, new) in [
        ("schedulerTime", "schedulerAt"),
        ("excludedGroups", "protectedGroups"),
    ] {
        if let Some(v) = settings.remove(old) {
            settings.entry(new).or_insert(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v0_renames_settings_fields() {
        let v0 = serde_json::json!({
            "version": 0,
            "settings": {"schedulerTime": "03:00", "excludedGroups": ["admins"]},
            "policies": []
        });
        let v1 = migrate(v0).unwrap();
        assert_eq!(v1["version"], 1);
        assert_eq!(v1["settings"]["schedulerAt"], "03:00");
        assert_eq!(v1["settings"]["protectedGroups"][0], "admins");
        assert!(v1["settings"].get("schedulerTime").is_none());
    }

    #[test]
    fn future_version_is_refused() {
        let err = migrate(serde_json::json!({"version": 99})).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::UnsupportedVersion { found: 99, .. }
        ));
    }

    #[test]
    fn missing_version_is_an_error_at_its_path() {
        let err = migrate(serde_json::json!({"policies": []})).unwrap_err();
        assert_eq!(err.issues()[0].to_string(), "version: is required");
    }
}

//! Rendering: a template plus values becomes a subject, sanitised HTML and text.
//!
//! Order matters and is fixed here: parse placeholders → insert values
//! (HTML-escaped in the body, line breaks flattened in the subject) →
//! sanitise the whole body → derive the text part from the sanitised HTML.
//! Sanitising after insertion means a value can never add markup, and a URL
//! value inside `href` still has to pass the scheme check.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use seatwarden_core::{Millis, User};

use crate::placeholder::{self, Field, Placeholder, Segment};
use crate::sanitize::{escape_html, html_to_text, sanitize_html};
use crate::template::{Template, TemplateErrors};

/// Values for the placeholders of one message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Values {
    map: BTreeMap<Placeholder, String>,
}

impl Values {
    /// No values.
    pub fn new() -> Values {
        Values::default()
    }

    /// Sets one value (builder style).
    pub fn with(mut self, p: Placeholder, value: impl Into<String>) -> Values {
        self.map.insert(p, value.into());
        self
    }

    /// Sets one value.
    pub fn set(&mut self, p: Placeholder, value: impl Into<String>) {
        self.map.insert(p, value.into());
    }

    /// The value of `p`, if set.
    pub fn get(&self, p: Placeholder) -> Option<&str> {
        self.map.get(&p).map(String::as_str)
    }

    /// The instance-wide values.
    pub fn instance(mut self, instance_name: &str, base_url: &str) -> Values {
        self.set(Placeholder::InstanceName, instance_name);
        self.set(Placeholder::BaseUrl, base_url);
        self
    }

    /// The recipient's values: names, address, last login, days inactive at `now`.
    pub fn user(mut self, user: &User, now: Millis) -> Values {
        self.set(Placeholder::Username, user.username.as_str());
        self.set(Placeholder::DisplayName, user.display_name.as_str());
        self.set(Placeholder::Email, user.email.as_str());
        self.set(
            Placeholder::LastLogin,
            user.last_login
                .map_or_else(|| "never".to_owned(), Millis::date_string),
        );
        let since = user.last_login.unwrap_or(user.created);
        self.set(
            Placeholder::DaysInactive,
            since.days_until(now).max(0).to_string(),
        );
        self
    }

    /// The planned action, its date and the days left at `now`.
    pub fn action(mut self, words: &str, at: Millis, now: Millis) -> Values {
        self.set(Placeholder::Action, words);
        self.set(Placeholder::ActionDate, at.date_string());
        self.set(
            Placeholder::DaysUntilAction,
            now.days_until(at).max(0).to_string(),
        );
        self
    }

    /// Every placeholder set to its sample value.
    pub fn samples() -> Values {
        Values {
            map: Placeholder::ALL
                .into_iter()
                .map(|p| (p, p.sample().to_owned()))
                .collect(),
        }
    }
}

/// A rendered message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// Subject with values inserted.
    pub subject: String,
    /// Body, values inserted, sanitised to the allowed subset.
    pub html: String,
    /// Plain-text alternative derived from `html`.
    pub text: String,
    /// Placeholders that were replaced by a value (each once, in order of first use).
    pub substituted: Vec<Placeholder>,
    /// Placeholders used but without a value; they rendered as empty text.
    pub missing: Vec<Placeholder>,
}

/// Renders `template` with `values`.
pub fn render(template: &Template, values: &Values) -> Result<Rendered, TemplateErrors> {
    let mut errors = Vec::new();
    let subject_segs = placeholder::parse(&template.subject, Field::Subject, template.kind)
        .map_err(|e| errors.extend(e.into_iter().map(Into::into)));
    let body_segs = placeholder::parse(&template.html_body, Field::Body, template.kind)
        .map_err(|e| errors.extend(e.into_iter().map(Into::into)));
    let (Ok(subject_segs), Ok(body_segs)) = (subject_segs, body_segs) else {
        return Err(TemplateErrors { errors });
    };
    let mut substituted = Vec::new();
    let mut missing = Vec::new();
    let mut note = |p: Placeholder, found: bool| {
        let list = if found {
            &mut substituted
        } else {
            &mut missing
        };
        if !list.contains(&p) {
            list.push(p);
        }
    };
    let mut subject = String::with_capacity(template.subject.len() + 32);
    for seg in &subject_segs {
        match seg {
            Segment::Literal(s) => subject.push_str(s),
            Segment::Slot(p) => {
                let v = values.get(*p);
                note(*p, v.is_some());
                let flat = v.unwrap_or("").replace(['\r', '\n'], " ");
                subject.push_str(&flat);
            }
        }
    }
    let mut body = String::with_capacity(template.html_body.len() + 256);
    for seg in &body_segs {
        match seg {
            Segment::Literal(s) => body.push_str(s),
            Segment::Slot(p) => {
                let v = values.get(*p);
                note(*p, v.is_some());
                body.push_str(&escape_html(v.unwrap_or("")));
            }
        }
    }
    let html = sanitize_html(&body);
    let text = html_to_text(&html);
    Ok(Rendered {
        subject: subject.trim().to_owned(),
        html,
        text,
        substituted,
        missing,
    })
}

/// What the preview shows: the message rendered with sample values, and a
/// notice of which placeholders were filled with samples.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    /// The rendered sample message.
    pub rendered: Rendered,
    /// Each placeholder used, with the sample value it got.
    pub samples: Vec<(Placeholder, String)>,
    /// A sentence for the bottom of the preview.
    pub notice: String,
}

/// Renders `template` with sample values.
pub fn preview(template: &Template) -> Result<Preview, TemplateErrors> {
    preview_with(template, &Values::samples())
}

/// Renders `template` with `values` (the samples with some values set from
/// elsewhere, e.g. the action date and days left from a policy's warning
/// rule); each substituted placeholder is reported with the value it got.
pub fn preview_with(template: &Template, values: &Values) -> Result<Preview, TemplateErrors> {
    let rendered = render(template, values)?;
    let samples: Vec<(Placeholder, String)> = rendered
        .substituted
        .iter()
        .map(|p| (*p, values.get(*p).unwrap_or_default().to_owned()))
        .collect();
    let notice = if samples.is_empty() {
        "This template uses no placeholders; every recipient gets the same text.".to_owned()
    } else {
        let names: Vec<String> = samples
            .iter()
            .map(|(p, _)| format!("{{{{{p}}}}}"))
            .collect();
        format!(
            "Sample values were used for {}; real messages use each recipient's own values.",
            names.join(", ")
        )
    };
    Ok(Preview {
        rendered,
        samples,
        notice,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::TemplateKind;

    #[test]
    fn values_are_escaped_then_sanitised() {
        let mut t = Template::default_for(TemplateKind::Warning);
        t.subject = "Hi {{display_name}}".into();
        t.html_body = "<p>Dear {{display_name}}</p><a href=\"{{request_access_url}}\">x</a>".into();
        let v = Values::new()
            .with(Placeholder::DisplayName, "<script>alert(1)</script>\nEve")
            .with(Placeholder::RequestAccessUrl, "javascript:alert(2)");
        let r = render(&t, &v).unwrap();
        assert_eq!(r.subject, "Hi <script>alert(1)</script> Eve");
        assert!(
            r.html
                .contains("Dear &lt;script&gt;alert(1)&lt;/script&gt;\nEve"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("javascript"), "{}", r.html);
        assert_eq!(
            r.substituted,
            vec![Placeholder::DisplayName, Placeholder::RequestAccessUrl]
        );
        assert!(
            r.text.contains("Dear <script>alert(1)</script> Eve"),
            "{}",
            r.text
        );
    }

    #[test]
    fn missing_values_are_reported() {
        let t = Template::default_for(TemplateKind::PasswordReset);
        let r = render(&t, &Values::new().with(Placeholder::Username, "u1")).unwrap();
        assert!(r.missing.contains(&Placeholder::PasswordResetUrl));
        assert_eq!(r.substituted, vec![Placeholder::Username]);
    }

    #[test]
    fn preview_lists_the_samples_used() {
        let p = preview(&Template::default_for(TemplateKind::Warning)).unwrap();
        assert!(
            p.rendered.html.contains("Hello John Doe"),
            "{}",
            p.rendered.html
        );
        assert!(
            p.samples
                .contains(&(Placeholder::DisplayName, "John Doe".into()))
        );
        assert!(!p.samples.iter().any(|(p, _)| *p == Placeholder::SeatsUsed));
        assert!(p.notice.contains("{{display_name}}"), "{}", p.notice);
        assert!(p.rendered.missing.is_empty());
    }

    #[test]
    fn user_values_handle_never_logged_in() {
        let user = User {
            key: "k1".into(),
            username: "intern1".into(),
            display_name: "Intern One".into(),
            email: "intern1@example.com".into(),
            directory: seatwarden_core::DirectoryId(1),
            active: true,
            created: Millis(0),
            last_login: None,
            login_count: None,
            deactivated_at: None,
            groups: vec![],
        };
        let v = Values::new().user(&user, Millis(40 * seatwarden_core::time::DAY_MS + 5));
        assert_eq!(v.get(Placeholder::LastLogin), Some("never"));
        assert_eq!(v.get(Placeholder::DaysInactive), Some("40"));
    }
}

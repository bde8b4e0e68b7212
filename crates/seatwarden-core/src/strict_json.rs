//! JSON that means one thing: a document with a repeated object key is
//! refused, whatever it is deserialised into.
//!
//! Why: `serde_json::Value` (which the admin API's bodies and the
//! configuration document are read into) keeps the *last* of two equal keys,
//! so `{"id":"p7","id":"p8"}` silently became `p8`, and a reviewer or a
//! proxy that reads the first one sees a different request than the one
//! applied. Derived structs already refuse a repeated field, but only at
//! the depth where a struct is declared; a `Value` anywhere hides it. So
//! every JSON entry point that reaches a `Value` goes through
//! [`from_slice`] / [`from_str`] here: one structural pass that checks each
//! object's keys (naming the repeated key by its path, e.g.
//! `policies[0].id`), then serde_json's ordinary parse. The pass keeps no
//! values, and serde_json's own recursion limit still bounds its depth.
//!
//! The error is a `serde_json::Error`, so callers keep reporting line,
//! column and [`crate::json_error::describe`] exactly as for any other
//! malformed body; the message names the key path (our schema's field
//! names), never a value.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// Parses `bytes` as `T`, refusing a repeated key in any object.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    check(bytes)?;
    serde_json::from_slice(bytes)
}

/// [`from_slice`] over text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    from_slice(text.as_bytes())
}

/// Checks that `bytes` is one JSON value with no repeated key in any object.
pub fn check(bytes: &[u8]) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Node {
        parent: None,
        step: Step::Root,
    }
    .deserialize(&mut de)?;
    de.end()
}

/// How a node was reached from its parent.
#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

/// One position in the document; the path is rendered only for an error.
#[derive(Clone, Copy)]
struct Node<'a> {
    parent: Option<&'a Node<'a>>,
    step: Step<'a>,
}

impl Node<'_> {
    /// The path of `key` inside this node: `a.b[2].key`.
    fn path_of(&self, key: &str) -> String {
        let mut steps = vec![Step::Key(key)];
        let mut at = Some(self);
        while let Some(node) = at {
            steps.push(node.step);
            at = node.parent;
        }
        let mut out = String::new();
        for step in steps.iter().rev() {
            match step {
                Step::Root => {}
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(Node {
                parent: Some(&self),
                step: Step::Index(i),
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{}`",
                    self.path_of(&key)
                )));
            }
            map.next_value_seed(Node {
                parent: Some(&self),
                step: Step::Key(&key),
            })?;
            seen.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn refused(text: &str) -> String {
        crate::json_error::describe(&from_str::<Value>(text).unwrap_err())
    }

    #[test]
    fn a_repeated_top_level_key_is_refused_by_name() {
        assert_eq!(refused(r#"{"id":"p7","id":"p8"}"#), "duplicate key `id`");
    }

    #[test]
    fn a_repeated_nested_key_is_named_by_its_path() {
        assert_eq!(
            refused(r#"{"policies":[{"id":"a"},{"id":"b","rule":{"days":1,"days":2}}]}"#),
            "duplicate key `policies[1].rule.days`"
        );
    }

    #[test]
    fn an_escaped_spelling_of_the_same_key_is_the_same_key() {
        assert_eq!(refused(r#"{"id":1,"\u0069d":2}"#), "duplicate key `id`");
    }

    #[test]
    fn the_error_keeps_the_position_of_the_repeat() {
        let err = from_str::<Value>("{\"a\":1,\n \"a\":2}").unwrap_err();
        assert_eq!(err.line(), 2);
    }

    #[test]
    fn equal_keys_in_different_objects_are_fine() {
        let v: Value = from_str(r#"{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]}"#).unwrap();
        assert_eq!(v["c"][1]["x"], 2);
    }

    #[test]
    fn other_malformed_json_is_still_refused() {
        assert!(from_str::<Value>(r#"{"a":1} x"#).is_err());
        assert!(from_str::<Value>(r#"{"a":"#).is_err());
    }

    #[test]
    fn depth_stays_bounded() {
        let deep = "[".repeat(10_000);
        assert!(check(deep.as_bytes()).is_err());
    }
}

//! How an entry point is declared: once, with [`natives!`].
//!
//! A JNI entry point has a name and a signature in three places: the
//! `extern "system"` function (whose exported name is the JNI mangling of the
//! Java method), the `native` declaration in Java, and `docs/jni.md`. Written
//! by hand they drift, and a misspelt name only shows as an
//! `UnsatisfiedLinkError` when Java first calls it. So each entry point is
//! written once, in Java's terms:
//!
//! ```text
//! natives! {
//!     class "Java_io_seatwarden_bridge_Native_", list NATIVE;
//!     /// One page of the Users tab.
//!     fn query(env, handle: long, request: bytes) -> bytes { … }
//! }
//! ```
//!
//! and the macro writes the exported function (the one `unsafe` attribute,
//! with its safety argument written once, here) and a [`Signature`] in a list;
//! a unit test compares that list with the Java class and the docs' table, so
//! a method added, renamed or retyped on one side only fails `cargo test`.
//! (libsignal declares each bridge function once too, with a proc-macro, and
//! verifies its generated `Native.java`; at 29 functions a `macro_rules!` is
//! enough.)
//!
//! The body runs with `env: &mut JNIEnv` and the parameters as JNI types;
//! it is where `guard` (always) goes: the macro does not hide the shape.

/// A Java `native` method as Rust exports it: what the check compares.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Signature {
    /// The Java method's name.
    pub(crate) name: &'static str,
    /// The Java return type (`byte[]`, `boolean`, `long`).
    pub(crate) ret: &'static str,
    /// The parameters: Java type and name.
    pub(crate) params: &'static [(&'static str, &'static str)],
}

#[cfg(test)]
impl Signature {
    /// `byte[] query(long handle, byte[] request)`, as Java writes it.
    pub(crate) fn java(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(ty, name)| format!("{ty} {name}"))
            .collect();
        format!("{} {}({})", self.ret, self.name, params.join(", "))
    }
}

/// The JNI type of a Java parameter or result, by its name in [`natives!`].
macro_rules! jni_type {
    (bytes) => { ::jni::objects::JByteArray<'local> };
    (object) => { ::jni::objects::JObject<'local> };
    (objects) => { ::jni::objects::JObjectArray<'local> };
    (long) => { ::jni::sys::jlong };
    (int) => { ::jni::sys::jint };
    (boolean) => { ::jni::sys::jboolean };
}

/// The JNI type an entry point returns (a raw array: the guard's default is null).
macro_rules! jni_return {
    (bytes) => {
        ::jni::sys::jbyteArray
    };
    (long) => {
        ::jni::sys::jlong
    };
    (boolean) => {
        ::jni::sys::jboolean
    };
}

/// The Java spelling of a type name of [`natives!`] (for the checked list).
#[cfg(test)]
macro_rules! java_type {
    (bytes) => {
        "byte[]"
    };
    (object) => {
        "Object"
    };
    (objects) => {
        "Object[]"
    };
    (long) => {
        "long"
    };
    (int) => {
        "int"
    };
    (boolean) => {
        "boolean"
    };
}

/// Declares JNI entry points once each; see the module docs.
macro_rules! natives {
    (
        class $prefix:literal, list $list:ident;
        $(
            $(#[$attr:meta])*
            fn $name:ident($env:ident $(, $param:ident: $pty:ident)*) -> $ret:ident $body:block
        )*
    ) => {
        $(
            $(#[$attr])*
            // SAFETY: the exported name is `Java_` + the class + the method,
            // the JNI mangling of a Java `static native` method whose
            // signature is the one written here in Java's terms (checked
            // against the Java class by `native::tests`); the names use only
            // ASCII letters and digits, so no JNI escape is needed, and each
            // is unique in the library because each Java method is.
            #[unsafe(export_name = concat!($prefix, stringify!($name)))]
            #[allow(non_snake_case, reason = "named as the Java method it implements")]
            extern "system" fn $name<'local>(
                mut env: ::jni::JNIEnv<'local>,
                _class: ::jni::objects::JClass<'local>,
                $($param: jni_type!($pty),)*
            ) -> jni_return!($ret) {
                let $env = &mut env;
                $body
            }
        )*

        /// Every entry point declared here, in order, as Java declares it.
        #[cfg(test)]
        pub(crate) const $list: &[$crate::native::Signature] = &[
            $(
                $crate::native::Signature {
                    name: stringify!($name),
                    ret: java_type!($ret),
                    params: &[$((java_type!($pty), stringify!($param))),*],
                },
            )*
        ];
    };
}

#[cfg(test)]
mod tests {
    use super::Signature;

    /// The `static native` declarations of a Java source, one per line
    /// (`byte[] query(long handle, byte[] request)`), in order.
    fn java_natives(source: &str) -> Vec<String> {
        let flat: String = source
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("*") && !l.starts_with("/") && !l.starts_with("//"))
            .collect::<Vec<_>>()
            .join(" ");
        flat.split("static native ")
            .skip(1)
            .map(|rest| {
                let decl = rest.split(';').next().unwrap_or("");
                decl.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    /// The first-column signatures of the docs' tables headed
    /// ``| Java (`Native`)``, reduced to types (`query(long, byte[])`): the
    /// docs may leave parameter names out.
    fn doc_types(markdown: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut in_table = false;
        for line in markdown.lines() {
            if line.starts_with("| Java (`Native`)") {
                in_table = true;
            } else if !line.starts_with('|') {
                in_table = false;
            } else if let (true, Some(cell)) = (in_table, line.strip_prefix("| `")) {
                if let Some(sig) = cell.split('`').next() {
                    out.push(types_only(sig));
                }
            }
        }
        out
    }

    /// `byte[] query(long handle, byte[] request)` → `byte[] query(long, byte[])`.
    fn types_only(sig: &str) -> String {
        let (head, params) = sig.split_once('(').unwrap_or((sig, ""));
        let params = params.trim_end_matches(')');
        let types: Vec<&str> = params
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.split_whitespace().next().unwrap_or(""))
            .collect();
        format!("{}({})", head.trim(), types.join(", "))
    }

    fn read(path: &str) -> String {
        let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    fn java(list: &[Signature]) -> Vec<String> {
        list.iter().map(Signature::java).collect()
    }

    #[test]
    fn native_java_declares_exactly_the_exported_entry_points() {
        let declared = java_natives(&read(
            "java-shim/src/main/java/io/seatwarden/bridge/Native.java",
        ));
        assert_eq!(declared, java(crate::entry::NATIVE));
    }

    #[test]
    fn the_docs_table_lists_exactly_the_exported_entry_points() {
        let documented = doc_types(&read("docs/jni.md"));
        let exported: Vec<String> = java(crate::entry::NATIVE)
            .iter()
            .map(|s| types_only(s))
            .collect();
        assert_eq!(documented, exported);
    }

    #[cfg(feature = "testing")]
    #[test]
    fn native_testing_declares_exactly_the_test_entry_points() {
        let source = read("java-shim/src/test/java/io/seatwarden/bridge/NativeTesting.java");
        assert_eq!(java_natives(&source), java(crate::testing::NATIVE_TESTING));
        // The docs name each in their prose list.
        let docs = read("docs/jni.md");
        for sig in crate::testing::NATIVE_TESTING {
            assert!(
                docs.contains(&format!("`{}(", sig.name)),
                "{} is not in docs/jni.md",
                sig.name
            );
        }
    }

    #[test]
    fn the_check_sees_a_difference() {
        let source = "final class Native {\n  /** Doc. */\n  static native byte[] query(long handle,\n      byte[] request);\n  static native boolean close(long handle);\n}";
        let list = [
            Signature {
                name: "query",
                ret: "byte[]",
                params: &[("long", "handle"), ("byte[]", "request")],
            },
            Signature {
                name: "close",
                ret: "boolean",
                params: &[("int", "handle")],
            },
        ];
        let declared = java_natives(source);
        assert_eq!(declared[0], list[0].java());
        assert_ne!(declared[1], list[1].java());
        assert_eq!(
            doc_types(
                "| Java (`Native`) | x |\n|---|---|\n| `byte[] serviceHandle(long, byte[] request)` | – |\n\n| `byte[] other()` |"
            ),
            ["byte[] serviceHandle(long, byte[])"]
        );
    }

    #[test]
    fn entry_point_names_need_no_jni_escape() {
        for sig in crate::entry::NATIVE {
            assert!(
                sig.name.chars().all(|c| c.is_ascii_alphanumeric()),
                "{}",
                sig.name
            );
        }
    }
}

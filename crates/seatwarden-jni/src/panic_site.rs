//! Where the last panic on this thread happened, without what it said.
//!
//! A panic's payload may quote input data (a username, an email), so it never
//! reaches the envelope or the log; its source location does, because an
//! `internal` error that says *where* is what makes a bug report actionable.
//!
//! The hook is installed by the first entry point that runs. Each loaded copy
//! of the library (one per plugin classloader) has its own Rust runtime and so
//! its own hook; installing it twice in one copy is prevented by a `Once`.

use std::cell::Cell;
use std::io::Write;
use std::sync::Once;

thread_local! {
    static LAST: Cell<Option<String>> = const { Cell::new(None) };
}

/// Replaces the default panic hook (which prints the payload) with one that
/// records the location for [`take`] and prints only the location.
pub(crate) fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let site = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            // Printing can fail (closed stderr); a hook must not panic.
            let _ = writeln!(
                std::io::stderr(),
                "seatwarden-jni: internal error (panic) at {}",
                site.as_deref().unwrap_or("an unknown location")
            );
            LAST.with(|last| last.set(site));
        }));
    });
}

/// The location of the last panic on this thread, if the hook recorded one, clearing it.
pub(crate) fn take() -> Option<String> {
    LAST.with(Cell::take)
}

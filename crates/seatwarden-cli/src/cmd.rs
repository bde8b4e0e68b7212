//! One module per subcommand. Each exposes `Args` (clap) and `run`.

pub(crate) mod backup;
pub(crate) mod dashboard;
pub(crate) mod demo_data;
pub(crate) mod export_users;
pub(crate) mod import_atlassian_export;
pub(crate) mod import_users;
pub(crate) mod login;
pub(crate) mod plan;
pub(crate) mod query;
pub(crate) mod serve;
pub(crate) mod simulate_logins;
pub(crate) mod support;

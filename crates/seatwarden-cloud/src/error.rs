//! What can go wrong talking to Atlassian Cloud, said so an admin can fix it.
//!
//! Two credentials reach three APIs, and a 401 or 403 from any of them
//! means something different: "the key is wrong" versus "the key is fine
//! but scoped, and this API refuses scoped keys" versus "the site account is
//! not a Jira administrator". So every refusal names the [`Credential`] that
//! was refused and the [`Permission`] the call needed. Errors never carry a
//! secret, an email or a username, and never Atlassian's `detail` text
//! (which may quote the request); the status, Atlassian's error `code` and
//! which call it was are enough to act on.

use std::fmt;

/// Which credential a call used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// The organization API key (Bearer): organization admin APIs and the
    /// user management API.
    OrgApiKey,
    /// The site admin's email and API token (Basic): Jira's REST API.
    SiteToken,
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Credential::OrgApiKey => "the organization API key",
            Credential::SiteToken => "the site admin's email and API token",
        })
    }
}

/// What a call needs the credential to allow, in the admin's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read the organization.
    ReadOrg,
    /// Read users and groups of the organization's directories.
    ReadDirectory,
    /// Suspend, restore and remove users, change group memberships.
    WriteDirectory,
    /// Deactivate, enable and delete managed accounts (user management API).
    ManageLifecycle,
    /// Read Jira's application roles (licence counts).
    AdministerJira,
}

impl Permission {
    /// What the admin has to give, said once here.
    pub fn needs(self) -> &'static str {
        match self {
            Permission::ReadOrg => "read the organization (an organization admin's API key)",
            Permission::ReadDirectory => {
                "read users and groups (scope read:directories:admin, or a key without scopes)"
            }
            Permission::WriteDirectory => {
                "suspend, restore and remove users and change group memberships \
                 (scope write:directories:admin, or a key without scopes)"
            }
            Permission::ManageLifecycle => {
                "deactivate, enable and delete managed accounts (the user management API: an API \
                 key without scopes, created by an organization admin; scoped keys are refused)"
            }
            Permission::AdministerJira => {
                "read Jira's application roles (the account must hold the Administer Jira \
                 global permission)"
            }
        }
    }
}

/// A call to Atlassian Cloud failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CloudError {
    /// 401: the credential is wrong, expired or revoked.
    #[error(
        "{credential} was refused (401 while trying to {call}): it is wrong, expired or revoked; \
         create a new one and enter it on the connection screen"
    )]
    Unauthorized {
        /// Which credential.
        credential: Credential,
        /// What the call was for.
        call: &'static str,
    },
    /// 403: the credential is valid but may not do this.
    #[error("{credential} may not {call} (403): it needs permission to {}", permission.needs())]
    Forbidden {
        /// Which credential.
        credential: Credential,
        /// What the call was for.
        call: &'static str,
        /// What it needs.
        permission: Permission,
    },
    /// 404: the user, group or organization does not exist (any more).
    #[error("not found (404 while trying to {call})")]
    NotFound {
        /// What the call was for.
        call: &'static str,
    },
    /// Atlassian refused the request itself (400, 409, 422 …).
    #[error("Atlassian refused to {call} ({status}{})", code.as_ref().map(|c| format!(", code {c}")).unwrap_or_default())]
    Rejected {
        /// What the call was for.
        call: &'static str,
        /// The HTTP status.
        status: u16,
        /// Atlassian's error code, if it sent one.
        code: Option<String>,
    },
    /// Still 429 after the allowed number of waits.
    #[error(
        "Atlassian kept rate-limiting the connector ({waits} waits of Retry-After while trying to {call}); try again later"
    )]
    RateLimited {
        /// What the call was for.
        call: &'static str,
        /// How many 429s were waited out.
        waits: u32,
    },
    /// Still 5xx after the allowed retries.
    #[error("Atlassian answered {status} {attempts} times while trying to {call}; try again later")]
    ServerError {
        /// What the call was for.
        call: &'static str,
        /// The last status.
        status: u16,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The network or TLS failed.
    #[error("Atlassian could not be reached while trying to {call}: {reason}")]
    Unreachable {
        /// What the call was for.
        call: &'static str,
        /// The transport's reason (no URL, no credential).
        reason: String,
    },
    /// The answer was not what the documentation describes.
    #[error("Atlassian's answer to {call} was not understood: {reason}")]
    Invalid {
        /// What the call was for.
        call: &'static str,
        /// Why (position in the body, not its content).
        reason: String,
    },
}

//! The request and response bodies the connector sends and reads, typed.
//!
//! Field names are Atlassian's, spelt as the documentation spells them (the
//! organization API's v2 resources are camelCase; the v1 last-active-dates
//! resource is snake_case). Each type names its source; `docs/cloud.md` has
//! the full list with dates. Unknown fields are ignored on purpose: Atlassian
//! adds fields without a version bump, and a connector that refused them
//! would stop working on an ordinary Tuesday. Unknown *values* of the status
//! enums are kept as [`Other`](AccountStatus::Other) rather than refused, for
//! the same reason; the mapping treats them conservatively.
//!
//! The fake (`crate::fake`) serialises the same types, so a field renamed
//! here is renamed on both sides; the contract tests pin both to the JSON
//! fixtures under `tests/fixtures/`.

use serde::{Deserialize, Serialize};

/// `POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search`
/// request body (the subset the connector sends).
///
/// Source: "Search for users in an organization", Organizations REST API
/// (developer.atlassian.com/cloud/admin/organization/rest/api-group-users/),
/// as mirrored by jira.js `src/admin/api/users.ts` (2026).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSearchRequest {
    /// The cursor of the page to read (`links.next` of the previous page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only these accounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_ids: Vec<String>,
    /// Only these exact email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Only `managed` or only `unmanaged` accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_status: Option<ClaimStatus>,
    /// Extra fields to include: `productAccess`, `groups`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expand: Vec<String>,
}

/// The `expand` value that adds per-product last-active dates.
pub const EXPAND_PRODUCT_ACCESS: &str = "productAccess";
/// The `expand` value that adds group memberships.
pub const EXPAND_GROUPS: &str = "groups";

/// A page of users (search and list answer the same shape).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    /// The users.
    pub data: Vec<CloudUser>,
    /// Cursors.
    #[serde(default)]
    pub links: Links,
}

/// Page links: `next` is the cursor of the next page, absent or `null` on
/// the last page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    /// This page's cursor.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_: Option<String>,
    /// The next page's cursor.
    #[serde(default)]
    pub next: Option<String>,
}

/// One user of the organization (`MultiDirectoryUser`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudUser {
    /// The Atlassian account id: the user's stable key.
    pub account_id: String,
    /// `atlassian`, `app`, `customer`.
    #[serde(default)]
    pub account_type: Option<String>,
    /// The account itself: `active`, `inactive` (deactivated), `closed`.
    #[serde(default)]
    pub account_status: AccountStatus,
    /// The account's access to this organization: `active`, `suspended`,
    /// `no_membership`.
    #[serde(default)]
    pub membership_status: MembershipStatus,
    /// ISO-8601 instant the user was first added to the organization.
    #[serde(default)]
    pub added_to_org: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email address (absent when the admin may not see it).
    #[serde(default)]
    pub email: Option<String>,
    /// `managed` (the organization owns the account: verified domain) or
    /// `unmanaged` (external).
    #[serde(default)]
    pub claim_status: ClaimStatus,
    /// Admin roles, e.g. `atlassian/org-admin`.
    #[serde(default)]
    pub platform_roles: Vec<String>,
    /// Last active per product (with `expand: productAccess`).
    #[serde(default)]
    pub product_access: Vec<ProductAccess>,
    /// Group memberships (with `expand: groups`).
    #[serde(default)]
    pub groups: Vec<UserGroup>,
    /// When the account was deactivated.
    #[serde(default)]
    pub deactivated_on: Option<String>,
    /// The managed account is being deleted (Atlassian's 14-day grace
    /// period: it shows as deactivated and can be restored).
    #[serde(default)]
    pub for_deletion: bool,
}

/// Account status. Source: jira.js `models/accountStatus.ts`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// The account can log in.
    #[default]
    Active,
    /// Deactivated.
    Inactive,
    /// Closed (deleted).
    Closed,
    /// A value this connector does not know.
    #[serde(other)]
    Other,
}

/// Membership status. Source: jira.js `models/membershipStatus.ts`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Has access in at least one directory.
    #[default]
    Active,
    /// Suspended in every directory the caller may see.
    Suspended,
    /// In none of the organization's directories.
    NoMembership,
    /// A value this connector does not know.
    #[serde(other)]
    Other,
}

/// Claim status. Source: jira.js `models/claimStatus.ts`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Owned by the organization (a verified domain): can be deactivated.
    Managed,
    /// External: can only be suspended or removed.
    #[default]
    Unmanaged,
    /// A value this connector does not know (treated as external).
    #[serde(other)]
    Other,
}

/// One product's last activity (`MultiDirectoryProductAccess`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductAccess {
    /// Product key: `jira-software`, `jira-servicedesk`, `confluence`, …
    #[serde(default)]
    pub key: Option<String>,
    /// The product instance's id.
    #[serde(default)]
    pub id: Option<String>,
    /// ISO-8601 instant of the last activity.
    #[serde(default)]
    pub last_active_timestamp: Option<String>,
}

/// A group the user is in (`MultiDirectoryUserGroup`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserGroup {
    /// The group's id.
    pub id: String,
    /// The group's name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/count`
/// answer. Source: jira.js `models/getDirectoryUsersCount.ts`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersCount {
    /// Users matching (all users of the directories, unfiltered).
    #[serde(default)]
    pub count: Option<u64>,
}

/// `POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search`
/// request body (the subset sent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSearchRequest {
    /// The cursor of the page to read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// A page of groups.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPage {
    /// The groups.
    pub data: Vec<CloudGroup>,
    /// Cursors.
    #[serde(default)]
    pub links: Links,
}

/// A group of the organization.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudGroup {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
}

/// `POST …/groups/{groupId}/memberships` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddMembership {
    /// The account to add.
    pub account_id: String,
}

/// `POST /users/{account_id}/manage/lifecycle/disable` body (user
/// management API): the message the user sees when they try to log in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisableRequest {
    /// Shown to the user at login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `GET /users/{account_id}/manage` answer (user management API): what the
/// caller may do to that account. Only the privilege the connector needs is
/// typed; the others are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagePermissions {
    /// Deactivate and enable the account.
    #[serde(rename = "lifecycle.enablement", default)]
    pub lifecycle_enablement: Allowed,
}

/// One privilege.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowed {
    /// Whether the caller has it.
    #[serde(default)]
    pub allowed: bool,
}

/// `GET /admin/v1/orgs/{orgId}` answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAnswer {
    /// The organization.
    pub data: Org,
}

/// An organization (JSON:API style: id, type, attributes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    /// Its id.
    pub id: String,
    /// Always `orgs`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Its attributes.
    #[serde(default)]
    pub attributes: OrgAttributes,
}

/// An organization's attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAttributes {
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// `GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates`
/// answer. Source: "User's last active dates" (developer.atlassian.com,
/// last updated 13 Feb 2023) and jira.js `getUserLastActiveDates`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastActiveDates {
    /// The dates.
    pub data: LastActiveData,
    /// Cursors (products are paged too).
    #[serde(default)]
    pub links: Links,
}

/// The dates of one user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastActiveData {
    /// One entry per product the user used; empty when none.
    #[serde(default)]
    pub product_access: Vec<LastActiveProduct>,
    /// `YYYY-MM-DD` the user was added to the organization.
    #[serde(default)]
    pub added_to_org: Option<String>,
}

/// One product's last active date (v1 shape).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastActiveProduct {
    /// Product instance id.
    #[serde(default)]
    pub id: Option<String>,
    /// Product key.
    #[serde(default)]
    pub key: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub last_active: Option<String>,
}

/// Jira's `GET /rest/api/3/applicationrole` item. Source: Jira Cloud
/// platform REST API v3, "Get all application roles" (OpenAPI 1001.0.0).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRole {
    /// `jira-software`, `jira-servicedesk`, `jira-core`, …
    pub key: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Groups granting the role.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Seats on the licence.
    #[serde(default)]
    pub number_of_seats: Option<i64>,
    /// Seats left.
    #[serde(default)]
    pub remaining_seats: Option<i64>,
    /// Users counting against the licence.
    #[serde(default)]
    pub user_count: Option<i64>,
    /// Unlimited licence.
    #[serde(default)]
    pub has_unlimited_seats: bool,
}

/// The organization APIs' error body: `{"errors":[{…}]}`. Source: jira.js
/// `models/errors.ts`, `models/error.ts` (generated from the OpenAPI
/// document).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrors {
    /// The errors.
    #[serde(default)]
    pub errors: Vec<ApiError>,
}

/// One error. `detail` may quote the request (an email): the connector
/// never copies it into its own messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Error instance id.
    #[serde(default)]
    pub id: Option<String>,
    /// HTTP status, as a string.
    #[serde(default)]
    pub status: Option<String>,
    /// Machine-readable code.
    #[serde(default)]
    pub code: Option<String>,
    /// Short summary.
    #[serde(default)]
    pub title: Option<String>,
    /// Long text (never repeated by the connector).
    #[serde(default)]
    pub detail: Option<String>,
}

/// Jira's error collection: `{"errorMessages":[…],"errors":{…}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JiraErrors {
    /// Messages.
    #[serde(default)]
    pub error_messages: Vec<String>,
}

/// A page of the organization's audit log (`GET
/// /admin/v1/orgs/{orgId}/events`, `EventPage`: `data`, `meta.next` the
/// next page's cursor, `meta.page_size`, `links`; jira.js
/// `src/admin/models/eventPage.ts`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    /// The events.
    #[serde(default)]
    pub data: Vec<Event>,
    /// The cursor of the next page.
    #[serde(default)]
    pub meta: EventMeta,
    /// Page links (not used: `meta.next` carries the cursor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
}

/// `EventPage.meta`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMeta {
    /// The next page's cursor; absent or `null` on the last page.
    #[serde(default)]
    pub next: Option<String>,
    /// Events on this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

/// One audit-log event (`EventModel`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Its id.
    pub id: String,
    /// `events`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// What happened to what.
    pub attributes: EventAttributes,
}

/// `EventModel.attributes`: `time`, `action`, `context` (the entities acted
/// on: "the what of the event").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventAttributes {
    /// When (ISO-8601).
    pub time: String,
    /// The kind of event (the list is served by `event-actions`).
    pub action: String,
    /// The entities the action was performed against.
    #[serde(default)]
    pub context: Vec<EventObject>,
}

/// `EventObjectModel`: an id and an optional type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventObject {
    /// The entity's id (an account id for a user).
    pub id: String,
    /// Its type, where given.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

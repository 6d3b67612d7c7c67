//! The Fluent message ids of the admin console: each constant names a message in
//! `locales/{en,it,ar,nb}/admin.ftl`. To add a string: a constant here (`admin-…`) and one
//! entry in each of the four `admin.ftl` files; the tests in `crate::i18n` check both.

pub const TITLE: &str = "admin-title";
pub const AUDIT_TITLE: &str = "admin-audit-title";
pub const FORBIDDEN: &str = "admin-forbidden";
pub const NOTE: &str = "admin-note";
pub const DOMAINS: &str = "admin-domains";
pub const DOMAIN: &str = "admin-domain";
pub const ACCOUNTS: &str = "admin-accounts";
pub const ACCOUNT: &str = "admin-account";
pub const ROLE: &str = "admin-role";
pub const QUOTA: &str = "admin-quota";
pub const CERTIFIED: &str = "admin-certified";
pub const YES: &str = "admin-yes";
pub const NO: &str = "admin-no";
pub const CREATE_TITLE: &str = "admin-create-title";
pub const ADDRESS: &str = "admin-address";
pub const INITIAL_PASSWORD: &str = "admin-initial-password";
pub const CREATE: &str = "admin-create";
pub const CREATED: &str = "admin-created";
pub const QUOTA_TITLE: &str = "admin-quota-title";
pub const SET_QUOTA: &str = "admin-set-quota";
pub const QUOTA_SET: &str = "admin-quota-set";
pub const BAD_QUOTA: &str = "admin-bad-quota";
pub const REAUTH_TITLE: &str = "admin-reauth-title";
pub const REAUTH_NOTE: &str = "admin-reauth-note";
pub const CODE: &str = "admin-code";
pub const CONFIRM: &str = "admin-confirm";
pub const BAD_CODE: &str = "admin-bad-code";
pub const VIEW_AUDIT: &str = "admin-view-audit";
pub const FILTER: &str = "admin-filter";
pub const ACTOR: &str = "admin-actor";
pub const ACTION: &str = "admin-action";
pub const ACTION_COLUMN: &str = "admin-action-column";
pub const TARGET: &str = "admin-target";
pub const LIMIT: &str = "admin-limit";
pub const TIME: &str = "admin-time";
pub const CLIENT: &str = "admin-client";
pub const DETAILS: &str = "admin-details";
pub const CHAIN_OK: &str = "admin-chain-ok";
pub const CHAIN_BROKEN: &str = "admin-chain-broken";
pub const BACK: &str = "admin-back";
pub const FAILED: &str = "admin-failed";
pub const ENTRIES: &str = "admin-entries";

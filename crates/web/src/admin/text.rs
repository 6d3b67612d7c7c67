//! Every user-visible English string of the admin console, in one place for translation.
//! Strings are inserted into HTML as they are: keep them free of `<`, `>` and `&`.

pub const TITLE: &str = "Administration";
pub const AUDIT_TITLE: &str = "Audit log";
pub const FORBIDDEN: &str = "Your role does not allow this.";
pub const NOTE: &str =
    "Administrators manage domains, accounts and quotas. No one here can read mail: each mailbox opens only with its owner's keys.";
pub const DOMAINS: &str = "Domains";
pub const DOMAIN: &str = "Domain";
pub const ACCOUNTS: &str = "Accounts";
pub const ACCOUNT: &str = "Account";
pub const ROLE: &str = "Role";
pub const QUOTA: &str = "Quota (bytes, 0 for none)";
pub const CERTIFIED: &str = "Certified mail";
pub const YES: &str = "yes";
pub const NO: &str = "no";
pub const CREATE_TITLE: &str = "Create an account";
pub const ADDRESS: &str = "Address";
pub const INITIAL_PASSWORD: &str = "Initial password";
pub const CREATE: &str = "Create account";
pub const CREATED: &str =
    "Account created. Give its owner this recovery code, shown only now; it is the only way to reset the password without losing mail:";
pub const QUOTA_TITLE: &str = "Set a quota";
pub const SET_QUOTA: &str = "Set quota";
pub const QUOTA_SET: &str = "Quota set.";
pub const BAD_QUOTA: &str = "The quota must be a whole number of bytes.";
pub const REAUTH_TITLE: &str = "Confirm it is you";
pub const REAUTH_NOTE: &str = "Administrative changes need a code from your authenticator app entered within the last 5 minutes.";
pub const CODE: &str = "Code";
pub const CONFIRM: &str = "Confirm";
pub const BAD_CODE: &str = "That code is wrong, expired or already used.";
pub const VIEW_AUDIT: &str = "Audit log";
pub const FILTER: &str = "Filter";
pub const ACTOR: &str = "Actor";
pub const ACTION: &str = "Action (or prefix, e.g. auth)";
pub const ACTION_COLUMN: &str = "Action";
pub const TARGET: &str = "Target";
pub const LIMIT: &str = "Entries";
pub const TIME: &str = "Time";
pub const CLIENT: &str = "Client";
pub const DETAILS: &str = "Details";
pub const CHAIN_OK: &str = "The hash chain verifies:";
pub const CHAIN_BROKEN: &str = "The hash chain is BROKEN:";
pub const BACK: &str = "Back to administration";
pub const FAILED: &str = "That did not work:";

pub fn entries(n: usize) -> String {
    format!("{n} entries")
}

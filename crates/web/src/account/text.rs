//! The Fluent message ids of the sign-in and account pages: each constant names a message
//! in `locales/{en,it,ar,nb}/account.ftl`, and pages render it with the reader's
//! translator (`tr.h(text::SIGN_IN)`, `tr.h_args(text::RECOVERY_SENT, &[("address", a)])`).
//!
//! To add a string: add a constant here whose value is `account-…`, and one entry with that
//! id in each of the four `account.ftl` files. The tests in `crate::i18n` fail while any
//! constant here is not an id of `en/account.ftl`, or any language lacks an English id.

pub const SIGN_IN_TITLE: &str = "account-sign-in-title";
pub const ADDRESS: &str = "account-address";
pub const PASSWORD: &str = "account-password";
pub const SIGN_IN: &str = "account-sign-in";
pub const FILL_BOTH: &str = "account-fill-both";
pub const BAD_CREDENTIALS: &str = "account-bad-credentials";
pub const TOO_MANY: &str = "account-too-many";
pub const SECOND_FACTOR_TITLE: &str = "account-second-factor-title";
pub const SECOND_FACTOR_INTRO: &str = "account-second-factor-intro";
pub const CODE: &str = "account-code";
pub const VERIFY: &str = "account-verify";
pub const BAD_CODE: &str = "account-bad-code";
pub const FORBIDDEN_TITLE: &str = "account-forbidden-title";
pub const CSRF_REFUSED: &str = "account-csrf-refused";
pub const UNAVAILABLE_TITLE: &str = "account-unavailable-title";
pub const UNAVAILABLE: &str = "account-unavailable";
pub const BACK: &str = "account-back";
pub const NOT_FOUND: &str = "account-not-found";

pub const ACCOUNT_TITLE: &str = "account-title";
pub const SIGNED_IN_AS: &str = "account-signed-in-as";
pub const ADMIN_LINK: &str = "account-admin-link";
pub const SIGN_OUT: &str = "account-sign-out";

pub const PASSWORD_TITLE: &str = "account-password-title";
pub const PASSWORD_NOTE: &str = "account-password-note";
pub const CURRENT_PASSWORD: &str = "account-current-password";
pub const NEW_PASSWORD: &str = "account-new-password";
pub const CONFIRM_PASSWORD: &str = "account-confirm-password";
pub const CHANGE_PASSWORD: &str = "account-change-password";
pub const PASSWORDS_DIFFER: &str = "account-passwords-differ";
pub const PASSWORD_CHANGED: &str = "account-password-changed";
pub const WRONG_CURRENT_PASSWORD: &str = "account-wrong-current-password";

pub const MFA_TITLE: &str = "account-mfa-title";
pub const MFA_ON: &str = "account-mfa-on";
pub const MFA_OFF: &str = "account-mfa-off";
pub const MFA_OFF_WITH_PASSKEYS: &str = "account-mfa-off-passkeys";
pub const MFA_ENABLE: &str = "account-mfa-enable";
pub const MFA_DISABLE: &str = "account-mfa-disable";
pub const MFA_ENROL_INTRO: &str = "account-mfa-enrol-intro";
pub const MFA_QR: &str = "account-mfa-qr";
pub const MFA_SECRET: &str = "account-mfa-secret";
pub const MFA_URI: &str = "account-mfa-uri";
pub const MFA_CONFIRM: &str = "account-mfa-confirm";
pub const MFA_ENABLED: &str = "account-mfa-enabled";
pub const MFA_DISABLED: &str = "account-mfa-disabled";
pub const MFA_ALREADY_ON: &str = "account-mfa-already-on";
pub const RECOVERY_NOTE: &str = "account-recovery-note";

pub const APPS_TITLE: &str = "account-apps-title";
pub const APPS_NOTE: &str = "account-apps-note";
pub const LABEL: &str = "account-label";
pub const SCOPES: &str = "account-scopes";
pub const CREATED: &str = "account-created";
pub const REVOKE: &str = "account-revoke";
pub const APPS_CREATE: &str = "account-apps-create";
pub const APPS_CREATED: &str = "account-apps-created";
pub const APPS_REVOKED: &str = "account-apps-revoked";
pub const SHOWN_ONCE: &str = "account-shown-once";

pub const SESSIONS_TITLE: &str = "account-sessions-title";
pub const CLIENT: &str = "account-client";
pub const STARTED: &str = "account-started";
pub const THIS_SESSION: &str = "account-this-session";
pub const SESSION_REVOKED: &str = "account-session-revoked";

pub const LOCKED_OUT: &str = "account-locked-out";
pub const RECOVERY_LEFT: &str = "account-recovery-left";
pub const NAV: &str = "account-nav";

pub const RECOVERY_TITLE: &str = "account-recovery-title";
pub const RECOVERY_INTRO: &str = "account-recovery-intro";
pub const RECOVERY_NONE: &str = "account-recovery-none";
pub const RECOVERY_PENDING: &str = "account-recovery-pending";
pub const RECOVERY_VERIFIED: &str = "account-recovery-verified";
pub const RECOVERY_FIELD: &str = "account-recovery-field";
pub const RECOVERY_SAVE: &str = "account-recovery-save";
pub const RECOVERY_SENT: &str = "account-recovery-sent";
pub const RECOVERY_BAD_ADDRESS: &str = "account-recovery-bad-address";
pub const RECOVERY_OWN_ADDRESS: &str = "account-recovery-own-address";
pub const RECOVERY_RATE_LIMITED: &str = "account-recovery-rate-limited";
pub const RECOVERY_CONFIRM_TITLE: &str = "account-recovery-confirm-title";
pub const RECOVERY_CONFIRM_INTRO: &str = "account-recovery-confirm-intro";
pub const RECOVERY_CONFIRM: &str = "account-recovery-confirm";
pub const RECOVERY_CONFIRMED: &str = "account-recovery-confirmed";
pub const RECOVERY_TOKEN_INVALID: &str = "account-recovery-token-invalid";
pub const RECOVERY_TOKEN_EXPIRED: &str = "account-recovery-token-expired";
pub const RECOVERY_MAIL_SUBJECT: &str = "account-recovery-mail-subject";
pub const RECOVERY_MAIL_INTRO: &str = "account-recovery-mail-intro";
pub const RECOVERY_MAIL_ACTION: &str = "account-recovery-mail-action";
pub const RECOVERY_MAIL_IGNORE: &str = "account-recovery-mail-ignore";

// ---- Mail app sessions, app-password-only mail with two-step sign-in, locked sessions
// after a restart (account/mail_sessions.rs, account/unlock.rs).

pub const MAIL_SESSIONS_TITLE: &str = "account-mail-sessions-title";
pub const MAIL_SESSIONS_NOTE: &str = "account-mail-sessions-note";
pub const MAIL_SESSIONS_NONE: &str = "account-mail-sessions-none";
pub const PROTOCOL: &str = "account-protocol";
pub const CLIENT_ADDRESS: &str = "account-client-address";
pub const CLIENT_APP: &str = "account-client-app";
pub const LAST_ACTIVITY: &str = "account-last-activity";
pub const END_SESSION: &str = "account-end-session";
pub const MAIL_SESSION_ENDED: &str = "account-mail-session-ended";
pub const MAIL_SESSION_ENDING: &str = "account-mail-session-ending";
pub const MFA_MAIL_APPS_NOTE: &str = "account-mfa-mail-apps-note";
pub const LOCKED_TITLE: &str = "account-locked-title";
pub const LOCKED_NOTE: &str = "account-locked-note";
pub const UNLOCK: &str = "account-unlock";
pub const UNLOCKED: &str = "account-unlocked";

// ---- Mailbox export and account deletion (/account/export, /account/delete) ----

pub const DATA_TITLE: &str = "account-data-title";
pub const EXPORT_TITLE: &str = "account-export-title";
pub const EXPORT_LINK: &str = "account-export-link";
pub const EXPORT_NOTE: &str = "account-export-note";
pub const EXPORT_SUBMIT: &str = "account-export-submit";
pub const DELETE_TITLE: &str = "account-delete-title";
pub const DELETE_LINK: &str = "account-delete-link";
pub const DELETE_WHAT: &str = "account-delete-what";
pub const DELETE_IRRECOVERABLE: &str = "account-delete-irrecoverable";
pub const DELETE_AUDIT_NOTE: &str = "account-delete-audit-note";
pub const DELETE_EXPORT_FIRST: &str = "account-delete-export-first";
pub const DELETE_CONFIRM_LABEL: &str = "account-delete-confirm-label";
pub const DELETE_TOTP_LABEL: &str = "account-delete-totp-label";
pub const DELETE_SUBMIT: &str = "account-delete-submit";
pub const DELETE_WRONG_CONFIRMATION: &str = "account-delete-wrong-confirmation";
pub const DELETE_WRONG_PASSWORD: &str = "account-delete-wrong-password";
pub const DELETE_WRONG_CODE: &str = "account-delete-wrong-code";
pub const DELETE_LAST_ADMIN: &str = "account-delete-last-admin";
pub const DELETED_TITLE: &str = "account-deleted-title";
pub const DELETED: &str = "account-deleted";

pub const PASSKEYS_TITLE: &str = "account-passkeys-title";
pub const PASSKEYS_NOTE: &str = "account-passkeys-note";
pub const PASSKEYS_NONE: &str = "account-passkeys-none";
pub const PASSKEYS_UNAVAILABLE: &str = "account-passkeys-unavailable";
pub const PASSKEYS_NEED_JS: &str = "account-passkeys-need-js";
pub const PASSKEY_NAME: &str = "account-passkey-name";
pub const PASSKEY_ADD: &str = "account-passkey-add";
pub const PASSKEY_REMOVE: &str = "account-passkey-remove";
pub const PASSKEY_LAST_USED: &str = "account-passkey-last-used";
pub const PASSKEY_NAME_INVALID: &str = "account-passkey-name-invalid";
pub const PASSKEY_START_AGAIN: &str = "account-passkey-start-again";
pub const PASSKEY_FAILED: &str = "account-passkey-failed";
pub const PASSKEY_EXISTS: &str = "account-passkey-exists";
pub const PASSKEY_COUNTER: &str = "account-passkey-counter";
pub const PASSKEY_SESSION: &str = "account-passkey-session";
pub const PASSKEY_WORKING: &str = "account-passkey-working";
pub const PASSKEY_CANCELLED: &str = "account-passkey-cancelled";
pub const PASSKEY_SIGN_IN: &str = "account-passkey-sign-in";
pub const PASSKEY_INTRO: &str = "account-passkey-intro";
pub const PASSKEY_OR_CODE: &str = "account-passkey-or-code";
pub const RECOVERY_CODE_TITLE: &str = "account-recovery-code-title";
pub const RECOVERY_CODE_NOTE: &str = "account-recovery-code-note";
pub const RECOVERY_CODE_MAKE: &str = "account-recovery-code-make";
pub const RECOVERY_CODE_NEW: &str = "account-recovery-code-new";

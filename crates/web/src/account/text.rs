//! Every user-visible English string of the sign-in and account pages, in one place so
//! they can be moved into the Fluent catalogues (crates/web/src/i18n.rs) as they are.
//! Strings are inserted into HTML as they are: keep them free of `<`, `>` and `&`.

pub const SIGN_IN_TITLE: &str = "Sign in";
pub const ADDRESS: &str = "Email address";
pub const PASSWORD: &str = "Password";
pub const SIGN_IN: &str = "Sign in";
pub const FILL_BOTH: &str = "Enter your address and your password.";
pub const BAD_CREDENTIALS: &str = "Wrong address or password.";
pub const TOO_MANY: &str = "Too many failed attempts. Try again later.";
pub const SECOND_FACTOR_TITLE: &str = "Second factor";
pub const SECOND_FACTOR_INTRO: &str = "Enter the 6-digit code from your authenticator app, or one of your recovery codes.";
pub const CODE: &str = "Code";
pub const VERIFY: &str = "Verify";
pub const BAD_CODE: &str = "That code is wrong, expired or already used.";
pub const FORBIDDEN_TITLE: &str = "Forbidden";
pub const CSRF_REFUSED: &str = "This form did not come from this site or has expired. Reload the page and try again.";
pub const UNAVAILABLE_TITLE: &str = "Temporarily unavailable";
pub const UNAVAILABLE: &str = "The server cannot do this right now. Try again in a moment.";
pub const BACK: &str = "Back to your account";
pub const NOT_FOUND: &str = "There is no such item.";

pub const ACCOUNT_TITLE: &str = "Your account";
pub const SIGNED_IN_AS: &str = "Signed in as";
pub const ADMIN_LINK: &str = "Administration";
pub const SIGN_OUT: &str = "Sign out";

pub const PASSWORD_TITLE: &str = "Password";
pub const PASSWORD_NOTE: &str = "Your password unlocks your encrypted mailbox. Changing it re-wraps your mailbox key; no mail is re-encrypted. Your other web sessions are signed out.";
pub const CURRENT_PASSWORD: &str = "Current password";
pub const NEW_PASSWORD: &str = "New password (at least 8 characters)";
pub const CONFIRM_PASSWORD: &str = "New password again";
pub const CHANGE_PASSWORD: &str = "Change password";
pub const PASSWORDS_DIFFER: &str = "The two new passwords differ.";
pub const PASSWORD_CHANGED: &str = "Your password was changed. Use the new one in your mail apps that do not use an app password.";
pub const WRONG_CURRENT_PASSWORD: &str = "The current password is wrong.";

pub const MFA_TITLE: &str = "Two-step sign-in";
pub const MFA_ON: &str = "Two-step sign-in is on (authenticator app).";
pub const MFA_OFF: &str = "Two-step sign-in is off. Turn it on to protect this page with a code from an authenticator app.";
pub const MFA_ENABLE: &str = "Turn on two-step sign-in";
pub const MFA_DISABLE: &str = "Turn off two-step sign-in";
pub const MFA_ENROL_INTRO: &str =
    "Add this key to your authenticator app (type the secret, or open the otpauth link on your phone), then enter the code it shows.";
pub const MFA_QR: &str = "QR code of the authenticator key";
pub const MFA_SECRET: &str = "Secret:";
pub const MFA_URI: &str = "Link:";
pub const MFA_CONFIRM: &str = "Confirm and turn on";
pub const MFA_ENABLED: &str = "Two-step sign-in is on.";
pub const MFA_DISABLED: &str = "Two-step sign-in is off.";
pub const MFA_ALREADY_ON: &str = "Two-step sign-in is already on. Turn it off first to enrol a new app.";
pub const RECOVERY_NOTE: &str =
    "These recovery codes are shown only now. Each one signs you in once if you lose your phone. Keep them somewhere safe.";

pub const APPS_TITLE: &str = "App passwords";
pub const APPS_NOTE: &str =
    "Mail apps (IMAP, POP3, SMTP) sign in with an app password that works only for the protocols you choose and can be revoked alone.";
pub const LABEL: &str = "Label";
pub const SCOPES: &str = "Protocols";
pub const CREATED: &str = "Created";
pub const REVOKE: &str = "Revoke";
pub const APPS_CREATE: &str = "Create app password";
pub const APPS_CREATED: &str = "New app password";
pub const APPS_REVOKED: &str = "The app password was revoked; mail apps using it can no longer sign in.";
pub const SHOWN_ONCE: &str = "It is shown only now: copy it into your mail app.";

pub const SESSIONS_TITLE: &str = "Web sessions";
pub const CLIENT: &str = "Client";
pub const STARTED: &str = "Started";
pub const THIS_SESSION: &str = "this one";
pub const SESSION_REVOKED: &str = "The session was signed out.";

pub fn locked_out(secs: u64) -> String {
    format!("Too many failed attempts. Try again in {secs} seconds.")
}

pub fn recovery_left(n: usize) -> String {
    format!("{n} recovery codes left.")
}

// ---- Mailbox export and account deletion (/account/export, /account/delete) ----

pub const DATA_TITLE: &str = "Your data";
pub const EXPORT_TITLE: &str = "Export your mail";
pub const EXPORT_LINK: &str = "Download all your mail (mbox)";
pub const EXPORT_NOTE: &str = "Download every message of every folder as one mbox file (the mboxrd format that Thunderbird, mutt and most mail programs import). Your mail is decrypted only in the server's memory while it is sent to you; no decrypted copy is written to disk. The file is not encrypted: keep it somewhere safe.";
pub const EXPORT_SUBMIT: &str = "Download mbox";

pub const DELETE_TITLE: &str = "Delete your account";
pub const DELETE_LINK: &str = "Delete your account";
pub const DELETE_WHAT: &str = "Deleting your account crypto-shreds it. First the keys that decrypt your mailbox are destroyed: your password, recovery code and app passwords, and your two-step sign-in. Then your mailbox file and any mail waiting for you are deleted, and you are signed out everywhere.";
pub const DELETE_IRRECOVERABLE: &str = "This cannot be undone. Nobody, not even the administrators, can recover your mail afterwards: without the keys the encrypted data is unreadable. Server backups made before today still hold the encrypted mailbox, but not the keys to open it; they age out as the backup retention rotates them.";
pub const DELETE_AUDIT_NOTE: &str = "The security log keeps a record that this account was deleted, and when.";
pub const DELETE_EXPORT_FIRST: &str = "Want to keep your mail? Export it first.";
pub const DELETE_CONFIRM_LABEL: &str = "Type your email address to confirm";
pub const DELETE_TOTP_LABEL: &str = "Code from your authenticator app";
pub const DELETE_SUBMIT: &str = "Delete my account for good";
pub const DELETE_WRONG_CONFIRMATION: &str = "The address you typed does not match this account. Nothing was deleted.";
pub const DELETE_WRONG_PASSWORD: &str = "The current password is wrong. Nothing was deleted.";
pub const DELETE_WRONG_CODE: &str = "That code is wrong, expired or already used. Nothing was deleted.";
pub const DELETE_LAST_ADMIN: &str =
    "You are the only administrator of this server, so this account cannot be deleted. Make another account an administrator first.";
pub const DELETED_TITLE: &str = "Account deleted";
pub const DELETED: &str = "Your account was deleted: its keys were destroyed first, then its mail. You have been signed out.";

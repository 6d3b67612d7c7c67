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

// ---- Mail app sessions, app-password-only mail with two-step sign-in, locked sessions
// after a restart (account/mail_sessions.rs, account/unlock.rs).

pub const MAIL_SESSIONS_TITLE: &str = "Mail app sessions";
pub const MAIL_SESSIONS_NOTE: &str = "Mail apps connected now over IMAP, POP3 or SMTP. Ending a session disconnects that app at once; to keep it out, also revoke its app password or change your password.";
pub const MAIL_SESSIONS_NONE: &str = "No mail app is connected.";
pub const PROTOCOL: &str = "Protocol";
pub const CLIENT_ADDRESS: &str = "Address";
pub const CLIENT_APP: &str = "App";
pub const LAST_ACTIVITY: &str = "Last activity";
pub const END_SESSION: &str = "End session";
pub const MAIL_SESSION_ENDED: &str = "The mail app session was ended; the app was disconnected.";
pub const MAIL_SESSION_ENDING: &str = "The mail app session was told to end; it will be disconnected in a moment.";
pub const MFA_MAIL_APPS_NOTE: &str = "With two-step sign-in on, mail apps (IMAP, POP3, SMTP) no longer accept your account password: they cannot ask for a code. Create an app password for each mail app below and use it there instead.";
pub const LOCKED_TITLE: &str = "Mailbox locked";
pub const LOCKED_NOTE: &str = "The server restarted since you signed in. You are still signed in, but your mailbox key is no longer in memory: enter your password to unlock it for this session. Settings and sessions work without it; creating app passwords and exporting mail need it.";
pub const UNLOCK: &str = "Unlock";
pub const UNLOCKED: &str = "Your mailbox is unlocked for this session.";

# Sign-in and /account (English). Each id is a constant in crates/web/src/account/text.rs;
# adding a string = one constant there + one entry in each of en, it, ar, nb/account.ftl
# (the unit tests in i18n.rs fail until all four have it). Arguments are shown isolated.

## Sign-in
account-sign-in-title = Sign in
account-address = Email address
account-password = Password
account-sign-in = Sign in
account-fill-both = Enter your address and your password.
account-bad-credentials = Wrong address or password.
account-too-many = Too many failed attempts. Try again later.
account-locked-out = { $plural ->
    [one] Too many failed attempts. Try again in { $count } second.
   *[other] Too many failed attempts. Try again in { $count } seconds.
}
account-second-factor-title = Second factor
account-second-factor-intro = Enter the 6-digit code from your authenticator app, or one of your recovery codes.
account-code = Code
account-verify = Verify
account-bad-code = That code is wrong, expired or already used.
account-forbidden-title = Forbidden
account-csrf-refused = This form did not come from this site or has expired. Reload the page and try again.
account-unavailable-title = Temporarily unavailable
account-unavailable = The server cannot do this right now. Try again in a moment.
account-back = Back to your account
account-not-found = There is no such item.

## /account
account-nav = Your account
account-title = Your account
account-signed-in-as = Signed in as
account-admin-link = Administration
account-sign-out = Sign out

account-password-title = Password
account-password-note = Your password unlocks your encrypted mailbox. Changing it re-wraps your mailbox key; no mail is re-encrypted. Your other web sessions are signed out.
account-current-password = Current password
account-new-password = New password (at least 8 characters)
account-confirm-password = New password again
account-change-password = Change password
account-passwords-differ = The two new passwords differ.
account-password-changed = Your password was changed. Use the new one in your mail apps that do not use an app password.
account-wrong-current-password = The current password is wrong.

account-mfa-title = Two-step sign-in
account-mfa-on = Two-step sign-in is on (authenticator app).
account-mfa-off = Two-step sign-in is off. Turn it on to protect this page with a code from an authenticator app.
account-mfa-off-passkeys = Codes from an authenticator app are off; your passkeys are your second step. You can also turn codes on, as a second way in.
account-mfa-enable = Turn on two-step sign-in
account-mfa-disable = Turn off two-step sign-in
account-mfa-enrol-intro = Add this key to your authenticator app (type the secret, or open the otpauth link on your phone), then enter the code it shows.
account-mfa-qr = QR code of the authenticator key
account-mfa-secret = Secret:
account-mfa-uri = Link:
account-mfa-confirm = Confirm and turn on
account-mfa-enabled = Two-step sign-in is on.
account-mfa-disabled = Two-step sign-in is off.
account-mfa-already-on = Two-step sign-in is already on. Turn it off first to enrol a new app.
account-recovery-note = These recovery codes are shown only now. Each one signs you in once if you lose your phone. Keep them somewhere safe.
account-recovery-left = { $plural ->
    [one] { $count } recovery code left.
   *[other] { $count } recovery codes left.
}

account-apps-title = App passwords
account-apps-note = Mail apps (IMAP, POP3, SMTP) sign in with an app password that works only for the protocols you choose and can be revoked alone.
account-label = Label
account-scopes = Protocols
account-created = Created
account-revoke = Revoke
account-apps-create = Create app password
account-apps-created = New app password
account-apps-revoked = The app password was revoked; mail apps using it can no longer sign in.
account-shown-once = It is shown only now: copy it into your mail app.

account-sessions-title = Web sessions
account-client = Client
account-started = Started
account-this-session = this one
account-session-revoked = The session was signed out.

## Recovery address and its email verification
account-recovery-title = Recovery address
account-recovery-intro = An address outside this server where you can be reached if you lose access to your account. It counts only once you confirm it with the link we mail to it.
account-recovery-none = No recovery address is set.
account-recovery-pending = { $address } is waiting for confirmation: open the link we sent to it (valid for 24 hours).
account-recovery-verified = { $address } is confirmed.
account-recovery-field = Recovery address
account-recovery-save = Save and send a confirmation link
account-recovery-sent = We sent a confirmation link to { $address }. It works once, for 24 hours. Until you open it, the address is not confirmed.
account-recovery-bad-address = That is not a usable email address.
account-recovery-own-address = Choose an address other than this account's own.
account-recovery-rate-limited = Too many confirmation messages in the last hour. Try again later.
account-recovery-confirm-title = Confirm your recovery address
account-recovery-confirm-intro = Confirm that { $address } is the recovery address of this account.
account-recovery-confirm = Confirm
account-recovery-confirmed = Your recovery address { $address } is confirmed.
account-recovery-token-invalid = This confirmation link is not valid: it was already used, replaced by a newer one, or copied incompletely. Set the address again to get a new link.
account-recovery-token-expired = This confirmation link has expired. Set the address again to get a new link.
account-recovery-mail-subject = Confirm your recovery address
account-recovery-mail-intro = Someone signed in as { $account } on { $host } and entered this address as the account's recovery address.
account-recovery-mail-action = To confirm it, open this link within 24 hours while signed in to that account:
account-recovery-mail-ignore = If this was not you, ignore this message: the address will not be used, and no one can sign in with this link.

## Mail app sessions; mail apps need app passwords with two-step sign-in; a session locked by a restart
account-mail-sessions-title = Mail app sessions
account-mail-sessions-note = Mail apps connected now over IMAP, POP3 or SMTP. Ending a session disconnects that app at once; to keep it out, also revoke its app password or change your password.
account-mail-sessions-none = No mail app is connected.
account-protocol = Protocol
account-client-address = Address
account-client-app = App
account-last-activity = Last activity
account-end-session = End session
account-mail-session-ended = The mail app session was ended; the app was disconnected.
account-mail-session-ending = The mail app session was told to end; it will be disconnected in a moment.
account-mfa-mail-apps-note = With two-step sign-in on, mail apps (IMAP, POP3, SMTP) no longer accept your account password: they cannot ask for a code. Create an app password for each mail app below and use it there instead.
account-locked-title = Mailbox locked
account-locked-note = The server restarted since you signed in. You are still signed in, but your mailbox key is no longer in memory: enter your password to unlock it for this session. Settings and sessions work without it; creating app passwords and exporting mail need it.
account-unlock = Unlock
account-unlocked = Your mailbox is unlocked for this session.

## Mailbox export and account deletion
account-data-title = Your data
account-export-title = Export your mail
account-export-link = Download all your mail (mbox)
account-export-note = Download every message of every folder as one mbox file (the mboxrd format that Thunderbird, mutt and most mail programs import). Your mail is decrypted only in the server's memory while it is sent to you; no decrypted copy is written to disk. The file is not encrypted: keep it somewhere safe.
account-export-submit = Download mbox
account-delete-title = Delete your account
account-delete-link = Delete your account
account-delete-what = Deleting your account crypto-shreds it. First the keys that decrypt your mailbox are destroyed: your password, recovery code and app passwords, and your two-step sign-in. Then your mailbox file and any mail waiting for you are deleted, and you are signed out everywhere.
account-delete-irrecoverable = This cannot be undone: without the keys the encrypted data on this server is unreadable, for you and for the administrators alike. Server backups made before the deletion still hold your encrypted mailbox and its keys, locked by your old password, until the backup retention removes them.
account-delete-audit-note = The security log keeps a record that this account was deleted, and when.
account-delete-export-first = Want to keep your mail? Export it first.
account-delete-confirm-label = Type your email address to confirm
account-delete-totp-label = Code from your authenticator app
account-delete-submit = Delete my account for good
account-delete-wrong-confirmation = The address you typed does not match this account. Nothing was deleted.
account-delete-wrong-password = The current password is wrong. Nothing was deleted.
account-delete-wrong-code = That code is wrong, expired or already used. Nothing was deleted.
account-delete-last-admin = You are the only administrator of this server, so this account cannot be deleted. Make another account an administrator first.
account-deleted-title = Account deleted
account-deleted = Your account was deleted: its keys were destroyed first, then its mail. You have been signed out.

## Passkeys (WebAuthn) as the second step of sign-in
account-passkeys-title = Passkeys
account-passkeys-note = A passkey (kept by this device, your phone or a security key) can be the second step of signing in, instead of a code. You still enter your password first: it is what unlocks your mailbox. Keep a second way in, such as a second passkey or an authenticator app with recovery codes.
account-passkeys-none = No passkeys registered.
account-passkeys-unavailable = Passkeys are not available on this server: its host name is not a domain name.
account-passkeys-need-js = Passkeys need JavaScript, which is off or blocked in this browser. Everything else works without it.
account-passkey-name = Name for the new passkey
account-passkey-add = Add a passkey
account-passkey-remove = Remove
account-passkey-last-used = Last used
account-passkey-name-invalid = Give the passkey a name of 1 to 64 characters.
account-passkey-start-again = This passkey request expired or was already answered. Please try again.
account-passkey-failed = The passkey could not be verified. Nothing was changed.
account-passkey-exists = This passkey is already registered.
account-passkey-counter = This passkey was refused: it reported a use count lower than one already seen, which means it may have been copied (a cloned authenticator). If you did not expect this, remove it and register a new one.
account-passkey-session = Your session has expired. Please sign in again.
account-passkey-working = Waiting for your passkey…
account-passkey-cancelled = The passkey request was cancelled, timed out or is not supported by this browser.
account-passkey-intro = Confirm that it is you with your passkey.
account-passkey-sign-in = Use a passkey
account-passkey-or-code = Or enter a code from your authenticator app, or a recovery code:
account-recovery-code-title = Recovery code
account-recovery-code-note = With the recovery code, a new password can be set without losing your mail (an administrator runs the reset with it). Whoever created your account saw your first code: make a new one and keep it somewhere safe, away from this computer. The old code stops working at once.
account-recovery-code-make = Make a new recovery code
account-recovery-code-new = Your new recovery code, shown only now. The old one no longer works.

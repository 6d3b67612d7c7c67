//! App-password key slots: each unlocks the same mailbox, only for its protocols, until
//! revoked; a password change leaves them working; a reset that discards mail kills them.

use sigillo_auth::AuthError;
use sigillo_auth::accounts::Accounts;
use sigillo_auth::login::{self, Protocol};
use sigillo_core::Address;
use sigillo_crypto::Key32;
use sigillo_crypto::slots::KdfParams;
use sigillo_store::mailstore::NewMessage;
use sigillo_store::{DataDir, Directory};

const PASSWORD: &[u8] = b"account password 1";

fn setup() -> (tempfile::TempDir, DataDir, Directory, Address) {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path().join("data"));
    data.create_tree().unwrap();
    let directory = Directory::create(&data.directory_db(), &Key32::generate().unwrap()).unwrap();
    directory.add_domain("example.org").unwrap();
    (tmp, data, directory, "alice@example.org".parse().unwrap())
}

#[test]
fn app_password_unlocks_only_its_protocols_until_revoked() {
    let (_tmp, data, mut directory, alice) = setup();
    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.create(&alice, PASSWORD, &Default::default()).unwrap();
    let (id, secret) = accounts.add_app_password(&alice, PASSWORD, "phone", &["imap".into(), "smtp".into()]).unwrap();
    let wrong = accounts.add_app_password(&alice, b"wrong password", "x", &["imap".into()]);
    assert!(matches!(wrong, Err(AuthError::BadCredentials)));

    // Put a message in with the password, read it with the app password: same keys.
    let by_password = login::verify(&directory, "alice@example.org", PASSWORD, Protocol::Imap).unwrap();
    let (mut store, _) = login::open_mailstore(&data, &by_password).unwrap();
    store.append("INBOX", NewMessage { raw: b"Subject: hi\r\n\r\nx\r\n", flags: &[], internal_date: 0 }).unwrap();
    drop(store);

    let unlocked = login::verify(&directory, "alice@example.org", secret.as_bytes(), Protocol::Imap).unwrap();
    let (store, _) = login::open_mailstore(&data, &unlocked).unwrap();
    assert_eq!(store.uids("INBOX").unwrap().len(), 1);
    let typed = secret.replace('-', " ").to_lowercase();
    assert!(login::verify(&directory, "alice@example.org", typed.as_bytes(), Protocol::Smtp).is_ok(), "spaces and case do not matter");
    for protocol in [Protocol::Pop3, Protocol::Web, Protocol::Cli] {
        assert!(
            matches!(login::verify(&directory, "alice@example.org", secret.as_bytes(), protocol), Err(AuthError::BadCredentials)),
            "{protocol:?}"
        );
    }

    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.change_password(&alice, PASSWORD, b"second password").unwrap();
    assert!(
        login::verify(&directory, "alice@example.org", secret.as_bytes(), Protocol::Imap).is_ok(),
        "a password change keeps app passwords"
    );

    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.revoke_app_password(&alice, id).unwrap();
    assert!(accounts.revoke_app_password(&alice, id).is_err(), "revoking twice is an error");
    assert!(login::verify(&directory, "alice@example.org", secret.as_bytes(), Protocol::Imap).is_err());
}

#[test]
fn discarding_reset_revokes_every_app_password() {
    let (_tmp, data, mut directory, alice) = setup();
    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.create(&alice, PASSWORD, &Default::default()).unwrap();
    let (_, secret) = accounts.add_app_password(&alice, PASSWORD, "", &["pop3".into()]).unwrap();
    accounts.reset_discarding_mail(&alice, b"new password 22").unwrap();
    assert!(login::verify(&directory, "alice@example.org", secret.as_bytes(), Protocol::Pop3).is_err());
    assert!(login::verify(&directory, "alice@example.org", b"new password 22", Protocol::Pop3).is_ok());
    let entries = directory.audit_entries().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    // The domain's first account also got its postmaster@ and abuse@ aliases.
    assert_eq!(actions, ["account.create", "alias.add", "alias.add", "app_password.create", "account.reset"]);
    assert_eq!(sigillo_store::directory::verify_audit_chain(&entries), Ok(()));
}

//! The login gate: app passwords only for their protocols (never on the web), every
//! sign-in, failure and lockout written to the audit log with the client's address; and
//! repeated logins of an unlocked account skip the key derivation, while nothing that
//! changes a credential is outlived by that cache.

use sigillo_auth::accounts::Accounts;
use sigillo_auth::lockout::Lockout;
use sigillo_auth::login::Protocol;
use sigillo_auth::{DirectoryPool, LoginGate, LoginRefused};
use sigillo_crypto::Key32;
use sigillo_crypto::slots::KdfParams;
use sigillo_store::{DataDir, Directory, Keyring};
use std::time::Duration;
use zeroize::Zeroizing;

const PASSWORD: &[u8] = b"account password 1";

fn secret(s: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(s.to_vec())
}

/// A data dir and its directory with the domain example.org (the tempdir lives as long as
/// the returned guard).
fn setup() -> (tempfile::TempDir, DataDir, Key32, Directory) {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path().join("data"));
    data.create_tree().unwrap();
    let key = Key32::generate().unwrap();
    let directory = Directory::create(&data.directory_db(), &key).unwrap();
    directory.add_domain("example.org").unwrap();
    (tmp, data, key, directory)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_and_audit_entries() {
    let (_tmp, data, key, mut directory) = setup();
    let alice = "alice@example.org".parse().unwrap();
    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.create(&alice, PASSWORD, &Default::default()).unwrap();
    let (_, pop3_only) = accounts.add_app_password(&alice, PASSWORD, "old phone", &["pop3".into()]).unwrap();

    let gate = LoginGate::new(
        DirectoryPool::new(data.directory_db(), key.clone(), 2),
        Keyring::new(Duration::from_secs(1)),
        Lockout::new(3, Duration::from_secs(60)),
        sigillo_auth::connections::Connections::new(0),
    )
    .unwrap();
    let user = "alice@example.org";
    assert!(gate.login("192.0.2.1", user, secret(pop3_only.as_bytes()), Protocol::Pop3).await.is_ok());
    assert!(matches!(gate.login("192.0.2.1", user, secret(pop3_only.as_bytes()), Protocol::Imap).await, Err(LoginRefused::BadCredentials)));
    assert!(
        matches!(gate.login("192.0.2.1", user, secret(pop3_only.as_bytes()), Protocol::Web).await, Err(LoginRefused::BadCredentials)),
        "an app password never signs in on the web"
    );
    // Third failure from 192.0.2.1 (the two above count): lockout, on every protocol.
    assert!(matches!(gate.login("192.0.2.1", user, secret(b"wrong"), Protocol::Smtp).await, Err(LoginRefused::BadCredentials)));
    assert!(matches!(gate.login("192.0.2.1", user, secret(PASSWORD), Protocol::Imap).await, Err(LoginRefused::LockedOut(_))));
    assert!(gate.login("192.0.2.2", user, secret(PASSWORD), Protocol::Web).await.is_ok(), "another client is not locked out");

    let entries = directory.audit_entries().unwrap();
    let auth: Vec<(&str, &str, &str)> = entries
        .iter()
        .filter(|e| e.action.starts_with("auth."))
        .map(|e| (e.action.as_str(), e.client_ip.as_str(), e.details.as_str()))
        .collect();
    assert_eq!(
        auth,
        [
            ("auth.login", "192.0.2.1", r#"{"protocol":"pop3","via":"app_password"}"#),
            ("auth.failure", "192.0.2.1", r#"{"protocol":"imap"}"#),
            ("auth.failure", "192.0.2.1", r#"{"protocol":"web"}"#),
            ("auth.failure", "192.0.2.1", r#"{"protocol":"smtp"}"#),
            ("auth.lockout", "192.0.2.1", r#"{"protocol":"smtp"}"#),
            ("auth.login", "192.0.2.2", r#"{"protocol":"web","via":"password"}"#),
        ]
    );
    assert_eq!(sigillo_store::directory::verify_audit_chain(&entries), Ok(()));
}

const NEW_PASSWORD: &[u8] = b"account password 2";
const USER: &str = "alice@example.org";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_logins_never_outlive_a_credential_change() {
    let (_tmp, data, key, mut directory) = setup();
    let alice = USER.parse().unwrap();
    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.create(&alice, PASSWORD, &Default::default()).unwrap();
    let (app_id, app) = accounts.add_app_password(&alice, PASSWORD, "phone", &["imap".into()]).unwrap();
    let gate = LoginGate::new(
        DirectoryPool::new(data.directory_db(), key, 2),
        Keyring::new(Duration::from_millis(300)),
        Lockout::new(50, Duration::from_secs(60)),
        sigillo_auth::connections::Connections::new(0),
    )
    .unwrap();
    let login = |s: &[u8], protocol| gate.login("192.0.2.1", USER, secret(s), protocol);
    let hits = || gate.unlock_cache.hits();

    // The first login derives; while it keeps the account unlocked, the next ones do not.
    let first = login(PASSWORD, Protocol::Imap).await.unwrap();
    assert_eq!(hits(), 0);
    let second = login(PASSWORD, Protocol::Imap).await.unwrap();
    assert_eq!(hits(), 1, "the second login came from the cache");
    assert_eq!(second.unlocked.keys, first.unlocked.keys, "the same keys");
    login(PASSWORD, Protocol::Smtp).await.unwrap();
    assert_eq!(hits(), 2, "any protocol the slot serves");
    assert!(matches!(login(b"wrong", Protocol::Imap).await, Err(LoginRefused::BadCredentials)));
    assert!(matches!(login(b"", Protocol::Imap).await, Err(LoginRefused::BadCredentials)));
    assert_eq!(hits(), 2, "a wrong secret never hits");

    // App password: cached for its scope only.
    login(app.as_bytes(), Protocol::Imap).await.unwrap();
    login(app.as_bytes(), Protocol::Imap).await.unwrap();
    assert_eq!(hits(), 3);
    assert!(matches!(login(app.as_bytes(), Protocol::Pop3).await, Err(LoginRefused::BadCredentials)), "out of scope");
    // Revoked (as the CLI would, in another process: only the directory changes).
    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.revoke_app_password(&alice, app_id).unwrap();
    assert!(matches!(login(app.as_bytes(), Protocol::Imap).await, Err(LoginRefused::BadCredentials)), "revoked");

    // Password changed: the old one is refused although it was cached; the new one works.
    accounts.change_password(&alice, PASSWORD, NEW_PASSWORD).unwrap();
    let before = hits();
    assert!(matches!(login(PASSWORD, Protocol::Imap).await, Err(LoginRefused::BadCredentials)), "old password");
    login(NEW_PASSWORD, Protocol::Imap).await.unwrap();
    assert_eq!(hits(), before, "the new slot was derived, not cached");
    login(NEW_PASSWORD, Protocol::Imap).await.unwrap();
    assert_eq!(hits(), before + 1);

    // Two-step sign-in turned on: the cached password no longer opens mail protocols.
    let account_id = directory.account(USER).unwrap().unwrap().id;
    directory.begin_totp(&account_id, "JBSWY3DPEHPK3PXP").unwrap();
    directory.enable_totp(&account_id, 1, &[]).unwrap();
    assert!(matches!(login(NEW_PASSWORD, Protocol::Imap).await, Err(LoginRefused::AppPasswordRequired)));
    directory.disable_totp(&account_id).unwrap();

    // Once the account is locked again (every session gone, grace over), logins derive.
    drop((first, second));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = hits();
    let again = login(NEW_PASSWORD, Protocol::Imap).await.unwrap();
    assert_eq!(hits(), before, "a locked account is never answered from the cache");
    drop(again);
}

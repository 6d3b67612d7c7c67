//! The login gate: app passwords only for their protocols (never on the web), and every
//! sign-in, failure and lockout written to the audit log with the client's address.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_and_audit_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path().join("data"));
    data.create_tree().unwrap();
    let key = Key32::generate().unwrap();
    let mut directory = Directory::create(&data.directory_db(), &key).unwrap();
    directory.add_domain("example.org").unwrap();
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

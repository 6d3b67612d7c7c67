//! Web sessions kept in the directory: only the hash of the cookie is stored, a restored
//! session is signed in but locked (no keys), sign-out and revocation are durable, and
//! expired sessions are not restored. Also: with TOTP on, the account password is refused
//! for mail protocols (not counted towards the lockout) while app passwords work.

use sha2::{Digest, Sha256};
use sigillo_auth::accounts::Accounts;
use sigillo_auth::lockout::Lockout;
use sigillo_auth::login::Protocol;
use sigillo_auth::web_sessions::{Stage, WebSessions};
use sigillo_auth::{DirectoryPool, LoginGate, LoginRefused};
use sigillo_crypto::Key32;
use sigillo_crypto::slots::KdfParams;
use sigillo_store::web_sessions::StoredWebSession;
use sigillo_store::{DataDir, Directory, Keyring};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const PASSWORD: &[u8] = b"account password 1";

fn setup(tmp: &std::path::Path) -> (DataDir, Key32, String) {
    let data = DataDir::new(tmp.join("data"));
    data.create_tree().unwrap();
    let key = Key32::generate().unwrap();
    let mut directory = Directory::create(&data.directory_db(), &key).unwrap();
    directory.add_domain("example.org").unwrap();
    let alice = "alice@example.org".parse().unwrap();
    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.create(&alice, PASSWORD, &Default::default()).unwrap();
    let id = directory.account("alice@example.org").unwrap().unwrap().id;
    (data, key, id)
}

async fn rows(pool: &Arc<DirectoryPool>) -> Vec<StoredWebSession> {
    pool.run(|dir| dir.web_sessions()).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_survive_a_restart_locked_and_hashed() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, key, account) = setup(tmp.path());
    let pool = DirectoryPool::new(data.directory_db(), key.clone(), 2);

    let before: WebSessions<&'static str> = WebSessions::default();
    assert_eq!(before.persist_to(Arc::clone(&pool)).await.unwrap(), 0);
    let now = Instant::now();
    let (kept, kept_view) = before.create("login", &account, "alice@example.org", "192.0.2.1", Stage::Complete, now).unwrap();
    let (gone, _) = before.create("login", &account, "alice@example.org", "192.0.2.2", Stage::Complete, now).unwrap();
    let (revoked, revoked_view) = before.create("login", &account, "alice@example.org", "192.0.2.3", Stage::Complete, now).unwrap();
    let (pending, _) = before.create("login", &account, "alice@example.org", "192.0.2.4", Stage::NeedsSecondFactor, now).unwrap();
    before.remove(&gone);
    assert!(before.revoke(&account, revoked_view.handle));
    before.sync().await;

    // Stored: the hash of the cookie, never the cookie; no pending session.
    let stored = rows(&pool).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    let row = &stored[0];
    let hash: [u8; 32] = Sha256::digest(kept.as_bytes()).into();
    assert_eq!(row.id_hash, hash);
    assert_ne!(row.csrf, kept.as_str());
    assert_eq!(row.csrf, kept_view.csrf.as_str());
    assert_eq!((row.handle, row.address.as_str(), row.client_ip.as_str()), (kept_view.handle, "alice@example.org", "192.0.2.1"));
    drop(before);

    // "Restart": a new table from the same directory.
    let after: WebSessions<&'static str> = WebSessions::default();
    assert_eq!(after.persist_to(Arc::clone(&pool)).await.unwrap(), 1);
    assert!(after.persist_to(Arc::clone(&pool)).await.is_err(), "persisted once only");
    let view = after.get(&kept, Instant::now()).expect("kept session restored");
    assert!(view.login.is_none() && !view.unlocked(), "restored sessions hold no keys");
    assert!(!view.mfa_fresh, "a fresh second factor is not restored");
    assert_eq!((view.handle, view.csrf.as_str(), view.address.as_str()), (kept_view.handle, kept_view.csrf.as_str(), "alice@example.org"));
    for dead in [&gone, &revoked, &pending] {
        assert!(after.get(dead, Instant::now()).is_none(), "signed-out, revoked and pending sessions stay gone");
    }
    assert!(!after.unlock(&kept, "another account", "login"), "unlock checks the account");
    assert!(after.unlock(&kept, &account, "login"));
    assert!(after.get(&kept, Instant::now()).unwrap().unlocked());
    // New sessions get new handles, never a restored one's.
    let (_, fresh) = after.create("login", &account, "alice@example.org", "192.0.2.5", Stage::Complete, Instant::now()).unwrap();
    assert!(fresh.handle > kept_view.handle);
    after.remove(&kept);
    after.sync().await;
    assert!(!rows(&pool).await.iter().any(|r| r.id_hash == hash), "sign-out is stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_are_not_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, key, account) = setup(tmp.path());
    let pool = DirectoryPool::new(data.directory_db(), key, 2);
    let now = sigillo_core::clock::unix_now();
    let row = |id: u8, created: i64, last_seen: i64| StoredWebSession {
        id_hash: [id; 32],
        handle: u64::from(id),
        account_id: account.clone(),
        address: "alice@example.org".into(),
        csrf: "c".into(),
        created,
        last_seen,
        client_ip: "192.0.2.1".into(),
    };
    let rows_in = [
        row(1, now - 60, now - 60),              // fine
        row(2, now - 13 * 3600, now - 10),       // past the absolute timeout
        row(3, now - 3600, now - 31 * 60),       // idle too long
        row(4, now - 11 * 3600 - 3540, now - 5), // one minute of its 12 hours left
    ];
    pool.run(move |dir| rows_in.iter().try_for_each(|r| dir.save_web_session(r))).await.unwrap().unwrap();
    let sessions: WebSessions<()> = WebSessions::default();
    assert_eq!(sessions.persist_to(Arc::clone(&pool)).await.unwrap(), 2);
    sessions.sync().await;
    let mut left: Vec<u64> = rows(&pool).await.iter().map(|r| r.handle).collect();
    left.sort_unstable();
    assert_eq!(left, [1, 4], "expired rows are deleted");
    // The restored session keeps its remaining time, not a new 12 hours.
    let list = sessions.list(&account, Instant::now() + Duration::from_secs(120));
    assert_eq!(list.iter().map(|v| v.handle).collect::<Vec<_>>(), [1], "session 4 expired after its remaining minute");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_totp_on_mail_protocols_need_an_app_password() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, key, account) = setup(tmp.path());
    let mut directory = Directory::open(&data.directory_db(), &key).unwrap();
    let alice = "alice@example.org".parse().unwrap();
    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    let (_, app) = accounts.add_app_password(&alice, PASSWORD, "phone", &["imap".into(), "smtp".into()]).unwrap();
    directory.begin_totp(&account, "JBSWY3DPEHPK3PXP").unwrap();
    directory.enable_totp(&account, 1, &[]).unwrap();
    let gate = LoginGate::new(
        DirectoryPool::new(data.directory_db(), key, 2),
        Keyring::new(Duration::from_secs(1)),
        Lockout::new(2, Duration::from_secs(60)),
        sigillo_auth::connections::Connections::new(0),
    )
    .unwrap();
    let secret = |s: &[u8]| Zeroizing::new(s.to_vec());
    let user = "alice@example.org";
    for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp, Protocol::Imap, Protocol::Imap] {
        let refused = gate.login("192.0.2.1", user, secret(PASSWORD), protocol).await;
        assert!(matches!(refused, Err(LoginRefused::AppPasswordRequired)), "{protocol:?}: {:?}", refused.err());
    }
    // Five refusals with a lockout after two failures: none of them counted.
    assert!(gate.login("192.0.2.1", user, secret(app.as_bytes()), Protocol::Imap).await.is_ok());
    assert!(gate.login("192.0.2.1", user, secret(app.as_bytes()), Protocol::Smtp).await.is_ok());
    assert!(gate.login("192.0.2.1", user, secret(PASSWORD), Protocol::Web).await.is_ok(), "the web asks for the code itself");
    assert!(gate.login("192.0.2.1", user, secret(PASSWORD), Protocol::Cli).await.is_ok());
    // A wrong password is still a plain failure and counts.
    assert!(matches!(gate.login("192.0.2.1", user, secret(b"wrong"), Protocol::Imap).await, Err(LoginRefused::BadCredentials)));
    assert!(matches!(gate.login("192.0.2.1", user, secret(b"wrong"), Protocol::Imap).await, Err(LoginRefused::BadCredentials)));
    assert!(matches!(gate.login("192.0.2.1", user, secret(app.as_bytes()), Protocol::Imap).await, Err(LoginRefused::LockedOut(_))));
}

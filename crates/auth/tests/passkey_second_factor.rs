//! A registered passkey is a second factor like TOTP: mail protocols (which cannot ask for
//! it) then refuse the account password and want an app password; the web still takes the
//! password (and then asks for the passkey). Removing the passkey, or deleting the account,
//! takes it away.

use sigillo_auth::AuthError;
use sigillo_auth::accounts::Accounts;
use sigillo_auth::login::{self, Protocol};
use sigillo_core::Address;
use sigillo_crypto::Key32;
use sigillo_crypto::slots::KdfParams;
use sigillo_store::{DataDir, Directory};

const PASSWORD: &[u8] = b"account password 1";

#[test]
fn a_passkey_makes_mail_protocols_want_an_app_password() {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path().join("data"));
    data.create_tree().unwrap();
    let mut directory = Directory::create(&data.directory_db(), &Key32::generate().unwrap()).unwrap();
    directory.add_domain("example.org").unwrap();
    let alice: Address = "alice@example.org".parse().unwrap();
    let mut accounts = Accounts { data: &data, directory: &mut directory, kdf: KdfParams::OWASP_MINIMUM, actor: "test" };
    accounts.create(&alice, PASSWORD, &Default::default()).unwrap();
    let id = directory.account("alice@example.org").unwrap().unwrap().id;

    assert!(login::verify(&directory, "alice@example.org", PASSWORD, Protocol::Imap).is_ok(), "no second factor yet");
    let row = directory.add_passkey(&id, "Laptop", "cred-1", "{}", 0).unwrap();
    assert!(directory.second_factor_enabled(&id).unwrap());
    for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
        assert!(
            matches!(login::verify(&directory, "alice@example.org", PASSWORD, protocol), Err(AuthError::AppPasswordRequired)),
            "{protocol:?}"
        );
    }
    assert!(login::verify(&directory, "alice@example.org", PASSWORD, Protocol::Web).is_ok(), "the web asks for the passkey next");

    assert_eq!(directory.remove_passkey(&id, row).unwrap().as_deref(), Some("Laptop"));
    assert!(login::verify(&directory, "alice@example.org", PASSWORD, Protocol::Imap).is_ok(), "removed: the password works again");

    directory.add_passkey(&id, "Phone", "cred-2", "{}", 0).unwrap();
    directory.shred_account(&id).unwrap();
    assert!(directory.passkeys(&id).unwrap().is_empty(), "deleting the account deletes its passkeys");
}

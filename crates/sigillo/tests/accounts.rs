//! Accounts end to end through the CLI: passwords, recovery, reset, app passwords, deletion.

mod common;
use common::*;

const ALICE: &str = "alice@example.org";

#[test]
fn wrong_password_is_refused_and_unknown_account_looks_the_same() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let wrong = export_messages(&s, ALICE, "not the password").unwrap_err();
    assert!(wrong.contains("wrong address or password"), "{wrong}");
    let unknown = export_messages(&s, "nobody@example.org", PASSWORD).unwrap_err();
    assert_eq!(wrong, unknown, "a login error must not reveal whether the account exists");
}

#[test]
fn password_change_keeps_mail_and_old_password_stops_working() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    for i in 0..3 {
        deliver(&s, ALICE, &message(&format!("pw{i}")));
    }
    // Unlock once so some mail is in the mailbox and some still in the spool.
    assert_eq!(export_messages(&s, ALICE, PASSWORD).unwrap().len(), 3);
    deliver(&s, ALICE, &message("pw3"));

    let short = run(&["account", "passwd", ALICE, "--data", s.data()], format!("{PASSWORD}\nshort\n").as_bytes());
    assert!(!short.status.success() && text(&short.stderr).contains("too short"), "{}", text(&short.stderr));
    let wrong_old = run(&["account", "passwd", ALICE, "--data", s.data()], b"wrong password\nnew password 123\n");
    assert!(!wrong_old.status.success());

    ok(&["account", "passwd", ALICE, "--data", s.data()], format!("{PASSWORD}\nnew password 123\n").as_bytes());
    let mail = export_messages(&s, ALICE, "new password 123").unwrap();
    assert_eq!(mail.len(), 4);
    assert!(export_messages(&s, ALICE, PASSWORD).is_err(), "the old password must stop working");
}

#[test]
fn recovery_code_reset_keeps_mail_and_rotates_the_code() {
    let s = init();
    let code = add_account(&s, ALICE, PASSWORD);
    deliver(&s, ALICE, &message("kept-1"));
    assert_eq!(export_messages(&s, ALICE, PASSWORD).unwrap().len(), 1);
    deliver(&s, ALICE, &message("kept-2"));

    let code_file = write_file(s._tmp.path(), "code", &code.to_lowercase());
    let pw_file = write_file(s._tmp.path(), "newpw", "brand new password\n");
    let bad_code = write_file(s._tmp.path(), "bad", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH");
    let refused =
        run(&["account", "reset", ALICE, "--data", s.data(), "--recovery-code-file", &bad_code, "--new-password-file", &pw_file], b"");
    assert!(!refused.status.success());

    let out =
        ok(&["account", "reset", ALICE, "--data", s.data(), "--recovery-code-file", &code_file, "--new-password-file", &pw_file], b"");
    let new_code = recovery_code(&out);
    assert_ne!(new_code, code);
    let mail = export_messages(&s, ALICE, "brand new password").unwrap();
    assert_eq!(mail.len(), 2, "all mail is kept");
    assert!(export_messages(&s, ALICE, PASSWORD).is_err());
    let again =
        run(&["account", "reset", ALICE, "--data", s.data(), "--recovery-code-file", &code_file, "--new-password-file", &pw_file], b"");
    assert!(!again.status.success(), "a used recovery code no longer works");
}

#[test]
fn reset_discarding_mail_cannot_read_old_mail() {
    let s = init();
    let code = add_account(&s, ALICE, PASSWORD);
    deliver(&s, ALICE, &message("old-1"));
    assert_eq!(export_messages(&s, ALICE, PASSWORD).unwrap().len(), 1);
    deliver(&s, ALICE, &message("old-2-sealed"));
    let account_files_before: Vec<_> = walk(&s.dir.join("mailboxes"));
    assert!(!account_files_before.is_empty());

    let out = ok(&["account", "reset", ALICE, "--data", s.data(), "--discard-mail"], b"fresh start password\n");
    assert!(out.contains("gone for good"), "the CLI must say the mail is destroyed: {out}");
    assert_eq!(export_messages(&s, ALICE, "fresh start password").unwrap(), Vec::<Vec<u8>>::new());
    assert!(export_messages(&s, ALICE, PASSWORD).is_err());
    let code_file = write_file(s._tmp.path(), "code", &code);
    let pw_file = write_file(s._tmp.path(), "pw", "another password 1");
    let old_code =
        run(&["account", "reset", ALICE, "--data", s.data(), "--recovery-code-file", &code_file, "--new-password-file", &pw_file], b"");
    assert!(!old_code.status.success(), "the old recovery code opened the old keys only");
    // New mail still works after the reset.
    deliver(&s, ALICE, &message("after-reset"));
    assert_eq!(export_messages(&s, ALICE, "fresh start password").unwrap(), vec![message("after-reset")]);
}

#[test]
fn app_passwords_are_listed_and_revoked_and_never_unlock_the_cli() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    let out = ok(
        &["account", "app-password", "add", ALICE, "--data", s.data(), "--label", "phone", "--scopes", "imap,smtp"],
        format!("{PASSWORD}\n").as_bytes(),
    );
    let secret = out.lines().nth(1).expect("secret line").trim().to_string();
    assert_eq!(secret.split('-').count(), 4, "{out}");
    let listed = ok(&["account", "app-password", "list", ALICE, "--data", s.data()], b"");
    assert!(listed.contains("phone") && listed.contains("imap smtp"), "{listed}");
    // The CLI (export, passwd) accepts only the account password.
    assert!(export_messages(&s, ALICE, &secret).is_err());
    let bad_scope =
        run(&["account", "app-password", "add", ALICE, "--data", s.data(), "--scopes", "ftp"], format!("{PASSWORD}\n").as_bytes());
    assert!(!bad_scope.status.success() && text(&bad_scope.stderr).contains("scopes"));
    let id = listed.split_whitespace().next().expect("id");
    ok(&["account", "app-password", "revoke", ALICE, id, "--data", s.data()], b"");
    assert!(!ok(&["account", "app-password", "list", ALICE, "--data", s.data()], b"").contains("phone"));
}

#[test]
fn delete_needs_confirmation_and_removes_every_file() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    deliver(&s, ALICE, &message("doomed"));
    let refused = run(&["account", "delete", ALICE, "--data", s.data()], b"");
    assert!(!refused.status.success() && text(&refused.stderr).contains("--yes"));
    ok(&["account", "delete", ALICE, "--data", s.data(), "--yes"], b"");
    assert!(walk(&s.dir.join("mailboxes")).is_empty());
    assert!(walk(&s.dir.join("spool")).is_empty());
    assert!(!ok(&["account", "list", "--data", s.data()], b"").contains(ALICE));
    let out = run(&["deliver", "--data", s.data(), ALICE], &message("late"));
    assert_eq!(out.status.code(), Some(67));
}

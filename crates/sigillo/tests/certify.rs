//! Certified mail, checked with OpenSSL as the independent verifier.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

fn openssl(args: &[&str]) -> Output {
    Command::new("openssl").args(args).output().expect("openssl is installed by scripts/test")
}

fn must(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed: {}{}", text(&out.stdout), text(&out.stderr));
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().expect("utf-8 path").to_string()
}

/// POSTs a file to `/tsa` and returns the HTTP status, content type and body file.
fn post_query(port: u16, query: &str, content_type: &str, out: &str) -> (String, String) {
    let result = Command::new("curl")
        .args(["-sk", "--max-time", "10", "-o", out, "-w", "%{http_code} %{content_type}", "-H", &format!("Content-Type: {content_type}")])
        .args(["--data-binary", &format!("@{query}"), &format!("https://127.0.0.1:{port}/tsa")])
        .output()
        .expect("curl is installed by scripts/test");
    let status = text(&result.stdout);
    let (code, ctype) = status.split_once(' ').unwrap_or((&status, ""));
    (code.to_string(), ctype.to_string())
}

#[test]
fn openssl_time_stamps_from_our_tsa_verify_with_openssl() {
    let s = init();
    let port = free_port();
    set_listen(&s, &format!("https = \"127.0.0.1:{port}\""));
    let mut child = spawn_serve(&s, "https://");
    let dir = s._tmp.path();
    let ca = write_file(dir, "tsa-ca.pem", &ok(&["tsa", "ca", "--data", s.data()], b""));
    let data = write_file(dir, "data.txt", "the message that was certified\n");

    let (query, reply) = (path(dir, "q.tsq"), path(dir, "r.tsr"));
    must(openssl(&["ts", "-query", "-data", &data, "-sha256", "-cert", "-out", &query]), "openssl ts -query");
    let (code, ctype) = post_query(port, &query, "application/timestamp-query", &reply);
    assert_eq!((code.as_str(), ctype.as_str()), ("200", "application/timestamp-reply"));
    let verified = must(openssl(&["ts", "-verify", "-in", &reply, "-queryfile", &query, "-CAfile", &ca]), "openssl ts -verify -queryfile");
    assert!(verified.contains("Verification: OK"), "{verified}");
    must(openssl(&["ts", "-verify", "-in", &reply, "-data", &data, "-CAfile", &ca]), "openssl ts -verify -data");
    let shown = must(openssl(&["ts", "-reply", "-in", &reply, "-text"]), "openssl ts -reply -text");
    assert!(shown.contains("Status: Granted") && shown.contains("Hash Algorithm: sha256"), "{shown}");

    // Other data does not match the token.
    let other = write_file(dir, "other.txt", "the message that was certifiee\n");
    let out = openssl(&["ts", "-verify", "-in", &reply, "-data", &other, "-CAfile", &ca]);
    assert!(!out.status.success() && text(&out.stderr).contains("message imprint mismatch"), "{}", text(&out.stderr));

    // A query without -cert: the token omits the certificate; -untrusted supplies it.
    let (query2, reply2) = (path(dir, "q2.tsq"), path(dir, "r2.tsr"));
    must(openssl(&["ts", "-query", "-data", &data, "-sha256", "-out", &query2]), "openssl ts -query (no -cert)");
    assert_eq!(post_query(port, &query2, "application/timestamp-query", &reply2).0, "200");
    let tsa_cert = write_file(dir, "tsa.pem", &tsa_signer_pem(&reply));
    must(
        openssl(&["ts", "-verify", "-in", &reply2, "-queryfile", &query2, "-CAfile", &ca, "-untrusted", &tsa_cert]),
        "openssl ts -verify -untrusted",
    );

    // Bad input: a rejection (status 2) rather than an error page or a crash; wrong type: 415.
    let junk = write_file(dir, "junk.tsq", "not DER at all");
    let bad_reply = path(dir, "bad.tsr");
    assert_eq!(post_query(port, &junk, "application/timestamp-query", &bad_reply).0, "200");
    let shown = must(openssl(&["ts", "-reply", "-in", &bad_reply, "-text"]), "openssl ts -reply (rejection)");
    assert!(shown.contains("Status: Rejected") && shown.contains("wrong format"), "{shown}");
    assert_eq!(post_query(port, &query, "text/plain", &bad_reply).0, "415");
    // The server still answers afterwards.
    assert_eq!(post_query(port, &query, "application/timestamp-query", &reply).0, "200");

    // Rotation: a new signer; the old token still verifies against the same CA.
    let _ = child.kill();
    let _ = child.wait();
    let before = tsa_signer_pem(&reply);
    let rotated = ok(&["tsa", "rotate", "--data", s.data()], b"");
    assert!(rotated.contains("1 earlier certificate"), "{rotated}");
    assert_eq!(write_file(dir, "ca2.pem", &ok(&["tsa", "ca", "--data", s.data()], b"")), path(dir, "ca2.pem"));
    assert_eq!(std::fs::read_to_string(path(dir, "ca2.pem")).unwrap(), std::fs::read_to_string(&ca).unwrap());
    let mut child = spawn_serve(&s, "https://");
    let reply3 = path(dir, "r3.tsr");
    assert_eq!(post_query(port, &query, "application/timestamp-query", &reply3).0, "200");
    assert_ne!(tsa_signer_pem(&reply3), before, "rotation changes the signing certificate");
    must(openssl(&["ts", "-verify", "-in", &reply3, "-queryfile", &query, "-CAfile", &ca]), "verify after rotation");
    must(openssl(&["ts", "-verify", "-in", &reply, "-queryfile", &query, "-CAfile", &ca]), "old token after rotation");
    let _ = child.kill();
    let _ = child.wait();
}

/// The signer certificate carried in a reply, as PEM (via openssl pkcs7).
fn tsa_signer_pem(reply: &str) -> String {
    let token = format!("{reply}.token");
    must(openssl(&["ts", "-reply", "-in", reply, "-token_out", "-out", &token]), "openssl ts -token_out");
    must(openssl(&["pkcs7", "-inform", "DER", "-in", &token, "-print_certs"]), "openssl pkcs7 -print_certs")
}

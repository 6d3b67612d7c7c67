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

/// Changes one thing in a parsed bundle.
type Tamper = Box<dyn Fn(&mut serde_json::Value)>;

const ALICE: &str = "alice@example.org";
const BOB: &str = "bob@example.org";

/// Writes each attachment of an exported message into `dir`; prints the receipt kind.
const EXTRACT: &str = r#"
import email, sys, os
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
print(msg.get("X-Ricevuta", ""))
for part in msg.iter_attachments():
    open(os.path.join(sys.argv[2], part.get_filename()), "wb").write(part.get_payload(decode=True))
"#;

fn curl_get(url: &str) -> String {
    text(&Command::new("curl").args(["-sk", "--max-time", "10", url]).output().expect("curl").stdout)
}

fn verify(bundle: &str, message: &str, ca: &str) -> (bool, String) {
    let out = run(&["verify", bundle, "--message", message, "--tsa-ca", ca], b"");
    (out.status.success(), text(&out.stdout))
}

#[test]
fn certified_submission_to_a_local_recipient_yields_receipts_whose_evidence_verifies() {
    let s = init();
    add_account(&s, ALICE, PASSWORD);
    add_account(&s, BOB, PASSWORD);
    assert!(ok(&["account", "certify", ALICE, "on", "--data", s.data()], b"").contains("on"));
    assert!(ok(&["account", "list", "--data", s.data()], b"").contains("alice@example.org\tuser certified"));
    let (sub, https) = (free_port(), free_port());
    set_listen(&s, &format!("submissions = \"127.0.0.1:{sub}\""));
    set_listen(&s, &format!("https = \"127.0.0.1:{https}\""));
    let mut child = spawn_serve(&s, "submissions");
    let dir = s._tmp.path();
    let ca = write_file(dir, "tsa-ca.pem", &ok(&["tsa", "ca", "--data", s.data()], b""));
    let original = "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: contract\r\nMessage-ID: <contract-1@example.org>\r\n\r\nI accept the offer.\r\n";
    let eml = write_file(dir, "original.eml", original);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_client.py");
    let sent = Command::new("python3")
        .args([script, "send", &sub.to_string(), "--from", ALICE, "--to", BOB, "--file", &eml, "--ssl", "--user", ALICE])
        .env("SMTP_PASSWORD", PASSWORD)
        .output()
        .expect("python3");
    assert_eq!(text(&sent.stdout).trim(), "OK", "{}", text(&sent.stderr));

    // The public tree head.
    let sth: serde_json::Value = serde_json::from_str(&curl_get(&format!("https://127.0.0.1:{https}/evidence/sth"))).unwrap();
    assert_eq!(sth["tree_head"]["tree_size"], 2, "{sth}");

    // Bob got the message; alice got an acceptance and a delivery receipt.
    let bob = export_messages(&s, BOB, PASSWORD).unwrap();
    assert_eq!(bob.len(), 1);
    assert!(text(&bob[0]).contains("I accept the offer."));
    let alice = export_messages(&s, ALICE, PASSWORD).unwrap();
    assert_eq!(alice.len(), 2, "two receipts");
    let mut kinds = Vec::new();
    let mut delivery_dir = None;
    for (n, receipt) in alice.iter().enumerate() {
        let out_dir = dir.join(format!("receipt-{n}"));
        std::fs::create_dir_all(&out_dir).unwrap();
        let file = write_file(dir, &format!("receipt-{n}.eml"), &text(receipt));
        let py = Command::new("python3").args(["-c", EXTRACT, &file, out_dir.to_str().unwrap()]).output().unwrap();
        assert!(py.status.success(), "{}", text(&py.stderr));
        let kind = text(&py.stdout).trim().to_string();
        assert!(text(receipt).contains("X-Riferimento-Message-ID: <contract-1@example.org>"));
        if kind == "avvenuta-consegna" {
            delivery_dir = Some(out_dir.clone());
        }
        kinds.push(kind);

        // Each bundle verifies with the original; each token with OpenSSL.
        let bundle_path = path(&out_dir, "evidence.json");
        let (passed, verdict) = verify(&bundle_path, &eml, &ca);
        assert!(passed && verdict.contains("VERIFIED"), "{verdict}");
        let bundle = sigillo_certify::bundle::parse(&std::fs::read(&bundle_path).unwrap()).unwrap();
        assert_eq!(bundle.message_sha256, hex::encode(sigillo_certify::sha256(original.as_bytes())));
        for (i, item) in bundle.events.iter().enumerate() {
            let digest = hex::encode(sigillo_certify::sha256(&item.event.canonical()));
            let tsr = path(&out_dir, &format!("{}-{}-{}.tsr", i + 1, item.event.kind_name(), item.event.evidence_id));
            let verified = must(openssl(&["ts", "-verify", "-in", &tsr, "-digest", &digest, "-CAfile", &ca]), "openssl ts -verify -digest");
            assert!(verified.contains("Verification: OK"));
            let shown = must(openssl(&["ts", "-reply", "-in", &tsr, "-text"]), "openssl ts -reply -text").replace([' ', '-', '\n'], "");
            assert!(shown.contains("StatusGranted") || shown.contains("Status:Granted"), "{shown}");
            // The hex dump of the message imprint holds the event hash.
            let dump: String = shown.to_lowercase();
            let halves = [&digest[..32], &digest[32..]];
            assert!(halves.iter().all(|h| dump.contains(h)), "imprint {digest} not in {dump}");
            // The public lookup shows hashes, not addresses.
            let public = curl_get(&format!("https://127.0.0.1:{https}/evidence/{}", item.event.evidence_id));
            assert!(
                public.contains(&item.event.evidence_id) && public.contains("inclusion_proof") && !public.contains("alice@"),
                "{public}"
            );
        }
    }
    kinds.sort();
    assert_eq!(kinds, ["accettazione", "avvenuta-consegna"]);
    assert!(curl_get(&format!("https://127.0.0.1:{https}/evidence/00000000000000000000000000000000")).contains("no such evidence"));
    let _ = child.kill();
    let _ = child.wait();

    // Tampering: each part is named.
    let delivery_dir = delivery_dir.unwrap();
    let bundle_path = path(&delivery_dir, "evidence.json");
    let json = std::fs::read_to_string(&bundle_path).unwrap();
    let tampered_eml = write_file(dir, "tampered.eml", &original.replace("accept", "accepT"));
    let (passed, verdict) = verify(&bundle_path, &tampered_eml, &ca);
    assert!(!passed && verdict.contains("✗ message"), "{verdict}");
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cases: Vec<(&str, Tamper)> = vec![
        ("✗ token 2", Box::new(|v| v["events"][1]["event"]["what"]["recipient"] = "bob@example.orh".into())),
        (
            "✗ token 1",
            Box::new(|v| {
                let t = v["events"][0]["token"].as_str().unwrap().to_string();
                let flipped = if t.as_bytes()[100] == b'A' { "B" } else { "A" };
                v["events"][0]["token"] = format!("{}{flipped}{}", &t[..100], &t[101..]).into();
            }),
        ),
        (
            "✗ inclusion proof 1",
            Box::new(|v| {
                let h = v["events"][0]["inclusion_proof"][0].as_str().unwrap().to_string();
                let flipped = if h.starts_with('0') { "1" } else { "0" };
                v["events"][0]["inclusion_proof"][0] = format!("{flipped}{}", &h[1..]).into();
            }),
        ),
        (
            "✗ tree head",
            Box::new(|v| {
                let h = v["tree_head"]["root_hash"].as_str().unwrap().to_string();
                let flipped = if h.starts_with('0') { "1" } else { "0" };
                v["tree_head"]["root_hash"] = format!("{flipped}{}", &h[1..]).into();
            }),
        ),
    ];
    for (expected, tamper) in cases {
        let mut v = value.clone();
        tamper(&mut v);
        let file = write_file(dir, "tampered.json", &serde_json::to_string_pretty(&v).unwrap());
        let (passed, verdict) = verify(&file, &eml, &ca);
        assert!(!passed && verdict.contains(expected) && verdict.contains("NOT VERIFIED"), "{expected}: {verdict}");
    }
    // Garbage is refused with a message, not a panic.
    value["format"] = "other".into();
    let file = write_file(dir, "bad.json", &value.to_string());
    let out = run(&["verify", &file], b"");
    assert!(!out.status.success() && text(&out.stdout).contains("✗ bundle"), "{}", text(&out.stdout));

    // The admin view of a record.
    let id = sigillo_certify::bundle::parse(json.as_bytes()).unwrap().events[1].event.evidence_id.clone();
    let shown = ok(&["evidence", "show", &id, "--data", s.data()], b"");
    assert!(shown.contains("\"delivery\"") && shown.contains("log entry: 1"), "{shown}");
    let exported = write_file(dir, "exported.json", &ok(&["evidence", "export", &id, "--data", s.data()], b""));
    let (passed, verdict) = verify(&exported, &eml, &ca);
    assert!(passed, "{verdict}");
}

//! The trust and status pages as readers get them: four languages (Arabic right-to-left),
//! probes and incidents on /status with an Atom feed, the OSCAL export validated against
//! NIST's schema, and real rendering in headless Chromium (screenshots kept as artifacts).

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// GET over TLS with curl: (status, lowercased headers, body).
fn get(port: u16, path: &str, accept_language: Option<&str>) -> (u16, String, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-sk", "-D", "-", "--max-time", "20"]);
    if let Some(lang) = accept_language {
        cmd.args(["-H", &format!("Accept-Language: {lang}")]);
    }
    let out = cmd.arg(format!("https://127.0.0.1:{port}{path}")).output().expect("curl is installed by scripts/test");
    let all = text(&out.stdout);
    let (head, body) = all.split_once("\r\n\r\n").unwrap_or((&all, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_lowercase(), body.to_string())
}

fn serve_https(s: &Server) -> (std::process::Child, u16) {
    let https = free_port();
    set_listen(s, &format!("https = \"127.0.0.1:{https}\""));
    set_listen(s, &format!("smtp = \"127.0.0.1:{}\"", free_port()));
    set_listen(s, &format!("imap = \"127.0.0.1:{}\"", free_port()));
    (spawn_serve(s, "https"), https)
}

fn stop(mut server: std::process::Child) {
    let _ = server.kill();
    let _ = server.wait();
}

/// Waits (at most 30 s) until `/status` shows the first probe round.
fn status_after_first_probe(port: u16) -> String {
    for _ in 0..150 {
        let (code, _, body) = get(port, "/status", Some("en"));
        assert_eq!(code, 200);
        if !body.contains("No probe has run yet") {
            return body;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("no probe round within 30 s");
}

/// Every text node-ish fragment of the English catalog that must not appear in another language.
fn english_catalog_texts() -> Vec<String> {
    let c = sigillo_trust::catalog::catalog();
    let mut out = Vec::new();
    for f in &c.functions {
        out.push(f.title.clone());
        for cat in &f.categories {
            out.push(cat.title.clone());
            out.extend(cat.subcategories.iter().map(|s| s.statement.clone()));
        }
    }
    out
}

fn assert_no_untranslated(page: &str, what: &str) {
    for english in english_catalog_texts() {
        // As a whole text (`GOVERN` is inside Italian `GOVERNARE`, and that is fine).
        for shown in [format!(">{english}<"), format!(" {english}<")] {
            assert!(!page.contains(&shown), "{what}: English catalog text {english:?} left untranslated");
        }
    }
    for english in ["Trust center", "Summary", "Controls", ">implemented<", ">planned<", "Statement", "Subprocessors", "Checks"] {
        assert!(!page.contains(english), "{what}: English UI text {english:?}");
    }
    // A Fluent id shown instead of its message.
    for key in ["csf-", "status-", "verdict-", "check-", "nav-", "col-", "summary-", "component-", "health-", "uptime-"] {
        let shown = page.split('>').filter_map(|s| s.split('<').next()).any(|text| text.trim_start().starts_with(key));
        assert!(!shown, "{what}: a message id starting {key:?} is shown as text");
    }
}

#[test]
fn trust_page_in_four_languages_with_switcher_and_subprocessors() {
    let s = init();
    let config = s.dir.join("sigillo.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[[trust.subprocessors]]\nname = \"Example Hosting GmbH\"\npurpose = \"Virtual machine hosting\"\nlocation = \"Germany\"\n",
    );
    std::fs::write(&config, text).unwrap();
    let (server, port) = serve_https(&s);

    let (code, headers, ar) = get(port, "/trust", Some("ar-EG,ar;q=0.9,en;q=0.5"));
    assert_eq!(code, 200);
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">"), "{}", &ar[..200]);
    assert!(headers.contains("content-language: ar") && headers.contains("vary: accept-language"), "{headers}");
    assert!(ar.contains("مركز الثقة") && ar.contains("سرية البيانات المخزَّنة وسلامتها وإتاحتها محمية"));
    assert!(ar.contains("<bdi>PR.DS-01</bdi>"), "ids are isolated");
    assert_no_untranslated(&ar, "ar");
    // The switcher: a plain link per language, on every page.
    for code in ["en", "it", "ar", "nb"] {
        assert!(ar.contains(&format!("href=\"/trust?lang={code}\" hreflang=\"{code}\"")), "switcher to {code}");
    }

    // q-values choose; ?lang= overrides the header and sticks to internal links.
    let (_, _, nb) = get(port, "/trust", Some("fr, nb-NO;q=0.8, en;q=0.5"));
    assert!(nb.contains("<html lang=\"nb\" dir=\"ltr\">") && nb.contains("Tillitssenter"));
    assert_no_untranslated(&nb, "nb");
    let (_, _, it) = get(port, "/trust?lang=it", Some("ar"));
    assert!(it.contains("<html lang=\"it\" dir=\"ltr\">") && it.contains("Centro di fiducia"));
    assert!(it.contains("href=\"/trust/controls/PR.DS-01?lang=it\""), "links keep the chosen language");
    assert_no_untranslated(&it, "it");
    let (_, _, en) = get(port, "/trust", None);
    assert!(en.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(en.contains("The confidentiality, integrity, and availability of data-at-rest are protected"), "English is NIST's text");

    // Subprocessors from the config, and the check that they are declared.
    assert!(en.contains("Example Hosting GmbH") && en.contains("Virtual machine hosting") && en.contains("Germany"));
    assert!(ar.contains("Example Hosting GmbH"));
    let all: Vec<serde_json::Value> = serde_json::from_str(&ok(&["trust", "check", "--data", s.data(), "--json"], b"")).unwrap();
    let am04 = all.iter().find(|c| c["id"] == "ID.AM-04").unwrap();
    assert_eq!(am04["status"], "implemented", "{am04}");

    // The control page, in Arabic, and a 404 that is translated too.
    let (code, _, detail) = get(port, "/trust/controls/ID.AM-04?lang=ar", None);
    assert_eq!(code, 200);
    assert!(detail.contains("dir=\"rtl\"") && detail.contains("كل معالج فرعي مُعلَن مع غرضه وموقعه"), "{detail}");
    let (code, _, missing) = get(port, "/trust/controls/XX.YY-99?lang=it", None);
    assert_eq!(code, 404);
    assert!(missing.contains("Controllo sconosciuto") && missing.contains("<bdi>XX.YY-99</bdi>"));
    stop(server);
}

#[test]
fn status_page_shows_probes_uptime_and_incidents_with_an_atom_feed() {
    let s = init();
    // Three days ago the SMTP listener answered 3 probes of 4 (a day file the server compacts).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let past = now - 3 * 86_400;
    let day = sigillo_trust::health::probes::date_of(past);
    std::fs::create_dir_all(s.dir.join("status/probes")).unwrap();
    let lines: String = (0..4)
        .map(|i| {
            format!(
                "{{\"at\":{},\"components\":{{\"smtp\":{{\"up\":{},\"detail\":\"\"}}}}}}\n",
                past + i * 60,
                if i == 2 { "false" } else { "true" }
            )
        })
        .collect();
    std::fs::write(s.dir.join(format!("status/probes/{day}.jsonl")), lines).unwrap();

    let opened = ok(
        &[
            "incident",
            "open",
            "--data",
            s.data(),
            "--title",
            "Inbound mail delayed",
            "--severity",
            "major",
            "--component",
            "smtp",
            "--component",
            "queue",
            "--message",
            "Messages wait in the queue; we are looking into it.",
        ],
        b"",
    );
    let id = opened.trim();
    assert_eq!(id, "1");
    ok(&["incident", "update", "--data", s.data(), id, "--state", "identified", "--message", "A full disk on the spool volume."], b"");
    ok(&["incident", "resolve", "--data", s.data(), id, "--message", "Space freed; the queue is empty again."], b"");
    // Bad input: a clear error, nothing recorded.
    let bad =
        run(&["incident", "open", "--data", s.data(), "--title", "x", "--severity", "major", "--component", "dns", "--message", "m"], b"");
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("component \"dns\" is not one of"), "{}", text(&bad.stderr));
    let again = run(&["incident", "resolve", "--data", s.data(), id, "--message", "twice"], b"");
    assert!(!again.status.success() && text(&again.stderr).contains("already resolved"), "{}", text(&again.stderr));

    let (server, port) = serve_https(&s);
    let page = status_after_first_probe(port);
    assert!(page.contains("<h1>System status</h1>"));
    // Live health from the first round: configured listeners up, POP3 not configured.
    for component in ["smtp", "imap", "web", "storage", "queue", "tsa"] {
        let row = page.split(&format!("<tr id=\"c-{component}\">")).nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("class=\"status h-up\""), "{component}: {row}");
    }
    let pop3 = page.split("<tr id=\"c-pop3\">").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(pop3.contains("not configured"), "{pop3}");
    assert!(page.contains("All components are operational."));
    // 90 bars per component, each with a text alternative; the past day compacted and shown.
    let bars: Vec<&str> = page.split("<ol class=\"bars\"").skip(1).collect();
    assert_eq!(bars.len(), 8);
    for b in &bars {
        let b = b.split("</ol>").next().unwrap();
        assert_eq!(b.matches("<li ").count(), 90);
        assert_eq!(b.matches("class=\"visually-hidden\"").count(), 90);
    }
    assert!(page.contains(&format!("{day}: 75.00 % (3 of 4 probes)")), "the past day's text alternative");
    let smtp = page.split("<tr id=\"c-smtp\">").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(smtp.contains("uptime on the days with probes (<bdi>2</bdi> of the last 90)"), "{smtp}");
    assert!(!s.dir.join(format!("status/probes/{day}.jsonl")).exists(), "past days are compacted");
    assert!(s.dir.join("status/days.json").exists());
    // The incident with its whole timeline, newest update first.
    assert!(page.contains("Inbound mail delayed") && page.contains(">major<") && page.contains(">resolved<"));
    let timeline = page.split("<ol class=\"timeline\">").nth(1).unwrap();
    let (resolved, identified, first) = (
        timeline.find("Space freed").unwrap(),
        timeline.find("A full disk").unwrap(),
        timeline.find("Messages wait in the queue").unwrap(),
    );
    assert!(resolved < identified && identified < first, "newest first");

    // An open incident shows on its components and in the overall line.
    let planned = ok(
        &[
            "incident",
            "open",
            "--data",
            s.data(),
            "--title",
            "IMAP upgrade",
            "--severity",
            "maintenance",
            "--component",
            "imap",
            "--message",
            "IMAP restarts at 22:00 UTC.",
        ],
        b"",
    );
    assert_eq!(planned.trim(), "2");
    let (_, _, page) = get(port, "/status", None);
    assert!(page.contains("An incident is in progress") && !page.contains("All components are operational."));
    let imap = page.split("<tr id=\"c-imap\">").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(imap.contains("href=\"/status#incident-2\"") && imap.contains("Open incident: <bdi>IMAP upgrade</bdi>"), "{imap}");
    let smtp = page.split("<tr id=\"c-smtp\">").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(!smtp.contains("Open incident"), "the resolved one is not open: {smtp}");

    // The same page in Arabic.
    let (_, _, ar) = get(port, "/status", Some("ar"));
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">") && ar.contains("حالة النظام") && ar.contains("تم الحل"));
    assert!(ar.contains(&format!("{day}: 75.00 ٪")), "Arabic text alternative");
    assert!(!ar.contains("System status") && !ar.contains("operational"));

    // The Atom feed: RFC 4287's required elements, one entry per update.
    let (code, headers, feed) = get(port, "/status/feed.atom", None);
    assert_eq!(code, 200);
    assert!(headers.contains("content-type: application/atom+xml"), "{headers}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.atom");
    std::fs::write(&file, &feed).unwrap();
    let check = Command::new("python3")
        .args([
            "-c",
            r#"
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(sys.argv[1]).getroot()
assert feed.tag == A + "feed", feed.tag
for required in ("id", "title", "updated", "author"):
    assert feed.find(A + required) is not None, required
assert feed.find(A + "author/" + A + "name").text
assert any(l.get("rel") == "self" for l in feed.findall(A + "link"))
entries = feed.findall(A + "entry")
ids = set()
for e in entries:
    for required in ("id", "title", "updated", "content"):
        assert e.find(A + required) is not None and e.find(A + required).text, required
    ids.add(e.find(A + "id").text)
assert len(ids) == len(entries), "entry ids are unique"
print(len(entries))
for e in entries:
    print(e.find(A + "title").text)
"#,
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stderr));
    let out = text(&check.stdout);
    assert!(out.starts_with("4\n"), "three updates of the first incident, one of the second: {out}");
    assert!(out.contains("Inbound mail delayed: resolved") && out.contains("Inbound mail delayed: identified"), "{out}");
    let (_, _, feed_it) = get(port, "/status/feed.atom?lang=it", None);
    assert!(feed_it.contains("xml:lang=\"it\"") && feed_it.contains("Inbound mail delayed: risolto"), "{feed_it}");
    stop(server);
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn oscal_export_validates_against_nists_schema() {
    let s = init();
    std::fs::create_dir_all(s.dir.join("trust")).unwrap();
    std::fs::write(
        s.dir.join("trust/attestations.toml"),
        "[[attestation]]\ncontrols = [\"PR.AT-01\"]\nstatement = \"Trained.\"\nowner = \"Security officer\"\n\
         date = \"2026-03-01\"\nexpires = \"2999-03-01\"\ndocument = \"https://example.org/training.pdf\"\n\n\
         [[not_applicable]]\ncontrol = \"PR.PS-03\"\nreason = \"No hardware is operated.\"\n",
    )
    .unwrap();
    let (server, port) = serve_https(&s);
    ok(&["trust", "check", "--data", s.data()], b"");
    let (code, _, body) = get(port, "/trust/oscal/assessment-results.json", None);
    assert_eq!(code, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let result = &doc["assessment-results"]["results"][0];
    assert!(result["observations"].as_array().unwrap().len() >= 8, "one observation per check run");
    assert!(result["findings"].as_array().unwrap().iter().any(|f| f["target"]["target-id"] == "PR.DS-01_statement"));
    stop(server);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ar.json");
    std::fs::write(&file, &body).unwrap();
    let schema = repo_root().join("crates/trust/data/oscal_assessment-results_schema.json");
    let validator = repo_root().join("crates/sigillo/tests/tools/validate_oscal.py");
    let validate = |path: &Path| {
        Command::new("python3").arg(&validator).arg(&schema).arg(path).output().expect("python3 with jsonschema and regex (scripts/test)")
    };
    let out = validate(&file);
    assert!(out.status.success(), "invalid OSCAL:\n{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("0 errors"));
    // The validator does reject what the schema forbids.
    let mut broken = doc.clone();
    broken["assessment-results"].as_object_mut().unwrap().remove("import-ap");
    broken["assessment-results"]["results"][0]["start"] = "yesterday".into();
    std::fs::write(&file, serde_json::to_string(&broken).unwrap()).unwrap();
    let out = validate(&file);
    assert!(!out.status.success());
    let report = text(&out.stdout);
    assert!(report.contains("'import-ap' is a required property") && report.contains("yesterday"), "{report}");
}

/// WCAG 2.x relative luminance of `#rrggbb` / `#rgb`.
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let hex: String = if hex.len() == 3 { hex.chars().flat_map(|c| [c, c]).collect() } else { hex.to_string() };
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `--name: #hex;` declarations and `.class { color|background: #hex }` rules of the stylesheet.
fn css_colour(css: &str, name: &str) -> String {
    let at = css.find(name).unwrap_or_else(|| panic!("{name} not in the stylesheet"));
    let rest = &css[at..];
    let hash = rest.find('#').unwrap();
    rest[hash..].chars().take_while(|c| *c == '#' || c.is_ascii_hexdigit()).collect()
}

fn chromium(args: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new("timeout")
        .arg("120")
        .arg("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--ignore-certificate-errors",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium is installed by scripts/test")
}

#[test]
fn chromium_renders_the_pages_rtl_translated_and_accessible() {
    let s = init();
    let (server, port) = serve_https(&s);
    status_after_first_probe(port);
    let artifacts = repo_root().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    for (name, path, lang, dir) in [
        ("trust-ar", "/trust?lang=ar", "ar", "rtl"),
        ("trust-en", "/trust?lang=en", "en", "ltr"),
        ("status-en", "/status", "en", "ltr"),
        ("status-ar", "/status?lang=ar", "ar", "rtl"),
    ] {
        let url = format!("https://127.0.0.1:{port}{path}");
        let out = chromium(&["--dump-dom", &url]);
        let dom = text(&out.stdout);
        assert!(out.status.success() && dom.contains("</html>"), "{name}: {}", text(&out.stderr));
        // Direction and language as the browser parsed them.
        assert!(dom.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")), "{name}: {}", &dom[..dom.len().min(300)]);
        if lang == "ar" {
            assert_no_untranslated(&dom, name);
        }
        // Accessibility smoke: one h1, the landmarks, alt on every image, labelled navs.
        assert_eq!(dom.matches("<h1").count(), 1, "{name}: one h1");
        for landmark in ["<header", "<nav ", "<main", "<footer"] {
            assert!(dom.contains(landmark), "{name}: {landmark} landmark");
        }
        assert!(dom.split("<nav ").skip(1).all(|n| n.starts_with("aria-label=\"")), "{name}: every nav is labelled");
        assert!(dom.split("<img").skip(1).all(|i| i.split('>').next().unwrap().contains("alt=")), "{name}: images have alt");
        assert!(dom.split("<table").skip(1).all(|t| t.contains("scope=\"")), "{name}: table headers have scope");
        let shot = artifacts.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&shot);
        let out = chromium(&["--window-size=1280,1600", &format!("--screenshot={}", shot.display()), &url]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{name}: no screenshot at {}: {e}", shot.display()));
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}: a real screenshot");
    }
    // Contrast of the stylesheet's colours (WCAG 2.1: text 4.5:1, graphics 3:1).
    let (_, _, css) = get(port, "/static/sigillo.css", None);
    let bg = css_colour(&css, "--bg:");
    for var in ["--fg:", "--muted:", "--ok:", "--warn:", "--bad:", "--info:", "a { color:"] {
        let c = css_colour(&css, var);
        let ratio = contrast(&c, &bg);
        assert!(ratio >= 4.5, "{var} {c} on {bg}: {ratio:.2}:1");
        assert!(contrast(&c, "#f4f4f4") >= 4.5, "{var} on the evidence background");
    }
    for bar in [".u-full", ".u-high", ".u-mid", ".u-low", ".u-none"] {
        let c = css_colour(&css, &format!("{bar} {{"));
        assert!(contrast(&c, &bg) >= 3.0, "{bar} {c}: {:.2}:1", contrast(&c, &bg));
    }
    stop(server);
}

/// A POP3 service that offers logins in clear text appears in the configuration: the
/// data-in-transit control leaves `implemented` on the next check, and comes back when it goes.
#[test]
fn a_listener_that_takes_passwords_before_tls_breaks_data_in_transit() {
    let s = init();
    let (server, _) = serve_https(&s);
    let check = || -> Vec<serde_json::Value> { serde_json::from_str(&ok(&["trust", "check", "--data", s.data(), "--json"], b"")).unwrap() };
    let ds02 = |all: &[serde_json::Value]| all.iter().find(|c| c["id"] == "PR.DS-02").unwrap().clone();
    assert_eq!(ds02(&check())["status"], "implemented", "smtp and imap refuse logins before STARTTLS");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let fake = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        let (stream, _) = listener.accept().unwrap();
        let mut w = stream.try_clone().unwrap();
        w.write_all(b"+OK POP3 ready\r\n").unwrap();
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if line.eq_ignore_ascii_case("CAPA") {
                w.write_all(b"+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n").unwrap();
            } else {
                w.write_all(b"+OK Bye\r\n").unwrap();
                break;
            }
        }
    });
    let config = s.dir.join("sigillo.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    set_listen(&s, &format!("pop3 = \"{addr}\""));
    let broken = ds02(&check());
    fake.join().unwrap();
    assert_eq!(broken["status"], "partial", "{broken}");
    let checks = broken["checks"].to_string();
    assert!(checks.contains("USER offered=true") && checks.contains("SASL offered=true"), "{checks}");

    std::fs::write(&config, original).unwrap();
    assert_eq!(ds02(&check())["status"], "implemented", "back once the listener is gone");
    stop(server);
}

mod dns_zone;

/// SPF, DKIM, DMARC and MTA-STS as a real DNS server publishes them: the identity-assertion
/// control is implemented while they match, and fails when DMARC stops enforcing or a
/// signing key is not published.
#[test]
fn email_authentication_records_are_checked_in_dns() {
    let s = init();
    // The DKIM key records exactly as `sigillo dns records` tells the admin to publish them.
    let published = ok(&["dns", "records", "example.org", "--data", s.data()], b"");
    let zone = |dmarc: &str, with_dkim: bool| {
        dns_zone::Zone::new("example.org")
            .txt("example.org", "v=spf1 mx -all")
            .txt("example.org", "some-site-verification=abc")
            .txt("_dmarc.example.org", dmarc)
            .txt("_mta-sts.example.org", "v=STSv1; id=20261123")
            .zone_text(&published, |line| with_dkim && line.contains("._domainkey."))
    };
    let config = s.dir.join("sigillo.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    let aa04 = || -> (serde_json::Value, serde_json::Value) {
        let all: Vec<serde_json::Value> = serde_json::from_str(&ok(&["trust", "check", "--data", s.data(), "--json"], b"")).unwrap();
        let results: serde_json::Value = serde_json::from_slice(&std::fs::read(s.dir.join("trust/results.json")).unwrap()).unwrap();
        (all.iter().find(|c| c["id"] == "PR.AA-04").unwrap().clone(), results["email.authentication"].clone())
    };

    // example.org is reserved (RFC 2606): without [dns] nameservers it is not queried at all.
    let (control, result) = aa04();
    assert_eq!(control["status"], "planned", "{control}");
    assert_eq!(result["verdict"], "not-checked");

    let dns = dns_zone::serve(vec![zone("v=DMARC1; p=reject; rua=mailto:dmarc@example.org", true)]);
    std::fs::write(&config, format!("{original}\n{}", dns.config())).unwrap();
    let (control, result) = aa04();
    assert_eq!(control["status"], "implemented", "{control} {result}");
    let records = &result["evidence"]["domains"][0]["records"];
    assert_eq!(records["spf"]["record"], "v=spf1 mx -all");
    let dkim = records["dkim"].as_array().unwrap();
    assert_eq!(dkim.len(), 2, "the Ed25519 and the RSA key: {records}");
    assert!(dkim.iter().all(|k| k["result"]["ok"] == true), "{records}");
    drop(dns);

    // The signing keys are not in the DNS: receivers cannot verify our signatures.
    let dns = dns_zone::serve(vec![zone("v=DMARC1; p=reject", false)]);
    std::fs::write(&config, format!("{original}\n{}", dns.config())).unwrap();
    let (control, result) = aa04();
    assert_eq!(control["status"], "failing", "{control}");
    let dkim = result["evidence"]["domains"][0]["records"]["dkim"].clone();
    assert!(dkim[0]["result"]["problem"].as_str().unwrap().contains("no DKIM key record"), "{dkim}");
    drop(dns);

    let dns = dns_zone::serve(vec![zone("v=DMARC1; p=none", true)]);
    std::fs::write(&config, format!("{original}\n{}", dns.config())).unwrap();
    let (control, result) = aa04();
    assert_eq!(control["status"], "failing", "{control}");
    assert!(result["evidence"]["domains"][0]["records"]["dmarc"]["problem"].as_str().unwrap().contains("p=none"), "{result}");
}

/// The vulnerability check scans the compiled-in dependency list against a RustSec advisory
/// database the operator points `[trust] advisory_db` at: an advisory against a version we
/// ship fails the check, a patched one passes.
#[test]
fn dependencies_are_scanned_against_a_configured_advisory_database() {
    let s = init();
    let db = s._tmp.path().join("advisory-db");
    let advisory = |patched: &str| {
        let dir = db.join("crates/sigillo-core");
        std::fs::create_dir_all(&dir).unwrap();
        let text = format!(
            "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"sigillo-core\"\ndate = \"2099-01-01\"\n\n[versions]\npatched = [\"{patched}\"]\n```\n\n# A test advisory\n"
        );
        std::fs::write(dir.join("RUSTSEC-2099-0001.md"), text).unwrap();
    };
    let vulnerabilities = || -> serde_json::Value {
        ok(&["trust", "check", "--data", s.data(), "--json"], b"");
        let results: serde_json::Value = serde_json::from_slice(&std::fs::read(s.dir.join("trust/results.json")).unwrap()).unwrap();
        results["inventory.vulnerabilities"].clone()
    };
    assert_eq!(vulnerabilities()["verdict"], "not-checked", "no database configured");

    let config = s.dir.join("sigillo.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{original}\n[trust]\nadvisory_db = \"{}\"\n", db.display())).unwrap();
    advisory(">= 99.0.0");
    let result = vulnerabilities();
    assert_eq!(result["verdict"], "fail", "{result}");
    assert!(result["detail"].as_str().unwrap().contains("sigillo-core 0.1.0 (RUSTSEC-2099-0001)"), "{result}");

    advisory(">= 0.1.0");
    let result = vulnerabilities();
    assert_eq!(result["verdict"], "pass", "{result}");
}

/// MFA coverage: not checked while nobody holds a privileged role; an admin without a
/// second factor fails the check (and names the account).
#[test]
fn an_admin_without_a_second_factor_fails_the_mfa_check() {
    let s = init();
    add_account(&s, "alice@example.org", PASSWORD);
    let mfa = || -> serde_json::Value {
        ok(&["trust", "check", "--data", s.data(), "--json"], b"");
        let results: serde_json::Value = serde_json::from_slice(&std::fs::read(s.dir.join("trust/results.json")).unwrap()).unwrap();
        results["identity.mfa-coverage"].clone()
    };
    assert_eq!(mfa()["verdict"], "not-checked");
    ok(&["account", "role", "alice@example.org", "admin", "--data", s.data()], b"");
    let result = mfa();
    assert_eq!(result["verdict"], "fail", "{result}");
    assert!(result["detail"].as_str().unwrap().contains("alice@example.org (admin)"), "{result}");
}

//! `sigillo demo`: the README's "run it" command. First run creates `./sigillo-demo` (domain
//! sigillo.test, two accounts, listeners on 127.0.0.1 high ports, a welcome message for
//! each); every run then serves it and prints where to connect and how to log in.

use super::init;
use crate::context::Context;
use anyhow::{Context as _, Result};
use sigillo_auth::accounts::NewAccountOptions;
use sigillo_core::clock::unix_now;
use sigillo_store::Keyring;
use sigillo_store::deliver::Delivery;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

const DOMAIN: &str = "sigillo.test";
const USERS: [&str; 2] = ["alice", "bob"];
const CREDENTIALS_FILE: &str = "demo-credentials.txt";

pub fn run(dir: &Path) -> Result<()> {
    if !dir.join(sigillo_core::config::CONFIG_FILE).exists() {
        create(dir)?;
    }
    let credentials = std::fs::read_to_string(dir.join(CREDENTIALS_FILE)).unwrap_or_default();
    let mut text = String::from("\nDemo accounts (also in ");
    let _ = write!(text, "{}):\n{credentials}", dir.join(CREDENTIALS_FILE).display());
    text.push_str("The certificate is self-signed: tell your client to accept it (curl -k).\nStop with Ctrl-C.");
    crate::server::run(dir, Some(&text))
}

fn create(dir: &Path) -> Result<()> {
    println!("Creating the demo in {} …", dir.display());
    init::create(dir, DOMAIN, None, |config| {
        let listen = &mut config.listen;
        let at = |port: u16| Some(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
        listen.smtp = at(2525);
        listen.submission = at(2587);
        listen.submissions = at(2465);
        listen.imap = at(2143);
        listen.imaps = at(2993);
        listen.pop3 = at(2110);
        listen.pop3s = at(2995);
        listen.https = at(8443);
    })?;
    let mut ctx = Context::open(dir)?;
    let mut credentials = String::new();
    for user in USERS {
        let address = format!("{user}@{DOMAIN}").parse()?;
        let password = sigillo_crypto::codes::app_password()?;
        let created = ctx.accounts("demo").create(&address, password.as_bytes(), &NewAccountOptions::default())?;
        let _ = writeln!(credentials, "  {address:<22} password {}   recovery code {}", &*password, &*created.recovery_code);
    }
    sigillo_core::durable::write_new(&dir.join(CREDENTIALS_FILE), credentials.as_bytes(), 0o600).context("writing the demo credentials")?;

    let keyring = Keyring::new(Duration::ZERO);
    let delivery =
        Delivery { data: &ctx.data, directory: &ctx.directory, keyring: &keyring, max_message_size: ctx.config.limits.max_message_size };
    for user in USERS {
        let address = format!("{user}@{DOMAIN}").parse()?;
        let welcome = format!(
            "From: Sigillo <postmaster@{DOMAIN}>\r\nTo: {user}@{DOMAIN}\r\nSubject: Welcome to Sigillo\r\nMessage-ID: <welcome-{user}@{DOMAIN}>\r\n\r\n\
             This message was sealed to your account's post-quantum public key when it arrived.\r\n\
             The server cannot read it until you log in.\r\n"
        );
        delivery.deliver(&address, welcome.as_bytes(), "INBOX", &[], unix_now())?;
    }
    Ok(())
}

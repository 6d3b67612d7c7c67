//! `sigillo init`: a new data directory with everything the server needs.

use anyhow::{Context as _, Result, bail};
use sigillo_core::Config;
use sigillo_core::address::normalize_domain;
use sigillo_crypto::keystore::{ServerKeys, create_master_key};
use sigillo_crypto::{Key32, tls};
use sigillo_store::{DataDir, Directory};
use std::path::Path;

const BACKUP_IDENTITY: &str = "backup-identity.txt";

/// Creates the data directory; `customize` may adjust the config before it is written.
pub fn create(dir: &Path, domain: &str, hostname: Option<&str>, customize: impl FnOnce(&mut Config)) -> Result<Config> {
    let domain = normalize_domain(domain).with_context(|| format!("'{domain}' is not a valid domain name"))?;
    let hostname = match hostname {
        Some(h) => normalize_domain(h).with_context(|| format!("'{h}' is not a valid host name"))?,
        None => format!("mail.{domain}"),
    };
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        bail!("{} already exists and is not empty; Sigillo never overwrites a data directory", dir.display());
    }
    let data = DataDir::new(dir);
    data.create_tree().with_context(|| format!("cannot create {}", dir.display()))?;

    let mut config = Config::new(&hostname, &domain);
    // Backups work from the first day: an age identity of this server's own, which the
    // admin is told to copy elsewhere (an archive is useless when the disk that held its
    // only identity is gone).
    let (identity, recipient) = sigillo_backup::identity::generate();
    let identity_file = std::path::PathBuf::from("keys").join(BACKUP_IDENTITY);
    sigillo_core::durable::write_new(&dir.join(&identity_file), identity.as_bytes(), 0o600)?;
    config.backup.recipients = vec![recipient];
    config.backup.identity_file = Some(identity_file);
    customize(&mut config);
    config.save(dir)?;
    let master = create_master_key(&config.master_key_path(dir))?;
    let directory_key = Key32::generate()?;
    let cert = tls::self_signed(&[hostname.clone(), domain.clone()])?;
    sigillo_core::durable::write_new(&data.tls_cert(), cert.cert_pem.as_bytes(), 0o644)?;
    let mut keys =
        ServerKeys { directory_key: directory_key.to_hex().to_string(), tls_key_pem: cert.key_pem.to_string(), extra: Default::default() };
    sigillo_certify::tsa::TsaMaterial::ensure(&mut keys.extra, &hostname).context("the time-stamp authority's keys")?;
    sigillo_smtp::dkim_sign::ensure_keys(&mut keys, &domain, sigillo_core::clock::unix_now()).context("the DKIM keys")?;
    keys.save(&data.keystore(), &master)?;
    let directory = Directory::create(&data.directory_db(), &directory_key)?;
    directory.add_domain(&domain)?;
    directory.audit("cli", "server.init", &hostname, &format!("domain={domain}"))?;
    Ok(config)
}

pub fn run(dir: &Path, domain: &str, hostname: Option<&str>) -> Result<()> {
    let config = create(dir, domain, hostname, |_| {})?;
    println!("Created Sigillo data directory {}", dir.display());
    println!("  domain:      {}", config.server.primary_domain);
    println!("  hostname:    {} (self-signed TLS certificate in keys/tls.crt)", config.server.hostname);
    println!(
        "  master key:  {} — keep a copy apart from the data; without it the server keys are lost",
        config.master_key_path(dir).display()
    );
    println!(
        "  backups:     daily into {}, encrypted to {} — copy that identity off this machine",
        config.backup_dir(dir).display(),
        dir.join("keys").join(BACKUP_IDENTITY).display()
    );
    println!(
        "  DNS:         publish the records printed by  sigillo dns records {} --data {}",
        config.server.primary_domain,
        dir.display()
    );
    println!("Next: add listeners under [listen] in {}/sigillo.toml, create an account with", dir.display());
    println!("  sigillo account add user@{} --data {}", config.server.primary_domain, dir.display());
    Ok(())
}

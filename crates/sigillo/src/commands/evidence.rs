//! `sigillo verify`, `sigillo evidence show|export`.

use crate::cli::EvidenceCommand;
use crate::context::Context;
use anyhow::{Context as _, Result};
use der::DecodePem;
use sigillo_certify::Certifier;
use sigillo_certify::tsa::TsaKeys;
use std::path::Path;
use std::process::ExitCode;

/// The server's certifier over DIR/evidence, creating TSA keys for older data dirs.
pub fn open_certifier(ctx: &mut Context) -> Result<Certifier> {
    super::tsa_keys(ctx)?;
    let keys = TsaKeys::load(&ctx.keys.extra).context("the time-stamp authority's keys")?;
    let store_key = TsaKeys::store_key(&ctx.keys.extra)?;
    let certifier = Certifier::open(&ctx.data.evidence_dir(), keys, store_key, &ctx.config.server.hostname).context("the evidence log")?;
    match ctx.config.certify.as_ref().and_then(|c| c.tsa_url.as_ref().map(|url| (c, url))) {
        None => Ok(certifier),
        Some((config, url)) => Ok(certifier.with_external_tsa(external_tsa(ctx, config, url)?)),
    }
}

/// The outside TSA of `[certify] tsa_url`; relative file names are in the data dir.
fn external_tsa(ctx: &Context, config: &sigillo_core::config::CertifyConfig, url: &str) -> Result<sigillo_certify::tsa::TsaClient> {
    let file = |name: &str| ctx.data.root().join(name);
    let ca_file = config.tsa_ca_file.as_deref().context("[certify] tsa_url needs tsa_ca_file: the CA (PEM) its tokens chain to")?;
    let ca_pem = std::fs::read(file(ca_file)).with_context(|| format!("cannot read [certify] tsa_ca_file {ca_file}"))?;
    let ca =
        x509_cert::Certificate::from_pem(&ca_pem).with_context(|| format!("[certify] tsa_ca_file {ca_file} is not a PEM certificate"))?;
    let tls = match &config.tsa_tls_ca_file {
        Some(name) => Some(std::fs::read(file(name)).with_context(|| format!("cannot read [certify] tsa_tls_ca_file {name}"))?),
        None => None,
    };
    let timeout = std::time::Duration::from_secs(config.tsa_timeout_secs.max(1));
    sigillo_certify::tsa::TsaClient::new(url, ca, tls.as_deref(), timeout).context("[certify] tsa_url")
}

pub fn run(cmd: EvidenceCommand) -> Result<()> {
    match cmd {
        EvidenceCommand::Show { id, data } => {
            let mut ctx = Context::open(&data.dir)?;
            let certifier = open_certifier(&mut ctx)?;
            let stored = certifier.load(&id)?;
            println!("{}", serde_json::to_string_pretty(&stored.event)?);
            let facts = certifier.verify_stored(&stored)?;
            println!("token: serial {}, stamped {}", facts.serial, facts.time_rfc3339());
            println!("log entry: {}", stored.log_index);
        }
        EvidenceCommand::Export { id, data } => {
            let mut ctx = Context::open(&data.dir)?;
            let certifier = open_certifier(&mut ctx)?;
            let stored = certifier.load(&id)?;
            println!("{}", serde_json::to_string_pretty(&certifier.bundle(&[stored])?)?);
        }
    }
    Ok(())
}

/// `sigillo verify`: a readable verdict; exit 0 only if every check holds.
pub fn verify(bundle: &Path, message: Option<&Path>, tsa_ca: Option<&Path>) -> Result<ExitCode> {
    let bytes = std::fs::read(bundle).with_context(|| format!("cannot read {}", bundle.display()))?;
    let message = message.map(|p| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))).transpose()?;
    let ca = match tsa_ca {
        Some(p) => {
            let pem = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            Some(x509_cert::Certificate::from_pem(&pem).map_err(|e| anyhow::anyhow!("{} is not a PEM certificate: {e}", p.display()))?)
        }
        None => None,
    };
    let parsed = match sigillo_certify::bundle::parse(&bytes) {
        Ok(b) => b,
        Err(e) => {
            println!("✗ bundle: {e}");
            println!("NOT VERIFIED: the bundle cannot be read");
            return Ok(ExitCode::FAILURE);
        }
    };
    let report = sigillo_certify::bundle::verify(&parsed, message.as_deref(), ca.as_ref());
    for check in &report.checks {
        println!("{} {}: {}", if check.ok { "✓" } else { "✗" }, check.part, check.detail);
    }
    if report.all_hold() {
        println!("VERIFIED: every token, signature, certificate, hash and proof holds");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("NOT VERIFIED: failed: {}", report.failed().join(", "));
        Ok(ExitCode::FAILURE)
    }
}

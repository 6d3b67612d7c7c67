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
    Certifier::open(&ctx.data.evidence_dir(), keys, store_key, &ctx.config.server.hostname).context("the evidence log")
}

pub fn run(cmd: EvidenceCommand) -> Result<()> {
    match cmd {
        EvidenceCommand::Show { id, data } => {
            let mut ctx = Context::open(&data.dir)?;
            let certifier = open_certifier(&mut ctx)?;
            let stored = certifier.load(&id)?;
            println!("{}", serde_json::to_string_pretty(&stored.event)?);
            let facts = sigillo_certify::tsa::verify_token(
                &stored.token_der()?,
                &sigillo_certify::sha256(&stored.event.canonical()),
                &certifier.keys().ca_cert,
                &[],
            )?;
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

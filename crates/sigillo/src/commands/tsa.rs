//! `sigillo tsa ca|rotate`: the built-in time-stamp authority.

use crate::cli::TsaCommand;
use crate::context::Context;
use anyhow::{Context as _, Result};
use sigillo_certify::tsa::{TsaKeys, TsaMaterial};

pub fn run(cmd: TsaCommand) -> Result<()> {
    match cmd {
        TsaCommand::Ca { data } => {
            let mut ctx = Context::open(&data.dir)?;
            ensure_keys(&mut ctx)?;
            print!("{}", TsaKeys::load(&ctx.keys.extra)?.ca_pem()?);
        }
        TsaCommand::Rotate { data } => {
            let mut ctx = Context::open(&data.dir)?;
            ensure_keys(&mut ctx)?;
            TsaMaterial::rotate(&mut ctx.keys.extra, &ctx.config.server.hostname)?;
            save_keys(&ctx)?;
            ctx.directory.audit("cli", "tsa.rotate", &ctx.config.server.hostname, "")?;
            let keys = TsaKeys::load(&ctx.keys.extra)?;
            println!(
                "New TSA certificate {}; {} earlier certificate(s) kept.",
                keys.signer_cert.tbs_certificate.subject,
                keys.history.len()
            );
            println!("Running servers pick it up at their next start.");
        }
    }
    Ok(())
}

/// Creates the TSA keys for data directories made before certified mail existed.
pub fn ensure_keys(ctx: &mut Context) -> Result<()> {
    if TsaMaterial::ensure(&mut ctx.keys.extra, &ctx.config.server.hostname).context("the time-stamp authority's keys")? {
        save_keys(ctx)?;
        tracing::info!("created the time-stamp authority's CA and signing certificate");
    }
    Ok(())
}

fn save_keys(ctx: &Context) -> Result<()> {
    let master = sigillo_crypto::keystore::load_master_key(&ctx.config.master_key_path(ctx.data.root()))?;
    ctx.keys.save(&ctx.data.keystore(), &master).context("cannot save the key store")
}

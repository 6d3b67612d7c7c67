//! `sigillo domain add|list|remove|dkim rotate`.

use crate::cli::{DkimCommand, DomainCommand};
use crate::context::Context;
use anyhow::{Context as _, Result, bail};
use sigillo_core::address::normalize_domain;
use sigillo_smtp::{dkim_sign, domain_admin};

pub fn run(command: DomainCommand) -> Result<()> {
    match command {
        DomainCommand::Add { domain, data } => {
            let mut ctx = Context::open(&data.dir)?;
            let change = domain_admin::add(&ctx.directory, &mut ctx.keys, &domain, sigillo_core::clock::unix_now())?;
            if change.keys_changed {
                ctx.save_keys()?;
            }
            let name = change.name;
            ctx.directory.audit("cli", "domain.add", &name, "")?;
            println!("added domain {name}; publish its DNS records: sigillo dns records {name} --data {}", data.dir.display());
        }
        DomainCommand::List { data } => {
            let ctx = Context::open(&data.dir)?;
            for (name, accounts) in ctx.directory.list_domains()? {
                println!("{name}\t{accounts} account(s)");
            }
        }
        DomainCommand::Remove { domain, data } => {
            let mut ctx = Context::open(&data.dir)?;
            let name = domain_admin::remove(&ctx.directory, &mut ctx.keys, &domain)?.name;
            ctx.save_keys()?;
            ctx.directory.audit("cli", "domain.remove", &name, "")?;
            println!("removed domain {name}");
        }
        DomainCommand::Dkim(DkimCommand::Rotate { domain, data }) => rotate(&domain, &data.dir)?,
    }
    Ok(())
}

/// New keys now; the old selectors stay published for the grace period. A running server
/// notices the changed key store and signs with the new keys from its next message on.
fn rotate(domain: &str, dir: &std::path::Path) -> Result<()> {
    let name = normalize_domain(domain).with_context(|| format!("'{domain}' is not a valid domain name"))?;
    let mut ctx = Context::open(dir)?;
    if !ctx.directory.has_domain(&name)? {
        bail!("{name} is not a domain of this server (see `sigillo domain list`)");
    }
    let now = sigillo_core::clock::unix_now();
    dkim_sign::ensure_keys(&mut ctx.keys, &name, now)?;
    let grace = ctx.config.publish.dkim_grace_secs;
    let keys = dkim_sign::rotate(&mut ctx.keys, &name, now, grace)?;
    ctx.save_keys()?;
    let old = keys.retired.first().map(|g| format!("{} and {}", g.ed25519_selector, g.rsa_selector)).unwrap_or_default();
    ctx.directory.audit(
        "cli",
        "domain.dkim.rotate",
        &name,
        &format!("new={},{}", keys.current.ed25519_selector, keys.current.rsa_selector),
    )?;
    println!("{name}: new DKIM selectors {} and {}", keys.current.ed25519_selector, keys.current.rsa_selector);
    println!("Publish them now (sigillo dns records {name} --data {}); keep {old} for {} more second(s).", dir.display(), grace);
    Ok(())
}

//! `sigillo domain add|list|remove`.

use crate::cli::DomainCommand;
use crate::context::Context;
use anyhow::{Context as _, Result};
use sigillo_core::address::normalize_domain;

pub fn run(command: DomainCommand) -> Result<()> {
    match command {
        DomainCommand::Add { domain, data } => {
            let name = normalize_domain(&domain).with_context(|| format!("'{domain}' is not a valid domain name"))?;
            let ctx = Context::open(&data.dir)?;
            ctx.directory.add_domain(&name)?;
            ctx.directory.audit("cli", "domain.add", &name, "")?;
            println!("added domain {name}");
        }
        DomainCommand::List { data } => {
            let ctx = Context::open(&data.dir)?;
            for (name, accounts) in ctx.directory.list_domains()? {
                println!("{name}\t{accounts} account(s)");
            }
        }
        DomainCommand::Remove { domain, data } => {
            let name = normalize_domain(&domain).with_context(|| format!("'{domain}' is not a valid domain name"))?;
            let ctx = Context::open(&data.dir)?;
            ctx.directory.remove_domain(&name)?;
            ctx.directory.audit("cli", "domain.remove", &name, "")?;
            println!("removed domain {name}");
        }
    }
    Ok(())
}

//! `sigillo trust check`: every automated check, now, against the server DIR configures.

use crate::cli::TrustCommand;
use crate::context::Context;
use anyhow::Result;
use sigillo_trust::status::{ControlStatus, Status};
use sigillo_trust::{Target, attestations, catalog, results, status};
use std::process::ExitCode;

pub fn run(command: TrustCommand) -> Result<ExitCode> {
    match command {
        TrustCommand::Check { data, json } => {
            let ctx = Context::open(&data.dir)?;
            let target = target(&ctx)?;
            let attestations = attestations::load(target.root())?;
            let results = results::run_all(&target)?;
            let controls = status::compute_now(&results, &attestations);
            if json {
                println!("{}", serde_json::to_string_pretty(&controls)?);
            } else {
                print_text(&controls, &results);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What the checks run against: the server `ctx` opened, with the public halves of its
/// current DKIM keys (the trust crate never sees the key store).
pub fn target(ctx: &Context) -> Result<Target> {
    let now = sigillo_core::clock::unix_now();
    let mut dkim = std::collections::BTreeMap::new();
    for (domain, _) in ctx.directory.list_domains()? {
        if let Some(keys) = sigillo_smtp::dkim_sign::domain_keys(&ctx.keys, &domain)? {
            let current = keys.published(now, 0).into_iter().map(|k| (k.selector, k.value)).collect();
            dkim.insert(domain, current);
        }
    }
    Ok(Target { data: ctx.data.clone(), directory_key: ctx.keys.directory_key()?, config: ctx.config.clone(), dkim })
}

fn print_text(controls: &[ControlStatus], results: &std::collections::BTreeMap<String, results::CheckResult>) {
    println!("Checks:");
    for r in results.values() {
        println!("  {:<40} {:<11} {}", r.check, r.outcome.verdict.as_str(), r.outcome.detail);
    }
    println!();
    println!("NIST CSF 2.0 (CSF 1.1 ids in brackets):");
    for function in &catalog::catalog().functions {
        let mine: Vec<&ControlStatus> = controls.iter().filter(|c| c.function == function.id).collect();
        let implemented = mine.iter().filter(|c| c.status == Status::Implemented).count();
        println!("{} {} — {implemented} of {} implemented", function.id, function.title, mine.len());
        for c in mine.iter().filter(|c| c.status != Status::Planned) {
            let old: Vec<&String> = c.csf11.iter().filter(|id| **id != c.id).collect();
            let old = if old.is_empty() {
                String::new()
            } else {
                format!(" [{}]", old.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
            };
            let via: Vec<&str> = c.checks.iter().map(|k| k.id.as_str()).collect();
            println!("  {:<9} {:<15} {}{old}", c.id, c.status.as_str(), via.join(", "));
        }
        let planned = mine.iter().filter(|c| c.status == Status::Planned).count();
        if planned > 0 {
            println!("  ({planned} more planned: no check and no attestation yet)");
        }
    }
}

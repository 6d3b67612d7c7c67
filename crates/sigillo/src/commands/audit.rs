//! `sigillo audit export|verify`: the hash-chained audit log for auditors.
//!
//! The export is JSON lines: one entry per line (all fields, its `prev_hash` and `hash`),
//! then `{"signed_head": {...}}` signed at export time with the server's audit key, so a
//! copy handed to an auditor can be checked offline, and a cut-off tail is caught.

use crate::cli::AuditCommand;
use crate::context::Context;
use anyhow::{Context as _, Result, bail};
use sigillo_store::audit::{self, AuditEntry, HeadSigner, SignedHead};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

/// Name of the audit signing key in the server key store.
pub const SIGNING_KEY: &str = "audit_signing_key";
/// A line longer than this in an export is refused (entries are capped far below it).
const MAX_LINE: usize = 64 * 1024;

/// The server's audit signing key, created (and saved in the key store) on first use.
pub fn signer(ctx: &mut Context) -> Result<HeadSigner> {
    if let Some(hex_key) = ctx.keys.extra.get(SIGNING_KEY) {
        let pkcs8 = zeroize::Zeroizing::new(hex::decode(hex_key).context("the audit signing key in the key store is damaged")?);
        return Ok(HeadSigner::from_pkcs8(&pkcs8)?);
    }
    let (key, pkcs8) = HeadSigner::generate()?;
    ctx.keys.extra.insert(SIGNING_KEY.to_string(), hex::encode(&*pkcs8));
    let master = sigillo_crypto::keystore::load_master_key(&ctx.config.master_key_path(ctx.data.root()))?;
    ctx.keys.save(&ctx.data.keystore(), &master).context("cannot save the audit signing key in the key store")?;
    tracing::info!("created the audit signing key");
    Ok(key)
}

pub fn run(command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Export { data, output } => {
            let mut ctx = Context::open(&data.dir)?;
            let signer = signer(&mut ctx)?;
            let head = ctx.directory.sign_audit_head(&signer)?;
            let entries = ctx.directory.audit_entries()?;
            let mut out: Box<dyn Write> = match &output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            // Only entries the head covers: one appended meanwhile goes into the next export.
            for entry in entries.iter().take(usize::try_from(head.seq).unwrap_or(0)) {
                writeln!(out, "{}", serde_json::to_string(entry)?)?;
            }
            writeln!(out, "{}", serde_json::json!({ "signed_head": head }))?;
            out.flush()?;
            if output.is_some() {
                eprintln!("exported {} audit entries, head signed by {}", head.seq, head.public_key);
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify { data, file, public_key } => {
            let (entries, heads, pinned) = match (data, file) {
                (Some(dir), _) => {
                    let ctx = Context::open(&dir)?;
                    // Verifying never creates a key: a server that never signed has no heads.
                    let own = match ctx.keys.extra.get(SIGNING_KEY) {
                        Some(hex_key) => {
                            let pkcs8 =
                                zeroize::Zeroizing::new(hex::decode(hex_key).context("the audit signing key in the key store is damaged")?);
                            Some(HeadSigner::from_pkcs8(&pkcs8)?.public_hex())
                        }
                        None => None,
                    };
                    (ctx.directory.audit_entries()?, ctx.directory.audit_heads()?, public_key.or(own))
                }
                (None, Some(path)) => {
                    let (entries, head) = read_export(&path)?;
                    (entries, vec![head], public_key)
                }
                (None, None) => bail!("give --data DIR or --file LOG.jsonl"),
            };
            match audit::verify_all(&entries, &heads, pinned.as_deref()) {
                Ok(v) => {
                    let signer = heads.last().map(|h| h.public_key.as_str()).unwrap_or("nobody");
                    let signed =
                        v.signed_through.map_or("no signed head yet".to_string(), |s| format!("signed through entry {s} by {signer}"));
                    println!("audit log OK: {} entries, hash chain intact, {signed}", v.entries);
                    if pinned.is_none() {
                        println!("note: no --public-key given; the head's own key was used — compare it with the server's");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    match e.entry_number() {
                        Some(n) => eprintln!("audit log BROKEN at entry {n}: {e}"),
                        None => eprintln!("audit log BROKEN: {e}"),
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// Reads an export: entries, then the signed head as the last line.
fn read_export(path: &Path) -> Result<(Vec<AuditEntry>, SignedHead)> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut entries = Vec::new();
    let mut head = None;
    let mut reader = std::io::BufReader::new(file);
    let mut line = String::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let n = std::io::Read::take(&mut reader, MAX_LINE as u64 + 1).read_line(&mut line)?;
        if n == 0 {
            break;
        }
        number += 1;
        if line.len() > MAX_LINE {
            bail!("line {number} of {} is longer than {MAX_LINE} bytes", path.display());
        }
        if line.trim().is_empty() {
            continue;
        }
        if head.is_some() {
            bail!("line {number}: entries after the signed head (the head must be the last line)");
        }
        let value: serde_json::Value = serde_json::from_str(&line).with_context(|| format!("line {number} is not JSON"))?;
        if let Some(h) = value.get("signed_head") {
            head = Some(serde_json::from_value::<SignedHead>(h.clone()).with_context(|| format!("line {number}: malformed signed head"))?);
            continue;
        }
        let entry: AuditEntry = serde_json::from_value(value).with_context(|| format!("line {number} is not an audit entry"))?;
        entries.push(entry);
    }
    let Some(head) = head else { bail!("{} has no signed head line: the export is incomplete", path.display()) };
    Ok((entries, head))
}

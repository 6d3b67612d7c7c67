//! `sigillo backup create|keygen|list|verify|restore|drill`, and the scheduled backups and
//! drills `sigillo serve` runs (see `server::backup`).

use crate::cli::BackupCommand;
use crate::context::Context;
use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sigillo_backup::archive::{ArchiveInfo, BackupJob};
use sigillo_backup::drill::DrillReport;
use sigillo_backup::rotation::{self, Keep};
use sigillo_backup::{Manifest, SigningKey, identity};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The key store entry of the server's backup signing key (PKCS#8, hex).
const SIGNING_KEY: &str = "backup_signing_key";

pub fn run(command: BackupCommand) -> Result<ExitCode> {
    match command {
        BackupCommand::Create { data, to } => {
            let mut ctx = Context::open(&data.dir)?;
            let bar = bytes_bar("backing up");
            let (info, manifest) = create(&mut ctx, to.as_deref(), &mut |done, total| progress(&bar, done, total))?;
            bar.finish_and_clear();
            let c = &manifest.counts;
            println!(
                "wrote {} ({} bytes): {} files, {} mailboxes, {} spooled and {} queued messages",
                info.path.display(),
                info.size,
                c.files,
                c.mailboxes,
                c.spooled_messages,
                c.queued_messages
            );
        }
        BackupCommand::Keygen { out } => {
            let (secret, recipient) = identity::generate();
            sigillo_core::durable::write_new(&out, secret.as_bytes(), 0o600)
                .with_context(|| format!("cannot create {} (it must not exist yet)", out.display()))?;
            println!("wrote the identity (secret) to {}; keep it away from the server: it opens every backup", out.display());
            println!("recipient for sigillo.toml, [backup] recipients = [\"{recipient}\"]:");
            println!("{recipient}");
        }
        BackupCommand::List { data } => {
            let ctx = Context::open(&data.dir)?;
            let dir = ctx.config.backup_dir(&data.dir);
            let archives = sigillo_backup::list_archives(&dir)?;
            if archives.is_empty() {
                println!("no backups in {}", dir.display());
            }
            for a in archives {
                println!("{}\t{}\t{} bytes", a.created, a.path.display(), a.size);
            }
            match sigillo_backup::drill::history(&dir).last() {
                Some(d) => println!("last restore drill: {} on {}: {}", d.time, d.archive, if d.ok { "passed" } else { "FAILED" }),
                None => println!("no restore drill yet (`sigillo backup drill`)"),
            }
        }
        BackupCommand::Verify { archive, identity, data } => {
            let (identity, expected) = match &data {
                Some(dir) => {
                    let mut ctx = Context::open(dir)?;
                    let key = signing_key(&mut ctx)?;
                    (identity.or_else(|| ctx.config.backup.identity_file.as_ref().map(|f| dir.join(f))), Some(key.public_hex()))
                }
                None => (identity, None),
            };
            let Some(identity) = identity else {
                bail!("which identity opens the archive? give --identity FILE (or --data DIR with [backup] identity_file)");
            };
            let ids = identity::load_identities(&identity)?;
            let bar = bytes_bar("verifying");
            let verified = sigillo_backup::verify_archive(&archive, &ids, expected.as_deref(), &mut |d, t| progress(&bar, d, t))
                .with_context(|| format!("{} does not verify", archive.display()))?;
            bar.finish_and_clear();
            let m = &verified.manifest;
            println!(
                "{}: OK — signed by {} for {} on {}; {} files, {} bytes, every SHA-256 matches",
                archive.display(),
                m.signer,
                m.hostname,
                m.created,
                m.counts.files,
                m.counts.bytes
            );
        }
        BackupCommand::Restore { archive, identity, data } => {
            let ids = identity::load_identities(&identity)?;
            let bar = bytes_bar("restoring");
            let verified = sigillo_backup::restore_archive(&archive, &ids, &data.dir, &mut |d, t| progress(&bar, d, t))
                .with_context(|| format!("cannot restore {}", archive.display()))?;
            bar.finish_and_clear();
            println!(
                "restored {} files of {} (taken {}) into {}; start it with `sigillo serve --data {}`",
                verified.manifest.counts.files,
                verified.manifest.hostname,
                verified.manifest.created,
                data.dir.display(),
                data.dir.display()
            );
        }
        BackupCommand::Drill { data, identity } => {
            let mut ctx = Context::open(&data.dir)?;
            let report = drill(&mut ctx, identity.as_deref())?;
            print_drill(&report);
            if !report.ok {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Takes a backup into `to` or `[backup] dir`; in the latter, then applies the rotation.
pub fn create(ctx: &mut Context, to: Option<&Path>, progress: &mut dyn FnMut(u64, u64)) -> Result<(ArchiveInfo, Manifest)> {
    let key = signing_key(ctx)?;
    let root = ctx.data.root().to_path_buf();
    let configured = ctx.config.backup_dir(&root);
    let dir = to.map_or_else(|| configured.clone(), Path::to_path_buf);
    let job = BackupJob {
        data: &root,
        backup_dir: &dir,
        hostname: &ctx.config.server.hostname,
        recipients: &ctx.config.backup.recipients,
        signing_key: &key,
    };
    let (info, manifest) = sigillo_backup::create_archive(&job, progress)?;
    ctx.directory.audit("backup", "backup.create", &info.path.display().to_string(), &format!("files={}", manifest.counts.files))?;
    if dir == configured {
        let b = &ctx.config.backup;
        let (_, delete) = rotation::plan(
            &sigillo_backup::list_archives(&dir)?,
            Keep { daily: b.keep_daily, weekly: b.keep_weekly, monthly: b.keep_monthly },
        );
        for old in delete {
            std::fs::remove_file(&old.path).with_context(|| format!("rotation: cannot remove {}", old.path.display()))?;
            ctx.directory.audit("backup", "backup.rotate", &old.path.display().to_string(), "")?;
        }
    }
    Ok((info, manifest))
}

/// Drills the newest archive in `[backup] dir`; records the result (drills.jsonl, audit log).
pub fn drill(ctx: &mut Context, identity: Option<&Path>) -> Result<DrillReport> {
    let root = ctx.data.root().to_path_buf();
    let dir = ctx.config.backup_dir(&root);
    let identity: PathBuf = match identity {
        Some(path) => path.to_path_buf(),
        None => match &ctx.config.backup.identity_file {
            Some(file) => root.join(file),
            None => bail!("the drill needs the backup identity: give --identity FILE or set [backup] identity_file"),
        },
    };
    let ids = identity::load_identities(&identity)?;
    let Some(newest) = sigillo_backup::list_archives(&dir)?.into_iter().next() else {
        bail!("no archive in {} to drill; take one with `sigillo backup create`", dir.display());
    };
    let scratch = dir.join(format!(".drill-{}", std::process::id()));
    let report = sigillo_backup::drill::run(&newest.path, &ids, &scratch, &dir)?;
    let detail = format!("ok={} duration_ms={} error={}", report.ok, report.duration_ms, report.error.as_deref().unwrap_or("-"));
    ctx.directory.audit("backup", "backup.drill", &report.archive, &detail)?;
    Ok(report)
}

pub fn print_drill(r: &DrillReport) {
    let verdict = if r.ok { "PASSED".to_string() } else { format!("FAILED: {}", r.error.as_deref().unwrap_or("?")) };
    println!("restore drill of {}: {verdict}", r.archive);
    println!(
        "  {} files, {} bytes, {} accounts, {} mailboxes, {} spooled and {} queued messages, {} ms",
        r.files, r.bytes, r.accounts, r.mailboxes, r.spooled_messages, r.queued_messages, r.duration_ms
    );
}

/// The server's backup signing key, created (and saved in the key store) on first use.
fn signing_key(ctx: &mut Context) -> Result<SigningKey> {
    if let Some(hex_key) = ctx.keys.extra.get(SIGNING_KEY) {
        let pkcs8 = zeroize::Zeroizing::new(hex::decode(hex_key).context("the backup signing key in the key store is damaged")?);
        return Ok(SigningKey::from_pkcs8(&pkcs8)?);
    }
    let (key, pkcs8) = SigningKey::generate()?;
    ctx.keys.extra.insert(SIGNING_KEY.to_string(), hex::encode(&*pkcs8));
    let master = sigillo_crypto::keystore::load_master_key(&ctx.config.master_key_path(ctx.data.root()))?;
    ctx.keys.save(&ctx.data.keystore(), &master).context("cannot save the backup signing key in the key store")?;
    Ok(key)
}

fn bytes_bar(what: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(&format!("{what} [{{bar:40}}] {{bytes}}/{{total_bytes}} {{bytes_per_sec}} eta {{eta}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn progress(bar: &ProgressBar, done: u64, total: u64) {
    bar.set_length(total);
    bar.set_position(done);
}

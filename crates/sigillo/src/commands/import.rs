//! `sigillo import`: mbox or Maildir into an account. No password is needed: messages are
//! sealed to the account's public key and merged into the mailbox at the owner's next login.
//!
//! Messages are sealed in bundles ([`spool::deposit_bundle`]): one seal, one fsync and one
//! rename per bundle, and the merge takes a bundle in one transaction. A killed import
//! leaves the bundles it finished (complete, durable) and at most one temp file that is
//! never merged; the mailbox is consistent either way.

use crate::context::{Context, parse_address};
use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sigillo_store::migrate::{MigratedMessage, maildir, mbox};
use sigillo_store::spool::{self, SpoolEntry};
use std::io::IsTerminal;
use std::path::Path;

/// A bundle is sealed when it reaches either bound: few enough bytes that the merge holds
/// one in memory comfortably, many enough messages that fsyncs stop mattering.
const BUNDLE_MESSAGES: usize = 2000;
const BUNDLE_BYTES: usize = 32 * 1024 * 1024;

pub fn run(dir: &Path, address: &str, path: &Path) -> Result<()> {
    let address = parse_address(address)?;
    let ctx = Context::open(dir)?;
    let Some(account) = ctx.directory.account(&address.to_string())? else {
        bail!("no account {address}; create it with `sigillo account add {address}`");
    };
    let spool_dir = ctx.data.spool_dir(&account.id);
    let limit = ctx.config.limits.max_message_size;

    let (source, total): (Box<dyn Iterator<Item = Result<MigratedMessage>>>, Option<u64>) =
        if maildir::is_maildir(path) {
            let files = maildir::list(path).with_context(|| format!("cannot read Maildir {}", path.display()))?;
            let total = files.len() as u64;
            (
                Box::new(files.into_iter().map(|(folder, file)| {
                    maildir::read_message(&folder, &file).with_context(|| format!("cannot read {}", file.display()))
                })),
                Some(total),
            )
        } else if path.is_file() {
            let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            let reader = mbox::MboxReader::new(std::io::BufReader::new(file));
            (Box::new(reader.map(|r| r.with_context(|| format!("reading {}", path.display())))), None)
        } else {
            bail!("{} is neither an mbox file nor a Maildir (a directory with cur/ and new/)", path.display());
        };

    let progress = if std::io::stderr().is_terminal() {
        let bar = total.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} messages {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let (mut imported, mut skipped) = (0u64, 0u64);
    let mut bundle: Vec<SpoolEntry> = Vec::new();
    let mut bundle_bytes = 0usize;
    let seal = |bundle: &mut Vec<SpoolEntry>, imported: &mut u64| -> Result<()> {
        if bundle.is_empty() {
            return Ok(());
        }
        spool::deposit_bundle(&spool_dir, &account.sealing_public_key, bundle)
            .with_context(|| format!("import stopped after {imported} message(s)"))?;
        *imported += bundle.len() as u64;
        bundle.clear();
        Ok(())
    };
    for message in source {
        let message = message?;
        if message.raw.len() as u64 > limit {
            progress.suspend(|| eprintln!("skipped a message of {} bytes (limit {limit})", message.raw.len()));
            skipped += 1;
            progress.inc(1);
            continue;
        }
        bundle_bytes += message.raw.len();
        bundle.push(message);
        if bundle.len() >= BUNDLE_MESSAGES || bundle_bytes >= BUNDLE_BYTES {
            seal(&mut bundle, &mut imported)?;
            bundle_bytes = 0;
        }
        progress.inc(1);
    }
    seal(&mut bundle, &mut imported)?;
    progress.finish_and_clear();
    println!("imported {imported} message(s) into {address} ({skipped} skipped); they are sealed until {address} next logs in");
    Ok(())
}

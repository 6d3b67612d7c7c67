//! `sigillo import`: mbox or Maildir into an account, through the normal delivery path.
//! No password is needed: each message is sealed to the account's public key and merged
//! into the mailbox at the owner's next login.

use crate::context::{Context, parse_address};
use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sigillo_store::Keyring;
use sigillo_store::deliver::{Delivery, DeliveryError};
use sigillo_store::migrate::{MigratedMessage, maildir, mbox};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

pub fn run(dir: &Path, address: &str, path: &Path) -> Result<()> {
    let address = parse_address(address)?;
    let ctx = Context::open(dir)?;
    if ctx.directory.account(&address.to_string())?.is_none() {
        bail!("no account {address}; create it with `sigillo account add {address}`");
    }
    let keyring = Keyring::new(Duration::ZERO);
    let delivery =
        Delivery { data: &ctx.data, directory: &ctx.directory, keyring: &keyring, max_message_size: ctx.config.limits.max_message_size };

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
    for message in source {
        let message = message?;
        match delivery.deliver(&address, &message.raw, &message.mailbox, &message.flags, message.internal_date) {
            Ok(_) => imported += 1,
            Err(DeliveryError::TooLarge { size, limit }) => {
                progress.suspend(|| eprintln!("skipped a message of {size} bytes (limit {limit})"));
                skipped += 1;
            }
            Err(e) => {
                return Err(e).with_context(|| format!("import stopped after {imported} message(s)"));
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    println!("imported {imported} message(s) into {address} ({skipped} skipped); they are sealed until {address} next logs in");
    Ok(())
}

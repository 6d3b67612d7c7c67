//! `sigillo export`: the owner takes their mail with them, decrypted only in this process.

use crate::cli::ExportFormat;
use crate::context::{Context, parse_address};
use crate::secrets::SecretReader;
use anyhow::{Context as _, Result, bail};
use sigillo_auth::login::{self, Protocol};
use sigillo_store::migrate::export::ExportCursor;
use sigillo_store::migrate::{MigratedMessage, maildir, mbox};
use std::io::Write;
use std::path::Path;

pub fn run(
    dir: &Path,
    address: &str,
    password_file: Option<&Path>,
    only: Option<&str>,
    format: ExportFormat,
    output: Option<&Path>,
) -> Result<()> {
    let address = parse_address(address)?;
    let ctx = Context::open(dir)?;
    let password = SecretReader::new().read(password_file, "Account password")?;
    let unlocked = login::verify(&ctx.directory, &address.to_string(), password.as_bytes(), Protocol::Cli)?;
    let (store, merged) = login::open_mailstore(&ctx.data, &unlocked)?;
    if merged.merged > 0 {
        tracing::info!(count = merged.merged, "merged mail that arrived while the account was locked");
    }
    let mut cursor = match only {
        Some(name) => {
            let info = store.mailbox(name)?.with_context(|| format!("{address} has no mailbox '{name}'"))?;
            ExportCursor::of(vec![info.name])
        }
        None => ExportCursor::all(&store)?,
    };

    let mut count = 0u64;
    // The same batched walk as the web's /account/export: never the whole mailbox in memory.
    let mut each = |f: &mut dyn FnMut(MigratedMessage) -> Result<()>| -> Result<()> {
        loop {
            let batch = cursor.next_batch(&store)?;
            if batch.is_empty() {
                return Ok(());
            }
            for message in batch {
                f(message)?;
                count += 1;
            }
        }
    };
    match format {
        ExportFormat::Mbox => {
            let sink: Box<dyn Write> = match output {
                Some(path) => Box::new(std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut out = std::io::BufWriter::new(sink);
            each(&mut |m| Ok(mbox::write_message(&mut out, &m)?))?;
            out.flush()?;
        }
        ExportFormat::Maildir => {
            let Some(root) = output else { bail!("--format maildir needs -o DIRECTORY") };
            let mut seq = 0u64;
            each(&mut |m| {
                seq += 1;
                maildir::write_message(root, &m, seq).with_context(|| format!("cannot write into {}", root.display()))?;
                Ok(())
            })?;
        }
    }
    eprintln!("exported {count} message(s) of {address}");
    Ok(())
}

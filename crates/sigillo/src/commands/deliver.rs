//! `sigillo deliver`: local delivery agent with the sendmail exit-code convention
//! (sysexits.h: 0 delivered, 65 bad data, 67 unknown user, 75 temporary failure).

use crate::context::Context;
use anyhow::Result;
use sigillo_core::clock::unix_now;
use sigillo_store::Keyring;
use sigillo_store::deliver::{Delivered, Delivery, DeliveryError};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

const EX_DATAERR: u8 = 65;
const EX_NOUSER: u8 = 67;
const EX_TEMPFAIL: u8 = 75;

pub fn run(dir: &Path, mailbox: &str, recipients: &[String]) -> Result<ExitCode> {
    let ctx = match Context::open(dir) {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("sigillo: error: {e:#}");
            return Ok(ExitCode::from(EX_TEMPFAIL));
        }
    };
    let limit = ctx.config.limits.max_message_size;
    let mut raw = Vec::new();
    std::io::stdin().lock().take(limit + 1).read_to_end(&mut raw)?;
    if raw.is_empty() {
        eprintln!("sigillo: error: the message on standard input is empty");
        return Ok(ExitCode::from(EX_DATAERR));
    }
    // This process holds no unlocked keys: everything is sealed into the spool.
    let keyring = Keyring::new(Duration::ZERO);
    let delivery = Delivery { data: &ctx.data, directory: &ctx.directory, keyring: &keyring, max_message_size: limit };
    let now = unix_now();
    let mut worst = 0u8;
    for recipient in recipients {
        let outcome = match recipient.parse() {
            Ok(address) => delivery.deliver(&address, &raw, mailbox, &[], now),
            Err(e) => {
                eprintln!("sigillo: error: {e}");
                worst = worst.max(EX_NOUSER);
                continue;
            }
        };
        match outcome {
            Ok(Delivered::Stored) => eprintln!("delivered to {recipient}"),
            Ok(Delivered::Sealed) => {
                eprintln!("delivered to {recipient} (sealed until its owner logs in)")
            }
            Err(e @ (DeliveryError::UnknownRecipient(_) | DeliveryError::TooLarge { .. })) => {
                eprintln!("sigillo: error: {e}");
                worst = worst.max(if matches!(e, DeliveryError::TooLarge { .. }) { EX_DATAERR } else { EX_NOUSER });
            }
            Err(e @ DeliveryError::Temporary(_)) => {
                eprintln!("sigillo: error: {e}");
                worst = EX_TEMPFAIL;
            }
        }
    }
    Ok(if worst == 0 { ExitCode::SUCCESS } else { ExitCode::from(worst) })
}

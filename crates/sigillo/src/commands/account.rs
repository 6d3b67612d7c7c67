//! `sigillo account …`.

use crate::cli::{AccountCommand, AppPasswordCommand, PasskeyCommand};
use crate::context::{Context, parse_address};
use crate::secrets::SecretReader;
use anyhow::{Result, bail};
use sigillo_auth::accounts::NewAccountOptions;

pub fn run(command: AccountCommand) -> Result<()> {
    let mut secrets = SecretReader::new();
    match command {
        AccountCommand::Add { address, data, password_file, certified, role, quota } => {
            let address = parse_address(&address)?;
            let mut ctx = Context::open(&data.dir)?;
            let password = secrets.read(password_file.as_deref(), "Password for the new account")?;
            let quota = if quota == 0 { ctx.config.limits.default_quota } else { quota };
            let created = ctx.accounts("cli").create(&address, password.as_bytes(), &NewAccountOptions { role, certified, quota })?;
            println!("created account {address}");
            println!("Recovery code (shown only this once; it is the only way to reset the password without losing mail):");
            println!("  {}", &*created.recovery_code);
            for alias in &created.role_aliases {
                println!("{alias} now delivers to {address} (change it with `sigillo alias`)");
            }
        }
        AccountCommand::Certify { address, state, data } => {
            let address = parse_address(&address)?;
            let ctx = Context::open(&data.dir)?;
            let Some(account) = ctx.directory.account(&address.to_string())? else {
                bail!("no account {address}");
            };
            let on = state == "on";
            ctx.directory.set_certified(&account.id, on)?;
            ctx.directory.audit("cli", "account.certify", &address.to_string(), &state)?;
            println!("certified mail is {state} for {address}");
        }
        AccountCommand::SetLanguage { address, language, data } => {
            let address = parse_address(&address)?;
            let ctx = Context::open(&data.dir)?;
            let Some(account) = ctx.directory.account(&address.to_string())? else {
                bail!("no account {address}");
            };
            ctx.directory.set_language(&account.id, &language)?;
            ctx.directory.audit("cli", "account.set-language", &address.to_string(), &language)?;
            println!("{address} now gets server messages in {language}");
        }
        AccountCommand::List { data } => {
            let ctx = Context::open(&data.dir)?;
            for account in ctx.directory.list_accounts()? {
                let certified = if account.certified { " certified" } else { "" };
                println!("{}\t{}{certified}", account.address, account.role);
            }
        }
        AccountCommand::Passwd { address, data, password_file, new_password_file } => {
            let address = parse_address(&address)?;
            let mut ctx = Context::open(&data.dir)?;
            let old = secrets.read(password_file.as_deref(), "Current password")?;
            let new = secrets.read(new_password_file.as_deref(), "New password")?;
            ctx.accounts("cli").change_password(&address, old.as_bytes(), new.as_bytes())?;
            println!("password changed for {address}; mail is unchanged");
        }
        AccountCommand::Reset { address, data, recovery_code_file, discard_mail, new_password_file } => {
            let address = parse_address(&address)?;
            let mut ctx = Context::open(&data.dir)?;
            let new_code = if discard_mail {
                let new = secrets.read(new_password_file.as_deref(), "New password")?;
                let code = ctx.accounts("cli").reset_discarding_mail(&address, new.as_bytes())?;
                println!("reset {address} WITHOUT its recovery code: its old mail was encrypted under keys that are now destroyed,");
                println!("so that mail is gone for good. The account starts with an empty mailbox.");
                code
            } else {
                let code = secrets.read(recovery_code_file.as_deref(), "Recovery code")?;
                let new = secrets.read(new_password_file.as_deref(), "New password")?;
                let new_code = ctx.accounts("cli").reset_with_recovery(&address, &code, new.as_bytes())?;
                println!("reset the password of {address} with its recovery code; all mail is kept");
                new_code
            };
            println!("New recovery code (the old one no longer works; shown only this once):");
            println!("  {}", &*new_code);
        }
        AccountCommand::Delete { address, data, yes } => {
            let address = parse_address(&address)?;
            if !yes {
                bail!("deleting {address} destroys its keys and all its mail for good; add --yes to confirm");
            }
            let mut ctx = Context::open(&data.dir)?;
            ctx.accounts("cli").delete(&address)?;
            println!("deleted {address}: its keys were destroyed first, then its mailbox and spool files");
        }
        AccountCommand::Role { address, role, data } => {
            let address = parse_address(&address)?;
            let ctx = Context::open(&data.dir)?;
            ctx.directory.set_role(&address.to_string(), &role)?;
            ctx.directory.audit("cli", "account.role", &address.to_string(), &role)?;
            println!("{address} is now {role}");
        }
        AccountCommand::AppPassword(cmd) => app_password(cmd, &mut secrets)?,
        AccountCommand::Passkey(cmd) => passkey(cmd)?,
    }
    Ok(())
}

fn app_password(command: AppPasswordCommand, secrets: &mut SecretReader) -> Result<()> {
    match command {
        AppPasswordCommand::Add { address, data, password_file, label, scopes } => {
            let address = parse_address(&address)?;
            let mut ctx = Context::open(&data.dir)?;
            let password = secrets.read(password_file.as_deref(), "Account password")?;
            let (id, secret) = ctx.accounts("cli").add_app_password(&address, password.as_bytes(), &label, &scopes)?;
            println!("app password {id} for {address} ({}), shown only this once:", scopes.join(", "));
            println!("  {}", &*secret);
        }
        AppPasswordCommand::List { address, data } => {
            let address = parse_address(&address)?;
            let mut ctx = Context::open(&data.dir)?;
            for app in ctx.accounts("cli").list_app_passwords(&address)? {
                println!("{}\t{}\t{}", app.id, app.scopes, app.label);
            }
        }
        AppPasswordCommand::Revoke { address, id, data } => {
            let address = parse_address(&address)?;
            let mut ctx = Context::open(&data.dir)?;
            ctx.accounts("cli").revoke_app_password(&address, id)?;
            println!("revoked app password {id} of {address}");
        }
    }
    Ok(())
}

/// The web's passkeys, for an admin helping an owner who lost the device (removal is
/// audited as `passkey.remove` by `cli`).
fn passkey(command: PasskeyCommand) -> Result<()> {
    let (address, data) = match &command {
        PasskeyCommand::List { address, data } | PasskeyCommand::Remove { address, data, .. } => (address, data),
    };
    let address = parse_address(address)?.to_string();
    let ctx = Context::open(&data.dir)?;
    let Some(account) = ctx.directory.account(&address)? else { bail!("no account {address}") };
    match command {
        PasskeyCommand::List { .. } => {
            for p in ctx.directory.passkeys(&account.id)? {
                println!("{}\t{}\t{}", p.id, p.created, p.name);
            }
        }
        PasskeyCommand::Remove { id, .. } => {
            let Some(name) = ctx.directory.remove_passkey(&account.id, id)? else { bail!("{address} has no passkey {id}") };
            ctx.directory.record(&sigillo_store::audit::Event {
                actor: "cli",
                action: "passkey.remove",
                target: &address,
                client_ip: "",
                details: serde_json::json!({ "id": id, "name": name }),
            })?;
            println!("removed passkey {id} ({name}) of {address}");
        }
    }
    Ok(())
}

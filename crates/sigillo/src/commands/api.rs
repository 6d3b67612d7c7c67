//! `sigillo api token create|list|revoke`: the bearer tokens of the JSON admin API.

use crate::cli::{ApiCommand, ApiTokenCommand};
use crate::context::Context;
use anyhow::Result;
use sigillo_store::api_tokens::ApiToken;

pub fn run(command: ApiCommand) -> Result<()> {
    let ApiCommand::Token(command) = command;
    match command {
        ApiTokenCommand::Create { data, role, name, expires_days } => {
            let ctx = Context::open(&data.dir)?;
            let (token, secret) = ctx.directory.create_api_token(&name, &role, expires_days)?;
            ctx.directory.audit("cli", "api.token_create", &format!("api:{name}"), &format!("id={} role={role}", token.id))?;
            println!("API token {} ({name}, {role}), shown only this once:", token.id);
            println!("  {}", &*secret);
            println!("Send it as `Authorization: Bearer TOKEN` to https://HOST/api/v1/");
        }
        ApiTokenCommand::List { data } => {
            let ctx = Context::open(&data.dir)?;
            for t in ctx.directory.list_api_tokens()? {
                println!("{}", line(&t));
            }
        }
        ApiTokenCommand::Revoke { data, id } => {
            let ctx = Context::open(&data.dir)?;
            let token = ctx.directory.revoke_api_token(id)?;
            ctx.directory.audit("cli", "api.token_revoke", &format!("api:{}", token.name), &format!("id={id}"))?;
            println!("revoked API token {id} ({})", token.name);
        }
    }
    Ok(())
}

fn line(t: &ApiToken) -> String {
    let when = |t: Option<i64>| t.map_or("-".to_string(), utc);
    let state = if t.revoked.is_some() {
        "revoked"
    } else if t.expires.is_some_and(|e| e <= sigillo_core::clock::unix_now()) {
        "expired"
    } else {
        "active"
    };
    format!(
        "{}\t{}\t{}\t{state}\tcreated {}\tlast used {}\texpires {}",
        t.id,
        t.name,
        t.role,
        utc(t.created),
        when(t.last_used),
        when(t.expires)
    )
}

fn utc(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

//! `sigillo alias add|list|remove`.

use crate::cli::AliasCommand;
use crate::context::{Context, parse_address};
use anyhow::Result;

pub fn run(command: AliasCommand) -> Result<()> {
    match command {
        AliasCommand::Add { alias, target, data } => {
            let (alias, target) = (parse_address(&alias)?, parse_address(&target)?);
            let ctx = Context::open(&data.dir)?;
            ctx.directory.add_alias(&alias.to_string(), &target.to_string())?;
            ctx.directory.audit("cli", "alias.add", &alias.to_string(), &target.to_string())?;
            println!("{alias} now delivers to {target}");
        }
        AliasCommand::List { data } => {
            let ctx = Context::open(&data.dir)?;
            for (alias, target) in ctx.directory.list_aliases()? {
                println!("{alias}\t{target}");
            }
        }
        AliasCommand::Remove { alias, data } => {
            let alias = parse_address(&alias)?;
            let ctx = Context::open(&data.dir)?;
            ctx.directory.remove_alias(&alias.to_string())?;
            ctx.directory.audit("cli", "alias.remove", &alias.to_string(), "")?;
            println!("removed alias {alias}");
        }
    }
    Ok(())
}

//! Software inventory: the exact dependency list this binary was built from (its
//! Cargo.lock, compiled in), and whether it was scanned against advisories.

use super::Outcome;
use crate::Target;
use serde_json::json;

const CARGO_LOCK: &str = include_str!("../../../../Cargo.lock");

/// Every (name, version) in the compiled-in Cargo.lock.
pub fn packages() -> Vec<(String, String)> {
    #[derive(serde::Deserialize)]
    struct Lock {
        package: Vec<Package>,
    }
    #[derive(serde::Deserialize)]
    struct Package {
        name: String,
        version: String,
    }
    toml::from_str::<Lock>(CARGO_LOCK).map(|l| l.package.into_iter().map(|p| (p.name, p.version)).collect()).unwrap_or_default()
}

pub fn software(_target: &Target) -> Outcome {
    let packages = packages();
    if packages.is_empty() {
        return Outcome::fail("the compiled-in dependency list is missing or unreadable", json!(null));
    }
    let list: Vec<String> = packages.iter().map(|(n, v)| format!("{n} {v}")).collect();
    Outcome::pass(format!("{} packages, versions pinned by Cargo.lock", packages.len()), json!({ "packages": list }))
}

/// Scans the compiled-in dependency list against the RustSec advisory database at
/// `[trust] advisory_db` (none is bundled, and the server fetches nothing by itself): until
/// one is configured this is reported as not checked.
pub fn vulnerabilities(target: &Target) -> Outcome {
    let Some(db) = &target.config.trust.advisory_db else {
        return Outcome::not_checked("no advisory database is configured ([trust] advisory_db), so the inventory was not scanned");
    };
    let packages = packages();
    match super::advisories::scan(db, &packages) {
        Err(e) => Outcome::fail(format!("cannot read the advisory database {}: {e}", db.display()), json!(null)),
        Ok(scan) if scan.affected.is_empty() => Outcome::pass(
            format!("{} packages scanned against {} advisories: none affected", packages.len(), scan.advisories),
            json!({ "database": db, "advisories": scan.advisories, "affected": [] }),
        ),
        Ok(scan) => {
            let names: Vec<String> = scan.affected.iter().map(|a| format!("{} {} ({})", a.package, a.version, a.id)).collect();
            Outcome::fail(
                format!("{} dependency version(s) with an advisory: {}", scan.affected.len(), names.join(", ")),
                json!({ "database": db, "advisories": scan.advisories, "affected": scan.affected }),
            )
        }
    }
}

//! The RustSec advisory database format (github.com/rustsec/advisory-db): one Markdown file
//! per advisory under `crates/<package>/`, opening with a fenced TOML block whose
//! `[versions]` table lists the `patched` and `unaffected` version requirements. A version
//! matching neither is affected.

use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Advisory files read per package at most, and bytes per file: the directory is the
/// operator's, but a check must stay bounded.
const MAX_FILES_PER_PACKAGE: usize = 500;
const MAX_FILE_BYTES: u64 = 256 * 1024;

#[derive(Debug, Serialize, PartialEq)]
pub struct Affected {
    pub package: String,
    pub version: String,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Default)]
pub struct Scan {
    /// Advisories read for the packages in the list.
    pub advisories: usize,
    pub affected: Vec<Affected>,
}

#[derive(Deserialize)]
struct Front {
    advisory: Advisory,
    #[serde(default)]
    versions: Versions,
}

#[derive(Deserialize)]
struct Advisory {
    id: String,
    #[serde(default)]
    withdrawn: Option<toml::Value>,
}

#[derive(Deserialize, Default)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Every (package, version) of `packages` that an advisory in `db` affects.
pub fn scan(db: &Path, packages: &[(String, String)]) -> Result<Scan, String> {
    let crates = db.join("crates");
    if !crates.is_dir() {
        return Err(format!("{} is not a RustSec advisory database (no crates/ directory)", db.display()));
    }
    let mut scan = Scan::default();
    for (name, version) in packages {
        let dir = crates.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let Ok(version) = Version::parse(version) else { continue };
        for entry in entries.flatten().take(MAX_FILES_PER_PACKAGE) {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "md") || entry.metadata().map(|m| m.len() > MAX_FILE_BYTES).unwrap_or(true) {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let (front, title) = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            if front.advisory.withdrawn.is_some() {
                continue;
            }
            scan.advisories += 1;
            if affects(&front.versions, &version)? {
                scan.affected.push(Affected { package: name.clone(), version: version.to_string(), id: front.advisory.id, title });
            }
        }
    }
    Ok(scan)
}

/// The TOML front matter (between "```toml" and "```") and the first Markdown heading.
fn parse(text: &str) -> Result<(Front, String), String> {
    let start = text.find("```toml").ok_or("no ```toml front matter")? + "```toml".len();
    let end = text[start..].find("```").ok_or("unterminated front matter")? + start;
    let front: Front = toml::from_str(&text[start..end]).map_err(|e| e.to_string())?;
    let title = text[end..].lines().find_map(|l| l.strip_prefix("# ")).unwrap_or("").trim().to_string();
    Ok((front, title))
}

fn affects(versions: &Versions, version: &Version) -> Result<bool, String> {
    for req in versions.patched.iter().chain(&versions.unaffected) {
        let req = VersionReq::parse(req).map_err(|e| format!("version requirement {req:?}: {e}"))?;
        if req.matches(version) {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(dir: &Path, package: &str, id: &str, versions: &str) {
        let d = dir.join("crates").join(package);
        std::fs::create_dir_all(&d).unwrap();
        let text = format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{package}\"\n\n[versions]\n{versions}\n```\n\n# Something bad in {package}\n"
        );
        std::fs::write(d.join(format!("{id}.md")), text).unwrap();
    }

    #[test]
    fn versions_outside_patched_and_unaffected_are_affected() {
        let db = tempfile::tempdir().unwrap();
        advisory(db.path(), "foo", "RUSTSEC-2026-0001", "patched = [\">= 1.2.3\"]\nunaffected = [\"< 1.0.0\"]");
        advisory(db.path(), "bar", "RUSTSEC-2026-0002", "patched = [\">= 0.5.0\"]");
        let packages = |foo: &str| vec![("foo".to_string(), foo.to_string()), ("bar".to_string(), "0.5.1".to_string())];
        let scan = scan(db.path(), &packages("1.2.0")).unwrap();
        assert_eq!(scan.advisories, 2);
        assert_eq!(
            scan.affected,
            vec![Affected {
                package: "foo".into(),
                version: "1.2.0".into(),
                id: "RUSTSEC-2026-0001".into(),
                title: "Something bad in foo".into()
            }]
        );
        assert!(super::scan(db.path(), &packages("1.2.3")).unwrap().affected.is_empty(), "patched");
        assert!(super::scan(db.path(), &packages("0.9.0")).unwrap().affected.is_empty(), "unaffected");
    }

    #[test]
    fn a_directory_that_is_not_a_database_is_an_error() {
        let db = tempfile::tempdir().unwrap();
        assert!(scan(db.path(), &[]).unwrap_err().contains("not a RustSec advisory database"));
        advisory(db.path(), "foo", "RUSTSEC-2026-0003", "patched = [\"not a version\"]");
        assert!(scan(db.path(), &[("foo".into(), "1.0.0".into())]).unwrap_err().contains("version requirement"));
    }
}

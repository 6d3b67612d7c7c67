//! Supply chain: the operator declares every subprocessor (`[trust] subprocessors`) with
//! what it does and where, and /trust publishes the list.

use super::Outcome;
use crate::Target;
use serde_json::json;

pub fn subprocessors(target: &Target) -> Outcome {
    let Some(list) = &target.config.trust.subprocessors else {
        return Outcome::not_checked("no [trust] subprocessors declared in sigillo.toml (an empty list declares none)");
    };
    let mut problems = Vec::new();
    for (i, s) in list.iter().enumerate() {
        for (field, value) in [("name", &s.name), ("purpose", &s.purpose), ("location", &s.location)] {
            if value.trim().is_empty() {
                problems.push(format!("subprocessor {} has no {field}", i + 1));
            }
        }
        if s.url.as_ref().is_some_and(|u| !u.starts_with("https://")) {
            problems.push(format!("subprocessor {:?}: its url is not https://", s.name));
        }
    }
    let evidence = json!({
        "subprocessors": list.iter().map(|s| json!({ "name": s.name, "purpose": s.purpose, "location": s.location, "url": s.url })).collect::<Vec<_>>(),
        "problems": problems,
    });
    if problems.is_empty() {
        Outcome::pass(format!("{} subprocessor(s) declared, each with purpose and location; published on /trust", list.len()), evidence)
    } else {
        Outcome::fail(problems.join("; "), evidence)
    }
}

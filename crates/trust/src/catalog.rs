//! NIST CSF 2.0 as NIST publishes it in OSCAL (`data/NIST_CSF_v2.0_catalog.json`, public
//! domain; see `data/CSF-SOURCE.md`), with the CSF 1.1 ids people still quote.
//!
//! The catalog keeps every CSF 1.1 subcategory: 79 as withdrawn items whose links say
//! where they went (`incorporated_into`, `moved_to`), 29 reused unchanged as CSF 2.0 ids.
//! Nothing in the file marks the 29, so they are listed here (from CSF 1.1 itself).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const CATALOG_JSON: &str = include_str!("../data/NIST_CSF_v2.0_catalog.json");

/// CSF 1.1 subcategories that kept their id in CSF 2.0.
pub const CSF11_REUSED: [&str; 29] = [
    "ID.AM-01", "ID.AM-02", "ID.AM-03", "ID.AM-04", "ID.AM-05", "ID.RA-01", "ID.RA-02", "ID.RA-03", "ID.RA-04", "ID.RA-05", "ID.RA-06",
    "PR.AT-01", "PR.AT-02", "PR.DS-01", "PR.DS-02", "DE.AE-02", "DE.AE-03", "DE.AE-04", "DE.CM-01", "DE.CM-02", "DE.CM-03", "DE.CM-06",
    "RS.CO-02", "RS.CO-03", "RS.AN-03", "RS.MI-01", "RS.MI-02", "RC.RP-01", "RC.CO-03",
];

#[derive(Debug, Clone)]
pub struct Function {
    pub id: String,
    pub title: String,
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub title: String,
    pub statement: String,
    /// CSF 1.1 subcategories NIST mapped to this whole category (e.g. DE.DP-02 → DE.AE).
    pub csf11: Vec<String>,
    pub subcategories: Vec<Subcategory>,
}

#[derive(Debug, Clone)]
pub struct Subcategory {
    pub id: String,
    pub statement: String,
    /// CSF 1.1 ids whose content lives here now (including this id if it is one of them).
    pub csf11: Vec<String>,
}

#[derive(Debug)]
pub struct Catalog {
    pub functions: Vec<Function>,
    /// Every CSF 1.1 subcategory id → the CSF 2.0 subcategories (or, for a few, whole
    /// categories) it maps to.
    pub csf11_to_20: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct Root {
    catalog: RawCatalog,
}
#[derive(Deserialize)]
struct RawCatalog {
    groups: Vec<RawControl>,
}
#[derive(Deserialize)]
struct RawControl {
    id: String,
    #[serde(default)]
    class: String,
    title: String,
    #[serde(default)]
    props: Vec<RawProp>,
    #[serde(default)]
    parts: Vec<RawPart>,
    #[serde(default)]
    links: Vec<RawLink>,
    #[serde(default)]
    controls: Vec<RawControl>,
}
#[derive(Deserialize)]
struct RawProp {
    name: String,
    value: String,
}
#[derive(Deserialize)]
struct RawPart {
    name: String,
    #[serde(default)]
    prose: String,
}
#[derive(Deserialize)]
struct RawLink {
    href: String,
    rel: String,
}

impl RawControl {
    fn withdrawn(&self) -> bool {
        self.props.iter().any(|p| p.name == "status" && p.value == "withdrawn")
    }
    fn statement(&self) -> String {
        self.parts.iter().find(|p| p.name == "statement").map(|p| p.prose.clone()).unwrap_or_default()
    }
}

/// The catalog compiled into the binary (parsed once).
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| parse(CATALOG_JSON).unwrap_or_else(|e| panic!("the embedded CSF catalog does not parse: {e}")))
}

fn parse(json: &str) -> Result<Catalog, serde_json::Error> {
    let root: Root = serde_json::from_str(json)?;
    let mut csf11_to_20: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in CSF11_REUSED {
        csf11_to_20.entry(id.to_string()).or_default().push(id.to_string());
    }
    // Withdrawn CSF 1.1 subcategories and where their content went.
    for group in &root.catalog.groups {
        for category in &group.controls {
            for sub in &category.controls {
                if sub.class == "subcategory" && sub.withdrawn() {
                    let targets = sub
                        .links
                        .iter()
                        .filter(|l| l.rel == "incorporated_into" || l.rel == "moved_to")
                        .map(|l| l.href.trim_start_matches('#').to_string());
                    csf11_to_20.entry(sub.id.clone()).or_default().extend(targets);
                }
            }
        }
    }
    let mut functions = Vec::new();
    for group in root.catalog.groups {
        let mut categories = Vec::new();
        for category in group.controls.iter().filter(|c| c.class == "category" && !c.withdrawn()) {
            let subcategories = category
                .controls
                .iter()
                .filter(|s| s.class == "subcategory" && !s.withdrawn())
                .map(|s| Subcategory {
                    id: s.id.clone(),
                    statement: s.statement(),
                    csf11: csf11_to_20.iter().filter(|(_, to)| to.contains(&s.id)).map(|(from, _)| from.clone()).collect(),
                })
                .collect();
            let csf11 = csf11_to_20.iter().filter(|(_, to)| to.contains(&category.id)).map(|(from, _)| from.clone()).collect();
            categories.push(Category {
                id: category.id.clone(),
                title: category.title.clone(),
                statement: category.statement(),
                csf11,
                subcategories,
            });
        }
        categories.sort_by(|a, b| a.id.cmp(&b.id));
        functions.push(Function { id: group.id, title: group.title, categories });
    }
    Ok(Catalog { functions, csf11_to_20 })
}

impl Catalog {
    pub fn subcategories(&self) -> impl Iterator<Item = (&Function, &Category, &Subcategory)> {
        self.functions.iter().flat_map(|f| f.categories.iter().flat_map(move |c| c.subcategories.iter().map(move |s| (f, c, s))))
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.functions.iter().flat_map(|f| f.categories.iter()).find(|c| c.id == id)
    }

    pub fn subcategory(&self, id: &str) -> Option<&Subcategory> {
        self.subcategories().map(|(_, _, s)| s).find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_csf_2_0_and_every_csf_1_1_id_has_a_home() {
        let c = catalog();
        assert_eq!(c.functions.len(), 6);
        assert_eq!(c.functions.iter().map(|f| f.categories.len()).sum::<usize>(), 22);
        assert_eq!(c.subcategories().count(), 106);
        assert_eq!(c.csf11_to_20.len(), 108, "all CSF 1.1 subcategories");
        assert!(c.csf11_to_20.keys().any(|k| k.starts_with("ID.SC-")));
        for (old, new) in &c.csf11_to_20 {
            for id in new {
                assert!(c.subcategory(id).is_some() || c.category(id).is_some(), "{old} -> {id}, which is not in CSF 2.0");
            }
        }
        let pr_aa_01 = c.subcategory("PR.AA-01").unwrap();
        assert!(pr_aa_01.csf11.contains(&"PR.AC-01".to_string()), "{:?}", pr_aa_01.csf11);
        // PR.DS-01 kept its id and took in 1.1's PR.DS-05/06 and PR.PT-02.
        assert_eq!(c.subcategory("PR.DS-01").unwrap().csf11, ["PR.DS-01", "PR.DS-05", "PR.DS-06", "PR.PT-02"]);
        assert!(c.category("DE.AE").unwrap().csf11.contains(&"DE.DP-02".to_string()));
        // Every 1.1 id is shown somewhere: on a subcategory or on a category.
        let shown: std::collections::BTreeSet<&String> = c
            .functions
            .iter()
            .flat_map(|f| f.categories.iter())
            .flat_map(|cat| cat.csf11.iter().chain(cat.subcategories.iter().flat_map(|s| s.csf11.iter())))
            .collect();
        assert_eq!(shown.len(), 108);
    }
}

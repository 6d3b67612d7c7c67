//! The pages' languages: English, Italian, Arabic (right-to-left) and Norwegian Bokmål,
//! with Project Fluent messages from `locales/{en,it,ar,nb}/*.ftl`, embedded at compile time.
//!
//! Use from any page handler:
//!
//! ```ignore
//! async fn page(headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
//!     let tr = Locale::negotiate(&headers, query.as_deref()).tr();
//!     let title = tr.t("trust-title");                           // plain text
//!     let line = tr.h_args("control-title", &[("id", "PR.DS-01")]); // HTML, args in <bdi>
//!     let count = tr.h_count("controls-count", 103, &[]);        // CLDR plural category
//!     html::page_localized(&tr, "/trust", &title, host, &body)
//! }
//! ```
//!
//! The language comes from `?lang=` when present (the switcher on every page), else from
//! `Accept-Language` (RFC 9110 §12.5.4, q-values honoured), else English. A message missing
//! in a language falls back to English (and the tests fail, see `tests` below), then to its key.
//! Plural categories are computed by [`crate::plural`] and passed as `$plural`, because
//! Fluent's built-in Arabic rules are wrong for numbers such as 103 and 111.

use crate::html::escape;
use axum::http::HeaderMap;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    It,
    Ar,
    Nb,
}

/// Every locale file, embedded. `csf.ftl` holds the CSF catalog's titles and statements;
/// English has none because English reads them from NIST's catalog itself.
const FILES: &[(Locale, &str, &str)] = &[
    (Locale::En, "ui.ftl", include_str!("../locales/en/ui.ftl")),
    (Locale::En, "status.ftl", include_str!("../locales/en/status.ftl")),
    (Locale::En, "account.ftl", include_str!("../locales/en/account.ftl")),
    (Locale::En, "admin.ftl", include_str!("../locales/en/admin.ftl")),
    (Locale::En, "verify.ftl", include_str!("../locales/en/verify.ftl")),
    (Locale::It, "ui.ftl", include_str!("../locales/it/ui.ftl")),
    (Locale::It, "status.ftl", include_str!("../locales/it/status.ftl")),
    (Locale::It, "csf.ftl", include_str!("../locales/it/csf.ftl")),
    (Locale::It, "account.ftl", include_str!("../locales/it/account.ftl")),
    (Locale::It, "admin.ftl", include_str!("../locales/it/admin.ftl")),
    (Locale::It, "verify.ftl", include_str!("../locales/it/verify.ftl")),
    (Locale::Ar, "ui.ftl", include_str!("../locales/ar/ui.ftl")),
    (Locale::Ar, "status.ftl", include_str!("../locales/ar/status.ftl")),
    (Locale::Ar, "csf.ftl", include_str!("../locales/ar/csf.ftl")),
    (Locale::Ar, "account.ftl", include_str!("../locales/ar/account.ftl")),
    (Locale::Ar, "admin.ftl", include_str!("../locales/ar/admin.ftl")),
    (Locale::Ar, "verify.ftl", include_str!("../locales/ar/verify.ftl")),
    (Locale::Nb, "ui.ftl", include_str!("../locales/nb/ui.ftl")),
    (Locale::Nb, "status.ftl", include_str!("../locales/nb/status.ftl")),
    (Locale::Nb, "csf.ftl", include_str!("../locales/nb/csf.ftl")),
    (Locale::Nb, "account.ftl", include_str!("../locales/nb/account.ftl")),
    (Locale::Nb, "admin.ftl", include_str!("../locales/nb/admin.ftl")),
    (Locale::Nb, "verify.ftl", include_str!("../locales/nb/verify.ftl")),
];

/// Longest `Accept-Language` we read, and most entries we consider.
const MAX_ACCEPT_LANGUAGE: usize = 1024;
const MAX_LANGUAGE_RANGES: usize = 32;

impl Locale {
    pub const ALL: [Locale; 4] = [Locale::En, Locale::It, Locale::Ar, Locale::Nb];

    /// The BCP 47 tag, for `<html lang>`, `hreflang` and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::It => "it",
            Locale::Ar => "ar",
            Locale::Nb => "nb",
        }
    }

    /// Text direction, for `<html dir>`.
    pub fn dir(self) -> &'static str {
        if self == Locale::Ar { "rtl" } else { "ltr" }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::It => "Italiano",
            Locale::Ar => "العربية",
            Locale::Nb => "Norsk bokmål",
        }
    }

    /// A language tag (`it`, `it-CH`, `NB-no`) to a locale we speak. Norwegian without a
    /// written standard (`no`) and Nynorsk (`nn`) get Bokmål: closer than English.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "it" => Some(Locale::It),
            "ar" => Some(Locale::Ar),
            "nb" | "no" | "nn" => Some(Locale::Nb),
            _ => None,
        }
    }

    /// RFC 9110 §12.5.4: the acceptable language with the highest q-value that we speak
    /// (ties keep the header's order; `q=0` means "not this one"); English otherwise.
    pub fn from_accept_language(header: &str) -> Locale {
        let header = header.get(..MAX_ACCEPT_LANGUAGE).unwrap_or(header);
        let mut ranked: Vec<(u16, usize, Locale)> = Vec::new();
        for (position, item) in header.split(',').take(MAX_LANGUAGE_RANGES).enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let mut q = 1000u16;
            for param in parts {
                if let Some(value) = param.trim().strip_prefix("q=").or_else(|| param.trim().strip_prefix("Q=")) {
                    q = parse_qvalue(value).unwrap_or(0);
                }
            }
            let locale = if tag == "*" { Some(Locale::En) } else { Locale::from_tag(tag) };
            if let Some(locale) = locale.filter(|_| q > 0) {
                ranked.push((q, position, locale));
            }
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2).unwrap_or(Locale::En)
    }

    /// The locale of one request: `?lang=` (from the raw query string) wins, then
    /// `Accept-Language`, then English.
    pub fn negotiate(headers: &HeaderMap, query: Option<&str>) -> Locale {
        Self::from_query(query)
            .or_else(|| headers.get("accept-language").and_then(|v| v.to_str().ok()).map(Locale::from_accept_language))
            .unwrap_or(Locale::En)
    }

    /// `lang=xx` in a raw query string, if it names a language we speak.
    pub fn from_query(query: Option<&str>) -> Option<Locale> {
        query?.split('&').filter_map(|pair| pair.strip_prefix("lang=")).find_map(Locale::from_tag)
    }

    /// The translator for this locale. `explicit` links carry `?lang=` on to other pages.
    pub fn tr(self) -> Tr {
        Tr { locale: self, explicit: false }
    }
}

/// Any handler can take the reader's translator as an argument (`tr: Tr`), chosen exactly
/// as [`Tr::for_request`] does for the trust pages.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Tr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Tr::for_request(&parts.headers, parts.uri.query()))
    }
}

/// RFC 9110 §12.4.2 qvalue: `0`, `1`, `0.xyz`, `1.000`, in thousandths.
fn parse_qvalue(value: &str) -> Option<u16> {
    let value = value.trim();
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

fn bundles() -> &'static [(Locale, FluentBundle<FluentResource>)] {
    static BUNDLES: OnceLock<Vec<(Locale, FluentBundle<FluentResource>)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        Locale::ALL
            .iter()
            .map(|&locale| {
                let langid: unic_langid::LanguageIdentifier = locale.code().parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![langid]);
                // The pages isolate arguments with <bdi> themselves (see `Tr::h_args`).
                bundle.set_use_isolating(false);
                for (_, name, source) in FILES.iter().filter(|(l, _, _)| *l == locale) {
                    // The files are ours and embedded; a syntax error is caught by the tests.
                    let resource = FluentResource::try_new((*source).to_string()).unwrap_or_else(|(resource, errors)| {
                        tracing::error!(locale = locale.code(), file = name, ?errors, "locale file has syntax errors");
                        resource
                    });
                    if let Err(errors) = bundle.add_resource(resource) {
                        tracing::error!(locale = locale.code(), file = name, ?errors, "duplicate messages in locale file");
                    }
                }
                (locale, bundle)
            })
            .collect()
    })
}

fn bundle(locale: Locale) -> Option<&'static FluentBundle<FluentResource>> {
    bundles().iter().find(|(l, _)| *l == locale).map(|(_, b)| b)
}

/// Private-use characters that stand for an argument while a message is escaped.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// A translator bound to one locale.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub locale: Locale,
    /// The reader picked this language with `?lang=`: internal links keep it.
    pub explicit: bool,
}

impl Tr {
    /// Sets whether internal links carry `?lang=` (true when the reader chose it).
    pub fn with_explicit(mut self, explicit: bool) -> Self {
        self.explicit = explicit;
        self
    }

    /// For a request: the negotiated locale, explicit when `?lang=` chose it.
    pub fn for_request(headers: &HeaderMap, query: Option<&str>) -> Tr {
        Locale::negotiate(headers, query).tr().with_explicit(Locale::from_query(query).is_some())
    }

    pub fn has(&self, key: &str) -> bool {
        bundle(self.locale).is_some_and(|b| b.has_message(key))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        for locale in [self.locale, Locale::En] {
            let Some(bundle) = bundle(locale) else { continue };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else { continue };
            if locale != self.locale {
                tracing::warn!(key, locale = self.locale.code(), "untranslated message; using English");
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, locale = locale.code(), ?errors, "message formatted with errors");
            }
            return text.into_owned();
        }
        tracing::warn!(key, "no such message in any locale");
        key.to_string()
    }

    /// A message as plain text (escape it before putting it into HTML, or use [`Tr::h`]).
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// A message with string arguments, as plain text.
    pub fn t_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, (*value).to_string());
        }
        self.format(key, Some(&fluent))
    }

    /// A message with a count: `$count` is the number and `$plural` its CLDR category.
    pub fn t_count(&self, key: &str, count: u64, args: &[(&str, &str)]) -> String {
        let count = count.to_string();
        let plural = self.plural(count.parse().unwrap_or(0));
        let mut all = vec![("count", count.as_str()), ("plural", plural)];
        all.extend_from_slice(args);
        self.t_args(key, &all)
    }

    /// A message, HTML-escaped.
    pub fn h(&self, key: &str) -> String {
        escape(&self.t(key))
    }

    /// A message as HTML: the text escaped, each argument escaped and isolated in `<bdi>`
    /// (ids, hostnames, numbers keep their own direction inside Arabic text).
    pub fn h_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let marks: Vec<String> = (0..args.len()).map(|i| format!("{MARK_OPEN}{i}{MARK_CLOSE}")).collect();
        let marked: Vec<(&str, &str)> = args.iter().zip(&marks).map(|((name, _), mark)| (*name, mark.as_str())).collect();
        let mut html = escape(&self.t_args(key, &marked));
        for (i, (name, value)) in args.iter().enumerate() {
            // `$plural` selects a variant and is never shown; everything else is isolated.
            let shown = if *name == "plural" { escape(value) } else { format!("<bdi>{}</bdi>", escape(value)) };
            html = html.replace(&marks[i], &shown);
        }
        html
    }

    /// [`Tr::t_count`] as HTML, with the number and arguments in `<bdi>`.
    pub fn h_count(&self, key: &str, count: u64, args: &[(&str, &str)]) -> String {
        let count = count.to_string();
        let plural = self.plural(count.parse().unwrap_or(0));
        let mut all = vec![("count", count.as_str()), ("plural", plural)];
        all.extend_from_slice(args);
        self.h_args(key, &all)
    }

    /// The CLDR plural category of `n` in this locale.
    pub fn plural(&self, n: u64) -> &'static str {
        crate::plural::category(self.locale, n)
    }

    /// An internal link, carrying `?lang=` when the reader chose the language.
    pub fn link(&self, path: &str) -> String {
        if !self.explicit {
            return path.to_string();
        }
        let (path, fragment) = path.split_once('#').map(|(p, f)| (p, format!("#{f}"))).unwrap_or((path, String::new()));
        let join = if path.contains('?') { '&' } else { '?' };
        format!("{path}{join}lang={}{fragment}", self.locale.code())
    }

    /// The title of a CSF 2.0 function or category (`GV`, `PR.DS`) in this language;
    /// English is NIST's own text from the catalog.
    pub fn csf_title(&self, id: &str) -> String {
        let catalog = sigillo_trust::catalog::catalog();
        let english = catalog
            .functions
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.title.clone())
            .or_else(|| catalog.category(id).map(|c| c.title.clone()))
            .unwrap_or_else(|| id.to_string());
        self.csf_text(id, english)
    }

    /// The statement of a CSF 2.0 subcategory (`PR.DS-01`) in this language.
    pub fn csf_statement(&self, id: &str) -> String {
        let english = sigillo_trust::catalog::catalog().subcategory(id).map(|s| s.statement.clone()).unwrap_or_else(|| id.to_string());
        self.csf_text(id, english)
    }

    fn csf_text(&self, id: &str, english: String) -> String {
        let key = csf_key(id);
        if self.locale == Locale::En || !self.has(&key) {
            if self.locale != Locale::En {
                tracing::warn!(id, locale = self.locale.code(), "untranslated CSF text; using English");
            }
            return english;
        }
        self.t(&key)
    }
}

/// The Fluent id of a CSF element: `PR.DS-01` → `csf-pr-ds-01`.
pub fn csf_key(id: &str) -> String {
    format!("csf-{}", id.to_ascii_lowercase().replace('.', "-"))
}

/// The Fluent id of a check's title: `storage.encrypted-at-rest` → `check-storage-encrypted-at-rest`.
pub fn check_key(id: &str) -> String {
    format!("check-{}", id.replace('.', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(locale: Locale, file: &str) -> BTreeSet<String> {
        let (_, _, source) = FILES.iter().find(|(l, f, _)| *l == locale && *f == file).unwrap();
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, e)| panic!("{locale:?} {file}: {e:?}"));
        // A message starts a line with its id and ` =` (terms start with '-', comments '#').
        source
            .lines()
            .filter_map(|line| line.split_once(" =").map(|(id, _)| id))
            .filter(|id| {
                id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_locale_file_parses_and_has_exactly_the_english_keys() {
        // Every English file (a page's new `locales/en/<page>.ftl` is picked up from `FILES`).
        for file in FILES.iter().filter(|(l, _, _)| *l == Locale::En).map(|(_, f, _)| *f) {
            let english = keys(Locale::En, file);
            assert!(english.len() > 10, "{file}");
            for locale in [Locale::It, Locale::Ar, Locale::Nb] {
                let theirs = keys(locale, file);
                let missing: Vec<_> = english.difference(&theirs).collect();
                let extra: Vec<_> = theirs.difference(&english).collect();
                assert!(missing.is_empty(), "{locale:?} {file} lacks {missing:?}");
                assert!(extra.is_empty(), "{locale:?} {file} has keys English lacks: {extra:?}");
            }
        }
    }

    /// Every function, category and subcategory of the catalog, translated.
    #[test]
    fn every_csf_title_and_statement_is_translated() {
        let catalog = sigillo_trust::catalog::catalog();
        let mut ids: Vec<&str> = Vec::new();
        for f in &catalog.functions {
            ids.push(&f.id);
            for c in &f.categories {
                ids.push(&c.id);
                ids.extend(c.subcategories.iter().map(|s| s.id.as_str()));
            }
        }
        assert_eq!(ids.len(), 6 + 22 + 106);
        let wanted: BTreeSet<String> = ids.iter().map(|id| csf_key(id)).collect();
        for locale in [Locale::It, Locale::Ar, Locale::Nb] {
            let theirs = keys(locale, "csf.ftl");
            let missing: Vec<_> = wanted.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&wanted).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{locale:?}: missing {missing:?}, unknown {extra:?}");
            let tr = locale.tr();
            for id in &ids {
                let english = Locale::En.tr();
                let (mine, theirs) = if id.contains('-') {
                    (tr.csf_statement(id), english.csf_statement(id))
                } else {
                    (tr.csf_title(id), english.csf_title(id))
                };
                assert_ne!(mine, theirs, "{locale:?} {id} is still English");
            }
        }
    }

    /// Every literal key a page uses (`t("…")`, `h_args("…"`, …) exists in English (and so,
    /// by the test above, everywhere). Keys built at run time (statuses, verdicts, checks,
    /// components) are checked by `dynamic_keys_exist`.
    #[test]
    fn every_key_used_by_a_page_exists() {
        let english: BTreeSet<String> =
            FILES.iter().filter(|(l, _, _)| *l == Locale::En).flat_map(|(_, f, _)| keys(Locale::En, f)).collect();
        let sources = [
            ("html.rs", include_str!("html.rs")),
            ("trust.rs", include_str!("trust.rs")),
            ("status.rs", include_str!("status.rs")),
            ("verify.rs", include_str!("verify.rs")),
        ];
        let mut used = 0;
        for (file, source) in sources {
            for call in ["t(\"", "h(\"", "t_args(\"", "h_args(\"", "t_count(\"", "h_count(\""] {
                for rest in source.split(&format!(".{call}")).skip(1) {
                    let key = rest.split('"').next().unwrap_or_default();
                    used += 1;
                    assert!(english.contains(key), "{file} uses {key:?}, which en/*.ftl lacks");
                }
            }
        }
        assert!(used > 40, "found only {used} uses: is the scan broken?");
    }

    /// The account and admin pages name their messages by the constants in `text.rs`: each
    /// constant must be an id of the page's English file (so, by the test above, of every
    /// language), and each id of those files must be used by a constant.
    #[test]
    fn every_text_constant_is_a_message_of_its_catalogue() {
        for (source, file) in [(include_str!("account/text.rs"), "account.ftl"), (include_str!("admin/text.rs"), "admin.ftl")] {
            let english = keys(Locale::En, file);
            let constants: BTreeSet<String> = source
                .lines()
                .filter(|l| l.trim_start().starts_with("pub const "))
                .map(|l| l.split('"').nth(1).unwrap_or_else(|| panic!("{file}: a constant without a literal: {l}")).to_string())
                .collect();
            assert!(constants.len() > 40, "{file}: only {} constants", constants.len());
            let missing: Vec<_> = constants.difference(&english).collect();
            assert!(
                missing.is_empty(),
                "text.rs constants that en/{file} lacks (move their English text there and translate it): {missing:?}"
            );
            let unused: Vec<_> = english.difference(&constants).collect();
            assert!(unused.is_empty(), "en/{file} ids without a constant in text.rs: {unused:?}");
        }
    }

    /// Every message of the account, admin and verify catalogues formats in every language
    /// without a Fluent error (an unknown variable, a broken selector).
    #[test]
    fn account_admin_verify_messages_format_cleanly() {
        let mut args = FluentArgs::new();
        for name in ["address", "account", "host", "link", "file", "ext", "command", "token", "openssl", "reason", "error", "parts"] {
            args.set(name, "x");
        }
        args.set("count", "3");
        for locale in Locale::ALL {
            let bundle = bundle(locale).unwrap();
            for file in ["account.ftl", "admin.ftl", "verify.ftl"] {
                for key in keys(Locale::En, file) {
                    for plural in ["zero", "one", "two", "few", "many", "other"] {
                        args.set("plural", plural);
                        let pattern = bundle.get_message(&key).and_then(|m| m.value()).unwrap_or_else(|| panic!("{locale:?} {key}"));
                        let mut errors = Vec::new();
                        let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                        assert!(errors.is_empty() && !text.trim().is_empty(), "{locale:?} {key}: {errors:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn dynamic_keys_exist() {
        use sigillo_trust::checks::{CHECKS, Verdict};
        use sigillo_trust::status::Status;
        let statuses = [
            Status::Implemented,
            Status::Partial,
            Status::Failing,
            Status::Attested,
            Status::Expired,
            Status::NotApplicable,
            Status::Planned,
        ];
        for locale in Locale::ALL {
            let tr = locale.tr();
            for s in statuses {
                assert!(tr.has(&format!("status-{}", s.as_str())), "{locale:?} status-{}", s.as_str());
            }
            for v in [Verdict::Pass, Verdict::Fail, Verdict::NotChecked] {
                assert!(tr.has(&format!("verdict-{}", v.as_str())), "{locale:?} verdict-{}", v.as_str());
            }
            for c in CHECKS {
                assert!(tr.has(&check_key(c.id)), "{locale:?} {}", check_key(c.id));
            }
            for c in sigillo_trust::health::COMPONENTS {
                assert!(tr.has(&format!("component-{c}")), "{locale:?} component-{c}");
            }
            for s in sigillo_trust::health::incidents::SEVERITIES {
                assert!(tr.has(&format!("severity-{s}")), "{locale:?} severity-{s}");
            }
            for s in sigillo_trust::health::incidents::STATES {
                assert!(tr.has(&format!("incident-state-{s}")), "{locale:?} incident-state-{s}");
            }
        }
    }

    #[test]
    fn accept_language_honours_q_values() {
        assert_eq!(Locale::from_accept_language("ar"), Locale::Ar);
        assert_eq!(Locale::from_accept_language("fr-FR, it;q=0.8, en;q=0.5"), Locale::It);
        assert_eq!(Locale::from_accept_language("en;q=0.4, nb-NO;q=0.9"), Locale::Nb);
        assert_eq!(Locale::from_accept_language("no"), Locale::Nb);
        assert_eq!(Locale::from_accept_language("it;q=0, ar;q=0.1"), Locale::Ar);
        assert_eq!(Locale::from_accept_language("de, fr"), Locale::En);
        assert_eq!(Locale::from_accept_language("it;q=2, ar;q=0.5"), Locale::Ar, "q=2 is invalid, treated as 0");
        assert_eq!(Locale::from_accept_language(""), Locale::En);
        assert_eq!(Locale::from_accept_language(&"x,".repeat(5000)), Locale::En);
        let mut headers = HeaderMap::new();
        headers.insert("accept-language", "ar-EG,ar;q=0.9".parse().unwrap());
        assert_eq!(Locale::negotiate(&headers, None), Locale::Ar);
        assert_eq!(Locale::negotiate(&headers, Some("lang=it")), Locale::It);
        assert_eq!(Locale::negotiate(&headers, Some("x=1&lang=zz")), Locale::Ar, "unknown lang: the header decides");
    }

    #[test]
    fn html_arguments_are_escaped_and_isolated() {
        let tr = Locale::Ar.tr();
        let html = tr.h_args("control-title", &[("id", "<PR.DS-01>")]);
        assert!(html.contains("<bdi>&lt;PR.DS-01&gt;</bdi>"), "{html}");
        assert!(!html.contains('\u{E000}'));
        assert_eq!(Locale::It.tr().with_explicit(true).link("/trust/controls/PR.DS-01#x"), "/trust/controls/PR.DS-01?lang=it#x");
        assert_eq!(Locale::It.tr().link("/trust"), "/trust");
    }
}

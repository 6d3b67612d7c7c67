//! HTML escaping and the frame every page shares (landmarks: header, nav, main, footer).

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"), // valid in HTML5 and in XML (autoconfig)
            c => out.push(c),
        }
    }
    out
}

/// A whole page; `body` is already escaped HTML.
pub fn page(title: &str, hostname: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/static/sigillo.css\"></head>\n<body>\
         <header><p class=\"muted\"><bdi>{host}</bdi></p><h1>{title}</h1>\
         <nav aria-label=\"Trust center\"><a href=\"/trust\">Controls</a><a href=\"/trust.json\">JSON</a>\
         <a href=\"/trust/oscal/assessment-results.json\">OSCAL</a>\
         <a href=\"/.well-known/security.txt\">security.txt</a></nav></header>\n<main>{body}</main>\n\
         <footer class=\"muted\">NIST Cybersecurity Framework 2.0. Every status is computed from live checks of this server or from a dated attestation.</footer>\
         </body></html>\n",
        title = escape(title),
        host = escape(hostname),
    )
}

/// The trust center's navigation: (link, message id of its label).
pub const TRUST_NAV: &[(&str, &str)] = &[
    ("/trust", "nav-controls"),
    ("/status", "nav-status"),
    ("/trust.json", "nav-json"),
    ("/trust/oscal/assessment-results.json", "nav-oscal"),
];

/// A whole page in the reader's language with the trust center's navigation (see
/// [`page_with_nav`]).
pub fn page_localized(tr: &crate::i18n::Tr, path: &str, title: &str, hostname: &str, body: &str) -> String {
    page_with_nav(tr, path, title, hostname, TRUST_NAV, body)
}

/// A whole page in the reader's language: `<html lang dir>`, a navigation of `nav` links
/// (labels are message ids), a language switcher (plain links to `path?lang=xx`, no
/// script), translated footer. `title` is plain text; `body` is already escaped HTML.
pub fn page_with_nav(tr: &crate::i18n::Tr, path: &str, title: &str, hostname: &str, nav: &[(&str, &str)], body: &str) -> String {
    let nav: String = nav
        .iter()
        .map(|(href, key)| format!("<a href=\"{}\">{}</a>", escape(&tr.link(href)), tr.h(key)))
        .chain(std::iter::once("<a href=\"/.well-known/security.txt\">security.txt</a>".to_string()))
        .collect();
    let switcher: String = crate::i18n::Locale::ALL
        .iter()
        .map(|l| {
            let current = if *l == tr.locale { " aria-current=\"true\"" } else { "" };
            format!(
                "<a href=\"{path}?lang={code}\" hreflang=\"{code}\" lang=\"{code}\" dir=\"{dir}\"{current}>{name}</a>",
                path = escape(path),
                code = l.code(),
                dir = l.dir(),
                name = escape(l.native_name())
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/static/sigillo.css\"></head>\n<body>\
         <header><p class=\"muted\"><bdi>{host}</bdi></p><h1>{title}</h1>\
         <nav aria-label=\"{nav_label}\">{nav}</nav>\
         <nav aria-label=\"{lang_label}\" class=\"languages\">{switcher}</nav></header>\n<main>{body}</main>\n\
         <footer class=\"muted\">{footer}</footer></body></html>\n",
        lang = tr.locale.code(),
        dir = tr.locale.dir(),
        title = escape(title),
        host = escape(hostname),
        nav_label = tr.h("nav-label"),
        lang_label = tr.h("nav-languages"),
        footer = tr.h("footer"),
    )
}

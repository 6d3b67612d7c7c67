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

//! Article bodies are rich text written in the console's editor. What is
//! stored is cleaned by an allow-list (ammonia: no scripts, no event
//! handlers, no `javascript:` or `data:` URLs), and the index reads plain
//! text taken from the cleaned HTML.

/// The body as it may be stored and shown.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_tag_attributes("img", &["style"])
        .clean(html)
        .to_string()
}

/// Tags after which words must not run together in the text.
const BREAKING: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "blockquote",
    "pre",
    "hr",
    "img",
];

/// Plain text of cleaned HTML: tags dropped (block ends become spaces) and
/// the entities the cleaner writes decoded.
pub fn to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close]
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if BREAKING.contains(&tag.as_str()) && !text.ends_with(' ') {
            text.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    decode_entities(text.trim())
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed_images_kept() {
        let dirty = r#"<p onclick="x()">保养<script>alert(1)</script><img src="/api/v1/knowledge/images/3" onerror="x()"><a href="javascript:evil()">link</a></p>"#;
        let clean = sanitize(dirty);
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("onerror"));
        assert!(!clean.contains("javascript"));
        assert!(clean.contains(r#"<img src="/api/v1/knowledge/images/3">"#));
    }

    #[test]
    fn text_keeps_words_apart_and_decodes_entities() {
        let text = to_text("<h1>Engine</h1><p>oil &amp; filter</p><p>5 &lt; 6</p>");
        assert_eq!(text, "Engine oil & filter 5 < 6");
    }
}

//! Templates: text with `{variable}` references, expanded from the call's
//! variables when a node runs. `{{` and `}}` stand for literal braces; a
//! variable that is not set expands to nothing.

use std::collections::BTreeMap;

/// The longest variable name accepted.
pub const MAX_VARIABLE_NAME_LEN: usize = 64;

/// Whether `name` may name a variable: a letter or `_` first, then letters,
/// digits, `_`, `-` and `.` (lookup results are `lookup.status`).
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && name.len() <= MAX_VARIABLE_NAME_LEN
}

enum Piece<'a> {
    Text(&'a str),
    Variable(&'a str),
}

/// Splits a template into text and variables; the error says what is wrong.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        pieces.push(Piece::Text(&rest[..at]));
        let after = &rest[at + 1..];
        if rest[at..].starts_with("{{") {
            pieces.push(Piece::Text("{"));
            rest = &rest[at + 2..];
        } else if rest[at..].starts_with("}}") {
            pieces.push(Piece::Text("}"));
            rest = &rest[at + 2..];
        } else if rest[at..].starts_with('}') {
            return Err(format!(
                "`}}` at position {at} closes nothing (write `}}}}` for a brace)"
            ));
        } else {
            let end = after
                .find('}')
                .ok_or_else(|| format!("`{{` at position {at} is not closed with `}}`"))?;
            let name = &after[..end];
            if !is_variable_name(name) {
                return Err(format!("\"{{{name}}}\" is not a variable name"));
            }
            pieces.push(Piece::Variable(name));
            rest = &after[end + 1..];
        }
    }
    pieces.push(Piece::Text(rest));
    Ok(pieces)
}

/// Checks a template's syntax.
pub fn check(template: &str) -> Result<(), String> {
    pieces(template).map(drop)
}

/// Fills in a template; a malformed one (never validated) is used as is.
pub fn expand(template: &str, variables: &BTreeMap<String, String>) -> String {
    let Ok(pieces) = pieces(template) else {
        return template.to_owned();
    };
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text,
            Piece::Variable(name) => variables.get(name).map_or("", String::as_str),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_variables_and_escapes() {
        let variables = BTreeMap::from([
            ("caller".to_owned(), "13800000000".to_owned()),
            ("lookup.status".to_owned(), "shipped".to_owned()),
        ]);
        assert_eq!(
            expand("{caller} {lookup.status} {{x}} {unset}.", &variables),
            "13800000000 shipped {x} ."
        );
    }

    #[test]
    fn refuses_malformed_templates() {
        assert!(check("order {order").is_err());
        assert!(check("a } b").is_err());
        assert!(check("{}").is_err());
        assert!(check("{1abc}").is_err());
        assert!(check("plain 中文").is_ok());
    }
}

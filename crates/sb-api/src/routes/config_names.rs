//! Rules shared by the ACD and IVR configuration routes: the names flows,
//! queues and calendars refer to each other by, and JSON documents kept as
//! text by the store but exchanged as objects.

use serde_json::Value;

use crate::error::ApiError;
use crate::validate;

/// A name other objects refer to (a flow, queue or calendar): ASCII letters,
/// digits, `-` and `_`, starting with a letter or digit; 1-64 characters.
/// Kept ASCII because callers' flows and routes spell it out.
pub fn object_name(field: &str, value: &str) -> Result<String, ApiError> {
    let value = validate::text(field, value, 1, 64)?;
    let mut chars = value.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::validation(
            field,
            format!(
                "{field} may hold only letters, digits, `-` and `_`, starting with a letter or digit"
            ),
        ));
    }
    Ok(value)
}

/// A stored JSON document back as JSON; a row that somehow holds bad text is
/// a server fault, not the caller's.
pub fn stored_document(what: &str, text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::internal(what, e))
}

/// A document sent as a JSON object, as the text the store keeps.
pub fn document_text(field: &str, document: &Value) -> Result<String, ApiError> {
    if !document.is_object() {
        return Err(ApiError::validation(
            field,
            format!("{field} must be a JSON object"),
        ));
    }
    serde_json::to_string(document).map_err(|e| ApiError::internal("serialising a document", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_ascii_codes() {
        assert_eq!(object_name("name", " sales-1 ").expect("valid"), "sales-1");
        for bad in ["", "-sales", "销售", "a b", "a.b", &"x".repeat(65)] {
            let err = object_name("name", bad).expect_err("invalid");
            assert_eq!(err.field.as_deref(), Some("name"), "{bad}");
        }
    }

    #[test]
    fn documents_must_be_objects() {
        assert!(document_text("document", &serde_json::json!({"a": 1})).is_ok());
        let err = document_text("document", &serde_json::json!([1])).expect_err("not an object");
        assert_eq!(err.status.as_u16(), 422);
    }
}

//! The crate's one error type: why a flow document was refused, naming the
//! node and field so an editor can point at them.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", node_prefix(.node))]
pub struct FlowError {
    /// The node at fault; `None` for the document itself (start, language).
    pub node: Option<String>,
    /// The field within the node (or document), as a path: "choices",
    /// "rules[1].when", "prompts[0]".
    pub field: Option<String>,
    pub message: String,
}

fn node_prefix(node: &Option<String>) -> String {
    node.as_ref()
        .map(|node| format!("node \"{node}\": "))
        .unwrap_or_default()
}

impl FlowError {
    pub(crate) fn document(field: &str, message: impl Into<String>) -> FlowError {
        FlowError {
            node: None,
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    pub(crate) fn node(node: &str, field: Option<&str>, message: impl Into<String>) -> FlowError {
        FlowError {
            node: Some(node.to_owned()),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_node() {
        let error = FlowError::node(
            "menu",
            Some("choices"),
            "choice \"3\" leads to unknown node \"salse\"",
        );
        assert_eq!(
            error.to_string(),
            "node \"menu\": choice \"3\" leads to unknown node \"salse\""
        );
        assert_eq!(
            FlowError::document("start", "start is missing").to_string(),
            "start is missing"
        );
    }
}

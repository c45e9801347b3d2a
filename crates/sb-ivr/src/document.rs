//! A flow document: its language, start node and nodes, read one node at a
//! time so that a wrong type or field names its node, then validated (see
//! `validate`). The store versions documents; this only reads them.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::node::{
    CollectNode, ConditionNode, HangupNode, LookupNode, MenuNode, PlayNode, QueueNode, ReturnNode,
    SetVariableNode, SubflowNode, SurveyNode, TransferNode, VerifyMemberNode, VoicemailNode,
};
use crate::{FlowError, Language, Node, PromptRef};

/// The node types, as an error message lists them.
const NODE_TYPES: &str = "play, menu, collect, condition, lookup, verify_member, set_variable, \
                          queue, transfer, voicemail, survey, subflow, return, hangup";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct FlowDocument {
    /// The language of built-in prompts and text-to-speech ("zh" when not
    /// written).
    pub language: Language,
    pub start: String,
    pub nodes: BTreeMap<String, Node>,
}

impl FlowDocument {
    /// Reads and validates a document.
    pub fn parse(json: &str) -> Result<FlowDocument, FlowError> {
        let value: Value = serde_json::from_str(json).map_err(|error| FlowError {
            node: None,
            field: None,
            message: format!("the flow is not valid JSON: {error}"),
        })?;
        FlowDocument::try_from(value)
    }

    /// Names of the other flows this one runs as subflows.
    pub fn subflows(&self) -> Vec<String> {
        self.collect_names(|node, names| {
            if let Node::Subflow(subflow) = node {
                names.insert(subflow.flow.clone());
            }
        })
    }

    /// Names of the calendars its conditions ask.
    pub fn calendars(&self) -> Vec<String> {
        self.collect_names(|node, names| {
            if let Node::Condition(condition) = node {
                names.extend(
                    condition
                        .rules
                        .iter()
                        .filter_map(|rule| rule.when.calendar())
                        .map(str::to_owned),
                );
            }
        })
    }

    /// Names of the queues it sends calls to (including voicemail boxes of
    /// queues).
    pub fn queues(&self) -> Vec<String> {
        self.collect_names(|node, names| match node {
            Node::Queue(queue) => {
                names.insert(queue.queue.clone());
            }
            Node::Voicemail(VoicemailNode {
                mailbox: crate::Mailbox::Queue(queue),
                ..
            }) => {
                names.insert(queue.clone());
            }
            _ => {}
        })
    }

    /// Names of the uploaded prompts it plays.
    pub fn stored_prompts(&self) -> Vec<String> {
        self.prompt_names(|prompt| match prompt {
            PromptRef::Stored(name) => Some(name),
            _ => None,
        })
    }

    /// Names of the built-in prompts it plays.
    pub fn builtin_prompts(&self) -> Vec<String> {
        self.prompt_names(|prompt| match prompt {
            PromptRef::Builtin(name) => Some(name),
            _ => None,
        })
    }

    fn prompt_names(&self, pick: impl Fn(&PromptRef) -> Option<&String>) -> Vec<String> {
        self.collect_names(|node, names| {
            for (_, prompts) in node.prompt_lists() {
                names.extend(prompts.iter().filter_map(&pick).cloned());
            }
        })
    }

    fn collect_names(&self, mut add: impl FnMut(&Node, &mut BTreeSet<String>)) -> Vec<String> {
        let mut names = BTreeSet::new();
        for node in self.nodes.values() {
            add(node, &mut names);
        }
        names.into_iter().collect()
    }
}

impl TryFrom<Value> for FlowDocument {
    type Error = FlowError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let Value::Object(mut fields) = value else {
            return Err(FlowError {
                node: None,
                field: None,
                message: "a flow document is a JSON object".to_owned(),
            });
        };
        let language = match fields.remove("language") {
            None | Some(Value::Null) => Language::default(),
            Some(value) => serde_json::from_value(value)
                .map_err(|_| FlowError::document("language", "language is \"zh\" or \"en\""))?,
        };
        let start = match fields.remove("start") {
            Some(Value::String(start)) => start,
            None => return Err(FlowError::document("start", "start is missing")),
            Some(_) => {
                return Err(FlowError::document(
                    "start",
                    "start is the id of a node, a string",
                ));
            }
        };
        let nodes = match fields.remove("nodes") {
            Some(Value::Object(nodes)) => nodes,
            None => return Err(FlowError::document("nodes", "nodes is missing")),
            Some(_) => {
                return Err(FlowError::document(
                    "nodes",
                    "nodes is an object of node id to node",
                ));
            }
        };
        if let Some(unknown) = fields.keys().next() {
            return Err(FlowError::document(
                unknown,
                format!("unknown field \"{unknown}\" (a flow has language, start and nodes)"),
            ));
        }
        let nodes = nodes
            .into_iter()
            .map(|(id, value)| read_node(&id, value).map(|node| (id, node)))
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        let document = FlowDocument {
            language,
            start,
            nodes,
        };
        document.validate()?;
        Ok(document)
    }
}

fn read_node(id: &str, value: Value) -> Result<Node, FlowError> {
    let Value::Object(mut fields) = value else {
        return Err(FlowError::node(id, None, "a node is a JSON object"));
    };
    let node_type = match fields.remove("type") {
        Some(Value::String(node_type)) => node_type,
        None => {
            return Err(FlowError::node(
                id,
                Some("type"),
                format!("has no \"type\" (use one of {NODE_TYPES})"),
            ));
        }
        Some(_) => {
            return Err(FlowError::node(id, Some("type"), "\"type\" is a string"));
        }
    };
    match node_type.as_str() {
        "play" => fields_of::<PlayNode>(id, fields).map(Node::Play),
        "menu" => fields_of::<MenuNode>(id, fields).map(Node::Menu),
        "collect" => fields_of::<CollectNode>(id, fields).map(Node::Collect),
        "condition" => fields_of::<ConditionNode>(id, fields).map(Node::Condition),
        "lookup" => fields_of::<LookupNode>(id, fields).map(Node::Lookup),
        "verify_member" => fields_of::<VerifyMemberNode>(id, fields).map(Node::VerifyMember),
        "set_variable" => fields_of::<SetVariableNode>(id, fields).map(Node::SetVariable),
        "queue" => fields_of::<QueueNode>(id, fields).map(Node::Queue),
        "transfer" => fields_of::<TransferNode>(id, fields).map(Node::Transfer),
        "voicemail" => fields_of::<VoicemailNode>(id, fields).map(Node::Voicemail),
        "survey" => fields_of::<SurveyNode>(id, fields).map(Node::Survey),
        "subflow" => fields_of::<SubflowNode>(id, fields).map(Node::Subflow),
        "return" => fields_of::<ReturnNode>(id, fields).map(Node::Return),
        "hangup" => fields_of::<HangupNode>(id, fields).map(Node::Hangup),
        other => Err(FlowError::node(
            id,
            Some("type"),
            format!("unknown node type \"{other}\" (use one of {NODE_TYPES})"),
        )),
    }
}

/// Reads a node's fields (its "type" removed), naming the field at fault.
fn fields_of<T: DeserializeOwned>(id: &str, fields: Map<String, Value>) -> Result<T, FlowError> {
    serde_path_to_error::deserialize(Value::Object(fields)).map_err(|error| {
        let path = error.path().to_string();
        let field = (path != ".").then_some(path);
        FlowError {
            node: Some(id.to_owned()),
            field: field.clone(),
            message: match field {
                Some(field) => format!("{field}: {}", error.inner()),
                None => error.inner().to_string(),
            },
        }
    })
}

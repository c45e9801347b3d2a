//! What a customer record may hold, read once from the store: the dictionary
//! codes of levels, education, marital status and asset kinds, the
//! admin-defined fields with their choice lists, and the default area code
//! for local numbers. A request or an import job loads it once and checks
//! every record against it.

use std::collections::{HashMap, HashSet};

use sb_store::{CustomFieldKind, CustomerFieldDef, DictionaryType, Store};

use crate::error::Result;

pub const LEVEL_LIST: &str = "customer_level";
pub const EDUCATION_LIST: &str = "customer_education";
pub const MARITAL_LIST: &str = "customer_marital_status";
pub const ASSET_KIND_LIST: &str = "customer_asset_kind";

/// A dictionary list as (code, label) pairs, for matching a value by either.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    items: Vec<(String, String)>,
}

impl Choices {
    fn of(list: Option<&DictionaryType>) -> Choices {
        Choices {
            items: list
                .map(|t| {
                    t.items
                        .iter()
                        .filter(|i| i.enabled)
                        .map(|i| (i.code.clone(), i.label.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The code `value` stands for: a code, a whole label, or one word of a
    /// two-language label (`普通 Normal` matches `普通` and `normal`).
    pub fn code_of(&self, value: &str) -> Option<String> {
        let value = value.trim();
        if let Some((code, _)) = self.items.iter().find(|(code, _)| code == value) {
            return Some(code.clone());
        }
        self.items
            .iter()
            .find(|(_, label)| {
                label == value
                    || label
                        .split_whitespace()
                        .any(|word| word.eq_ignore_ascii_case(value))
            })
            .map(|(code, _)| code.clone())
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(code, _)| code.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct CustomerRules {
    /// Area code (without the 0) for local landline numbers written without one.
    pub default_area_code: Option<String>,
    pub levels: Choices,
    pub educations: Choices,
    pub marital_statuses: Choices,
    pub asset_kinds: Choices,
    pub fields: Vec<CustomerFieldDef>,
    /// The lists choice fields pick from, by list code.
    pub field_choices: HashMap<String, Choices>,
}

impl CustomerRules {
    pub async fn load(store: &Store, default_area_code: Option<String>) -> Result<CustomerRules> {
        let lists = store.list_dictionary().await?;
        let list = |code: &str| lists.iter().find(|t| t.code == code);
        let fields = store.customer_field_defs().await?;
        let wanted: HashSet<&str> = fields
            .iter()
            .filter(|f| f.kind == CustomFieldKind::Choice)
            .map(|f| f.dictionary_type.as_str())
            .collect();
        let field_choices = wanted
            .into_iter()
            .map(|code| (code.to_owned(), Choices::of(list(code))))
            .collect();
        Ok(CustomerRules {
            default_area_code,
            levels: Choices::of(list(LEVEL_LIST)),
            educations: Choices::of(list(EDUCATION_LIST)),
            marital_statuses: Choices::of(list(MARITAL_LIST)),
            asset_kinds: Choices::of(list(ASSET_KIND_LIST)),
            fields,
            field_choices,
        })
    }
}

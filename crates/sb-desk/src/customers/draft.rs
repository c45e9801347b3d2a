//! A customer as a person or a spreadsheet row gives it, checked into what
//! the store keeps: numbers normalised to E.164 (so screen pop finds the
//! customer however the number was written), the ID card checked and its
//! birth date and sex used when none were given, the region taken from the
//! first Chinese number when none was given, dictionary values matched by
//! code or label, and custom fields checked against their definitions.
//! Every problem is reported with the field it concerns, not just the first.

use serde::Deserialize;
use serde_json::{Map, Value};
use time::Date;
use utoipa::ToSchema;

use sb_core::phone::{PhoneError, normalize};
use sb_core::phone_region::region_of;
use sb_store::{
    AddressLabel, CustomFieldKind, CustomerAddress, CustomerEmail, CustomerInput,
    CustomerLifecycle, CustomerPhone, Gender, PhoneLabel,
};

use super::id_card::parse_id_card;
use super::rules::{Choices, CustomerRules};

pub const NAME_MAX: usize = 100;
const TEXT_MAX: usize = 200;
const NOTES_MAX: usize = 4000;
const CUSTOM_TEXT_MAX: usize = 1000;
const LIST_MAX: usize = 20;

/// A customer profile as sent to the API (and built from an import row).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerDraft {
    /// 1-100 characters.
    pub name: String,
    /// `male`, `female` or `unknown` (also 男 / 女); taken from the ID card when absent.
    pub gender: Option<String>,
    /// `YYYY-MM-DD`; taken from the ID card when absent.
    pub birth_date: Option<String>,
    pub occupation: Option<String>,
    /// A code or label of the dictionary list `customer_education`.
    pub education: Option<String>,
    /// A code or label of the dictionary list `customer_marital_status`.
    pub marital_status: Option<String>,
    /// The resident ID card number (18 characters, checked).
    pub id_card: Option<String>,
    /// Taken from the first Chinese number when absent.
    pub province: Option<String>,
    pub city: Option<String>,
    /// `potential`, `normal` (default), `declining` or `lost`.
    pub lifecycle: Option<String>,
    /// A code or label of the dictionary list `customer_level`; default `normal`.
    pub level: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    /// Values of the admin-defined fields by key.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    /// Who looks after the customer; default the creator.
    pub owner_id: Option<i64>,
    /// The department owning the record; default the creator's.
    pub department_id: Option<i64>,
    #[serde(default)]
    pub phones: Vec<PhoneDraft>,
    #[serde(default)]
    pub emails: Vec<EmailDraft>,
    #[serde(default)]
    pub addresses: Vec<AddressDraft>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneDraft {
    /// As people write it: `138 0013 8000`, `+86 571 8888 8888`, `(0571)8888-8888`.
    pub number: String,
    /// `mobile` (default), `home`, `work` or `other`.
    pub label: Option<PhoneLabel>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailDraft {
    pub email: String,
    /// Free text, default `personal`.
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressDraft {
    /// `home` (default), `work` or `other`.
    pub label: Option<AddressLabel>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub detail: Option<String>,
    pub postcode: Option<String>,
}

/// One problem with one field of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

struct Problems(Vec<FieldProblem>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldProblem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Trimmed text of at most `max` characters.
    fn text(&mut self, field: &str, value: Option<&str>, max: usize) -> String {
        let value = value.map(str::trim).unwrap_or_default();
        if value.chars().count() > max {
            self.add(field, format!("at most {max} characters"));
        }
        value.to_owned()
    }

    /// A dictionary value by code or label; empty stays empty.
    fn choice(&mut self, field: &str, value: Option<&str>, choices: &Choices) -> String {
        let value = value.map(str::trim).unwrap_or_default();
        if value.is_empty() {
            return String::new();
        }
        match choices.code_of(value) {
            Some(code) => code,
            None => {
                let known: Vec<&str> = choices.codes().collect();
                self.add(
                    field,
                    format!(
                        "`{value}` is not in the list (one of: {})",
                        known.join(", ")
                    ),
                );
                String::new()
            }
        }
    }
}

pub fn parse_date(value: &str) -> Result<Date, String> {
    let value = value.trim();
    let format =
        time::macros::format_description!("[year]-[month padding:none]-[day padding:none]");
    let normalised = value.replace(['/', '.'], "-");
    Date::parse(&normalised, format)
        .map_err(|_| format!("`{value}` is not a date written YYYY-MM-DD"))
}

pub fn parse_gender(value: &str) -> Option<Gender> {
    match value.trim().to_lowercase().as_str() {
        "male" | "m" | "男" | "先生" => Some(Gender::Male),
        "female" | "f" | "女" | "女士" => Some(Gender::Female),
        "unknown" | "" | "未知" => Some(Gender::Unknown),
        _ => None,
    }
}

pub fn parse_lifecycle(value: &str) -> Option<CustomerLifecycle> {
    match value.trim().to_lowercase().as_str() {
        "potential" | "潜在" | "潜在客户" => Some(CustomerLifecycle::Potential),
        "normal" | "正常" | "普通" => Some(CustomerLifecycle::Normal),
        "declining" | "衰退" | "衰退期" | "流失预警" => Some(CustomerLifecycle::Declining),
        "lost" | "流失" | "已流失" => Some(CustomerLifecycle::Lost),
        _ => None,
    }
}

/// The reason a number is refused, for a clerk.
pub fn phone_problem(err: &PhoneError) -> String {
    err.to_string()
}

impl CustomerDraft {
    /// Checks the draft against `rules`: the record to store, or every
    /// problem found.
    pub fn check(&self, rules: &CustomerRules) -> Result<CustomerInput, Vec<FieldProblem>> {
        let mut p = Problems(Vec::new());
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            p.add("name", "a customer needs a name");
        } else if name.chars().count() > NAME_MAX {
            p.add("name", format!("at most {NAME_MAX} characters"));
        }

        let id_card = match self.id_card.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match parse_id_card(raw) {
                Ok(card) => Some(card),
                Err(message) => {
                    p.add("id_card", message);
                    None
                }
            },
        };
        let gender = match self.gender.as_deref() {
            None | Some("") => id_card.as_ref().map_or(Gender::Unknown, |c| c.gender),
            Some(value) => parse_gender(value).unwrap_or_else(|| {
                p.add(
                    "gender",
                    format!("`{value}` is not male, female or unknown"),
                );
                Gender::Unknown
            }),
        };
        let birth_date = match self.birth_date.as_deref().map(str::trim) {
            None | Some("") => id_card.as_ref().map(|c| c.birth_date),
            Some(value) => match parse_date(value) {
                Ok(date) => Some(date),
                Err(message) => {
                    p.add("birth_date", message);
                    None
                }
            },
        };
        let lifecycle = match self.lifecycle.as_deref() {
            None | Some("") => CustomerLifecycle::Normal,
            Some(value) => parse_lifecycle(value).unwrap_or_else(|| {
                p.add(
                    "lifecycle",
                    format!("`{value}` is not potential, normal, declining or lost"),
                );
                CustomerLifecycle::Normal
            }),
        };
        let level = match self.level.as_deref().map(str::trim) {
            None | Some("") => "normal".to_owned(),
            Some(value) => p.choice("level", Some(value), &rules.levels),
        };

        let mut phones = Vec::new();
        if self.phones.len() > LIST_MAX {
            p.add("phones", format!("at most {LIST_MAX} numbers"));
        }
        let mut region = None;
        for (i, phone) in self.phones.iter().enumerate() {
            let field = format!("phones[{i}].number");
            if phone.number.trim().chars().count() > 40 {
                p.add(field, "at most 40 characters");
                continue;
            }
            match normalize(&phone.number, rules.default_area_code.as_deref()) {
                Ok(number) => {
                    if region.is_none() {
                        region = region_of(&number);
                    }
                    phones.push(CustomerPhone {
                        number: phone.number.trim().to_owned(),
                        e164: number.e164,
                        label: phone.label.unwrap_or(PhoneLabel::Mobile),
                    });
                }
                Err(err) => p.add(field, phone_problem(&err)),
            }
        }
        let mut emails = Vec::new();
        for (i, email) in self.emails.iter().enumerate() {
            let address = email.email.trim().to_lowercase();
            if !looks_like_email(&address) {
                p.add(
                    format!("emails[{i}].email"),
                    format!("`{}` is not an e-mail address", email.email.trim()),
                );
                continue;
            }
            emails.push(CustomerEmail {
                email: address,
                label: p.text(
                    &format!("emails[{i}].label"),
                    Some(email.label.as_deref().unwrap_or("personal")),
                    40,
                ),
            });
        }
        let addresses = self
            .addresses
            .iter()
            .enumerate()
            .map(|(i, a)| CustomerAddress {
                label: a.label.unwrap_or(AddressLabel::Home),
                province: p.text(
                    &format!("addresses[{i}].province"),
                    a.province.as_deref(),
                    40,
                ),
                city: p.text(&format!("addresses[{i}].city"), a.city.as_deref(), 40),
                detail: p.text(
                    &format!("addresses[{i}].detail"),
                    a.detail.as_deref(),
                    TEXT_MAX,
                ),
                postcode: p.text(
                    &format!("addresses[{i}].postcode"),
                    a.postcode.as_deref(),
                    12,
                ),
            })
            .collect();

        let mut province = p.text("province", self.province.as_deref(), 40);
        let mut city = p.text("city", self.city.as_deref(), 40);
        if province.is_empty()
            && city.is_empty()
            && let Some(region) = region
        {
            province = region.province.clone();
            city = region.city.clone();
        }

        let custom_fields = check_custom_fields(&self.custom_fields, rules, &mut p);
        let input = CustomerInput {
            name,
            gender,
            birth_date,
            occupation: p.text("occupation", self.occupation.as_deref(), TEXT_MAX),
            education: p.choice("education", self.education.as_deref(), &rules.educations),
            marital_status: p.choice(
                "marital_status",
                self.marital_status.as_deref(),
                &rules.marital_statuses,
            ),
            id_card: id_card.map(|c| c.number),
            province,
            city,
            lifecycle,
            level,
            source: p.text("source", self.source.as_deref(), TEXT_MAX),
            notes: p.text("notes", self.notes.as_deref(), NOTES_MAX),
            custom_fields,
            owner_id: self.owner_id,
            department_id: self.department_id,
            phones,
            emails,
            addresses,
        };
        if p.0.is_empty() { Ok(input) } else { Err(p.0) }
    }
}

fn looks_like_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && address.len() <= 254
        && !address.chars().any(char::is_whitespace)
}

fn check_custom_fields(
    values: &Map<String, Value>,
    rules: &CustomerRules,
    p: &mut Problems,
) -> Map<String, Value> {
    let mut out = Map::new();
    for key in values.keys() {
        if !rules.fields.iter().any(|f| &f.key == key) {
            p.add(
                format!("custom_fields.{key}"),
                format!("there is no customer field `{key}`"),
            );
        }
    }
    for def in &rules.fields {
        let field = format!("custom_fields.{}", def.key);
        let value = values.get(&def.key).filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        });
        let Some(value) = value else {
            if def.required {
                p.add(field, format!("{} is required", def.label));
            }
            continue;
        };
        let text = match value {
            Value::String(s) => s.trim().to_owned(),
            other => other.to_string(),
        };
        let checked = match def.kind {
            CustomFieldKind::Text => {
                if text.chars().count() > CUSTOM_TEXT_MAX {
                    Err(format!("at most {CUSTOM_TEXT_MAX} characters"))
                } else {
                    Ok(Value::String(text))
                }
            }
            CustomFieldKind::Number => text
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map(|n| {
                    // Whole numbers stay integers in the JSON.
                    text.parse::<i64>()
                        .map_or(Value::Number(n), |i| Value::Number(i.into()))
                })
                .ok_or_else(|| format!("`{text}` is not a number")),
            CustomFieldKind::Date => parse_date(&text).map(|d| Value::String(date_string(d))),
            CustomFieldKind::Choice => rules
                .field_choices
                .get(&def.dictionary_type)
                .and_then(|choices| choices.code_of(&text))
                .map(Value::String)
                .ok_or_else(|| format!("`{text}` is not one of the choices of {}", def.label)),
        };
        match checked {
            Ok(v) => {
                out.insert(def.key.clone(), v);
            }
            Err(message) => p.add(field, message),
        }
    }
    out
}

pub fn date_string(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> CustomerRules {
        CustomerRules {
            default_area_code: Some("571".into()),
            ..CustomerRules::default()
        }
    }

    fn draft(name: &str) -> CustomerDraft {
        CustomerDraft {
            name: name.into(),
            ..CustomerDraft::default()
        }
    }

    #[test]
    fn numbers_are_normalised_and_give_the_region() {
        let mut d = draft("张三");
        d.phones = vec![
            PhoneDraft {
                number: "(0571) 8888-8888".into(),
                label: Some(PhoneLabel::Home),
            },
            PhoneDraft {
                number: "8777 7777".into(),
                label: None,
            },
        ];
        let input = d.check(&rules()).expect("valid");
        assert_eq!(input.phones[0].e164, "+8657188888888");
        assert_eq!(input.phones[1].e164, "+8657187777777", "default area code");
        assert_eq!(
            (input.province.as_str(), input.city.as_str()),
            ("浙江省", "杭州市")
        );
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let mut d = draft("");
        d.phones = vec![PhoneDraft {
            number: "12ab".into(),
            label: None,
        }];
        d.id_card = Some("110105194912310021".into());
        d.birth_date = Some("1990-13-01".into());
        d.gender = Some("robot".into());
        d.emails = vec![EmailDraft {
            email: "nobody".into(),
            label: None,
        }];
        d.custom_fields
            .insert("colour".into(), Value::String("red".into()));
        let problems = d.check(&rules()).expect_err("invalid");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "id_card",
                "gender",
                "birth_date",
                "phones[0].number",
                "emails[0].email",
                "custom_fields.colour"
            ]
        );
    }

    #[test]
    fn the_id_card_fills_birth_date_and_sex() {
        let mut d = draft("李四");
        d.id_card = Some("11010519491231002X".into());
        let input = d.check(&rules()).expect("valid");
        assert_eq!(input.gender, Gender::Female);
        assert_eq!(
            input.birth_date.map(date_string).as_deref(),
            Some("1949-12-31")
        );
        assert_eq!(input.id_card.as_deref(), Some("11010519491231002X"));
    }

    #[test]
    fn chinese_words_for_closed_sets() {
        assert_eq!(parse_gender("男"), Some(Gender::Male));
        assert_eq!(parse_lifecycle("流失"), Some(CustomerLifecycle::Lost));
        assert_eq!(
            parse_date("2024/3/5").map(date_string).as_deref(),
            Ok("2024-03-05")
        );
    }
}

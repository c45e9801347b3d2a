//! Customers as an import target: a row becomes a [`CustomerDraft`] checked
//! by the same rules as the profile form (each problem placed back on the
//! column it came from); a row whose ID card or phone number an existing
//! customer holds is merged into that customer or skipped, as the user
//! chose. Rows of one file that share a key meet the same rule: the later
//! row merges into, or is skipped for, the earlier one.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;

use sb_store::{
    Actor, Customer, CustomerInput, CustomerScope, CustomerWrite, Gender, Store, StoreError,
};

use super::target::{CellProblem, ImportTarget, MappedRow, RowOutcome, TargetField};
use crate::customers::{
    AddressDraft, CustomerDraft, CustomerRules, EmailDraft, PhoneDraft, date_string,
};
use crate::error::Result;

/// What to do with a row whose ID card or phone number a customer has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Fill the existing customer with the row's values (numbers and
    /// e-mails are added, other fields the row has replace the old).
    #[default]
    Merge,
    /// Leave the existing customer as it is and count the row as skipped.
    Skip,
}

/// Separators between several numbers or e-mails in one cell.
const LIST_SEPARATORS: &[char] = &[';', '；', ',', '，', '、', '/', '\n', '|'];

/// The customer fields a column can fill; admin-defined fields follow as
/// `custom.<key>`.
pub fn customer_fields(rules: &CustomerRules) -> Vec<TargetField> {
    let mut fields = vec![
        TargetField::new(
            "name",
            "姓名 Name",
            &[
                "客户姓名",
                "客户名称",
                "客户名",
                "名字",
                "联系人",
                "customer",
                "customer name",
                "full name",
            ],
        )
        .required(),
        TargetField::new(
            "phone",
            "电话 Phone",
            &[
                "手机",
                "手机号",
                "手机号码",
                "电话号码",
                "联系电话",
                "联系方式",
                "固话",
                "座机",
                "号码",
                "mobile",
                "cell",
                "tel",
                "telephone",
                "phone number",
            ],
        )
        .repeatable(),
        TargetField::new(
            "email",
            "邮箱 E-mail",
            &["电子邮件", "电子邮箱", "邮件", "email", "mail"],
        )
        .repeatable(),
        TargetField::new(
            "id_card",
            "身份证号 ID card",
            &[
                "身份证",
                "身份证号码",
                "证件号",
                "证件号码",
                "id number",
                "idcard",
            ],
        ),
        TargetField::new("gender", "性别 Gender", &["sex"]),
        TargetField::new(
            "birth_date",
            "出生日期 Birth date",
            &["生日", "出生年月", "birthday", "dob"],
        ),
        TargetField::new("province", "省份 Province", &["省"]),
        TargetField::new("city", "城市 City", &["市", "地市"]),
        TargetField::new(
            "address",
            "地址 Address",
            &["详细地址", "住址", "联系地址", "家庭住址"],
        ),
        TargetField::new(
            "postcode",
            "邮编 Postcode",
            &["邮政编码", "zip", "zip code", "postal code"],
        ),
        TargetField::new("occupation", "职业 Occupation", &["工作", "job"]),
        TargetField::new("education", "学历 Education", &["教育程度"]),
        TargetField::new(
            "marital_status",
            "婚姻状况 Marital status",
            &["婚姻", "婚否", "marriage"],
        ),
        TargetField::new(
            "level",
            "客户级别 Level",
            &["级别", "等级", "客户等级", "tier"],
        ),
        TargetField::new(
            "lifecycle",
            "生命周期 Lifecycle",
            &["客户状态", "阶段", "stage"],
        ),
        TargetField::new("source", "来源 Source", &["客户来源", "渠道", "channel"]),
        TargetField::new(
            "notes",
            "备注 Notes",
            &["说明", "描述", "note", "remark", "remarks", "comment"],
        ),
    ];
    for def in &rules.fields {
        let mut field = TargetField::new(&format!("custom.{}", def.key), &def.label, &[]);
        field.required = def.required;
        fields.push(field);
    }
    fields
}

/// The customer target of one import: the rules rows are checked against,
/// who owns new records, which records the importer reaches, and what to do
/// with duplicates.
#[derive(Debug, Clone)]
pub struct CustomerTarget {
    rules: CustomerRules,
    fields: Vec<TargetField>,
    actor: Actor,
    owner_id: Option<i64>,
    department_id: Option<i64>,
    scope: CustomerScope,
    duplicates: DuplicatePolicy,
}

/// A checked row: the draft (for a merge) and where each field came from.
#[derive(Debug, Clone)]
pub struct CustomerRow {
    draft: CustomerDraft,
    input: CustomerInput,
    columns: HashMap<String, usize>,
}

impl CustomerRow {
    /// The keys duplicates are found by: the ID card and every number.
    fn keys(&self) -> Vec<String> {
        self.input
            .id_card
            .iter()
            .map(|c| format!("card:{c}"))
            .chain(self.input.phones.iter().map(|p| format!("tel:{}", p.e164)))
            .collect()
    }
}

impl CustomerTarget {
    pub fn new(
        rules: CustomerRules,
        actor: Actor,
        owner_id: Option<i64>,
        department_id: Option<i64>,
        scope: CustomerScope,
        duplicates: DuplicatePolicy,
    ) -> CustomerTarget {
        CustomerTarget {
            fields: customer_fields(&rules),
            rules,
            actor,
            owner_id,
            department_id,
            scope,
            duplicates,
        }
    }

    fn in_scope(&self, customer: &Customer) -> bool {
        match &self.scope {
            CustomerScope::All => true,
            CustomerScope::Departments(ids) => {
                customer.department_id.is_some_and(|d| ids.contains(&d))
            }
            CustomerScope::Owner(staff) => customer.owner_id == Some(*staff),
        }
    }

    /// The row's values laid over `existing`: numbers, e-mails and a new
    /// address are added, other fields the row has replace the old ones.
    fn merged(&self, existing: &Customer, row: &CustomerRow) -> Result<CustomerInput, String> {
        let mut draft = draft_of(existing);
        let new = &row.draft;
        let take = |old: &mut Option<String>, new: &Option<String>| {
            if new.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                old.clone_from(new);
            }
        };
        draft.name.clone_from(&new.name);
        take(&mut draft.gender, &new.gender);
        take(&mut draft.birth_date, &new.birth_date);
        take(&mut draft.occupation, &new.occupation);
        take(&mut draft.education, &new.education);
        take(&mut draft.marital_status, &new.marital_status);
        take(&mut draft.id_card, &new.id_card);
        take(&mut draft.province, &new.province);
        take(&mut draft.city, &new.city);
        take(&mut draft.lifecycle, &new.lifecycle);
        take(&mut draft.level, &new.level);
        take(&mut draft.source, &new.source);
        take(&mut draft.notes, &new.notes);
        if new.id_card.is_some() && existing.gender == Gender::Unknown && new.gender.is_none() {
            draft.gender = None;
        }
        if new.id_card.is_some() && existing.birth_date.is_none() && new.birth_date.is_none() {
            draft.birth_date = None;
        }
        for (key, value) in &new.custom_fields {
            draft.custom_fields.insert(key.clone(), value.clone());
        }
        draft.phones.extend(new.phones.iter().cloned());
        for email in &new.emails {
            let known = existing
                .emails
                .iter()
                .any(|e| e.email.eq_ignore_ascii_case(email.email.trim()));
            if !known {
                draft.emails.push(email.clone());
            }
        }
        for address in &new.addresses {
            let known = existing
                .addresses
                .iter()
                .any(|a| Some(a.detail.as_str()) == address.detail.as_deref().map(str::trim));
            if !known {
                draft.addresses.push(address.clone());
            }
        }
        draft.check(&self.rules).map_err(|problems| {
            problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// A stored customer as a draft, so a merge is checked like a new record.
fn draft_of(c: &Customer) -> CustomerDraft {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    CustomerDraft {
        name: c.name.clone(),
        gender: Some(c.gender.code().to_owned()),
        birth_date: c.birth_date.map(date_string),
        occupation: some(&c.occupation),
        education: some(&c.education),
        marital_status: some(&c.marital_status),
        id_card: c.id_card.clone(),
        province: some(&c.province),
        city: some(&c.city),
        lifecycle: Some(c.lifecycle.code().to_owned()),
        level: some(&c.level),
        source: some(&c.source),
        notes: some(&c.notes),
        custom_fields: c.custom_fields.clone(),
        owner_id: c.owner_id,
        department_id: c.department_id,
        phones: c
            .phones
            .iter()
            .map(|p| PhoneDraft {
                number: p.number.clone(),
                label: Some(p.label),
            })
            .collect(),
        emails: c
            .emails
            .iter()
            .map(|e| EmailDraft {
                email: e.email.clone(),
                label: Some(e.label.clone()),
            })
            .collect(),
        addresses: c
            .addresses
            .iter()
            .map(|a| AddressDraft {
                label: Some(a.label),
                province: some(&a.province),
                city: some(&a.city),
                detail: some(&a.detail),
                postcode: some(&a.postcode),
            })
            .collect(),
    }
}

fn store_problem(row: &CustomerRow, err: &StoreError) -> Vec<CellProblem> {
    let field = match err {
        StoreError::Duplicate { field, .. } | StoreError::Invalid { field, .. } => Some(*field),
        _ => None,
    };
    vec![CellProblem {
        column: field.and_then(|f| row.columns.get(f).copied()),
        message: err.to_string(),
    }]
}

/// Rows waiting to be written in one transaction, and the keys they hold.
#[derive(Default)]
struct Pending {
    writes: Vec<CustomerWrite>,
    /// (record index, keys) per write.
    owners: Vec<(usize, Vec<String>)>,
    keys: HashSet<String>,
}

/// A batch on its way: what waits to be written, the keys known to belong
/// to a customer, and each row's outcome once decided.
struct Batch {
    pending: Pending,
    known: HashMap<String, i64>,
    outcomes: Vec<Option<RowOutcome>>,
}

impl CustomerTarget {
    async fn flush(
        &self,
        store: &Store,
        now: OffsetDateTime,
        job_id: i64,
        batch: &mut Batch,
        rows: &[CustomerRow],
    ) -> Result<()> {
        let Batch {
            pending,
            known,
            outcomes,
        } = batch;
        if pending.writes.is_empty() {
            return Ok(());
        }
        let results = store
            .apply_customer_import(now, &self.actor, job_id, &pending.writes)
            .await?;
        for ((write, (index, keys)), result) in
            pending.writes.iter().zip(&pending.owners).zip(results)
        {
            outcomes[*index] = Some(match result {
                Ok(id) => {
                    for key in keys {
                        known.entry(key.clone()).or_insert(id);
                    }
                    match write {
                        CustomerWrite::Insert(_) => RowOutcome::Inserted,
                        CustomerWrite::Update(..) => RowOutcome::Merged,
                    }
                }
                Err(err) => RowOutcome::Failed(store_problem(&rows[*index], &err)),
            });
        }
        *pending = Pending::default();
        Ok(())
    }
}

impl ImportTarget for CustomerTarget {
    type Record = CustomerRow;

    fn code(&self) -> &'static str {
        "customers"
    }

    fn fields(&self) -> &[TargetField] {
        &self.fields
    }

    fn check(&self, row: &MappedRow<'_>) -> Result<CustomerRow, Vec<CellProblem>> {
        let mut columns = HashMap::new();
        let mut text = |key: &'static str, field: &str| {
            row.value(key).map(|(column, value)| {
                columns.insert(field.to_owned(), column);
                value.to_owned()
            })
        };
        let mut draft = CustomerDraft {
            name: text("name", "name").unwrap_or_default(),
            gender: text("gender", "gender"),
            birth_date: text("birth_date", "birth_date"),
            occupation: text("occupation", "occupation"),
            education: text("education", "education"),
            marital_status: text("marital_status", "marital_status"),
            id_card: text("id_card", "id_card"),
            province: text("province", "province"),
            city: text("city", "city"),
            lifecycle: text("lifecycle", "lifecycle"),
            level: text("level", "level"),
            source: text("source", "source"),
            notes: text("notes", "notes"),
            owner_id: self.owner_id,
            department_id: self.department_id,
            ..CustomerDraft::default()
        };
        let detail = text("address", "addresses[0].detail");
        let postcode = text("postcode", "addresses[0].postcode");
        if detail.is_some() || postcode.is_some() {
            draft.addresses.push(AddressDraft {
                label: None,
                province: draft.province.clone(),
                city: draft.city.clone(),
                detail,
                postcode,
            });
        }
        for (column, cell) in row.values("phone") {
            for number in cell.split(LIST_SEPARATORS).map(str::trim) {
                if !number.is_empty() {
                    columns.insert(format!("phones[{}].number", draft.phones.len()), column);
                    draft.phones.push(PhoneDraft {
                        number: number.to_owned(),
                        label: None,
                    });
                }
            }
        }
        for (column, cell) in row.values("email") {
            for email in cell.split(LIST_SEPARATORS).map(str::trim) {
                if !email.is_empty() {
                    columns.insert(format!("emails[{}].email", draft.emails.len()), column);
                    draft.emails.push(EmailDraft {
                        email: email.to_owned(),
                        label: None,
                    });
                }
            }
        }
        for def in &self.rules.fields {
            let key = format!("custom.{}", def.key);
            if let Some((column, value)) = row.values(&key).next() {
                let field = format!("custom_fields.{}", def.key);
                columns.insert(field, column);
                draft
                    .custom_fields
                    .insert(def.key.clone(), Value::String(value.to_owned()));
            }
        }
        match draft.check(&self.rules) {
            Ok(input) => Ok(CustomerRow {
                draft,
                input,
                columns,
            }),
            Err(problems) => Err(problems
                .into_iter()
                .map(|p| CellProblem {
                    column: columns.get(&p.field).copied(),
                    message: format!("{}: {}", p.field, p.message),
                })
                .collect()),
        }
    }

    async fn write(
        &self,
        store: &Store,
        now: OffsetDateTime,
        job_id: i64,
        rows: Vec<CustomerRow>,
    ) -> Result<Vec<RowOutcome>> {
        let cards: Vec<String> = rows
            .iter()
            .filter_map(|r| r.input.id_card.clone())
            .collect();
        let numbers: Vec<String> = rows
            .iter()
            .flat_map(|r| r.input.phones.iter().map(|p| p.e164.clone()))
            .collect();
        let (by_card, by_phone) = store.customer_ids_by_keys(&cards, &numbers).await?;
        let known: HashMap<String, i64> = by_card
            .into_iter()
            .map(|(card, id)| (format!("card:{card}"), id))
            .chain(
                by_phone
                    .into_iter()
                    .map(|(number, id)| (format!("tel:{number}"), id)),
            )
            .collect();
        let mut batch = Batch {
            pending: Pending::default(),
            known,
            outcomes: vec![None; rows.len()],
        };
        for (index, row) in rows.iter().enumerate() {
            let keys = row.keys();
            if keys.iter().any(|k| batch.pending.keys.contains(k)) {
                // An earlier row of this batch holds the key: write it first,
                // so this row meets it as an existing customer.
                self.flush(store, now, job_id, &mut batch, &rows).await?;
            }
            // The ID card decides before the numbers.
            let existing = keys.iter().find_map(|k| batch.known.get(k).copied());
            let write = match (existing, self.duplicates) {
                (None, _) => CustomerWrite::Insert(row.input.clone()),
                (Some(_), DuplicatePolicy::Skip) => {
                    batch.outcomes[index] = Some(RowOutcome::Skipped);
                    continue;
                }
                (Some(id), DuplicatePolicy::Merge) => {
                    let customer = match store.customer(id).await {
                        Ok(customer) => customer,
                        Err(err) => {
                            batch.outcomes[index] =
                                Some(RowOutcome::Failed(store_problem(row, &err)));
                            continue;
                        }
                    };
                    if !self.in_scope(&customer) {
                        batch.outcomes[index] = Some(RowOutcome::Failed(vec![CellProblem {
                            column: None,
                            message: format!(
                                "customer #{id} has this ID card or number and is outside \
                                 your data scope"
                            ),
                        }]));
                        continue;
                    }
                    match self.merged(&customer, row) {
                        Ok(input) => CustomerWrite::Update(id, input),
                        Err(message) => {
                            batch.outcomes[index] = Some(RowOutcome::Failed(vec![CellProblem {
                                column: None,
                                message: format!("merging into customer #{id}: {message}"),
                            }]));
                            continue;
                        }
                    }
                }
            };
            let mut held = keys;
            if let CustomerWrite::Update(_, input) = &write {
                held.extend(input.phones.iter().map(|p| format!("tel:{}", p.e164)));
            }
            batch.pending.keys.extend(held.iter().cloned());
            batch.pending.owners.push((index, held));
            batch.pending.writes.push(write);
        }
        self.flush(store, now, job_id, &mut batch, &rows).await?;
        Ok(batch
            .outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| {
                    RowOutcome::Failed(vec![CellProblem {
                        column: None,
                        message: "the row was not written".into(),
                    }])
                })
            })
            .collect())
    }
}

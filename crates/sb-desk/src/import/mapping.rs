//! Which column goes into which field: a suggestion from the header names
//! (Chinese or English, any case, spacing or punctuation; admin-defined
//! fields by their label), and the check of the mapping a user sends.

use super::target::TargetField;
use crate::error::{DeskError, Result};

/// One entry per column: the field key it fills, or `None` to skip it.
pub type Mapping = Vec<Option<String>>;

/// Lower case without spaces and punctuation, so `Mobile No.`, `mobile_no`
/// and `手机号：` compare equal to their aliases.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every name that means `field`: its key, its label whole and word by word,
/// and its aliases.
fn names(field: &TargetField) -> Vec<String> {
    let mut names = vec![normalise(&field.key), normalise(&field.label)];
    names.extend(field.label.split_whitespace().map(normalise));
    if let Some(custom) = field.key.strip_prefix("custom.") {
        names.push(normalise(custom));
    }
    names.extend(field.aliases.iter().map(|a| normalise(a)));
    names.retain(|n| !n.is_empty());
    names
}

/// How well `header` names `field`: an exact name beats a name contained
/// in the header (`客户手机号码` contains `手机号`), longer names beat shorter.
fn score(header: &str, field: &TargetField) -> Option<(bool, usize)> {
    let header = normalise(header);
    if header.is_empty() {
        return None;
    }
    names(field)
        .into_iter()
        .filter_map(|name| {
            if name == header {
                Some((true, name.chars().count()))
            } else if name.chars().count() >= 2 && header.contains(&name) {
                Some((false, name.chars().count()))
            } else {
                None
            }
        })
        .max()
}

/// The mapping the headers suggest; each field that is not repeatable goes
/// to the column that names it best, the rest are skipped.
pub fn suggest_mapping(headers: &[String], fields: &[TargetField]) -> Mapping {
    let mut mapping: Mapping = vec![None; headers.len()];
    let mut candidates: Vec<((bool, usize), usize, &TargetField)> = Vec::new();
    for (column, header) in headers.iter().enumerate() {
        for field in fields {
            if let Some(s) = score(header, field) {
                candidates.push((s, column, field));
            }
        }
    }
    // Best matches first; on a tie the leftmost column wins.
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut taken: Vec<&str> = Vec::new();
    for (_, column, field) in candidates {
        if mapping[column].is_some() || (!field.repeatable && taken.contains(&field.key.as_str())) {
            continue;
        }
        mapping[column] = Some(field.key.clone());
        taken.push(&field.key);
    }
    mapping
}

/// Checks the shape of a mapping: one entry per column, known fields, a
/// field that is not repeatable mapped once. Errors name `mapping[i]`.
pub fn check_mapping(mapping: &Mapping, headers: &[String], fields: &[TargetField]) -> Result<()> {
    if mapping.len() != headers.len() {
        return Err(DeskError::invalid(
            "mapping",
            format!(
                "has {} entries; the file has {} columns",
                mapping.len(),
                headers.len()
            ),
        ));
    }
    for (column, key) in mapping.iter().enumerate() {
        let Some(key) = key else { continue };
        let Some(field) = fields.iter().find(|f| &f.key == key) else {
            let known: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
            return Err(DeskError::invalid(
                format!("mapping[{column}]"),
                format!("`{key}` is not a field (one of: {})", known.join(", ")),
            ));
        };
        if !field.repeatable
            && let Some(first) = mapping[..column]
                .iter()
                .position(|k| k.as_deref() == Some(key))
        {
            return Err(DeskError::invalid(
                format!("mapping[{column}]"),
                format!(
                    "{} is already mapped from column `{}`",
                    field.label, headers[first]
                ),
            ));
        }
    }
    Ok(())
}

/// The required fields no column is mapped to.
pub fn missing_required<'a>(mapping: &Mapping, fields: &'a [TargetField]) -> Vec<&'a TargetField> {
    fields
        .iter()
        .filter(|f| f.required && !mapping.iter().any(|k| k.as_deref() == Some(&f.key)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<TargetField> {
        vec![
            TargetField::new(
                "name",
                "姓名 Name",
                &["客户姓名", "联系人", "customer name"],
            )
            .required(),
            TargetField::new("phone", "电话 Phone", &["手机", "手机号", "mobile", "tel"])
                .repeatable(),
            TargetField::new("id_card", "身份证号 ID card", &["身份证", "证件号码"]),
            TargetField::new("custom.member_no", "会员号", &[]),
        ]
    }

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn chinese_and_english_headers_are_recognised() {
        let h = headers(&[
            "客户姓名",
            "手机号码",
            "Tel.",
            "身份证号码",
            "会员号",
            "备用",
        ]);
        let mapping = suggest_mapping(&h, &fields());
        assert_eq!(
            mapping,
            [
                Some("name".into()),
                Some("phone".into()),
                Some("phone".into()),
                Some("id_card".into()),
                Some("custom.member_no".into()),
                None
            ]
        );
        let en = suggest_mapping(&headers(&["Customer Name", "MOBILE", "id_card"]), &fields());
        assert_eq!(
            en,
            [
                Some("name".into()),
                Some("phone".into()),
                Some("id_card".into())
            ]
        );
    }

    #[test]
    fn a_field_goes_to_the_column_naming_it_best() {
        let mapping = suggest_mapping(&headers(&["联系人姓名", "姓名"]), &fields());
        assert_eq!(mapping, [None, Some("name".into())]);
    }

    #[test]
    fn a_mapping_is_checked() {
        let h = headers(&["a", "b"]);
        let f = fields();
        let short = check_mapping(&vec![None], &h, &f).expect_err("short");
        assert!(matches!(short, DeskError::Invalid { ref field, .. } if field == "mapping"));
        let unknown =
            check_mapping(&vec![None, Some("colour".into())], &h, &f).expect_err("unknown");
        assert!(matches!(unknown, DeskError::Invalid { ref field, .. } if field == "mapping[1]"));
        let twice = check_mapping(&vec![Some("name".into()), Some("name".into())], &h, &f)
            .expect_err("twice");
        assert!(twice.to_string().contains("already mapped from column `a`"));
        check_mapping(&vec![Some("phone".into()), Some("phone".into())], &h, &f)
            .expect("phones repeat");
        let missing = missing_required(&vec![Some("phone".into()), None], &f);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].key, "name");
    }
}

//! Satisfaction survey answers (MISSION Q1): one key pressed per question
//! after a call, with the agent and queue that served it, and a summary per
//! agent for the supervisor. Facts written by the switch: no audit rows.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};
use crate::page::{Page, PageRequest, fetch_page};

/// An answer as the switch reports it.
#[derive(Debug, Clone)]
pub struct NewSurveyResult {
    pub call_id: String,
    /// The question's id in the flow, e.g. `satisfaction`.
    pub question: String,
    /// The key pressed: `0`-`9`, `*` or `#`.
    pub digit: String,
    /// The employee ID of the agent who served the call.
    pub agent: Option<String>,
    pub queue: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SurveyResult {
    pub id: i64,
    pub call_id: String,
    pub question: String,
    pub digit: String,
    pub agent: Option<String>,
    pub queue: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Search filters; every one is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct SurveyFilter {
    pub agent: Option<String>,
    pub queue: Option<String>,
    pub question: Option<String>,
    /// `created_at >= from`.
    pub from: Option<OffsetDateTime>,
    /// `created_at < to`.
    pub to: Option<OffsetDateTime>,
}

/// The answers one agent got to one question.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SurveySummary {
    /// Employee ID; `null` for calls no agent served.
    pub agent: Option<String>,
    /// The agent's name, when the agent is still on the staff list.
    pub agent_name: Option<String>,
    pub question: String,
    pub count: i64,
    /// Mean of the digit keys pressed (`*` and `#` are not scores);
    /// `null` when none was a digit.
    pub average: Option<f64>,
    /// How many times each key was pressed.
    pub distribution: BTreeMap<String, i64>,
}

const COLUMNS: &str = "call_id, question, digit, agent, queue, created_at";

fn from_row(row: &AnyRow) -> Result<SurveyResult> {
    Ok(SurveyResult {
        id: row.try_get("id")?,
        call_id: row.try_get("call_id")?,
        question: row.try_get("question")?,
        digit: row.try_get("digit")?,
        agent: row.try_get("agent")?,
        queue: row.try_get("queue")?,
        created_at: from_millis(row.try_get("created_at")?)?,
    })
}

fn is_key(digit: &str) -> bool {
    let mut chars = digit.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_ascii_digit() || c == '*' || c == '#')
}

fn push_text(cond: &mut Sql, column: &str, value: &Option<String>) {
    if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        cond.push(" AND ")
            .push(column)
            .push(" = ")
            .bind(Arg::Text(value.to_owned()));
    }
}

fn conditions(filter: &SurveyFilter) -> Sql {
    let mut cond = Sql::new(" WHERE 1 = 1");
    push_text(&mut cond, "agent", &filter.agent);
    push_text(&mut cond, "queue", &filter.queue);
    push_text(&mut cond, "question", &filter.question);
    if let Some(from) = filter.from {
        cond.push(" AND created_at >= ")
            .bind(Arg::Int(to_millis(from)));
    }
    if let Some(to) = filter.to {
        cond.push(" AND created_at < ")
            .bind(Arg::Int(to_millis(to)));
    }
    cond
}

impl Store {
    pub async fn insert_survey_result(&self, result: &NewSurveyResult) -> Result<i64> {
        if !is_key(&result.digit) {
            return Err(StoreError::invalid(
                "digit",
                format!("expected one key (0-9, * or #), got `{}`", result.digit),
            ));
        }
        let r = result;
        let row = sqlx::query(&format!(
            "INSERT INTO survey_results ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        ))
        .bind(r.call_id.as_str())
        .bind(r.question.as_str())
        .bind(r.digit.as_str())
        .bind(r.agent.as_deref())
        .bind(r.queue.as_deref())
        .bind(to_millis(r.created_at))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Answers matching `filter`, newest first.
    pub async fn search_survey_results(
        &self,
        filter: &SurveyFilter,
        page: PageRequest,
    ) -> Result<Page<SurveyResult>> {
        let cond = conditions(filter);
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            &format!("SELECT id, {COLUMNS} FROM survey_results"),
            "SELECT COUNT(*) FROM survey_results",
            &cond,
            "created_at DESC, id DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    /// Per agent and question, the answers given in `[from, to)`: count,
    /// average score and how often each key was pressed. Ordered by agent
    /// (calls without one last), then question.
    pub async fn survey_summary(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<SurveySummary>> {
        let rows = sqlx::query(
            "SELECT r.agent, MAX(s.name) AS agent_name, r.question, r.digit, COUNT(*) AS answers \
             FROM survey_results r LEFT JOIN staff s ON s.employee_id = r.agent \
             WHERE r.created_at >= $1 AND r.created_at < $2 \
             GROUP BY r.agent, r.question, r.digit",
        )
        .bind(to_millis(from))
        .bind(to_millis(to))
        .fetch_all(&self.pool)
        .await?;
        let mut summaries: BTreeMap<(bool, Option<String>, String), SurveySummary> =
            BTreeMap::new();
        // Per summary: (sum of digit scores, how many were digits).
        let mut scores: BTreeMap<(bool, Option<String>, String), (i64, i64)> = BTreeMap::new();
        for row in &rows {
            let agent: Option<String> = row.try_get("agent")?;
            let question: String = row.try_get("question")?;
            let digit: String = row.try_get("digit")?;
            let answers: i64 = row.try_get("answers")?;
            let key = (agent.is_none(), agent.clone(), question.clone());
            let summary = summaries
                .entry(key.clone())
                .or_insert_with(|| SurveySummary {
                    agent,
                    agent_name: None,
                    question,
                    count: 0,
                    average: None,
                    distribution: BTreeMap::new(),
                });
            if summary.agent_name.is_none() {
                summary.agent_name = row.try_get("agent_name")?;
            }
            summary.count += answers;
            *summary.distribution.entry(digit.clone()).or_default() += answers;
            if let Some(score) = digit.chars().next().and_then(|c| c.to_digit(10)) {
                let (sum, n) = scores.entry(key).or_default();
                *sum += i64::from(score) * answers;
                *n += answers;
            }
        }
        Ok(summaries
            .into_iter()
            .map(|(key, mut summary)| {
                if let Some((sum, n)) = scores.get(&key).filter(|(_, n)| *n > 0) {
                    // Counts stay far below 2^52, so the division is exact enough.
                    summary.average = Some(*sum as f64 / *n as f64);
                }
                summary
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::is_key;

    #[test]
    fn one_phone_key_only() {
        for good in ["0", "5", "9", "*", "#"] {
            assert!(is_key(good), "{good}");
        }
        for bad in ["", "10", "a", " 1"] {
            assert!(!is_key(bad), "{bad}");
        }
    }
}

//! Campaign rules as pure functions.
//!
//! ```text
//!   planning ──start (needs targets)──▶ running ──finish──▶ finished
//!   (pick targets)                      (record results)     (read-only)
//! ```
//!
//! A result must hang together: only an invited customer can attend, a
//! refusal reason belongs to a declined invitation, a gift and a
//! satisfaction score to someone who came, a dissatisfaction reason to a
//! score of 3 or less.

use sb_store::{CampaignCounts, CampaignResult, CampaignState};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{DeskError, IllegalTransition};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignCommand {
    PickTargets,
    Start,
    RecordResult,
    Finish,
}

impl CampaignCommand {
    fn name(self) -> &'static str {
        match self {
            CampaignCommand::PickTargets => "pick targets",
            CampaignCommand::Start => "start",
            CampaignCommand::RecordResult => "record a result",
            CampaignCommand::Finish => "finish",
        }
    }
}

/// The stage after `command`, or why the campaign's stage refuses it.
pub fn next_stage(
    state: CampaignState,
    command: CampaignCommand,
    counts: &CampaignCounts,
) -> Result<CampaignState, IllegalTransition> {
    let refuse = |reason: String| IllegalTransition {
        command: command.name(),
        reason,
    };
    match (state, command) {
        (CampaignState::Planning, CampaignCommand::PickTargets) => Ok(state),
        (CampaignState::Planning, CampaignCommand::Start) if counts.targets == 0 => {
            Err(refuse("campaign is planning and has no targets yet".into()))
        }
        (CampaignState::Planning, CampaignCommand::Start) => Ok(CampaignState::Running),
        (CampaignState::Running, CampaignCommand::RecordResult) => Ok(state),
        (CampaignState::Running, CampaignCommand::Finish) => Ok(CampaignState::Finished),
        (state, _) => Err(refuse(format!("campaign is {}", state.code()))),
    }
}

/// The result trimmed, or the first field that does not fit the rest.
pub fn check_result(mut result: CampaignResult) -> Result<CampaignResult, DeskError> {
    for (field, text) in [
        ("refusal_reason", &mut result.refusal_reason),
        ("dissatisfaction_reason", &mut result.dissatisfaction_reason),
        ("notes", &mut result.notes),
    ] {
        *text = text.trim().to_owned();
        if text.chars().count() > 500 {
            return Err(DeskError::invalid(field, "at most 500 characters"));
        }
    }
    let came = result.attended == Some(true);
    if came && result.invited != Some(true) {
        return Err(DeskError::invalid(
            "attended",
            "only an invited customer can attend",
        ));
    }
    if !result.refusal_reason.is_empty() && result.invited != Some(false) {
        return Err(DeskError::invalid(
            "refusal_reason",
            "a refusal reason goes with invited = false",
        ));
    }
    if result.gift_taken == Some(true) && !came {
        return Err(DeskError::invalid(
            "gift_taken",
            "only a customer who came can take the gift",
        ));
    }
    if let Some(score) = result.satisfaction {
        if !(1..=5).contains(&score) {
            return Err(DeskError::invalid("satisfaction", "1 to 5"));
        }
        if !came {
            return Err(DeskError::invalid(
                "satisfaction",
                "only a customer who came can rate the campaign",
            ));
        }
    }
    if !result.dissatisfaction_reason.is_empty() && result.satisfaction.is_none_or(|s| s > 3) {
        return Err(DeskError::invalid(
            "dissatisfaction_reason",
            "a dissatisfaction reason goes with a satisfaction of 3 or less",
        ));
    }
    Ok(result)
}

/// A campaign's rates, each absent until its denominator is non-zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct CampaignRates {
    /// Invited / contacted (those with an answer to the invitation).
    pub invitation_rate: Option<f64>,
    /// Came / invited.
    pub attendance_rate: Option<f64>,
    /// Scores of 4 or 5 / scores given.
    pub satisfaction_rate: Option<f64>,
    /// Took the gift / came.
    pub gift_rate: Option<f64>,
}

// Counts of people: far below 2^52, exact as f64.
fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

pub fn rates(counts: &CampaignCounts) -> CampaignRates {
    CampaignRates {
        invitation_rate: ratio(counts.invited, counts.contacted),
        attendance_rate: ratio(counts.attended, counts.invited),
        satisfaction_rate: ratio(counts.satisfied, counts.rated),
        gift_rate: ratio(counts.gift_taken, counts.attended),
    }
}

fn yes_no(value: Option<bool>, yes: &str, no: &str) -> Option<String> {
    value.map(|v| if v { yes.to_owned() } else { no.to_owned() })
}

/// The line a result leaves on the customer's timeline.
pub fn timeline_line(theme: &str, result: &CampaignResult) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(yes_no(result.invited, "已邀约 invited", "谢绝 declined"));
    if !result.refusal_reason.is_empty() {
        parts.push(result.refusal_reason.clone());
    }
    parts.extend(yes_no(
        result.attended,
        "已到场 came",
        "未到场 did not come",
    ));
    if result.gift_taken == Some(true) {
        parts.push("领取礼品 took the gift".into());
    }
    if let Some(score) = result.satisfaction {
        parts.push(format!("满意度 satisfaction {score}/5"));
    }
    if !result.dissatisfaction_reason.is_empty() {
        parts.push(result.dissatisfaction_reason.clone());
    }
    if parts.is_empty() {
        format!("活动 Campaign: {theme}")
    } else {
        format!("活动 Campaign: {theme} — {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(targets: i64) -> CampaignCounts {
        CampaignCounts {
            targets,
            ..CampaignCounts::default()
        }
    }

    #[test]
    fn stages_allow_their_own_work_only() {
        use CampaignCommand::*;
        use CampaignState::*;
        assert_eq!(next_stage(Planning, PickTargets, &counts(0)), Ok(Planning));
        assert_eq!(next_stage(Planning, Start, &counts(3)), Ok(Running));
        assert_eq!(
            next_stage(Planning, Start, &counts(0))
                .expect_err("no targets")
                .to_string(),
            "start: campaign is planning and has no targets yet"
        );
        assert_eq!(next_stage(Running, RecordResult, &counts(3)), Ok(Running));
        assert_eq!(next_stage(Running, Finish, &counts(3)), Ok(Finished));
        for (state, command) in [
            (Planning, RecordResult),
            (Planning, Finish),
            (Running, PickTargets),
            (Running, Start),
            (Finished, RecordResult),
            (Finished, PickTargets),
            (Finished, Start),
            (Finished, Finish),
        ] {
            let err = next_stage(state, command, &counts(3)).expect_err("refused");
            assert_eq!(err.reason, format!("campaign is {}", state.code()));
        }
    }

    fn refused_field(result: CampaignResult) -> String {
        match check_result(result) {
            Err(DeskError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_result_must_hang_together() {
        let came = CampaignResult {
            invited: Some(true),
            attended: Some(true),
            gift_taken: Some(true),
            satisfaction: Some(2),
            dissatisfaction_reason: "  long queue ".into(),
            ..CampaignResult::default()
        };
        let checked = check_result(came.clone()).expect("fine");
        assert_eq!(checked.dissatisfaction_reason, "long queue");
        let declined = CampaignResult {
            invited: Some(false),
            refusal_reason: "busy that day".into(),
            ..CampaignResult::default()
        };
        assert!(check_result(declined).is_ok());

        let cases = [
            (
                CampaignResult {
                    invited: Some(false),
                    ..came.clone()
                },
                "attended",
            ),
            (
                CampaignResult {
                    refusal_reason: "no".into(),
                    ..came.clone()
                },
                "refusal_reason",
            ),
            (
                CampaignResult {
                    attended: Some(false),
                    satisfaction: None,
                    dissatisfaction_reason: String::new(),
                    ..came.clone()
                },
                "gift_taken",
            ),
            (
                CampaignResult {
                    satisfaction: Some(6),
                    ..came.clone()
                },
                "satisfaction",
            ),
            (
                CampaignResult {
                    satisfaction: Some(5),
                    ..came.clone()
                },
                "dissatisfaction_reason",
            ),
        ];
        for (result, field) in cases {
            assert_eq!(refused_field(result), field);
        }
    }

    #[test]
    fn rates_wait_for_their_denominators() {
        assert_eq!(rates(&counts(10)), CampaignRates::default());
        let c = CampaignCounts {
            targets: 10,
            contacted: 8,
            invited: 6,
            refused: 2,
            attended: 3,
            gift_taken: 3,
            rated: 2,
            satisfied: 1,
        };
        let r = rates(&c);
        assert_eq!(r.invitation_rate, Some(0.75));
        assert_eq!(r.attendance_rate, Some(0.5));
        assert_eq!(r.satisfaction_rate, Some(0.5));
        assert_eq!(r.gift_rate, Some(1.0));
    }

    #[test]
    fn the_timeline_line_lists_the_answers() {
        let line = timeline_line(
            "Winter check-up",
            &CampaignResult {
                invited: Some(true),
                attended: Some(true),
                satisfaction: Some(5),
                ..CampaignResult::default()
            },
        );
        assert_eq!(
            line,
            "活动 Campaign: Winter check-up — 已邀约 invited, 已到场 came, 满意度 satisfaction 5/5"
        );
    }
}

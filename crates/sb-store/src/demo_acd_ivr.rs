//! The demo contact centre of the first start: two calendars, the queues
//! `sales` and `service` staffed by the demo agents, and the hotline flow
//! `demo-hotline` on access number and DID 4000.
//!
//! The hotline tests work time against `demo-always-open`, so a demo call is
//! answered by the menu at any hour (and CI can drive it); `standard` is the
//! example of a real office calendar.

use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use crate::acd_queues::{AcdQueueInput, insert_acd_queue, replace_members};
use crate::audit::Actor;
use crate::calendars::{CalendarInput, insert_calendar};
use crate::codes::TargetKind;
use crate::error::{Result, StoreError};
use crate::inbound_routes::{InboundRouteInput, insert_inbound_route};
use crate::ivr_flows::{IvrFlowInput, insert_ivr_flow};

/// The hotline's access number and DID.
const HOTLINE_NUMBER: &str = "4000";
const HOTLINE_NAME: &str = "demo-hotline";

/// UTC+8, Monday to Friday 09:00-12:00 and 13:00-18:00.
const STANDARD_CALENDAR: &str = r#"{
  "utc_offset_minutes": 480,
  "weekly": {
    "mon": ["09:00-12:00", "13:00-18:00"],
    "tue": ["09:00-12:00", "13:00-18:00"],
    "wed": ["09:00-12:00", "13:00-18:00"],
    "thu": ["09:00-12:00", "13:00-18:00"],
    "fri": ["09:00-12:00", "13:00-18:00"]
  },
  "holidays": [],
  "workdays": []
}"#;

/// UTC+8, every day around the clock.
const ALWAYS_OPEN_CALENDAR: &str = r#"{
  "utc_offset_minutes": 480,
  "weekly": {
    "mon": ["00:00-24:00"],
    "tue": ["00:00-24:00"],
    "wed": ["00:00-24:00"],
    "thu": ["00:00-24:00"],
    "fri": ["00:00-24:00"],
    "sat": ["00:00-24:00"],
    "sun": ["00:00-24:00"]
  },
  "holidays": [],
  "workdays": []
}"#;

/// Greeting, work-time check, a menu to sales or service, each queue's
/// voicemail when it overflows, an off-hours message and a goodbye. This is
/// sb-ivr's fixture `tests/fixtures/demo-hotline.json` (which its tests drive)
/// with two changes: work time is `demo-always-open`, and each queue's
/// overflow goes to its own voicemail box.
const HOTLINE_FLOW: &str = r#"{
  "language": "zh",
  "start": "greeting",
  "nodes": {
    "greeting": {
      "type": "play",
      "prompts": [{ "builtin": "welcome" }],
      "next": "hours"
    },
    "hours": {
      "type": "condition",
      "rules": [{ "when": { "work_time": "demo-always-open" }, "next": "menu" }],
      "otherwise": "closed"
    },
    "menu": {
      "type": "menu",
      "prompts": [{ "tts": "销售请按1，服务请按2，人工请按0" }],
      "choices": { "1": "sales", "2": "service", "0": "service" },
      "timeout_ms": 5000,
      "retries": 2,
      "invalid_prompts": [{ "builtin": "invalid-input" }],
      "timeout_prompts": [{ "builtin": "no-input" }],
      "on_failure": "bye"
    },
    "sales": {
      "type": "queue",
      "queue": "sales",
      "priority": 0,
      "data": { "topic": "sales", "caller": "{caller}" },
      "on_overflow": "vm-sales"
    },
    "service": {
      "type": "queue",
      "queue": "service",
      "data": { "topic": "service", "caller": "{caller}" },
      "on_overflow": "vm-service"
    },
    "vm-sales": {
      "type": "voicemail",
      "mailbox": { "queue": "sales" },
      "prompts": [{ "builtin": "all-agents-busy" }, { "builtin": "leave-message-after-tone" }],
      "max_seconds": 120
    },
    "vm-service": {
      "type": "voicemail",
      "mailbox": { "queue": "service" },
      "prompts": [{ "builtin": "all-agents-busy" }, { "builtin": "leave-message-after-tone" }],
      "max_seconds": 120
    },
    "closed": {
      "type": "play",
      "prompts": [{ "builtin": "office-closed" }],
      "next": "bye"
    },
    "bye": {
      "type": "hangup",
      "prompts": [{ "builtin": "goodbye" }]
    }
  }
}"#;

/// The flow the switch runs for a caller whose agent hung up first
/// (MISSION Q1): the switch looks it up by this name.
const SURVEY_NAME: &str = "survey";

const SURVEY_FLOW: &str = r#"{
  "language": "zh",
  "start": "rate",
  "nodes": {
    "rate": {
      "type": "survey",
      "question": "satisfaction",
      "prompts": [{ "builtin": "survey-question" }],
      "choices": ["1", "2", "3"],
      "timeout_ms": 6000,
      "retries": 1,
      "thanks_prompts": [{ "builtin": "survey-thanks" }]
    }
  }
}"#;

async fn staff_id(conn: &mut AnyConnection, employee_id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT id FROM staff WHERE employee_id = $1")
        .bind(employee_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("staff", employee_id))?;
    Ok(row.try_get(0)?)
}

/// Seeds the demo contact centre; the demo staff and `trunk_id` exist.
pub(crate) async fn seed_acd_ivr(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    trunk_id: i64,
) -> Result<()> {
    let seeder = Actor::system("first start");
    for (name, description, document) in [
        (
            "standard",
            "示例：工作日 9:00-12:00、13:00-18:00 Example: weekdays 9-12 and 13-18 (UTC+8)",
            STANDARD_CALENDAR,
        ),
        (
            "demo-always-open",
            "演示：全天开放 Demo: open around the clock",
            ALWAYS_OPEN_CALENDAR,
        ),
    ] {
        let input = CalendarInput {
            name: name.into(),
            description: description.into(),
            document: document.into(),
        };
        insert_calendar(conn, now, &seeder, &input).await?;
    }

    let zhang = staff_id(conn, "1003").await?;
    let liu = staff_id(conn, "1004").await?;
    for (name, display_name, members) in [
        ("sales", "销售 Sales", vec![(zhang, 5)]),
        ("service", "服务 Service", vec![(liu, 5), (zhang, 2)]),
    ] {
        // The demo shows the caller's side of a mature queue: position
        // announcements, the agent's number before connecting, and a
        // returning caller offered to their last agent first.
        let input = AcdQueueInput {
            ring_timeout_s: 15,
            wrap_up_s: 5,
            announce_position: true,
            announce_interval_s: 30,
            announce_agent_number: true,
            sticky_agent_wait_s: Some(10),
            ..AcdQueueInput::new(name, display_name)
        };
        let queue = insert_acd_queue(conn, now, &input).await?;
        replace_members(conn, queue, &members).await?;
    }

    let flow = IvrFlowInput {
        name: HOTLINE_NAME.into(),
        number: Some(HOTLINE_NUMBER.into()),
        description: "演示热线：销售与服务 Demo hotline: sales and service".into(),
        enabled: true,
    };
    insert_ivr_flow(conn, now, &seeder, &flow, HOTLINE_FLOW).await?;
    let survey = IvrFlowInput {
        name: SURVEY_NAME.into(),
        number: None,
        description: "坐席先挂机时的满意度评价 Satisfaction survey when the agent hangs up first"
            .into(),
        enabled: true,
    };
    insert_ivr_flow(conn, now, &seeder, &survey, SURVEY_FLOW).await?;
    let route = InboundRouteInput {
        did: HOTLINE_NUMBER.into(),
        trunk_id: Some(trunk_id),
        target_kind: TargetKind::Flow,
        target: HOTLINE_NAME.into(),
        description: "演示：热线进入语音导航 Demo: the hotline enters the voice menu".into(),
        enabled: true,
    };
    insert_inbound_route(conn, now, &route).await?;
    Ok(())
}

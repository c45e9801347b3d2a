//! The demo callbacks and campaign of the first start: a satisfaction
//! callback list of the inbound team with a task for agent 1002 and one for
//! the team, and a campaign in planning for the Hangzhou customers, so the
//! pages show something before anyone types.

use sb_store::{
    Actor, CallbackListInput, CampaignInput, CampaignKind, CustomerFilter, NewCallbackTask, Store,
};
use time::{Duration, OffsetDateTime};

use crate::DeskError;

/// Loads the demo list and campaign; the demo people and customers must exist.
pub async fn seed(store: &Store, now: OffsetDateTime) -> Result<(), DeskError> {
    let system = Actor::system("demo");
    let agent = store.staff_by_employee_id("1002").await?;
    let inbound = agent.department_id;
    let list = store
        .create_callback_list(
            now,
            &system,
            CallbackListInput {
                name: "售后满意度回访 After-sales satisfaction".into(),
                description: "演示数据 demo data".into(),
                department_id: inbound,
                max_attempts: 3,
                retry_minutes: 60,
            },
        )
        .await?;
    let customers = store
        .search_customers(&CustomerFilter::default(), sb_store::PageRequest::new(1, 2))
        .await?
        .items;
    let tasks: Vec<NewCallbackTask> = customers
        .iter()
        .enumerate()
        .filter_map(|(n, c)| {
            let phone = c.phones.first()?.number.clone();
            Some(NewCallbackTask {
                customer_id: Some(c.id),
                name: c.name.clone(),
                phone,
                notes: "上次维修后的满意度 satisfaction after the last repair".into(),
                assignee_id: (n == 0).then_some(agent.id),
                department_id: inbound,
                due_at: now + Duration::hours(i64::try_from(n).unwrap_or(0)),
            })
        })
        .collect();
    if !tasks.is_empty() {
        store
            .add_callback_tasks(now, &system, list.id, &tasks)
            .await?;
    }
    store
        .create_campaign(
            now,
            &system,
            CampaignInput {
                theme: "冬季保养节 Winter check-up".into(),
                held_on: "2026-12-12".into(),
                kind: CampaignKind::OnSite,
                location: "杭州西湖店 West Lake store".into(),
                description: "演示数据 demo data".into(),
                filter: serde_json::json!({"city": "杭州市"}),
                department_id: inbound,
            },
        )
        .await?;
    Ok(())
}

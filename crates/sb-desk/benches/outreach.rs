//! What callbacks and campaigns cost at the MISSION's scale, on SQLite and
//! PostgreSQL: 1,000,000 customers (a number each, one in 19 a VIP, spread
//! over 10 cities), 1,000,000 callback tasks in 100 lists of 10,000, given
//! round-robin to 200 agents in 10 departments (one task in 10 left to the
//! department). Each measured operation is what the API runs for one
//! request, without HTTP:
//!
//! - `work_list`: an agent's first page of pending tasks, due first (their
//!   own and their department's unclaimed ones), with the count;
//! - `record_attempt`: a call's result through the desk (read, decide,
//!   write onto the version, the attempt row, the customer's timeline);
//! - `list_progress`: a list of 10,000 with its progress counts;
//! - `filter_count`: a campaign's count preview (VIPs of one city);
//! - `pick_targets`: a campaign picking its targets by that filter (about
//!   5,000 customers in one `INSERT ... SELECT`), a few times;
//! - `record_result`: one customer's campaign result.
//!
//! `cargo bench -p sb-desk --bench outreach` (`DESK_BENCH_CUSTOMERS` to
//! change the population; PostgreSQL at `SWITCHBOARD_TEST_POSTGRES_URL`).

mod support;

use std::time::{Duration, Instant};

use sb_core::StaffId;
use sb_desk::callbacks::CallbackDesk;
use sb_desk::campaigns::{CampaignCommand, CampaignDesk};
use sb_store::testing::TestDb;
use sb_store::{
    Actor, CallStatus, CallbackState, CallbackTaskFilter, CampaignInput, CampaignKind,
    CampaignResult, CustomerFilter, NewCallbackAttempt, PageRequest, Store,
};
use time::OffsetDateTime;

use support::{Rng, latency};

const SAMPLES: usize = 1_000;
const AGENTS: u64 = 200;
const DEPARTMENTS: u64 = 10;
const LISTS: u64 = 100;
const CITIES: &[&str] = &[
    "杭州市",
    "宁波市",
    "温州市",
    "嘉兴市",
    "湖州市",
    "绍兴市",
    "金华市",
    "衢州市",
    "舟山市",
    "台州市",
];

fn series(n: u64) -> String {
    format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})")
}

async fn generate(store: &Store, customers: u64) {
    let started = Instant::now();
    let cities = CITIES
        .iter()
        .enumerate()
        .map(|(i, c)| format!("WHEN {i} THEN '{c}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let script = format!(
        "{departments} INSERT INTO departments (number, name, created_at, updated_at) \
           SELECT 'B' || CAST(i AS TEXT), 'Team ' || CAST(i AS TEXT), 0, 0 FROM n;
         {agents} INSERT INTO staff (employee_id, name, department_id, created_at, updated_at) \
           SELECT 'A' || CAST(i AS TEXT), 'Agent ' || CAST(i AS TEXT), \
             (SELECT id FROM departments WHERE number = 'B' || CAST((i - 1) % {DEPARTMENTS} + 1 AS TEXT)), 0, 0 \
           FROM n;
         {customers_n} INSERT INTO customers (name, province, city, level, created_at, updated_at) \
           SELECT '客户' || CAST(i AS TEXT), '浙江省', CASE i % 10 {cities} END, \
             CASE WHEN i % 19 = 0 THEN 'vip' ELSE 'normal' END, 1700000000000, 1700000000000 FROM n;
         INSERT INTO customer_phones (customer_id, number, e164, label, sort_order) \
           SELECT id, '139' || CAST(10000000 + id AS TEXT), '+86139' || CAST(10000000 + id AS TEXT), \
             'mobile', 0 FROM customers;
         {lists} INSERT INTO callback_lists (name, max_attempts, retry_minutes, created_at, updated_at) \
           SELECT 'List ' || CAST(i AS TEXT), 3, 60, 0, 0 FROM n;",
        departments = series(DEPARTMENTS),
        agents = series(AGENTS),
        customers_n = series(customers),
        lists = series(LISTS),
    );
    store
        .execute_script(&script)
        .await
        .expect("people and lists");
    let per_list = customers / LISTS;
    store
        .execute_script(&format!(
            "INSERT INTO callback_tasks (list_id, customer_id, name, phone, assignee_id, \
               department_id, due_at, created_at, updated_at) \
             SELECT (SELECT MIN(id) FROM callback_lists) + (c.id - 1) / {per_list}, c.id, c.name, \
               '139' || CAST(10000000 + c.id AS TEXT), \
               CASE WHEN c.id % 10 = 0 THEN NULL \
                 ELSE (SELECT MIN(id) FROM staff WHERE employee_id LIKE 'A%') + c.id % {AGENTS} END, \
               (SELECT MIN(id) FROM departments WHERE number LIKE 'B%') + c.id % {DEPARTMENTS}, \
               1700000000000 + c.id * 1000, 0, 0 \
             FROM customers c"
        ))
        .await
        .expect("tasks");
    store.execute_script("ANALYZE").await.expect("statistics");
    println!(
        "  generated {customers} customers and as many callback tasks in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn report(what: &str, times: Vec<Duration>) {
    println!("  {what:<16} {}", latency(times));
}

async fn measure(store: &Store, customers: u64) {
    let mut rng = Rng(0x5EED);
    let first_agent = store.staff_by_employee_id("A1").await.expect("agent").id - 1;
    let now = OffsetDateTime::now_utc();

    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let agent = store
            .staff(first_agent + 1 + rng.below(AGENTS) as i64)
            .await
            .expect("agent");
        let filter = CallbackTaskFilter {
            states: vec![CallbackState::Pending],
            worker: Some((agent.id, agent.department_id.into_iter().collect())),
            ..CallbackTaskFilter::default()
        };
        let started = Instant::now();
        let page = store
            .search_callback_tasks(&filter, PageRequest::new(1, 50))
            .await
            .expect("work list");
        times.push(started.elapsed());
        assert_eq!(page.items.len(), 50, "a full first page");
    }
    report("work_list", times);

    let desk = CallbackDesk::new(store.clone());
    let mut times = Vec::with_capacity(SAMPLES);
    let started_all = Instant::now();
    for n in 0..SAMPLES {
        let task = 1 + rng.below(customers) as i64;
        let agent = Actor {
            id: Some(StaffId(first_agent + 1 + (n as i64 % AGENTS as i64))),
            employee_id: "A1".into(),
            name: "Agent".into(),
            ip: String::new(),
        };
        let attempt = NewCallbackAttempt {
            call_status: if n % 3 == 0 {
                CallStatus::Connected
            } else {
                CallStatus::NoAnswer
            },
            success: n % 3 == 0,
            issues: String::new(),
            notes: "bench".into(),
            next_attempt_at: None,
        };
        let started = Instant::now();
        // A task already closed by an earlier sample refuses (409): still a full read and decision.
        let _ = desk.record_attempt(now, &agent, task, attempt).await;
        times.push(started.elapsed());
    }
    let per_second = SAMPLES as f64 / started_all.elapsed().as_secs_f64();
    report("record_attempt", times);
    println!("  record_attempt   {per_second:.0} a second, one after another");

    let first_list = store.list_callback_lists(None).await.expect("lists");
    let list_ids: Vec<i64> = first_list.iter().map(|l| l.id).collect();
    let mut times = Vec::with_capacity(200);
    for _ in 0..200 {
        let id = list_ids[rng.below(list_ids.len() as u64) as usize];
        let started = Instant::now();
        let list = store.callback_list(id).await.expect("list");
        times.push(started.elapsed());
        assert!(list.progress.total > 0);
    }
    report("list_progress", times);

    let city_vips = |city: &str| CustomerFilter {
        levels: vec!["vip".into()],
        city: Some(city.into()),
        ..CustomerFilter::default()
    };
    let mut times = Vec::with_capacity(200);
    for n in 0..200 {
        let started = Instant::now();
        let count = store
            .count_customers(&city_vips(CITIES[n % CITIES.len()]))
            .await
            .expect("count");
        times.push(started.elapsed());
        assert!(count > 0);
    }
    report("filter_count", times);

    let admin = Actor::system("bench");
    let campaigns = CampaignDesk::new(store.clone());
    let mut times = Vec::new();
    let mut campaign_ids = Vec::new();
    for (n, city) in CITIES.iter().enumerate().take(5) {
        let campaign = store
            .create_campaign(
                now,
                &admin,
                CampaignInput {
                    theme: format!("Bench {n}"),
                    held_on: "2026-12-12".into(),
                    kind: CampaignKind::OnSite,
                    location: String::new(),
                    description: String::new(),
                    filter: serde_json::json!({"level": "vip", "city": city}),
                    department_id: None,
                },
            )
            .await
            .expect("campaign");
        let started = Instant::now();
        let picked = campaigns
            .pick_targets(now, &admin, campaign.id, &city_vips(city))
            .await
            .expect("pick");
        times.push(started.elapsed());
        assert!(picked.counts.targets > 0);
        campaigns
            .advance(now, &admin, campaign.id, CampaignCommand::Start)
            .await
            .expect("start");
        campaign_ids.push((campaign.id, picked.counts.targets));
    }
    report("pick_targets", times);
    println!("  (each about {} targets)", campaign_ids[0].1);

    let (campaign, _) = campaign_ids[0];
    let targets = store
        .campaign_targets(campaign, Default::default(), PageRequest::new(1, 1000))
        .await
        .expect("targets");
    let mut times = Vec::with_capacity(SAMPLES);
    for n in 0..SAMPLES {
        let target = &targets.items[n % targets.items.len()];
        let result = CampaignResult {
            invited: Some(true),
            attended: Some(n % 2 == 0),
            satisfaction: (n % 2 == 0).then_some(5),
            ..CampaignResult::default()
        };
        let started = Instant::now();
        campaigns
            .record_result(now, &admin, campaign, target.customer_id, result)
            .await
            .expect("result");
        times.push(started.elapsed());
    }
    report("record_result", times);
}

fn main() {
    let customers: u64 = std::env::var("DESK_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!("SQLite ({customers} customers, {customers} callback tasks)");
        let db = TestDb::sqlite().await;
        generate(&db.store, customers).await;
        measure(&db.store, customers).await;
        db.finish().await;

        match TestDb::postgres().await {
            Some(db) => {
                println!("PostgreSQL ({customers} customers, {customers} callback tasks)");
                generate(&db.store, customers).await;
                measure(&db.store, customers).await;
                db.finish().await;
            }
            None => println!("PostgreSQL unreachable: skipped"),
        }
    });
}

//! What the service desk's lookups cost at the MISSION's scale: 1,000,000
//! customers (each with a mobile number and an ID card, names drawn from
//! common Chinese surnames and given names so a full name matches about 55
//! people), on SQLite and on PostgreSQL. Each measured operation is what
//! the API runs for one request, without HTTP:
//!
//! - `phone`: screen pop — `lookup_by_phone` with the number written the way
//!   a trunk presents it (`0139...`), normalised, found, with the customer's
//!   numbers, e-mails and addresses;
//! - `name`: the list searched by a full name (a prefix range on the name
//!   index, first page of 50 in name order);
//! - `name_prefix`: the list searched by a surname and one character
//!   (about 1,700 matches: first page plus the count);
//! - `id_card`: the list searched by an ID card number;
//! - `ticket_serial`: a ticket found by its number among 2,000,000;
//! - `customer_tickets`: a customer's tickets (the 360 view), newest first.
//!
//! The data is generated in SQL (a recursive CTE both engines run), then
//! `SAMPLES` random lookups of each kind are timed one by one with
//! `Instant`; p50 / p99 / max are printed (the figures docs/PERFORMANCE.md
//! quotes).
//!
//! `cargo bench -p sb-desk --bench desk_lookup` (`DESK_BENCH_CUSTOMERS` to
//! change the population, tickets are twice as many; PostgreSQL at
//! `SWITCHBOARD_TEST_POSTGRES_URL`).

mod support;

use std::time::{Duration, Instant};

use sb_desk::customers::lookup_by_phone;
use sb_store::testing::TestDb;
use sb_store::{
    CustomerFilter, CustomerScope, CustomerSort, PageRequest, Store, TicketFilter, TicketScope,
    TicketSort,
};

use support::{Rng, latency};

const SAMPLES: usize = 2_000;
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗";
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建国";

fn char_at(list: &str, index: u64) -> char {
    let chars: Vec<char> = list.chars().collect();
    chars[(index % chars.len() as u64) as usize]
}

/// The name the generator gives customer `i` (the same formula as the SQL).
fn name_of(i: u64) -> String {
    format!(
        "{}{}{}",
        char_at(SURNAMES, i),
        char_at(GIVEN, i / 20),
        char_at(GIVEN, i / 600)
    )
}

fn mobile_of(i: u64) -> String {
    format!("139{}", 10_000_000 + i)
}

fn id_card_of(i: u64) -> String {
    format!("{}", 100_000_000_000_000_000u64 + i)
}

/// The serial the generator gives ticket `i`: 900,000 a day from 2025-01-01.
fn serial_of(i: u64) -> String {
    format!("{}-{:06}", 20_250_101 + i / 900_000, i % 900_000)
}

async fn generate(store: &Store, customers: u64) {
    let started = Instant::now();
    let surnames = SURNAMES.chars().count();
    let given = GIVEN.chars().count();
    store
        .execute_script(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {customers}) \
             INSERT INTO customers (name, gender, id_card, province, city, lifecycle, level, \
             custom_fields, created_at, updated_at) \
             SELECT substr('{SURNAMES}', (i % {surnames}) + 1, 1) \
                 || substr('{GIVEN}', ((i / 20) % {given}) + 1, 1) \
                 || substr('{GIVEN}', ((i / 600) % {given}) + 1, 1), \
               CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END, \
               CAST(100000000000000000 + i AS TEXT), '浙江省', '杭州市', 'normal', \
               CASE WHEN i % 20 = 0 THEN 'vip' ELSE 'normal' END, '{{}}', \
               1700000000000 + i * 1000, 1700000000000 + i * 1000 FROM n"
        ))
        .await
        .expect("customers");
    store
        .execute_script(
            "INSERT INTO customer_phones (customer_id, number, e164, label, sort_order) \
             SELECT id, '139' || CAST(10000000 + id AS TEXT), \
               '+86139' || CAST(10000000 + id AS TEXT), 'mobile', 0 FROM customers",
        )
        .await
        .expect("phones");
    let tickets = customers * 2;
    store
        .execute_script(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {tickets}) \
             INSERT INTO tickets (serial, kind, channel, type_code, priority, subject, content, \
             customer_id, state, created_at, updated_at) \
             SELECT CAST(20250101 + i / 900000 AS TEXT) || '-' \
                 || substr(CAST(1000000 + i % 900000 AS TEXT), 2, 6), \
               'request', 'phone', CASE i % 4 WHEN 0 THEN 'inquiry' WHEN 1 THEN 'complaint' \
                 WHEN 2 THEN 'repair' ELSE 'suggestion' END, 'normal', '客户来电咨询', '', \
               (i % {customers}) + 1, CASE i % 7 WHEN 0 THEN 'new' WHEN 1 THEN 'in_progress' \
                 ELSE 'closed' END, \
               1700000000000 + i * 500, 1700000000000 + i * 500 FROM n"
        ))
        .await
        .expect("tickets");
    store.execute_script("ANALYZE").await.expect("statistics");
    println!(
        "  generated {customers} customers with numbers and {tickets} tickets in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn report(what: &str, times: Vec<Duration>) {
    println!("  {what:<16} {}", latency(times));
}

async fn measure(store: &Store, customers: u64) {
    let mut rng = Rng(0x5EED);
    let page = PageRequest::new(1, 50);
    let all = CustomerScope::All;

    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let i = 1 + rng.below(customers);
        let started = Instant::now();
        let found = lookup_by_phone(store, &format!("0{}", mobile_of(i)), None, &all)
            .await
            .expect("lookup");
        times.push(started.elapsed());
        assert_eq!(found.customers.len(), 1, "customer {i} by phone");
    }
    report("phone", times);

    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let i = 1 + rng.below(customers);
        let filter = CustomerFilter {
            name_prefix: Some(name_of(i)),
            sort: CustomerSort::Name,
            ..CustomerFilter::default()
        };
        let started = Instant::now();
        let found = store.search_customers(&filter, page).await.expect("name");
        times.push(started.elapsed());
        assert!(!found.items.is_empty(), "customer {i} by name");
    }
    report("name", times);

    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let i = 1 + rng.below(customers);
        let prefix: String = name_of(i).chars().take(2).collect();
        let filter = CustomerFilter {
            name_prefix: Some(prefix),
            sort: CustomerSort::Name,
            ..CustomerFilter::default()
        };
        let started = Instant::now();
        let found = store
            .search_customers(&filter, page)
            .await
            .expect("name prefix");
        times.push(started.elapsed());
        assert!(!found.items.is_empty(), "a two-character prefix");
    }
    report("name_prefix", times);

    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let i = 1 + rng.below(customers);
        let filter = CustomerFilter {
            id_card: Some(id_card_of(i)),
            ..CustomerFilter::default()
        };
        let started = Instant::now();
        let found = store.search_customers(&filter, page).await.expect("card");
        times.push(started.elapsed());
        assert_eq!(found.items.len(), 1, "customer {i} by ID card");
    }
    report("id_card", times);

    let everything = TicketScope::everything();
    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let i = 1 + rng.below(customers * 2);
        let filter = TicketFilter {
            serial: Some(serial_of(i)),
            ..TicketFilter::default()
        };
        let started = Instant::now();
        let found = store
            .search_tickets(&filter, &everything, TicketSort::NewestFirst, page)
            .await
            .expect("serial");
        times.push(started.elapsed());
        assert_eq!(found.items.len(), 1, "ticket {i} by serial");
    }
    report("ticket_serial", times);

    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let i = 1 + rng.below(customers);
        let filter = TicketFilter {
            customer_id: Some(i as i64),
            ..TicketFilter::default()
        };
        let started = Instant::now();
        let found = store
            .search_tickets(&filter, &everything, TicketSort::NewestFirst, page)
            .await
            .expect("customer tickets");
        times.push(started.elapsed());
        assert!(!found.items.is_empty(), "customer {i} has tickets");
    }
    report("customer_tickets", times);
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
        println!("SQLite ({customers} customers)");
        let db = TestDb::sqlite().await;
        generate(&db.store, customers).await;
        measure(&db.store, customers).await;
        db.finish().await;

        match TestDb::postgres().await {
            Some(db) => {
                println!("PostgreSQL ({customers} customers)");
                generate(&db.store, customers).await;
                measure(&db.store, customers).await;
                db.finish().await;
            }
            None => println!("PostgreSQL unreachable: skipped"),
        }
    });
}

//! What importing a large spreadsheet costs (MISSION C6): 100,000 customers
//! in an .xlsx made by rust_xlsxwriter (name, mobile typed as a number, ID
//! card, level, city, notes), read with calamine, checked row by row against
//! the profile rules and written by the import job in batches of 500 with
//! progress after each batch, on SQLite and on PostgreSQL. One in a hundred
//! rows has a broken number (reported); the database starts with the demo's
//! dictionary only, so every good row is a new customer.
//!
//! Printed: the file's size and read time, then per engine the job's time
//! and rows per second (target: under 30 s per engine), and the time to
//! import the first 10,000 rows again, each merging into its customer.
//!
//! `cargo bench -p sb-desk --bench customer_import` (`IMPORT_BENCH_ROWS` and
//! `IMPORT_BENCH_MERGE_ROWS` to change the counts; PostgreSQL at `SWITCHBOARD_TEST_POSTGRES_URL`).

use std::time::Instant;

use sb_desk::customers::CustomerRules;
use sb_desk::import::{
    CustomerTarget, DuplicatePolicy, ImportTarget, Sheet, TextEncoding, read_sheet, run_import,
    suggest_mapping,
};
use sb_store::testing::TestDb;
use sb_store::{Actor, CustomerScope, ImportStatus, Store};
use time::OffsetDateTime;

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
const GIVEN: &[&str] = &["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军"];

/// A valid 18-character ID card for customer `i` (check digit computed).
fn id_card(i: u64) -> String {
    const WEIGHTS: [u64; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    // A thousand holders per birth date, dates counted from 1950-01-01.
    let date = i / 1000;
    let year = 1950 + date / 336;
    let month = 1 + (date / 28) % 12;
    let day = 1 + date % 28;
    let serial = i % 1000;
    let body = format!("110105{year:04}{month:02}{day:02}{serial:03}");
    let sum: u64 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u64::from(b - b'0') * w)
        .sum();
    let check = char::from(CHECK[(sum % 11) as usize]);
    format!("{body}{check}")
}

fn workbook(rows: u64) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in (0u16..).zip(["姓名", "手机", "身份证号", "客户级别", "城市", "备注"])
    {
        sheet.write_string(0, col, header).expect("header");
    }
    for i in 0..rows {
        let row = u32::try_from(i + 1).expect("row");
        let name = format!(
            "{}{}{}",
            SURNAMES[(i % 10) as usize],
            GIVEN[((i / 10) % 10) as usize],
            i
        );
        sheet.write_string(row, 0, &name).expect("name");
        if i % 100 == 99 {
            sheet.write_string(row, 1, "12ab").expect("bad phone");
        } else {
            // Unique per row, so each ID card holder is a new customer.
            sheet
                .write_number(row, 1, (13_600_000_000 + i) as f64)
                .expect("phone");
        }
        // Unique up to 16 million rows.
        sheet.write_string(row, 2, id_card(i)).expect("card");
        sheet
            .write_string(row, 3, if i % 7 == 0 { "VIP" } else { "普通" })
            .expect("level");
        sheet.write_string(row, 4, "杭州").expect("city");
        sheet.write_string(row, 5, "批量导入").expect("notes");
    }
    book.save_to_buffer().expect("xlsx")
}

async fn import(store: &Store, sheet: &Sheet, what: &str) {
    let actor = Actor::system("bench");
    let rules = CustomerRules::load(store, None).await.expect("rules");
    let target = CustomerTarget::new(
        rules,
        actor.clone(),
        None,
        None,
        CustomerScope::All,
        DuplicatePolicy::Merge,
    );
    let mapping = suggest_mapping(&sheet.headers, target.fields());
    let job = store
        .create_import_job(
            OffsetDateTime::now_utc(),
            &actor,
            target.code(),
            "bench.xlsx",
            &serde_json::json!({}),
            sheet.rows.len() as i64,
        )
        .await
        .expect("job");
    store
        .start_import_job(job.id, sheet.rows.len() as i64)
        .await
        .expect("start");
    let started = Instant::now();
    let done = run_import(
        store,
        &OffsetDateTime::now_utc,
        job.id,
        sheet,
        &mapping,
        &target,
    )
    .await
    .expect("import");
    let took = started.elapsed();
    assert_eq!(done.status, ImportStatus::Done, "{}", done.message);
    let rows = sheet.rows.len() as f64;
    println!(
        "  {what}: {:.1} s ({:.0} rows/s): {} added, {} merged, {} refused",
        took.as_secs_f64(),
        rows / took.as_secs_f64(),
        done.inserted,
        done.merged,
        done.failed
    );
}

fn main() {
    let rows: u64 = std::env::var("IMPORT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let started = Instant::now();
    let bytes = workbook(rows);
    println!(
        "{rows} rows: .xlsx of {:.1} MB written in {:.1} s",
        bytes.len() as f64 / 1024.0 / 1024.0,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let sheet = read_sheet("bench.xlsx", &bytes, TextEncoding::Auto).expect("read");
    println!(
        "  read with calamine: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The first rows once more: each now merges into the customer it made.
    let merge_rows: usize = std::env::var("IMPORT_BENCH_MERGE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut again = sheet.clone();
    again.rows.truncate(merge_rows);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!("SQLite");
        let db = TestDb::sqlite().await;
        import(&db.store, &sheet, "import").await;
        import(&db.store, &again, "merge again").await;
        db.finish().await;
        match TestDb::postgres().await {
            Some(db) => {
                println!("PostgreSQL");
                import(&db.store, &sheet, "import").await;
                import(&db.store, &again, "merge again").await;
                db.finish().await;
            }
            None => println!("PostgreSQL unreachable: skipped"),
        }
    });
}

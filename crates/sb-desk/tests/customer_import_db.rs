//! The import's writes on SQLite and PostgreSQL: a batch where the database
//! refuses one row (an ID card taken since the duplicate check) still lands
//! the others and names the refused row's field; a whole import of an .xlsx
//! through the runner with duplicates skipped, its progress and its report.

use sb_desk::customers::CustomerRules;
use sb_desk::import::{
    CustomerTarget, DuplicatePolicy, ImportTarget, TextEncoding, read_sheet, run_import,
    suggest_mapping,
};
use sb_store::testing::t0;
use sb_store::{
    Actor, CustomerInput, CustomerLifecycle, CustomerPhone, CustomerScope, CustomerWrite, Gender,
    ImportStatus, PhoneLabel, Store, StoreError, both_backends,
};

fn input(name: &str, id_card: Option<&str>, e164: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        gender: Gender::Unknown,
        birth_date: None,
        occupation: String::new(),
        education: String::new(),
        marital_status: String::new(),
        id_card: id_card.map(str::to_owned),
        province: String::new(),
        city: String::new(),
        lifecycle: CustomerLifecycle::Normal,
        level: "normal".into(),
        source: String::new(),
        notes: String::new(),
        custom_fields: serde_json::Map::new(),
        owner_id: None,
        department_id: None,
        phones: vec![CustomerPhone {
            number: e164.into(),
            e164: e164.into(),
            label: PhoneLabel::Mobile,
        }],
        emails: Vec::new(),
        addresses: Vec::new(),
    }
}

async fn a_refused_row_does_not_stop_the_batch(store: Store) {
    let actor = Actor::system("test");
    let card = "11010519491231002X";
    store
        .create_customer(t0(), &actor, input("先来", Some(card), "+8613512340000"))
        .await
        .expect("first");
    let job = store
        .create_import_job(
            t0(),
            &actor,
            "customers",
            "x.xlsx",
            &serde_json::json!({}),
            3,
        )
        .await
        .expect("job");
    let writes = [
        CustomerWrite::Insert(input("甲", None, "+8613512340001")),
        CustomerWrite::Insert(input("乙", Some(card), "+8613512340002")),
        CustomerWrite::Insert(input("丙", None, "+8613512340003")),
    ];
    let outcomes = store
        .apply_customer_import(t0(), &actor, job.id, &writes)
        .await
        .expect("batch");
    assert!(outcomes[0].is_ok() && outcomes[2].is_ok(), "{outcomes:?}");
    assert!(
        matches!(
            outcomes[1],
            Err(StoreError::Duplicate {
                field: "id_card",
                ..
            })
        ),
        "{outcomes:?}"
    );
    let (cards, phones) = store
        .customer_ids_by_keys(
            &[card.to_owned()],
            &[
                "+8613512340001".into(),
                "+8613512340002".into(),
                "+8613512340003".into(),
            ],
        )
        .await
        .expect("keys");
    assert_eq!(cards.len(), 1);
    assert_eq!(phones.len(), 2, "甲 and 丙 landed, 乙 did not");
    let third = store
        .customer(*outcomes[2].as_ref().expect("id"))
        .await
        .expect("丙");
    assert_eq!(third.phones[0].e164, "+8613512340003");
}
both_backends!(refused_row, a_refused_row_does_not_stop_the_batch);

async fn an_xlsx_runs_through_the_job(store: Store) {
    let actor = Actor::system("test");
    store
        .create_customer(t0(), &actor, input("老客户", None, "+8613600000002"))
        .await
        .expect("existing");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["姓名", "手机"],
        ["一", "13600000001"],
        ["二", "13600000002"],
        ["", "13600000003"],
        ["四", "13600000001"],
    ];
    for (r, row) in (0u32..).zip(rows) {
        for (c, cell) in (0u16..).zip(row) {
            sheet.write_string(r, c, cell).expect("cell");
        }
    }
    let bytes = book.save_to_buffer().expect("xlsx");
    let sheet = read_sheet("list.xlsx", &bytes, TextEncoding::Auto).expect("read");
    let rules = CustomerRules::load(&store, None).await.expect("rules");
    let target = CustomerTarget::new(
        rules,
        actor.clone(),
        None,
        None,
        CustomerScope::All,
        DuplicatePolicy::Skip,
    );
    let mapping = suggest_mapping(&sheet.headers, target.fields());
    let job = store
        .create_import_job(
            t0(),
            &actor,
            "customers",
            "list.xlsx",
            &serde_json::json!({}),
            4,
        )
        .await
        .expect("job");
    store.start_import_job(job.id, 4).await.expect("start");
    let done = run_import(&store, &t0, job.id, &sheet, &mapping, &target)
        .await
        .expect("run");
    assert_eq!(done.status, ImportStatus::Done);
    assert_eq!(
        (
            done.processed_rows,
            done.inserted,
            done.merged,
            done.skipped,
            done.failed
        ),
        (4, 1, 0, 2, 1),
        "{done:?}"
    );
    let report = store.import_error_report(job.id).await.expect("report");
    assert!(
        report.starts_with("row,column,value,message\n4,"),
        "{report}"
    );
    assert!(report.contains("name: a customer needs a name"), "{report}");
    let again = store.start_import_job(job.id, 4).await;
    assert!(matches!(again, Err(StoreError::Conflict { .. })));
}
both_backends!(xlsx_job, an_xlsx_runs_through_the_job);

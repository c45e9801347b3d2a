//! Test support (feature `testing`): every repository test runs once on SQLite (a temp file) and
//! once on PostgreSQL (a throw-away schema in the database at
//! `SWITCHBOARD_TEST_POSTGRES_URL`, default the local trust-auth server).
//! When PostgreSQL is unreachable the test says so loudly and passes, unless
//! `SWITCHBOARD_REQUIRE_POSTGRES=1` (set by CI) makes that a failure.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::Store;
use time::OffsetDateTime;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A migrated, empty database that is removed afterwards.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url).await.expect("connect sqlite");
        store.migrate().await.expect("migrate sqlite");
        TestDb {
            store,
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// `None` when PostgreSQL is unreachable and not required.
    pub async fn postgres() -> Option<TestDb> {
        let base = std::env::var("SWITCHBOARD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into());
        let required = std::env::var("SWITCHBOARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let admin = match Store::connect(&base).await {
            Ok(s) => s,
            Err(e) if !required => {
                eprintln!("\n!!! SKIPPING PostgreSQL test: {base} unreachable ({e}) !!!\n");
                return None;
            }
            Err(e) => panic!("PostgreSQL required but unreachable at {base}: {e}"),
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_nanos();
        let schema = format!(
            "sbtest_{}_{}_{}",
            now / 1_000_000_000,
            std::process::id(),
            now % 1_000_000_000
        );
        // Best effort: another test process may be dropping the same schema.
        let _ = admin.execute_script(&drop_stale_schemas_sql()).await;
        admin
            .execute_script(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("create test schema");
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let store = Store::connect(&url).await.expect("connect postgres schema");
        store.migrate().await.expect("migrate postgres");
        Some(TestDb {
            store,
            _dir: None,
            pg_schema: Some((base, schema)),
        })
    }

    /// Drops the PostgreSQL schema; SQLite's temp dir goes with `self`.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((base, schema)) = self.pg_schema
            && let Ok(admin) = Store::connect(&base).await
        {
            let _ = admin
                .execute_script(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await;
            admin.close().await;
        }
    }
}

/// Schemas left by runs that crashed more than an hour ago.
fn drop_stale_schemas_sql() -> String {
    let cutoff = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .saturating_sub(3600);
    format!(
        "DO $$ DECLARE s text; BEGIN \
         FOR s IN SELECT nspname FROM pg_namespace WHERE nspname ~ '^sbtest_[0-9]+_' \
           AND split_part(nspname, '_', 2)::bigint < {cutoff} LOOP \
           EXECUTE 'DROP SCHEMA IF EXISTS ' || quote_ident(s) || ' CASCADE'; \
         END LOOP; END $$"
    )
}

/// A fixed start time for tests on virtual time.
pub fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-11-24 09:00 UTC)
}

/// Generates `<name>::sqlite` and `<name>::postgres` from one async body
/// `async fn(Store)`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                super::$body(db.store.clone()).await;
                db.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = $crate::testing::TestDb::postgres().await else {
                    return;
                };
                super::$body(db.store.clone()).await;
                db.finish().await;
            }
        }
    };
}

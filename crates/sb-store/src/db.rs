//! The connection pool for either backend and the embedded migrations.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, ConnectOptions};

use crate::error::{Result, StoreError};

/// Which database engine is behind the pool. SQL is written once with `$n`
/// placeholders, which both engines accept; the few dialect differences are
/// in the migrations, one directory per backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The handle every repository hangs off. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
}

macro_rules! embedded_migrations {
    ($dir:literal: $($version:literal => $file:literal),+ $(,)?) => {
        &[$(($version, $file, include_str!(concat!("../migrations/", $dir, "/", $file)))),+]
    };
}

type MigrationSource = &'static [(i64, &'static str, &'static str)];

const SQLITE_MIGRATIONS: MigrationSource = embedded_migrations!("sqlite":
    1 => "0001_foundation.sql",
    2 => "0002_staff_search_index.sql",
    3 => "0003_switch.sql",
    4 => "0004_recordings.sql",
    5 => "0005_acd_ivr.sql",
    6 => "0006_customers.sql",
    7 => "0007_tickets.sql",
    8 => "0008_knowledge.sql",
    9 => "0009_campaigns.sql",
    10 => "0010_webhooks.sql",
    11 => "0011_agent_pin.sql",
    12 => "0012_follow_me.sql",
);
const POSTGRES_MIGRATIONS: MigrationSource = embedded_migrations!("postgres":
    1 => "0001_foundation.sql",
    2 => "0002_staff_search_index.sql",
    3 => "0003_switch.sql",
    4 => "0004_recordings.sql",
    5 => "0005_acd_ivr.sql",
    6 => "0006_customers.sql",
    7 => "0007_tickets.sql",
    8 => "0008_knowledge.sql",
    9 => "0009_campaigns.sql",
    10 => "0010_webhooks.sql",
    11 => "0011_agent_pin.sql",
    12 => "0012_follow_me.sql",
);

impl Store {
    /// Connects to `sqlite:...` or `postgres://...`. A SQLite file is created
    /// when missing; its directory must exist.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
        let max = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run while one writer commits; the
                        // busy timeout makes concurrent writers queue instead
                        // of failing with SQLITE_BUSY.
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous = NORMAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that will write. On SQLite it takes the write
    /// lock up front (`BEGIN IMMEDIATE`): a deferred transaction that reads
    /// first and writes later fails with SQLITE_BUSY_SNAPSHOT when another
    /// writer commits in between, which the busy timeout does not retry.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Applies every embedded migration not yet applied. Safe to run at each start.
    pub async fn migrate(&self) -> Result<()> {
        let source = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        let migrations: Vec<Migration> = source
            .iter()
            .map(|(version, file, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*file),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        let migrator = Migrator {
            migrations: Cow::Owned(migrations),
            ignore_missing: false,
            locking: true,
            no_tx: false,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Runs SQL text as is, without binding (tests and operator tools: schema
    /// set-up, maintenance). Several statements are allowed.
    pub async fn execute_script(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }

    /// A cheap round trip for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Pool figures for /metrics: (open connections, idle connections).
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Builds SQL with `$n` placeholders numbered in the order values are pushed.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

/// A bound value; kept as an owned enum so filters can be assembled piecemeal.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Appends `(p1, p2, ...)` for an IN list; an empty list matches nothing.
    pub fn bind_list(&mut self, ids: &[i64]) -> &mut Self {
        if ids.is_empty() {
            self.text.push_str("(NULL)");
            return self;
        }
        self.text.push('(');
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(Arg::Int(*id));
        }
        self.text.push(')');
        self
    }

    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for arg in &self.args {
            q = match arg {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_str()),
            };
        }
        q
    }
}

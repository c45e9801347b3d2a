use thiserror::Error;

/// Everything a repository call can fail with. Variants name the cause so the
/// API can map each to the right status without parsing messages.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database url `{0}`: expected sqlite:... or postgres://...")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{field} `{value}` is already in use")]
    Duplicate { field: &'static str, value: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            message: message.into(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps a unique-constraint violation to `Duplicate` naming the field. Each
/// entry is (constraint or column fragment, field): SQLite reports
/// `table.column`, PostgreSQL the constraint name; both contain the fragment.
pub(crate) fn map_unique(err: sqlx::Error, fields: &[(&str, &'static str, &str)]) -> StoreError {
    if let Some(db) = err.as_database_error()
        && db.kind() == sqlx::error::ErrorKind::UniqueViolation
    {
        let text = format!("{} {}", db.message(), db.constraint().unwrap_or_default());
        for (fragment, field, value) in fields {
            if text.contains(fragment) {
                return StoreError::Duplicate {
                    field,
                    value: (*value).to_owned(),
                };
            }
        }
    }
    StoreError::Database(err)
}

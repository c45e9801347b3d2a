//! Times are stored as Unix milliseconds so both backends sort and compare them
//! the same way; the API sees `OffsetDateTime` (RFC 3339 on the wire).

use time::OffsetDateTime;

use crate::error::{Result, StoreError};

pub fn to_millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub fn from_millis(ms: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {ms}: {e}")))
}

pub fn from_millis_opt(ms: Option<i64>) -> Result<Option<OffsetDateTime>> {
    ms.map(from_millis).transpose()
}

/// `Option<Date>` on the wire as `YYYY-MM-DD` (the `time` crate's default
/// is a tuple without its human-readable feature).
pub mod iso_date_option {
    use serde::Serializer;
    use time::Date;

    pub fn serialize<S: Serializer>(
        value: &Option<Date>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(date) => serializer.serialize_str(&format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            )),
            None => serializer.serialize_none(),
        }
    }
}

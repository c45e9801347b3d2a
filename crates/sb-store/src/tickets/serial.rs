//! Readable serial numbers, `YYYYMMDD-NNNNNN`: the day in the business time
//! zone and a running number per day, bumped in the same write transaction
//! as the insert so concurrent creations never share a number.

use sqlx::{AnyConnection, Row};
use time::{OffsetDateTime, UtcOffset};

use crate::error::{Result, StoreError};

/// China Standard Time, where the day of a serial starts.
pub const BUSINESS_UTC_OFFSET_HOURS: i8 = 8;

/// `YYYYMMDD` of `now` in the business time zone.
pub fn serial_day(now: OffsetDateTime) -> String {
    let offset = UtcOffset::from_hms(BUSINESS_UTC_OFFSET_HOURS, 0, 0).unwrap_or(UtcOffset::UTC);
    let local = now.to_offset(offset);
    format!(
        "{:04}{:02}{:02}",
        local.year(),
        u8::from(local.month()),
        local.day()
    )
}

/// The next serial of `now`'s day. An upsert takes the counter row's lock
/// (PostgreSQL) or runs under the writer lock (SQLite's `BEGIN IMMEDIATE`).
pub(crate) async fn next_serial(conn: &mut AnyConnection, now: OffsetDateTime) -> Result<String> {
    let day = serial_day(now);
    let number: i64 = sqlx::query(
        "INSERT INTO ticket_serials (day, last_number) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last_number = ticket_serials.last_number + 1 \
         RETURNING last_number",
    )
    .bind(&day)
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    if number > 999_999 {
        return Err(StoreError::Conflict {
            code: "serial_exhausted",
            message: format!("more than 999999 tickets on {day}"),
        });
    }
    Ok(format!("{day}-{number:06}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_day_turns_at_midnight_in_china() {
        assert_eq!(serial_day(datetime!(2026-11-24 15:59:59 UTC)), "20261124");
        assert_eq!(serial_day(datetime!(2026-11-24 16:00:00 UTC)), "20261125");
    }
}

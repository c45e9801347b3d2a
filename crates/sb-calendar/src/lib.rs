//! Business calendars (MISSION I2, W3, O2): business hours, holidays and
//! make-up workdays, and SLA clocks that pause outside working time.
//!
//! A sans-IO core: no clock reads, no IO; every question takes `now_ms`
//! (unix milliseconds) and the calendar's own UTC offset turns it into a
//! local day and time. The IVR asks [`Calendar::is_open`] for its work-time
//! branches; ticket SLAs use [`Calendar::add_working_ms`] for deadlines and
//! [`Calendar::working_ms_between`] for time spent.
//!
//! Layout: `weekday` and `span` (the document's vocabulary), `calendar` (the
//! document, its JSON form and validation), `timeline` (open intervals on
//! the real time line and the questions answered from them), `error`.

mod calendar;
mod error;
mod span;
mod timeline;
mod weekday;

pub use calendar::Calendar;
pub use error::CalendarError;
pub use span::{MINUTES_PER_DAY, Span};
pub use time::Date;
pub use timeline::{DayKind, SEARCH_HORIZON_DAYS};
pub use weekday::Weekday;

//! Lists out to Excel (.xlsx, rust_xlsxwriter): one sheet with a bold
//! header row and text cells, built off the async runtime and sent as a
//! download. Tickets, callback lists and campaigns export through here.

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use time::OffsetDateTime;

use crate::error::{ApiError, ApiResult};

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A time as the console's users read it: China time, to the minute; ''
/// for none.
pub fn local_time(t: Option<OffsetDateTime>) -> String {
    let offset = time::UtcOffset::from_hms(sb_store::BUSINESS_UTC_OFFSET_HOURS, 0, 0)
        .unwrap_or(time::UtcOffset::UTC);
    t.map(|t| {
        let t = t.to_offset(offset);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    })
    .unwrap_or_default()
}

fn workbook(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    for (col, header) in (0u16..).zip(headers) {
        sheet.write_string_with_format(0, col, *header, &bold)?;
    }
    for (row, cells) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            sheet.write_string(row, col, cell)?;
        }
    }
    sheet.autofit();
    book.save_to_buffer()
}

/// The rows as a workbook download named `file_name`.
pub async fn download(
    file_name: String,
    sheet_name: &'static str,
    headers: &'static [&'static str],
    rows: Vec<Vec<String>>,
) -> ApiResult<Response> {
    let bytes = tokio::task::spawn_blocking(move || workbook(sheet_name, headers, &rows))
        .await
        .map_err(|e| ApiError::internal("building an export", e))?
        .map_err(|e| ApiError::internal("building an export", e))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(XLSX_TYPE));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

//! Lists out to a spreadsheet download: sb-desk's [`Table`] written off the
//! async runtime as .xlsx or CSV and sent as an attachment. Tickets,
//! customers, callback lists, campaigns, the import template and the
//! import's row reports all leave through here.

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sb_desk::export::{SheetFormat, Table};
use time::OffsetDateTime;

use crate::error::{ApiError, ApiResult};

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

/// The `format` query parameter: `xlsx` (default) or `csv`.
pub(crate) fn sheet_format(format: Option<&str>) -> ApiResult<SheetFormat> {
    let format = format.unwrap_or_default();
    SheetFormat::parse(format)
        .ok_or_else(|| ApiError::validation("format", format!("`{format}` is not xlsx or csv")))
}

/// A spreadsheet file as the answer, downloaded as `stem` plus the format's extension.
pub(crate) fn file_response(bytes: Vec<u8>, format: SheetFormat, stem: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let file = format!("{stem}.{}", format.extension());
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// Builds a table's file off the async threads.
pub(crate) async fn write_table(table: Table, format: SheetFormat) -> ApiResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || table.write(format))
        .await
        .map_err(|e| ApiError::internal("writing a spreadsheet", e))?
        .map_err(ApiError::from)
}

/// The rows as an .xlsx download named `stem`.xlsx.
pub async fn download(
    stem: String,
    sheet_name: &'static str,
    headers: &'static [&'static str],
    rows: Vec<Vec<String>>,
) -> ApiResult<Response> {
    let table = Table {
        sheet: sheet_name.to_owned(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    };
    let bytes = write_table(table, SheetFormat::Xlsx).await?;
    Ok(file_response(bytes, SheetFormat::Xlsx, &stem))
}

//! The refused rows, one line per problem (row, column, value, message),
//! kept with the job as CSV and downloadable as .csv or .xlsx.

use crate::error::{DeskError, Result};
use crate::export::Table;

pub const REPORT_HEADERS: [&str; 4] = ["row", "column", "value", "message"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub row: u32,
    /// `手机 (B)`; empty for the whole row.
    pub column: String,
    pub value: String,
    pub message: String,
}

/// The lines as CSV text with a header line; empty when there are none.
pub fn report_csv(lines: &[ReportLine]) -> Result<String> {
    if lines.is_empty() {
        return Ok(String::new());
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| DeskError::Export(e.to_string());
    writer.write_record(REPORT_HEADERS).map_err(fail)?;
    for line in lines {
        writer
            .write_record([
                line.row.to_string().as_str(),
                &line.column,
                &line.value,
                &line.message,
            ])
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| DeskError::Export(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| DeskError::Export(e.to_string()))
}

/// A stored report as a table, for the .xlsx download.
pub fn report_table(csv_text: &str) -> Result<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| DeskError::Export(e.to_string()))?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(Table {
        sheet: "Errors".into(),
        headers: REPORT_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_round_trips_through_csv() {
        let lines = [ReportLine {
            row: 3,
            column: "手机 (B)".into(),
            value: "12ab, \"x\"".into(),
            message: "not a number".into(),
        }];
        let text = report_csv(&lines).expect("csv");
        assert!(text.starts_with("row,column,value,message\n3,手机 (B),\"12ab, \"\"x\"\"\""));
        let table = report_table(&text).expect("table");
        assert_eq!(
            table.rows,
            [["3", "手机 (B)", "12ab, \"x\"", "not a number"]]
        );
        assert_eq!(report_csv(&[]).expect("empty"), "");
    }
}

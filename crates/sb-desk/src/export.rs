//! Lists out to a spreadsheet: one small table type written as .xlsx
//! (rust_xlsxwriter, bold header, fitted columns) or as CSV (UTF-8 with a
//! BOM, so Excel opens Chinese text right). Tickets, customers, the import
//! template and the import's row report all go through it.

use rust_xlsxwriter::{Format, Workbook};

use crate::error::{DeskError, Result};

pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// A header row and text rows, as one worksheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The file formats a table is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SheetFormat {
    #[default]
    Xlsx,
    Csv,
}

impl SheetFormat {
    /// `xlsx` or `csv` (the query parameter's values).
    pub fn parse(text: &str) -> Option<SheetFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "xlsx" | "" => Some(SheetFormat::Xlsx),
            "csv" => Some(SheetFormat::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            SheetFormat::Xlsx => "xlsx",
            SheetFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            SheetFormat::Xlsx => XLSX_CONTENT_TYPE,
            SheetFormat::Csv => CSV_CONTENT_TYPE,
        }
    }
}

impl Table {
    pub fn write(&self, format: SheetFormat) -> Result<Vec<u8>> {
        match format {
            SheetFormat::Xlsx => self.xlsx(),
            SheetFormat::Csv => self.csv(),
        }
    }

    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let fail = |e: rust_xlsxwriter::XlsxError| DeskError::Export(e.to_string());
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.sheet).map_err(fail)?;
        let bold = Format::new().set_bold();
        for (col, header) in (0u16..).zip(&self.headers) {
            sheet
                .write_string_with_format(0, col, header, &bold)
                .map_err(fail)?;
        }
        for (row, cells) in (1u32..).zip(&self.rows) {
            for (col, cell) in (0u16..).zip(cells) {
                if !cell.is_empty() {
                    sheet.write_string(row, col, cell).map_err(fail)?;
                }
            }
        }
        sheet.autofit();
        book.save_to_buffer().map_err(fail)
    }

    pub fn csv(&self) -> Result<Vec<u8>> {
        let fail = |e: csv::Error| DeskError::Export(e.to_string());
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        writer.write_record(&self.headers).map_err(fail)?;
        for row in &self.rows {
            writer.write_record(row).map_err(fail)?;
        }
        writer
            .into_inner()
            .map_err(|e| DeskError::Export(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{TextEncoding, read_sheet};

    fn table() -> Table {
        Table {
            sheet: "Customers".into(),
            headers: vec!["姓名 Name".into(), "电话 Phone".into()],
            rows: vec![vec!["张三".into(), "13800138000; 0571-88888888".into()]],
        }
    }

    #[test]
    fn both_formats_read_back() {
        for format in [SheetFormat::Xlsx, SheetFormat::Csv] {
            let bytes = table().write(format).expect("write");
            let name = format!("out.{}", format.extension());
            let sheet = read_sheet(&name, &bytes, TextEncoding::Auto).expect("read back");
            assert_eq!(sheet.headers, table().headers);
            assert_eq!(sheet.rows[0].cells, table().rows[0]);
        }
        assert_eq!(SheetFormat::parse("CSV"), Some(SheetFormat::Csv));
        assert_eq!(SheetFormat::parse("pdf"), None);
    }
}

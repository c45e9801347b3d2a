//! Reading an uploaded file into a sheet of text cells: workbooks (.xlsx,
//! .xls, .ods, .xlsb) through calamine, CSV through the csv crate after
//! decoding the bytes (UTF-8 with or without BOM, UTF-16 with BOM, else GBK,
//! which Excel on Chinese Windows writes; or the encoding the user chose).
//! Every refusal says what is wrong in words for the person who uploaded it.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Ods, Range, Reader, Xls, Xlsb, Xlsx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{DeskError, Result};

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Data rows one file may hold.
pub const MAX_ROWS: usize = 200_000;
/// Columns one file may hold.
pub const MAX_COLUMNS: usize = 200;

/// How the text of a CSV file is encoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    /// UTF-8 when the bytes are valid UTF-8 (or carry a BOM), else GBK.
    #[default]
    Auto,
    Utf8,
    Gbk,
}

/// What kind of file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Xlsx,
    Xls,
    Xlsb,
    Ods,
    Csv,
}

/// One data row: its number as the spreadsheet shows it (the header is row
/// 1 when it is the first row) and its cells, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub number: u32,
    pub cells: Vec<String>,
}

/// The first worksheet of a file as text: the header row's names and the
/// data rows below it (blank rows left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub kind: FileKind,
    /// The encoding a CSV file was read in (`utf-8`, `gbk`, `utf-16`).
    pub encoding: Option<&'static str>,
    /// One name per column; an unnamed column is called by its letter.
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
    /// The spreadsheet column of the first column (0 for A).
    pub first_column: u32,
}

impl Sheet {
    /// `C`, `AA`: the letter of column `index` as the spreadsheet shows it.
    pub fn column_letter(&self, index: usize) -> String {
        column_letter(u32::try_from(index).unwrap_or(u32::MAX) + self.first_column)
    }

    /// `手机 (C)`: how the report names column `index`.
    pub fn column_name(&self, index: usize) -> String {
        match self.headers.get(index) {
            Some(header) => format!("{header} ({})", self.column_letter(index)),
            None => String::new(),
        }
    }
}

pub fn column_letter(mut index: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + u8::try_from(index % 26).unwrap_or(0)));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

fn unreadable(message: impl Into<String>) -> DeskError {
    DeskError::UnreadableFile(message.into())
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The kind of `bytes`, from the name's extension checked against the
/// content (a renamed file is read for what it is).
pub fn kind_of(file_name: &str, bytes: &[u8]) -> Result<FileKind> {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let zip = bytes.starts_with(ZIP_MAGIC);
    let ole = bytes.starts_with(OLE_MAGIC);
    let kind = match (extension.as_str(), zip, ole) {
        ("ods", true, _) => FileKind::Ods,
        ("xlsb", true, _) => FileKind::Xlsb,
        (_, true, _) => FileKind::Xlsx,
        (_, _, true) => FileKind::Xls,
        ("xlsx" | "xlsm" | "xlsb" | "ods" | "xls", false, false) => {
            return Err(unreadable(format!(
                "`{file_name}` is not a .{extension} workbook (its content is something else); \
                 save it again from the spreadsheet program"
            )));
        }
        ("csv" | "txt" | "tsv", ..) => FileKind::Csv,
        _ => {
            return Err(unreadable(format!(
                "`{file_name}` is not a spreadsheet: upload an .xlsx, .xls, .ods or .csv file"
            )));
        }
    };
    Ok(kind)
}

/// Reads the first worksheet of `bytes`. `encoding` matters for CSV only.
pub fn read_sheet(file_name: &str, bytes: &[u8], encoding: TextEncoding) -> Result<Sheet> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(unreadable(format!(
            "the file is {:.1} MB; at most {} MB may be imported at once — split it",
            bytes.len() as f64 / 1024.0 / 1024.0,
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    if bytes.is_empty() {
        return Err(unreadable("the file is empty"));
    }
    let kind = kind_of(file_name, bytes)?;
    let (grid, first_column, text_encoding) = match kind {
        FileKind::Csv => {
            let (text, name) = decode(bytes, encoding)?;
            (csv_rows(&text)?, 0, Some(name))
        }
        FileKind::Xlsx => workbook_rows::<Xlsx<_>>(bytes, ".xlsx")?,
        FileKind::Xls => workbook_rows::<Xls<_>>(bytes, ".xls")?,
        FileKind::Xlsb => workbook_rows::<Xlsb<_>>(bytes, ".xlsb")?,
        FileKind::Ods => workbook_rows::<Ods<_>>(bytes, ".ods")?,
    };
    into_sheet(kind, text_encoding, grid, first_column)
}

/// Rows with their number as the spreadsheet program shows it.
type Grid = Vec<(u32, Vec<String>)>;

fn workbook_rows<'a, R>(bytes: &'a [u8], what: &str) -> Result<(Grid, u32, Option<&'static str>)>
where
    R: Reader<Cursor<&'a [u8]>>,
    R::Error: std::fmt::Display,
{
    let mut book: R = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        unreadable(format!(
            "the file could not be read as an {what} workbook ({e}); \
             if it is password-protected, remove the password"
        ))
    })?;
    let range: Range<Data> = match book.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => {
            return Err(unreadable(format!(
                "the first worksheet could not be read: {e}"
            )));
        }
        None => return Err(unreadable("the workbook has no worksheet")),
    };
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    if range.height() > MAX_ROWS + 1 {
        return Err(too_many_rows());
    }
    let grid = (first_row + 1..)
        .zip(range.rows())
        .map(|(number, row)| (number, row.iter().map(cell_text).collect()))
        .collect();
    Ok((grid, first_column, None))
}

fn too_many_rows() -> DeskError {
    unreadable(format!(
        "the file has more than {MAX_ROWS} rows; split it into smaller files"
    ))
}

/// A cell as text: whole numbers without `.0` (phone numbers typed as
/// numbers), dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        // Exact: |f| < 1e15 fits an i64 without rounding.
        #[allow(clippy::cast_possible_truncation)]
        let whole = f as i64;
        whole.to_string()
    } else {
        f.to_string()
    }
}

/// The text of a CSV file and the name of the encoding it was read in.
pub fn decode(bytes: &[u8], encoding: TextEncoding) -> Result<(Cow<'_, str>, &'static str)> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let (text, had_errors) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        if had_errors {
            return Err(unreadable("the UTF-16 text of the file is broken"));
        }
        return Ok((text, "utf-16"));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let (text, had_errors) = encoding_rs::UTF_16BE.decode_without_bom_handling(rest);
        if had_errors {
            return Err(unreadable("the UTF-16 text of the file is broken"));
        }
        return Ok((text, "utf-16"));
    }
    if bytes.contains(&0) {
        return Err(unreadable(
            "the file is not text: upload an .xlsx, .xls, .ods or .csv file",
        ));
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let body = if bom { &bytes[3..] } else { bytes };
    let utf8 = std::str::from_utf8(body);
    match (encoding, utf8) {
        (TextEncoding::Auto | TextEncoding::Utf8, Ok(text)) => Ok((Cow::Borrowed(text), "utf-8")),
        (TextEncoding::Utf8, Err(e)) => Err(unreadable(format!(
            "the file is not valid UTF-8 (at byte {}); choose GBK if it was saved by Excel \
             on Chinese Windows",
            e.valid_up_to() + if bom { 3 } else { 0 }
        ))),
        (TextEncoding::Auto, Err(_)) if bom => Err(unreadable(
            "the file says it is UTF-8 but its text is broken; save it again as CSV UTF-8",
        )),
        (TextEncoding::Auto | TextEncoding::Gbk, _) => {
            let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(body);
            if had_errors {
                let message = if encoding == TextEncoding::Gbk {
                    "the file is not valid GBK text; choose UTF-8 or save it again"
                } else {
                    "the file's text is neither UTF-8 nor GBK; save it again as CSV UTF-8"
                };
                return Err(unreadable(message));
            }
            Ok((text, "gbk"))
        }
    }
}

/// The separator the first line uses most: comma, semicolon or tab.
fn delimiter(text: &str) -> u8 {
    let line = text.lines().next().unwrap_or_default();
    let count = |c: char| line.matches(c).count();
    [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|d| (count(char::from(*d)), *d == b','))
        .unwrap_or(b',')
}

fn csv_rows(text: &str) -> Result<Grid> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    let (mut line, mut counted) = (1, 0);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            unreadable(format!("the CSV text is broken near line {line}: {e}"))
        })?;
        if grid.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        // The line the record starts on, counted from its byte offset: the
        // reader skips empty lines without counting them.
        let mut start = record
            .position()
            .map_or(counted, |p| usize::try_from(p.byte()).unwrap_or(counted));
        // The position may be that of the empty lines before the record.
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        line += text
            .as_bytes()
            .get(counted..start)
            .map_or(0, |skipped| skipped.iter().filter(|b| **b == b'\n').count());
        counted = start.max(counted);
        let number = u32::try_from(line).unwrap_or(u32::MAX);
        grid.push((number, record.iter().map(|c| c.trim().to_owned()).collect()));
    }
    Ok(grid)
}

fn into_sheet(
    kind: FileKind,
    encoding: Option<&'static str>,
    grid: Grid,
    first_column: u32,
) -> Result<Sheet> {
    let mut numbered = grid
        .into_iter()
        .filter(|(_, row)| !row.iter().all(String::is_empty));
    let Some((_, header)) = numbered.next() else {
        return Err(unreadable(
            "the file is empty: it has no header row and no data",
        ));
    };
    let rows: Vec<SheetRow> = numbered
        .map(|(number, cells)| SheetRow { number, cells })
        .collect();
    if rows.is_empty() {
        return Err(unreadable(
            "the file has a header row but no data rows below it",
        ));
    }
    if rows.len() > MAX_ROWS {
        return Err(too_many_rows());
    }
    let width = rows
        .iter()
        .map(|r| r.cells.len())
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    if width > MAX_COLUMNS {
        return Err(unreadable(format!(
            "the file has {width} columns; at most {MAX_COLUMNS} can be imported"
        )));
    }
    // Trailing columns without a header or any value are left out.
    let used = (0..width)
        .rev()
        .find(|&c| {
            header.get(c).is_some_and(|h| !h.is_empty())
                || rows
                    .iter()
                    .any(|r| r.cells.get(c).is_some_and(|v| !v.is_empty()))
        })
        .map_or(0, |c| c + 1);
    let headers = (0..used)
        .map(|c| match header.get(c).filter(|h| !h.is_empty()) {
            Some(h) => h.clone(),
            None => format!(
                "Column {}",
                column_letter(u32::try_from(c).unwrap_or(0) + first_column)
            ),
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|mut r| {
            r.cells.resize(used, String::new());
            r
        })
        .collect();
    Ok(Sheet {
        kind,
        encoding,
        headers,
        rows,
        first_column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(err: DeskError) -> String {
        match err {
            DeskError::UnreadableFile(m) => m,
            other => panic!("expected an unreadable file, got {other:?}"),
        }
    }

    #[test]
    fn utf8_csv_with_bom_and_blank_rows() {
        let text = "\u{feff}姓名,手机\n张三, 13800138000 \n\n李四,13900139000\n";
        let sheet = read_sheet("a.csv", text.as_bytes(), TextEncoding::Auto).expect("read");
        assert_eq!(sheet.headers, ["姓名", "手机"]);
        assert_eq!(sheet.encoding, Some("utf-8"));
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[0].cells, ["张三", "13800138000"]);
        assert_eq!(sheet.rows[1].number, 4, "row numbers count the blank row");
        assert_eq!(sheet.column_name(1), "手机 (B)");
    }

    #[test]
    fn gbk_csv_is_detected_or_chosen() {
        let (bytes, _, _) = encoding_rs::GBK.encode("姓名;电话\n王五;010-66666666\n");
        let sheet = read_sheet("b.csv", &bytes, TextEncoding::Auto).expect("read");
        assert_eq!(sheet.encoding, Some("gbk"));
        assert_eq!(sheet.headers, ["姓名", "电话"], "semicolons too");
        assert_eq!(sheet.rows[0].cells, ["王五", "010-66666666"]);
        let chosen = read_sheet("b.csv", &bytes, TextEncoding::Gbk).expect("gbk");
        assert_eq!(chosen, sheet);
        let wrong = read_sheet("b.csv", &bytes, TextEncoding::Utf8).expect_err("not utf-8");
        assert!(message(wrong).contains("not valid UTF-8"));
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let empty = message(read_sheet("a.csv", b"", TextEncoding::Auto).expect_err("empty"));
        assert!(empty.contains("empty"), "{empty}");
        let header_only = message(
            read_sheet("a.csv", "姓名,手机\n".as_bytes(), TextEncoding::Auto).expect_err("no data"),
        );
        assert!(header_only.contains("no data rows"), "{header_only}");
        let picture = message(
            read_sheet("a.png", b"\x89PNG\r\n\x1a\n\0\0", TextEncoding::Auto).expect_err("png"),
        );
        assert!(picture.contains("not a spreadsheet"), "{picture}");
        let fake = message(
            read_sheet("a.xlsx", b"name,phone\nx,1\n", TextEncoding::Auto).expect_err("fake"),
        );
        assert!(fake.contains("not a .xlsx workbook"), "{fake}");
        let binary_csv =
            message(read_sheet("a.csv", b"ab\0cd\n", TextEncoding::Auto).expect_err("binary"));
        assert!(binary_csv.contains("not text"), "{binary_csv}");
        let broken_zip = message(
            read_sheet("a.xlsx", b"PK\x03\x04garbage", TextEncoding::Auto).expect_err("zip"),
        );
        assert!(broken_zip.contains(".xlsx workbook"), "{broken_zip}");
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        let too_big = message(read_sheet("a.csv", &big, TextEncoding::Auto).expect_err("big"));
        assert!(too_big.contains("at most 20 MB"), "{too_big}");
        let latin = message(
            read_sheet("a.csv", b"name\n\xff\xff\xff\n", TextEncoding::Auto).expect_err("enc"),
        );
        assert!(latin.contains("neither UTF-8 nor GBK"), "{latin}");
    }

    #[test]
    fn xlsx_cells_become_text() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_string(0, 0, "姓名").expect("cell");
        sheet.write_string(0, 1, "手机").expect("cell");
        sheet.write_string(0, 3, "生日").expect("cell");
        sheet.write_string(1, 0, "张三").expect("cell");
        sheet.write_number(1, 1, 13800138000.0).expect("cell");
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(1990, 5, 17).expect("date");
        sheet
            .write_datetime_with_format(1, 3, &day, &date)
            .expect("cell");
        let bytes = book.save_to_buffer().expect("xlsx");
        let read = read_sheet("c.xlsx", &bytes, TextEncoding::Auto).expect("read");
        assert_eq!(read.kind, FileKind::Xlsx);
        assert_eq!(read.headers, ["姓名", "手机", "Column C", "生日"]);
        assert_eq!(
            read.rows[0].cells,
            ["张三", "13800138000", "", "1990-05-17"]
        );
        assert_eq!(read.rows[0].number, 2);
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}

//! Excel and OpenDocument spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`), read with
//! calamine: an analyst's export is as often a workbook as a CSV file.
//!
//! Every worksheet is read, in the workbook's order (hidden ones too; chart and macro sheets hold
//! no cells and worksheets with no cell are passed over). Each is a table of its own, handed to
//! the CSV reader ([`super::csv_in`]), so that its header row, text column, id, sender and date
//! columns, `--text-col` and `--no-header` work exactly as for a CSV file. Cells are written as
//! they show: text as it is, a whole number without a decimal point (a phone number stored as a
//! number stays `13800138000`), a date as `2024-03-01` or `2024-03-01 08:30:00` (the sheet's own
//! wall time, no zone). `line` in output rows is the row of the sheet, counted from 1 as Excel
//! shows it.
//!
//! A workbook with one worksheet of cells is one source, named as the file. With several, each
//! sheet is a source of its own, `file.xlsx#Sheet name`, with its own record numbers. A sheet that
//! cannot be read as a table (no text column, say) is one error record naming the sheet and why,
//! and the other sheets are read; when no sheet can be, the workbook is an error as a whole.
//!
//! A workbook is read whole into memory (the format is a zip archive of XML, or a compound file,
//! and cannot be read front to back as a stream); sheets have at most 1,048,576 rows.

use super::csv_in;
use super::encoding::TextEncoding;
use super::{iso8601_utc, ReaderOptions, RecordError, RecordStream};
use crate::error::{Error, Result};
use calamine::{Data, Range, Reader};
use std::io::Cursor;

/// Whether `head`, the first bytes of a file named `name`, is a workbook calamine reads: a zip
/// archive holding an Excel workbook's parts or an OpenDocument spreadsheet, whatever its name,
/// or a zip archive or an OLE compound file (`.xls`) named `.xlsx`, `.xlsm`, `.xlsb`, `.xls` or
/// `.ods`.
pub(crate) fn looks_like_spreadsheet(name: &str, head: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    let named = [".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e));
    let zip = head.starts_with(b"PK\x03\x04");
    let ole = head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    // Excel's parts are under `xl/` (a Word or PowerPoint file has `[Content_Types].xml` too,
    // but `word/`, `ppt/`); an OpenDocument file names its type first.
    let zip_workbook = zip
        && [
            &b"xl/"[..],
            b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
        ]
        .iter()
        .any(|w| head.windows(w.len()).any(|x| x == *w));
    zip_workbook || (named && (zip || ole))
}

/// The records of every worksheet of the workbook in `bytes` (see the module's notes).
pub fn open(bytes: Vec<u8>, source: String, opts: &ReaderOptions) -> Result<RecordStream> {
    let sheets =
        worksheets(&bytes, &source).map_err(|why| Error::Invalid(format!("{source}: {why}")))?;
    drop(bytes);
    let several = sheets.len() > 1;
    let mut streams: Vec<RecordStream> = Vec::with_capacity(sheets.len());
    let mut first_error = None;
    let mut read = 0;
    for sheet in sheets {
        let name = if several {
            format!("{source}#{}", sheet.name)
        } else {
            source.clone()
        };
        // The error row of a sheet that cannot be read points at its first row.
        let first_row = sheet.rows.first().map_or(1, |&(_, row)| row);
        match open_sheet(sheet, name.clone(), opts) {
            Ok(records) => {
                read += 1;
                streams.push(records);
            }
            Err(e) if several => {
                let reason = match &e {
                    Error::Invalid(why) => why
                        .strip_prefix(&format!("{name}: "))
                        .unwrap_or(why)
                        .to_string(),
                    other => other.to_string(),
                };
                let row = RecordError::new(
                    name,
                    first_row,
                    1,
                    format!("{reason}: the worksheet is not read"),
                );
                streams.push(Box::new(std::iter::once(Err(row))));
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    // No sheet could be read: the workbook is an error, as a CSV file without a text column is.
    if let Some(e) = first_error.filter(|_| read == 0) {
        return Err(e);
    }
    Ok(Box::new(streams.into_iter().flatten()))
}

/// One worksheet's cells, converted to CSV text.
struct Sheet {
    name: String,
    /// The sheet as CSV text.
    csv: Vec<u8>,
    /// For each row written to `csv`: the CSV line it starts on and its row in the sheet.
    rows: Vec<(u64, u64)>,
}

/// The records of one worksheet, from the CSV reader, with the sheet's row numbers as lines.
fn open_sheet(sheet: Sheet, source: String, opts: &ReaderOptions) -> Result<RecordStream> {
    let Sheet { name, csv, rows } = sheet;
    let records =
        csv_in::open_with_encoding(Cursor::new(csv), source, b',', opts, TextEncoding::Utf8)
            .map_err(|e| match e {
                // The CSV reader names the source; say which sheet it read.
                Error::Invalid(why) => Error::Invalid(format!("{why} (worksheet {name:?})")),
                other => other,
            })?;
    // The CSV reader counts the lines of the CSV text; a record's line there is turned back into
    // its row in the sheet.
    let row_of = move |line: u64| match rows.binary_search_by_key(&line, |&(l, _)| l) {
        Ok(i) => rows[i].1,
        Err(i) => rows.get(i.saturating_sub(1)).map_or(line, |r| r.1),
    };
    Ok(Box::new(records.map(move |r| match r {
        Ok(mut rec) => {
            rec.line = row_of(rec.line);
            Ok(rec)
        }
        Err(mut e) => {
            e.line = row_of(e.line);
            Err(e)
        }
    })))
}

/// The workbook in `cursor` read as format `F` (`what` names it for the error), as one of
/// calamine's [`Sheets`](calamine::Sheets) by `wrap`.
fn read_as<'a, F>(
    cursor: Cursor<&'a [u8]>,
    what: &str,
    wrap: fn(F) -> calamine::Sheets<Cursor<&'a [u8]>>,
) -> std::result::Result<calamine::Sheets<Cursor<&'a [u8]>>, String>
where
    F: Reader<Cursor<&'a [u8]>>,
    F::Error: std::fmt::Display,
{
    calamine::open_workbook_from_rs::<F, _>(cursor)
        .map(wrap)
        .map_err(|e| format!("cannot read the {what}: {e}"))
}

/// Every worksheet of the workbook that has a cell, as CSV text, in the workbook's order (the
/// first worksheet, empty, when none has), or why the workbook cannot be read.
fn worksheets(bytes: &[u8], source: &str) -> std::result::Result<Vec<Sheet>, String> {
    use calamine::{SheetType, Sheets};
    let lower = source.to_ascii_lowercase();
    let cursor = Cursor::new(bytes);
    let ext = |e: &str| lower.ends_with(e);
    let mut book = if ext(".xlsx") || ext(".xlsm") {
        read_as(cursor, "Excel workbook", Sheets::Xlsx)?
    } else if ext(".xlsb") {
        read_as(cursor, "Excel workbook", Sheets::Xlsb)?
    } else if ext(".xls") {
        read_as(cursor, "Excel 97-2003 workbook", Sheets::Xls)?
    } else if ext(".ods") {
        read_as(cursor, "OpenDocument spreadsheet", Sheets::Ods)?
    } else {
        calamine::open_workbook_auto_from_rs(cursor)
            .map_err(|e| format!("cannot read the spreadsheet: {e}"))?
    };
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| matches!(s.typ, SheetType::WorkSheet))
        .map(|s| s.name.clone())
        .collect();
    if names.is_empty() {
        return Err("the workbook has no worksheet".into());
    }
    let mut sheets = Vec::new();
    for name in &names {
        let range = book
            .worksheet_range(name)
            .map_err(|e| format!("cannot read worksheet {name:?}: {e}"))?;
        // An empty worksheet holds no record.
        if range.is_empty() {
            continue;
        }
        let (csv, rows) = to_csv(&range);
        sheets.push(Sheet {
            name: name.clone(),
            csv,
            rows,
        });
    }
    // When every worksheet is empty, the workbook reads as the first one, an empty table, rather
    // than as nothing at all.
    if sheets.is_empty() {
        sheets.push(Sheet {
            name: names[0].clone(),
            csv: Vec::new(),
            rows: Vec::new(),
        });
    }
    Ok(sheets)
}

/// The sheet as CSV text, and for each row written the CSV line it starts on and its row in the
/// sheet (from 1), in order.
fn to_csv(range: &Range<Data>) -> (Vec<u8>, Vec<(u64, u64)>) {
    let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut rows = Vec::new();
    let mut line = 1u64;
    let mut fields: Vec<String> = Vec::new();
    for (i, row) in range.rows().enumerate() {
        fields.clear();
        // Columns left of the used range are empty: kept, so that column numbers are the sheet's.
        fields.extend(std::iter::repeat_n(String::new(), first_col));
        // Every row as wide as the used range, as Excel writes a sheet as CSV.
        fields.extend(row.iter().map(cell_text));
        rows.push((line, first_row + i as u64 + 1));
        out.write_record(&fields).expect("writing CSV to memory");
        line += 1 + fields
            .iter()
            .map(|f| f.matches('\n').count() as u64)
            .sum::<u64>();
    }
    let bytes = out.into_inner().expect("writing CSV to memory");
    (bytes, rows)
}

/// A cell as the sheet shows it (see the module's notes).
fn cell_text(d: &Data) -> String {
    match d {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
        Data::DateTime(dt) if dt.is_datetime() => excel_date(dt.as_f64()),
        Data::Error(_) => String::new(),
        other => other.to_string(),
    }
}

/// An Excel date serial (days since 1899-12-30, the fraction the time of day) as
/// `YYYY-MM-DD`, with ` HH:MM:SS` when it has a time.
fn excel_date(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return serial.to_string();
    }
    let secs = (serial * 86_400.0).round() as i64 - 25_569 * 86_400;
    let iso = iso8601_utc(secs); // 1970-01-01T00:00:00Z
    let (date, time) = (&iso[..10], &iso[11..19]);
    if time == "00:00:00" {
        date.to_string()
    } else {
        format!("{date} {time}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_numbers_read_as_the_sheet_shows_them() {
        assert_eq!(excel_date(45352.0), "2024-03-01");
        assert_eq!(excel_date(45352.354166666664), "2024-03-01 08:30:00");
        assert_eq!(excel_date(25569.0), "1970-01-01");
        assert_eq!(cell_text(&Data::Float(13800138000.0)), "13800138000");
        assert_eq!(cell_text(&Data::Float(0.38)), "0.38");
        assert_eq!(cell_text(&Data::Int(-7)), "-7");
        assert_eq!(cell_text(&Data::String("押金299元".into())), "押金299元");
        assert_eq!(cell_text(&Data::Empty), "");
    }

    #[test]
    fn zip_and_ole_heads_are_told_apart() {
        let xlsx = b"PK\x03\x04\x14\x00!\x00[Content_Types].xml...PK\x03\x04xl/workbook.xml";
        assert!(looks_like_spreadsheet("export", xlsx));
        let docx = b"PK\x03\x04\x14\x00!\x00[Content_Types].xml...PK\x03\x04word/document.xml";
        assert!(!looks_like_spreadsheet("report", docx));
        let ods =
            b"PK\x03\x04\x14\x00\x00\x08mimetypeapplication/vnd.oasis.opendocument.spreadsheet";
        assert!(looks_like_spreadsheet("download", ods));
        assert!(looks_like_spreadsheet("a.xlsx", b"PK\x03\x04rest"));
        assert!(!looks_like_spreadsheet("a.zip", b"PK\x03\x04rest"));
        assert!(looks_like_spreadsheet(
            "old.XLS",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00"
        ));
        assert!(!looks_like_spreadsheet("a.xlsx", b"id,text\n1,hi\n"));
    }
}

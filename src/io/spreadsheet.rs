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
//! and cannot be read front to back as a stream); sheets have at most 1,048,576 rows. What one
//! workbook may ask for is bounded ([`Limits`]): the file's size; for a zip workbook (`.xlsx`,
//! `.xlsm`, `.xlsb`, `.ods`), the size of its parts once unpacked — measured by unpacking them,
//! not taken from the archive's own claims — and the longest run of text or markup between two
//! tags of its XML (one cell's text: Excel's hold at most 32,767 characters); and for every
//! worksheet, the size of its cells as a table, counted as they are read (`.xlsx`, `.xlsb`:
//! cell by cell, never as the dense grid from the first to the last cell). A workbook over a
//! limit is an error naming it, a worksheet over one is an error record naming the sheet while
//! the others are read; neither is ever an out-of-memory abort. Rows without a cell are not
//! written to the table (they are no record; the rows after them keep their numbers).

use super::csv_in;
use super::encoding::TextEncoding;
use super::{iso8601_utc, ReaderOptions, RecordError, RecordStream};
use crate::error::{Error, Result};
use calamine::{Data, DataRef, Reader};
use std::io::{Cursor, Read};

/// What one workbook may ask for (see the module's notes); [`Limits::default`] is what `score`
/// uses.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest workbook file, in bytes (it is read whole).
    pub file_bytes: u64,
    /// Most bytes a zip workbook's XML and binary parts may unpack to, together.
    pub unpacked_bytes: u64,
    /// Longest run of bytes between two `<`/`>` in an XML part: one cell's text, or one tag.
    pub xml_run_bytes: u64,
    /// Most bytes the worksheets' cells may take as tables, together (a cell's text and 32 bytes
    /// for it while read; each written row as wide as the sheet's used range).
    pub table_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_bytes: 512 << 20,
            unpacked_bytes: 1 << 30,
            xml_run_bytes: 16 << 20,
            table_bytes: 512 << 20,
        }
    }
}

/// `n` bytes in MiB, for messages.
fn mib(n: u64) -> String {
    let m = n as f64 / f64::from(1u32 << 20);
    if m >= 10.0 || m.fract() == 0.0 {
        format!("{m:.0} MiB")
    } else {
        format!("{m:.1} MiB")
    }
}

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
    open_with_limits(bytes, source, opts, &Limits::default())
}

/// [`open`] with other [`Limits`] than the default ones.
pub fn open_with_limits(
    bytes: Vec<u8>,
    source: String,
    opts: &ReaderOptions,
    limits: &Limits,
) -> Result<RecordStream> {
    let sheets = worksheets(&bytes, &source, limits)
        .map_err(|why| Error::Invalid(format!("{source}: {why}")))?;
    drop(bytes);
    let several = sheets.len() > 1;
    let mut streams: Vec<RecordStream> = Vec::with_capacity(sheets.len());
    let mut first_error = None;
    let mut read = 0;
    for mut sheet in sheets {
        let name = if several {
            format!("{source}#{}", sheet.name)
        } else {
            source.clone()
        };
        // The error row of a sheet that cannot be read points at its first row.
        let first_row = sheet.rows.first().map_or(1, |&(_, row)| row);
        // A worksheet over a limit is not read: one error record, or the workbook's error when it
        // is the only one.
        if let Some(why) = sheet.too_large.take() {
            if !several {
                return Err(Error::Invalid(format!("{name}: {why}")));
            }
            let row = RecordError::new(
                name.clone(),
                first_row,
                1,
                format!("{why}: the worksheet is not read"),
            );
            streams.push(Box::new(std::iter::once(Err(row))));
            first_error.get_or_insert(Error::Invalid(format!("{name}: {why}")));
            continue;
        }
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
    /// Why the sheet is not read: it is over a [`Limits`] one.
    too_large: Option<String>,
}

/// The records of one worksheet, from the CSV reader, with the sheet's row numbers as lines.
fn open_sheet(sheet: Sheet, source: String, opts: &ReaderOptions) -> Result<RecordStream> {
    let Sheet {
        name, csv, rows, ..
    } = sheet;
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
fn worksheets(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
) -> std::result::Result<Vec<Sheet>, String> {
    use calamine::{SheetType, Sheets};
    if bytes.len() as u64 > limits.file_bytes {
        return Err(format!(
            "workbook too large: {} on disk, the limit is {}; it is not read",
            mib(bytes.len() as u64),
            mib(limits.file_bytes)
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        check_unpacked(bytes, limits)?;
    }
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
    // What the worksheets read so far take, against `limits.table_bytes`.
    let mut used = 0u64;
    for name in &names {
        let cant = |e: &dyn std::fmt::Display| format!("cannot read worksheet {name:?}: {e}");
        let mut cells = Cells::new(limits.table_bytes.saturating_sub(used));
        // `.xlsx` and `.xlsb` are read cell by cell; calamine's `worksheet_range` would first
        // allocate the dense grid from the first cell to the last (a cell at XFD1048576 alone
        // asks for 17 billion), and clone a shared string into every cell that shows it.
        let read = match &mut book {
            Sheets::Xlsx(x) => match x.worksheet_cells_reader(name) {
                Ok(mut r) => loop {
                    match r.next_cell() {
                        Ok(Some(c)) => {
                            if let Err(why) = cells.push_ref(c.get_position(), c.get_value()) {
                                break Err(why);
                            }
                        }
                        Ok(None) => break Ok(()),
                        Err(e) => return Err(cant(&e)),
                    }
                },
                // A chart sheet listed as a worksheet holds no cell.
                Err(calamine::XlsxError::NotAWorksheet(_)) => Ok(()),
                Err(e) => return Err(cant(&e)),
            },
            Sheets::Xlsb(x) => {
                let mut r = x.worksheet_cells_reader(name).map_err(|e| cant(&e))?;
                loop {
                    match r.next_cell() {
                        Ok(Some(c)) => {
                            if let Err(why) = cells.push_ref(c.get_position(), c.get_value()) {
                                break Err(why);
                            }
                        }
                        Ok(None) => break Ok(()),
                        Err(e) => return Err(cant(&e)),
                    }
                }
            }
            // `.xls` is parsed whole when opened, `.ods` caps its grid itself (100 million cells).
            other => {
                let range = other.worksheet_range(name).map_err(|e| cant(&e))?;
                let (r0, c0) = range.start().unwrap_or((0, 0));
                range.used_cells().try_for_each(|(r, c, d)| {
                    cells.push((r0 + r as u32, c0 + c as u32), cell_text(d))
                })
            }
        };
        let table = read.and_then(|()| cells.into_csv());
        match table {
            // An empty worksheet holds no record.
            Ok(None) => {}
            Ok(Some((csv, rows))) => {
                used += csv.len() as u64;
                sheets.push(Sheet {
                    name: name.clone(),
                    csv,
                    rows,
                    too_large: None,
                });
            }
            Err(why) => sheets.push(Sheet {
                name: name.clone(),
                csv: Vec::new(),
                rows: Vec::new(),
                too_large: Some(format!(
                    "worksheet {name:?} too large: {why}, the limit is {} for a workbook's \
                     worksheets together",
                    mib(limits.table_bytes)
                )),
            }),
        }
    }
    // When every worksheet is empty, the workbook reads as the first one, an empty table, rather
    // than as nothing at all.
    if sheets.is_empty() {
        sheets.push(Sheet {
            name: names[0].clone(),
            csv: Vec::new(),
            rows: Vec::new(),
            too_large: None,
        });
    }
    Ok(sheets)
}

/// Checks that the parts of the zip workbook in `bytes` that calamine may read (`.xml`, `.rels`,
/// `.bin`: not pictures) unpack to at most `limits.unpacked_bytes` together, and that no run of
/// bytes between two `<`/`>` of an XML part is longer than `limits.xml_run_bytes`. The parts are
/// unpacked to count (as a stream, nothing kept): the sizes an archive claims can lie. A part
/// that cannot be unpacked is left for calamine to report.
fn check_unpacked(bytes: &[u8], limits: &Limits) -> std::result::Result<(), String> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let name = String::from_utf8_lossy(part.name_raw()).into_owned();
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".bin")) {
            continue;
        }
        let xml = !lower.ends_with(".bin");
        let too_large = |total: u64| {
            format!(
                "workbook too large: its parts unpack to {} or more (counted up to {name}), \
                 the limit is {}; it is not read",
                mib(total),
                mib(limits.unpacked_bytes)
            )
        };
        // What the archive says: a part claimed larger than the limit is not unpacked at all.
        if total.saturating_add(part.size()) > limits.unpacked_bytes {
            return Err(too_large(total.saturating_add(part.size())));
        }
        let mut run = 0u64;
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            total += n as u64;
            if total > limits.unpacked_bytes {
                return Err(too_large(total));
            }
            if xml {
                let chunk = &buf[..n];
                let mut from = 0;
                for at in memchr::memchr2_iter(b'<', b'>', chunk) {
                    run += (at - from) as u64;
                    if run > limits.xml_run_bytes {
                        break;
                    }
                    run = 0;
                    from = at + 1;
                }
                run += (n - from) as u64;
                if run > limits.xml_run_bytes {
                    return Err(format!(
                        "workbook not read: {name} has a cell's text or a tag longer than {} \
                         (Excel's cells hold at most 32,767 characters)",
                        mib(limits.xml_run_bytes)
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The cells of one worksheet as read, each with its text, within a budget of bytes.
struct Cells {
    /// (row, column, text), from 0, in the order read.
    cells: Vec<(u32, u32, String)>,
    /// Bytes the cells take (their text and 32 each), and the most they may.
    bytes: u64,
    budget: u64,
}

impl Cells {
    fn new(budget: u64) -> Self {
        Cells {
            cells: Vec::new(),
            bytes: 0,
            budget,
        }
    }

    /// Adds a cell as calamine's cell readers give it (an empty one is no cell).
    fn push_ref(&mut self, pos: (u32, u32), v: &DataRef) -> std::result::Result<(), String> {
        if matches!(v, DataRef::Empty) {
            return Ok(());
        }
        self.push(pos, cell_text(&Data::from(v.clone())))
    }

    fn push(&mut self, pos: (u32, u32), text: String) -> std::result::Result<(), String> {
        self.bytes += text.len() as u64 + 32;
        if self.bytes > self.budget {
            return Err(format!(
                "more than {} of cells after {} cells (up to row {})",
                mib(self.budget),
                self.cells.len() + 1,
                u64::from(pos.0) + 1
            ));
        }
        self.cells.push((pos.0, pos.1, text));
        Ok(())
    }

    /// The sheet as CSV text, and for each row written the CSV line it starts on and its row in
    /// the sheet (from 1), in order; `None` for a sheet without a cell. Every row is as wide as
    /// the used range, with the columns left of it kept (empty), so that column numbers are the
    /// sheet's, as Excel writes a sheet as CSV; a row without a cell is not written.
    #[allow(clippy::type_complexity)]
    fn into_csv(self) -> std::result::Result<Option<(Vec<u8>, Vec<(u64, u64)>)>, String> {
        let Cells {
            mut cells, budget, ..
        } = self;
        if cells.is_empty() {
            return Ok(None);
        }
        // Cells are not always in order; of two at one place the later one counts.
        if !cells.is_sorted_by_key(|c| (c.0, c.1)) {
            cells.sort_by_key(|c| (c.0, c.1));
        }
        cells.reverse();
        cells.dedup_by_key(|c| (c.0, c.1));
        cells.reverse();
        let width = cells.iter().map(|c| c.1).max().unwrap_or(0) as u64 + 1;
        let mut row_count = 0u64;
        let mut last = None;
        for c in &cells {
            if last != Some(c.0) {
                row_count += 1;
                last = Some(c.0);
            }
        }
        let text: u64 = cells.iter().map(|c| c.2.len() as u64).sum();
        let size = text + row_count * width;
        if size > budget {
            return Err(format!(
                "{row_count} rows of {width} columns, {} as a table",
                mib(size)
            ));
        }
        let mut out = csv::Writer::from_writer(Vec::with_capacity(size as usize));
        let mut rows = Vec::new();
        let mut line = 1u64;
        let mut fields: Vec<String> = vec![String::new(); width as usize];
        let mut cells = cells.into_iter().peekable();
        while let Some((row, col, text)) = cells.next() {
            fields[col as usize] = text;
            if cells.peek().is_some_and(|c| c.0 == row) {
                continue;
            }
            rows.push((line, u64::from(row) + 1));
            out.write_record(&fields).expect("writing CSV to memory");
            line += 1 + fields
                .iter()
                .map(|f| f.matches('\n').count() as u64)
                .sum::<u64>();
            fields.iter_mut().for_each(String::clear);
        }
        let bytes = out.into_inner().expect("writing CSV to memory");
        Ok(Some((bytes, rows)))
    }
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

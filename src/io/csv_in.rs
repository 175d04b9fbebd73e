//! CSV / TSV with a header row. The text column is the one named by the caller, else a column
//! with a usual name (text, content, 内容 …), else the column with the longest values in the first
//! rows.

use super::encoding::{decode, TextEncoding};
use super::jsonl::TEXT_FIELDS;
use super::{finish_record, ReaderOptions, Record, RecordError, RecordResult, RecordStream};
use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::io::BufRead;

const SNIFF_ROWS: usize = 50;

struct Columns {
    text: usize,
    id: Option<usize>,
    sender: Option<usize>,
    date: Option<usize>,
}

pub struct CsvReader<R: std::io::Read> {
    rows: csv::ByteRecordsIntoIter<R>,
    buffered: VecDeque<csv::Result<csv::ByteRecord>>,
    cols: Columns,
    source: String,
    index: u64,
    encoding: TextEncoding,
    /// An I/O error ends the file (the reader may not recover from it).
    done: bool,
}

fn find(
    headers: &[String],
    given: &Option<String>,
    defaults: &[&str],
    what: &str,
    source: &str,
) -> Result<Option<usize>> {
    if let Some(g) = given {
        return match headers.iter().position(|h| h == g) {
            Some(i) => Ok(Some(i)),
            None => Err(Error::Invalid(format!(
                "{source}: no {what} column {g:?} (columns: {})",
                headers.join(", ")
            ))),
        };
    }
    Ok(defaults
        .iter()
        .find_map(|d| headers.iter().position(|h| h.eq_ignore_ascii_case(d))))
}

/// Opens UTF-8 CSV (delimiter `,`) or TSV (`\t`).
pub fn open<R: BufRead + Send + 'static>(
    inner: R,
    source: String,
    delimiter: u8,
    opts: &ReaderOptions,
) -> Result<RecordStream> {
    open_with_encoding(inner, source, delimiter, opts, TextEncoding::Utf8)
}

/// Opens CSV/TSV in an ASCII-compatible encoding (UTF-8, GB18030, Big5: their multi-byte
/// sequences never contain a delimiter, quote or newline byte, so the bytes are split first and
/// each field decoded after).
pub fn open_with_encoding<R: BufRead + Send + 'static>(
    inner: R,
    source: String,
    delimiter: u8,
    opts: &ReaderOptions,
    encoding: TextEncoding,
) -> Result<RecordStream> {
    // Rows end at `\n` (and a `\r` before it is dropped from the last field): with the csv crate's
    // default CRLF terminator, the line numbers of CRLF files (Excel's) come out one too low.
    // Files with no `\n` at all (old Mac `\r` endings) keep the default.
    let mut inner = inner;
    let has_lf = inner.fill_buf().map(|b| b.contains(&b'\n')).unwrap_or(true);
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true);
    if has_lf {
        builder.terminator(csv::Terminator::Any(b'\n'));
    }
    let mut rdr = builder.from_reader(inner);
    let headers: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| Error::Invalid(format!("{source}: cannot read the header row: {e}")))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.strip_suffix(b"\r").unwrap_or(h);
            let h = match decode(h, encoding) {
                Ok(s) => s.trim().to_string(),
                Err(_) => String::from_utf8_lossy(h).trim().to_string(),
            };
            let h = h.trim_start_matches('\u{feff}').to_string();
            if h.is_empty() {
                format!("column{}", i + 1)
            } else {
                h
            }
        })
        .collect();
    let mut rows = rdr.into_byte_records();
    let mut buffered = VecDeque::new();
    let text = match find(&headers, &opts.text_field, TEXT_FIELDS, "text", &source)? {
        Some(i) => i,
        None => {
            // Sniff: the column with the longest average value in the first rows.
            for _ in 0..SNIFF_ROWS {
                match rows.next() {
                    Some(r) => buffered.push_back(r),
                    None => break,
                }
            }
            let mut total = vec![0usize; headers.len()];
            for r in buffered.iter().flatten() {
                for (i, f) in r.iter().enumerate().take(headers.len()) {
                    total[i] += f.len();
                }
            }
            match total.iter().enumerate().max_by_key(|(_, t)| **t) {
                Some((i, t)) if *t > 0 => i,
                _ => {
                    return Err(Error::Invalid(format!(
                        "{source}: cannot tell which column holds the text; pass --text-col (columns: {})",
                        headers.join(", ")
                    )))
                }
            }
        }
    };
    let cols = Columns {
        text,
        id: find(
            &headers,
            &opts.id_field,
            &["id", "msg_id", "message_id", "编号"],
            "id",
            &source,
        )?,
        sender: find(
            &headers,
            &opts.sender_field,
            &["sender", "from", "address", "phone", "号码", "发送方"],
            "sender",
            &source,
        )?,
        date: find(
            &headers,
            &opts.date_field,
            &["date", "time", "timestamp", "datetime", "日期", "时间"],
            "date",
            &source,
        )?,
    };
    Ok(Box::new(CsvReader {
        rows,
        buffered,
        cols,
        source,
        index: 0,
        encoding,
        done: false,
    }))
}

impl<R: std::io::Read> Iterator for CsvReader<R> {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        if self.done {
            return None;
        }
        let row = match self.buffered.pop_front() {
            Some(r) => r,
            None => self.rows.next()?,
        };
        self.index += 1;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let reason = match e.kind() {
                    csv::ErrorKind::Io(io) => {
                        self.done = true;
                        format!("read error: {io}")
                    }
                    _ => format!("malformed row: {e}"),
                };
                return Some(Err(RecordError::new(
                    self.source.as_str(),
                    line,
                    self.index,
                    reason,
                )));
            }
        };
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        let enc = self.encoding;
        let get = |i: usize| row.get(i).map(|b| b.strip_suffix(b"\r").unwrap_or(b));
        let field = |i: Option<usize>| -> Option<String> {
            i.and_then(get)
                .and_then(|b| decode(b, enc).ok())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let (id, sender, date) = (
            field(self.cols.id),
            field(self.cols.sender),
            field(self.cols.date),
        );
        let err = |reason: String| RecordError {
            id: id.clone(),
            sender: sender.clone(),
            date: date.clone(),
            ..RecordError::new(self.source.as_str(), line, self.index, reason)
        };
        let Some(raw) = get(self.cols.text) else {
            return Some(Err(err(format!(
                "row has {} fields, the text column is number {}",
                row.len(),
                self.cols.text + 1
            ))));
        };
        let text = match decode(raw, enc) {
            Ok(s) => s.into_owned(),
            Err(e) => return Some(Err(err(format!("{e} in the text field")))),
        };
        Some(finish_record(Record {
            id,
            sender,
            date,
            ..Record::new(self.source.as_str(), line, self.index, text)
        }))
    }
}

//! CSV / TSV with a header row. The text column is the one named by the caller, else a column
//! with a usual name (text, content, 内容 …), else the column with the longest values in the first
//! rows.

use super::encoding::{decode, TextEncoding};
use super::jsonl::TEXT_FIELDS;
use super::{
    finish_record, ReaderOptions, Record, RecordError, RecordResult, RecordStream, MAX_RECORD_BYTES,
};
use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::sync::{Arc, Mutex};

const SNIFF_ROWS: usize = 50;

struct Columns {
    text: usize,
    id: Option<usize>,
    sender: Option<usize>,
    date: Option<usize>,
}

pub struct CsvReader<R: BufRead> {
    rows: csv::ByteRecordsIntoIter<RecordLimit<R>>,
    /// Records cut by the length limit, in order, and the line shift they cause.
    cuts: Arc<Mutex<VecDeque<Cut>>>,
    /// Parser line of the record the file ended in, inside a quoted field.
    unterminated: Arc<Mutex<Option<u64>>>,
    /// Input lines minus lines the csv parser has seen (cut records hide their skipped newlines).
    shift: i64,
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
    open_with_limit(inner, source, delimiter, opts, encoding, MAX_RECORD_BYTES)
}

/// [`open_with_encoding`] with a given record length limit in bytes (the default is
/// [`MAX_RECORD_BYTES`]): a longer record — header row aside, which is an error for the file —
/// becomes an error record naming its line, its bytes past the limit are skipped without being
/// stored, and the file goes on with the next record. Memory stays bounded by the limit.
pub fn open_with_limit<R: BufRead + Send + 'static>(
    inner: R,
    source: String,
    delimiter: u8,
    opts: &ReaderOptions,
    encoding: TextEncoding,
    max_record_bytes: usize,
) -> Result<RecordStream> {
    // Rows end at `\n` (and a `\r` before it is dropped from the last field): with the csv crate's
    // default CRLF terminator, the line numbers of CRLF files (Excel's) come out one too low.
    // Files with no `\n` at all (old Mac `\r` endings) keep the default.
    let mut inner = inner;
    let (has_lf, delimiter) = match inner.fill_buf() {
        Ok(b) => (b.contains(&b'\n'), sniff_delimiter(b, delimiter)),
        Err(_) => (true, delimiter),
    };
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true);
    if has_lf {
        builder.terminator(csv::Terminator::Any(b'\n'));
    }
    let cuts = Arc::new(Mutex::new(VecDeque::new()));
    let unterminated = Arc::new(Mutex::new(None));
    let limited = RecordLimit::new(
        inner,
        delimiter,
        has_lf,
        max_record_bytes,
        cuts.clone(),
        unterminated.clone(),
    );
    let mut rdr = builder.from_reader(limited);
    let header_row = rdr
        .byte_headers()
        .map_err(|e| Error::Invalid(format!("{source}: cannot read the header row: {e}")))?
        .clone();
    if lock(&cuts).front().is_some_and(|c| c.record == 1) {
        return Err(Error::Invalid(format!(
            "{source}:1: header row longer than {} (not a CSV file?)",
            size(max_record_bytes)
        )));
    }
    let blank_header = header_row
        .iter()
        .all(|h| h.iter().all(|b| b.is_ascii_whitespace()));
    if header_row
        .get(0)
        .is_some_and(|h| h.trim_ascii_start().starts_with(b"{\""))
    {
        return Err(Error::Invalid(format!(
            "{source}:1: the header row is a JSON object, not column names; this is a JSONL file (--format jsonl)"
        )));
    }
    let headers: Vec<String> = header_row
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
    // posguard's own CSV output holds verdicts and advice, not messages: sniffing would pick its
    // advice column and score posguard's own words.
    let own = ["verdict", "p_scam", "flagged", "advice_text"];
    if opts.text_field.is_none() && own.iter().all(|c| headers.iter().any(|h| h == c)) {
        return Err(Error::Invalid(format!(
            "{source}: this is posguard's own output (columns {}): it holds no message text to score",
            own.join(", ")
        )));
    }
    let mut rows = rdr.into_byte_records();
    let mut buffered = VecDeque::new();
    let text = match find(&headers, &opts.text_field, TEXT_FIELDS, "text", &source)? {
        Some(i) => i,
        None => {
            // Sniff: the column with the longest average value in the first rows.
            // At most SNIFF_ROWS rows and about one record limit of bytes are held.
            let mut held = 0usize;
            for _ in 0..SNIFF_ROWS {
                match rows.next() {
                    Some(r) => {
                        held += r.as_ref().map(|r| r.as_slice().len()).unwrap_or(0);
                        buffered.push_back(r);
                        if held >= max_record_bytes {
                            break;
                        }
                    }
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
                // An empty file: no records, which the run reports as an empty input like any
                // other empty file.
                _ if blank_header && buffered.is_empty() => return Ok(Box::new(std::iter::empty())),
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
            &[
                "id",
                "msg_id",
                "message_id",
                "编号",
                "序号",
                "短信编号",
                "編號",
                "序號",
            ],
            "id",
            &source,
        )?,
        sender: find(
            &headers,
            &opts.sender_field,
            &[
                "sender",
                "from",
                "address",
                "phone",
                "号码",
                "发送方",
                "手机号",
                "號碼",
                "發送方",
            ],
            "sender",
            &source,
        )?,
        date: find(
            &headers,
            &opts.date_field,
            &[
                "date",
                "time",
                "timestamp",
                "datetime",
                "日期",
                "时间",
                "時間",
            ],
            "date",
            &source,
        )?,
    };
    Ok(Box::new(CsvReader {
        rows,
        cuts,
        unterminated,
        shift: 0,
        buffered,
        cols,
        source,
        index: 0,
        encoding,
        done: false,
    }))
}

/// The delimiter of a CSV/TSV file, from its header row and the row after it: of `expected`, tab,
/// semicolon and comma, the first that splits both rows into the same number (more than one) of
/// fields outside quotes; failing that, `expected` when the header has it, else the one of tab,
/// semicolon and comma it does have. A `.csv` file may be semicolon-separated (Excel in locales
/// whose decimal mark is a comma) or tab-separated (saved as "Unicode text" and renamed), and a
/// column name may hold a comma (`sender (a, b)`); read with the wrong delimiter, every row would be
/// one column whose text holds the id, sender and date. The delimiters are ASCII bytes that no
/// multi-byte sequence of GBK, GB18030 or Big5 contains, so the raw bytes can be counted.
fn sniff_delimiter(head: &[u8], expected: u8) -> u8 {
    let mut lines = head.split(|b| *b == b'\n');
    let header = lines.next().unwrap_or_default();
    // The second row, only when it is complete (a line break after it in `head`).
    let second = lines.next().filter(|_| lines.next().is_some());
    let fields = |line: &[u8], d: u8| {
        let mut quoted = false;
        1 + line
            .iter()
            .filter(|&&b| {
                if b == b'"' {
                    quoted = !quoted;
                }
                b == d && !quoted
            })
            .count()
    };
    let candidates = [expected, b'\t', b';', b','];
    if let Some(second) = second {
        if let Some(d) = candidates.into_iter().find(|&d| {
            let n = fields(header, d);
            n > 1 && n == fields(second, d)
        }) {
            return d;
        }
    }
    candidates
        .into_iter()
        .find(|&d| fields(header, d) > 1)
        .unwrap_or(expected)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// A record cut by [`RecordLimit`].
#[derive(Debug, Clone, Copy)]
struct Cut {
    /// Record number in the file, from 1 (the header row is record 1).
    record: u64,
    /// Line the csv parser reports for the record (the lines it has seen).
    parsed_line: u64,
    /// Input lines minus parser lines after the cut record.
    shift_after: i64,
    limit: usize,
}

/// Where [`RecordLimit`] is in a CSV record; mirrors `csv-core`'s states for the reader's
/// settings (quote `"`, doubled quotes, no escape, no comments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvState {
    /// Between records (blank lines are skipped here, as csv does).
    StartRecord,
    StartField,
    InField,
    InQuoted,
    /// A quote inside a quoted field: the field's end or the first of a doubled quote.
    QuoteInQuoted,
}

/// Passes a CSV byte stream through, but never more than `limit` bytes of one record: the rest of
/// a longer record is skipped (read and dropped) and the record is closed with a synthetic `"` and
/// newline, so the csv parser's buffers stay small. Each cut is recorded for [`CsvReader`], which
/// turns the cut row into an error record and corrects the line numbers after it.
pub(crate) struct RecordLimit<R> {
    inner: R,
    m: Machine,
    limit: usize,
    /// Bytes of the current record passed through.
    record_len: usize,
    /// Newlines read from the input / handed to the parser.
    in_newlines: u64,
    out_newlines: u64,
    /// Parser line at the start of the current record.
    record_parsed_line: u64,
    /// Bytes to hand out before any more input (a cut record's synthetic end).
    pending: Vec<u8>,
    cuts: Arc<Mutex<VecDeque<Cut>>>,
    /// Set at the end of the input when it ends inside a quoted field: the parser line of the
    /// record that quote opened in (the parser takes the rest of the file as that field).
    unterminated: Arc<Mutex<Option<u64>>>,
}

/// The CSV state machine of [`RecordLimit`].
struct Machine {
    delimiter: u8,
    /// Records end at `\n` only (otherwise at `\r` or `\n`, csv's CRLF mode).
    lf_only: bool,
    state: CsvState,
    /// Records begun, header included.
    records: u64,
}

impl Machine {
    fn is_term(&self, b: u8) -> bool {
        b == b'\n' || (!self.lf_only && b == b'\r')
    }

    /// Moves the state machine over one byte; true when the byte ends a record.
    fn step(&mut self, b: u8) -> bool {
        use CsvState::*;
        let term = self.is_term(b);
        let (next, ends) = match self.state {
            StartRecord if term => (StartRecord, false),
            StartRecord | StartField => {
                if self.state == StartRecord {
                    self.records += 1;
                }
                if b == b'"' {
                    (InQuoted, false)
                } else if b == self.delimiter {
                    (StartField, false)
                } else if term {
                    (StartRecord, true)
                } else {
                    (InField, false)
                }
            }
            InField | QuoteInQuoted => {
                if self.state == QuoteInQuoted && b == b'"' {
                    (InQuoted, false)
                } else if b == self.delimiter {
                    (StartField, false)
                } else if term {
                    (StartRecord, true)
                } else {
                    (InField, false)
                }
            }
            InQuoted => (if b == b'"' { QuoteInQuoted } else { InQuoted }, false),
        };
        self.state = next;
        ends
    }
}

impl<R: BufRead> RecordLimit<R> {
    fn new(
        inner: R,
        delimiter: u8,
        lf_only: bool,
        limit: usize,
        cuts: Arc<Mutex<VecDeque<Cut>>>,
        unterminated: Arc<Mutex<Option<u64>>>,
    ) -> Self {
        RecordLimit {
            inner,
            m: Machine {
                delimiter,
                lf_only,
                state: CsvState::StartRecord,
                records: 0,
            },
            limit: limit.max(1),
            record_len: 0,
            in_newlines: 0,
            out_newlines: 0,
            record_parsed_line: 1,
            pending: Vec::new(),
            cuts,
            unterminated,
        }
    }

    /// Skips the rest of a record that went over the limit and queues its synthetic end.
    fn cut(&mut self) -> std::io::Result<()> {
        let record = self.m.records;
        let parsed_line = self.record_parsed_line;
        if self.m.state == CsvState::InQuoted {
            self.pending.push(b'"');
        }
        self.pending.push(b'\n');
        self.out_newlines += 1;
        'skip: loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            let buf = buf.to_vec(); // at most one buffer of the inner reader
            for (i, &b) in buf.iter().enumerate() {
                self.in_newlines += (b == b'\n') as u64;
                if self.m.step(b) {
                    self.inner.consume(i + 1);
                    break 'skip;
                }
            }
            self.inner.consume(buf.len());
        }
        self.m.state = CsvState::StartRecord;
        self.record_len = 0;
        self.record_parsed_line = self.out_newlines + 1;
        lock(&self.cuts).push_back(Cut {
            record,
            parsed_line,
            shift_after: self.in_newlines as i64 - self.out_newlines as i64,
            limit: self.limit,
        });
        Ok(())
    }
}

impl<R: BufRead> Read for RecordLimit<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if !self.pending.is_empty() {
            let n = self.pending.len().min(out.len());
            out[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        let buf = self.inner.fill_buf()?;
        if buf.is_empty() && self.m.state == CsvState::InQuoted {
            *lock(&self.unterminated) = Some(self.record_parsed_line);
        }
        let avail = buf.len().min(out.len());
        let mut n = 0;
        let mut over = false;
        while n < avail {
            let b = buf[n];
            let in_record = self.m.state != CsvState::StartRecord || !self.m.is_term(b);
            if in_record && self.record_len >= self.limit {
                over = true;
                break;
            }
            out[n] = b;
            n += 1;
            if b == b'\n' {
                self.in_newlines += 1;
                self.out_newlines += 1;
            }
            if in_record {
                self.record_len += 1;
            }
            if self.m.step(b) {
                self.record_len = 0;
                self.record_parsed_line = self.out_newlines + 1;
            }
        }
        self.inner.consume(n);
        if over {
            self.cut()?;
            if n == 0 {
                return self.read(out);
            }
        }
        Ok(n)
    }
}

impl<R: BufRead> Iterator for CsvReader<R> {
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
                let line = (line as i64 + self.shift).max(0) as u64;
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
        let parsed_line = row.position().map(|p| p.line()).unwrap_or(0);
        let line = (parsed_line as i64 + self.shift).max(0) as u64;
        let cut = {
            let mut cuts = lock(&self.cuts);
            // Cuts are recorded before the parser can see the cut record's end, and rows come in
            // order: the front cut is this row or a later one.
            match cuts.front() {
                Some(c) if c.parsed_line == parsed_line => cuts.pop_front(),
                _ => None,
            }
        };
        // The last row, if the file ended inside a quoted field opened in it.
        let unterminated = *lock(&self.unterminated) == Some(parsed_line);
        self.done |= unterminated;
        if let Some(c) = cut {
            self.shift = c.shift_after;
            return Some(Err(RecordError::new(
                self.source.as_str(),
                line,
                self.index,
                format!(
                    "record longer than {}: skipped (a runaway quoted field?)",
                    size(c.limit)
                ),
            )));
        }
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
        if unterminated {
            return Some(Err(err(
                "the file ends inside a quoted field that opens in this row: every line after it \
                 was read as its text (a missing closing quote?)"
                    .into(),
            )));
        }
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

//! CSV / TSV with a header row. The text column is the one named by the caller, else a column
//! with a usual name (text, content, 内容 …), else the column with the longest values in the first
//! rows that is not the id, sender or date column nor one of dates, phone numbers or other numbers.
//! A title and notes above the header (rows of at most two filled cells, up to a row that names
//! known columns, as bank exports have) are not records. A file whose lines end in `\r` alone (old
//! Mac exports) is read with each `\r` as a line end. A file without a header row (its first row
//! names no known column and holds a phone number, a date or a message; or `--no-header`) starts
//! with a record, and its columns go by number; the sender and date columns are then the ones of
//! phone numbers and of dates.
//!
//! A row with more fields than the header: when the text is the last column, the extra fields are
//! part of the message (a delimiter the writer did not quote: `1,10690,收到,您的POS机…`) and are
//! joined back with the delimiter; otherwise the row is an error record, as is one too short to
//! have a text field. Extra fields that are all empty (a trailing delimiter) are ignored.

use super::encoding::{decode, TextEncoding};
use super::jsonl::{DATE_FIELDS, ID_FIELDS, SENDER_FIELDS, TEXT_FIELDS};
use super::{
    finish_record, ReaderOptions, Record, RecordError, RecordResult, RecordStream, MAX_RECORD_BYTES,
};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::sync::{Arc, Mutex};

const SNIFF_ROWS: usize = 50;

struct Columns {
    text: usize,
    id: Option<usize>,
    sender: Option<usize>,
    date: Option<usize>,
    /// Fields of the header row (of the first row, without one).
    width: usize,
    no_header: bool,
}

pub struct CsvReader<R: BufRead> {
    rows: csv::ByteRecordsIntoIter<RecordLimit<R>>,
    /// Records cut by the length limit, in order, and the line shift they cause.
    cuts: Arc<Mutex<VecDeque<Cut>>>,
    /// Parser line of the record the file ended in, inside a quoted field.
    unterminated: Arc<Mutex<Option<u64>>>,
    /// Input lines minus lines the csv parser has seen (cut records hide their skipped newlines).
    shift: i64,
    /// Blank lines before a record ([`RecordLimit`]'s `blanks`).
    blanks: Arc<Mutex<VecDeque<(u64, u64)>>>,
    buffered: VecDeque<csv::Result<csv::ByteRecord>>,
    cols: Columns,
    source: String,
    index: u64,
    encoding: TextEncoding,
    delimiter: u8,
    /// An I/O error ends the file (the reader may not recover from it).
    done: bool,
}

/// The column `given` by name or number (from 1), else the first of `defaults` the header has.
fn find(
    headers: &[String],
    given: &Option<String>,
    defaults: &[&str],
    what: &str,
    source: &str,
    columns: &str,
) -> Result<Option<usize>> {
    if let Some(g) = given {
        let by_number = || {
            g.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=headers.len()).contains(n))
                .map(|n| n - 1)
        };
        return match headers.iter().position(|h| h == g).or_else(by_number) {
            Some(i) => Ok(Some(i)),
            None => Err(Error::Invalid(format!(
                "{source}: no {what} column {g:?} ({columns})"
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
    // A file with no `\n` in its first block (old Mac `\r` endings, Excel's "CSV (Macintosh)")
    // has its `\r` read as `\n`, so that its rows' line numbers count its lines too.
    let mut inner = inner;
    let cr_only = inner
        .fill_buf()
        .is_ok_and(|b| b.contains(&b'\r') && !b.contains(&b'\n'));
    let mut inner: Box<dyn BufRead + Send> = if cr_only {
        Box::new(CrAsLf::new(inner))
    } else {
        Box::new(inner)
    };
    let delimiter = match inner.fill_buf() {
        Ok(b) => sniff_delimiter(b, delimiter),
        Err(_) => delimiter,
    };
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .terminator(csv::Terminator::Any(b'\n'));
    let cuts = Arc::new(Mutex::new(VecDeque::new()));
    let unterminated = Arc::new(Mutex::new(None));
    let blanks = Arc::new(Mutex::new(VecDeque::new()));
    let limited = RecordLimit::new(
        inner,
        delimiter,
        max_record_bytes,
        cuts.clone(),
        unterminated.clone(),
        blanks.clone(),
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
    if header_row
        .get(0)
        .is_some_and(|h| h.trim_ascii_start().starts_with(b"{\""))
    {
        return Err(Error::Invalid(format!(
            "{source}:1: the header row is a JSON object, not column names; this is a JSONL file (--format jsonl)"
        )));
    }
    let mut rows = rdr.into_byte_records();
    let mut buffered = VecDeque::new();
    let mut header_row = header_row;
    let mut names = header_names(&header_row, encoding);
    // A title and notes above the header, as bank and operator exports have (`2024年短信导出报表`,
    // `导出人：张三`): not records; the header is the row below them that names the columns.
    if !opts.no_header {
        if let Some(row) = header_below_title(&header_row, &mut rows, &mut buffered, encoding, opts)
        {
            names = header_names(&row, encoding);
            header_row = row;
        }
    }
    let blank_header = header_row
        .iter()
        .all(|h| h.iter().all(|b| b.is_ascii_whitespace()));
    // posguard's own CSV output holds verdicts and advice, not messages: sniffing would pick its
    // advice column and score posguard's own words.
    let own = ["verdict", "p_scam", "flagged", "advice_text"];
    if opts.text_field.is_none() && own.iter().all(|c| names.iter().any(|h| h == c)) {
        return Err(Error::Invalid(format!(
            "{source}: this is posguard's own output (columns {}): it holds no message text to score",
            own.join(", ")
        )));
    }
    // No header row: the first row is the first record, and columns go by number (`--text-col 3`).
    let no_header = opts.no_header || (!blank_header && first_row_is_data(&names, opts));
    let headers: Vec<String> = if no_header {
        if !blank_header {
            let mut first = csv::ByteRecord::new();
            for (i, f) in header_row.iter().enumerate() {
                first.push_field(match i {
                    0 => f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f),
                    _ => f,
                });
            }
            first.set_position(header_row.position().cloned());
            // Before the rows read ahead to look for a header under a title.
            buffered.push_front(Ok(first));
        }
        // The number of columns: the most common among the first rows, not the first row's (its
        // message may hold an unquoted delimiter, and the rows after it would all look short).
        sniff_rows(&mut rows, &mut buffered, max_record_bytes);
        let width = usual_width(&buffered).unwrap_or(names.len());
        (1..=width).map(|i| i.to_string()).collect()
    } else {
        // Blank names at the end are a trailing delimiter (Excel and WPS end every line with one),
        // not columns: the text stays the last column and an unquoted comma in it is joined back.
        let named = header_row
            .iter()
            .rposition(|h| !h.trim_ascii().is_empty())
            .map_or(names.len(), |i| i + 1);
        names.into_iter().take(named).collect()
    };
    let columns = if no_header {
        format!("no header row: columns are numbered 1 to {}", headers.len())
    } else {
        format!("columns: {}", headers.join(", "))
    };
    let column = |given: &Option<String>, defaults: &[&str], what: &str| {
        find(&headers, given, defaults, what, &source, &columns)
    };
    let (id, sender, date) = (
        column(&opts.id_field, ID_FIELDS, "id")?,
        column(&opts.sender_field, SENDER_FIELDS, "sender")?,
        column(&opts.date_field, DATE_FIELDS, "date")?,
    );
    let text = match column(&opts.text_field, TEXT_FIELDS, "text")? {
        Some(i) => i,
        None => {
            // Sniff: the column with the longest average value in the first rows.
            sniff_rows(&mut rows, &mut buffered, max_record_bytes);
            let mut total = vec![0usize; headers.len()];
            for r in buffered.iter().flatten() {
                for (i, f) in r.iter().enumerate().take(headers.len()) {
                    total[i] += f.len();
                }
            }
            // The id, sender or date column (by name), a category or label column (by name, when
            // none of its values reads as a message: `结果` may hold an ASR export's text), or a
            // column of dates, phone numbers or other numbers (amounts, counts, percentages), is
            // not the text, however long its values.
            for (i, t) in total.iter_mut().enumerate() {
                let values = column_values(&buffered, i, encoding);
                if [id, sender, date].contains(&Some(i))
                    || (!no_header
                        && is_category_name(&headers[i])
                        && !values.iter().any(|v| looks_like_message(v)))
                    || !values.is_empty()
                        && (mostly(&values, looks_like_date)
                            || mostly(&values, looks_like_phone)
                            || values.iter().all(|v| is_number(v.trim_end_matches('%'))))
                {
                    *t = 0;
                }
            }
            match total.iter().enumerate().max_by_key(|(_, t)| **t) {
                Some((i, t)) if *t > 0 => i,
                // An empty file: no records, which the run reports as an empty input like any
                // other empty file.
                _ if blank_header && buffered.is_empty() => return Ok(Box::new(std::iter::empty())),
                _ => {
                    return Err(Error::Invalid(format!(
                        "{source}: cannot tell which column holds the text; pass --text-col ({columns})"
                    )))
                }
            }
        }
    };
    let mut cols = Columns {
        text,
        id,
        sender,
        date,
        width: headers.len(),
        no_header,
    };
    if no_header {
        // No names to go by: a column of phone numbers is the sender, one of dates the date.
        sniff_rows(&mut rows, &mut buffered, max_record_bytes);
        let by_content = |looks: fn(&[String]) -> bool, taken: &[Option<usize>]| {
            (0..headers.len()).find(|&i| {
                if i == text || taken.contains(&Some(i)) {
                    return false;
                }
                let values = column_values(&buffered, i, encoding);
                !values.is_empty() && looks(&values)
            })
        };
        if opts.sender_field.is_none() {
            cols.sender = by_content(is_sender_column, &[cols.id, cols.date]);
        }
        if opts.date_field.is_none() {
            cols.date = by_content(|v| mostly(v, looks_like_date), &[cols.id, cols.sender]);
        }
    }
    Ok(Box::new(CsvReader {
        rows,
        cuts,
        unterminated,
        shift: 0,
        blanks,
        buffered,
        cols,
        source,
        index: 0,
        encoding,
        delimiter,
        done: false,
    }))
}

/// Reads rows ahead into `buffered` to choose columns by their content: at most [`SNIFF_ROWS`]
/// rows and about one record limit of bytes are held.
fn sniff_rows<I: Iterator<Item = csv::Result<csv::ByteRecord>>>(
    rows: &mut I,
    buffered: &mut VecDeque<csv::Result<csv::ByteRecord>>,
    max_record_bytes: usize,
) {
    let mut held: usize = buffered
        .iter()
        .map(|r| r.as_ref().map(|r| r.as_slice().len()).unwrap_or(0))
        .sum();
    while buffered.len() < SNIFF_ROWS && held < max_record_bytes {
        match rows.next() {
            Some(r) => {
                held += r.as_ref().map(|r| r.as_slice().len()).unwrap_or(0);
                buffered.push_back(r);
            }
            None => break,
        }
    }
}

/// The column names of a header row: decoded, trimmed, `columnN` for a blank one.
fn header_names(row: &csv::ByteRecord, encoding: TextEncoding) -> Vec<String> {
    row.iter()
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
        .collect()
}

/// Rows a title and notes above a header may take.
const TITLE_ROWS: usize = 8;

/// The header row under a title, when the first row `first` is one: it names no known
/// column and has at most two cells filled, and so have the rows after it up to one that names a
/// known column in at least two filled cells, within [`TITLE_ROWS`] rows. The rows above that one
/// are dropped; rows read to look and not dropped go to `buffered`, in order.
fn header_below_title<I: Iterator<Item = csv::Result<csv::ByteRecord>>>(
    first: &csv::ByteRecord,
    rows: &mut I,
    buffered: &mut VecDeque<csv::Result<csv::ByteRecord>>,
    encoding: TextEncoding,
    opts: &ReaderOptions,
) -> Option<csv::ByteRecord> {
    let filled = |r: &csv::ByteRecord| r.iter().filter(|c| !c.trim_ascii().is_empty()).count();
    let named = |r: &csv::ByteRecord| {
        header_names(r, encoding)
            .iter()
            .any(|c| names_known_column(c, opts))
    };
    // A title row: short, at most two cells filled (a merged title is one cell and blanks).
    let title = |r: &csv::ByteRecord| r.as_slice().len() <= 300 && filled(r) <= 2 && !named(r);
    if !title(first) {
        return None;
    }
    let mut read = Vec::new();
    let mut found = None;
    while read.len() < TITLE_ROWS {
        let Some(row) = rows.next() else { break };
        let Ok(record) = &row else {
            read.push(row);
            break;
        };
        if filled(record) >= 2 && named(record) {
            found = Some(record.clone());
            break;
        }
        let is_title = title(record);
        read.push(row);
        if !is_title {
            break;
        }
    }
    match found {
        Some(header) => Some(header),
        None => {
            buffered.extend(read);
            None
        }
    }
}

/// Whether `cell` names a known column (or one given with `--text-col` and the like), also with a
/// note after it (`短信内容（请勿删除此列）`).
fn names_known_column(cell: &str, opts: &ReaderOptions) -> bool {
    let given = [
        &opts.text_field,
        &opts.id_field,
        &opts.sender_field,
        &opts.date_field,
    ];
    [TEXT_FIELDS, ID_FIELDS, SENDER_FIELDS, DATE_FIELDS]
        .iter()
        .any(|names| {
            names.iter().any(|n| {
                n.eq_ignore_ascii_case(cell)
                    || (n.chars().count() >= 2 && !n.is_ascii() && cell.starts_with(n))
            })
        })
        || given.iter().any(|g| g.as_deref() == Some(cell))
}

/// Whether a first row is a record rather than column names: none of its cells names a known
/// column (or one given with `--text-col` and the like), and one of them is a phone number, a date
/// or a message (`13800138000,2023-11-15 06:13,您的POS机备案即将到期，…`).
fn first_row_is_data(cells: &[String], opts: &ReaderOptions) -> bool {
    if cells.iter().any(|c| names_known_column(c, opts)) {
        return false;
    }
    // One column that names nothing known is a message (`好的`): scoring a header as a message
    // shows it, taking a message for a header would lose it.
    cells.len() == 1
        || cells.iter().any(|c| {
            looks_like_phone(c)
                || c.bytes().all(|b| b.is_ascii_digit()) && !c.is_empty()
                || is_date(c)
                || looks_like_message(c)
        })
}

/// The whole of `s` is a date or time (`2023-11-15 06:13`, `2023年11月15日`), not a name that
/// starts with one (`2023-11-15 导出`).
fn is_date(s: &str) -> bool {
    looks_like_date(s)
        && s.chars()
            .all(|c| c.is_ascii_digit() || " -/.:T年月日时分秒".contains(c))
}

/// A phone number or SMS short code: 5 to 20 digits, perhaps after `+`.
fn looks_like_phone(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or(s);
    (5..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A column of phone numbers, not of record numbers counting up (`10001`, `10002`, …).
fn is_sender_column(values: &[String]) -> bool {
    let counting = values.len() > 1
        && values
            .windows(2)
            .all(|w| match (w[0].parse::<u64>(), w[1].parse::<u64>()) {
                (Ok(a), Ok(b)) => b == a + 1,
                _ => false,
            });
    !counting && mostly(values, looks_like_phone)
}

/// At least 9 in 10 of `values` (all of them when there are fewer than 10): one malformed row
/// among the first does not hide a column of phone numbers or dates.
fn mostly(values: &[String], f: impl Fn(&str) -> bool) -> bool {
    let n = values.iter().filter(|v| f(v)).count();
    n * 10 >= values.len() * 9 && n > 0
}

/// The non-empty values of column `i` in the rows read ahead.
fn column_values(
    buffered: &VecDeque<csv::Result<csv::ByteRecord>>,
    i: usize,
    encoding: TextEncoding,
) -> Vec<String> {
    buffered
        .iter()
        .flatten()
        .filter_map(|r| r.get(i))
        .filter_map(|b| decode(b.strip_suffix(b"\r").unwrap_or(b), encoding).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The most common number of fields (trailing blank ones not counted) among the rows read ahead;
/// the smallest of equally common ones.
fn usual_width(buffered: &VecDeque<csv::Result<csv::ByteRecord>>) -> Option<usize> {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for r in buffered.iter().flatten() {
        let w = r
            .iter()
            .rposition(|f| !f.trim_ascii().is_empty())
            .map_or(0, |i| i + 1);
        if w > 0 {
            *counts.entry(w).or_default() += 1;
        }
    }
    let best = counts.values().copied().max()?;
    counts.into_iter().find(|(_, c)| *c == best).map(|(w, _)| w)
}

/// A date or time as exports write them: `2023-11-15 06:13`, `2023/11/15`, `2023年11月15日`,
/// `15.11.2023`, `06:13:00`.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
    };
    let sep = |i: usize| b.get(i).is_some_and(|c| b"-/.".contains(c));
    let ymd = digits(0..4) && (sep(4) || s[4..].starts_with('年'));
    let dmy = (1..=2).any(|n| {
        digits(0..n) && sep(n) && {
            let m = (1..=2).find(|&m| digits(n + 1..n + 1 + m) && sep(n + 1 + m));
            m.is_some()
        }
    });
    let time = (1..=2).any(|n| digits(0..n) && b.get(n) == Some(&b':') && digits(n + 1..n + 3));
    ymd || dmy || time
}

/// A reader that turns every `\r` into `\n`: lines of a file with old Mac line endings.
struct CrAsLf<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
}

impl<R: BufRead> CrAsLf<R> {
    fn new(inner: R) -> Self {
        CrAsLf {
            inner,
            buf: Vec::new(),
            pos: 0,
        }
    }
}

impl<R: BufRead> Read for CrAsLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for CrAsLf<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos == self.buf.len() {
            let avail = self.inner.fill_buf()?;
            self.buf.clear();
            self.buf
                .extend(avail.iter().map(|&b| if b == b'\r' { b'\n' } else { b }));
            let n = avail.len();
            self.inner.consume(n);
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}

/// A number as a sheet or an export writes one: `3`, `-12`, `200.5`, `1,280.00`, `1.38E+10`.
fn is_number(s: &str) -> bool {
    let s = s.trim();
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mantissa = match s.find(['e', 'E']) {
        Some(e) => {
            let exp = &s[e + 1..];
            let exp = exp.strip_prefix(['-', '+']).unwrap_or(exp);
            if exp.is_empty() || !exp.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            &s[..e]
        }
        None => s,
    };
    mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1
}

/// A column name of a category or a label (`类别`, `类型`, `状态`, `label`): such a column holds
/// short words (`诈骗`, `正常`), never the message, though they may be the longest values of a
/// table of counts (`类别,数量,占比`).
fn is_category_name(name: &str) -> bool {
    const NAMES: [&str; 20] = [
        "类别", "分类", "类型", "标签", "结果", "判定", "状态", "级别", "类別", "類別", "類型",
        "標籤", "狀態", "category", "label", "type", "class", "status", "verdict", "kind",
    ];
    let name = name.trim();
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// A message rather than a column name: Chinese text with sentence punctuation, or a long one.
fn looks_like_message(s: &str) -> bool {
    let han = s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    han && (s.chars().count() >= 16 || s.contains(['，', '。', '！', '？', '；']))
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
    /// Blank lines since the last record ended.
    blank_run: u64,
    /// `(parser line, blank lines)` of each record that follows blank lines: the csv parser
    /// skips them but gives the record the line where they began, so [`CsvReader`] adds them.
    blanks: Arc<Mutex<VecDeque<(u64, u64)>>>,
}

/// The CSV state machine of [`RecordLimit`].
struct Machine {
    delimiter: u8,
    state: CsvState,
    /// Records begun, header included.
    records: u64,
}

impl Machine {
    /// Moves the state machine over one byte; true when the byte ends a record.
    fn step(&mut self, b: u8) -> bool {
        use CsvState::*;
        // Records end at `\n` (a file with `\r` endings is read through [`CrAsLf`]).
        let term = b == b'\n';
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
        limit: usize,
        cuts: Arc<Mutex<VecDeque<Cut>>>,
        unterminated: Arc<Mutex<Option<u64>>>,
        blanks: Arc<Mutex<VecDeque<(u64, u64)>>>,
    ) -> Self {
        RecordLimit {
            inner,
            m: Machine {
                delimiter,
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
            blank_run: 0,
            blanks,
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
            let in_record = self.m.state != CsvState::StartRecord || b != b'\n';
            if in_record && self.record_len >= self.limit {
                over = true;
                break;
            }
            if self.m.state == CsvState::StartRecord {
                if b == b'\n' {
                    self.blank_run += 1;
                } else if self.blank_run > 0 {
                    lock(&self.blanks).push_back((self.record_parsed_line, self.blank_run));
                    self.blank_run = 0;
                }
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
        let row = loop {
            let row = match self.buffered.pop_front() {
                Some(r) => r,
                None => self.rows.next()?,
            };
            // A blank line of a CRLF file (`\r` alone) is no record, as a blank `\n` line is not;
            // nor is a row of empty cells (`,,`: a blank row inside what Excel saves).
            match &row {
                Ok(r) if r.iter().all(|f| f.trim_ascii().is_empty()) => continue,
                _ => break row,
            }
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
        let blank = {
            let mut blanks = lock(&self.blanks);
            while blanks.front().is_some_and(|&(l, _)| l < parsed_line) {
                blanks.pop_front();
            }
            match blanks.front() {
                Some(&(l, n)) if l == parsed_line => {
                    blanks.pop_front();
                    n
                }
                _ => 0,
            }
        };
        let line = (parsed_line as i64 + self.shift + blank as i64).max(0) as u64;
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
        // Fields past the header's: up to the last one that is not blank.
        let width = self.cols.width;
        let end = (width..row.len())
            .rev()
            .find(|&i| get(i).is_some_and(|b| !b.trim_ascii().is_empty()))
            .map_or(width, |i| i + 1);
        let raw: std::borrow::Cow<[u8]> = if end <= width {
            raw.into()
        } else if self.cols.text + 1 == width {
            // The text runs on over the extra fields: an unquoted delimiter in the message.
            let mut joined = raw.to_vec();
            for i in width..end {
                joined.push(self.delimiter);
                joined.extend_from_slice(get(i).unwrap_or_default());
            }
            joined.into()
        } else {
            let header = if self.cols.no_header {
                "the first row"
            } else {
                "the header"
            };
            return Some(Err(err(format!(
                "row has {} fields, {header} has {width}: the text column (number {}) is not the \
                 last, so it cannot tell which fields are the text (quote fields that hold the \
                 delimiter)",
                row.len(),
                self.cols.text + 1
            ))));
        };
        let text = match decode(&raw, enc) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const SCAM: &str = "您的POS机备案即将到期，回复1免费更换新机";

    fn read(csv: &str, opts: &ReaderOptions) -> Vec<RecordResult> {
        let input = std::io::Cursor::new(csv.as_bytes().to_vec());
        open(input, "t.csv".into(), b',', opts).unwrap().collect()
    }

    /// `(line, id, sender, date, text)` of each record, or the error's reason as text.
    fn rows(csv: &str, opts: &ReaderOptions) -> Vec<(u64, String, String, String, String)> {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        read(csv, opts)
            .into_iter()
            .map(|r| match r {
                Ok(r) => (r.line, s(&r.id), s(&r.sender), s(&r.date), r.text),
                Err(e) => (e.line, s(&e.id), s(&e.sender), s(&e.date), e.reason),
            })
            .collect()
    }

    fn row(
        line: u64,
        id: &str,
        sender: &str,
        date: &str,
        text: &str,
    ) -> (u64, String, String, String, String) {
        (line, id.into(), sender.into(), date.into(), text.into())
    }

    #[test]
    fn numbers_are_told_from_text() {
        for n in ["3", "-12", "200.5", "1,280.00", "1.38E+10", "+7", " 42 "] {
            assert!(is_number(n), "{n}");
        }
        for t in [
            "",
            "-",
            "1.2.3",
            "1e",
            "E5",
            "好的",
            "3元",
            "95588转账",
            "1-2",
        ] {
            assert!(!is_number(t), "{t}");
        }
    }

    #[test]
    fn second_qa_pass_header_and_width_cases() {
        let opts = ReaderOptions::default();
        // Header-less, the first message holding an unquoted comma: the usual width is 3, the
        // first row's extra field joins its text, and the rows after it are not short.
        assert_eq!(
            rows(
                &format!("13800138000,2023-11-15 06:13,收到,{SCAM}\n95588,2023-11-16 07:00,您尾号6621卡POS支出128.00元\n10086,2023-11-16 08:00,好的\n"),
                &opts
            ),
            [
                row(1, "", "13800138000", "2023-11-15 06:13", &format!("收到,{SCAM}")),
                row(2, "", "95588", "2023-11-16 07:00", "您尾号6621卡POS支出128.00元"),
                row(3, "", "10086", "2023-11-16 08:00", "好的"),
            ]
        );
        // A header ending in a delimiter (as Excel and WPS write): the text is still the last
        // column, and a comma in it is joined back.
        assert_eq!(
            rows(
                &format!("id,sender,text,\n1,10690,收到,{SCAM},\n2,95588,好的,\n"),
                &opts
            ),
            [
                row(2, "1", "10690", "", &format!("收到,{SCAM}")),
                row(3, "2", "95588", "", "好的"),
            ]
        );
        // One column whose first row names nothing known, and a first row with a number: data.
        assert_eq!(rows(&format!("好的\n{SCAM}\n明天见\n"), &opts).len(), 3);
        assert_eq!(
            rows(&format!("1,好的\n2,明天见\n3,{SCAM}\n"), &opts)[0],
            row(1, "", "", "", "好的")
        );
        // A known name with a note, and a name that starts with a date: a header.
        let r = rows(
            &format!(
                "短信内容（请勿删除此列，导入时必填）,发送号码,接收日期\n{SCAM},10690,2023-11-15\n"
            ),
            &opts,
        );
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].4, SCAM);
        let r = rows(
            &format!("2023-11-15 导出,号码,短信\n备注,10690,{SCAM}\n"),
            &opts,
        );
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!((r[0].2.as_str(), r[0].4.as_str()), ("10690", SCAM));
        // Header-less: one malformed row among the first does not hide the date column.
        let mut csv = String::new();
        for i in 0..12 {
            csv.push_str(&format!(
                "1380013800{},2023-11-{:02} 08:00,{SCAM}\n",
                i % 10,
                i + 1
            ));
        }
        csv.push_str("95588,好的,x\n");
        let r = rows(&csv, &opts);
        assert_eq!(r.len(), 13);
        assert_eq!(r[0].3, "2023-11-01 08:00");
        assert_eq!(r[0].2, "13800138000");
    }

    #[test]
    fn extra_fields_are_the_text_when_it_is_the_last_column() {
        let opts = ReaderOptions::default();
        assert_eq!(
            rows(&format!("内容\n收到,{SCAM}\n明天见\n"), &opts),
            [
                row(2, "", "", "", &format!("收到,{SCAM}")),
                row(3, "", "", "", "明天见")
            ]
        );
        assert_eq!(
            rows(
                &format!(
                    "id,sender,date,text\n1,106900001234,2023-11-15,收到,{SCAM}\n2,95588,2023-11-16,好的\n"
                ),
                &opts
            ),
            [
                row(2, "1", "106900001234", "2023-11-15", &format!("收到,{SCAM}")),
                row(3, "2", "95588", "2023-11-16", "好的"),
            ]
        );
        // A trailing delimiter adds nothing; blank fields inside the message are kept.
        assert_eq!(
            rows("id,text\n1,好的,,\n2,a,,b\n", &opts),
            [row(2, "1", "", "", "好的"), row(3, "2", "", "", "a,,b")]
        );
        // Tab-separated: joined with a tab.
        let input = std::io::Cursor::new(b"id\ttext\n1\ta\tb\n".to_vec());
        let recs: Vec<_> = open(input, "t.tsv".into(), b'\t', &opts).unwrap().collect();
        assert_eq!(recs[0].as_ref().unwrap().text, "a\tb");
    }

    #[test]
    fn extra_fields_are_an_error_when_the_text_is_not_the_last_column() {
        let got = rows(
            &format!("id,text,sender\n1,{SCAM},10690\n2,收到,{SCAM},10690\n3,a,\n"),
            &ReaderOptions::default(),
        );
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], row(2, "1", "10690", "", SCAM));
        assert_eq!((got[1].0, got[1].1.as_str()), (3, "2"));
        assert!(
            got[1].4.starts_with("row has 4 fields, the header has 3"),
            "{}",
            got[1].4
        );
        assert_eq!(
            got[2],
            row(4, "3", "", "", "a"),
            "a trailing blank field is none"
        );
    }

    #[test]
    fn a_file_without_header_starts_with_a_record() {
        let csv = format!(
            "13800138000,2023-11-15 06:13,{SCAM}\n95588,2023-11-15 06:14,您尾号6621卡POS支出128.00元\n10086,2023-11-15 06:15,明天见\n"
        );
        let want = [
            row(1, "", "13800138000", "2023-11-15 06:13", SCAM),
            row(
                2,
                "",
                "95588",
                "2023-11-15 06:14",
                "您尾号6621卡POS支出128.00元",
            ),
            row(3, "", "10086", "2023-11-15 06:15", "明天见"),
        ];
        assert_eq!(rows(&csv, &ReaderOptions::default()), want);
        // With a BOM, and forced: the same.
        let forced = ReaderOptions {
            no_header: true,
            ..ReaderOptions::default()
        };
        assert_eq!(rows(&format!("\u{feff}{csv}"), &forced), want);
        // Columns by number; a record number counting up is no sender.
        let numbered = ReaderOptions {
            no_header: true,
            text_field: Some("3".into()),
            id_field: Some("1".into()),
            ..ReaderOptions::default()
        };
        assert_eq!(
            rows("1,10086,明天见\n2,95588,好的\n", &numbered),
            [
                row(1, "1", "10086", "", "明天见"),
                row(2, "2", "95588", "", "好的")
            ]
        );
        let Err(e) = open(
            std::io::Cursor::new(b"1,2\n".to_vec()),
            "t.csv".into(),
            b',',
            &ReaderOptions {
                text_field: Some("内容".into()),
                ..forced.clone()
            },
        ) else {
            panic!("a column name in a file without names");
        };
        assert!(
            e.to_string()
                .contains("no header row: columns are numbered 1 to 2"),
            "{e}"
        );
        // A header of unknown names is still a header; so is one naming a known column.
        assert_eq!(
            rows("编码,说明\n1,明天见\n", &ReaderOptions::default()),
            [row(2, "", "", "", "明天见")]
        );
        assert_eq!(
            rows(
                "号码,备注\n95588,您的POS机备案即将到期\n",
                &ReaderOptions::default()
            ),
            [row(2, "", "95588", "", "您的POS机备案即将到期")]
        );
        // A header column given by number.
        let by_number = ReaderOptions {
            text_field: Some("2".into()),
            ..ReaderOptions::default()
        };
        assert_eq!(
            rows("a,b\n1,明天见见见见\n", &by_number),
            [row(2, "", "", "", "明天见见见见")]
        );
    }

    #[test]
    fn data_cells_and_column_names() {
        for s in ["13800138000", "+8613800138000", "95588", "106900001234"] {
            assert!(looks_like_phone(s), "{s}");
        }
        for s in ["1", "1234", "号码", "138-0013-8000x"] {
            assert!(!looks_like_phone(s), "{s}");
        }
        for s in [
            "2023-11-15 06:13",
            "2023/11/15",
            "2023年11月15日",
            "15.11.2023",
            "06:13",
            "6:13:00",
        ] {
            assert!(looks_like_date(s), "{s}");
        }
        for s in ["日期", "2023", "1.5", "v2", "12:3"] {
            assert!(!looks_like_date(s), "{s}");
        }
        assert!(looks_like_message(SCAM));
        assert!(!looks_like_message("短信内容"));
        assert!(!looks_like_message("text"));
        assert!(!is_sender_column(&[
            "10001".into(),
            "10002".into(),
            "10003".into()
        ]));
        assert!(is_sender_column(&["10086".into(), "95588".into()]));
    }

    #[test]
    fn phone_number_columns_come_before_contact_names() {
        let opts = ReaderOptions::default();
        assert_eq!(
            rows(
                "类型,联系人,号码,时间,内容\n接收,张三,13800138000,2023-11-15,明天见\n",
                &opts
            ),
            [row(2, "", "13800138000", "2023-11-15", "明天见")]
        );
        assert_eq!(
            rows("联系人,发送时间,短信内容\n张三,2023-11-15,明天见\n", &opts),
            [row(2, "", "张三", "2023-11-15", "明天见")],
            "a name when there is no number"
        );
        assert_eq!(
            rows("对方号码,接收时间,正文\n95588,2023-11-15,明天见\n", &opts),
            [row(2, "", "95588", "2023-11-15", "明天见")]
        );
        assert_eq!(
            rows("姓名,发件人,消息内容\n李四,10690,明天见\n", &opts),
            [row(2, "", "10690", "", "明天见")]
        );
    }
}

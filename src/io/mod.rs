//! Records in, results out. Input formats are readers yielding [`Record`]s or per-record errors;
//! output formats are [`ResultWriter`](writer::ResultWriter)s. Neither knows about the model.
//!
//! Input formats (detected from the content, then the file name; `--format` overrides):
//!
//! | format | what | `line` in output rows |
//! |---|---|---|
//! | `jsonl` | one JSON object per line, text in `text` (or `--text-field`, a path with dots into nested objects) | line |
//! | `csv`, `tsv` | header row (or none: detected, or `--no-header`), text column detected or `--text-col`; UTF-8 (BOM or not), GBK/GB18030, Big5, UTF-16 | line where the row starts |
//! | `text` | one message per line, same encodings | line |
//! | `xml` | Android "SMS Backup & Restore" (`<smses><sms …/><mms …>`), streamed; UTF-8, or the encoding its declaration names, GBK/GB18030 or Big5 by its bytes, UTF-16 with a BOM, transcoded as it streams | line of the element |
//! | `sqlite` | iOS `sms.db` (`message` ⨝ `handle`) | `message.ROWID` |
//! | `transcript` | one call per file, speaker-prefixed lines (`客服：…`, `A: …`) | line of the first turn |
//! | `spreadsheet` | Excel `.xlsx`/`.xlsm`/`.xlsb`/`.xls`, OpenDocument `.ods`: every worksheet, each read as a CSV table (same column options; `file#sheet` when several); read whole, within `spreadsheet::Limits` (file, unpacked parts, XML run, cells as tables) | row of the sheet |
//! | `asr` | ASR JSON: `[{"speaker","text","start","end"}]`, `{"segments":[…]}` (whisper) or `{"sentence_info":[…]}` (FunASR, also as an array of such results, one call each), `transcription` (whisper.cpp), `utterances` (AssemblyAI), `Result.Sentences` (Alibaba Cloud), `result.utterances` (Volcengine); an array of message objects or strings is read as messages | 1 (messages: line where the element starts) |
//!
//! Among several inputs (a directory, a glob) every one shows up in the output: an input with no
//! record at all (an empty file, a transcript of blank lines, a CSV with only its header) is one
//! error record, and so is a file that cannot be opened, while the run goes on. A single input with
//! no record is a run of 0 records.

// A failed record carries what is known of it (id, sender, date) next to the reason, as large as
// the record it stands for; boxing it would only add an allocation per error.
#![allow(clippy::result_large_err)]

pub mod csv_in;
pub mod encoding;
pub mod inputs;
pub mod jsonl;
pub mod labelled;
pub mod spreadsheet;
pub mod sqlite;
pub mod transcript;
pub mod writer;
pub mod xml;

use crate::error::{Error, Result};
use crate::labels::Channel;
use encoding::TextEncoding;
use serde::Serialize;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Longest text scored, in characters; longer texts are cut to this and flagged `truncated`.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Longest line read from a line-based file (JSONL, text), in bytes; the rest of a longer line is
/// skipped (JSONL: error record; text: the message is cut and flagged `truncated`).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Longest CSV/TSV record (row), in bytes; a longer one is an error record and its bytes past the
/// limit are skipped without being stored (see [`csv_in::open_with_limit`]).
pub const MAX_RECORD_BYTES: usize = MAX_LINE_BYTES;

/// Most turns kept of one call; the turns after are dropped and the record is flagged `truncated`
/// (each turn is scored, and windows of turns: this bounds the work one file can ask for).
pub const MAX_TURNS: usize = 2_000;

/// Largest whole-document input (one transcript or ASR JSON file), in bytes.
pub const MAX_DOCUMENT_BYTES: u64 = 64 << 20;

/// One turn of a call transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    /// Speaker label as written (`客服`, `A`, `SPEAKER_00`), if any.
    pub speaker: Option<String>,
    pub text: String,
    /// Line in the file where the turn starts (transcripts), segment number (ASR JSON), or 0 (a
    /// call given as one JSONL text).
    pub line: u64,
    /// Start time in seconds (ASR JSON).
    pub start: Option<f64>,
}

impl Turn {
    /// `speaker：text`, the way the corpus writes calls.
    pub fn display(&self) -> String {
        match &self.speaker {
            Some(s) => format!("{s}：{}", self.text),
            None => self.text.clone(),
        }
    }
}

/// Joins turns into the text of a whole call, one turn per line.
pub fn join_turns(turns: &[Turn]) -> String {
    let mut s = String::new();
    for (i, t) in turns.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        if let Some(sp) = &t.speaker {
            s.push_str(sp);
            s.push('：');
        }
        s.push_str(&t.text);
    }
    s
}

/// One message read from an input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// File name (or `-` for stdin).
    pub source: String,
    /// Where to look in the file: line (JSONL, text, CSV row start, XML element), `ROWID` (sms.db).
    pub line: u64,
    /// Record number within the source, from 1.
    pub index: u64,
    pub id: Option<String>,
    pub sender: Option<String>,
    pub date: Option<String>,
    /// Received or sent, where the format says (None: not known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    pub channel: Option<Channel>,
    pub text: String,
    /// The text was longer than [`MAX_TEXT_CHARS`] and was cut.
    pub truncated: bool,
    /// The turns of a call transcript (empty for messages); `text` is all of them joined.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub turns: Vec<Turn>,
    /// Parts of the record that could not be read and were left out of `text`, each with its
    /// place and the reason (an ASR segment whose text is not a string, say). The rest is scored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

/// Whether a message came to the phone or went from it, where the export says so (SMS Backup &
/// Restore's `type`/`msg_box`, sms.db's `is_from_me`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Received,
    /// Sent, or written to be sent (draft, outbox, failed, queued): the phone owner's own message.
    /// Its `sender` is the other party, the recipient.
    Sent,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Received => "received",
            Direction::Sent => "sent",
        }
    }

    /// SMS Backup & Restore's `type` (sms) or `msg_box` (mms): 1 inbox; 2 sent, 3 draft, 4 outbox,
    /// 5 failed, 6 queued. Anything else is unknown.
    pub fn from_android_box(v: &str) -> Option<Direction> {
        match v.trim() {
            "1" => Some(Direction::Received),
            "2" | "3" | "4" | "5" | "6" => Some(Direction::Sent),
            _ => None,
        }
    }
}

impl Record {
    /// A message record with no metadata.
    pub fn new(source: impl Into<String>, line: u64, index: u64, text: String) -> Record {
        Record {
            source: source.into(),
            line,
            index,
            id: None,
            sender: None,
            date: None,
            direction: None,
            channel: None,
            text,
            truncated: false,
            turns: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

/// A record that could not be read; the batch goes on.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RecordError {
    pub source: String,
    pub line: u64,
    pub index: u64,
    pub reason: String,
    /// What is known of the record despite the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl RecordError {
    pub fn new(
        source: impl Into<String>,
        line: u64,
        index: u64,
        reason: impl Into<String>,
    ) -> RecordError {
        RecordError {
            source: source.into(),
            line,
            index,
            reason: reason.into(),
            ..RecordError::default()
        }
    }
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.reason)
    }
}

impl From<RecordError> for Error {
    fn from(e: RecordError) -> Self {
        Error::Record {
            source_name: e.source,
            line: e.line,
            reason: e.reason,
        }
    }
}

pub type RecordResult = std::result::Result<Record, RecordError>;

/// A streaming source of records.
pub type RecordStream = Box<dyn Iterator<Item = RecordResult> + Send>;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// JSON Lines, one message object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// Tab-separated with a header row.
    Tsv,
    /// One message per line.
    Text,
    /// Android "SMS Backup & Restore" XML.
    Xml,
    /// iOS sms.db (SQLite).
    #[value(alias = "sms.db", alias = "sqlite3")]
    Sqlite,
    /// One call per file: speaker-prefixed lines, or subtitles (`.srt`, `.vtt`).
    #[value(alias = "srt", alias = "vtt")]
    Transcript,
    /// ASR JSON segments of one call (or a JSON array of messages).
    #[value(alias = "json")]
    Asr,
    /// An Excel or OpenDocument workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`): every
    /// worksheet, each read as a CSV table.
    #[value(alias = "xlsx", alias = "xls", alias = "ods", alias = "excel")]
    Spreadsheet,
}

/// Options that tell a reader where the fields are.
#[derive(Debug, Clone, Default)]
pub struct ReaderOptions {
    /// JSON field or CSV column holding the text (detected when `None`).
    pub text_field: Option<String>,
    pub id_field: Option<String>,
    pub sender_field: Option<String>,
    pub date_field: Option<String>,
    /// CSV/TSV: the first row is a record, not column names (detected when the first row names
    /// no known column and holds a phone number, a number, a date or a message, or is the file's
    /// one column). Columns are then referred
    /// to by number, from 1.
    pub no_header: bool,
    /// Bytes read from input files so far (for progress and ETA).
    pub bytes_read: Option<Arc<AtomicU64>>,
}

/// How many bytes are looked at to detect the format and encoding.
const HEAD_BYTES: usize = 64 << 10;

/// What a file whose first bytes are `head` is, when it is plainly not text: a picture, a PDF,
/// an archive, a program, or bytes of which a tenth are NULs or other control characters (random
/// data, a database of another kind). Such a file under a text name (`.txt`) was read line by
/// line, its first line taken for a CSV header and the bytes after it scored as messages.
fn binary_kind(head: &[u8], enc: TextEncoding) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 8] = [
        (b"\x89PNG", "a PNG picture"),
        (b"\xff\xd8\xff", "a JPEG picture"),
        (b"GIF8", "a GIF picture"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"\x7fELF", "a program"),
        (b"Rar!", "a RAR archive"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(what);
    }
    if enc.is_utf16() {
        return None;
    }
    let sample = &head[..head.len().min(4096)];
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    // A stray NUL or two in a message is text with a flaw (read as a space); a tenth of control
    // bytes in the first KiBs is not text. Too short a file to tell is read.
    (sample.len() >= 256 && control * 10 > sample.len()).then_some("binary data")
}

/// Guesses the format from the first bytes, then from the file name.
pub fn detect_format(name: &str, head: &[u8]) -> InputFormat {
    detect(name, head, head.len() < HEAD_BYTES)
}

fn detect(name: &str, head: &[u8], complete: bool) -> InputFormat {
    let lower = name.to_ascii_lowercase();
    let ext = |e: &str| lower.ends_with(e);
    if head.starts_with(b"SQLite format 3\0") {
        return InputFormat::Sqlite;
    }
    if spreadsheet::looks_like_spreadsheet(name, head) {
        return InputFormat::Spreadsheet;
    }
    let enc = encoding::sniff(head, complete);
    let text: std::borrow::Cow<str> = if enc.is_utf16() {
        let mut s = String::new();
        encoding::Utf16Reader::new(head, enc)
            .read_to_string(&mut s)
            .ok();
        s.into()
    } else if enc == TextEncoding::Utf8 {
        String::from_utf8_lossy(head)
    } else {
        encoding::decode(head, enc).unwrap_or_else(|_| String::from_utf8_lossy(head))
    };
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        return InputFormat::Xml;
    }
    if ext(".jsonl") || ext(".ndjson") {
        // One JSON value per line, whatever the first line holds (an array on a line is an error
        // for that line, not a whole-file JSON document).
        return InputFormat::Jsonl;
    }
    if ext(".srt") || ext(".vtt") || transcript::looks_like_subtitles(trimmed) {
        // Subtitles (whisper's `.srt`/`.vtt`): one call, cue by cue.
        return InputFormat::Transcript;
    }
    if let Some(rest) = trimmed.strip_prefix('[') {
        // A JSON array of objects, not a line starting with a time stamp like `[00:01]`.
        if rest.trim_start().starts_with(['{', ']']) || rest.trim_start().is_empty() {
            return InputFormat::Asr;
        }
        // A JSON array of strings (messages): a `.json` file, or `[` alone on the first line, or
        // a first line that is such an array.
        let first = trimmed.lines().next().unwrap_or_default().trim();
        if rest.trim_start().starts_with('"')
            && (ext(".json")
                || first == "["
                || serde_json::from_str::<Vec<serde_json::Value>>(first).is_ok())
        {
            return InputFormat::Asr;
        }
    }
    if trimmed.starts_with('{') {
        if ext(".jsonl") || ext(".ndjson") {
            return InputFormat::Jsonl;
        }
        // One object per line is JSONL, unless it is a whole ASR document on one line; an object
        // spread over lines is a JSON document (whisper-style `{"text":…,"segments":[…]}`).
        let first = trimmed.lines().next().unwrap_or_default();
        return match serde_json::from_str::<serde_json::Value>(first) {
            Ok(v)
                if transcript::has_segment_list(&v)
                    || v.get("segments").is_some_and(|s| s.is_array()) =>
            {
                InputFormat::Asr
            }
            Ok(_) => InputFormat::Jsonl,
            Err(_) if !complete && !trimmed.contains('\n') => InputFormat::Jsonl, // a long first line
            Err(_) if ext(".json") || transcript::mentions_segment_list(trimmed) => {
                InputFormat::Asr
            }
            Err(_) => InputFormat::Jsonl,
        };
    }
    if ext(".jsonl") || ext(".ndjson") {
        return InputFormat::Jsonl;
    }
    if ext(".xml") {
        return InputFormat::Xml;
    }
    if ext(".db") || ext(".sqlite") || ext(".sqlite3") {
        return InputFormat::Sqlite;
    }
    if ext(".csv") {
        return InputFormat::Csv;
    }
    if ext(".tsv") {
        return InputFormat::Tsv;
    }
    if transcript::looks_like_transcript(text) {
        return InputFormat::Transcript;
    }
    let line = text.split('\n').next().unwrap_or_default();
    // posguard's own CSV output (its header is longer than the test below takes), on stdin or
    // under another name: read as CSV, whose reader refuses it by its columns.
    if line.trim_end_matches('\r') == writer::csv_header().join(",") {
        return InputFormat::Csv;
    }
    // A header naming a known text column (`编号,发送方,短信内容,时间`): Excel exports in China
    // have Chinese headers, which the ASCII test below does not take.
    let names_text_column = |delimiter: char| {
        line.trim_end_matches('\r').split(delimiter).any(|f| {
            let f = f.trim().trim_matches('"').trim();
            jsonl::TEXT_FIELDS.iter().any(|t| t.eq_ignore_ascii_case(f))
        })
    };
    if line.contains('\t') {
        InputFormat::Tsv
    } else if line.contains(',') && line.len() < 200 && (line.is_ascii() || names_text_column(','))
    {
        InputFormat::Csv
    } else if line.contains(';') && line.len() < 200 && names_text_column(';') {
        // Semicolon-separated (European Excel); the CSV reader takes the delimiter from this row.
        InputFormat::Csv
    } else {
        InputFormat::Text
    }
}

/// Whether the first line of `head` is a row of posguard's own JSONL output: an object with
/// `source`, `record` and `verdict` (a result) or `error` (an error row), and no text field.
/// Scoring such a file (a previous run's output left in the inbox directory) gave one "no text
/// field" error per row.
fn is_own_jsonl_output(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
    let Ok(serde_json::Value::Object(row)) = serde_json::from_slice(line) else {
        return false;
    };
    row.contains_key("source")
        && row.contains_key("record")
        && (row.contains_key("verdict") || row.contains_key("error"))
        && !jsonl::TEXT_FIELDS.iter().any(|f| row.contains_key(*f))
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    counter: Option<Arc<AtomicU64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(c) = &self.counter {
            c.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// Opens `path` (`-` for stdin) as a stream of records.
pub fn open(
    path: &Path,
    format: Option<InputFormat>,
    opts: &ReaderOptions,
) -> Result<RecordStream> {
    let name = path.display().to_string();
    let raw: Box<dyn Read + Send> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(Error::Invalid(format!("{name}: is a directory")));
        }
        if format == Some(InputFormat::Sqlite) {
            return sqlite::open(path, name, opts);
        }
        Box::new(Counting {
            inner: f,
            counter: opts.bytes_read.clone(),
        })
    };
    // Read the head (a pipe may deliver it in pieces), then put it back in front. From a file: up
    // to HEAD_BYTES; from stdin, which may be a live stream, only until a first whole line.
    let mut raw = raw;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let mut complete = false;
    let mut chunk = vec![0u8; 8192];
    while head.len() < HEAD_BYTES {
        let want = chunk.len().min(HEAD_BYTES - head.len());
        let n = match raw.read(&mut chunk[..want]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(path, e)),
        };
        if n == 0 {
            complete = true;
            break;
        }
        head.extend_from_slice(&chunk[..n]);
        if name == "-" && head.contains(&b'\n') {
            break;
        }
    }
    let format = match format {
        Some(f) => f,
        None => detect(&name, &head, complete),
    };
    let enc = encoding::sniff(&head, complete);
    if !matches!(format, InputFormat::Sqlite | InputFormat::Spreadsheet) {
        if let Some(what) = binary_kind(&head, enc) {
            return Err(Error::Invalid(format!(
                "{name}: {what}, not text: not read (posguard reads messages as text, JSON, CSV, \
                 XML, SQLite or a workbook)"
            )));
        }
    }
    if format == InputFormat::Jsonl && opts.text_field.is_none() && is_own_jsonl_output(&head) {
        return Err(Error::Invalid(format!(
            "{name}: this is posguard's own output (rows with source, record and verdict or \
             error): it holds no message text to score"
        )));
    }
    let declared = (format == InputFormat::Xml)
        .then(|| encoding::xml_declared_encoding(&head))
        .flatten();
    let has_utf8_line = format == InputFormat::Xml && encoding::has_utf8_line(&head);
    let chained = std::io::Cursor::new(head).chain(raw);
    let reader: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(1 << 16, chained));
    // Text formats: UTF-16 is transcoded first; other encodings are decoded field by field.
    let text_reader = |reader: Box<dyn BufRead + Send>| -> (Box<dyn BufRead + Send>, TextEncoding) {
        if enc.is_utf16() {
            let r = BufReader::with_capacity(1 << 16, encoding::Utf16Reader::new(reader, enc));
            (Box::new(r), TextEncoding::Utf8)
        } else {
            (reader, enc)
        }
    };
    Ok(match format {
        InputFormat::Jsonl => {
            let (r, enc) = text_reader(reader);
            Box::new(jsonl::JsonlReader::new(r, name, opts.clone()).with_encoding(enc))
        }
        InputFormat::Text => {
            let (r, enc) = text_reader(reader);
            Box::new(jsonl::TextLineReader::with_encoding(r, name, enc))
        }
        InputFormat::Csv => {
            let (r, enc) = text_reader(reader);
            csv_in::open_with_encoding(r, name, b',', opts, enc)?
        }
        InputFormat::Tsv => {
            let (r, enc) = text_reader(reader);
            csv_in::open_with_encoding(r, name, b'\t', opts, enc)?
        }
        InputFormat::Xml => {
            // quick-xml reads UTF-8: a file in another encoding is transcoded as it streams —
            // UTF-16 by its BOM, else the encoding its declaration names, else GBK or Big5 when
            // its bytes are that and none of its lines UTF-8 (a backup converted with iconv
            // keeps its `encoding='UTF-8'`).
            let transcode = match (declared, enc) {
                (_, e) if e.is_utf16() => Some((e.encoding(), "its byte order mark says so")),
                (Some(d), _) => Some((d, "its XML declaration says so")),
                // Only when no line is UTF-8: a UTF-8 backup with a broken byte stays UTF-8,
                // whatever its other lines would also decode as.
                (None, TextEncoding::Gb18030 | TextEncoding::Big5) if !has_utf8_line => {
                    Some((enc.encoding(), "its bytes are that, not UTF-8"))
                }
                _ => None,
            };
            let reader: Box<dyn BufRead + Send> = match transcode {
                Some((e, why)) => Box::new(BufReader::with_capacity(
                    1 << 16,
                    encoding::DecodeReader::strict(reader, e, why),
                )),
                None => reader,
            };
            Box::new(xml::SmsXmlReader::new(reader, name))
        }
        InputFormat::Sqlite => {
            if path.as_os_str() == "-" {
                return Err(Error::Invalid(
                    "an SQLite database (sms.db) cannot be read from stdin; pass its path".into(),
                ));
            }
            sqlite::open(path, name, opts)?
        }
        InputFormat::Transcript => {
            let (r, enc) = text_reader(reader);
            transcript::read_transcript(r, name, enc)
        }
        InputFormat::Asr => {
            // A JSON document is parsed whole: UTF-16 is transcoded, and so is GBK or Big5 (the
            // encoding its bytes were sniffed as; bad bytes end it with an error naming it).
            let (r, enc) = text_reader(reader);
            let r: Box<dyn BufRead + Send> = match enc {
                TextEncoding::Gb18030 | TextEncoding::Big5 => Box::new(BufReader::with_capacity(
                    1 << 16,
                    encoding::DecodeReader::strict(
                        r,
                        enc.encoding(),
                        "its bytes are that, not UTF-8",
                    ),
                )),
                _ => r,
            };
            transcript::read_json_document(r, name, opts)
        }
        InputFormat::Spreadsheet => {
            // Read whole, at most one byte past the limit (the reader says it is too large).
            let limit = spreadsheet::Limits::default().file_bytes;
            let mut bytes = Vec::new();
            reader
                .take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(path, e))?;
            spreadsheet::open(bytes, name, opts)?
        }
    })
}

/// Cuts `text` to [`MAX_TEXT_CHARS`] characters; true when it was longer.
pub fn cut_text(text: &mut String) -> bool {
    // Fast path: a text of at most MAX_TEXT_CHARS bytes has at most that many characters.
    if text.len() > MAX_TEXT_CHARS {
        if let Some((cut, _)) = text.char_indices().nth(MAX_TEXT_CHARS) {
            text.truncate(cut);
            return true;
        }
    }
    false
}

/// Reads one message from `reader` (stdin, say) keeping at most [`MAX_TEXT_CHARS`] characters:
/// the rest is read and dropped, so memory stays bounded whatever the input's size. NUL bytes
/// become spaces, as in every reader. UTF-8, or GB18030/GBK or Big5 when the bytes are not UTF-8
/// and read as one of those (a Windows console or a file saved by Excel in China); a leading BOM
/// and the line break that ends the input (`echo … |`) are not part of the message. Returns the
/// text and whether it was cut.
pub fn read_message(reader: impl Read, name: &str) -> Result<(String, bool)> {
    // A character is at most 4 bytes (UTF-8 and UTF-16 alike): this many bytes always hold
    // MAX_TEXT_CHARS characters after a byte order mark.
    const KEEP: usize = MAX_TEXT_CHARS * 4 + 4;
    let mut reader = reader;
    let mut bytes = Vec::new();
    (&mut reader)
        .take(KEEP as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(name, e))?;
    let mut rest =
        std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| Error::io(name, e))?;
    // UTF-16 with its byte order mark (Windows PowerShell pipes text so, Notepad saves it so).
    let utf16 = match bytes.get(..2) {
        Some(b"\xFF\xFE") => Some(encoding_rs::UTF_16LE),
        Some(b"\xFE\xFF") => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    if let Some(enc) = utf16 {
        let body = &bytes[2..];
        let invalid =
            |why: &str| Error::Invalid(format!("{name}: not valid {} ({why})", enc.name()));
        if rest == 0 && body.len() % 2 == 1 {
            return Err(invalid("an odd number of bytes"));
        }
        // Where the input goes on, the KEEP boundary may cut a unit or a surrogate pair: drop
        // the part of a character before it.
        let mut body = &body[..body.len() - body.len() % 2];
        if rest > 0 {
            let last = body.len().checked_sub(2).map(|i| {
                let unit = [body[i], body[i + 1]];
                if enc == encoding_rs::UTF_16LE {
                    u16::from_le_bytes(unit)
                } else {
                    u16::from_be_bytes(unit)
                }
            });
            if last.is_some_and(|u| (0xD800..0xDC00).contains(&u)) {
                body = &body[..body.len() - 2];
            }
        }
        let mut text = enc
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or_else(|| invalid("an unpaired surrogate"))?
            .into_owned();
        let cut = finish_message(&mut text, rest > 0)?;
        return Ok((text, cut));
    }
    // Valid UTF-8 up to a character cut at the KEEP boundary.
    let valid = match std::str::from_utf8(&bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() && rest > 0 => e.valid_up_to(),
        Err(e) => {
            let enc = encoding::sniff(&bytes, rest == 0);
            if matches!(enc, TextEncoding::Gb18030 | TextEncoding::Big5) {
                // A double-byte character may be cut at the KEEP boundary: drop its first byte.
                let decoded = encoding::decode(&bytes, enc).or_else(|err| match rest {
                    0 => Err(err),
                    _ => encoding::decode(&bytes[..bytes.len() - 1], enc),
                });
                match decoded {
                    Ok(s) => {
                        let mut text = s.into_owned();
                        let cut = finish_message(&mut text, rest > 0)?;
                        return Ok((text, cut));
                    }
                    Err(reason) => return Err(Error::Invalid(format!("{name}: {reason}"))),
                }
            }
            return Err(Error::Invalid(format!(
                "{name}: not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            )));
        }
    };
    rest += (bytes.len() - valid) as u64;
    bytes.truncate(valid);
    let mut text = String::from_utf8(bytes).expect("checked above");
    let cut = finish_message(&mut text, rest > 0)?;
    Ok((text, cut))
}

/// The end of [`read_message`]: BOM and final line break off, NULs to spaces, cut to
/// [`MAX_TEXT_CHARS`]; true when anything was cut (`dropped`: bytes were left unread).
fn finish_message(text: &mut String, dropped: bool) -> Result<bool> {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if !dropped {
        if text.ends_with('\n') {
            text.pop();
        }
        if text.ends_with('\r') {
            text.pop();
        }
    }
    if text.contains('\0') {
        *text = text.replace('\0', " ");
    }
    let cut = cut_text(text);
    Ok(cut || dropped)
}

/// Keeps at most [`MAX_TURNS`] turns, each cut to [`MAX_TEXT_CHARS`] characters; true when
/// anything was dropped.
pub(crate) fn cap_turns(turns: &mut Vec<Turn>) -> bool {
    let mut cut = false;
    if turns.len() > MAX_TURNS {
        turns.truncate(MAX_TURNS);
        cut = true;
    }
    for t in turns.iter_mut() {
        cut |= cut_text(&mut t.text);
    }
    cut
}

/// Why a message cannot be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NothingToJudge {
    /// Empty or only white space.
    Empty,
    /// No letter, digit or Chinese character: only punctuation, symbols, emoji or invisible
    /// characters, in which no word, number or link can say anything either way (the model's
    /// answer to `！？。` would be its bias, a confident verdict about nothing).
    NoWords,
}

impl std::fmt::Display for NothingToJudge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NothingToJudge::Empty => "empty text",
            NothingToJudge::NoWords => "no text to judge: only punctuation, symbols or emoji (no letter, digit or Chinese character)",
        })
    }
}

/// Why `text` cannot be judged, if it cannot (see [`NothingToJudge`]).
pub fn nothing_to_judge(text: &str) -> Option<NothingToJudge> {
    if text.trim().is_empty() {
        Some(NothingToJudge::Empty)
    } else if !text.chars().any(|c| {
        // The usual letters first, without the look-up in Unicode's tables: ASCII, and the CJK
        // Unified Ideographs, all alphabetic.
        c.is_ascii_alphanumeric() || ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_alphanumeric()
    }) {
        Some(NothingToJudge::NoWords)
    } else {
        None
    }
}

/// Where the first byte of `b` is that a JSON string cannot hold as it is: a control character,
/// `"` or `\`. Eight bytes at a time: the JSONL reader and writer look for these in every string.
pub(crate) fn json_special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of each byte of `w` below `n` (at most 0x80): set by the borrow of
    // `byte - n` where the byte's own high bit is clear. A borrow carried on may mark a byte
    // above a marked one too, never one below: the lowest mark is exact.
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let equal = |w: u64, c: u8| below(w ^ (ONES * u64::from(c)), 1);
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        let marks = below(w, 0x20) | equal(w, b'"') | equal(w, b'\\');
        if marks != 0 {
            return Some(at + marks.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = chunks.remainder();
    let i = rest
        .iter()
        .position(|&c| c < 0x20 || c == b'"' || c == b'\\')?;
    Some(at + i)
}

/// Checks and trims a text field; shared by every reader so all formats behave alike.
pub(crate) fn finish_record(mut r: Record) -> RecordResult {
    if r.text.contains('\0') {
        r.text = r.text.replace('\0', " ");
    }
    if let Some(reason) = nothing_to_judge(&r.text) {
        return Err(RecordError {
            source: r.source,
            line: r.line,
            index: r.index,
            reason: reason.to_string(),
            id: r.id,
            sender: r.sender,
            date: r.date,
        });
    }
    r.truncated |= cut_text(&mut r.text);
    if !r.turns.is_empty() {
        for t in &mut r.turns {
            if t.text.contains('\0') {
                t.text = t.text.replace('\0', " ");
            }
        }
        r.truncated |= cap_turns(&mut r.turns);
    }
    Ok(r)
}

/// Seconds since the Unix epoch as ISO 8601 UTC (`2024-03-01T08:30:00Z`).
pub fn iso8601_utc(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_unified_ideographs_are_all_alphanumeric() {
        // `nothing_to_judge` takes them as letters without asking Unicode's tables.
        assert!(('\u{4E00}'..='\u{9FFF}').all(char::is_alphanumeric));
    }

    #[test]
    fn json_special_bytes_are_found_first() {
        for len in 0..20 {
            let plain = "a".repeat(len);
            assert_eq!(json_special(plain.as_bytes()), None);
            assert_eq!(json_special(format!("{plain}好\u{7f}/'").as_bytes()), None);
            for at in 0..=len {
                for c in ['"', '\\', '\0', '\n', '\u{1f}'] {
                    let mut s = plain.clone();
                    s.insert(at, c);
                    // A second one after it is not the one found.
                    s.push_str("\"\\\u{1}");
                    assert_eq!(json_special(s.as_bytes()), Some(at), "{s:?}");
                }
            }
        }
        for b in 0..=0xffu8 {
            let special = b < 0x20 || b == b'"' || b == b'\\';
            for len in [3, 8, 11] {
                let mut bytes = vec![b'x'; len];
                bytes[len - 1] = b;
                assert_eq!(json_special(&bytes), special.then_some(len - 1), "{b:#x}");
            }
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_utc(978_307_200), "2001-01-01T00:00:00Z");
        assert_eq!(iso8601_utc(1_709_281_800), "2024-03-01T08:30:00Z");
        assert_eq!(iso8601_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn detects_formats_by_content() {
        assert_eq!(
            detect_format("x", b"SQLite format 3\0...."),
            InputFormat::Sqlite
        );
        assert_eq!(
            detect_format("x.txt", b"<?xml version='1.0'?>\n<smses count=\"1\">"),
            InputFormat::Xml
        );
        assert_eq!(
            detect_format("a.json", b"[{\"speaker\":\"A\",\"text\":\"hi\"}]"),
            InputFormat::Asr
        );
        assert_eq!(
            detect_format("a.json", b"{\"text\":\"hi\"}\n{\"text\":\"yo\"}\n"),
            InputFormat::Jsonl
        );
        assert_eq!(
            detect_format("a.json", b"{\n  \"text\": \"hi\",\n  \"segments\": []\n}"),
            InputFormat::Asr
        );
        assert_eq!(
            detect_format(
                "call.txt",
                "客服：您好\n商户：你好\n客服：您的POS机要升级\n".as_bytes()
            ),
            InputFormat::Transcript
        );
        assert_eq!(
            detect_format("inbox.txt", "您好，您的POS机要升级\n明天见\n".as_bytes()),
            InputFormat::Text
        );
        assert_eq!(detect_format("x", b"id,text\n1,hi\n"), InputFormat::Csv);
        assert_eq!(detect_format("x.csv", b"id,text\n1,hi\n"), InputFormat::Csv);
        assert_eq!(
            detect_format(
                "call.txt",
                "[00:01] 客服：您好\n[00:03] 商户：你好\n[00:05] 客服：升级\n".as_bytes()
            ),
            InputFormat::Transcript
        );
    }
}

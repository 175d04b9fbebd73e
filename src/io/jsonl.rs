//! JSON Lines and plain-text (one message per line) readers.

use super::encoding::{decode_owned, TextEncoding};
use super::transcript::json_kind;
use super::{finish_record, ReaderOptions, Record, RecordError, RecordResult, MAX_LINE_BYTES};
use crate::labels::Channel;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::io::BufRead;

/// Field names tried, in order, when no text field is given.
pub const TEXT_FIELDS: &[&str] = &[
    "text",
    "content",
    "body",
    "message",
    "msg",
    "sms",
    "内容",
    "短信内容",
    "消息内容",
    "正文",
    "內容",
    "短信內容",
    "簡訊內容",
    "短信正文",
    "信息内容",
];

/// Field (JSON) and column (CSV) names of the message id, tried in order by both readers.
pub const ID_FIELDS: &[&str] = &[
    "id",
    "msg_id",
    "message_id",
    "编号",
    "序号",
    "短信编号",
    "編號",
    "序號",
];

/// Names of the sender, tried in order: the other party's number first (`号码`, `phone`), names of
/// a contact (`联系人`, `name`) only when there is no number: an export with both
/// (`类型,联系人,号码,时间,内容`) has the number as the sender.
pub const SENDER_FIELDS: &[&str] = &[
    "sender",
    "from",
    "address",
    "phone",
    "number",
    "号码",
    "手机号",
    "电话",
    "发件人",
    "发送方",
    "对方号码",
    "號碼",
    "手機號",
    "電話",
    "發件人",
    "發送方",
    "對方號碼",
    "发信人",
    "发送人",
    "来电号码",
    "sender id",
    "sender_id",
    "phone number",
    "handle",
    // Names, not numbers: the last resort.
    "联系人",
    "姓名",
    "contact",
    "name",
    "聯絡人",
    "聯繫人",
];

/// Names of the date, tried in order.
pub const DATE_FIELDS: &[&str] = &[
    "date",
    "time",
    "timestamp",
    "datetime",
    "日期",
    "时间",
    "发送时间",
    "接收时间",
    "发送日期",
    "接收日期",
    "收信时间",
    "message date",
    "message_date",
    "sent date",
    "時間",
    "發送時間",
    "接收時間",
];

/// Reads lines as raw bytes so one bad line is one error record, not the end of the file. Lines
/// longer than [`MAX_LINE_BYTES`] are cut there (the rest is skipped) and reported as overlong.
pub(crate) struct Lines<R> {
    inner: R,
    line: u64,
    done: bool,
}

/// One line read by [`Lines`].
pub(crate) struct Line {
    pub number: u64,
    pub bytes: Result<Vec<u8>, String>,
    /// The line was longer than [`MAX_LINE_BYTES`] and was cut.
    pub overlong: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(inner: R) -> Self {
        Lines {
            inner,
            line: 0,
            done: false,
        }
    }

    /// Reads up to and including the next newline, keeping at most `MAX_LINE_BYTES` bytes.
    fn read_limited(&mut self, out: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
        let mut total = 0;
        let mut overlong = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok((total, overlong));
            }
            let (chunk, found) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..=i], true),
                None => (buf, false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(out.len());
            if chunk.len() > room {
                overlong = true;
                out.extend_from_slice(&chunk[..room]);
            } else {
                out.extend_from_slice(chunk);
            }
            let n = chunk.len();
            total += n;
            self.inner.consume(n);
            if found {
                return Ok((total, overlong));
            }
        }
    }

    /// Next line, without its newline.
    pub(crate) fn next_line(&mut self) -> Option<Line> {
        let mut b = Vec::new();
        let (number, read, overlong) = self.next_line_into(&mut b)?;
        Some(Line {
            number,
            bytes: read.map(|()| b),
            overlong,
        })
    }

    /// [`Self::next_line`] into `b` (cleared first): the line's number, whether it could be read
    /// (`b` holds nothing then) and whether it was cut.
    pub(crate) fn next_line_into(
        &mut self,
        b: &mut Vec<u8>,
    ) -> Option<(u64, Result<(), String>, bool)> {
        if self.done {
            return None;
        }
        b.clear();
        match self.read_limited(b) {
            Ok((0, _)) => {
                self.done = true;
                None
            }
            Ok((_, overlong)) => {
                self.line += 1;
                if b.last() == Some(&b'\n') {
                    b.pop();
                }
                if b.last() == Some(&b'\r') {
                    b.pop();
                }
                if self.line == 1 && b.starts_with(b"\xEF\xBB\xBF") {
                    b.drain(..3);
                }
                Some((self.line, Ok(()), overlong))
            }
            Err(e) => {
                self.done = true;
                self.line += 1;
                b.clear();
                Some((self.line, Err(format!("read error: {e}")), false))
            }
        }
    }
}

fn utf8_error(e: std::str::Utf8Error) -> String {
    format!(
        "invalid UTF-8 at byte {} of the line (convert the file to UTF-8)",
        e.valid_up_to()
    )
}

/// Builds a record from a JSON object: the text from `opts.text_field` or the usual names, id,
/// sender, date and channel when present. Shared by JSONL and JSON arrays of messages.
pub(crate) fn record_from_object(
    obj: serde_json::Map<String, Value>,
    opts: &ReaderOptions,
    source: &str,
    line: u64,
    index: u64,
) -> RecordResult {
    // One ASR result per line (whisper, FunASR, …): a call, scored per window too.
    if opts.text_field.is_none() && super::transcript::may_have_segments(&obj) {
        if let Some(call) = super::transcript::call_from_object(&obj, source, line, index) {
            return call;
        }
    }
    record_from_fields(obj, opts, source, line, index)
}

/// The fields of a JSON object a message record is built from: the whole object, or only the
/// fields [`record_from_fields`] looks at (see [`WantedFields`]).
trait Fields {
    /// Whether the object has `key`.
    fn has(&self, key: &str) -> bool;
    /// The string under `key`, or the number there in digits.
    fn scalar(&self, key: &str) -> Option<String>;
    /// The channel the object names, if it names one that is known.
    fn channel(&self) -> Option<Channel>;
    /// Takes the string under `key`; else says what is there (see [`json_kind`]) or `missing`.
    fn take_text(&mut self, key: &str) -> Result<String, &'static str>;
}

/// [`Fields::scalar`] of a value.
fn scalar_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// [`Fields::take_text`] of a value.
fn text_of(v: Option<Value>) -> Result<String, &'static str> {
    match v {
        Some(Value::String(s)) => Ok(s),
        other => Err(other.as_ref().map_or("missing", json_kind)),
    }
}

/// The value under `key` in `o`: the key itself, or, when `o` has no such key, a path of keys
/// separated by dots into nested objects (`--text-field message.body`; a number picks an item of
/// a list: `messages.0.text`).
fn lookup<'a>(o: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(v) = o.get(key) {
        return Some(v);
    }
    let (first, rest) = key.split_once('.')?;
    rest.split('.').try_fold(o.get(first)?, |v, k| match v {
        Value::Object(m) => m.get(k),
        Value::Array(a) => a.get(k.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Whether a field name given by option may be a path (see [`lookup`]).
fn is_path(name: &Option<String>) -> bool {
    name.as_ref().is_some_and(|n| n.contains('.'))
}

impl Fields for serde_json::Map<String, Value> {
    fn has(&self, key: &str) -> bool {
        lookup(self, key).is_some()
    }
    fn scalar(&self, key: &str) -> Option<String> {
        scalar_of(lookup(self, key)?)
    }
    fn channel(&self) -> Option<Channel> {
        serde_json::from_value(self.get("channel")?.clone()).ok()
    }
    fn take_text(&mut self, key: &str) -> Result<String, &'static str> {
        match self.remove(key) {
            Some(v) => text_of(Some(v)),
            None => text_of(lookup(self, key).cloned()),
        }
    }
}

/// [`record_from_object`] once an object is known not to be an ASR result.
fn record_from_fields(
    mut obj: impl Fields,
    opts: &ReaderOptions,
    source: &str,
    line: u64,
    index: u64,
) -> RecordResult {
    let err = |reason: String| RecordError::new(source, line, index, reason);
    let key = match &opts.text_field {
        Some(f) => {
            if !obj.has(f) {
                return Err(err(format!("no field {f:?}")));
            }
            f.clone()
        }
        None => match TEXT_FIELDS.iter().find(|f| obj.has(f)) {
            Some(f) => f.to_string(),
            None => {
                return Err(err(format!(
                    "no text field (tried {}; use --text-field)",
                    TEXT_FIELDS.join(", ")
                )))
            }
        },
    };
    let field = |given: &Option<String>, defaults: &[&str]| -> Option<String> {
        match given {
            Some(g) => obj.scalar(g),
            None => defaults.iter().find_map(|k| obj.scalar(k)),
        }
    };
    let id = field(&opts.id_field, ID_FIELDS);
    let sender = field(&opts.sender_field, SENDER_FIELDS);
    let date = field(&opts.date_field, DATE_FIELDS);
    let channel = obj.channel();
    let text = match obj.take_text(&key) {
        Ok(s) => s,
        Err(found) => {
            return Err(RecordError {
                id,
                sender,
                date,
                ..err(format!(
                    "text field {key:?} is {found}, not a string (name another with --text-field)"
                ))
            });
        }
    };
    // A call given as one text (`"channel": "call"`, one `speaker：…` line per turn) gets its turns,
    // so it is scored per window too.
    let turns = if channel == Some(Channel::Call) && text.contains('\n') {
        let mut t = super::transcript::parse_turns(&text);
        if t.len() > 1 && t.iter().all(|t| t.speaker.is_some()) {
            t.iter_mut().for_each(|t| t.line = 0); // lines of the text, not of the file
            t
        } else {
            Vec::new()
        }
    } else {
        Vec::new()
    };
    finish_record(Record {
        id,
        sender,
        date,
        channel,
        turns,
        ..Record::new(source, line, index, text)
    })
}

pub struct JsonlReader<R> {
    lines: Lines<R>,
    source: String,
    opts: ReaderOptions,
    index: u64,
    /// The line being read, kept for the next line's bytes.
    buf: Vec<u8>,
    /// A field is named by a path into nested objects: lines are read whole (see [`lookup`]).
    paths: bool,
    /// The file's encoding when it is not UTF-8 (GBK, Big5): each line is decoded from it.
    encoding: TextEncoding,
}

impl<R: BufRead> JsonlReader<R> {
    pub fn new(inner: R, source: String, opts: ReaderOptions) -> Self {
        let paths = [
            &opts.text_field,
            &opts.id_field,
            &opts.sender_field,
            &opts.date_field,
        ]
        .into_iter()
        .any(is_path);
        JsonlReader {
            paths,
            lines: Lines::new(inner),
            source,
            opts,
            index: 0,
            buf: Vec::new(),
            encoding: TextEncoding::Utf8,
        }
    }

    /// Lines in `encoding` (GBK, GB18030, Big5) are decoded from it; UTF-16 is transcoded
    /// before this reader ([`super::encoding::Utf16Reader`]).
    pub fn with_encoding(mut self, encoding: TextEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    fn parse(&self, line: u64, bytes: &[u8]) -> RecordResult {
        let err = |reason: String| RecordError::new(self.source.as_str(), line, self.index, reason);
        // Checked with SIMD; std's check only for the error's place.
        let decoded;
        let s = match simdutf8::basic::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) if matches!(self.encoding, TextEncoding::Gb18030 | TextEncoding::Big5) => {
                decoded = super::encoding::decode(bytes, self.encoding).map_err(err)?;
                &decoded
            }
            Err(_) => std::str::from_utf8(bytes).map_err(|e| err(utf8_error(e)))?,
        };
        // The usual line, an object of a few strings, read without building all of it.
        let fast = (!self.paths).then(|| WantedFields::read(s, &self.opts));
        if let Some(fields) = fast.flatten() {
            return record_from_fields(fields, &self.opts, &self.source, line, self.index);
        }
        let v: Value = match serde_json::from_str(s) {
            Ok(v) => v,
            // A lone surrogate escape (`\ud83d`: JavaScript's JSON.stringify of a string cut
            // inside an emoji) is U+FFFD, as in the XML reader; any other error stands, and is
            // the one reported (not the surrogate that hid it).
            Err(e) => match replace_lone_surrogates(s) {
                Some(fixed) => serde_json::from_str(&fixed)
                    .map_err(|e2| err(format!("malformed JSON: {e2}")))?,
                None => return Err(err(format!("malformed JSON: {e}"))),
            },
        };
        let Value::Object(obj) = v else {
            return Err(err("expected a JSON object".into()));
        };
        record_from_object(obj, &self.opts, &self.source, line, self.index)
    }

    /// The next record, its line read into `buf`.
    fn next_in(&mut self, buf: &mut Vec<u8>) -> Option<RecordResult> {
        loop {
            let (line, read, overlong) = self.lines.next_line_into(buf)?;
            let bytes = match read {
                Ok(()) => &buf[..],
                Err(reason) => {
                    self.index += 1;
                    return Some(Err(RecordError::new(
                        self.source.as_str(),
                        line,
                        self.index,
                        reason,
                    )));
                }
            };
            // Blank lines separate nothing in JSONL; they are not records.
            if !overlong && bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            self.index += 1;
            if overlong {
                return Some(Err(RecordError::new(
                    self.source.as_str(),
                    line,
                    self.index,
                    format!("line longer than {} MiB", MAX_LINE_BYTES >> 20),
                )));
            }
            return Some(self.parse(line, bytes));
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        let mut buf = std::mem::take(&mut self.buf);
        let next = self.next_in(&mut buf);
        self.buf = buf;
        next
    }
}

/// The fields of a JSONL line that [`record_from_fields`] looks at — the text, id, sender, date
/// and channel under any of their names — read without building the rest of the object: its
/// other values are checked as `serde_json::Value` would check them, but not kept, and neither
/// keys nor strings are copied unless they have escapes. Reading every line into a `Value` map
/// was most of a batch run's reading time.
///
/// Only for lines that read exactly as the whole object would: [`WantedFields::read`] gives up
/// (and the line is read as a `Value`, the one way to its record or its error) on anything but a
/// well-formed object, and on an object that may be an ASR result (a key of
/// [`super::transcript::SEGMENT_KEY_NAMES`]) or that names `serde_json`'s raw-value marker.
struct WantedFields<'a> {
    /// Key and value, in the order read. A key read again is here again: its last value is the
    /// one looked up, as in a map, where it would have replaced the first.
    fields: Vec<(Cow<'a, str>, Kept<'a>)>,
}

/// A value kept by [`WantedFields`].
enum Kept<'a> {
    Str(Cow<'a, str>),
    /// Anything but a string.
    Other(Value),
}

impl<'a> WantedFields<'a> {
    /// The fields of the object on `line`; `None` when it must be read as a whole (see above).
    fn read(line: &'a str, opts: &ReaderOptions) -> Option<Self> {
        if let Some(fields) = Self::read_flat(line, opts) {
            return Some(fields);
        }
        let mut de = serde_json::Deserializer::from_str(line);
        let fields = serde::de::DeserializeSeed::deserialize(WantedSeed(opts), &mut de).ok()?;
        de.end().ok()?;
        Some(fields)
    }

    /// The usual line read without `serde_json`: an object of strings without escapes, numbers
    /// of a few digits, `true`, `false`, `null`, and lists of those. `None` for anything else,
    /// the line is then read by `serde_json`; so nothing is accepted here that it would not
    /// read, to the same strings and numbers. (A number is read by `serde_json` all the same.)
    fn read_flat(line: &'a str, opts: &ReaderOptions) -> Option<Self> {
        let b = line.as_bytes();
        let mut fields = Vec::with_capacity(4);
        let mut i = skip_ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i = skip_ws(b, i + 1);
        if b.get(i) == Some(&b'}') {
            i += 1;
        } else {
            loop {
                let (key, at) = plain_str(line, i)?;
                i = skip_ws(b, at);
                if b.get(i) != Some(&b':') {
                    return None;
                }
                i = skip_ws(b, i + 1);
                let keep = match wanted(key, opts) {
                    Some(KeyUse::Keep) => true,
                    Some(KeyUse::Bail) => return None,
                    None => false,
                };
                let (value, at) = plain_value(line, i)?;
                if keep {
                    let value = match value {
                        Plain::Str(s) => Kept::Str(Cow::Borrowed(s)),
                        Plain::Number(n) => {
                            Kept::Other(Value::Number(serde_json::from_str(n).ok()?))
                        }
                        Plain::Bool(v) => Kept::Other(Value::Bool(v)),
                        Plain::Null => Kept::Other(Value::Null),
                        Plain::List => return None,
                    };
                    fields.push((Cow::Borrowed(key), value));
                }
                i = skip_ws(b, at);
                match b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    b'}' => {
                        i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        (skip_ws(b, i) == b.len()).then_some(WantedFields { fields })
    }

    /// The last value read under `key`.
    fn get(&self, key: &str) -> Option<&Kept<'a>> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

impl Fields for WantedFields<'_> {
    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    fn scalar(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Kept::Str(s) => Some(s.to_string()),
            Kept::Other(v) => scalar_of(v),
        }
    }
    fn channel(&self) -> Option<Channel> {
        use serde::de::IntoDeserializer;
        match self.get("channel")? {
            // As a `Value::String` reads: the variant of that name.
            Kept::Str(s) => {
                let d: serde::de::value::StrDeserializer<serde::de::value::Error> =
                    s.as_ref().into_deserializer();
                serde::Deserialize::deserialize(d).ok()
            }
            Kept::Other(v) => serde_json::from_value(v.clone()).ok(),
        }
    }
    /// The last value read under `key` (an earlier one is left: this is the last look at the
    /// fields, in [`record_from_fields`]).
    fn take_text(&mut self, key: &str) -> Result<String, &'static str> {
        let Some(i) = self.fields.iter().rposition(|(k, _)| k == key) else {
            return Err("missing");
        };
        match self.fields.swap_remove(i).1 {
            Kept::Str(s) => Ok(s.into_owned()),
            Kept::Other(v) => text_of(Some(v)),
        }
    }
}

/// A value read by [`WantedFields::read_flat`].
enum Plain<'a> {
    /// The string between the quotes.
    Str(&'a str),
    /// The number as written.
    Number(&'a str),
    Bool(bool),
    Null,
    /// A list (not kept).
    List,
}

/// The next byte at or after `i` that is not JSON white space.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The string that starts with the quote at `i`, and where it ends; `None` when there is no
/// string there, or one with an escape or a control character (`serde_json` reads the first and
/// refuses the second).
fn plain_str(line: &str, i: usize) -> Option<(&str, usize)> {
    let b = line.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let end = i + 1 + super::json_special(&b[i + 1..])?;
    // Between two ASCII quotes: on character boundaries.
    (b[end] == b'"').then(|| (&line[i + 1..end], end + 1))
}

/// The value that starts at `i` (see [`WantedFields::read_flat`]), and where it ends.
fn plain_value(line: &str, i: usize) -> Option<(Plain<'_>, usize)> {
    let b = line.as_bytes();
    let word =
        |w: &str, v: Plain<'static>| b[i..].starts_with(w.as_bytes()).then(|| (v, i + w.len()));
    match *b.get(i)? {
        b'"' => plain_str(line, i).map(|(s, at)| (Plain::Str(s), at)),
        b'-' | b'0'..=b'9' => {
            let at = plain_number(b, i)?;
            Some((Plain::Number(&line[i..at]), at))
        }
        b't' => word("true", Plain::Bool(true)),
        b'f' => word("false", Plain::Bool(false)),
        b'n' => word("null", Plain::Null),
        b'[' => {
            let mut i = skip_ws(b, i + 1);
            if b.get(i) == Some(&b']') {
                return Some((Plain::List, i + 1));
            }
            loop {
                // A list in a list is left to serde (and not descended into here: a line of
                // 20,000 `[` would overflow the stack).
                if b.get(i) == Some(&b'[') {
                    return None;
                }
                match plain_value(line, i)? {
                    (Plain::List, _) => return None,
                    (_, at) => i = skip_ws(b, at),
                }
                match b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    b']' => return Some((Plain::List, i + 1)),
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// The end of the number at `i`: `-`, then `0` or digits not starting with `0`, then maybe a
/// fraction; at most 20 characters. Nothing else (no exponent: a number out of range is an error
/// to `serde_json`, and so is a malformed one). Whatever follows must end a value, which the
/// caller checks.
fn plain_number(b: &[u8], i: usize) -> Option<usize> {
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut at = i + (b.get(i) == Some(&b'-')) as usize;
    match b.get(at)? {
        b'0' => at += 1,
        b'1'..=b'9' => at = digits(at),
        _ => return None,
    }
    if b.get(at) == Some(&b'.') {
        let end = digits(at + 1);
        if end == at + 1 {
            return None;
        }
        at = end;
    }
    match b.get(at) {
        Some(b'e' | b'E' | b'.' | b'0'..=b'9') => None,
        _ => (at - i <= 20).then_some(at),
    }
}

/// What [`WantedFields`] does with the value under a key.
#[derive(Clone, Copy, PartialEq)]
enum KeyUse {
    /// Read as a `Value` and kept.
    Keep,
    /// Give up: the line is read as a whole.
    Bail,
}

/// [`KeyUse`] of `key` with the reader's field names: [`key_use`], the fields named by option, the
/// raw-value marker.
fn wanted(key: &str, opts: &ReaderOptions) -> Option<KeyUse> {
    let named = || {
        [
            &opts.text_field,
            &opts.id_field,
            &opts.sender_field,
            &opts.date_field,
        ]
        .iter()
        .any(|f| f.as_deref() == Some(key))
    };
    match key_use(key) {
        None if key == RAW_VALUE_TOKEN => Some(KeyUse::Bail),
        None if named() => Some(KeyUse::Keep),
        used => used,
    }
}

/// [`KeyUse`] of the names [`record_from_object`] looks for when no field is named by option;
/// `None` for any other key (its value is only checked).
fn key_use(key: &str) -> Option<KeyUse> {
    static KEYS: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, KeyUse>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let mut m = rustc_hash::FxHashMap::default();
        for k in [
            TEXT_FIELDS,
            ID_FIELDS,
            SENDER_FIELDS,
            DATE_FIELDS,
            &["channel"],
        ]
        .concat()
        {
            m.insert(k, KeyUse::Keep);
        }
        for k in super::transcript::SEGMENT_KEY_NAMES {
            m.insert(k, KeyUse::Bail);
        }
        m
    })
    .get(key)
    .copied()
}

/// The key under which `serde_json` (with its `raw_value` feature, which this crate uses) reads an
/// object's value as raw JSON rather than as a map: an object that names it is read as a whole.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Reads a [`WantedFields`] (see there) with the reader's field names.
struct WantedSeed<'o>(&'o ReaderOptions);

impl<'de> serde::de::DeserializeSeed<'de> for WantedSeed<'_> {
    type Value = WantedFields<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for WantedSeed<'_> {
    type Value = WantedFields<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let mut fields = Vec::with_capacity(4);
        while let Some(Key(key)) = map.next_key()? {
            match wanted(&key, self.0) {
                Some(KeyUse::Keep) => {
                    let KeptValue(v) = map.next_value()?;
                    fields.push((key, v));
                }
                Some(KeyUse::Bail) => return Err(A::Error::custom("read as a whole")),
                None => map.next_value::<Checked>().map(drop)?,
            }
        }
        Ok(WantedFields { fields })
    }
}

/// An object key, borrowed from the line unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A [`Kept`] value: a string borrowed from the line unless it has escapes, anything else read
/// as the `serde_json::Value` it is.
struct KeptValue<'a>(Kept<'a>);

impl<'de> serde::Deserialize<'de> for KeptValue<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeptVisitor)
    }
}

struct KeptVisitor;

impl<'de> serde::de::Visitor<'de> for KeptVisitor {
    type Value = KeptValue<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(KeptValue(Kept::Str(Cow::Borrowed(s))))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(KeptValue(Kept::Str(Cow::Owned(s.to_owned()))))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(KeptValue(Kept::Str(Cow::Owned(s))))
    }
    // As `Value` reads them.
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(KeptValue(Kept::Other(Value::Bool(v))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(KeptValue(Kept::Other(Value::Number(v.into()))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(KeptValue(Kept::Other(Value::Number(v.into()))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        let n = serde_json::Number::from_f64(v);
        Ok(KeptValue(Kept::Other(n.map_or(Value::Null, Value::Number))))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(KeptValue(Kept::Other(Value::Null)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        Ok(KeptValue(Kept::Other(v)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(KeptValue(Kept::Other(v)))
    }
}

/// A JSON value read as `serde_json::Value` reads it — the same parser calls, so that a line with
/// a number out of range, a bad escape or nesting too deep fails here as it fails there — but not
/// kept. (`serde::de::IgnoredAny` would skip values with a laxer scan.)
struct Checked;

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Checked)
    }
}

impl<'de> serde::de::Visitor<'de> for Checked {
    type Value = Checked;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        use serde::de::Error;
        while let Some(Key(key)) = map.next_key()? {
            if key == RAW_VALUE_TOKEN {
                return Err(A::Error::custom("read as a whole"));
            }
            map.next_value::<Checked>()?;
        }
        Ok(Checked)
    }
}

/// `json` with every `\uXXXX` escape of a UTF-16 surrogate that is not half of a high + low pair
/// replaced by `\uFFFD`; `None` when there is none. An escaped backslash before a `u` (`\\ud83d`,
/// a backslash and the letters `ud83d`) is left alone.
fn replace_lone_surrogates(json: &str) -> Option<String> {
    let b = json.as_bytes();
    // The code unit of a `\uXXXX` escape at `i`.
    let unit = |i: usize| -> Option<u16> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
        u16::from_str_radix(hex, 16).ok()
    };
    let high = |u: u16| (0xD800..0xDC00).contains(&u);
    let low = |u: u16| (0xDC00..0xE000).contains(&u);
    let mut out = String::with_capacity(json.len());
    let (mut i, mut copied, mut changed) = (0, 0, false);
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit(i) {
            Some(u) if high(u) && unit(i + 6).is_some_and(low) => i += 12,
            Some(u) if high(u) || low(u) => {
                out.push_str(&json[copied..i]);
                out.push_str("\\uFFFD");
                i += 6;
                copied = i;
                changed = true;
            }
            // Another escape, `\\` included: its next character is not the start of one.
            _ => i += 2,
        }
    }
    out.push_str(&json[copied..]);
    changed.then_some(out)
}

/// One message per line; blank lines are skipped.
pub struct TextLineReader<R> {
    lines: Lines<R>,
    source: String,
    index: u64,
    encoding: TextEncoding,
}

impl<R: BufRead> TextLineReader<R> {
    pub fn new(inner: R, source: String) -> Self {
        Self::with_encoding(inner, source, TextEncoding::Utf8)
    }

    /// Lines in `encoding` (not UTF-16: transcode that first).
    pub fn with_encoding(inner: R, source: String, encoding: TextEncoding) -> Self {
        TextLineReader {
            lines: Lines::new(inner),
            source,
            index: 0,
            encoding,
        }
    }
}

impl<R: BufRead> Iterator for TextLineReader<R> {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        loop {
            let Line {
                number: line,
                bytes,
                overlong,
            } = self.lines.next_line()?;
            if let Ok(b) = &bytes {
                if b.iter().all(|c| c.is_ascii_whitespace()) {
                    continue;
                }
            }
            self.index += 1;
            let enc = self.encoding;
            let bytes = bytes.map(|mut b| {
                if overlong {
                    // Cut inside a character perhaps: drop the incomplete tail.
                    trim_incomplete_tail(&mut b, enc);
                }
                b
            });
            return Some(match bytes.and_then(|b| decode_owned(b, enc)) {
                Ok(text) => {
                    finish_record(Record::new(self.source.as_str(), line, self.index, text)).map(
                        |mut r| {
                            r.truncated |= overlong;
                            r
                        },
                    )
                }
                Err(reason) => Err(RecordError::new(
                    self.source.as_str(),
                    line,
                    self.index,
                    reason,
                )),
            });
        }
    }
}

/// Drops up to 3 bytes at the end that do not decode (a character cut by a length limit).
fn trim_incomplete_tail(b: &mut Vec<u8>, enc: TextEncoding) {
    for _ in 0..4 {
        if super::encoding::decode(b, enc).is_ok() || b.is_empty() {
            return;
        }
        b.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(jsonl: &str) -> Vec<RecordResult> {
        let input = std::io::Cursor::new(jsonl.as_bytes().to_vec());
        JsonlReader::new(input, "t.jsonl".into(), ReaderOptions::default()).collect()
    }

    #[test]
    fn named_fields_may_be_paths_into_nested_objects() {
        let opts = |text: &str, sender: Option<&str>| ReaderOptions {
            text_field: Some(text.into()),
            sender_field: sender.map(Into::into),
            ..ReaderOptions::default()
        };
        let read_with = |line: &str, o: ReaderOptions| {
            JsonlReader::new(line.as_bytes(), "t.jsonl".into(), o)
                .next()
                .unwrap()
        };
        let r = read_with(
            r#"{"id":"7","msg":{"body":"您的POS机","from":95588}}"#,
            opts("msg.body", Some("msg.from")),
        )
        .unwrap();
        assert_eq!(
            (r.text.as_str(), r.sender.as_deref(), r.id.as_deref()),
            ("您的POS机", Some("95588"), Some("7"))
        );
        // A key with a dot in its name is that key.
        let r = read_with(r#"{"a":{"b":"nested"},"a.b":"flat"}"#, opts("a.b", None)).unwrap();
        assert_eq!(r.text, "flat");
        // A number picks an item of a list.
        let r = read_with(
            r#"{"messages":[{"text":"一"},{"text":"二"}]}"#,
            opts("messages.1.text", None),
        )
        .unwrap();
        assert_eq!(r.text, "二");
        // A path that leads nowhere, or to something that is not a string, is an error record.
        for (line, path, reason) in [
            (
                r#"{"msg":{"text":"好"}}"#,
                "msg.body",
                r#"no field "msg.body""#,
            ),
            (r#"{"msg":"好"}"#, "msg.body", r#"no field "msg.body""#),
            (r#"{"msg":["好"]}"#, "msg.x", r#"no field "msg.x""#),
            (
                r#"{"msg":{"body":{"zh":"好"}}}"#,
                "msg.body",
                r#"text field "msg.body" is an object, not a string (name another with --text-field)"#,
            ),
        ] {
            let e = read_with(line, opts(path, None)).unwrap_err();
            assert_eq!(e.reason, reason, "{line}");
        }
    }

    /// A line read the way every line was before [`WantedFields`]: as a whole `Value`.
    fn read_as_a_whole(line: &str, opts: &ReaderOptions) -> RecordResult {
        let err = |reason: String| RecordError::new("t.jsonl", 1, 1, reason);
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => match replace_lone_surrogates(line) {
                Some(fixed) => serde_json::from_str(&fixed)
                    .map_err(|e2| err(format!("malformed JSON: {e2}")))?,
                None => return Err(err(format!("malformed JSON: {e}"))),
            },
        };
        let Value::Object(obj) = v else {
            return Err(err("expected a JSON object".into()));
        };
        record_from_object(obj, opts, "t.jsonl", 1, 1)
    }

    #[test]
    fn wanted_fields_give_the_record_of_the_whole_object() {
        let deep = format!(
            r#"{{"text":"好","x":{}1{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let lines = [
            r#"{"id": "msg-1", "sender": "106550000", "date": "2024-03-01", "text": "您的POS机"}"#,
            r#"{"text":"a","text":"b","id":1,"id":"2"}"#,
            r#"{"\u5185\u5bb9":"\u60a8\u597d\n","\u0069d":"x"}"#,
            r#"{"text":"\ud83d 好","sender":"\ud83d"}"#,
            r#"{"text":"好","extra":"\ud83d"}"#,
            r#"{"text":"好","n":1e999}"#,
            r#"{"text":"好","n":-12345678901234567890123}"#,
            r#"{"id":1.0,"sender":1e2,"date":-0,"number":18446744073709551615,"text":"好"}"#,
            r#"{"id":null,"sender":true,"date":["x"],"text":"好","from":"x"}"#,
            r#"{"text":"好","nested":{"a":[1,{"b":null}],"c":"\"d\""}}"#,
            r#"{"text":"好","nested":{"$serde_json::private::RawValue":"{\"x\":1}"}}"#,
            r#"{"$serde_json::private::RawValue":"{\"text\":\"好\"}"}"#,
            r#"{"segments":[{"start":0,"text":"客服：您好"}],"text":"x"}"#,
            r#"{"result":{"utterances":[{"speaker":"A","text":"您好"}]}}"#,
            r#"{"Response":{"Data":{"ResultDetail":[{"FinalSentence":"您好","StartMs":0,"SpeakerId":1}]}}}"#,
            r#"{"data":"[{\"onebest\":\"您好\",\"bg\":\"0\",\"speaker\":\"1\"}]","text":"x"}"#,
            r#"{"content":{"orderResult":"{}"},"text":"好"}"#,
            r#"{"channel":"call","text":"客服：您好\n客户：嗯"}"#,
            r#"{"channel":{"call":null},"text":"客服：您好\n客户：嗯"}"#,
            r#"{"channel":"fax","text":"好"}"#,
            r#"{"text":5,"id":"1"}"#,
            r#"{"body":"好","text":null}"#,
            r#"{"title":"好"}"#,
            r#"{"text":"  "}"#,
            r#"{"text":"a\u0000b"}"#,
            r#"{"text":"好"} x"#,
            r#"{"text":"好",}"#,
            r#"{"text":"好""#,
            r#"["text","好"]"#,
            r#""text""#,
            r#"{"text":"好","x":tru}"#,
            r#"{}"#,
            &deep,
            // Lines for `read_flat`, and lines it leaves to `serde_json`.
            "{ \"text\" :\t\"好\" ,\r \"id\": \"1\" } \t",
            r#"{"id": 12, "text": "好", "label": -0.50, "ok": true, "no": false, "x": null}"#,
            r#"{"id": -0, "sender": 0.5, "date": 12345678901234567890, "text": "好"}"#,
            r#"{"id": 123456789012345678901234, "text": "好"}"#,
            r#"{"id": true, "sender": null, "date": false, "text": "好"}"#,
            r#"{"text": "好", "patterns": [], "tags": ["a", 1, -2.5, true, null]}"#,
            r#"{"text": "好", "tags": [[]]}"#,
            r#"{"text": "好", "tags": [1,]}"#,
            r#"{"text": "好", "tags": [1 2]}"#,
            r#"{"text": "好", "id": ["1"]}"#,
            r#"{"text": "好", "n": 01}"#,
            r#"{"text": "好", "n": 1.}"#,
            r#"{"text": "好", "n": .5}"#,
            r#"{"text": "好", "n": -}"#,
            r#"{"text": "好", "n": 1e5}"#,
            r#"{"text": "好", "n": 1E-5}"#,
            r#"{"text": "好", "n": 1.5.2}"#,
            r#"{"text": "好", "n": +1}"#,
            r#"{"text": "好", "n": truth}"#,
            r#"{"text": "好", "n": nul}"#,
            r#"{"text": "好" "id": "1"}"#,
            r#"{"text" "好"}"#,
            r#"{"text": "好",, "id": "1"}"#,
            r#"{"text": 'x'}"#,
            r#"{text: "x"}"#,
            "{\"text\": \"a\tb\"}",
            "{\"text\": \"a\u{7f}b\", \"id\": \"\u{1f}\"}",
            r#"{"text": "a", "text": "b", "id": "1", "id": 2}"#,
            r#"{"id": "1", "text": "您好", "内容": "别的", "from": "95588"}"#,
            r#"{"text": "好"}{"text": "好"}"#,
            r#"{"text": "好"}}"#,
            r#"{"text": "好""#,
            r#"{"text": "好"#,
            r#"{"text": "好", "#,
            r#"{"text": "好", "segments": []}"#,
            r#"{"text": "好", "Result": 1}"#,
            r#"{"text": "好", "channel": "call"}"#,
        ];
        let named = ReaderOptions {
            text_field: Some("正文".into()),
            id_field: Some("segments".into()),
            sender_field: Some("x".into()),
            date_field: Some("text".into()),
            ..ReaderOptions::default()
        };
        let id_only = ReaderOptions {
            id_field: Some("segments".into()),
            ..ReaderOptions::default()
        };
        let (mut fast, mut flat) = (0, 0);
        for opts in [&ReaderOptions::default(), &named, &id_only] {
            for line in &lines {
                let r = JsonlReader::new(line.as_bytes(), "t.jsonl".into(), opts.clone())
                    .next()
                    .unwrap();
                let whole = read_as_a_whole(line, opts);
                assert_eq!(format!("{r:?}"), format!("{whole:?}"), "{line}");
                fast += WantedFields::read(line, opts).is_some() as usize;
                flat += WantedFields::read_flat(line, opts).is_some() as usize;
            }
        }
        assert!(fast > 60 && flat > 30, "{fast} {flat}");
        // Given up on: ASR results, the raw-value marker, anything not an object.
        for line in [
            lines[10], lines[11], lines[12], lines[13], lines[14], lines[15], lines[16], lines[5],
            lines[25],
        ] {
            assert!(
                WantedFields::read(line, &ReaderOptions::default()).is_none(),
                "{line}"
            );
        }
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        assert_eq!(
            replace_lone_surrogates(r#"{"text":"\ud83d 您的"}"#).as_deref(),
            Some(r#"{"text":"\uFFFD 您的"}"#)
        );
        // A low half alone, a high half at the end, upper-case hex.
        assert_eq!(
            replace_lone_surrogates(r#"["\uDE00a","b\uD83D"]"#).as_deref(),
            Some(r#"["\uFFFDa","b\uFFFD"]"#)
        );
        // A pair is kept, and so is the escaped backslash before `ud83d` (a literal backslash).
        assert_eq!(
            replace_lone_surrogates(r#"{"text":"\ud83d\ude00 \\ud83d"}"#),
            None
        );
        assert_eq!(
            replace_lone_surrogates(r#"{"text":"\\\ud83d\\"}"#).as_deref(),
            Some(r#"{"text":"\\\uFFFD\\"}"#)
        );
        assert_eq!(replace_lone_surrogates(r#"{"text":"\u00e9"}"#), None);
    }

    #[test]
    fn a_message_cut_inside_an_emoji_is_read_with_its_id() {
        let recs = read(concat!(
            r#"{"id":"1","text":"\ud83d 您的POS机备案即将到期"}"#,
            "\n",
            r#"{"id":"2","text":"好\ud83d\ude00 \\ud83d"}"#,
            "\n",
            r#"{"id":"3","text":"\ud83d"#,
            "\n",
            r#"{"text":"abc\ud83d","x":tru}"#,
            "\n",
        ));
        assert_eq!(recs.len(), 4);
        let r = recs[0].as_ref().unwrap();
        assert_eq!((r.id.as_deref(), r.line), (Some("1"), 1));
        assert_eq!(r.text, "\u{FFFD} 您的POS机备案即将到期");
        let r = recs[1].as_ref().unwrap();
        assert_eq!(r.text, "好😀 \\ud83d");
        // Still broken after the repair: the parser's error on the repaired line, the real
        // fault and not the surrogate that came before it.
        let e = recs[2].as_ref().unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.starts_with("malformed JSON: "), "{}", e.reason);
        let e = recs[3].as_ref().unwrap_err();
        assert!(
            e.reason.starts_with("malformed JSON: ") && !e.reason.contains("escape"),
            "{}",
            e.reason
        );
    }

    #[test]
    fn id_sender_and_date_have_the_csv_readers_names() {
        let recs = read(concat!(
            r#"{"编号":"9","号码":"95588","日期":"2023-11-15","内容":"您好"}"#,
            "\n",
            r#"{"序号":10,"联系人":"张三","对方号码":"10690","发送时间":"2023-11-16","正文":"明天见"}"#,
            "\n",
        ));
        let got: Vec<_> = recs
            .iter()
            .map(|r| {
                let r = r.as_ref().unwrap();
                (
                    r.id.as_deref(),
                    r.sender.as_deref(),
                    r.date.as_deref(),
                    r.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some("9"), Some("95588"), Some("2023-11-15"), "您好"),
                (Some("10"), Some("10690"), Some("2023-11-16"), "明天见"),
            ]
        );
    }
}

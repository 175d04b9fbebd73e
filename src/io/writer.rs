//! Result writers: JSONL (default) and CSV, one output row per input record, results or errors.

use crate::io::Direction;
use crate::labels::Pattern;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::io::Write;
use std::sync::OnceLock;

/// Evidence as written to output files.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutEvidence {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub pattern: String,
    pub weight: f32,
}

/// The scoring result of one record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutResult {
    pub verdict: String,
    pub score: f32,
    pub p_legit: f32,
    pub p_spam: f32,
    pub p_scam: f32,
    /// Score per pattern, keyed by name.
    pub patterns: PatternScores,
    pub flagged: Vec<String>,
    pub evidence: Vec<OutEvidence>,
    pub signals: Vec<String>,
    /// Advice, most important first: id and headline (see `posguard::advice`).
    pub advice: Vec<OutAdvice>,
    /// The impersonation check, when the message names a known brand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impersonation: Option<crate::contacts::Impersonation>,
}

/// The score of each pattern, indexed by [`Pattern::index`]; written as an object keyed by pattern
/// name in alphabetical order, each score written as the shortest decimal that reads back as the
/// same f32, like `score` and `p_*` (before 2026-11-28 they were widened to f64 and written with
/// up to 20 digits, `0.0036106109619140625` for `0.003610611`). A pattern the model has no trained
/// head for is `null` (JSON) or an empty cell (CSV).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PatternScores(pub [Option<f32>; Pattern::ALL.len()]);

impl PatternScores {
    /// The patterns in the order they are written: by name.
    fn written_order() -> &'static [Pattern; Pattern::ALL.len()] {
        static ORDER: std::sync::OnceLock<[Pattern; Pattern::ALL.len()]> =
            std::sync::OnceLock::new();
        ORDER.get_or_init(|| {
            let mut order = Pattern::ALL;
            order.sort_by_key(|p| p.name());
            order
        })
    }

    /// The JSON of each key in [`Self::written_order`] with what comes before it: `{"name":` for
    /// the first, `,"name":` for the others.
    fn keys() -> &'static [String; Pattern::ALL.len()] {
        static KEYS: OnceLock<[String; Pattern::ALL.len()]> = OnceLock::new();
        KEYS.get_or_init(|| {
            let order = Self::written_order();
            std::array::from_fn(|i| {
                let name = serde_json::to_string(order[i].name()).expect("a name serialises");
                format!("{}{name}:", if i == 0 { '{' } else { ',' })
            })
        })
    }
}

impl Serialize for PatternScores {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for p in Self::written_order() {
            map.serialize_entry(p.name(), &self.0[p.index()])?;
        }
        map.end()
    }
}

/// Advice as written to output files.
#[derive(Debug, Clone, PartialEq)]
pub struct OutAdvice {
    pub id: Cow<'static, str>,
    /// `verdict`, a pattern name, `impersonation` or `transaction`.
    pub applies_to: Cow<'static, str>,
    /// Headline in Chinese and its English gloss.
    pub text: Cow<'static, str>,
    pub text_en: Cow<'static, str>,
}

/// The fields of [`OutAdvice`] in the order they are written.
#[derive(Serialize)]
struct AdviceFields<'a> {
    id: &'a str,
    applies_to: &'a str,
    text: &'a str,
    text_en: &'a str,
}

impl OutAdvice {
    fn fields(&self) -> AdviceFields<'_> {
        AdviceFields {
            id: &self.id,
            applies_to: &self.applies_to,
            text: &self.text,
            text_en: &self.text_en,
        }
    }

    /// The JSON of this advice written once per process: every row of a batch run carries one to
    /// four of these, and escaping their Chinese and English headlines again for each row was a
    /// good part of the writer's time. `None` for advice that is not one of the shipped texts
    /// under a known `applies_to` (it is then written field by field, to the same bytes).
    fn prerendered(&self) -> Option<&'static serde_json::value::RawValue> {
        struct Written {
            text: &'static str,
            text_en: &'static str,
            json: Box<serde_json::value::RawValue>,
        }
        /// Advice id → `applies_to` → how it is written.
        type Table = FxHashMap<&'static str, FxHashMap<&'static str, Written>>;
        static TABLE: OnceLock<Table> = OnceLock::new();
        let table = TABLE.get_or_init(|| {
            let mut applies: Vec<&'static str> = vec!["verdict", "impersonation", "transaction"];
            applies.extend(Pattern::ALL.iter().map(|p| p.name()));
            let mut t = Table::default();
            for a in crate::advice::TEXTS {
                for &to in &applies {
                    let fields = AdviceFields {
                        id: a.id,
                        applies_to: to,
                        text: a.zh,
                        text_en: a.en,
                    };
                    let json = serde_json::to_string(&fields).expect("advice serialises");
                    let json = serde_json::value::RawValue::from_string(json)
                        .expect("serde_json writes valid JSON");
                    t.entry(a.id).or_default().insert(
                        to,
                        Written {
                            text: a.zh,
                            text_en: a.en,
                            json,
                        },
                    );
                }
            }
            t
        });
        let w = table.get(&*self.id)?.get(&*self.applies_to)?;
        // Mostly the very same text: then no need to compare its bytes.
        let same = |a: &str, b: &str| std::ptr::eq(a, b) || a == b;
        (same(w.text, &self.text) && same(w.text_en, &self.text_en)).then_some(&*w.json)
    }
}

impl Serialize for OutAdvice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.prerendered() {
            Some(raw) => raw.serialize(serializer),
            None => self.fields().serialize(serializer),
        }
    }
}

/// One output row: where the record came from and either its result or why it failed.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct OutputRow {
    pub source: String,
    pub record: u64,
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `received` or `sent` where the export says (SMS backup XML, sms.db); a sent message's
    /// `sender` is its recipient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub result: Option<OutResult>,
    /// Calls: number of turns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turns: Option<u32>,
    /// Calls: the turn (from 1) where the scam signal peaks: the strongest turn of the window of
    /// turns with the highest P(scam).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_turn: Option<u32>,
    /// Calls: P(scam) of that window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_score: Option<f32>,
    /// Calls: first and last turn of that window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_window: Option<[u32; 2]>,
    /// Calls: line of the peak turn in a text transcript whose turns have no time stamp (with
    /// one, `peak_start` says where the turn is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_line: Option<u64>,
    /// Calls: start time of the peak turn: in ASR JSON in the unit of the tool that wrote it (its
    /// `start`: seconds for whisper and WhisperX, milliseconds for FunASR, AssemblyAI, Tencent and
    /// iFlytek); in subtitles and in transcript lines that open with a time stamp, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_start: Option<f64>,
    /// Calls: the peak turn, `speaker：text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_text: Option<String>,
    /// Calls: `window` when the verdict, scores, evidence and advice are those of the peak window
    /// rather than of the whole call (a long call whose scam passage the rest of the call would
    /// dilute: see `posguard::batch::LONG_CALL_TURNS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict_from: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Parts of the record left out because they could not be read, with place and reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Writes output rows in some format.
pub trait ResultWriter: Send {
    fn write(&mut self, row: &OutputRow) -> std::io::Result<()>;
    /// Flushes everything written so far (called after each batch).
    fn flush(&mut self) -> std::io::Result<()>;
}

pub struct JsonlWriter<W: Write> {
    out: W,
    /// The row being written (see [`write_row_json`]), kept for the next row's bytes.
    buf: Vec<u8>,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> Self {
        JsonlWriter {
            out,
            buf: Vec::with_capacity(4096),
        }
    }
}

impl<W: Write + Send> ResultWriter for JsonlWriter<W> {
    fn write(&mut self, row: &OutputRow) -> std::io::Result<()> {
        self.buf.clear();
        write_row_json(&mut self.buf, row);
        self.buf.push(b'\n');
        self.out.write_all(&self.buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Appends `row` as JSON to `out`: the same bytes as `serde_json::to_writer(out, row)` (the
/// `Serialize` derive of [`OutputRow`] is the definition; a test holds the two together), written
/// field by field with the keys as constants. Through serde's derive every key and value of a row
/// went through `serialize_entry` of a flattened map, a good part of a batch run's writing time.
/// Values are still written by `serde_json`'s serializer, so strings are escaped and numbers
/// formatted exactly as before (`f32` as its shortest decimal, a non-finite number as `null`).
pub fn write_row_json(out: &mut Vec<u8>, row: &OutputRow) {
    let mut j = Json(out);
    j.raw("{\"source\":");
    j.str(&row.source);
    j.raw(",\"record\":");
    j.u64(row.record);
    j.raw(",\"line\":");
    j.u64(row.line);
    j.opt_str(",\"id\":", &row.id);
    j.opt_str(",\"sender\":", &row.sender);
    j.opt_str(",\"date\":", &row.date);
    if let Some(d) = row.direction {
        j.raw(",\"direction\":");
        j.str(d.name());
    }
    if let Some(r) = &row.result {
        j.result(r);
    }
    if let Some(t) = row.turns {
        j.raw(",\"turns\":");
        j.u64(t.into());
    }
    if let Some(t) = row.peak_turn {
        j.raw(",\"peak_turn\":");
        j.u64(t.into());
    }
    if let Some(s) = row.peak_score {
        j.raw(",\"peak_score\":");
        j.f32(s);
    }
    if let Some([a, b]) = row.peak_window {
        j.raw(",\"peak_window\":[");
        j.u64(a.into());
        j.raw(",");
        j.u64(b.into());
        j.raw("]");
    }
    if let Some(l) = row.peak_line {
        j.raw(",\"peak_line\":");
        j.u64(l);
    }
    if let Some(s) = row.peak_start {
        j.raw(",\"peak_start\":");
        j.ser(&s);
    }
    j.opt_str(",\"peak_text\":", &row.peak_text);
    j.opt_str(",\"verdict_from\":", &row.verdict_from);
    if row.truncated {
        j.raw(",\"truncated\":true");
    }
    if !row.skipped.is_empty() {
        j.raw(",\"skipped\":");
        j.strs(&row.skipped);
    }
    j.opt_str(",\"error\":", &row.error);
    j.raw("}");
}

/// The JSON writing of [`write_row_json`]: constant bytes as they are, values through
/// `serde_json`'s serializer.
struct Json<'a>(&'a mut Vec<u8>);

impl Json<'_> {
    fn raw(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }

    /// Any value as `serde_json` writes it (on its own or inside a row: compact JSON has no
    /// state between values). Writing to a `Vec` does not fail, nor does serialising these types.
    fn ser<T: Serialize + ?Sized>(&mut self, v: &T) {
        v.serialize(&mut serde_json::Serializer::new(&mut *self.0))
            .expect("serialising to memory");
    }

    /// A string: as it is between quotes when nothing in it needs an escape (most strings), else
    /// escaped by `serde_json`.
    fn str(&mut self, s: &str) {
        if needs_escape(s.as_bytes()) {
            self.ser(s);
        } else {
            self.0.reserve(s.len() + 2);
            self.0.push(b'"');
            self.0.extend_from_slice(s.as_bytes());
            self.0.push(b'"');
        }
    }

    fn u64(&mut self, v: u64) {
        self.ser(&v);
    }

    fn f32(&mut self, v: f32) {
        self.ser(&v);
    }

    /// `key` (with its comma and colon) and the string, when there is one.
    fn opt_str(&mut self, key: &str, s: &Option<String>) {
        if let Some(s) = s {
            self.raw(key);
            self.str(s);
        }
    }

    fn strs(&mut self, v: &[String]) {
        self.raw("[");
        for (i, s) in v.iter().enumerate() {
            if i > 0 {
                self.raw(",");
            }
            self.str(s);
        }
        self.raw("]");
    }

    /// The fields of an [`OutResult`], flattened into the row.
    fn result(&mut self, r: &OutResult) {
        self.raw(",\"verdict\":");
        self.str(&r.verdict);
        self.raw(",\"score\":");
        let score = self.0.len();
        self.f32(r.score);
        let score = score..self.0.len();
        self.raw(",\"p_legit\":");
        self.f32(r.p_legit);
        self.raw(",\"p_spam\":");
        self.f32(r.p_spam);
        self.raw(",\"p_scam\":");
        // Mostly the score itself: its digits again.
        if r.p_scam.to_bits() == r.score.to_bits() {
            self.0.extend_from_within(score);
        } else {
            self.f32(r.p_scam);
        }
        self.raw(",\"patterns\":");
        for (p, key) in PatternScores::written_order()
            .iter()
            .zip(PatternScores::keys())
        {
            self.raw(key);
            match r.patterns.0[p.index()] {
                Some(v) => self.f32(v),
                None => self.raw("null"),
            }
        }
        self.raw("},\"flagged\":");
        self.strs(&r.flagged);
        self.raw(",\"evidence\":[");
        for (i, e) in r.evidence.iter().enumerate() {
            self.raw(if i > 0 { ",{\"start\":" } else { "{\"start\":" });
            self.u64(e.start as u64);
            self.raw(",\"end\":");
            self.u64(e.end as u64);
            self.raw(",\"text\":");
            self.str(&e.text);
            self.raw(",\"pattern\":");
            self.str(&e.pattern);
            self.raw(",\"weight\":");
            self.f32(e.weight);
            self.raw("}");
        }
        self.raw("],\"signals\":");
        self.strs(&r.signals);
        self.raw(",\"advice\":[");
        for (i, a) in r.advice.iter().enumerate() {
            if i > 0 {
                self.raw(",");
            }
            match a.prerendered() {
                Some(raw) => self.raw(raw.get()),
                None => self.ser(&a.fields()),
            }
        }
        self.raw("]");
        if let Some(imp) = &r.impersonation {
            self.raw(",\"impersonation\":");
            self.impersonation(imp);
        }
    }

    /// An [`Impersonation`](crate::contacts::Impersonation) as its `Serialize` derive writes it.
    fn impersonation(&mut self, imp: &crate::contacts::Impersonation) {
        use crate::contacts::ContactKind;
        self.raw("{\"brands\":[");
        for (i, b) in imp.brands.iter().enumerate() {
            self.raw(if i > 0 { ",{\"brand\":" } else { "{\"brand\":" });
            self.str(&b.brand);
            self.raw(",\"kind\":");
            self.str(&b.kind);
            self.raw(",\"start\":");
            self.u64(b.start as u64);
            self.raw(",\"end\":");
            self.u64(b.end as u64);
            self.raw(",\"text\":");
            self.str(&b.text);
            self.raw(if b.claimed {
                ",\"claimed\":true,\"official_hotlines\":"
            } else {
                ",\"claimed\":false,\"official_hotlines\":"
            });
            self.strs(&b.official_hotlines);
            self.raw(",\"official_domains\":");
            self.strs(&b.official_domains);
            self.raw("}");
        }
        self.raw("],\"contacts\":[");
        for (i, c) in imp.contacts.iter().enumerate() {
            self.raw(match (i > 0, c.kind) {
                (false, ContactKind::Phone) => "{\"kind\":\"phone\",\"start\":",
                (false, ContactKind::Link) => "{\"kind\":\"link\",\"start\":",
                (true, ContactKind::Phone) => ",{\"kind\":\"phone\",\"start\":",
                (true, ContactKind::Link) => ",{\"kind\":\"link\",\"start\":",
            });
            self.u64(c.start as u64);
            self.raw(",\"end\":");
            self.u64(c.end as u64);
            self.raw(",\"text\":");
            self.str(&c.text);
            self.raw(",\"value\":");
            self.str(&c.value);
            self.raw(",\"status\":");
            self.str(c.status.name());
            self.raw(if c.suspicious {
                ",\"suspicious\":true"
            } else {
                ",\"suspicious\":false"
            });
            self.opt_str(",\"brand\":", &c.brand);
            self.opt_str(",\"matched_brand\":", &c.matched_brand);
            self.raw(",\"official\":");
            self.strs(&c.official);
            self.raw(",\"message_zh\":");
            self.str(&c.message_zh);
            self.raw(",\"message_en\":");
            self.str(&c.message_en);
            self.raw(",\"sources\":");
            self.strs(&c.sources);
            self.raw("}");
        }
        self.raw(if imp.suspicious {
            "],\"suspicious\":true}"
        } else {
            "],\"suspicious\":false}"
        });
    }
}

/// Whether a string has a byte that JSON escapes (see [`json_special`](super::json_special)):
/// faster to find than to look each byte up as `serde_json` does, a good part of writing a row
/// with Chinese text in it.
fn needs_escape(b: &[u8]) -> bool {
    super::json_special(b).is_some()
}

pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    header_done: bool,
    /// Write a UTF-8 byte order mark before the header.
    bom: bool,
    /// Quote text cells a spreadsheet would take for a formula (see [`formula_escaped`]).
    spreadsheet: bool,
    scratch: String,
}

/// The UTF-8 byte order mark: Excel (and WPS) read a CSV file as UTF-8 only when it starts with
/// one, and show Chinese text without it as mojibake in the system's code page (GBK in China).
pub const UTF8_BOM: &str = "\u{feff}";

/// CSV output columns, in order.
pub fn csv_header() -> Vec<String> {
    let mut h: Vec<String> = [
        "source",
        "record",
        "line",
        "id",
        "sender",
        "date",
        "direction",
        "verdict",
        "score",
        "p_legit",
        "p_spam",
        "p_scam",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend(Pattern::ALL.iter().map(|p| p.name().to_string()));
    h.extend(
        [
            "flagged",
            "evidence",
            "signals",
            "advice",
            "advice_text",
            // Not `impersonation`: that is the pattern score's column.
            "impersonation_check",
            "turns",
            "peak_turn",
            "peak_score",
            "peak_window",
            "peak_line",
            "peak_start",
            "peak_text",
            "verdict_from",
            "truncated",
            "skipped",
            "error",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        CsvWriter {
            out: csv::WriterBuilder::new().from_writer(out),
            header_done: false,
            bom: false,
            spreadsheet: false,
            scratch: String::new(),
        }
    }

    /// For a file people open in a spreadsheet (`-o FILE.csv`): starts with [`UTF8_BOM`], so
    /// Excel shows the Chinese text, and a text cell that a spreadsheet would run as a formula
    /// (`=HYPERLINK(…)` as a message's id, sender or text) starts with a `'` (see
    /// [`formula_escaped`]). Not for stdout, where the next program would read the mark as part
    /// of the first column's name and the quote as part of the value.
    pub fn for_spreadsheets(out: W) -> Self {
        CsvWriter {
            bom: true,
            spreadsheet: true,
            ..CsvWriter::new(out)
        }
    }

    /// Appends to a file that already has the header (`--resume`): no header, no mark.
    pub fn without_header(self) -> Self {
        CsvWriter {
            header_done: true,
            ..self
        }
    }
}

/// The first characters that make a spreadsheet (Excel, WPS, LibreOffice) read a cell as a
/// formula: `=HYPERLINK(…)`, `+1+cmd|…`, `-2+3`, `@SUM(…)`, and a tab or carriage return before
/// one.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell for a spreadsheet: one that starts with a formula character gets a `'` in front
/// (OWASP's advice against CSV injection), so it is shown as the text it is, never run. A value
/// that already starts with quotes before such a character gets one more, so that
/// [`formula_unescaped`] gives back every value as it was. A lone `-` is no formula and is kept.
pub fn formula_escaped(s: &str) -> Cow<'_, str> {
    if s != "-" && s.trim_start_matches('\'').starts_with(FORMULA_STARTS) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The value of a cell written by [`formula_escaped`] (`--resume` reads the last row back).
pub fn formula_unescaped(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_STARTS) => rest,
        _ => s,
    }
}

fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Every CSV record on one physical line (so `--resume` can count them and spreadsheets behave):
/// newlines inside fields become spaces.
pub(crate) fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\n', '\r']) {
        s.replace("\r\n", " ").replace(['\n', '\r'], " ").into()
    } else {
        s.into()
    }
}

impl<W: Write + Send> CsvWriter<W> {
    fn field(&mut self, s: &str) -> std::io::Result<()> {
        let s = one_line(s);
        let s = match self.spreadsheet {
            true => formula_escaped(&s),
            false => Cow::Borrowed(&*s),
        };
        self.out.write_field(s.as_bytes()).map_err(csv_err)
    }

    fn num(&mut self, v: impl std::fmt::Display) -> std::io::Result<()> {
        use std::fmt::Write as _;
        self.scratch.clear();
        write!(self.scratch, "{v}").ok();
        self.out
            .write_field(self.scratch.as_bytes())
            .map_err(csv_err)
    }

    fn prob(&mut self, v: f64) -> std::io::Result<()> {
        use std::fmt::Write as _;
        self.scratch.clear();
        write!(self.scratch, "{v:.4}").ok();
        self.out
            .write_field(self.scratch.as_bytes())
            .map_err(csv_err)
    }

    fn opt(&mut self, s: &Option<String>) -> std::io::Result<()> {
        self.field(s.as_deref().unwrap_or(""))
    }
}

impl<W: Write + Send> ResultWriter for CsvWriter<W> {
    fn write(&mut self, row: &OutputRow) -> std::io::Result<()> {
        if !self.header_done {
            let mut header = csv_header();
            if self.bom {
                // Not a character the writer quotes: the file starts with the mark's three bytes.
                header[0].insert_str(0, UTF8_BOM);
            }
            self.out.write_record(header).map_err(csv_err)?;
            self.header_done = true;
        }
        self.field(&row.source)?;
        self.num(row.record)?;
        self.num(row.line)?;
        self.opt(&row.id)?;
        self.opt(&row.sender)?;
        self.opt(&row.date)?;
        self.field(row.direction.map(Direction::name).unwrap_or(""))?;
        match &row.result {
            Some(r) => {
                self.field(&r.verdict)?;
                for v in [r.score, r.p_legit, r.p_spam, r.p_scam] {
                    self.prob(v as f64)?;
                }
                for p in Pattern::ALL {
                    match r.patterns.0[p.index()] {
                        Some(v) => self.prob(f64::from(v))?,
                        None => self.field("")?,
                    }
                }
                self.field(&r.flagged.join(";"))?;
                let evidence = r
                    .evidence
                    .iter()
                    .map(|e| format!("{}({})", e.text, e.pattern))
                    .collect::<Vec<_>>()
                    .join(" | ");
                self.field(&evidence)?;
                self.field(&r.signals.join(";"))?;
                let ids: Vec<&str> = r.advice.iter().map(|a| &*a.id).collect();
                self.field(&ids.join(";"))?;
                self.field(r.advice.first().map_or("", |a| &*a.text))?;
                let findings: Vec<&str> = r
                    .impersonation
                    .iter()
                    .flat_map(|i| i.findings())
                    .map(|c| c.message_zh.as_str())
                    .collect();
                self.field(&findings.join(" | "))?;
            }
            None => {
                for _ in 0..5 + Pattern::ALL.len() + 6 {
                    self.field("")?;
                }
            }
        }
        match row.turns {
            Some(t) => self.num(t)?,
            None => self.field("")?,
        }
        match row.peak_turn {
            Some(t) => self.num(t)?,
            None => self.field("")?,
        }
        match row.peak_score {
            Some(s) => self.prob(s as f64)?,
            None => self.field("")?,
        }
        match row.peak_window {
            Some([a, b]) => self.field(&format!("{a}-{b}"))?,
            None => self.field("")?,
        }
        match row.peak_line {
            Some(l) => self.num(l)?,
            None => self.field("")?,
        }
        match row.peak_start {
            Some(s) => self.num(s)?,
            None => self.field("")?,
        }
        self.opt(&row.peak_text)?;
        self.opt(&row.verdict_from)?;
        self.field(if row.truncated { "true" } else { "" })?;
        self.field(&row.skipped.join("; "))?;
        self.opt(&row.error)?;
        self.out.write_record(None::<&[u8]>).map_err(csv_err)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_scores_are_written_as_short_f32_decimals_by_name() {
        let mut scores = PatternScores::default();
        scores.0[Pattern::FakeUpgrade.index()] = Some(0.003_610_611);
        scores.0[Pattern::Impersonation.index()] = Some(0.979_146_5);
        let json = serde_json::to_string(&scores).unwrap();
        // f32's shortest decimal, as `score` is written, not the f64 widening's 20 digits.
        assert!(json.contains("\"fake_upgrade\":0.003610611,"), "{json}");
        assert!(!json.contains("0.0036106109619140625"), "{json}");
        // Keys by name, in the text as written.
        let at = |name: &str| json.find(&format!("\"{name}\"")).unwrap();
        assert!(at("agent_recruit") < at("card_theft") && at("card_theft") < at("fake_upgrade"));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["impersonation"].as_f64().unwrap() as f32, 0.979_146_5);
        assert!(v["card_theft"].is_null());
    }

    #[test]
    fn prerendered_advice_is_written_as_field_by_field() {
        let mut applies = vec!["verdict", "impersonation", "transaction"];
        applies.extend(Pattern::ALL.iter().map(|p| p.name()));
        for a in crate::advice::TEXTS {
            for to in &applies {
                let adv = OutAdvice {
                    id: a.id.into(),
                    applies_to: to.to_string().into(),
                    text: a.zh.into(),
                    text_en: a.en.into(),
                };
                assert!(adv.prerendered().is_some(), "{} / {to}", a.id);
                assert_eq!(
                    serde_json::to_string(&adv).unwrap(),
                    serde_json::to_string(&adv.fields()).unwrap()
                );
            }
        }
        // Not a shipped text: written field by field, still the same JSON shape.
        let odd = OutAdvice {
            id: "scam".into(),
            applies_to: "verdict".into(),
            text: "别的文字 \"引号\"".into(),
            text_en: "other".into(),
        };
        assert!(odd.prerendered().is_none());
        let v: serde_json::Value = serde_json::to_value(&odd).unwrap();
        assert_eq!(v["text"], "别的文字 \"引号\"");
        assert_eq!(v["applies_to"], "verdict");
        let unknown = OutAdvice {
            id: "no_such_advice".into(),
            ..odd
        };
        assert!(unknown.prerendered().is_none());
        assert_eq!(
            serde_json::to_value(&unknown).unwrap()["id"],
            "no_such_advice"
        );
    }

    /// A row with every field, strings that need escapes and numbers at the edges.
    fn full_row(s: &str, f: f32, g: f64) -> OutputRow {
        let mut patterns = PatternScores::default();
        patterns.0[Pattern::FakeUpgrade.index()] = Some(0.003_610_611);
        patterns.0[Pattern::Impersonation.index()] = Some(f);
        let contact = crate::contacts::ContactCheck {
            kind: crate::contacts::ContactKind::Phone,
            start: 3,
            end: 14,
            text: s.into(),
            value: "13800138000".into(),
            status: crate::contacts::ContactStatus::PersonalMobile,
            suspicious: true,
            brand: Some("中国银联".into()),
            matched_brand: None,
            official: vec!["95516".into()],
            message_zh: format!("{s}不是官方号码"),
            message_en: "not official".into(),
            sources: vec![],
            norm_chars: 0..1,
        };
        let a = &crate::advice::TEXTS[0];
        OutputRow {
            source: format!("dir/{s}.jsonl"),
            record: u64::MAX,
            line: 7,
            id: Some(s.into()),
            sender: Some("+86 138".into()),
            date: Some(String::new()),
            direction: Some(Direction::Sent),
            result: Some(OutResult {
                verdict: "scam".into(),
                score: f,
                p_legit: 1e-7,
                p_spam: 0.0,
                p_scam: 1.0,
                patterns,
                flagged: vec!["impersonation".into(), s.into()],
                evidence: vec![
                    OutEvidence {
                        start: 0,
                        end: 5,
                        text: s.into(),
                        pattern: "deposit_trap".into(),
                        weight: f,
                    },
                    OutEvidence {
                        start: usize::MAX,
                        end: 1,
                        text: "押金".into(),
                        pattern: String::new(),
                        weight: -0.5,
                    },
                ],
                signals: vec!["hotline".into()],
                advice: vec![
                    OutAdvice {
                        id: a.id.into(),
                        applies_to: "verdict".into(),
                        text: a.zh.into(),
                        text_en: a.en.into(),
                    },
                    OutAdvice {
                        id: s.to_string().into(),
                        applies_to: "verdict".into(),
                        text: s.to_string().into(),
                        text_en: "x".into(),
                    },
                ],
                impersonation: Some(crate::contacts::Impersonation {
                    brands: vec![],
                    contacts: vec![contact],
                    suspicious: true,
                }),
            }),
            turns: Some(12),
            peak_turn: Some(3),
            peak_score: Some(f),
            peak_window: Some([1, u32::MAX]),
            peak_line: Some(40),
            peak_start: Some(g),
            peak_text: Some(format!("客服：{s}")),
            verdict_from: Some(format!("window{s}")),
            truncated: true,
            skipped: vec![s.into(), "segment 4: not an object".into()],
            error: Some(s.into()),
        }
    }

    fn as_written(row: &OutputRow) -> String {
        let mut buf = Vec::new();
        write_row_json(&mut buf, row);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn rows_are_written_as_serde_writes_them() {
        let odd = "引号\"、反斜杠\\、\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}\u{2028}😀</script>";
        for (s, f, g) in [
            ("", 0.998_805_2, 12.5),
            (odd, f32::NAN, f64::INFINITY),
            ("a", f32::INFINITY, f64::NAN),
            ("b", -0.0, -0.0),
            ("c", 1e30, 1e300),
            ("d", f32::MIN_POSITIVE, 3.0),
        ] {
            let row = full_row(s, f, g);
            assert_eq!(as_written(&row), serde_json::to_string(&row).unwrap());
        }
        // Every optional field left out, a row with no result, an error row.
        let bare = OutputRow::default();
        assert_eq!(as_written(&bare), serde_json::to_string(&bare).unwrap());
        let error = OutputRow {
            source: "-".into(),
            record: 3,
            line: 9,
            id: Some("9".into()),
            error: Some("malformed JSON: EOF".into()),
            ..OutputRow::default()
        };
        assert_eq!(as_written(&error), serde_json::to_string(&error).unwrap());
        let mut plain = full_row("x", 0.5, 1.0);
        let r = plain.result.as_mut().unwrap();
        (r.evidence, r.flagged, r.advice, r.impersonation) = (vec![], vec![], vec![], None);
        r.patterns = PatternScores::default();
        plain.direction = Some(Direction::Received);
        (plain.truncated, plain.skipped, plain.peak_start) = (false, vec![], None);
        assert_eq!(as_written(&plain), serde_json::to_string(&plain).unwrap());
    }

    #[test]
    fn impersonation_checks_are_written_as_serde_writes_them() {
        use crate::contacts::ContactStatus::*;
        let mut seen = 0;
        for text in [
            "【中国银联】您的POS机需升级，请致电13800138000或登录 http://unionpay-pos.cn 办理",
            "银联商务客服提醒：刷卡费率调整，回拨0592-95534或95516，详见 t.cn/abc",
            "工商银行通知：您的电签POS已冻结，联系 ICBC 客服 400-820-8888",
            "拉卡拉 \"官方\" 通知\\：押金退还 https://lakala.com.fake.cn/\t办理",
        ] {
            let n = crate::normalize::Normalizer.normalize(text);
            let Some(imp) = crate::contacts::check(&n, text) else {
                continue;
            };
            seen += imp.brands.len() + imp.contacts.len();
            let mut row = full_row("x", 0.5, 1.0);
            row.result.as_mut().unwrap().impersonation = Some(imp);
            assert_eq!(as_written(&row), serde_json::to_string(&row).unwrap());
        }
        assert!(seen > 4, "{seen}");
        for status in [
            Official,
            Authority,
            OtherBrandOfficial,
            PersonalMobile,
            AreaCodePrefix,
            LookAlike,
            KnownFake,
            NotOfficial,
            HiddenLink,
            Unverified,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.name()));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_and_score_is_written_as_serde_writes_it(
            s in "\\PC*|[\\x00-\\x7f]*",
            f in proptest::num::f32::ANY,
            g in proptest::num::f64::ANY,
        ) {
            let row = full_row(&s, f, g);
            proptest::prop_assert_eq!(as_written(&row), serde_json::to_string(&row).unwrap());
        }
    }

    #[test]
    fn csv_rows_have_every_column_on_one_line() {
        let mut buf = Vec::new();
        {
            let mut w = CsvWriter::new(&mut buf);
            let row = OutputRow {
                source: "a.csv".into(),
                record: 1,
                line: 2,
                peak_text: Some("客服：两行\n文字".into()),
                peak_window: Some([1, 6]),
                error: Some("bad\r\nrow".into()),
                ..OutputRow::default()
            };
            w.write(&row).unwrap();
            w.flush().unwrap();
        }
        let s = String::from_utf8(buf).unwrap();
        assert_eq!(s.lines().count(), 2, "{s}");
        let mut rdr = csv::Reader::from_reader(s.as_bytes());
        let h = rdr.headers().unwrap().clone();
        let r = rdr.records().next().unwrap().unwrap();
        assert_eq!(r.len(), h.len());
        assert_eq!(r.len(), csv_header().len());
        let col = |n: &str| h.iter().position(|x| x == n).unwrap();
        assert_eq!(&r[col("peak_window")], "1-6");
        assert_eq!(&r[col("peak_text")], "客服：两行 文字");
        assert_eq!(&r[col("error")], "bad row");
        assert!(s.starts_with("source,"), "no mark unless asked for");
    }

    #[test]
    fn formula_cells_are_quoted_for_spreadsheets_only() {
        let row = OutputRow {
            source: "-".into(),
            record: 1,
            line: 1,
            id: Some("=HYPERLINK(\"http://x.cn\",\"点我\")".into()),
            sender: Some("+8613800138000".into()),
            date: Some("2023-11-15".into()),
            peak_text: Some("@SUM(1+1)".into()),
            skipped: vec!["\t=1+2".into()],
            error: Some("-2+3".into()),
            ..OutputRow::default()
        };
        let write = |mut w: CsvWriter<&mut Vec<u8>>| {
            w.write(&row).unwrap();
            w.flush().unwrap();
        };
        let cells = |buf: &[u8]| -> Vec<String> {
            let mut rdr = csv::Reader::from_reader(buf);
            let h = rdr.headers().unwrap().clone();
            let r = rdr.records().next().unwrap().unwrap();
            [
                "source",
                "id",
                "sender",
                "date",
                "peak_text",
                "skipped",
                "error",
            ]
            .iter()
            .map(|n| r[h.iter().position(|x| x.ends_with(n)).unwrap()].to_string())
            .collect()
        };
        let mut file = Vec::new();
        write(CsvWriter::for_spreadsheets(&mut file));
        assert_eq!(
            cells(&file),
            [
                "-",
                "'=HYPERLINK(\"http://x.cn\",\"点我\")",
                "'+8613800138000",
                "2023-11-15",
                "'@SUM(1+1)",
                "'\t=1+2",
                "'-2+3"
            ]
        );
        // Appending on resume quotes them too; stdout's CSV is left as it is.
        let mut appended = Vec::new();
        write(CsvWriter::for_spreadsheets(&mut appended).without_header());
        assert!(
            appended.starts_with(b"-,1,1,\"'=HYPERLINK("),
            "{}",
            String::from_utf8_lossy(&appended)
        );
        let mut stdout = Vec::new();
        write(CsvWriter::new(&mut stdout));
        assert_eq!(
            cells(&stdout)[1..3],
            ["=HYPERLINK(\"http://x.cn\",\"点我\")", "+8613800138000"]
        );
    }

    #[test]
    fn formula_quotes_come_off_as_they_went_on() {
        for v in [
            "=1+1", "+86", "-5", "@x", "\t=1", "'=1", "''+2", "'", "'abc", "abc", "-", "'-", "",
            "= 1",
        ] {
            let written = formula_escaped(v);
            assert_eq!(formula_unescaped(&written), v, "{v:?} → {written:?}");
            assert_eq!(
                written.starts_with(FORMULA_STARTS),
                v == "-",
                "{v:?} → {written:?}"
            );
        }
        assert_eq!(formula_escaped("'abc"), "'abc");
        assert_eq!(formula_escaped("'=1"), "''=1");
    }

    #[test]
    fn csv_for_spreadsheets_starts_with_one_byte_order_mark() {
        let mut buf = Vec::new();
        {
            let mut w = CsvWriter::for_spreadsheets(&mut buf);
            for record in 1..=2 {
                w.write(&OutputRow {
                    source: "a.csv".into(),
                    record,
                    ..OutputRow::default()
                })
                .unwrap();
            }
            w.flush().unwrap();
        }
        let s = String::from_utf8(buf).unwrap();
        assert!(s.starts_with("\u{feff}source,record,"), "{s}");
        assert_eq!(s.matches('\u{feff}').count(), 1);
        assert_eq!(s.lines().count(), 3);
    }
}

//! Labelled JSONL for training and evaluation: `{"text","verdict","patterns"[,"channel","family"]}`.

use crate::error::{Error, Result};
use crate::labels::{Channel, Pattern, Verdict};
use crate::train::LabelledRecord;
use serde::Deserialize;
use std::io::BufRead;
use std::path::Path;

/// One labelled row. A key that is none of these is an error: a misspelt `"pattern"` would
/// otherwise drop the row's pattern labels without a word. `id`, `source`, `sender`, `date`, and
/// `perturbation` and `source_id` (which `posguard perturb` writes) are allowed and not used.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    text: String,
    verdict: String,
    #[serde(default)]
    patterns: Option<Vec<String>>,
    #[serde(default)]
    channel: Option<Channel>,
    #[serde(default)]
    family: Option<String>,
    #[serde(default, rename = "id")]
    _id: serde::de::IgnoredAny,
    #[serde(default, rename = "source")]
    _source: serde::de::IgnoredAny,
    #[serde(default, rename = "sender")]
    _sender: serde::de::IgnoredAny,
    #[serde(default, rename = "date")]
    _date: serde::de::IgnoredAny,
    #[serde(default, rename = "perturbation")]
    _perturbation: serde::de::IgnoredAny,
    #[serde(default, rename = "source_id")]
    _source_id: serde::de::IgnoredAny,
}

/// Reads a labelled JSONL file. Any bad line is an error naming the file and line: training on a
/// silently shortened data set would be worse than stopping.
pub fn read_labelled(path: &Path) -> Result<Vec<LabelledRecord>> {
    let name = path.display().to_string();
    let mut out = Vec::new();
    for_each_line(path, |_, s, bad| {
        let row: Row = serde_json::from_str(s).map_err(|e| {
            // The JSON is one line: its place in it is a column of this line.
            let e = e.to_string().replace(" at line 1 column ", " at column ");
            bad(if s.starts_with('[') {
                format!(
                    "a JSON array, not one object per line: labelled data is JSONL, one \
                     {{\"text\",\"verdict\",…}} object per line ({e})"
                )
            } else if !s.starts_with('{') && s.contains([',', '\t']) {
                format!(
                    "not JSON: this looks like CSV/TSV; labelled data is JSONL, one \
                     {{\"text\",\"verdict\",…}} object per line ({e})"
                )
            } else if !s.starts_with('{') {
                format!("malformed JSON: {e}")
            } else if e.contains("EOF while parsing") {
                format!(
                    "malformed JSON: the line ends inside the object — cut short, or an object \
                     spread over several lines (labelled data is one object per line): {e}"
                )
            } else {
                format!("bad row: {e}")
            })
        })?;
        if row.text.trim().is_empty() {
            return Err(bad("empty text".into()));
        }
        let verdict: Verdict = row.verdict.parse().map_err(&bad)?;
        let patterns = match row.patterns {
            None => None,
            Some(ps) => Some(
                ps.iter()
                    .map(|p| p.parse::<Pattern>())
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(&bad)?,
            ),
        };
        if verdict != Verdict::Scam && patterns.as_ref().is_some_and(|p| !p.is_empty()) {
            return Err(bad(format!(
                "patterns given on a {verdict} message; patterns are for scams"
            )));
        }
        out.push(LabelledRecord {
            text: row.text,
            verdict,
            patterns,
            channel: row.channel,
            source: name.clone(),
            family: row.family,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Calls `f(line number, line, bad)` for every non-blank line of a JSONL file (BOM and surrounding space
/// trimmed), where `bad(reason)` makes the error naming the file and line. Invalid UTF-8 is such
/// an error; the first error stops the reading.
pub(crate) fn for_each_line(
    path: &Path,
    mut f: impl FnMut(u64, &str, &dyn Fn(String) -> Error) -> Result<()>,
) -> Result<()> {
    use std::io::Read;
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let mut bytes = Vec::new();
    for i in 0.. {
        let line_no = i as u64 + 1;
        let bad = |reason: String| Error::Record {
            source_name: name.clone(),
            line: line_no,
            reason,
        };
        // At most MAX_LINE_BYTES of a line is ever held, as in every reader of inboxes.
        bytes.clear();
        let n = reader
            .by_ref()
            .take(super::MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut bytes)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        if bytes.len() > super::MAX_LINE_BYTES {
            return Err(bad(format!(
                "line longer than {} MiB",
                super::MAX_LINE_BYTES >> 20
            )));
        }
        let bytes = std::mem::take(&mut bytes);
        let s = String::from_utf8(bytes).map_err(|e| {
            let bytes = e.as_bytes();
            let hint = if line_no == 1
                && (bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff"))
            {
                ": the file is UTF-16; save it as UTF-8"
            } else if encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .is_some()
            {
                ": it reads as GBK/GB18030; convert the file to UTF-8 (iconv -f GB18030 -t UTF-8)"
            } else {
                ""
            };
            bad(format!(
                "invalid UTF-8 at byte {}{hint}",
                e.utf8_error().valid_up_to()
            ))
        })?;
        let s = s.trim_start_matches('\u{feff}').trim();
        if !s.is_empty() {
            f(line_no, s, &bad)?;
        }
    }
    Ok(())
}

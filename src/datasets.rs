//! Adapters for the public labelled sets in `../shared/data` (read in place, never copied into
//! the repository). Each adapter maps the set's labels onto posguard's verdicts and undoes the
//! set's own preprocessing where it would teach the model the format instead of the fraud.
//!
//! | set | verdict mapping | split |
//! |---|---|---|
//! | fbs_sms | `FR_*` → scam, `AD_*`, `IL_*`, `Other` → spam | train.tsv / test.tsv |
//! | mudou_spam | 0 → legit, 1 → spam | .train / .test |
//! | teleantifraud_dialogues | fraud files → scam, normal → legit | test = sha256(text) % 10 < 2 |
//! | telecom_fraud_texts_5 | label00 → legit, label01–04 → scam | evaluation only |

use crate::error::{Error, Result};
use crate::labels::{Channel, Verdict};
use crate::train::LabelledRecord;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Rows of a source file that give no record, counted by reason (`prepare` reports them: a row
/// dropped without a word would change the data sets unseen).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Skipped {
    /// (source file, reason) → (rows, first line).
    pub counts: std::collections::BTreeMap<(String, String), (u64, u64)>,
}

impl Skipped {
    fn add(&mut self, source: &str, line: u64, reason: &str) {
        let e = self
            .counts
            .entry((source.to_string(), reason.to_string()))
            .or_insert((0, line));
        e.0 += 1;
    }

    /// Rows skipped in all.
    pub fn total(&self) -> u64 {
        self.counts.values().map(|(n, _)| n).sum()
    }
}

/// A longer "message" is two or more rows run together, as an unclosed quotation mark in a CSV
/// file makes them (no genuine row of the shared sets is a quarter as long).
const MAX_SOURCE_TEXT_CHARS: usize = crate::io::MAX_TEXT_CHARS;

/// Which part of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(decode(&bytes))
}

/// UTF-8 (with or without BOM), else GB18030 (which covers GBK): the encodings Chinese files use.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn record(text: String, verdict: Verdict, channel: Channel, source: &str) -> LabelledRecord {
    LabelledRecord {
        text,
        verdict,
        patterns: None,
        channel: Some(channel),
        source: source.to_string(),
        family: None,
    }
}

/// fbs_sms placeholder words → what posguard's normaliser would have made of the original.
fn fbs_placeholder(word: &str) -> Option<&'static str> {
    const MOBILE: &str = "\u{E001}";
    Some(match word {
        "URL" => "\u{E000}",
        "CELLPHONE" => MOBILE,
        "HOTLINE" => "\u{E002}",
        "PHONE" => "\u{E003}",
        "DIGIT" | "WECHAT" | "QQ" => "\u{E00A}",
        "BANK" => "银行",
        // Names and places carry no fraud signal; the originals are gone, so they are dropped.
        "NAME" | "PLACE" => "",
        _ => return None,
    })
}

const FBS_WORDS: &[&str] = &[
    "CELLPHONE",
    "HOTLINE",
    "WECHAT",
    "DIGIT",
    "PHONE",
    "PLACE",
    "NAME",
    "BANK",
    "URL",
    "QQ",
];

/// Undoes fbs_sms's segmentation and maps its placeholders onto posguard's masks:
/// `请 致电 CELLPHONE 办理 pos 机` → `请致电<mobile>办理pos机`.
pub fn fbs_text(segmented: &str) -> String {
    let mut pieces: Vec<String> = Vec::new();
    for tok in segmented.split_whitespace() {
        // Placeholders can be glued together or carry junk (`CELLPHONEWECHAT`, `URLdfge`).
        let mut rest = tok;
        let mut mapped = String::new();
        let mut any = false;
        'outer: while !rest.is_empty() {
            for w in FBS_WORDS {
                if let Some(r) = rest.strip_prefix(w) {
                    mapped.push_str(fbs_placeholder(w).unwrap_or_default());
                    rest = r;
                    any = true;
                    continue 'outer;
                }
            }
            break;
        }
        if any {
            // Lower-case junk after a placeholder is an artefact of the masking, not text.
            if !rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            {
                mapped.push_str(rest);
            }
            pieces.push(mapped);
        } else {
            pieces.push(tok.to_string());
        }
    }
    let mut out = String::new();
    for p in pieces.iter().filter(|p| !p.is_empty()) {
        let glue = match (out.chars().last(), p.chars().next()) {
            (Some(a), Some(b)) => a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric(),
            _ => false,
        };
        if glue {
            out.push(' ');
        }
        out.push_str(p);
    }
    out
}

pub fn fbs_sms(dir: &Path, split: Split, skipped: &mut Skipped) -> Result<Vec<LabelledRecord>> {
    let path = dir.join(match split {
        Split::Train => "train.tsv",
        Split::Test => "test.tsv",
    });
    let source = format!(
        "fbs_sms/{}",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let text = read_text(&path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 && line.starts_with("category") {
            continue;
        }
        let Some((cat, seg)) = line.split_once('\t') else {
            skipped.add(&source, i as u64 + 1, "no tab between category and text");
            continue;
        };
        let verdict = if cat.starts_with("FR_") {
            Verdict::Scam
        } else {
            Verdict::Spam
        };
        let t = fbs_text(seg);
        if t.trim().is_empty() {
            skipped.add(&source, i as u64 + 1, "empty text");
            continue;
        }
        out.push(record(t, verdict, Channel::Sms, &source));
    }
    Ok(out)
}

pub fn mudou_spam(dir: &Path, split: Split, skipped: &mut Skipped) -> Result<Vec<LabelledRecord>> {
    let path = dir.join(match split {
        Split::Train => "mudou_spam.train",
        Split::Test => "mudou_spam.test",
    });
    let source = format!(
        "mudou_spam/{}",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let text = read_text(&path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let (Some(label), Some(raw)) = (parts.next(), parts.next()) else {
            skipped.add(&source, n, "a label and no text (no tab)");
            continue;
        };
        let verdict = match label.trim() {
            "0" => Verdict::Legit,
            "1" => Verdict::Spam,
            _ => {
                skipped.add(&source, n, "label is not 0 or 1");
                continue;
            }
        };
        if raw.trim().is_empty() {
            skipped.add(&source, n, "a label and no text");
            continue;
        }
        out.push(record(raw.to_string(), verdict, Channel::Sms, &source));
    }
    Ok(out)
}

/// The test part of teleantifraud: sha256 of the text, as a big-endian integer, mod 10 below 2.
pub fn in_teleantifraud_test(text: &str) -> bool {
    let d = Sha256::digest(text.as_bytes());
    d.iter().fold(0u32, |acc, b| (acc * 256 + *b as u32) % 10) < 2
}

/// A call transcript from caller turns (`left`) and callee turns (`right`), alternating.
pub fn dialogue_text(left: &[String], right: &[String]) -> String {
    let mut lines = Vec::new();
    for i in 0..left.len().max(right.len()) {
        if let Some(l) = left.get(i) {
            lines.push(format!("来电：{}", l.trim()));
        }
        if let Some(r) = right.get(i) {
            lines.push(format!("接听：{}", r.trim()));
        }
    }
    lines.join("\n")
}

pub fn teleantifraud(
    dir: &Path,
    split: Split,
    skipped: &mut Skipped,
) -> Result<Vec<LabelledRecord>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in files {
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let verdict = if name.starts_with("fraud_") {
            Verdict::Scam
        } else if name.starts_with("normal_") {
            Verdict::Legit
        } else {
            skipped.add(
                &format!("teleantifraud/{name}"),
                0,
                "whole file: its name starts with neither fraud_ nor normal_",
            );
            continue;
        };
        let text = read_text(&f)?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line).map_err(|e| Error::Record {
                source_name: f.display().to_string(),
                line: i as u64 + 1,
                reason: format!("malformed JSON: {e}"),
            })?;
            let turns = |k: &str| -> Vec<String> {
                v.get(k)
                    .and_then(|x| x.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let t = dialogue_text(&turns("left"), &turns("right"));
            // Each file is read once per split: a skipped row is reported by the split it would
            // have gone to (an empty one by the training split).
            let src = format!("teleantifraud/{name}");
            if t.is_empty() {
                if split == Split::Train {
                    skipped.add(&src, i as u64 + 1, "no turns (no left/right text)");
                }
                continue;
            }
            let test = in_teleantifraud_test(&t);
            if !seen.insert(t.clone()) {
                if (split == Split::Test) == test {
                    skipped.add(&src, i as u64 + 1, "repeats an earlier dialogue");
                }
                continue;
            }
            if (split == Split::Test) != test {
                continue;
            }
            // Training also sees the caller's side alone, as one unprefixed text: scam scripts
            // arrive as monologues too (voice mail, SMS, forwarded scripts), and without this the
            // model could tie fraud to the transcript layout rather than to what is said.
            if split == Split::Train {
                let caller: String = turns("left")
                    .iter()
                    .map(|s| s.trim())
                    .collect::<Vec<_>>()
                    .join("");
                if !caller.is_empty() && seen.insert(caller.clone()) {
                    out.push(record(
                        caller,
                        verdict,
                        Channel::Sms,
                        &format!("teleantifraud/{name}#caller"),
                    ));
                }
            }
            out.push(record(
                t,
                verdict,
                Channel::Call,
                &format!("teleantifraud/{name}"),
            ));
        }
    }
    Ok(out)
}

pub fn telecom_fraud_texts_5(dir: &Path, skipped: &mut Skipped) -> Result<Vec<LabelledRecord>> {
    let mut out = Vec::new();
    for (file, verdict) in [
        ("label00-last.csv", Verdict::Legit),
        ("label01-last.csv", Verdict::Scam),
        ("label02-last.csv", Verdict::Scam),
        ("label03-last.csv", Verdict::Scam),
        ("label04-last.csv", Verdict::Scam),
    ] {
        let path = dir.join(file);
        let text = read_text(&path)?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        for row in rdr.records() {
            let row = row.map_err(|e| Error::Record {
                source_name: path.display().to_string(),
                line: e.position().map(|p| p.line()).unwrap_or(0),
                reason: e.to_string(),
            })?;
            let line = row.position().map_or(0, |p| p.line());
            let src = format!("telecom_fraud_texts_5/{file}");
            let Some(content) = row.get(0) else {
                skipped.add(&src, line, "empty row");
                continue;
            };
            if content.trim().is_empty() {
                skipped.add(&src, line, "empty text");
                continue;
            }
            if content.chars().count() > MAX_SOURCE_TEXT_CHARS {
                return Err(Error::Record {
                    source_name: path.display().to_string(),
                    line,
                    reason: format!(
                        "a text of {} characters: rows run together (an unclosed quotation mark?)",
                        content.chars().count()
                    ),
                });
            }
            out.push(record(
                content.to_string(),
                verdict,
                Channel::Sms,
                &format!("telecom_fraud_texts_5/{file}"),
            ));
        }
    }
    Ok(out)
}

/// The prepared files: (relative path, records, source rows that gave no record).
pub fn prepare_all(shared: &Path) -> Result<Vec<(String, Vec<LabelledRecord>, Skipped)>> {
    let d = |s: &str| shared.join(s);
    type Reader<'a> = Box<dyn Fn(&mut Skipped) -> Result<Vec<LabelledRecord>> + 'a>;
    let parts: Vec<(&str, Reader)> = vec![
        (
            "train/fbs_sms.jsonl",
            Box::new(|s| fbs_sms(&d("fbs_sms"), Split::Train, s)),
        ),
        (
            "train/mudou_spam.jsonl",
            Box::new(|s| mudou_spam(&d("mudou_spam"), Split::Train, s)),
        ),
        (
            "train/teleantifraud.jsonl",
            Box::new(|s| teleantifraud(&d("teleantifraud_dialogues"), Split::Train, s)),
        ),
        (
            "eval/fbs_sms_test.jsonl",
            Box::new(|s| fbs_sms(&d("fbs_sms"), Split::Test, s)),
        ),
        (
            "eval/mudou_spam_test.jsonl",
            Box::new(|s| mudou_spam(&d("mudou_spam"), Split::Test, s)),
        ),
        (
            "eval/teleantifraud_test.jsonl",
            Box::new(|s| teleantifraud(&d("teleantifraud_dialogues"), Split::Test, s)),
        ),
        (
            "eval/telecom_fraud_texts_5.jsonl",
            Box::new(|s| telecom_fraud_texts_5(&d("telecom_fraud_texts_5"), s)),
        ),
    ];
    parts
        .into_iter()
        .map(|(rel, read)| {
            let mut skipped = Skipped::default();
            let records = read(&mut skipped)?;
            Ok((rel.to_string(), records, skipped))
        })
        .collect()
}

/// Writes records as labelled JSONL (the format `posguard train` and `eval` read).
pub fn write_jsonl(path: &Path, records: &[LabelledRecord]) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(f);
    for r in records {
        let mut obj = serde_json::json!({
            "text": r.text,
            "verdict": r.verdict,
            "source": r.source,
        });
        if let Some(p) = &r.patterns {
            obj["patterns"] = serde_json::json!(p);
        }
        if let Some(c) = r.channel {
            obj["channel"] = serde_json::json!(c);
        }
        serde_json::to_writer(&mut w, &obj).map_err(|e| Error::io(path, e.into()))?;
        w.write_all(b"\n").map_err(|e| Error::io(path, e))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fbs_text_joins_cjk_and_maps_placeholders() {
        assert_eq!(
            fbs_text("请 致电 CELLPHONE 办理 pos 机"),
            "请致电\u{E001}办理pos机"
        );
        assert_eq!(
            fbs_text("详情 点击 URLdfge PLACE 平安"),
            "详情点击\u{E000}平安"
        );
        assert_eq!(fbs_text("回 y 退订 回 t"), "回y退订回t");
        assert_eq!(fbs_text("iphone x 促销"), "iphone x促销");
        assert_eq!(
            fbs_text("NAME CELLPHONEWECHAT 查询"),
            "\u{E001}\u{E00A}查询"
        );
    }

    #[test]
    fn fbs_placeholders_are_posguard_masks() {
        use crate::normalize::MaskKind;
        let as_str = |k: MaskKind| k.placeholder().to_string();
        assert_eq!(fbs_placeholder("URL").unwrap(), as_str(MaskKind::Url));
        assert_eq!(
            fbs_placeholder("CELLPHONE").unwrap(),
            as_str(MaskKind::Mobile)
        );
        assert_eq!(
            fbs_placeholder("HOTLINE").unwrap(),
            as_str(MaskKind::Hotline)
        );
        assert_eq!(
            fbs_placeholder("PHONE").unwrap(),
            as_str(MaskKind::Landline)
        );
        assert_eq!(fbs_placeholder("DIGIT").unwrap(), as_str(MaskKind::Number));
    }

    #[test]
    fn teleantifraud_split_is_sha256_mod_10() {
        // Values from Python: int(hashlib.sha256(t.encode()).hexdigest(), 16) % 10.
        assert!(!in_teleantifraud_test("a")); // 9
        assert!(!in_teleantifraud_test("c")); // 8
        assert!(in_teleantifraud_test("d")); // 0
        assert!(!in_teleantifraud_test("银联")); // 2
        assert!(!in_teleantifraud_test("拉卡拉")); // 9
    }

    #[test]
    fn rows_that_give_no_record_are_counted_with_their_reason() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("mudou_spam.train"),
            "0\t明天开会\n1\n1\t\n2\t未知标签\n\n1\t低价促销\n",
        )
        .unwrap();
        let mut skipped = Skipped::default();
        let r = mudou_spam(d, Split::Train, &mut skipped).unwrap();
        assert_eq!(r.len(), 2);
        let count = |reason: &str| count_of(&skipped, reason);
        assert_eq!(count("a label and no text (no tab)"), Some((1, 2)));
        assert_eq!(count("a label and no text"), Some((1, 3)));
        assert_eq!(count("label is not 0 or 1"), Some((1, 4)));
        assert_eq!(skipped.total(), 3, "the blank line is not a row");

        std::fs::write(
            d.join("train.tsv"),
            "category\tcontent\nFR_1\t回 1 换 机\nAD_1\n",
        )
        .unwrap();
        let mut skipped = Skipped::default();
        assert_eq!(fbs_sms(d, Split::Train, &mut skipped).unwrap().len(), 1);
        assert_eq!(
            count_of(&skipped, "no tab between category and text"),
            Some((1, 3))
        );

        // An unclosed quotation mark runs the rows after it into one field: refused, not merged.
        let t = d.join("t5");
        std::fs::create_dir(&t).unwrap();
        for i in 0..5 {
            std::fs::write(t.join(format!("label0{i}-last.csv")), "content\n短信一\n").unwrap();
        }
        let mut merged = String::from("content\n\"未闭合的引号,1\n");
        for _ in 0..3000 {
            merged.push_str("后面的一行短信内容被并进来了\n");
        }
        std::fs::write(t.join("label01-last.csv"), merged).unwrap();
        let err = telecom_fraud_texts_5(&t, &mut Skipped::default()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("label01-last.csv") && msg.contains("unclosed quotation"),
            "{msg}"
        );
    }

    fn count_of(skipped: &Skipped, reason: &str) -> Option<(u64, u64)> {
        skipped
            .counts
            .iter()
            .find(|((_, why), _)| why == reason)
            .map(|(_, c)| *c)
    }

    #[test]
    fn dialogue_alternates_turns() {
        let t = dialogue_text(&["你好".into(), "请提供卡号".into()], &["哪位".into()]);
        assert_eq!(t, "来电：你好\n接听：哪位\n来电：请提供卡号");
    }

    #[test]
    fn gbk_is_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("冒充公检法");
        assert_eq!(decode(&gbk), "冒充公检法");
        assert_eq!(decode("\u{feff}银联".as_bytes()), "银联");
    }
}

//! Adversarial perturbations: the spelling tricks scammers switch to once a filter catches them
//! (`P0S机`, `薇信`, full-width digits, `免 费 换 机`, `激.活`, `换🔥机`, traditional characters,
//! Cyrillic/Greek look-alikes, pinyin initials such as `fl` for 费率), applied singly and combined
//! to labelled messages, and the robustness measurement built on them (`posguard perturb`,
//! `posguard robustness`, `docs/robustness.md`).
//!
//! Every transformation is a general function of the text driven by a small self-contained PRNG
//! (SplitMix64), seeded per message from the run seed, the message id and the transformation
//! name: the same seed gives the same adversarial set on every machine and every release, and
//! adding a transformation does not change the others. The variant tables below are the
//! adversary's — spellings seen in the wild — not the normaliser's.

use crate::error::{Error, Result};
use crate::eval::{evaluate, Scored};
use crate::features::Analysis;
use crate::labels::{Pattern, Verdict};
use crate::model::Model;
use crate::verdict::{decide_with, Overrule};
use serde::Serialize;
use std::path::Path;
use std::str::FromStr;

/// Default seed of `posguard perturb` / `posguard robustness`.
pub const DEFAULT_SEED: u64 = 20240611;

/// SplitMix64: tiny, fast, and its output for a seed will never change.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// FNV-1a, for deriving per-message seeds from strings.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xFF)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01B3);
        }
    }
    h
}

/// One evasion technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Perturbation {
    /// `POS` → `P0S`, `p0s`, `P.O.S`, `P O S`, `pos ` …
    PosLeet,
    /// Brand, app and keyword variants from the wild: 微信 → 薇信/V信/威信/wx/VX, 支付宝 → 支f宝 …
    BrandVariants,
    /// ASCII letters, digits and their punctuation → full-width forms.
    Fullwidth,
    /// Spaces between Chinese characters (`免 费 换 机`), sometimes the whole message.
    SpaceSplit,
    /// Dots, middle dots, `*`, `_`, `-`, `|`, `/` between Chinese characters.
    DotSplit,
    /// Emoji between Chinese characters.
    EmojiSplit,
    /// Simplified → traditional characters (all or part of them).
    Traditional,
    /// Cyrillic/Greek look-alikes for Latin letters, `〇`/`О`/`l`/`З`/`б` for digits.
    Homoglyph,
    /// Domain words → pinyin initials (费率 → fl, 押金 → yj, 激活 → jh …).
    PinyinInitials,
    /// Two or three of the above together.
    Combined,
}

impl Perturbation {
    pub const ALL: [Perturbation; 10] = [
        Perturbation::PosLeet,
        Perturbation::BrandVariants,
        Perturbation::Fullwidth,
        Perturbation::SpaceSplit,
        Perturbation::DotSplit,
        Perturbation::EmojiSplit,
        Perturbation::Traditional,
        Perturbation::Homoglyph,
        Perturbation::PinyinInitials,
        Perturbation::Combined,
    ];

    /// The single transformations (everything but [`Perturbation::Combined`]).
    pub const SINGLE: [Perturbation; 9] = [
        Perturbation::PosLeet,
        Perturbation::BrandVariants,
        Perturbation::Fullwidth,
        Perturbation::SpaceSplit,
        Perturbation::DotSplit,
        Perturbation::EmojiSplit,
        Perturbation::Traditional,
        Perturbation::Homoglyph,
        Perturbation::PinyinInitials,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Perturbation::PosLeet => "pos_leet",
            Perturbation::BrandVariants => "brand_variants",
            Perturbation::Fullwidth => "fullwidth",
            Perturbation::SpaceSplit => "space_split",
            Perturbation::DotSplit => "dot_split",
            Perturbation::EmojiSplit => "emoji_split",
            Perturbation::Traditional => "traditional",
            Perturbation::Homoglyph => "homoglyph",
            Perturbation::PinyinInitials => "pinyin_initials",
            Perturbation::Combined => "combined",
        }
    }

    /// Applies the transformation with `rng`. Returns the text unchanged when it holds nothing
    /// the transformation targets.
    pub fn apply(self, text: &str, rng: &mut Rng) -> String {
        match self {
            Perturbation::PosLeet => pos_leet(text, rng),
            Perturbation::BrandVariants => replace_words(text, rng, BRAND_VARIANTS, 3),
            Perturbation::Fullwidth => fullwidth(text, rng),
            Perturbation::SpaceSplit => split_words(text, rng, &[" "], 0.25, false),
            Perturbation::DotSplit => split_words(
                text,
                rng,
                &[".", "·", "•", "*", "_", "-", "|", "/", "丶", "~"],
                0.1,
                false,
            ),
            Perturbation::EmojiSplit => split_words(text, rng, EMOJI, 0.0, true),
            Perturbation::Traditional => traditional(text, rng),
            Perturbation::Homoglyph => homoglyph(text, rng),
            Perturbation::PinyinInitials => replace_words(text, rng, PINYIN_INITIALS, 3),
            Perturbation::Combined => combined(text, rng),
        }
    }

    /// The transformation applied to message `key` under run seed `seed`: deterministic, and
    /// independent of every other message and transformation.
    pub fn apply_seeded(self, text: &str, seed: u64, key: &str) -> String {
        let mut rng = Rng::new(seed ^ fnv1a(&[key, self.name()]));
        self.apply(text, &mut rng)
    }
}

impl FromStr for Perturbation {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Perturbation::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Perturbation::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "unknown perturbation {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

impl std::fmt::Display for Perturbation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

// ---------------------------------------------------------------------------------------------
// The adversary's tables.

const POS_VARIANTS: &[&str] = &[
    "P0S", "p0s", "P0s", "P.O.S", "p.o.s", "P O S", "p o s", "P-O-S", "P·O·S", "P_O_S", "P〇S",
    "POS ", "pos ", "P0S ", "Pos",
];

/// Brand, app and keyword spellings seen in scam SMS (`word`, variants).
const BRAND_VARIANTS: &[(&str, &[&str])] = &[
    (
        "微信",
        &[
            "薇信", "威信", "维信", "徽信", "V信", "v信", "VX", "vx", "wx", "WX", "微❤", "薇❤",
        ],
    ),
    ("支付宝", &["支f宝", "zfb", "吱付宝", "支付bao"]),
    ("银联", &["银连", "银聨", "垠联", "银lian"]),
    ("拉卡拉", &["拉咔拉", "拉卡啦", "啦卡拉"]),
    ("随行付", &["随行fu", "隨行付", "随xing付"]),
    ("云闪付", &["云闪fu", "云shan付"]),
    ("刷卡机", &["刷咔机", "刷k机", "刷卡鸡", "唰卡机"]),
    ("电签", &["电qian", "电籤"]),
    ("信用卡", &["信用咔", "信用k", "信用kа"]),
    ("验证码", &["验证玛", "验正码", "验证ma"]),
    ("押金", &["压金", "押jin", "鸭金"]),
    ("激活", &["噭活", "激huo", "j活"]),
    ("费率", &["费lv", "f率", "费律", "废率"]),
    ("结算", &["结suan", "结蒜"]),
    ("客服", &["客fu", "kf"]),
];

/// Domain words → pinyin initials.
const PINYIN_INITIALS: &[(&str, &[&str])] = &[
    ("费率", &["fl", "FL"]),
    ("刷卡", &["sk", "SK"]),
    ("手续费", &["sxf", "SXF"]),
    ("押金", &["yj", "YJ"]),
    ("激活", &["jh", "JH"]),
    ("客服", &["kf", "KF"]),
    ("银联", &["yl", "YL"]),
    ("信用卡", &["xyk", "XYK"]),
    ("验证码", &["yzm", "YZM"]),
    ("套现", &["tx", "TX"]),
    ("代理", &["dl", "DL"]),
    ("结算", &["js", "JS"]),
    ("冻结", &["dj", "DJ"]),
    ("停用", &["ty", "TY"]),
    ("换机", &["hj", "HJ"]),
    ("支付宝", &["zfb", "ZFB"]),
    ("保证金", &["bzj", "BZJ"]),
];

const EMOJI: &[&str] = &[
    "🔥", "💰", "🎁", "📢", "✅", "❗", "⚠️", "👉", "🧧", "💳", "⭐", "🎉", "📱", "✨", "💯", "⏰",
    "❤️", "😀", "👍", "🈶",
];

/// Words the splitting transformations prefer to split (what a keyword filter would look for).
const SPLIT_KEYWORDS: &[&str] = &[
    "免费",
    "激活",
    "费率",
    "押金",
    "换机",
    "新机",
    "升级",
    "返还",
    "代理",
    "套现",
    "刷卡",
    "停用",
    "领取",
    "退还",
    "到期",
    "验证码",
    "维修",
    "银联",
    "秒到",
    "分润",
    "返现",
    "提额",
    "冻结",
    "客服",
    "微信",
    "结算",
    "手续费",
    "服务费",
    "年费",
    "流量费",
    "退款",
    "回复",
    "扣费",
    "终端",
    "商户",
    "总部",
    "收款",
    "交易",
    "账户",
    "余额",
    "撤销",
    "冲正",
];

// ---------------------------------------------------------------------------------------------
// The transformations.

fn is_han(c: char) -> bool {
    crate::normalize::is_cjk(c)
}

/// `POS`, case-insensitive, as a whole Latin word.
fn pos_leet(text: &str, rng: &mut Rng) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut last = 0;
    let mut i = 0;
    let same_for_all = rng.chance(0.5);
    let first = *rng.pick(POS_VARIANTS);
    while i + 3 <= bytes.len() {
        let w = &bytes[i..i + 3];
        let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
        if w.eq_ignore_ascii_case(b"pos")
            && !glued(i.checked_sub(1).and_then(|j| bytes.get(j)))
            && !glued(bytes.get(i + 3))
        {
            out.push_str(&text[last..i]);
            out.push_str(if same_for_all {
                first
            } else {
                rng.pick::<&str>(POS_VARIANTS)
            });
            i += 3;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Replaces every occurrence of 1..=`max_words` of the table's words present in the text.
fn replace_words(text: &str, rng: &mut Rng, table: &[(&str, &[&str])], max_words: usize) -> String {
    let mut present: Vec<&(&str, &[&str])> =
        table.iter().filter(|(w, _)| text.contains(w)).collect();
    if present.is_empty() {
        return text.to_string();
    }
    rng.shuffle(&mut present);
    let n = 1 + rng.below(max_words.min(present.len()));
    let mut out = text.to_string();
    for &(word, variants) in present.into_iter().take(n) {
        if !out.contains(word) {
            continue; // an earlier replacement took it (手续费 inside 手续费率)
        }
        let mut s = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(word) {
            s.push_str(&rest[..at]);
            s.push_str(rng.pick::<&str>(variants));
            rest = &rest[at + word.len()..];
        }
        s.push_str(rest);
        out = s;
    }
    out
}

fn to_fullwidth(c: char) -> char {
    if c.is_ascii_graphic() {
        char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
    } else {
        c
    }
}

/// Full-width letters and digits (with the `.`, `%`, `:`, `-` inside their runs); the whole
/// message or a few of its runs.
fn fullwidth(text: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = text.chars().collect();
    let in_run = |i: usize| -> bool {
        let c = chars[i];
        c.is_ascii_alphanumeric()
            || (matches!(c, '.' | '%' | ':' | '-' | '/' | '@' | '+')
                && i > 0
                && chars[i - 1].is_ascii_alphanumeric())
    };
    // Runs of convertible characters.
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if in_run(i) {
            let s = i;
            while i < chars.len() && in_run(i) {
                i += 1;
            }
            runs.push(s..i);
        } else {
            i += 1;
        }
    }
    if runs.is_empty() {
        return text.to_string();
    }
    let all = rng.chance(0.5);
    let mut chosen = vec![all; runs.len()];
    if !all {
        let k = 1 + rng.below(3.min(runs.len()));
        let mut idx: Vec<usize> = (0..runs.len()).collect();
        rng.shuffle(&mut idx);
        for &j in idx.iter().take(k) {
            chosen[j] = true;
        }
    }
    let mut out = chars.clone();
    for (r, on) in runs.into_iter().zip(chosen) {
        if on {
            for c in &mut out[r] {
                *c = to_fullwidth(*c);
            }
        }
    }
    out.into_iter().collect()
}

/// Plants separators between Chinese characters of 1–3 words (keywords first, otherwise random
/// Chinese spans), or, with probability `whole`, between all neighbouring Chinese characters.
fn split_words(text: &str, rng: &mut Rng, seps: &[&str], whole: f64, per_gap: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let joinable: Vec<bool> = (0..n)
        .map(|i| i + 1 < n && is_han(chars[i]) && is_han(chars[i + 1]))
        .collect();
    if !joinable.iter().any(|j| *j) {
        return text.to_string();
    }
    let mut gaps: Vec<Option<&str>> = vec![None; n];
    if rng.chance(whole) {
        let sep = *rng.pick(seps);
        for i in 0..n {
            if joinable[i] {
                gaps[i] = Some(if per_gap { *rng.pick(seps) } else { sep });
            }
        }
    } else {
        // Keyword occurrences, as character ranges.
        let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
        for k in SPLIT_KEYWORDS {
            let kc: Vec<char> = k.chars().collect();
            for s in 0..n.saturating_sub(kc.len() - 1) {
                if chars[s..s + kc.len()] == kc[..] {
                    spans.push(s..s + kc.len());
                }
            }
        }
        spans.sort_by_key(|r| (r.start, r.end));
        rng.shuffle(&mut spans);
        let want = 1 + rng.below(3);
        spans.truncate(want);
        let mut tries = 0;
        while spans.len() < want && tries < 30 {
            tries += 1;
            let s = rng.below(n);
            let len = 2 + rng.below(3);
            if s + len <= n && (s..s + len - 1).all(|i| joinable[i]) {
                spans.push(s..s + len);
            }
        }
        for r in spans {
            let sep = *rng.pick(seps);
            for gap in gaps.iter_mut().take(r.end - 1).skip(r.start) {
                *gap = Some(if per_gap { *rng.pick(seps) } else { sep });
            }
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    for (c, g) in chars.iter().zip(&gaps) {
        out.push(*c);
        if let Some(s) = g {
            out.push_str(s);
        }
    }
    out
}

/// Simplified → traditional (zhconv zh-Hant), for all characters or a random half/most of them.
fn traditional(text: &str, rng: &mut Rng) -> String {
    let full = zhconv::zhconv(text, zhconv::Variant::ZhHant);
    let p = *rng.pick(&[0.5, 0.8, 1.0]);
    if p >= 1.0 || full.chars().count() != text.chars().count() {
        return full;
    }
    let mixed: String = text
        .chars()
        .zip(full.chars())
        .map(|(s, t)| if rng.chance(p) { t } else { s })
        .collect();
    if mixed == text {
        full
    } else {
        mixed
    }
}

/// Look-alikes from other scripts for one Latin letter or digit.
fn lookalikes(c: char) -> &'static [char] {
    match c {
        'a' => &['а'],
        'c' => &['с'],
        'e' => &['е'],
        'i' => &['і'],
        'j' => &['ј'],
        'o' => &['о', 'ο'],
        'p' => &['р'],
        's' => &['ѕ'],
        'x' => &['х'],
        'y' => &['у'],
        'h' => &['һ'],
        'A' => &['А', 'Α'],
        'B' => &['В', 'Β'],
        'C' => &['С'],
        'E' => &['Е', 'Ε'],
        'H' => &['Н', 'Η'],
        'I' => &['І', 'Ι'],
        'J' => &['Ј'],
        'K' => &['К', 'Κ'],
        'M' => &['М', 'Μ'],
        'N' => &['Ν'],
        'O' => &['О', 'Ο'],
        'P' => &['Р', 'Ρ'],
        'S' => &['Ѕ'],
        'T' => &['Т', 'Τ'],
        'X' => &['Х', 'Χ'],
        'Y' => &['Ү', 'Υ'],
        'Z' => &['Ζ'],
        '0' => &['О', '〇', 'o', 'O'],
        '1' => &['l', 'I'],
        '3' => &['З'],
        '6' => &['б'],
        _ => &[],
    }
}

/// Swaps about half of the Latin letters and digits that have a look-alike.
fn homoglyph(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let eligible: Vec<usize> = (0..chars.len())
        .filter(|&i| !lookalikes(chars[i]).is_empty())
        .collect();
    if eligible.is_empty() {
        return text.to_string();
    }
    let p = *rng.pick(&[0.3, 0.6, 1.0]);
    let mut changed = false;
    for &i in &eligible {
        if rng.chance(p) {
            chars[i] = *rng.pick(lookalikes(chars[i]));
            changed = true;
        }
    }
    if !changed {
        let i = *rng.pick(&eligible);
        chars[i] = *rng.pick(lookalikes(chars[i]));
    }
    chars.into_iter().collect()
}

/// Two or three different single transformations that change the text, in random order.
fn combined(text: &str, rng: &mut Rng) -> String {
    let mut ops = Perturbation::SINGLE.to_vec();
    rng.shuffle(&mut ops);
    let want = 2 + rng.below(2);
    let mut out = text.to_string();
    let mut applied = 0;
    for op in ops {
        if applied == want {
            break;
        }
        let next = op.apply(&out, rng);
        if next != out {
            out = next;
            applied += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Labelled rows, the adversarial set and the robustness measurement.

/// A labelled row of a corpus file, all its fields kept.
#[derive(Debug, Clone)]
pub struct SourceRow {
    /// The row's `id`, or `line-N` when it has none.
    pub id: String,
    pub text: String,
    pub verdict: Verdict,
    pub patterns: Option<Vec<Pattern>>,
    /// Every field of the row as read.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// Reads labelled JSONL (`text`, `verdict`, optional `patterns` and `id`), keeping every field.
pub fn read_rows(path: &Path) -> Result<Vec<SourceRow>> {
    let mut out = Vec::new();
    crate::io::labelled::for_each_line(path, |line_no, s, bad| {
        let fields: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(s).map_err(|e| bad(format!("malformed JSON object: {e}")))?;
        // The keys of labelled data (see `io::labelled`): another is most likely a misspelling.
        const KEYS: [&str; 11] = [
            "text",
            "verdict",
            "patterns",
            "channel",
            "family",
            "id",
            "source",
            "sender",
            "date",
            "perturbation",
            "source_id",
        ];
        if let Some(k) = fields.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(bad(format!(
                "bad row: unknown field `{k}`, expected one of {}",
                KEYS.map(|k| format!("`{k}`")).join(", ")
            )));
        }
        let text = fields
            .get("text")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad("no \"text\" string".into()))?
            .to_string();
        let verdict: Verdict = fields
            .get("verdict")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad("no \"verdict\" string".into()))?
            .parse()
            .map_err(bad)?;
        let patterns = match fields.get("patterns").and_then(|v| v.as_array()) {
            None => None,
            Some(ps) => Some(
                ps.iter()
                    .map(|p| p.as_str().unwrap_or_default().parse::<Pattern>())
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(bad)?,
            ),
        };
        let id = fields
            .get("id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("line-{line_no}"));
        out.push(SourceRow {
            id,
            text,
            verdict,
            patterns,
            fields,
        });
        Ok(())
    })?;
    Ok(out)
}

/// One message of the adversarial set.
#[derive(Debug, Clone)]
pub struct PerturbedRow {
    /// Index of the source row in the input.
    pub source: usize,
    pub perturbation: Perturbation,
    pub text: String,
}

/// The adversarial set: every `perturbations` applied to every scam and legit row (spam rows are
/// left out: the targets are about scam recall and legit false positives). Rows a
/// transformation leaves unchanged (nothing it targets) are not included.
pub fn adversarial_set(
    rows: &[SourceRow],
    perturbations: &[Perturbation],
    seed: u64,
) -> Vec<PerturbedRow> {
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.verdict == Verdict::Spam {
            continue;
        }
        for &p in perturbations {
            let text = p.apply_seeded(&r.text, seed, &r.id);
            if text != r.text {
                out.push(PerturbedRow {
                    source: i,
                    perturbation: p,
                    text,
                });
            }
        }
    }
    out
}

/// The JSON object written for a perturbed row: the source's fields with the new text, id
/// `<source id>~<perturbation>`, `perturbation` and `source_id`.
pub fn perturbed_json(src: &SourceRow, row: &PerturbedRow) -> serde_json::Value {
    let mut m = src.fields.clone();
    m.insert(
        "id".into(),
        format!("{}~{}", src.id, row.perturbation).into(),
    );
    m.insert("text".into(), row.text.clone().into());
    m.insert("perturbation".into(), row.perturbation.name().into());
    m.insert("source_id".into(), src.id.clone().into());
    serde_json::Value::Object(m)
}

/// Robustness of one transformation, measured on the rows it changed against the same rows clean.
#[derive(Debug, Clone, Serialize)]
pub struct RobustnessRow {
    /// Transformation name, or `clean` / `all` for the summary rows.
    pub name: String,
    /// Scam and legit rows the transformation changed.
    pub scam_rows: usize,
    pub legit_rows: usize,
    /// Scam recall on those rows, clean and perturbed (eval's definition: predicted scam).
    pub scam_recall_clean: f64,
    pub scam_recall: f64,
    /// Recall change in percentage points (perturbed − clean).
    pub delta_recall_points: f64,
    /// Legit false-positive rate on those rows (eval's definition: legit predicted scam).
    pub legit_fpr_clean: f64,
    pub legit_fpr: f64,
    pub delta_fpr_points: f64,
    /// Share of rows whose verdict (legit/spam/scam) is the same as on the clean text.
    pub unchanged: f64,
    /// Within the targets: recall drop ≤ 2 points and FPR rise ≤ 0.2 points.
    pub pass: bool,
}

/// The robustness report of a model on a labelled set.
#[derive(Debug, Clone, Serialize)]
pub struct RobustnessReport {
    pub data: String,
    pub model: String,
    pub seed: u64,
    pub scam_threshold: f64,
    /// Targets: largest allowed recall drop and FPR rise, in points.
    pub max_recall_drop_points: f64,
    pub max_fpr_rise_points: f64,
    /// `clean` (every scam and legit row), then one row per transformation, then `all`
    /// (every perturbed row against its clean source).
    pub rows: Vec<RobustnessRow>,
}

pub const MAX_RECALL_DROP_POINTS: f64 = 2.0;
pub const MAX_FPR_RISE_POINTS: f64 = 0.2;

/// Scores `texts` with the model (in parallel, batches of 2048).
pub fn score_texts(
    model: &Model,
    texts: &[&str],
) -> Result<Vec<(crate::model::Prediction, Option<Overrule>)>> {
    use rayon::prelude::*;
    let v = model.vectorizer();
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(2048) {
        let (vectors, rules): (Vec<_>, Vec<_>) = chunk
            .par_iter()
            .map(|t| {
                let a = Analysis::new(t);
                (v.vectorize(&a), a.overrule())
            })
            .unzip();
        out.extend(model.predict(&vectors)?.into_iter().zip(rules));
    }
    Ok(out)
}

/// Scores the clean scam/legit rows and every perturbation of them, and compares.
pub fn robustness(
    model: &Model,
    rows: &[SourceRow],
    perturbations: &[Perturbation],
    seed: u64,
    data_name: &str,
) -> Result<RobustnessReport> {
    let decision = model.decision();
    let kept: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].verdict != Verdict::Spam)
        .collect();
    // Recall needs scam rows and the false-positive rate legit rows: without both, every row of
    // the table would be 0 → 0 and "pass" without having measured anything.
    let scams = kept
        .iter()
        .filter(|&&i| rows[i].verdict == Verdict::Scam)
        .count();
    if scams == 0 || scams == kept.len() {
        return Err(Error::Invalid(format!(
            "{data_name}: robustness measures scam recall and the legit false-positive rate, so \
             it needs both scam and legit rows; this set has {scams} scam and {} legit rows",
            kept.len() - scams
        )));
    }
    let clean_texts: Vec<&str> = kept.iter().map(|&i| rows[i].text.as_str()).collect();
    let clean_pred = score_texts(model, &clean_texts)?;
    let mut clean: Vec<Option<Scored>> = vec![None; rows.len()];
    for (&i, (p, rule)) in kept.iter().zip(clean_pred) {
        clean[i] = Some(Scored {
            truth: rows[i].verdict,
            true_patterns: rows[i].patterns.clone(),
            prediction: p,
            overrule: rule,
        });
    }
    let adv = adversarial_set(rows, perturbations, seed);
    let adv_texts: Vec<&str> = adv.iter().map(|r| r.text.as_str()).collect();
    let adv_pred = score_texts(model, &adv_texts)?;

    let compare = |name: &str, pairs: &[(&Scored, Scored)]| -> RobustnessRow {
        let before: Vec<Scored> = pairs.iter().map(|(c, _)| (*c).clone()).collect();
        let after: Vec<Scored> = pairs.iter().map(|(_, a)| a.clone()).collect();
        let rb = evaluate(name, &before, &decision);
        let ra = evaluate(name, &after, &decision);
        let scam_rows = pairs
            .iter()
            .filter(|(c, _)| c.truth == Verdict::Scam)
            .count();
        let legit_rows = pairs.len() - scam_rows;
        let same = pairs
            .iter()
            .filter(|(c, a)| {
                decide_with(&c.prediction, &decision, c.overrule).verdict
                    == decide_with(&a.prediction, &decision, a.overrule).verdict
            })
            .count();
        // A transformation that touched no legit (scam) rows has no false-positive rate (recall):
        // NaN (`null` in JSON, n/a in the tables), and the target is judged on what it has.
        let (ra_recall, rb_recall) = (ra.scam_recall, rb.scam_recall);
        let (ra_fpr, rb_fpr) = (ra.legit_fpr, rb.legit_fpr);
        let dr = (ra_recall - rb_recall) * 100.0;
        let df = (ra_fpr - rb_fpr) * 100.0;
        RobustnessRow {
            name: name.to_string(),
            scam_rows,
            legit_rows,
            scam_recall_clean: rb_recall,
            scam_recall: ra_recall,
            delta_recall_points: dr,
            legit_fpr_clean: rb_fpr,
            legit_fpr: ra_fpr,
            delta_fpr_points: df,
            unchanged: if pairs.is_empty() {
                1.0
            } else {
                same as f64 / pairs.len() as f64
            },
            // A little slack for floating point.
            pass: (dr.is_nan() || dr >= -MAX_RECALL_DROP_POINTS - 1e-9)
                && (df.is_nan() || df <= MAX_FPR_RISE_POINTS + 1e-9),
        }
    };

    let mut out = Vec::new();
    let clean_pairs: Vec<(&Scored, Scored)> =
        clean.iter().flatten().map(|c| (c, c.clone())).collect();
    out.push(compare("clean", &clean_pairs));
    let pair_of = |k: usize, (p, rule): &(crate::model::Prediction, Option<Overrule>)| {
        let c = clean[adv[k].source].as_ref().expect("scored clean row");
        (
            c,
            Scored {
                truth: c.truth,
                true_patterns: c.true_patterns.clone(),
                prediction: *p,
                overrule: *rule,
            },
        )
    };
    for &pert in perturbations {
        let pairs: Vec<(&Scored, Scored)> = adv_pred
            .iter()
            .enumerate()
            .filter(|(k, _)| adv[*k].perturbation == pert)
            .map(|(k, p)| pair_of(k, p))
            .collect();
        out.push(compare(pert.name(), &pairs));
    }
    let all: Vec<(&Scored, Scored)> = adv_pred
        .iter()
        .enumerate()
        .map(|(k, p)| pair_of(k, p))
        .collect();
    out.push(compare("all", &all));
    Ok(RobustnessReport {
        data: data_name.to_string(),
        model: model.origin().to_string(),
        seed,
        scam_threshold: decision.scam_threshold as f64,
        max_recall_drop_points: MAX_RECALL_DROP_POINTS,
        max_fpr_rise_points: MAX_FPR_RISE_POINTS,
        rows: out,
    })
}

/// A percentage or a change in points with two decimals (`signed`: always with its sign); `n/a`
/// for a rate the rows do not have.
fn points(v: f64, signed: bool) -> String {
    if v.is_nan() {
        "n/a".to_string()
    } else if signed {
        format!("{v:+.2}")
    } else {
        format!("{v:.2}")
    }
}

impl RobustnessRow {
    /// Recall clean and perturbed, its change, FPR clean and perturbed, its change: as printed in
    /// both tables (percent or points, `n/a` where the rows have no such rate).
    fn rate_cells(&self) -> [String; 6] {
        [
            points(self.scam_recall_clean * 100.0, false),
            points(self.scam_recall * 100.0, false),
            points(self.delta_recall_points, true),
            points(self.legit_fpr_clean * 100.0, false),
            points(self.legit_fpr * 100.0, false),
            points(self.delta_fpr_points, true),
        ]
    }
}

impl RobustnessReport {
    /// The table as Markdown.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "Data `{}`, model {}, seed {}, scam threshold {:.2}. Each transformation row compares \
             the rows it changed with the same rows clean. Target: recall drop ≤ {} points, legit \
             FPR rise ≤ {} points.\n\n",
            self.data,
            self.model,
            self.seed,
            self.scam_threshold,
            self.max_recall_drop_points,
            self.max_fpr_rise_points
        ));
        s.push_str("| transformation | scam n | legit n | scam recall (clean → perturbed) | Δ recall (pts) | legit FPR (clean → perturbed) | Δ FPR (pts) | verdicts unchanged | target |\n");
        s.push_str("|---|---:|---:|---|---:|---|---:|---:|---|\n");
        for r in &self.rows {
            let [rc, rp, dr, fc, fp, df] = r.rate_cells();
            s.push_str(&format!(
                "| {} | {} | {} | {rc} → {rp} | {dr} | {fc} → {fp} | {df} | {:.1}% | {} |\n",
                r.name,
                r.scam_rows,
                r.legit_rows,
                r.unchanged * 100.0,
                if r.pass { "pass" } else { "FAIL" }
            ));
        }
        s
    }

    /// The table as aligned plain text.
    pub fn text_table(&self) -> String {
        let mut s = format!(
            "robustness on {} (seed {}, model {}, scam threshold {:.2})\n",
            self.data, self.seed, self.model, self.scam_threshold
        );
        s.push_str(&format!(
            "{:<16} {:>6} {:>6} {:>17} {:>8} {:>15} {:>7} {:>9} {:>6}\n",
            "transformation",
            "scam",
            "legit",
            "recall clean→pert",
            "Δrecall",
            "FPR clean→pert",
            "ΔFPR",
            "unchanged",
            "target"
        ));
        for r in &self.rows {
            let [rc, rp, dr, fc, fp, df] = r.rate_cells();
            s.push_str(&format!(
                "{:<16} {:>6} {:>6} {rc:>8}→{rp:<8} {dr:>8} {fc:>7}→{fp:<7} {df:>7} {:>8.1}% {:>6}\n",
                r.name,
                r.scam_rows,
                r.legit_rows,
                r.unchanged * 100.0,
                if r.pass { "pass" } else { "FAIL" }
            ));
        }
        s.push_str(&format!(
            "recall and FPR in %, Δ in points (perturbed − clean, on the rows each transformation changed); target: Δrecall ≥ −{}, ΔFPR ≤ +{}\n",
            self.max_recall_drop_points, self.max_fpr_rise_points
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCAM: &str = "【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机，押金199元可退，激活请加微信pos8888，客服电话13812345678";

    #[test]
    fn same_seed_same_output() {
        for p in Perturbation::ALL {
            let a = p.apply_seeded(SCAM, 7, "pg-1");
            let b = p.apply_seeded(SCAM, 7, "pg-1");
            assert_eq!(a, b, "{p}");
        }
        // Different seeds or keys give different draws for at least some transformations.
        let differs = Perturbation::ALL
            .iter()
            .filter(|p| p.apply_seeded(SCAM, 7, "pg-1") != p.apply_seeded(SCAM, 8, "pg-1"))
            .count();
        assert!(
            differs >= 5,
            "only {differs} transformations depend on the seed"
        );
    }

    #[test]
    fn rng_is_stable() {
        // SplitMix64 reference values for seed 0.
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        for n in [1, 2, 3, 10] {
            assert!(r.below(n) < n);
        }
    }

    #[test]
    fn each_transformation_changes_a_text_with_its_target() {
        for p in Perturbation::ALL {
            for seed in 0..20 {
                let out = p.apply_seeded(SCAM, seed, "x");
                assert_ne!(out, SCAM, "{p} seed {seed} left the text unchanged");
            }
        }
        // And leaves alone a text without its target.
        assert_eq!(pos_leet("您的刷卡机", &mut Rng::new(1)), "您的刷卡机");
        assert_eq!(
            replace_words("今天天气好", &mut Rng::new(1), PINYIN_INITIALS, 3),
            "今天天气好"
        );
        assert_eq!(homoglyph("今天天气好", &mut Rng::new(1)), "今天天气好");
        assert_eq!(
            split_words("ok 123", &mut Rng::new(1), &[" "], 0.5, false),
            "ok 123"
        );
    }

    #[test]
    fn transformations_do_what_they_say() {
        let mut rng = Rng::new(3);
        let t = pos_leet("您的POS机和pos终端", &mut rng);
        assert_ne!(t, "您的POS机和pos终端");
        assert_eq!(pos_leet("position", &mut rng), "position");
        let f = fullwidth("费率0.38%", &mut Rng::new(1));
        assert!(f.contains('０'), "{f}");
        let s = split_words("免费换机", &mut Rng::new(1), &[" "], 1.0, false);
        assert_eq!(s, "免 费 换 机");
        let tr = traditional("银联刷卡机费率", &mut Rng::new(5));
        assert!(
            tr.contains('銀') || tr.contains('聯') || tr.contains('機'),
            "{tr}"
        );
        let p = replace_words("费率上调", &mut Rng::new(1), PINYIN_INITIALS, 3);
        assert!(p == "fl上调" || p == "FL上调", "{p}");
        let c = Perturbation::Combined.apply_seeded(SCAM, 1, "x");
        let singles_equal = Perturbation::SINGLE
            .iter()
            .any(|s| s.apply_seeded(SCAM, 1, "x") == c);
        assert!(
            !singles_equal,
            "combined equals a single transformation: {c}"
        );
    }

    #[test]
    fn names_round_trip() {
        for p in Perturbation::ALL {
            assert_eq!(p.name().parse::<Perturbation>().unwrap(), p);
        }
        assert!("nope".parse::<Perturbation>().is_err());
    }
}

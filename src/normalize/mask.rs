//! Typed masks for volatile tokens (phone numbers, links, amounts, rates, dates, card tails, codes).
//!
//! A mask replaces the volatile part of a message with one placeholder character, so that the model
//! learns "a mobile number was given here" rather than the number itself. The original span is kept,
//! so explanations and the impersonation check can still show and inspect the real value.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What a masked span held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskKind {
    /// http(s) links, bare domains, short links, IP links.
    Url,
    /// Chinese mobile numbers (1[3-9]x xxxx xxxx).
    Mobile,
    /// 400 / 800 service numbers.
    Hotline,
    /// Landline numbers with area code.
    Landline,
    /// Short service numbers: 95xxx, 96xxx, 1xxxx, 106xxx SMS gateways.
    ServiceNumber,
    /// Money amounts (the digits; the unit 元/万 stays as text).
    Money,
    /// Fee rates: 0.38%, 万分之六, "费率0.6".
    Rate,
    /// Dates and times.
    DateTime,
    /// Card tails and masked card numbers.
    CardTail,
    /// One-time / verification codes.
    Code,
    /// Any other long digit run.
    Number,
}

impl MaskKind {
    pub const ALL: [MaskKind; 11] = [
        MaskKind::Url,
        MaskKind::Mobile,
        MaskKind::Hotline,
        MaskKind::Landline,
        MaskKind::ServiceNumber,
        MaskKind::Money,
        MaskKind::Rate,
        MaskKind::DateTime,
        MaskKind::CardTail,
        MaskKind::Code,
        MaskKind::Number,
    ];

    /// Private-use character standing for this mask in normalised text.
    pub fn placeholder(self) -> char {
        char::from_u32(0xE000 + self as u32).expect("private-use range")
    }

    pub fn from_placeholder(c: char) -> Option<MaskKind> {
        let v = c as u32;
        if (0xE000..0xE000 + Self::ALL.len() as u32).contains(&v) {
            Some(Self::ALL[(v - 0xE000) as usize])
        } else {
            None
        }
    }

    /// Token used for this mask in features and readable normalised text.
    pub fn token(self) -> &'static str {
        match self {
            MaskKind::Url => "<url>",
            MaskKind::Mobile => "<mobile>",
            MaskKind::Hotline => "<hotline>",
            MaskKind::Landline => "<landline>",
            MaskKind::ServiceNumber => "<service_number>",
            MaskKind::Money => "<money>",
            MaskKind::Rate => "<rate>",
            MaskKind::DateTime => "<datetime>",
            MaskKind::CardTail => "<card_tail>",
            MaskKind::Code => "<code>",
            MaskKind::Number => "<number>",
        }
    }

    /// True for the kinds that are a way to contact someone.
    pub fn is_contact(self) -> bool {
        matches!(
            self,
            MaskKind::Url
                | MaskKind::Mobile
                | MaskKind::Hotline
                | MaskKind::Landline
                | MaskKind::ServiceNumber
        )
    }
}

struct Rule {
    kind: MaskKind,
    re: Regex,
    /// Numeric masks must not start or end in the middle of a longer digit run.
    digit_bounded: bool,
    /// What the text must hold for the rule to possibly match: a cheap necessary condition that
    /// saves running the regex (`tests::gates_keep_every_mask` checks none loses a match).
    gate: Gate,
    /// The rule masks its capture group `m`; without one, the whole match is masked and the
    /// regex runs without filling capture slots.
    group_m: bool,
}

/// Counts taken in one pass over the text, for the rules' gates.
#[derive(Debug, Clone, Copy, Default)]
struct Facts {
    /// ASCII digits in the text.
    digits: usize,
    /// The longest run of consecutive ASCII digits.
    run: usize,
    /// Which of the gate characters ([`gate_bit`]) the text holds.
    chars: u32,
}

/// The bit in [`Facts::chars`] of a character some rule needs (a literal the rule's regex cannot
/// match without); `None` for every other character. A `match` rather than a search of a table:
/// [`Facts::of`] asks it for every character of every message.
fn gate_bit(c: char) -> Option<u32> {
    Some(match c {
        '.' => 0,
        '码' => 1,
        '尾' => 2,
        '末' => 3,
        '后' => 4,
        '月' => 5,
        ':' => 6,
        '点' => 7,
        '时' => 8,
        '%' => 9,
        '分' => 10,
        '率' => 11,
        '¥' => 12,
        '元' => 13,
        '块' => 14,
        '万' => 15,
        '币' => 16,
        '额' => 17,
        '*' => 18,
        _ => return None,
    })
}

impl Facts {
    fn of(text: &str) -> Facts {
        let mut f = Facts::default();
        let mut run = 0;
        for c in text.chars() {
            if c.is_ascii_digit() {
                f.digits += 1;
                run += 1;
                f.run = f.run.max(run);
                continue;
            }
            run = 0;
            if let Some(bit) = gate_bit(c) {
                f.chars |= 1 << bit;
            }
        }
        f
    }

    /// Whether the text holds `c`, one of the gate characters ([`gate_bit`]).
    fn has(&self, c: char) -> bool {
        let bit = gate_bit(c).expect("a gate character");
        self.chars & (1 << bit) != 0
    }
}

type Gate = fn(&Facts, &str) -> bool;

impl Rule {
    /// Calls `f` with the byte span this rule would mask at each match in `text`: its group `m`
    /// when it has one and the group took part, else the whole match.
    fn for_each_span(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        if self.group_m {
            for caps in self.re.captures_iter(text) {
                let m = caps
                    .name("m")
                    .unwrap_or_else(|| caps.get(0).expect("group 0"));
                f(m.start(), m.end());
            }
        } else {
            for m in self.re.find_iter(text) {
                f(m.start(), m.end());
            }
        }
    }
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        // Patterns run on lower-cased, half-width text. When a rule has a capture group named `m`,
        // only that group is masked and the context around it stays as text.
        let spec: &[(MaskKind, &str, bool, Gate)] = &[
            (
                MaskKind::Url,
                r"(?:https?://|www\.)[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+",
                false,
                |_, t| t.contains("http") || t.contains("www."),
            ),
            (
                MaskKind::Url,
                r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?::[0-9]{2,5})?(?:/[a-z0-9\-._~/?#=&%]*)?",
                true,
                |f, _| f.has('.') && f.digits >= 4,
            ),
            (
                MaskKind::Url,
                r"[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:cn|com|net|org|cc|top|xyz|vip|me|io|info|ink|club|site|shop|wang|ltd|co|app|link|online|tv|la|gd|ly|im|pw|biz|mobi|asia|hk|tw|icu|fun|live|work)(?:\.cn)?(?::[0-9]{2,5})?(?:/[a-z0-9\-._~/?#=&%]*)?",
                false,
                |f, _| f.has('.'),
            ),
            (
                MaskKind::Code,
                r"(?:验证码|校验码|动态码|动态密码|激活码|确认码|授权码)[^0-9\n]{0,6}?(?P<m>[0-9]{4,8})",
                true,
                |f, _| f.digits >= 4 && f.has('码'),
            ),
            (
                MaskKind::Code,
                r"(?P<m>[0-9]{4,8})(?:是|为)?(?:您的|你的)?(?:本次)?(?:验证码|校验码|动态码|动态密码)",
                true,
                |f, _| f.digits >= 4 && f.has('码'),
            ),
            (
                MaskKind::CardTail,
                r"(?:尾号|尾数|末四位|末4位|后四位|后4位|末位)(?:为|是|:)? ?(?P<m>[0-9]{3,4})",
                true,
                |f, _| f.digits >= 3 && (f.has('尾') || f.has('末') || f.has('后')),
            ),
            (
                MaskKind::CardTail,
                r"[0-9]{0,6}\*{3,}[0-9]{3,4}",
                true,
                |f, t| f.digits >= 3 && f.has('*') && t.contains("***"),
            ),
            (
                MaskKind::DateTime,
                r"[0-9]{4}(?:[-/.][0-9]{1,2}[-/.][0-9]{1,2}|年[0-9]{1,2}月(?:[0-9]{1,2}(?:日|号))?)",
                true,
                |f, _| f.run >= 4,
            ),
            (
                MaskKind::DateTime,
                r"[0-9]{1,2}月[0-9]{1,2}(?:日|号)",
                true,
                |f, _| f.digits >= 2 && f.has('月'),
            ),
            (
                MaskKind::DateTime,
                r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?",
                true,
                |f, _| f.digits >= 3 && f.has(':'),
            ),
            (
                MaskKind::DateTime,
                r"[0-9]{1,2}(?:点|时)(?:[0-9]{1,2}分)?",
                true,
                |f, _| f.digits >= 1 && (f.has('点') || f.has('时')),
            ),
            (
                MaskKind::Rate,
                r"[0-9]+(?:\.[0-9]+)? ?%",
                true,
                |f, _| f.digits >= 1 && f.has('%'),
            ),
            (
                MaskKind::Rate,
                r"(?:万分之|千分之|百分之)[0-9零一二两三四五六七八九十点.]+",
                false,
                |f, t| f.has('分') && t.contains("分之"),
            ),
            (
                MaskKind::Rate,
                r"(?:费率|扣率|手续费率)(?:为|是|:|低至|仅|只要|只有|调至|降至|上调至|下调至)?(?P<m>[0-9]\.[0-9]{1,3})",
                true,
                |f, _| f.has('.') && f.digits >= 2 && f.has('率'),
            ),
            (
                MaskKind::Rate,
                r"(?P<m>[0-9]\.[0-9]{1,3})(?:\+[0-9])?(?:的)?(?:费率|新机|秒到|扣率)",
                true,
                |f, _| f.has('.') && f.digits >= 2,
            ),
            (
                MaskKind::Money,
                r"(?:¥|rmb) ?(?P<m>[0-9][0-9,]*(?:\.[0-9]+)?)",
                true,
                |f, t| f.digits >= 1 && (f.has('¥') || t.contains("rmb")),
            ),
            (
                MaskKind::Money,
                r"(?P<m>[0-9][0-9,]*(?:\.[0-9]+)?) ?(?:万元|千元|元|块钱|块|万|rmb)",
                true,
                |f, t| f.digits >= 1 && (f.has('元') || f.has('块') || f.has('万') || t.contains("rmb")),
            ),
            // Bank notices write amounts without 元: 扣款人民币19000.00, 金额:16944.00.
            (
                MaskKind::Money,
                r"(?:人民币|金额)(?:为|是|:)? ?(?P<m>[0-9][0-9,]*(?:\.[0-9]{1,2})?)",
                true,
                |f, t| f.digits >= 1 && ((f.has('币') && t.contains("人民币")) || (f.has('额') && t.contains("金额"))),
            ),
            // A number with two decimals and three or more integer digits is an amount, never a
            // phone number (16944.00 would otherwise read as the service number 16944).
            (
                MaskKind::Money,
                r"[0-9][0-9,]{2,}\.[0-9]{2}",
                true,
                |f, _| f.has('.') && f.digits >= 3,
            ),
            (
                MaskKind::Mobile,
                r"(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}",
                true,
                |f, _| f.digits >= 11,
            ),
            (
                MaskKind::Hotline,
                r"[48]00(?:[ -]?[0-9]){7}",
                true,
                |f, t| f.digits >= 10 && (t.contains("400") || t.contains("800")),
            ),
            (
                MaskKind::Landline,
                r"\(?0[0-9]{2,3}\)?[ -]?[0-9]{7,8}",
                true,
                |f, _| f.digits >= 10,
            ),
            (
                MaskKind::ServiceNumber,
                r"106[0-9]{5,17}",
                true,
                |f, t| f.digits >= 8 && t.contains("106"),
            ),
            (
                MaskKind::ServiceNumber,
                r"(?:95|96)[0-9]{3,6}",
                true,
                |f, _| f.run >= 5,
            ),
            (
                MaskKind::ServiceNumber,
                r"1[0-9]{4}",
                true,
                |f, _| f.run >= 5,
            ),
            (
                MaskKind::Number,
                r"[0-9]{5,}",
                true,
                |f, _| f.run >= 5,
            ),
        ];
        spec.iter()
            .map(|&(kind, pat, digit_bounded, gate)| {
                let re = Regex::new(pat).expect("mask regex compiles");
                let group_m = re.capture_names().any(|n| n == Some("m"));
                Rule {
                    kind,
                    re,
                    digit_bounded,
                    gate,
                    group_m,
                }
            })
            .collect()
    })
}

/// A masked byte range of the text the masks were found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MaskHit {
    pub kind: MaskKind,
    pub start: usize,
    pub end: usize,
}

/// Finds non-overlapping masks in `text` (byte ranges), earlier rules taking precedence.
pub(crate) fn find_masks(text: &str) -> Vec<MaskHit> {
    find_masks_gated(text, true)
}

/// [`find_masks`], with the rules' gates on or (for the gates' own test) off.
fn find_masks_gated(text: &str, gated: bool) -> Vec<MaskHit> {
    let mut hits: Vec<MaskHit> = Vec::new();
    // Cheap exit: every rule needs an ASCII digit or a URL-ish prefix or a Chinese rate word.
    if !text.bytes().any(|b| b.is_ascii_digit() || b == b'.') && !text.contains("分之") {
        return hits;
    }
    let facts = Facts::of(text);
    let bytes = text.as_bytes();
    for rule in rules() {
        if gated && !(rule.gate)(&facts, text) {
            continue;
        }
        rule.for_each_span(text, |start, end| {
            if start == end {
                return;
            }
            if rule.digit_bounded {
                // A number must not be cut out of a longer digit run (`1234` inside `123456`).
                let digit = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_digit());
                let before = start.checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(end).copied();
                if (digit(before) && digit(Some(bytes[start])))
                    || (digit(after) && digit(Some(bytes[end - 1])))
                {
                    return;
                }
            }
            if hits.iter().any(|h| start < h.end && h.start < end) {
                return;
            }
            hits.push(MaskHit {
                kind: rule.kind,
                start,
                end,
            });
        });
    }
    hits.sort_by_key(|h| h.start);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(MaskKind, &str)> {
        find_masks(text)
            .into_iter()
            .map(|h| (h.kind, &text[h.start..h.end]))
            .collect()
    }

    #[test]
    fn phone_numbers_of_each_kind() {
        assert_eq!(
            kinds("请致电13812345678"),
            vec![(MaskKind::Mobile, "13812345678")]
        );
        assert_eq!(
            kinds("客服4008-123-456。"),
            vec![(MaskKind::Hotline, "4008-123-456")]
        );
        assert_eq!(
            kinds("客服400-123-4567"),
            vec![(MaskKind::Hotline, "400-123-4567")]
        );
        assert_eq!(
            kinds("拨打95516咨询"),
            vec![(MaskKind::ServiceNumber, "95516")]
        );
        assert_eq!(
            kinds("电话021-12345678"),
            vec![(MaskKind::Landline, "021-12345678")]
        );
    }

    #[test]
    fn money_rate_date_tail_code() {
        assert_eq!(kinds("押金299元"), vec![(MaskKind::Money, "299")]);
        assert_eq!(kinds("费率0.38%"), vec![(MaskKind::Rate, "0.38%")]);
        assert_eq!(kinds("万分之六"), vec![(MaskKind::Rate, "万分之六")]);
        assert_eq!(kinds("换0.38新机"), vec![(MaskKind::Rate, "0.38")]);
        assert_eq!(kinds("尾号1234卡"), vec![(MaskKind::CardTail, "1234")]);
        assert_eq!(
            kinds("验证码:482913,5分钟"),
            vec![(MaskKind::Code, "482913")]
        );
        assert_eq!(
            kinds("11月26日14:05"),
            vec![
                (MaskKind::DateTime, "11月26日"),
                (MaskKind::DateTime, "14:05")
            ]
        );
    }

    #[test]
    fn amounts_without_yuan_are_money_not_numbers() {
        assert_eq!(
            kinds("快捷支付扣款人民币19000.00[招商银行]"),
            vec![(MaskKind::Money, "19000.00")]
        );
        assert_eq!(
            kinds("交易金额:16944.00"),
            vec![(MaskKind::Money, "16944.00")]
        );
        assert_eq!(
            kinds("支付一笔16944.00的款项"),
            vec![(MaskKind::Money, "16944.00")]
        );
        assert_eq!(
            kinds("预计结算1,484.83"),
            vec![(MaskKind::Money, "1,484.83")]
        );
        // Still numbers: no decimals, or a digit run the decimals do not end.
        assert_eq!(
            kinds("拨打95516咨询"),
            vec![(MaskKind::ServiceNumber, "95516")]
        );
        assert_eq!(
            kinds("编号12345.678"),
            vec![(MaskKind::ServiceNumber, "12345")]
        );
    }

    #[test]
    fn links_and_short_links() {
        assert_eq!(
            kinds("点击t.cn/a8xk2领取"),
            vec![(MaskKind::Url, "t.cn/a8xk2")]
        );
        assert_eq!(
            kinds("http://103.20.1.9/pos"),
            vec![(MaskKind::Url, "http://103.20.1.9/pos")]
        );
    }

    #[test]
    fn gates_keep_every_mask() {
        let mut texts: Vec<String> = crate::test_corpus::corpus_texts()
            .iter()
            .map(|t| t.to_lowercase())
            .collect();
        // Messages that exercise every rule, whatever the corpus holds.
        texts.extend(
            [
                "http://a",
                "www.abc.com/x",
                "访问10.0.0.1:8080/pos",
                "验证码是 482913",
                "482913是您的验证码",
                "尾号为 1234",
                "卡号6222****1234",
                "2024-03-05 14:05:09",
                "3月5日9点30分",
                "0.38 %",
                "万分之六",
                "费率低至0.38",
                "0.6+3的费率",
                "¥ 1,200.50",
                "rmb300",
                "金额:16944.00",
                "12,345.00",
                "+86 138-1234-5678",
                "800 123 4567",
                "(021)12345678",
                "10690012345",
                "95516",
                "12345",
                "987654321",
            ]
            .map(String::from),
        );
        // Each also with its masks in place: the text of the round that confirms them.
        let masked: Vec<String> = texts
            .iter()
            .map(|t| {
                let mut out = String::new();
                let mut next = 0;
                for h in find_masks(t) {
                    out.push_str(&t[next..h.start]);
                    out.push(h.kind.placeholder());
                    next = h.end;
                }
                out.push_str(&t[next..]);
                out
            })
            .collect();
        texts.extend(masked);
        let mut fired = std::collections::HashSet::new();
        for t in &texts {
            let want = find_masks_gated(t, false);
            assert_eq!(find_masks_gated(t, true), want, "masks differ on {t:?}");
            for h in &want {
                // Which rule found it: the first whose regex matches exactly this span.
                let rule = rules()
                    .iter()
                    .position(|r| {
                        let mut found = false;
                        r.for_each_span(t, |s, e| found |= (s, e) == (h.start, h.end));
                        r.kind == h.kind && found
                    })
                    .expect("a rule found the hit");
                fired.insert(rule);
            }
        }
        // The check can fail: every rule masks something.
        assert_eq!(fired.len(), rules().len(), "rules that fired: {fired:?}");
    }

    #[test]
    fn small_numbers_stay_text() {
        assert!(kinds("回复1办理,t+1到账").is_empty());
    }
}

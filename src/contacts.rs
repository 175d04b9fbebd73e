//! Impersonation check: does a message that names a payment brand give that brand's official
//! contact, or someone else's?
//!
//! The knowledge base is `data/official_contacts.json` (embedded), built by
//! `data/official_contacts.py` from the shared official-contact data set: per brand (UnionPay, the
//! acquirers, the banks, the wallets, and the authorities 96110 / 12321 / 110) its aliases, official
//! hotlines, SMS sender numbers and domains — each with its sources and a quality tag — plus numbers
//! other sourced notes list as the brand's own, numbers and domains reported as used by impostors,
//! and disputed values.
//!
//! How a message is checked:
//!
//! 1. **Brands** are found in the normalised text (so `銀聯`, `银连`, `ＩＣＢＣ` count), each alias
//!    either anywhere or — for short or common ones like 平安, 华夏, CUP — only inside a 【sender】
//!    tag. A brand is *claimed* when the message speaks in its name: in the sender tag, at the start
//!    of the message, or followed by 客服 / 官方 / 通知 / 中心 ….
//! 2. **Contacts** are the masked phone numbers and links (the normaliser keeps their original byte
//!    range, so the real value is read from the original text), plus digit runs that look like an
//!    official number with something added (`00095588`).
//! 3. Each contact gets a [`ContactStatus`]. Matching an official value is *evidence, not proof*
//!    (caller ID and SMS senders are spoofed); a claimed brand with a contact that is not its own —
//!    a personal mobile, another 400 number, a short or IP link, an area code in front of a 955xx
//!    number, a look-alike of the official number or domain, or a value reported in fraud — is
//!    strong impersonation evidence. A mismatch is asserted only when the knowledge base has a
//!    reliable official value of that kind for the brand; otherwise the contact is "unverified".

use crate::normalize::{MaskKind, NormalizedText};
use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

const CONTACTS_JSON: &str = include_str!("../data/official_contacts.json");

/// One sourced value (a number or a domain) of the knowledge base.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Fact {
    pub value: String,
    /// `official`, `news`, `community_list`, `dev_doc`, `aggregator`, `agent_site`, or `note`
    /// (taken from a sourced note of the entry).
    pub quality: String,
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// For values taken from notes: `hotline`, `sms_sender` or `domain`.
    #[serde(default)]
    pub field: Option<String>,
    /// [`phone_digits`] of `value`, computed once when the knowledge base is loaded.
    #[serde(skip)]
    digits: String,
}

impl Fact {
    /// Quality good enough to say that a *different* value is not official.
    pub fn reliable(&self) -> bool {
        !matches!(self.quality.as_str(), "aggregator" | "agent_site")
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Alias {
    pub text: String,
    /// `anywhere` or `tag` (only inside a 【sender】 tag).
    #[serde(rename = "match")]
    pub match_: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Policy {
    pub policy: String,
    pub sources: Vec<String>,
    pub note: String,
}

/// A brand of the knowledge base.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Brand {
    pub name: String,
    /// Name shown to users.
    pub short: String,
    /// `authority`, `card_network`, `acquirer`, `wallet`, `bank`.
    pub kind: String,
    pub aliases: Vec<Alias>,
    pub hotlines: Vec<Fact>,
    pub sms_senders: Vec<Fact>,
    pub domains: Vec<Fact>,
    /// Values other sourced notes list as the brand's own (not flagged as unofficial).
    pub also_listed: Vec<Fact>,
    /// Values reported as used by impostors of the brand.
    pub known_fakes: Vec<Fact>,
    /// Values with conflicting reports: never asserted either way.
    pub disputed: Vec<Fact>,
    pub policies: Vec<Policy>,
    pub sources: Vec<String>,
}

impl Brand {
    pub fn is_authority(&self) -> bool {
        self.kind == "authority"
    }

    fn has_policy(&self, p: &str) -> bool {
        self.policies.iter().any(|x| x.policy == p)
    }

    /// Official phone values (hotlines, SMS senders, also-listed numbers).
    pub fn phone_facts(&self) -> impl Iterator<Item = &Fact> {
        self.hotlines.iter().chain(&self.sms_senders).chain(
            self.also_listed
                .iter()
                .filter(|f| f.field.as_deref() != Some("domain")),
        )
    }

    /// Official domains (including also-listed ones).
    pub fn domain_facts(&self) -> impl Iterator<Item = &Fact> {
        self.domains.iter().chain(
            self.also_listed
                .iter()
                .filter(|f| f.field.as_deref() == Some("domain")),
        )
    }

    /// Name for English text: the first Latin alias (`China UnionPay`, `ICBC`) with the Chinese
    /// name, or the Chinese name alone.
    pub fn name_en(&self) -> String {
        match self
            .aliases
            .iter()
            .find(|a| a.text.is_ascii() && a.text.len() >= 3 && a.match_ == "anywhere")
            .or_else(|| {
                self.aliases
                    .iter()
                    .find(|a| a.text.is_ascii() && a.text.len() >= 3)
            }) {
            Some(a) => format!("{} ({})", a.text, self.short),
            None => self.short.clone(),
        }
    }

    /// The hotlines to show a user, reliable ones only.
    pub fn shown_hotlines(&self) -> Vec<String> {
        self.hotlines
            .iter()
            .filter(|f| f.reliable())
            .map(|f| f.value.clone())
            .collect()
    }

    pub fn shown_domains(&self) -> Vec<String> {
        self.domains
            .iter()
            .filter(|f| f.reliable())
            .map(|f| f.value.clone())
            .collect()
    }

    fn reliable_phone(&self) -> bool {
        self.hotlines.iter().any(Fact::reliable)
    }

    fn reliable_domain(&self) -> bool {
        self.domains.iter().any(Fact::reliable)
    }
}

#[derive(Deserialize)]
struct Kb {
    brands: Vec<Brand>,
}

struct Index {
    brands: Vec<Brand>,
    /// Per brand: its 955xx-style short numbers (see [`short_numbers`]).
    short: Vec<Vec<String>>,
    ac: AhoCorasick,
    /// Per pattern: (brand index, tag only).
    pats: Vec<(usize, bool)>,
    sender_tag: Regex,
    area_code: Regex,
    intl_prefix: Regex,
    /// Labels before a short digit run that make it an identifier or a quantity, not a number to
    /// call: 推荐码11467, 报案号0003…, 车辆损失险96800, 获赠10000.
    not_phone_before: Regex,
    /// Units after a short digit run that make it a quantity: 10000积分, 19999个积分.
    not_phone_after: Regex,
}

fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| {
        let mut kb: Kb =
            serde_json::from_str(CONTACTS_JSON).expect("embedded official_contacts.json parses");
        for b in &mut kb.brands {
            for f in b
                .hotlines
                .iter_mut()
                .chain(&mut b.sms_senders)
                .chain(&mut b.domains)
                .chain(&mut b.also_listed)
                .chain(&mut b.known_fakes)
                .chain(&mut b.disputed)
            {
                f.digits = phone_digits(&f.value);
            }
        }
        let short = kb.brands.iter().map(short_numbers).collect();
        let mut texts = Vec::new();
        let mut pats = Vec::new();
        for (bi, b) in kb.brands.iter().enumerate() {
            for a in &b.aliases {
                let t: String = a.text.nfkc().collect::<String>().to_lowercase();
                if t.is_empty() {
                    continue;
                }
                texts.push(t);
                pats.push((bi, a.match_ == "tag"));
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            // A full DFA: runs on every message, and the alias list is small enough.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&texts)
            .expect("alias automaton builds");
        Index {
            brands: kb.brands,
            short,
            ac,
            pats,
            sender_tag: Regex::new(r"[【\[]([^】\]]{1,16})[】\]]").expect("regex"),
            area_code: Regex::new(r"\(?0[0-9]{2,3}\)? ?-? ?$").expect("regex"),
            intl_prefix: Regex::new(r"(?:\+|00)86[ -]?$").expect("regex"),
            not_phone_before: Regex::new(
                r"(?:编号|单号|案号|工号|流水号|订单号|批次号|凭证号|参考号|序号|编码|代码|推荐码|邀请码|优惠码|兑换码|券码|卡号|账号|帐号|户号|终端号|商户号|保单号|险|保额|额度|积分|获赠|赠送|奖励|共计|合计|总计)(?:为|是|:)? ?$",
            )
            .expect("regex"),
            not_phone_after: Regex::new(r"^ ?(?:积分|个积分|元|块钱|万元|次|笔|份|倍|张|件)")
                .expect("regex"),
        }
    })
}

/// Every brand of the embedded knowledge base.
pub fn brands() -> &'static [Brand] {
    &index().brands
}

/// Looks a brand up by its full or short name.
pub fn brand(name: &str) -> Option<&'static Brand> {
    brands().iter().find(|b| b.name == name || b.short == name)
}

/// A brand named in the message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrandMention {
    /// Short name (`中国银联`).
    pub brand: String,
    /// `authority`, `card_network`, `acquirer`, `wallet`, `bank`.
    pub kind: String,
    /// Character offsets into the original message and the original text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The message speaks in the brand's name (sender tag, start of message, 客服/官方/通知 …).
    pub claimed: bool,
    pub official_hotlines: Vec<String>,
    pub official_domains: Vec<String>,
    #[serde(skip)]
    brand_index: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Phone,
    Link,
}

/// What a contact in the message turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// An official value of a brand the message names (evidence, not proof).
    Official,
    /// The official number of an authority (96110, 12321, 110).
    Authority,
    /// Official for another brand than the ones named.
    OtherBrandOfficial,
    /// A personal mobile number given in a brand's name.
    PersonalMobile,
    /// Area code in front of a 955xx-style number (`0592-95588`).
    AreaCodePrefix,
    /// An official value with something added or changed (`00095588`, `95189`, `icbc` in a foreign domain).
    LookAlike,
    /// Reported as used by impostors of a brand.
    KnownFake,
    /// Not the claimed brand's official number or domain.
    NotOfficial,
    /// A short link or IP link: the destination cannot be seen.
    HiddenLink,
    /// Cannot be checked: no reliable official value of this kind is known for the brand, or the
    /// message does not speak in the brand's name.
    Unverified,
}

impl ContactStatus {
    /// Statuses that count as impersonation evidence.
    pub fn is_suspicious(self) -> bool {
        matches!(
            self,
            ContactStatus::PersonalMobile
                | ContactStatus::AreaCodePrefix
                | ContactStatus::LookAlike
                | ContactStatus::KnownFake
                | ContactStatus::NotOfficial
                | ContactStatus::HiddenLink
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            ContactStatus::Official => "official",
            ContactStatus::Authority => "authority",
            ContactStatus::OtherBrandOfficial => "other_brand_official",
            ContactStatus::PersonalMobile => "personal_mobile",
            ContactStatus::AreaCodePrefix => "area_code_prefix",
            ContactStatus::LookAlike => "look_alike",
            ContactStatus::KnownFake => "known_fake",
            ContactStatus::NotOfficial => "not_official",
            ContactStatus::HiddenLink => "hidden_link",
            ContactStatus::Unverified => "unverified",
        }
    }
}

/// One contact of the message and how it compares with the named brands' official contacts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactCheck {
    pub kind: ContactKind,
    /// Character offsets into the original message, and the original text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Canonical value compared: digits of a number, host of a link.
    pub value: String,
    pub status: ContactStatus,
    pub suspicious: bool,
    /// The brand the contact was judged against (the claimed one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// The brand whose official / fake list the value matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_brand: Option<String>,
    /// The judged brand's official values of this kind.
    pub official: Vec<String>,
    pub message_zh: String,
    pub message_en: String,
    /// Sources of the fact behind the judgement.
    pub sources: Vec<String>,
    /// Normalised character range of the contact (for rule signals).
    #[serde(skip)]
    pub norm_chars: Range<usize>,
}

/// The impersonation check of one message. Present when the message names a known brand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impersonation {
    pub brands: Vec<BrandMention>,
    pub contacts: Vec<ContactCheck>,
    /// Some contact is impersonation evidence.
    pub suspicious: bool,
}

impl Impersonation {
    /// The suspicious contacts.
    pub fn findings(&self) -> impl Iterator<Item = &ContactCheck> {
        self.contacts.iter().filter(|c| c.suspicious)
    }
}

/// What may follow a short alias inside a sender tag.
const TAG_ALIAS_SUFFIXES: &[&str] = &[
    "银行",
    "信用卡",
    "支付",
    "客服",
    "分行",
    "商户",
    "收单",
    "pos",
    "电签",
];

/// Words right after a brand name that show the message speaks in its name.
const CLAIM_WORDS: &[&str] = &[
    "客服",
    "官方",
    "总部",
    "工作人员",
    "通知",
    "提醒",
    "中心",
    "热线",
    "专线",
    "公告",
    "温馨提示",
    "部",
    "公司",
    "分行",
    "支行",
    "团队",
    "员工",
    "经理",
    "专员",
];

fn char_offsets(original: &str, bytes: Range<usize>) -> (usize, usize) {
    let start = original[..bytes.start].chars().count();
    (start, start + original[bytes].chars().count())
}

/// Digits of a phone number as the normaliser reads them ([`crate::normalize::number_digits`]:
/// full-width digits folded, look-alike letters read as digits), country code dropped in front of
/// a mobile number.
pub fn phone_digits(s: &str) -> String {
    let mut d = crate::normalize::number_digits(s);
    for cc in ["0086", "86"] {
        if d.len() == cc.len() + 11 && d.starts_with(cc) && d[cc.len()..].starts_with('1') {
            d = d[cc.len()..].to_string();
        }
    }
    d
}

/// Length in bytes of the link `raw` without the punctuation of the sentence it ends:
/// `www.unionpay.com，` is `www.unionpay.com` followed by a comma (the mask's pattern, run on
/// half-width text, takes `,` `;` `!` `)` `~` as URL characters, and full-width punctuation folds
/// to them). A closing parenthesis stays when the link opened one.
fn link_len(raw: &str) -> usize {
    let mut end = raw.len();
    while let Some(c) = raw[..end].chars().next_back() {
        let strip = match c {
            ',' | ';' | '!' | '~' | '.' | ':' | '?' | '\'' | '*' | '，' | '；' | '！' | '～'
            | '。' | '：' | '？' | '、' => true,
            ')' | '）' => !raw[..end].contains(['(', '（']),
            _ => false,
        };
        if !strip {
            break;
        }
        end -= c.len_utf8();
    }
    if end == 0 {
        raw.len()
    } else {
        end
    }
}

/// Host of a link (lower-case, no scheme, no `www.`, no port or path).
pub fn link_host(s: &str) -> String {
    let folded: String = s.nfkc().collect::<String>().to_lowercase();
    let rest = folded
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    host.trim_start_matches("www.")
        .trim_end_matches('.')
        .to_string()
}

/// The name part of a domain: `icbc` of `icbc.com.cn`, `qq` of `pay.weixin.qq.com`.
fn domain_stem(domain: &str) -> &str {
    let mut labels: Vec<&str> = domain.split('.').collect();
    while labels.len() > 1
        && matches!(
            *labels.last().expect("non-empty"),
            "com" | "cn" | "net" | "org" | "gov" | "edu"
        )
    {
        labels.pop();
    }
    labels.last().copied().unwrap_or_default()
}

fn host_under(host: &str, domain: &str) -> bool {
    let d = domain.trim_start_matches("www.").to_lowercase();
    host == d || host.ends_with(&format!(".{d}"))
}

/// Finds the brands named in a normalised message.
pub fn find_brands(n: &NormalizedText, original: &str) -> Vec<BrandMention> {
    let ix = index();
    let text = n.text();
    let tags: Vec<Range<usize>> = ix.sender_tag.find_iter(text).map(|m| m.range()).collect();
    let byte_to_char = |b: usize| text[..b].chars().count();
    let mut out: Vec<BrandMention> = Vec::new();
    for m in ix.ac.find_iter(text) {
        let (bi, tag_only) = ix.pats[m.pattern().as_usize()];
        let matched = &text[m.range()];
        if matched.is_ascii() {
            let bytes = text.as_bytes();
            let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
            if glued(m.start().checked_sub(1).and_then(|i| bytes.get(i)))
                || glued(bytes.get(m.end()))
            {
                continue;
            }
        }
        let tag = tags
            .iter()
            .find(|t| t.start <= m.start() && m.end() <= t.end);
        let in_tag = tag.is_some();
        if tag_only {
            // A short alias must open the tag and not run on into another word: 【平安】, 【广发卡】,
            // 【中信银行信用卡】 — but not 【晨光大饭店】 or 【平安保险】.
            let Some(t) = tag else { continue };
            let opens =
                text[t.start..].chars().next().map_or(0, char::len_utf8) + t.start == m.start();
            let rest = &text[m.end()..t.end];
            let clean_end = rest.starts_with(['】', ']'])
                || !rest.starts_with(|c: char| {
                    crate::normalize::is_cjk(c) || c.is_ascii_alphanumeric()
                })
                || TAG_ALIAS_SUFFIXES.iter().any(|w| rest.starts_with(w));
            if !opens || !clean_end {
                continue;
            }
        }
        let chars = byte_to_char(m.start())..byte_to_char(m.end());
        let after = &text[m.end()..];
        let before = text[..m.start()].trim_start_matches(|c: char| !c.is_alphanumeric());
        let window: String = after.chars().take(6).collect();
        let claimed = in_tag
            || before.is_empty()
            || after.starts_with(':')
            || CLAIM_WORDS.iter().any(|w| window.contains(w));
        let bytes = n.original_range(chars.clone());
        let (start, end) = char_offsets(original, bytes.clone());
        let b = &ix.brands[bi];
        if let Some(prev) = out.iter_mut().find(|x| x.brand_index == bi) {
            prev.claimed |= claimed;
            continue;
        }
        out.push(BrandMention {
            brand: b.short.clone(),
            kind: b.kind.clone(),
            start,
            end,
            text: original[bytes].to_string(),
            claimed,
            official_hotlines: b.shown_hotlines(),
            official_domains: b.shown_domains(),
            brand_index: bi,
        });
    }
    out
}

/// A contact candidate read from the original text.
struct Candidate {
    kind: ContactKind,
    mask: MaskKind,
    bytes: Range<usize>,
    value: String,
    /// Digits of an area code written right before a short service number.
    area_code: Option<String>,
    /// `+86` / `0086` written right before a short service number.
    intl_prefix: bool,
    norm_chars: Range<usize>,
}

fn candidates(n: &NormalizedText, original: &str) -> Vec<Candidate> {
    let ix = index();
    let mut out = Vec::new();
    for m in n.masks() {
        let raw = original.get(m.original.clone()).unwrap_or_default();
        let norm_chars = m.norm_index..m.norm_index + 1;
        match m.kind {
            MaskKind::Url => out.push(Candidate {
                kind: ContactKind::Link,
                mask: m.kind,
                bytes: m.original.start..m.original.start + link_len(raw),
                value: link_host(&raw[..link_len(raw)]),
                area_code: None,
                intl_prefix: false,
                norm_chars,
            }),
            MaskKind::Mobile
            | MaskKind::Hotline
            | MaskKind::Landline
            | MaskKind::ServiceNumber
            | MaskKind::Number => {
                if matches!(m.kind, MaskKind::ServiceNumber | MaskKind::Number)
                    && !is_callable(original, &m.original)
                {
                    continue;
                }
                let mut bytes = m.original.clone();
                let mut area_code = None;
                let mut intl_prefix = false;
                if m.kind == MaskKind::ServiceNumber {
                    // Look just before the number for an area code or a country code.
                    let from = chars_back(original, bytes.start, 10);
                    let window: String = original[from..bytes.start].nfkc().collect();
                    // A country code first (`0086 95588` is not an area code).
                    if let Some(a) = ix.intl_prefix.find(&window) {
                        // The country code is part of the contact as written: `+86 95588`.
                        let n_chars = window[a.start()..].chars().count();
                        bytes.start = chars_back(original, bytes.start, n_chars);
                        intl_prefix = true;
                    } else if let Some(a) = ix.area_code.find(&window) {
                        // Map the match back: count its characters from the end of the window.
                        let n_chars = window[a.start()..].chars().count();
                        let start = chars_back(original, bytes.start, n_chars);
                        bytes.start = start;
                        // `4008-95516`: the `0…` is not an area code but the middle of a longer
                        // number, whose digits all belong to the contact (a look-alike).
                        let digit_before = |i: usize| {
                            original[..i]
                                .chars()
                                .next_back()
                                .filter(|ch| ch.nfkc().all(|x| x.is_ascii_digit()))
                                .map(char::len_utf8)
                        };
                        if digit_before(bytes.start).is_some() {
                            while let Some(n) = digit_before(bytes.start) {
                                bytes.start -= n;
                            }
                        } else {
                            area_code = Some(phone_digits(&window[a.range()]));
                        }
                    }
                }
                // The country code is shown, not compared: the number's own digits are.
                let value = if intl_prefix {
                    phone_digits(&original[m.original.clone()])
                } else {
                    phone_digits(&original[bytes.clone()])
                };
                out.push(Candidate {
                    kind: ContactKind::Phone,
                    mask: m.kind,
                    bytes,
                    value,
                    area_code,
                    intl_prefix,
                    norm_chars,
                });
            }
            _ => {}
        }
    }
    out
}

/// Byte offset where the `n` characters before byte `end` of `s` begin (0 when there are fewer).
fn chars_back(s: &str, end: usize, n: usize) -> usize {
    s[..end]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// Whether a short digit run can be a number to call, judged by the words around it: an
/// identifier (推荐码11467) or a quantity (10000积分, 车辆损失险96800) is not.
fn is_callable(original: &str, bytes: &Range<usize>) -> bool {
    let ix = index();
    let before: String = original[chars_back(original, bytes.start, 8)..bytes.start]
        .nfkc()
        .collect();
    let after_to = original[bytes.end..]
        .char_indices()
        .nth(4)
        .map(|(i, _)| bytes.end + i)
        .unwrap_or(original.len());
    let after: String = original[bytes.end..after_to].nfkc().collect();
    !ix.not_phone_before.is_match(&before) && !ix.not_phone_after.is_match(&after)
}

/// What was learnt about one contact.
struct Judgement {
    status: ContactStatus,
    matched: Option<usize>,
    sources: Vec<String>,
    /// The official value it imitates, for look-alikes.
    imitates: Option<String>,
    /// The matched fact comes from a reliable source (see [`Fact::reliable`]).
    reliable: bool,
    /// Why a contact equal to an official value is still [`ContactStatus::Unverified`].
    unconfirmed: Option<Unconfirmed>,
}

impl Judgement {
    fn new(status: ContactStatus) -> Self {
        Judgement {
            status,
            matched: None,
            sources: Vec::new(),
            imitates: None,
            reliable: true,
            unconfirmed: None,
        }
    }
    fn with(mut self, brand: usize, fact: &Fact) -> Self {
        self.matched = Some(brand);
        self.sources = fact.sources.clone();
        self.reliable = fact.reliable();
        self
    }
}

/// Why a contact whose value equals an official one is not confirmed as official.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unconfirmed {
    /// The digits are the end or the middle of an account name (`lkl95016` as a WeChat id).
    InsideId,
    /// Written with letters or symbols for digits (`95O16`, `955lб`): not dialable as written.
    NotDigits,
    /// Only an agent's site or an aggregator lists the value (see [`Fact::reliable`]).
    WeakSource,
}

/// A match with an official value counts as official only when the contact is a number written
/// in digits on its own (not part of an account name) and the value comes from a reliable
/// source; otherwise it is [`ContactStatus::Unverified`], with the reason. Not-suspicious
/// statuses only: what counts as impersonation evidence is unchanged.
fn confirm(mut j: Judgement, c: &Candidate, original: &str) -> Judgement {
    if !matches!(
        j.status,
        ContactStatus::Official | ContactStatus::Authority | ContactStatus::OtherBrandOfficial
    ) {
        return j;
    }
    let why = if c.kind == ContactKind::Phone && inside_id(original, &c.bytes) {
        Some(Unconfirmed::InsideId)
    } else if c.kind == ContactKind::Phone && !written_in_digits(&original[c.bytes.clone()]) {
        Some(Unconfirmed::NotDigits)
    } else if !j.reliable {
        Some(Unconfirmed::WeakSource)
    } else {
        None
    };
    if why.is_some() {
        j.status = ContactStatus::Unverified;
        j.unconfirmed = why;
    }
    j
}

/// The number is an account name, or part of one: a Latin letter, digit or `_` (half or full
/// width) right before or after it (`lkl95016`), an `@` after it (`95516@qq.com`), or a WeChat /
/// QQ label before it (`加微信：95516`, `QQ群 95516`, `vx 95516`).
fn inside_id(original: &str, bytes: &Range<usize>) -> bool {
    let id_char = |c: char| {
        let c = c.nfkc().next().unwrap_or(c);
        c.is_ascii_alphanumeric() || c == '_'
    };
    if original[..bytes.start]
        .chars()
        .next_back()
        .is_some_and(id_char)
        || original[bytes.end..]
            .chars()
            .next()
            .is_some_and(|c| id_char(c) || c == '@' || c == '＠')
    {
        return true;
    }
    // The label before it, past spaces and a colon.
    const ID_LABELS: &[&str] = &[
        "微信",
        "微信号",
        "薇信",
        "威信",
        "v信",
        "vx",
        "wx",
        "加v",
        "qq",
        "qq号",
        "qq群",
        "扣扣",
    ];
    let before: String = original[chars_back(original, bytes.start, 8)..bytes.start]
        .nfkc()
        .collect::<String>()
        .to_lowercase();
    let label = before.trim_end_matches([' ', ':', '：', '\u{3000}']);
    ID_LABELS.iter().any(|l| label.ends_with(l))
}

/// Digits (half or full width) and the separators people write in numbers, nothing else.
fn written_in_digits(raw: &str) -> bool {
    raw.nfkc().all(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                ' ' | '-' | '+' | '(' | ')' | '.' | '/' | '—' | '–' | '－'
            )
    })
}

fn find_fact<'a>(
    facts: impl Iterator<Item = &'a Fact>,
    pred: impl Fn(&Fact) -> bool,
) -> Option<&'a Fact> {
    let mut facts = facts;
    facts.find(|f| pred(f))
}

/// 955xx-style short numbers of a brand (digits only, 5–6 long).
fn short_numbers(b: &Brand) -> Vec<String> {
    b.phone_facts()
        .map(|f| f.digits.clone())
        .filter(|d| (5..=6).contains(&d.len()) && (d.starts_with("95") || d.starts_with("96")))
        .collect()
}

fn one_substitution(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() == 1
}

fn judge_phone(c: &Candidate, mentioned: &[usize], claimed: &[usize]) -> Option<Judgement> {
    let ix = index();
    let brands = &ix.brands;
    let d = &c.value;
    if d.is_empty() {
        return None;
    }
    let eq = |f: &Fact| f.digits == *d;
    // `+86 95588` written with a space is `+8695588` (a reported fake form) all the same.
    let with_country = c.intl_prefix.then(|| format!("86{d}"));
    let fake_eq = |f: &Fact| eq(f) || with_country.as_deref() == Some(f.digits.as_str());
    // Known fakes first: a reported impostor number is the strongest evidence.
    for (bi, b) in brands.iter().enumerate() {
        if let Some(f) = find_fact(
            b.known_fakes
                .iter()
                .filter(|f| f.field.as_deref() != Some("domain")),
            fake_eq,
        ) {
            return Some(Judgement::new(ContactStatus::KnownFake).with(bi, f));
        }
    }
    // An official number of a brand the message names — but not with a country code in front:
    // a 955xx number is dialled as it is, and `+86 95588` is how impostors' caller ID shows.
    for &bi in mentioned {
        if let Some(f) = find_fact(brands[bi].phone_facts(), eq) {
            if c.intl_prefix && !brands[bi].is_authority() {
                let mut j = Judgement::new(ContactStatus::LookAlike);
                j.matched = Some(bi);
                j.imitates = Some(f.value.clone());
                return Some(j);
            }
            let status = if brands[bi].is_authority() {
                ContactStatus::Authority
            } else {
                ContactStatus::Official
            };
            return Some(Judgement::new(status).with(bi, f));
        }
        if let Some(f) = find_fact(brands[bi].disputed.iter(), eq) {
            return Some(Judgement::new(ContactStatus::Unverified).with(bi, f));
        }
    }
    // The authorities' numbers, also with an area code where that is their documented form.
    for (bi, b) in brands.iter().enumerate().filter(|(_, b)| b.is_authority()) {
        if let Some(f) = find_fact(b.phone_facts(), eq) {
            return Some(Judgement::new(ContactStatus::Authority).with(bi, f));
        }
        if let Some(area) = &c.area_code {
            if b.has_policy("area_code_prefix_ok") {
                let rest = d.strip_prefix(area.as_str()).unwrap_or(d);
                if let Some(f) = find_fact(b.phone_facts(), |f| f.digits == rest) {
                    return Some(Judgement::new(ContactStatus::Authority).with(bi, f));
                }
            }
        }
    }
    if c.mask == MaskKind::Number {
        // A long digit run is a contact only when it imitates an official short number.
        for &bi in claimed {
            for s in &ix.short[bi] {
                if d.len() > s.len() && d.ends_with(s.as_str()) {
                    let mut j = Judgement::new(ContactStatus::LookAlike);
                    j.matched = Some(bi);
                    j.imitates = Some(s.clone());
                    return Some(j);
                }
            }
        }
        return None;
    }
    if claimed.is_empty() {
        if let Some((bi, f)) = brands
            .iter()
            .enumerate()
            .find_map(|(bi, b)| find_fact(b.phone_facts(), eq).map(|f| (bi, f)))
        {
            return Some(Judgement::new(ContactStatus::OtherBrandOfficial).with(bi, f));
        }
        return Some(Judgement::new(ContactStatus::Unverified));
    }
    if c.mask == MaskKind::Mobile {
        return Some(Judgement::new(ContactStatus::PersonalMobile));
    }
    if let Some(area) = &c.area_code {
        let rest = d.strip_prefix(area.as_str()).unwrap_or(d);
        for (bi, short) in ix.short.iter().enumerate() {
            if short.iter().any(|s| s == rest) {
                let mut j = Judgement::new(ContactStatus::AreaCodePrefix);
                j.matched = Some(bi);
                j.imitates = Some(rest.to_string());
                return Some(j);
            }
        }
    }
    if let Some((bi, f)) = brands
        .iter()
        .enumerate()
        .find_map(|(bi, b)| find_fact(b.phone_facts(), eq).map(|f| (bi, f)))
    {
        return Some(Judgement::new(ContactStatus::OtherBrandOfficial).with(bi, f));
    }
    for &bi in claimed {
        for s in &ix.short[bi] {
            let s = s.clone();
            if c.intl_prefix && *d == s {
                let mut j = Judgement::new(ContactStatus::LookAlike);
                j.matched = Some(bi);
                j.imitates = Some(s);
                return Some(j);
            }
            // SMS gateway numbers (106…955xx) and 10-digit 400 numbers ending in the bank's
            // number are how several banks really write: plausible, but not in the data.
            if d.ends_with(&s) && (d.starts_with("106") || (d.starts_with("400") && d.len() == 10))
            {
                let mut j = Judgement::new(ContactStatus::Unverified);
                j.matched = Some(bi);
                j.imitates = Some(s);
                return Some(j);
            }
            if one_substitution(d, &s) || (d.len() > s.len() && d.ends_with(&s)) {
                let mut j = Judgement::new(ContactStatus::LookAlike);
                j.matched = Some(bi);
                j.imitates = Some(s);
                return Some(j);
            }
        }
    }
    if claimed.iter().any(|&bi| brands[bi].reliable_phone()) {
        return Some(Judgement::new(ContactStatus::NotOfficial));
    }
    Some(Judgement::new(ContactStatus::Unverified))
}

fn judge_link(c: &Candidate, mentioned: &[usize], claimed: &[usize]) -> Judgement {
    let ix = index();
    let brands = &ix.brands;
    let host = &c.value;
    for (bi, b) in brands.iter().enumerate() {
        if let Some(f) = find_fact(
            b.known_fakes
                .iter()
                .filter(|f| f.field.as_deref() == Some("domain")),
            |f| host_under(host, &f.value),
        ) {
            return Judgement::new(ContactStatus::KnownFake).with(bi, f);
        }
    }
    for &bi in mentioned {
        if let Some(f) = find_fact(brands[bi].domain_facts(), |f| host_under(host, &f.value)) {
            return Judgement::new(ContactStatus::Official).with(bi, f);
        }
    }
    for (bi, b) in brands.iter().enumerate() {
        if let Some(f) = find_fact(b.domain_facts(), |f| host_under(host, &f.value)) {
            let status = if b.is_authority() {
                ContactStatus::Authority
            } else {
                ContactStatus::OtherBrandOfficial
            };
            return Judgement::new(status).with(bi, f);
        }
    }
    if claimed.is_empty() {
        return Judgement::new(ContactStatus::Unverified);
    }
    if crate::signals::is_short_or_ip_link(host) {
        return Judgement::new(ContactStatus::HiddenLink);
    }
    // A foreign host carrying a brand's domain name (`ddicbc.cn.com`, `95516aa.com`,
    // `m.yinlian95516.vip`): the claimed brand's, or — with a longer name — any brand's.
    let others = (0..brands.len()).filter(|bi| !claimed.contains(bi));
    for (bi, min_len) in claimed
        .iter()
        .map(|&bi| (bi, 3))
        .chain(others.map(|bi| (bi, 4)))
    {
        for f in brands[bi].domain_facts().filter(|f| f.reliable()) {
            let stem = domain_stem(&f.value);
            if stem.len() >= min_len && host.contains(stem) {
                let mut j = Judgement::new(ContactStatus::LookAlike);
                j.matched = Some(bi);
                j.imitates = Some(f.value.clone());
                return j;
            }
        }
    }
    if claimed.iter().any(|&bi| brands[bi].reliable_domain()) {
        return Judgement::new(ContactStatus::NotOfficial);
    }
    Judgement::new(ContactStatus::Unverified)
}

fn join(v: &[String]) -> String {
    v.join(" / ")
}

/// Human-readable messages for a judgement. `brand` is the claimed (or first named) brand.
fn messages(
    c: &Candidate,
    text: &str,
    j: &Judgement,
    brand: Option<&Brand>,
) -> (String, String, Vec<String>) {
    let brands = &index().brands;
    let matched = j.matched.map(|i| &brands[i]);
    let b_zh = brand.map(|b| b.short.as_str()).unwrap_or("该机构");
    let b_en = brand
        .map(|b| b.name_en())
        .unwrap_or_else(|| "the brand".to_string());
    let official: Vec<String> = match (brand, c.kind) {
        (Some(b), ContactKind::Phone) => b.shown_hotlines(),
        (Some(b), ContactKind::Link) => b.shown_domains(),
        (None, _) => Vec::new(),
    };
    let off = join(&official);
    let what_zh = if c.kind == ContactKind::Phone {
        "号码"
    } else {
        "链接"
    };
    let what_en = if c.kind == ContactKind::Phone {
        "number"
    } else {
        "link"
    };
    let m_short = matched.map(|b| b.short.as_str()).unwrap_or(b_zh);
    let m_en = matched.map(|b| b.name_en()).unwrap_or_else(|| b_en.clone());
    let imitates = j.imitates.clone().unwrap_or_default();
    let official_tail_zh = if off.is_empty() {
        String::new()
    } else {
        format!(
            "，{b_zh}官方{}是 {off}",
            if c.kind == ContactKind::Phone {
                "客服"
            } else {
                "网址"
            }
        )
    };
    let official_tail_en = if off.is_empty() {
        String::new()
    } else {
        format!("; {b_en}'s official {what_en} is {off}")
    };
    let (zh, en) = match j.status {
        ContactStatus::Official => (
            format!("{text} 是{m_short}的官方{what_zh}；但号码和短信签名都可能被伪造，这只是佐证，不是证明。"),
            format!("{text} is an official {what_en} of {m_en} — evidence, not proof: numbers and sender tags can be spoofed."),
        ),
        ContactStatus::Authority => (
            format!("{text} 是{m_short}的官方号码；来电显示可以伪造，要核实就挂断后自己拨打。"),
            format!("{text} is the official number of {m_en}; caller ID can be spoofed, so to check, hang up and dial it yourself."),
        ),
        ContactStatus::OtherBrandOfficial => (
            format!("{text} 是{m_short}的官方{what_zh}，不是{b_zh}的。"),
            format!("{text} is an official {what_en} of {m_en}, not of {b_en}."),
        ),
        ContactStatus::PersonalMobile => (
            format!("自称{b_zh}，却让你联系个人手机号 {text}；官方客服不用个人手机号{official_tail_zh}。"),
            format!("Claims to be {b_en} but gives the personal mobile number {text}; official service lines are not personal mobiles{official_tail_en}."),
        ),
        ContactStatus::AreaCodePrefix => (
            format!(
                "自称{b_zh}，但号码 {text} 是“区号+{imitates}”（{imitates} 是{m_short}的号码）：银行和警方提示 955xx 官方号码前不加区号，这种号码多见于诈骗（个别银行外呼例外），请自己拨打 {imitates} 核实。"
            ),
            format!(
                "Claims to be {b_en}, but {text} is an area code in front of {imitates} ({m_en}'s number); banks and police warn that official 955xx numbers carry no area code and such numbers are common in fraud (a few banks' outbound lines are exceptions) — call {imitates} yourself to check."
            ),
        ),
        ContactStatus::LookAlike => (
            format!("自称{b_zh}，但{what_zh} {text} 只是形似官方的 {imitates}（多了前缀或改了字符），是常见的冒充手法{official_tail_zh}。"),
            format!("Claims to be {b_en}, but {text} only imitates the official {imitates} (something added or changed) — a common impersonation trick{official_tail_en}."),
        ),
        ContactStatus::KnownFake => (
            format!("{text} 曾被报道用于冒充{m_short}的诈骗{official_tail_zh}。"),
            format!("{text} has been reported in fraud impersonating {m_en}{official_tail_en}."),
        ),
        ContactStatus::NotOfficial => (
            format!("自称{b_zh}，但给出的{what_zh} {text} 不是{b_zh}的官方{what_zh}{official_tail_zh}。"),
            format!("Claims to be {b_en}, but the {what_en} {text} is not {b_en}'s{official_tail_en}."),
        ),
        ContactStatus::HiddenLink => (
            format!("自称{b_zh}，却给出短链接/IP链接 {text}，看不出真实网址{official_tail_zh}。"),
            format!("Claims to be {b_en} but gives a short or IP link {text} that hides where it goes{official_tail_en}."),
        ),
        ContactStatus::Unverified if j.unconfirmed.is_some() => {
            let value = &c.value;
            match j.unconfirmed {
                Some(Unconfirmed::InsideId) => (
                    format!("{text} 是账号（如微信号、QQ号）的一部分，不是可拨打的电话号码，不能当作{m_short}的官方号码。"),
                    format!("{text} is part of an account name (such as a WeChat or QQ id), not a number to call; it does not count as {m_en}'s official number."),
                ),
                Some(Unconfirmed::NotDigits) => (
                    format!("{text} 用字母或符号冒充数字，照写的样子拨不通；形似{m_short}的号码 {value}，但正规通知不会这样写号码，不能当作官方号码。"),
                    format!("{text} uses letters or symbols for digits and cannot be dialled as written; it looks like {m_en}'s number {value}, but genuine notices do not write numbers this way, so it does not count as official."),
                ),
                _ => (
                    format!("{text} 只见于代理商或聚合网站列出的{m_short}{what_zh}，官方渠道未确认，无法核实{official_tail_zh}；请通过机身或收单App上印的官方客服核实。"),
                    format!("{text} is listed as {m_en}'s {what_en} only by an agent's site or an aggregator, not confirmed by an official source; it cannot be checked{official_tail_en} — verify through the hotline printed on the terminal or in the acquirer's app."),
                ),
            }
        }
        ContactStatus::Unverified => {
            if j.imitates.is_some() {
                (
                    format!("{text} 与{m_short}的号码 {imitates} 同尾号，资料中未列出，无法确认；请自己拨打 {imitates} 核实。"),
                    format!("{text} ends in {m_en}'s number {imitates} but is not in the data; call {imitates} yourself to check."),
                )
            } else if brand.is_some() {
                (
                    format!("{text} 无法核实：资料中没有{b_zh}可靠的官方{what_zh}；请通过机身或收单App上印的官方客服核实。"),
                    format!("{text} cannot be checked: no reliable official {what_en} of {b_en} is known; verify through the hotline printed on the terminal or in the acquirer's app."),
                )
            } else {
                (
                    format!("消息提到品牌但未以其名义发出；{text} 无法核实。"),
                    format!("The message mentions a brand without speaking in its name; {text} cannot be checked."),
                )
            }
        }
    };
    (zh, en, official)
}

/// Checks the contacts of a message against the official contacts of the brands it names.
/// `None` when the message names no known brand.
pub fn check(n: &NormalizedText, original: &str) -> Option<Impersonation> {
    let mentions = find_brands(n, original);
    if mentions.is_empty() {
        return None;
    }
    let brands = &index().brands;
    let mentioned: Vec<usize> = mentions.iter().map(|m| m.brand_index).collect();
    // Authorities are claimed too ("【反诈中心】… call 4008…"), but brands come first.
    let mut claimed: Vec<usize> = mentions
        .iter()
        .filter(|m| m.claimed && !brands[m.brand_index].is_authority())
        .map(|m| m.brand_index)
        .collect();
    claimed.extend(
        mentions
            .iter()
            .filter(|m| m.claimed && brands[m.brand_index].is_authority())
            .map(|m| m.brand_index),
    );
    let primary = claimed.first().or(mentioned.first()).map(|&i| &brands[i]);
    let mut contacts = Vec::new();
    for c in candidates(n, original) {
        let j = match c.kind {
            ContactKind::Phone => match judge_phone(&c, &mentioned, &claimed) {
                Some(j) => j,
                None => continue,
            },
            ContactKind::Link => judge_link(&c, &mentioned, &claimed),
        };
        let j = confirm(j, &c, original);
        let judged = if claimed.is_empty() { None } else { primary };
        let text = original[c.bytes.clone()].to_string();
        let (message_zh, message_en, official) = messages(&c, &text, &j, judged);
        let (start, end) = char_offsets(original, c.bytes.clone());
        let mut sources = j.sources.clone();
        if sources.is_empty() && j.status.is_suspicious() {
            if let Some(b) = judged {
                let facts: Vec<&Fact> = match c.kind {
                    ContactKind::Phone => b.hotlines.iter().collect(),
                    ContactKind::Link => b.domains.iter().collect(),
                };
                for f in facts {
                    for s in &f.sources {
                        if !sources.contains(s) {
                            sources.push(s.clone());
                        }
                    }
                }
            }
        }
        contacts.push(ContactCheck {
            kind: c.kind,
            start,
            end,
            text,
            value: c.value.clone(),
            status: j.status,
            suspicious: j.status.is_suspicious(),
            brand: judged.map(|b| b.short.clone()),
            matched_brand: j.matched.map(|i| brands[i].short.clone()),
            official,
            message_zh,
            message_en,
            sources,
            norm_chars: c.norm_chars.clone(),
        });
    }
    let suspicious = contacts.iter().any(|c| c.suspicious);
    Some(Impersonation {
        brands: mentions,
        contacts,
        suspicious,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalizer;

    fn run(s: &str) -> Option<Impersonation> {
        check(&Normalizer.normalize(s), s)
    }

    fn statuses(s: &str) -> Vec<(String, ContactStatus)> {
        run(s)
            .map(|i| i.contacts.into_iter().map(|c| (c.text, c.status)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn knowledge_base_loads_with_sources() {
        let up = brand("中国银联").expect("UnionPay");
        assert!(up
            .hotlines
            .iter()
            .any(|f| f.value == "95516" && !f.sources.is_empty()));
        assert!(brand("银联商务")
            .unwrap()
            .hotlines
            .iter()
            .any(|f| f.value == "95534"));
        assert!(brand("中国工商银行")
            .unwrap()
            .aliases
            .iter()
            .any(|a| a.text == "ICBC"));
        for b in brands() {
            for f in b
                .hotlines
                .iter()
                .chain(&b.domains)
                .chain(&b.sms_senders)
                .chain(&b.known_fakes)
            {
                assert!(
                    !f.sources.is_empty(),
                    "{} {} has no source",
                    b.name,
                    f.value
                );
            }
        }
    }

    /// The punctuation after a link ends the sentence, not the link: an official domain followed
    /// by a comma is official (a QA pass found UnionPay's own warning called a scam for it).
    #[test]
    fn punctuation_after_a_link_is_not_part_of_it() {
        for (msg, link) in [
            (
                "【中国银联】银联提醒您：请认准官方客服95516及官网www.unionpay.com，谨防诈骗。",
                "www.unionpay.com",
            ),
            ("【建设银行】详询95533或www.ccb.com，谢谢", "www.ccb.com"),
            ("【建设银行】详询www.ccb.com！", "www.ccb.com"),
            (
                "【建设银行】详询https://www.ccb.com/cn/home);",
                "https://www.ccb.com/cn/home",
            ),
            ("【建设银行】详询(www.ccb.com)", "www.ccb.com"),
        ] {
            let st = statuses(msg);
            let l = st
                .iter()
                .find(|(t, _)| t.contains("ccb") || t.contains("unionpay"));
            assert_eq!(
                l,
                Some(&(link.to_string(), ContactStatus::Official)),
                "{msg}: {st:?}"
            );
        }
        assert_eq!(link_len("www.x.com/a(b)"), "www.x.com/a(b)".len());
        assert_eq!(link_len("www.x.com),"), "www.x.com".len());
        assert_eq!(link_len("，"), "，".len(), "nothing left: kept whole");
    }

    /// A country code in front of a 955xx number, written with a space or dash, is the reported
    /// fake form all the same, and shows as part of the contact; a `0…` inside a longer number
    /// (`4008-95516`) is not an area code: the whole number is the look-alike (QA pass).
    #[test]
    fn country_codes_and_longer_numbers_around_an_official_one() {
        for msg in [
            "【工商银行】您的POS终端将停用，请致电+86 95588。",
            "【工商银行】您的POS终端将停用，请致电0086-95588。",
            "【工商银行】您的POS终端将停用，请致电+8695588。",
        ] {
            let st = statuses(msg);
            assert_eq!(st.len(), 1, "{msg}: {st:?}");
            assert_eq!(st[0].1, ContactStatus::KnownFake, "{msg}: {st:?}");
            assert!(
                st[0].0.contains("86") && st[0].0.ends_with("95588"),
                "{st:?}"
            );
        }
        // Not a listed fake, still no official number with a country code in front.
        assert_eq!(
            statuses("【建设银行】请致电+86 95533"),
            [("+86 95533".to_string(), ContactStatus::LookAlike)]
        );
        assert_eq!(
            statuses("【银联】您的POS机费率异常，请致电4008-95516转人工处理"),
            [("4008-95516".to_string(), ContactStatus::LookAlike)]
        );
        // An area code stays one, and the authorities' numbers stay theirs.
        assert_eq!(
            statuses("【银联】请致电0755-95516"),
            [("0755-95516".to_string(), ContactStatus::AreaCodePrefix)]
        );
        assert_eq!(
            statuses("【中国银联】谨防诈骗，请致电+86 96110"),
            [("+86 96110".to_string(), ContactStatus::Authority)]
        );
    }

    #[test]
    fn brands_found_through_normalisation_and_tags() {
        let i = run("【銀聯】通知：您的商戶號需变更").unwrap();
        assert_eq!(i.brands[0].brand, "中国银联");
        assert_eq!(i.brands[0].text, "銀聯");
        assert!(i.brands[0].claimed);
        // Short aliases count only in a sender tag.
        assert!(run("祝您出入平安，生意兴隆").is_none());
        assert_eq!(run("【平安】您的卡").unwrap().brands[0].brand, "平安银行");
        assert_eq!(
            run("【中信信用卡】您的卡").unwrap().brands[0].brand,
            "中信银行"
        );
        assert!(run("【晨光大饭店】年夜饭火热预订中").is_none());
        assert!(run("【平安保险】您的保单").is_none());
        // Latin aliases must be whole words.
        assert!(run("icbcx 测试").is_none());
        assert_eq!(run("ICBC提醒您").unwrap().brands[0].brand, "中国工商银行");
    }

    #[test]
    fn personal_mobile_and_hotline_mismatch() {
        let s = "【中国银联】您的POS已被列入风险商户，请尽快致电客服182 6989 6015。";
        let i = run(s).unwrap();
        assert!(i.suspicious);
        let c = &i.contacts[0];
        assert_eq!(c.text, "182 6989 6015");
        assert_eq!(c.status, ContactStatus::PersonalMobile);
        assert!(c.message_zh.contains("95516"), "{}", c.message_zh);
        let v = statuses("【中国银联】您的终端异常，请拨打4008-123-456处理");
        assert_eq!(
            v,
            vec![("4008-123-456".to_string(), ContactStatus::NotOfficial)]
        );
        let i = run("【中国银联】您的终端异常，请拨打4008-123-456处理").unwrap();
        assert!(
            i.contacts[0].message_zh.contains("不是中国银联的官方号码"),
            "{}",
            i.contacts[0].message_zh
        );
    }

    #[test]
    fn amounts_identifiers_and_quantities_are_not_contacts() {
        // Real bank notices: an amount, points and a referral code, none of them a number to call.
        assert_eq!(
            statuses("您账户1407于11月24日15:00发生【支付宝】的直付通/快捷支付扣款人民币19000.00[招商银行]"),
            vec![]
        );
        assert_eq!(
            statuses("【浦发银行】绑定浦发信用卡即可获赠10000积分！详询95528"),
            vec![("95528".into(), ContactStatus::Official)]
        );
        assert_eq!(statuses("【浦发银行】修改成功后将获赠19999积分"), vec![]);
        assert_eq!(
            statuses("【招商银行】推荐码11467，详询95555"),
            vec![("95555".into(), ContactStatus::Official)]
        );
        assert_eq!(
            statuses("【平安银行】车辆损失险96800,商业第三者责任险"),
            vec![]
        );
        // The same digits as a number to call are still judged.
        assert_eq!(
            statuses("【支付宝】您的账户异常，请致电19000处理"),
            vec![("19000".into(), ContactStatus::NotOfficial)]
        );
    }

    #[test]
    fn official_numbers_are_evidence_not_proof() {
        let i = run("【工商银行】您尾号1234卡消费128.00元。详询95588").unwrap();
        assert!(!i.suspicious);
        assert_eq!(i.contacts[0].status, ContactStatus::Official);
        assert!(i.contacts[0].message_zh.contains("不是证明"));
        assert_eq!(
            statuses("【银联商务】如有疑问请致电95534"),
            vec![("95534".into(), ContactStatus::Official)]
        );
        assert_eq!(
            statuses("【徐州反诈中心】如遇可疑情况请拨打96110"),
            vec![("96110".into(), ContactStatus::Authority)]
        );
        let i = run("【徐州反诈中心】如遇可疑情况请拨打96110").unwrap();
        assert!(
            i.contacts[0].message_zh.contains("伪造"),
            "{}",
            i.contacts[0].message_zh
        );
        // Area code + 96110 is how 96110 really calls.
        assert_eq!(
            statuses("【反诈中心】提醒您，来电025-96110请接听"),
            vec![("025-96110".into(), ContactStatus::Authority)]
        );
        // Look-alike digits are read as the normaliser reads them (955lб is 95516), but a
        // number written that way cannot be dialled as written: not confirmed as official.
        let i = run("银联提醒：正规收单机构不收押金，有疑问请致电955lб。").unwrap();
        assert_eq!(i.contacts[0].text, "955lб");
        assert_eq!(i.contacts[0].value, "95516");
        assert_eq!(i.contacts[0].status, ContactStatus::Unverified);
        assert!(!i.suspicious);
        assert!(
            i.contacts[0].message_zh.contains("拨不通"),
            "{}",
            i.contacts[0].message_zh
        );
        // Digits at the end of an account name are not a number to call.
        for id in [
            "加微信：95516",
            "微信:95516",
            "加V:95516",
            "wx: 95516",
            "vx 95516",
            "QQ 95516",
            "QQ群95516",
            "95516@qq.com",
        ] {
            let i = run(&format!("银联客服：您的POS机需要升级，请{id}办理")).unwrap();
            assert!(
                i.contacts
                    .iter()
                    .all(|c| c.status != ContactStatus::Official),
                "{id}: {:?}",
                i.contacts
            );
        }
        // A number after a colon that is not an account's label is still judged.
        assert_eq!(
            statuses("【银联商务】如有疑问请致电：95534"),
            vec![("95534".into(), ContactStatus::Official)]
        );
        let i = run("【拉卡拉】您的POS机需升级，请加微信 lkl95016 预约上门").unwrap();
        assert!(
            i.contacts
                .iter()
                .all(|c| c.status != ContactStatus::Official),
            "{:?}",
            i.contacts
        );
        // A value only an agent's site lists is not confirmed either (拉卡拉's 95016 is one).
        let i = run("【拉卡拉】如有疑问请致电95016").unwrap();
        assert_eq!(i.contacts[0].status, ContactStatus::Unverified);
        assert!(
            i.contacts[0].message_zh.contains("代理商"),
            "{}",
            i.contacts[0].message_zh
        );
        assert_eq!(
            statuses("银联提醒：有疑问请致电９５５１６。"),
            vec![("９５５１６".into(), ContactStatus::Official)]
        );
    }

    #[test]
    fn area_code_look_alikes_and_known_fakes() {
        assert_eq!(
            statuses("【工商银行】您的卡被境外POS刷扣5,600.00元，请马上联系客服0592-95534处理"),
            vec![("0592-95534".into(), ContactStatus::AreaCodePrefix)]
        );
        assert_eq!(
            statuses("【工商银行】您的账户异常，请致电０５９５－９５５８８"),
            vec![("０５９５－９５５８８".into(), ContactStatus::AreaCodePrefix)]
        );
        assert_eq!(
            statuses("【工商银行】请回电00095588"),
            vec![("00095588".into(), ContactStatus::KnownFake)]
        );
        assert_eq!(
            statuses("【支付宝】您的借呗逾期，请致电95189"),
            vec![("95189".into(), ContactStatus::KnownFake)]
        );
        assert_eq!(
            statuses("【中国银联】请回电95517核实"),
            vec![("95517".into(), ContactStatus::LookAlike)]
        );
        assert_eq!(
            statuses("【建设银行】请回电0095533核实"),
            vec![("0095533".into(), ContactStatus::LookAlike)]
        );
    }

    #[test]
    fn links_against_official_domains() {
        assert_eq!(
            statuses("【中国银联】请登录https://cn.unionpay.com/ 查看"),
            vec![("https://cn.unionpay.com/".into(), ContactStatus::Official)]
        );
        assert_eq!(
            statuses("【中国银联】请登录t.cn/A6x9Kp升级"),
            vec![("t.cn/A6x9Kp".into(), ContactStatus::HiddenLink)]
        );
        assert_eq!(
            statuses("【工商银行】请登录wap.ddicbc.cn.com认证"),
            vec![("wap.ddicbc.cn.com".into(), ContactStatus::KnownFake)]
        );
        assert_eq!(
            statuses("【工商银行】请登录icbc-pos.top认证"),
            vec![("icbc-pos.top".into(), ContactStatus::LookAlike)]
        );
        // Another brand's domain name in a foreign host.
        let i =
            run("【开店宝POS】检测到异常登录，请在m.yinlian95516.vip/ppj输入卡号解除风险").unwrap();
        assert_eq!(i.contacts[0].status, ContactStatus::LookAlike);
        assert_eq!(i.contacts[0].matched_brand.as_deref(), Some("中国银联"));
        assert_eq!(
            statuses("【中国银行】退款请点击ls9520.net.cn/q办理"),
            vec![("ls9520.net.cn/q".into(), ContactStatus::NotOfficial)]
        );
    }

    #[test]
    fn unknown_numbers_of_thinly_covered_brands_are_unverified() {
        // No reliable hotline of 通联支付 is known: a 95 number cannot be called unofficial.
        let v = statuses("【通联支付】来电提醒：请回电95019871办理换机");
        assert_eq!(v, vec![("95019871".into(), ContactStatus::Unverified)]);
        // ... but a personal mobile in its name is still suspicious.
        let v = statuses("【通联支付】请联系经理13812345678办理");
        assert_eq!(v[0].1, ContactStatus::PersonalMobile);
    }

    #[test]
    fn a_mere_mention_is_not_a_claim() {
        let i = run("姐，你那个拉卡拉的机器好用吗？我电话13812345678").unwrap();
        assert!(!i.brands[0].claimed);
        assert!(!i.suspicious);
        assert_eq!(i.contacts[0].status, ContactStatus::Unverified);
    }
}

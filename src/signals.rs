//! Rule signals: named, human-readable cues that make a verdict easier to trust.
//!
//! They are computed on the normalised text and enter the model as ordinary features (`r|name`), so
//! training decides how much each is worth; the explainer shows the ones present as evidence. No
//! signal overrides the model.

use crate::normalize::{MaskKind, NormalizedText};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::OnceLock;

/// The kinds of rule signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// "回复1 / 回复Y 办理": a reply that triggers an action.
    ReplyAction,
    /// "回T退订 / 拒收请回复R": an opt-out line, as marketing SMS carry.
    OptOut,
    /// A link of any kind.
    Link,
    /// A known URL shortener or a bare IP address link.
    ShortLink,
    /// Asks for card number, password, verification code, CVV, expiry or ID.
    CredentialRequest,
    /// A deposit, activation, service, annual or data fee with an amount or a refund promise.
    FeeDemand,
    /// Threat or urgency: 停用 / 冻结 / 销户 / 后果自负 / 限时.
    Urgency,
    /// Obfuscated spelling: look-alike letters, 薇信, separators planted inside words.
    Obfuscation,
    /// A 【sender】 tag naming a bank, card network, acquirer or POS service.
    BrandSenderTag,
    /// Pushes contact off-channel: add WeChat/QQ, call a mobile number.
    OffChannelContact,
    /// Names a brand but gives a contact that is not its official one (see [`crate::contacts`]).
    UnofficialContact,
    /// "回复R领取 / 回复ok确认": a reply with letters that triggers an action (not an opt-out).
    ReplyLetterAction,
    /// A card debit notice: card tail or account, a spend/debit word, an amount.
    DebitNotice,
    /// A reversal (冲正), cancellation (撤销) or refund notice with an amount.
    ReversalNotice,
    /// A failed or interrupted transaction: 交易失败, 没出小票, 签购单没打出来.
    FailedTransaction,
    /// An anti-fraud warning: tells the reader what a scam looks like (谨防…诈骗, …均是诈骗,
    /// 诈骗高发, 反诈提醒), as police, banks and acquirers send and as scams rarely do.
    FraudWarning,
}

impl SignalKind {
    pub const ALL: [SignalKind; 16] = [
        SignalKind::ReplyAction,
        SignalKind::OptOut,
        SignalKind::Link,
        SignalKind::ShortLink,
        SignalKind::CredentialRequest,
        SignalKind::FeeDemand,
        SignalKind::Urgency,
        SignalKind::Obfuscation,
        SignalKind::BrandSenderTag,
        SignalKind::OffChannelContact,
        SignalKind::UnofficialContact,
        SignalKind::ReplyLetterAction,
        SignalKind::DebitNotice,
        SignalKind::ReversalNotice,
        SignalKind::FailedTransaction,
        SignalKind::FraudWarning,
    ];

    /// Whether the signal is a model feature (`r|<name>`). `Obfuscation` is shown as evidence but
    /// is not a feature: the normaliser already folds the disguised spelling back, so the features
    /// of `P0S机` and `pos机` are the same, and a feature that flags the disguise itself would make
    /// the model's verdict change with the spelling — the opposite of what the evasion suite
    /// (`posguard robustness`) demands of it.
    pub fn is_feature(self) -> bool {
        self != SignalKind::Obfuscation
    }

    /// Whether the signal points at a scam when present. The others describe the message (a link,
    /// an opt-out line, a sender tag) or are what genuine notices carry (debit, reversal, failed
    /// transaction); on a legit message only scam cues are false alarms.
    pub fn is_scam_cue(self) -> bool {
        !matches!(
            self,
            SignalKind::Link
                | SignalKind::OptOut
                | SignalKind::BrandSenderTag
                | SignalKind::DebitNotice
                | SignalKind::ReversalNotice
                | SignalKind::FailedTransaction
                | SignalKind::FraudWarning
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            SignalKind::ReplyAction => "reply_action",
            SignalKind::OptOut => "opt_out",
            SignalKind::Link => "link",
            SignalKind::ShortLink => "short_link",
            SignalKind::CredentialRequest => "credential_request",
            SignalKind::FeeDemand => "fee_demand",
            SignalKind::Urgency => "urgency",
            SignalKind::Obfuscation => "obfuscation",
            SignalKind::BrandSenderTag => "brand_sender_tag",
            SignalKind::OffChannelContact => "off_channel_contact",
            SignalKind::UnofficialContact => "unofficial_contact",
            SignalKind::ReplyLetterAction => "reply_letter_action",
            SignalKind::DebitNotice => "debit_notice",
            SignalKind::ReversalNotice => "reversal_notice",
            SignalKind::FailedTransaction => "failed_transaction",
            SignalKind::FraudWarning => "fraud_warning",
        }
    }

    /// Short Chinese description shown as evidence.
    pub fn zh(self) -> &'static str {
        match self {
            SignalKind::ReplyAction => "要求回复数字/字母办理",
            SignalKind::OptOut => "营销退订提示",
            SignalKind::Link => "含链接",
            SignalKind::ShortLink => "短链接或IP链接",
            SignalKind::CredentialRequest => "索要卡号/密码/验证码",
            SignalKind::FeeDemand => "收取押金/激活费等费用",
            SignalKind::Urgency => "停用/冻结等威胁或催促",
            SignalKind::Obfuscation => "刻意变形的字词",
            SignalKind::BrandSenderTag => "短信签名是品牌名（真假需核实）",
            SignalKind::OffChannelContact => "引导加微信/QQ或私人号码",
            SignalKind::UnofficialContact => "自称官方，联系方式却不是官方的",
            SignalKind::ReplyLetterAction => "要求回复字母办理",
            SignalKind::DebitNotice => "银行卡扣款/消费通知",
            SignalKind::ReversalNotice => "冲正/撤销/退款通知",
            SignalKind::FailedTransaction => "交易失败/未出小票",
            SignalKind::FraudWarning => "反诈提醒（教人识别骗局）",
        }
    }

    /// Short English description.
    pub fn en(self) -> &'static str {
        match self {
            SignalKind::ReplyAction => "asks for a reply (digit/Y) to act",
            SignalKind::OptOut => "marketing opt-out line",
            SignalKind::Link => "contains a link",
            SignalKind::ShortLink => "short link or IP link",
            SignalKind::CredentialRequest => "asks for card number / password / code",
            SignalKind::FeeDemand => "deposit, activation or other fee",
            SignalKind::Urgency => "threat or urgency (停用/冻结 …)",
            SignalKind::Obfuscation => "deliberately disguised words",
            SignalKind::BrandSenderTag => "sender tag names a brand",
            SignalKind::OffChannelContact => "pushes to WeChat/QQ or a private number",
            SignalKind::UnofficialContact => "claims a brand but gives a non-official contact",
            SignalKind::ReplyLetterAction => "asks for a letter reply (R …) to act",
            SignalKind::DebitNotice => "card debit notice",
            SignalKind::ReversalNotice => "reversal / cancellation / refund notice",
            SignalKind::FailedTransaction => "failed transaction / no slip printed",
            SignalKind::FraudWarning => "anti-fraud warning (how to spot a scam)",
        }
    }
}

/// One rule signal found in a message, with the normalised character range that triggered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub kind: SignalKind,
    pub chars: Range<usize>,
}

const SHORTENERS: &[&str] = &[
    "t.cn",
    "dwz.cn",
    "url.cn",
    "suo.im",
    "suo.nz",
    "3.cn",
    "u.nu",
    "bit.ly",
    "tinyurl.com",
    "w.url.cn",
    "sina.lt",
    "mrw.so",
    "rrd.me",
    "c.tb.cn",
    "e.tb.cn",
    "m.tb.cn",
    "dwz.date",
    "0x3.me",
    "kks.me",
    "is.gd",
    "goo.gl",
    "t.me",
    "tb.cn",
    "uee.me",
    "dwz.mk",
    "wurl.cn",
];

/// A regex compiled on first use, so a process compiles only the rules its messages need.
struct LazyRegex {
    pattern: &'static str,
    re: OnceLock<Regex>,
}

impl LazyRegex {
    const fn new(pattern: &'static str) -> Self {
        LazyRegex {
            pattern,
            re: OnceLock::new(),
        }
    }

    fn get(&self) -> &Regex {
        self.re
            .get_or_init(|| Regex::new(self.pattern).expect("signal regex compiles"))
    }
}

// The rules of the first model: byte-for-byte what the shipped model was trained with.
static REPLY_ACTION: LazyRegex = LazyRegex::new(
    r"(?:回复|回|发送|编辑短信|短信回复|按)\s?(?:数字)?[\s“”\x22']?(?:[0-9]|y|是|好|同意|办理)(?:[\s“”\x22']|$|[^0-9a-z])",
);
static OPT_OUT: LazyRegex = LazyRegex::new(
    r"(?:回复?|发送?)\s?(?:t|td|r|n|0|退订|拒收)\s?(?:退订|拒收|退)|拒收请回复?\s?[a-z0-9]|退订回?\s?[a-z]",
);
static CREDENTIAL: LazyRegex = LazyRegex::new(
    r"(?:提供|发送|告知|告诉|报一?下|输入|填写|核对|确认|登记|上传|回复|说一?下|念一?下|拍照)[^。!?\n]{0,12}?(?:卡号|密码|验证码|动态码|校验码|有效期|cvv|cvn|安全码|卡背|身份证|银行卡|信用卡号|短信码)",
);
static FEE: LazyRegex = LazyRegex::new(
    r"(?:押金|激活费|服务费|年费|流量费|保证金|会员费|开通费|工本费|管理费|认证费|升级费|手续费|物料费|机具费)[^。!?\n]{0,8}?\u{E005}|\u{E005}[^。!?\n]{0,6}?(?:押金|激活费|服务费|年费|流量费|保证金|会员费|开通费|工本费|管理费|认证费|升级费)|(?:刷满|交易满|达标)[^。!?\n]{0,8}?(?:返还|退还|返)|(?:押金|激活费|服务费)[^。!?\n]{0,6}?(?:返还|退还|全退|可退)",
);
// Threats and hard deadlines. Plain time words (到期, 截止, 立即, 尽快, 马上, 当天, 逾期) are left
// out: genuine bills and notices are full of them (到期还款日, 活动截止, 请尽快还款) — the rule with
// them fired on 9.6% of the corpus's legit training rows and 10.5% of mudou_spam's, this list on
// 3.6% and 1.4% — and the scams that use them pair them with a threat (到期即将停用).
static URGENCY: LazyRegex = LazyRegex::new(
    r"停用|停机|冻结|销户|注销|作废|失效|封停|关停|强制|后果自负|影响征信|列入黑名单|限期|最后期限|务必|今日内|今天内|小时内",
);
/// Denials and warnings before or inside a credential request or a fee ([`detect`]).
static NEGATION: LazyRegex = LazyRegex::new(
    r"不会|不要|不得|不需|不用|不收|勿|绝不|从不|严禁|谨防|警惕|无需|免收|免押|无押金|零押金|0押金",
);
/// Words that turn a denial into a demand (不收押金，只需交激活费).
static CONTRAST: LazyRegex = LazyRegex::new(r"只需|仅需|只要|但|不过|需要|需交|需缴|仅收|只收");
/// How many characters before a match a denial is looked for, within its sentence (请勿向任何人
/// 提供 …, 银联不会要求商户缴纳押金或提供验证码).
const NEGATION_REACH: usize = 14;
static SENDER_TAG: LazyRegex = LazyRegex::new(r"[【\[]([^】\]]{1,16})[】\]]");
// A push to another channel: "add / contact … WeChat, QQ, a mobile, an account manager", or a
// WeChat/QQ account given (微信:pos8899, 微信同号<mobile>, qq号<number>). A bare mention of WeChat
// (关注微信公众号, 微信支付) is not one: the rule that took any mention fired on 5.0% of
// mudou_spam's legit training rows, this one on 0.4%.
static OFF_CHANNEL: LazyRegex = LazyRegex::new(
    r"(?:加|\+|添加|联系|咨询|私信)[^。!?\n]{0,4}?(?:微信|qq|v|wx|\u{E001}|客服经理|业务员)|(?:微信|qq)(?:号|同号)?\s?:?\s?(?:[a-z0-9_\-]{5,}|[\u{E001}\u{E004}\u{E00A}])",
);
// The rules of the signals added after the first model.
static REPLY_LETTER: LazyRegex = LazyRegex::new(
    r"(?:回复|回|发送|短信回复|编辑短信)\s?[“”\x22']?([a-z]{1,3})[“”\x22']?\s?(?:即可)?(?:确认|办理|更换|换机|领取|激活|升级|申请|预约|参与|开通|免费|保留|继续|同意)",
);
static DEBIT: LazyRegex = LazyRegex::new(
    r"(?:\u{E008}|账户|帐户|信用卡|储蓄卡|借记卡)[^。!?\n]{0,40}?(?:消费|支出|扣款|扣费|取现|转出|支付|刷卡|刷扣|付款)[^。!?\n]{0,16}?\u{E005}",
);
static REVERSAL: LazyRegex = LazyRegex::new(
    r"(?:冲正|撤销|退货|退款|退回|原路退回)[^。!?\n]{0,20}?\u{E005}|\u{E005}[^。!?\n]{0,24}?(?:冲正|撤销|已退回|退回原卡|将退回|原路退回|已退款)|自动冲正|冲正成功|已冲正",
);
// A warning about scams: on guard against one, "… are all scams", scams are rife, an anti-fraud
// notice. Every match holds 骗, 反诈 or 防诈 (the prefilter's FRAUD_WARN group). Words that also open
// fake-police scams are left out: 诈骗案件 (您涉嫌一起诈骗案件), 诈骗手法/套路 (a fake officer
// "explaining" the scam), 反诈中心/专线 (我是反诈中心的). Until 2026-11-27 they were in, and fired on
// 120 teleantifraud and 13 corpus scam training rows (47 and 0 now).
static FRAUD_WARNING: LazyRegex = LazyRegex::new(
    r"(?:谨防|警惕|提防|小心|当心|防范|识别|远离|谨记|切勿上当)[^。!?\n]{0,12}?(?:诈骗|骗局|骗子|被骗|受骗|上当受骗)|(?:诈骗|骗局)(?:高发|多发|频发)|(?:均|都|皆|一律|全|全部|肯定|必定|就)(?:是|为|系|属于?)[^。!?\n]{0,2}?(?:诈骗|骗子|骗局)|(?:反诈|防骗|防诈)(?:提醒|提示|宣传|知识|预警)",
);
static FAILED: LazyRegex = LazyRegex::new(
    r"(?:没|未|没有)(?:打印|打|出|吐)(?:出来?)?(?:小票|单子|签购单|凭条|票)|(?:小票|签购单|单子|凭条)[^。!?\n]{0,4}?(?:没|未|没有)(?:打印|打|出)|(?:交易|刷卡|支付|付款)(?:失败|不成功|没成功|未成功|中断|超时)|(?:显示|提示)[^。!?\n]{0,4}?(?:失败|不成功|超时)",
);

/// A literal prefilter for the rules: one pass of one automaton over the text tells which groups
/// of literals occur, and a rule runs only when every literal group it cannot match without is
/// present. Each group lists literals at least one of which every match of the rule contains, so
/// skipping a rule never loses a match (`tests::prefilter_keeps_every_signal` checks this on the
/// whole corpus against the unfiltered rules).
mod gate {
    pub const HUI: u32 = 1 << 0;
    pub const FA: u32 = 1 << 1;
    pub const BIANJI: u32 = 1 << 2;
    pub const AN: u32 = 1 << 3;
    pub const TUIDING: u32 = 1 << 4;
    pub const CRED_VERB: u32 = 1 << 5;
    pub const CRED_NOUN: u32 = 1 << 6;
    pub const FEE: u32 = 1 << 7;
    pub const URGENCY: u32 = 1 << 8;
    pub const TAG: u32 = 1 << 9;
    pub const OFF: u32 = 1 << 10;
    pub const DEBIT: u32 = 1 << 11;
    pub const MONEY: u32 = 1 << 12;
    pub const REVERSAL: u32 = 1 << 13;
    pub const FAILED: u32 = 1 << 14;
    pub const FRAUD_WARN: u32 = 1 << 15;

    pub const GROUPS: &[(u32, &[&str])] = &[
        (HUI, &["回"]),
        (FA, &["发"]),
        (BIANJI, &["编辑短信"]),
        (AN, &["按"]),
        (TUIDING, &["退订"]),
        (
            CRED_VERB,
            &[
                "提供", "发送", "告知", "告诉", "报", "输入", "填写", "核对", "确认", "登记",
                "上传", "回复", "说", "念", "拍照",
            ],
        ),
        (
            CRED_NOUN,
            &[
                "卡号",
                "密码",
                "验证码",
                "动态码",
                "校验码",
                "有效期",
                "cvv",
                "cvn",
                "安全码",
                "卡背",
                "身份证",
                "银行卡",
                "信用卡号",
                "短信码",
            ],
        ),
        (
            FEE,
            &[
                "押金",
                "激活费",
                "服务费",
                "年费",
                "流量费",
                "保证金",
                "会员费",
                "开通费",
                "工本费",
                "管理费",
                "认证费",
                "升级费",
                "手续费",
                "物料费",
                "机具费",
                "刷满",
                "交易满",
                "达标",
            ],
        ),
        (
            URGENCY,
            &[
                "停用",
                "停机",
                "冻结",
                "销户",
                "注销",
                "作废",
                "失效",
                "封停",
                "关停",
                "强制",
                "后果自负",
                "影响征信",
                "列入黑名单",
                "限期",
                "最后期限",
                "务必",
                "今日内",
                "今天内",
                "小时内",
            ],
        ),
        (TAG, &["【", "["]),
        (OFF, &["加", "+", "联系", "咨询", "私信", "微信", "qq"]),
        (
            DEBIT,
            &["\u{E008}", "账户", "帐户", "信用卡", "储蓄卡", "借记卡"],
        ),
        (MONEY, &["\u{E005}"]),
        (REVERSAL, &["冲正", "撤销", "退货", "退款", "退回"]),
        (FAILED, &["没", "未", "失败", "不成功", "中断", "超时"]),
        (FRAUD_WARN, &["骗", "反诈", "防诈"]),
    ];
}

struct Gate {
    ac: aho_corasick::AhoCorasick,
    /// Groups of each automaton pattern.
    masks: Vec<u32>,
}

fn gate() -> &'static Gate {
    static G: OnceLock<Gate> = OnceLock::new();
    G.get_or_init(|| {
        let mut lits: Vec<&str> = Vec::new();
        let mut masks: Vec<u32> = Vec::new();
        for (bit, words) in gate::GROUPS {
            for w in *words {
                match lits.iter().position(|l| l == w) {
                    Some(i) => masks[i] |= bit,
                    None => {
                        lits.push(w);
                        masks.push(*bit);
                    }
                }
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&lits)
            .expect("signal prefilter builds");
        Gate { ac, masks }
    })
}

/// The literal groups present in `text`.
fn present_groups(text: &str) -> u32 {
    let g = gate();
    let mut m = 0;
    for hit in g.ac.find_overlapping_iter(text) {
        m |= g.masks[hit.pattern().as_usize()];
    }
    m
}

const BRAND_WORDS: &[&str] = &[
    "银联",
    "银行",
    "pos",
    "支付",
    "付",
    "拉卡拉",
    "乐刷",
    "盛付通",
    "联动优势",
    "海科",
    "付临门",
    "嘉联",
    "通联",
    "快钱",
    "汇付",
    "中付",
    "合利宝",
    "易宝",
    "汇来米",
    "钱宝",
    "开店宝",
    "星驿",
    "收单",
    "商户",
    "电签",
    "刷卡",
    "服务中心",
    "总部",
    "金融",
    "信用卡",
];

/// Finds the rule signals in a normalised message. `original` is the message as received.
pub fn detect(n: &NormalizedText, original: &str) -> Vec<Signal> {
    let imp = crate::contacts::check(n, original);
    detect_with(n, original, imp.as_ref())
}

/// Like [`detect`], with the message's impersonation check already done
/// (`crate::contacts::check(n, original)`), so it is not done twice.
pub fn detect_with(
    n: &NormalizedText,
    original: &str,
    impersonation: Option<&crate::contacts::Impersonation>,
) -> Vec<Signal> {
    detect_gated(n, original, impersonation, present_groups(n.text()))
}

/// The detection with the literal groups found in the text: a rule runs only when the literals
/// it needs are present (`groups = u32::MAX` runs every rule, as the prefilter's test does).
fn detect_gated(
    n: &NormalizedText,
    original: &str,
    impersonation: Option<&crate::contacts::Impersonation>,
    groups: u32,
) -> Vec<Signal> {
    let text = n.text();
    let has = |g: u32| groups & g == g;
    let any = |g: u32| groups & g != 0;
    let mut out = Vec::new();
    let mut chars = CharCursor::new(text);
    // With `deniable`, a match that is denied or warned against (我行不会索要验证码, 请勿向他人
    // 提供验证码, 无押金) is skipped: that is what genuine notices and warnings say.
    let mut push_all = |kind: SignalKind, re: &LazyRegex, deniable: bool, out: &mut Vec<Signal>| {
        for m in re.get().find_iter(text) {
            if deniable {
                // Up to NEGATION_REACH characters back, not past the end of a sentence.
                let from = text[..m.start()]
                    .char_indices()
                    .rev()
                    .take(NEGATION_REACH)
                    .take_while(|&(_, c)| !matches!(c, '。' | '!' | '?' | ';' | '\n'))
                    .last()
                    .map_or(m.start(), |(i, _)| i);
                // "不收押金，只需交激活费99元" denies one fee to demand another: a contrast after
                // the denial lifts it.
                let window = &text[from..m.end()];
                let denied = NEGATION
                    .get()
                    .find_iter(window)
                    .last()
                    .is_some_and(|n| !CONTRAST.get().is_match(&window[n.end()..]));
                if denied {
                    continue;
                }
            }
            out.push(Signal {
                kind,
                chars: chars.range(m.range()),
            });
        }
    };
    if any(gate::HUI | gate::FA | gate::BIANJI | gate::AN) {
        push_all(SignalKind::ReplyAction, &REPLY_ACTION, false, &mut out);
    }
    if any(gate::HUI | gate::FA | gate::TUIDING) {
        push_all(SignalKind::OptOut, &OPT_OUT, false, &mut out);
    }
    if has(gate::CRED_VERB | gate::CRED_NOUN) {
        push_all(SignalKind::CredentialRequest, &CREDENTIAL, true, &mut out);
    }
    if any(gate::FEE) {
        push_all(SignalKind::FeeDemand, &FEE, true, &mut out);
    }
    if any(gate::URGENCY) {
        push_all(SignalKind::Urgency, &URGENCY, false, &mut out);
    }
    if any(gate::OFF) {
        push_all(SignalKind::OffChannelContact, &OFF_CHANNEL, false, &mut out);
    }
    if any(gate::TAG) {
        // The whole match is an opening bracket, the tag's inside, and a closing bracket.
        for m in SENDER_TAG.get().find_iter(text) {
            let s = m.as_str();
            let open = s.chars().next().map_or(0, char::len_utf8);
            let close = s.chars().next_back().map_or(0, char::len_utf8);
            let inner = &s[open..s.len() - close];
            if BRAND_WORDS.iter().any(|w| inner.contains(w)) {
                out.push(Signal {
                    kind: SignalKind::BrandSenderTag,
                    chars: chars.range(m.range()),
                });
            }
        }
    }
    for m in n.masks() {
        if m.kind != MaskKind::Url {
            continue;
        }
        let chars = m.norm_index..m.norm_index + 1;
        out.push(Signal {
            kind: SignalKind::Link,
            chars: chars.clone(),
        });
        let link = original
            .get(m.original.clone())
            .unwrap_or_default()
            .to_lowercase();
        if is_short_or_ip_link(&link) {
            out.push(Signal {
                kind: SignalKind::ShortLink,
                chars,
            });
        }
    }
    for r in n.obfuscated() {
        out.push(Signal {
            kind: SignalKind::Obfuscation,
            chars: r.clone(),
        });
    }
    detect_extra(n, groups, impersonation, &mut out);
    out.sort_by_key(|s| (s.chars.start, s.kind as u8));
    out
}

/// The signals added after the first model: unofficial contacts, letter replies, the transaction
/// notices (debit, reversal/refund, failed transaction) that legit messages carry, and anti-fraud
/// warnings.
fn detect_extra(
    n: &NormalizedText,
    groups: u32,
    impersonation: Option<&crate::contacts::Impersonation>,
    out: &mut Vec<Signal>,
) {
    let text = n.text();
    let has = |g: u32| groups & g == g;
    let any = |g: u32| groups & g != 0;
    let mut chars = CharCursor::new(text);
    if let Some(imp) = impersonation {
        for c in imp.findings() {
            out.push(Signal {
                kind: SignalKind::UnofficialContact,
                chars: c.norm_chars.clone(),
            });
        }
    }
    if any(gate::HUI | gate::FA | gate::BIANJI) {
        for caps in REPLY_LETTER.get().captures_iter(text) {
            if caps.get(1).is_some_and(|l| l.as_str() == "y") {
                continue; // covered by reply_action
            }
            out.push(Signal {
                kind: SignalKind::ReplyLetterAction,
                chars: chars.range(caps.get(0).expect("group 0").range()),
            });
        }
    }
    let reversals: Vec<Range<usize>> = if any(gate::REVERSAL) {
        REVERSAL.get().find_iter(text).map(|m| m.range()).collect()
    } else {
        Vec::new()
    };
    if has(gate::DEBIT | gate::MONEY) {
        for m in DEBIT.get().find_iter(text) {
            // "消费冲正 78.00元" is a reversal, not a debit.
            let clause_end = text[m.end()..]
                .find(['。', '!', '?', ',', ';'])
                .map_or(text.len(), |i| m.end() + i);
            if reversals
                .iter()
                .any(|x| x.start < clause_end && m.start() < x.end)
            {
                continue;
            }
            out.push(Signal {
                kind: SignalKind::DebitNotice,
                chars: chars.range(m.range()),
            });
        }
    }
    for x in reversals {
        out.push(Signal {
            kind: SignalKind::ReversalNotice,
            chars: chars.range(x),
        });
    }
    if any(gate::FAILED) {
        for m in FAILED.get().find_iter(text) {
            out.push(Signal {
                kind: SignalKind::FailedTransaction,
                chars: chars.range(m.range()),
            });
        }
    }
    if any(gate::FRAUD_WARN) {
        for m in FRAUD_WARNING.get().find_iter(text) {
            out.push(Signal {
                kind: SignalKind::FraudWarning,
                chars: chars.range(m.range()),
            });
        }
    }
}

/// Turns byte ranges of a text into character ranges, counting on from the previous range when
/// ranges come in order (as one rule's matches do) instead of from the start of the text.
struct CharCursor<'a> {
    text: &'a str,
    byte: usize,
    char: usize,
}

impl<'a> CharCursor<'a> {
    fn new(text: &'a str) -> Self {
        CharCursor {
            text,
            byte: 0,
            char: 0,
        }
    }

    fn range(&mut self, b: Range<usize>) -> Range<usize> {
        if b.start < self.byte {
            self.byte = 0;
            self.char = 0;
        }
        self.char += self.text[self.byte..b.start].chars().count();
        self.byte = b.start;
        self.char..self.char + self.text[b].chars().count()
    }
}

/// True for links through a URL shortener or to a bare IP address.
pub fn is_short_or_ip_link(link: &str) -> bool {
    let host = link
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    if !host.is_empty()
        && host.split('.').count() == 4
        && host.split('.').all(|p| p.parse::<u8>().is_ok())
    {
        return true;
    }
    SHORTENERS
        .iter()
        .any(|s| host == *s || host.ends_with(&format!(".{s}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalizer;

    fn kinds(s: &str) -> Vec<SignalKind> {
        let n = Normalizer.normalize(s);
        let mut k: Vec<_> = detect(&n, s).into_iter().map(|s| s.kind).collect();
        k.dedup();
        k
    }

    #[test]
    fn scam_cues_are_found() {
        let k = kinds("【POS服务中心】您的机器备案到期即将停用，回复1免费更换，详情t.cn/A6x9Kp");
        for want in [
            SignalKind::BrandSenderTag,
            SignalKind::Urgency,
            SignalKind::ReplyAction,
            SignalKind::Link,
            SignalKind::ShortLink,
        ] {
            assert!(k.contains(&want), "{want:?} missing from {k:?}");
        }
        let k = kinds("新机需交押金299元，刷满3万返还，请提供卡号和验证码激活");
        assert!(k.contains(&SignalKind::FeeDemand), "{k:?}");
        assert!(k.contains(&SignalKind::CredentialRequest), "{k:?}");
        assert!(kinds("加薇信领取").contains(&SignalKind::Obfuscation));
    }

    #[test]
    fn denied_requests_and_fees_are_not_requests() {
        for legit in [
            "【工商银行】验证码482913，请勿向任何人提供验证码。",
            "我行工作人员不会索要您的密码和验证码",
            "正规机构换机不收押金，谨防有人以押金299元为名诈骗",
            "本次换机无押金，机具费0元",
            "【中国银联】警惕！银联不会要求商户缴纳押金或提供验证码。如有疑问请拨95516。",
        ] {
            let k = kinds(legit);
            assert!(
                !k.contains(&SignalKind::CredentialRequest) && !k.contains(&SignalKind::FeeDemand),
                "{legit}: {k:?}"
            );
        }
        // A denial of one fee before the demand of another is no denial.
        let k = kinds("免费送POS机，不收押金，只需交激活费99元");
        assert!(k.contains(&SignalKind::FeeDemand), "{k:?}");
        // A denial in the sentence before does not reach this one.
        let k = kinds("请勿泄露。请提供卡号和验证码激活，新机押金299元");
        assert!(k.contains(&SignalKind::CredentialRequest), "{k:?}");
        assert!(k.contains(&SignalKind::FeeDemand), "{k:?}");
    }

    #[test]
    fn off_channel_is_a_push_not_a_mention() {
        for legit in [
            "【招商银行】关注招商银行微信公众号，账单随时查",
            "您已使用微信支付128.00元",
        ] {
            assert!(
                !kinds(legit).contains(&SignalKind::OffChannelContact),
                "{legit}"
            );
        }
        for scam in [
            "办理请加微信pos8899",
            "微信同号13812345678，免费换机",
            "详情咨询客服经理",
            "微信:abc_shop88 办理",
            "请+微信:pos_8899",
            "客服qq:12345",
        ] {
            assert!(
                kinds(scam).contains(&SignalKind::OffChannelContact),
                "{scam}"
            );
        }
    }

    #[test]
    fn urgency_is_a_threat_not_a_date() {
        // Genuine bills and notices are full of time words; none of them is a threat.
        for legit in [
            "【光大银行】您尾号0637的信用卡本期账单27,135.61元，到期还款日10月17日。如已还款请忽略。",
            "【浦发银行】您的借记卡将于11月8日到期，可携身份证到网点免费换卡。",
            "活动截止11月30日，请尽快登录App查看",
        ] {
            assert!(!kinds(legit).contains(&SignalKind::Urgency), "{legit}");
        }
        for scam in [
            "您的POS机备案到期，逾期将停机",
            "终端将被冻结，请务必24小时内回复",
            "逾期不处理后果自负",
        ] {
            assert!(kinds(scam).contains(&SignalKind::Urgency), "{scam}");
        }
    }

    #[test]
    fn bank_notice_has_no_scam_cues() {
        let k =
            kinds("【工商银行】您尾号1234卡11月26日14:05POS支出(消费)128.00元，余额5,430.21元。");
        // A sender tag and the debit notice itself (a legit cue): nothing scam-like.
        assert_eq!(k, vec![SignalKind::BrandSenderTag, SignalKind::DebitNotice]);
    }

    #[test]
    fn added_signals() {
        let k = kinds("【中国银联】您的POS已被列入风险商户，请尽快致电客服182 6989 6015。");
        assert!(k.contains(&SignalKind::UnofficialContact), "{k:?}");
        assert!(!kinds("【工商银行】详询95588").contains(&SignalKind::UnofficialContact));
        assert!(kinds("回复R领取新机").contains(&SignalKind::ReplyLetterAction));
        assert!(!kinds("拒收请回复R").contains(&SignalKind::ReplyLetterAction));
        let k =
            kinds("【工商银行】您尾号1234卡11月26日14:05POS支出(消费)128.00元，余额5,430.21元。");
        assert!(k.contains(&SignalKind::DebitNotice), "{k:?}");
        let k = kinds("【中国银行】您尾号8693卡12月28日12:38POS消费冲正78.00元，资金已退回。");
        assert!(k.contains(&SignalKind::ReversalNotice), "{k:?}");
        assert!(!k.contains(&SignalKind::DebitNotice), "{k:?}");
        assert!(kinds("客户手机收到扣款短信，但是POS机没出小票")
            .contains(&SignalKind::FailedTransaction));
        assert!(kinds("pos机刷卡时显示交易失败").contains(&SignalKind::FailedTransaction));
        assert!(!kinds("新机需交押金299元，刷满3万返还").contains(&SignalKind::ReversalNotice));
    }

    #[test]
    fn fraud_warnings_are_found() {
        for w in [
            "【无锡公安】提醒，近期“POS机换新、零费率”类诈骗高发，凡要求您交押金、报验证码的均是诈骗。",
            "银联提醒：谨防冒充客服的电话诈骗，请勿向他人透露验证码。",
            "收到让你交押金换新机的短信，肯定是骗子，别理。",
            "【某银行】反诈提醒：任何以“免费换机”为由索要验证码的都是诈骗。",
        ] {
            assert!(kinds(w).contains(&SignalKind::FraudWarning), "{w}");
        }
        for s in [
            "您的POS机备案到期即将停用，回复1免费更换新机",
            "您尾号1234的信用卡消费人民币58.00元",
            // Fake-police openers name a case or a centre; they are not warnings.
            "您好，这里是市公安局，您的银行卡涉嫌一起诈骗案件，请配合调查",
            "我是反诈中心的警官，现在需要核实您名下的POS机账户",
            "我们掌握了这个团伙的诈骗手法，需要您把资金转入安全账户",
        ] {
            assert!(!kinds(s).contains(&SignalKind::FraudWarning), "{s}");
        }
        assert!(!SignalKind::FraudWarning.is_scam_cue());
    }

    #[test]
    fn prefilter_keeps_every_signal() {
        let mut texts = crate::test_corpus::corpus_texts();
        // Messages that exercise every rule, whatever the corpus holds.
        texts.extend(
            [
                "退订回t",
                "拒收请回复r",
                "回复td退订",
                "报下卡号",
                "念一下验证码",
                "刷满5万返还",
                "押金299元可退",
                "加v：abc123",
                "qq号:12345",
                "[银联]您的pos",
                "回复\"ab\"即可领取",
                "账户支出消费100元，已冲正",
                "没打出来小票",
                "交易超时",
                "提示失败",
            ]
            .map(String::from),
        );
        let mut fired = std::collections::HashSet::new();
        for t in &texts {
            let n = Normalizer.normalize(t);
            let imp = crate::contacts::check(&n, t);
            // Every rule run on every message: what the prefilter must not change.
            let want = detect_gated(&n, t, imp.as_ref(), u32::MAX);
            assert_eq!(
                detect_with(&n, t, imp.as_ref()),
                want,
                "signals differ on {t:?}"
            );
            assert_eq!(detect(&n, t), want, "signals differ on {t:?}");
            fired.extend(want.iter().map(|s| s.kind));
        }
        // The check can fail: every kind of signal occurs.
        assert_eq!(fired.len(), SignalKind::ALL.len(), "{fired:?}");
    }

    #[test]
    fn ip_and_short_links() {
        assert!(is_short_or_ip_link("http://103.20.1.9/pos"));
        assert!(is_short_or_ip_link("t.cn/abc"));
        assert!(!is_short_or_ip_link("https://www.95516.com/"));
    }
}

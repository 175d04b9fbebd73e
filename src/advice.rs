//! What to do: short, concrete advice in Chinese with an English gloss, for the verdict, each
//! flagged pattern, an impersonation finding, and the genuine transaction notices (debit, reversal,
//! refund, interrupted transaction) that merchants mistake for scams.
//!
//! [`TEXTS`] is the one place that defines the advice texts; [`advise`] picks the ones that apply to
//! a message from its verdict, its rule signals and its impersonation check.

use crate::contacts::Impersonation;
use crate::labels::{Pattern, Verdict};
use crate::signals::SignalKind;
use crate::verdict::VerdictResult;
use serde::Serialize;

/// One advice text, in Chinese with its English gloss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdviceText {
    pub id: &'static str,
    /// The headline: one sentence.
    pub zh: &'static str,
    pub en: &'static str,
    /// Concrete steps.
    pub steps_zh: &'static [&'static str],
    pub steps_en: &'static [&'static str],
}

/// Every advice text. Ids are stable (they appear in `score` output).
pub const TEXTS: &[AdviceText] = &[
    AdviceText {
        id: "scam",
        zh: "判定为诈骗：不要回复、不要点链接、不要回拨消息里的号码，也不要转账或交押金。",
        en: "Scam: do not reply, click links or call back numbers in the message, and do not pay anything or hand over a deposit.",
        steps_zh: &[
            "要核实，就自己拨打机身或收单机构App上印的官方客服电话，不用消息里的号码。",
            "可拨打 96110 反诈专线咨询；把短信转发到 12321 举报。",
            "已经转账或说出了卡号、验证码：立即致电发卡行冻结止付，并拨打 110 报警。",
        ],
        steps_en: &[
            "To check, call the official hotline printed on the terminal or in the acquirer's app yourself — never a number from the message.",
            "Call 96110 (national anti-fraud line) for advice; forward the SMS to 12321 to report it.",
            "Already paid or gave card numbers or codes: call the card's bank to freeze the card, and call 110 (police).",
        ],
    },
    AdviceText {
        id: "spam",
        zh: "推销广告：可以忽略，不要点链接，也不要按消息里的号码办理业务。",
        en: "Marketing: safe to ignore; do not click links or sign up through numbers in the message.",
        steps_zh: &[
            "换机、调费率只通过自己收单机构的官方渠道办理。",
            "骚扰不断可把短信转发到 12321 举报。",
        ],
        steps_en: &[
            "Change terminals or rates only through your own acquirer's official channels.",
            "If it keeps coming, forward the SMS to 12321 to report it.",
        ],
    },
    AdviceText {
        id: "legit",
        zh: "未发现诈骗特征。",
        en: "No scam cues found.",
        steps_zh: &["若消息要你付款、提供验证码或换机，仍请先用官方客服核实。"],
        steps_en: &["If a message asks you to pay, give a code or swap your terminal, still check with the official hotline first."],
    },
    AdviceText {
        id: "legit_but_check",
        zh: "模型判为正常，但消息里有风险信号（索要信息、短链接、非官方联系方式等），先核实再行动。",
        en: "The model sees it as legitimate, but the message carries risk cues (requests for data, short links, non-official contacts): check before acting.",
        steps_zh: &["用官方客服核实；不要点链接，不要提供卡号、密码或验证码。"],
        steps_en: &["Check with the official hotline; do not click links or give card numbers, passwords or codes."],
    },
    AdviceText {
        id: "official_channel_only",
        zh: "措辞像诈骗，但消息只给出所称机构的官方联系方式，也没要你回复、点链接、提供卡号验证码或付款，所以不判为诈骗。",
        en: "The wording reads like a scam, but the message gives only the official contacts of the organisation it speaks for and asks for no reply, link, card data, code or payment, so it is not called a scam.",
        steps_zh: &[
            "要办理或核实，自己拨打机身、卡背面或官方App上的号码；短信签名和号码都能伪造。",
            "之后若有人来电或上门，要你提供验证码、付款、交押金或换机，那就是诈骗。",
        ],
        steps_en: &[
            "To act on it or check it, call the number on the terminal, the back of the card or the official app yourself; sender tags and numbers can be spoofed.",
            "If someone then calls or visits asking for a code, a payment, a deposit or a terminal swap, that is the scam.",
        ],
    },
    AdviceText {
        id: "fake_upgrade",
        zh: "“备案到期/系统升级/即将停用，回复1换新机”是冒充通知：多家收单机构声明不会用短信或电话要求换机。",
        en: "'Filing expired / system upgrade / terminal about to stop — reply 1 for a new one' is a fake notice: acquirers state they never ask for a terminal swap by SMS or phone.",
        steps_zh: &[
            "不要回复数字或字母，不要点链接。",
            "机器能否继续用，拨打机身或收单App上的官方客服确认。",
            "不要把旧机交给上门“换机”的人；所谓新机常被调高费率或要收押金。",
        ],
        steps_en: &[
            "Do not reply with a digit or letter; do not click links.",
            "Ask the official hotline on the terminal or in the acquirer's app whether the machine really stops.",
            "Do not hand your terminal to anyone who comes to 'swap' it; the 'new' one often has higher rates or a deposit.",
        ],
    },
    AdviceText {
        id: "fee_swap",
        zh: "“降费率/零费率/费率上调，免费换机”是换机骗局：新机常被跳码、费率反而更高，或要收押金。",
        en: "'Lower / zero rate, or rates going up — free new machine' is a swap scam: the new machine often jumps merchant codes, costs more, or comes with a deposit.",
        steps_zh: &[
            "费率以收单机构App或官方公告为准，不要因一条短信换机。",
            "不要回复、不要点链接，不要提供结算卡信息。",
        ],
        steps_en: &[
            "Your rate is what the acquirer's app or official notice says; do not swap machines because of a message.",
            "Do not reply or click links; do not give settlement-card details.",
        ],
    },
    AdviceText {
        id: "deposit_trap",
        zh: "不要为保留机器、激活、流量费、年费或“刷满返还”支付任何押金或费用。",
        en: "Never pay a deposit, 'activation fee', data fee or annual fee to keep or activate a machine, nor for a promised refund once you reach a volume.",
        steps_zh: &[
            "收费是否真实，向收单机构官方客服核实，账单只在官方App里看。",
            "不要转账到个人账户，不要扫对方给的收款码。",
            "已经付款：保留转账凭证，拨打 110 报警。",
        ],
        steps_en: &[
            "Check any charge with the acquirer's official hotline; read bills only in the official app.",
            "Do not transfer to personal accounts or scan payment codes the sender gives you.",
            "Already paid: keep the receipts and call 110 (police).",
        ],
    },
    AdviceText {
        id: "impersonation",
        zh: "对方自称银联、银行、收单机构或“总部”：不要回复，自己拨打官方号码核实（银联 95516；发卡行电话印在卡背面；收单机构电话印在机身或App里）。",
        en: "The sender claims to be UnionPay, a bank, an acquirer or 'headquarters': don't reply; call the official number yourself (UnionPay 95516; the bank's number is on the back of the card; the acquirer's on the terminal or in its app).",
        steps_zh: &["短信签名【…】和来电号码都能伪造，即使显示 955xx 也不能证明是官方。"],
        steps_en: &["Sender tags 【…】 and caller ID can be spoofed: even a 955xx number does not prove it is official."],
    },
    AdviceText {
        id: "free_repair",
        zh: "不要接受陌生人“免费上门检测/维修/升级”，也不要让人远程操作你的机器。",
        en: "Do not accept 'free on-site checks, repairs or upgrades' from strangers, and do not let anyone operate your terminal remotely.",
        steps_zh: &[
            "报修只走机身或App上的官方客服；有人上门先向官方核实。",
            "不要让对方把机器带走或调换。",
        ],
        steps_en: &[
            "Report faults only through the official hotline on the terminal or in the app; check any visitor with it first.",
            "Do not let anyone take away or exchange the machine.",
        ],
    },
    AdviceText {
        id: "card_theft",
        zh: "任何人索要卡号、密码、短信验证码、CVV，或发链接让你“退款/验证”，都是在盗取卡信息：一律不给、不点。",
        en: "Anyone asking for card numbers, PINs, SMS codes or CVV, or sending a link to 'refund' or 'verify', is stealing card data: never give them, never click.",
        steps_zh: &[
            "不要下载对方推荐的App，不要共享屏幕。",
            "已泄露：马上致电发卡行冻结卡片、修改密码，并拨打 110。",
        ],
        steps_en: &[
            "Do not install apps the sender recommends or share your screen.",
            "Already disclosed: call the card's bank now to freeze the card and change the PIN, and call 110.",
        ],
    },
    AdviceText {
        id: "agent_recruit",
        zh: "“POS代理、套现、养卡、刷单返利”可能违法，还常以押金或提货款骗钱：不要参与。",
        en: "'POS agent, cash-out, card-raising, swipe-for-rebate' schemes can be illegal and often take your deposit or stock money: stay out.",
        steps_zh: &["不要出借或出租自己的POS机和银行卡。", "骚扰信息可转发到 12321 举报。"],
        steps_en: &["Do not lend or rent out your terminal or bank cards.", "Forward such messages to 12321 to report them."],
    },
    AdviceText {
        id: "unofficial_contact",
        zh: "消息里的号码或链接不是所称机构的官方联系方式：不要拨打，不要点击。",
        en: "The number or link in the message is not the claimed organisation's official contact: don't call it, don't click it.",
        steps_zh: &["自己拨打该机构的官方号码核实。"],
        steps_en: &["Call the organisation's official number yourself to check."],
    },
    AdviceText {
        id: "interrupted_transaction",
        zh: "客户收到扣款短信，终端却没出小票或显示失败：这是交易中断，不是诈骗。先别让客户离开，也先别重刷。",
        en: "A debit SMS arrived but the terminal printed no slip or showed a failure: an interrupted transaction, not a scam. Keep the customer there and don't swipe again yet.",
        steps_zh: &[
            "在POS机上重打印最后一笔（末笔）交易：签购单的时间、金额、卡号与本次一致，就是成功了，请客户签字即可。",
            "确实失败的交易会自动冲正，钱退回原卡，客户随后会收到退款/冲正短信；到账时间以发卡行为准。",
            "仍不能确认：拨打银联 95516 转人工，报商户名称、商户编号、终端号和卡号，查清是否成功后再决定是否重刷。",
        ],
        steps_en: &[
            "Reprint the last transaction on the terminal: if the slip's time, amount and card match, it succeeded — have the customer sign it.",
            "A transaction that really failed is reversed automatically; the money returns to the card and a refund/reversal SMS follows (timing depends on the card's bank).",
            "Still unsure: call UnionPay 95516 (agent), give the merchant name, merchant number, terminal number and card number, and charge the card again only once it is confirmed failed.",
        ],
    },
    AdviceText {
        id: "reversal_refund",
        zh: "冲正/撤销/退款通知：钱按原路退回原卡，不需要你做任何事。",
        en: "Reversal / cancellation / refund notice: the money goes back to the original card; nothing is needed from you.",
        steps_zh: &[
            "到账时间以发卡行为准；查账用银行App或卡背面的客服电话。",
            "真正的退款从不需要点链接、提供验证码或联系“客服”办理。",
        ],
        steps_en: &[
            "Timing depends on the card's bank; check in the bank's app or with the number on the back of the card.",
            "A genuine refund never needs a link, a code or a call to 'customer service'.",
        ],
    },
    AdviceText {
        id: "debit_notice",
        zh: "银行卡扣款通知：核对是不是本人刚刷的卡、金额是否一致。",
        en: "Card debit notice: check it was your own purchase and that the amount matches.",
        steps_zh: &[
            "收款时终端没出小票：按交易中断处理——重打末笔，或拨打 95516 核实。",
            "不是本人交易：拨打卡背面的发卡行客服，不要回拨消息里的号码。",
        ],
        steps_en: &[
            "Terminal printed no slip when you took the payment: treat it as an interrupted transaction — reprint the last slip or call 95516.",
            "Not your transaction: call the bank on the back of the card, not a number from the message.",
        ],
    },
    AdviceText {
        id: "refund_scam",
        zh: "真正的冲正、退款会自动退回原卡，从不需要点链接、报验证码或拨打消息里的号码办理。",
        en: "Genuine reversals and refunds return to the card by themselves — they never need a link, a code or a call to a number in the message.",
        steps_zh: &[],
        steps_en: &[],
    },
];

/// The advice text with this id.
pub fn text(id: &str) -> &'static AdviceText {
    TEXTS
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no advice text {id:?}"))
}

/// The advice text for a pattern (its id is the pattern name).
pub fn for_pattern(p: Pattern) -> &'static AdviceText {
    text(p.name())
}

/// One piece of advice for a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    pub id: &'static str,
    /// What it answers: `verdict`, a pattern name, `impersonation` or `transaction`.
    pub applies_to: String,
    pub zh: &'static str,
    pub en: &'static str,
    pub steps_zh: &'static [&'static str],
    pub steps_en: &'static [&'static str],
    /// Specifics of this message (the claimed brand's official number, the contact found).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_en: Option<String>,
}

impl Advice {
    fn new(id: &str, applies_to: &str) -> Advice {
        let t = text(id);
        Advice {
            id: t.id,
            applies_to: applies_to.to_string(),
            zh: t.zh,
            en: t.en,
            steps_zh: t.steps_zh,
            steps_en: t.steps_en,
            detail_zh: None,
            detail_en: None,
        }
    }
}

/// Signals that make a message risky whatever the verdict.
const RISK: &[SignalKind] = &[
    SignalKind::CredentialRequest,
    SignalKind::ShortLink,
    SignalKind::UnofficialContact,
    SignalKind::FeeDemand,
    SignalKind::OffChannelContact,
];

/// Picks the advice for a message: the verdict's, each flagged pattern's (strongest first), an
/// impersonation finding's, and for genuine transaction notices the payments engineer's.
pub fn advise(
    result: &VerdictResult,
    signals: &[SignalKind],
    imp: Option<&Impersonation>,
) -> Vec<Advice> {
    let has = |k: SignalKind| signals.contains(&k);
    let suspicious = imp.is_some_and(|i| i.suspicious);
    let risky = suspicious || RISK.iter().any(|&k| has(k));
    let transaction = has(SignalKind::DebitNotice)
        || has(SignalKind::ReversalNotice)
        || has(SignalKind::FailedTransaction);
    let mut out = Vec::new();
    if let Some(rule) = result.overruled {
        let mut a = Advice::new(rule.name(), "verdict");
        let official: Vec<&str> = imp
            .map(|i| i.contacts.iter().map(|c| c.text.as_str()).collect())
            .unwrap_or_default();
        if !official.is_empty() {
            let list = official.join("、");
            a.detail_zh = Some(format!("消息里的联系方式（{list}）都是官方的。"));
            a.detail_en = Some(format!(
                "The contacts in the message ({}) are all official.",
                official.join(", ")
            ));
        }
        out.push(a);
    }
    match result.verdict {
        _ if result.overruled.is_some() => {}
        Verdict::Scam => out.push(Advice::new("scam", "verdict")),
        Verdict::Spam => out.push(Advice::new("spam", "verdict")),
        Verdict::Legit if risky => out.push(Advice::new("legit_but_check", "verdict")),
        Verdict::Legit if transaction => {}
        Verdict::Legit => out.push(Advice::new("legit", "verdict")),
    }
    for ps in result.flagged_patterns() {
        let mut a = Advice::new(ps.pattern.name(), ps.pattern.name());
        if ps.pattern == Pattern::Impersonation {
            if let Some(b) = imp.and_then(|i| {
                i.brands
                    .iter()
                    .find(|b| b.claimed && !b.official_hotlines.is_empty())
            }) {
                let hot = b.official_hotlines.join(" / ");
                a.detail_zh = Some(format!("自称{}：其官方客服是 {hot}。", b.brand));
                a.detail_en = Some(format!(
                    "Claims to be {}: its official hotline is {hot}.",
                    b.brand
                ));
            }
        }
        out.push(a);
    }
    if let Some(f) = imp.and_then(|i| i.findings().next()) {
        let mut a = Advice::new("unofficial_contact", "impersonation");
        a.detail_zh = Some(f.message_zh.clone());
        a.detail_en = Some(f.message_en.clone());
        out.push(a);
    }
    if transaction {
        if result.verdict != Verdict::Legit || risky {
            out.push(Advice::new("refund_scam", "transaction"));
        } else if has(SignalKind::ReversalNotice) {
            // "交易失败已冲正": the failure is already undone and the money on its way back.
            out.push(Advice::new("reversal_refund", "transaction"));
        } else if has(SignalKind::FailedTransaction) {
            out.push(Advice::new("interrupted_transaction", "transaction"));
        } else {
            out.push(Advice::new("debit_notice", "transaction"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Decision, Prediction};
    use crate::verdict::decide;

    fn result(v: [f32; 3], flagged: &[Pattern]) -> VerdictResult {
        let mut patterns = [0.05; 7];
        for p in flagged {
            patterns[p.index()] = 0.9;
        }
        decide(
            &Prediction {
                verdict: v,
                patterns,
            },
            &Decision::default(),
        )
    }

    fn ids(a: &[Advice]) -> Vec<&str> {
        a.iter().map(|a| a.id).collect()
    }

    /// A scam verdict overruled because the message gives only official contacts: the advice
    /// says so and names them, and none of it tells the reader not to call the number in the
    /// message (which is the official one).
    #[test]
    fn an_overruled_verdict_gets_its_own_advice_not_the_scams() {
        let text =
            "【银联商务】尊敬的商户：您的POS终端将于12月1日进行系统升级，如有疑问请致电95534。";
        let a = crate::features::Analysis::new(text);
        let rule = a.overrule();
        assert!(rule.is_some());
        let p = Prediction {
            verdict: [0.14, 0.0, 0.86],
            patterns: [0.9; 7],
        };
        let r = crate::verdict::decide_with(&p, &Decision::default(), rule);
        let kinds: Vec<SignalKind> = a.signals.iter().map(|s| s.kind).collect();
        let advice = advise(&r, &kinds, a.impersonation.as_ref());
        assert_eq!(ids(&advice), ["official_channel_only"]);
        assert_eq!(advice[0].applies_to, "verdict");
        assert!(advice[0].detail_zh.as_deref().unwrap().contains("95534"));
        // Without the rule, the same prediction is a scam with the scam's advice.
        let r = crate::verdict::decide_with(&p, &Decision::default(), None);
        assert_eq!(advise(&r, &kinds, a.impersonation.as_ref())[0].id, "scam");
    }

    #[test]
    fn every_text_is_complete_and_ids_are_unique() {
        for (i, t) in TEXTS.iter().enumerate() {
            assert!(!t.zh.is_empty() && !t.en.is_empty(), "{}", t.id);
            assert_eq!(
                t.steps_zh.len(),
                t.steps_en.len(),
                "{}: a gloss per step",
                t.id
            );
            assert!(
                TEXTS[i + 1..].iter().all(|o| o.id != t.id),
                "duplicate {}",
                t.id
            );
        }
        for p in Pattern::ALL {
            assert_eq!(for_pattern(p).id, p.name());
        }
    }

    #[test]
    fn each_flagged_pattern_gets_its_advice() {
        for p in Pattern::ALL {
            let a = advise(&result([0.05, 0.05, 0.9], &[p]), &[], None);
            assert_eq!(ids(&a), vec!["scam", p.name()], "{p}");
            assert_eq!(a[1].applies_to, p.name());
        }
        let a = advise(
            &result(
                [0.05, 0.05, 0.9],
                &[Pattern::FakeUpgrade, Pattern::DepositTrap],
            ),
            &[],
            None,
        );
        assert_eq!(ids(&a), vec!["scam", "fake_upgrade", "deposit_trap"]);
        assert!(text("deposit_trap").zh.contains("押金"));
        assert!(text("scam")
            .steps_zh
            .iter()
            .any(|s| s.contains("96110") && s.contains("12321")));
    }

    #[test]
    fn transaction_notices_get_the_payments_answer() {
        let legit = result([0.9, 0.05, 0.05], &[]);
        let a = advise(
            &legit,
            &[SignalKind::DebitNotice, SignalKind::FailedTransaction],
            None,
        );
        assert_eq!(ids(&a), vec!["interrupted_transaction"]);
        let steps = a[0].steps_zh.join("");
        assert!(steps.contains("95516") && steps.contains("终端号") && steps.contains("冲正"));
        assert_eq!(
            ids(&advise(&legit, &[SignalKind::ReversalNotice], None)),
            vec!["reversal_refund"]
        );
        // A failure already reversed ("交易失败已冲正，金额已退回") is a reversal notice, not a
        // merchant's interrupted transaction.
        assert_eq!(
            ids(&advise(
                &legit,
                &[SignalKind::FailedTransaction, SignalKind::ReversalNotice],
                None
            )),
            vec!["reversal_refund"]
        );
        assert_eq!(
            ids(&advise(&legit, &[SignalKind::DebitNotice], None)),
            vec!["debit_notice"]
        );
        assert_eq!(ids(&advise(&legit, &[], None)), vec!["legit"]);
        // A "refund" with a short link is never reassured.
        let a = advise(
            &legit,
            &[SignalKind::ReversalNotice, SignalKind::ShortLink],
            None,
        );
        assert_eq!(ids(&a), vec!["legit_but_check", "refund_scam"]);
        let scam = result([0.05, 0.05, 0.9], &[Pattern::CardTheft]);
        let a = advise(&scam, &[SignalKind::ReversalNotice], None);
        assert_eq!(ids(&a), vec!["scam", "card_theft", "refund_scam"]);
    }

    #[test]
    fn spam_advice() {
        let a = advise(&result([0.2, 0.7, 0.1], &[]), &[], None);
        assert_eq!(ids(&a), vec!["spam"]);
        assert!(a[0].steps_zh.iter().any(|s| s.contains("12321")));
    }
}

//! Explanations: evidence offsets through normalisation, the impersonation check on real-format
//! messages, the advice and the classify output. (What rule signals add is measured by
//! `scripts/rules-vs-model.sh`.)

use posguard::advice::{self, TEXTS};
use posguard::contacts::ContactStatus;
use posguard::explain::{self, Evidence};
use posguard::features::{Analysis, FeatureConfig, Vectorizer};
use posguard::labels::Pattern;
use posguard::model::{Decision, Prediction};
use posguard::signals::SignalKind;
use posguard::verdict::decide;
use posguard::{Classifier, Model, Report, Verdict};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::new(Model::default_model().expect("default model")))
}

fn classify(s: &str) -> Report {
    classifier().classify(s).expect("classify")
}

fn chars_at(s: &str, start: usize, end: usize) -> String {
    s.chars().skip(start).take(end - start).collect()
}

/// Evidence when exactly the features `keys` contribute (weight 1 each) — independent of any
/// trained model, so the test is about the offset mapping alone.
fn evidence_for_keys(original: &str, keys: &[&str]) -> Vec<Evidence> {
    let mut cfg = FeatureConfig::unfitted();
    let mut vocab: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    vocab.sort();
    cfg.idf = vec![1.0; vocab.len()];
    cfg.vocabulary = vocab.clone();
    let vz = Vectorizer::new(cfg).expect("vectorizer");
    let a = Analysis::new(original);
    let (v, spans) = vz.vectorize_with_spans(&a);
    explain::evidence_with(
        original,
        &a,
        &v,
        &spans,
        "verdict",
        10,
        |_| 1.0,
        |id| vocab[id as usize].clone(),
    )
}

fn texts(ev: &[Evidence]) -> Vec<String> {
    ev.iter().map(|e| e.text.clone()).collect()
}

#[test]
fn offsets_survive_full_width_and_traditional() {
    let s = "【銀聯】ＰＯＳ機即將停用，請回覆１";
    let ev = evidence_for_keys(s, &["w|pos机"]);
    assert_eq!(texts(&ev), vec!["ＰＯＳ機"]);
    assert_eq!((ev[0].start, ev[0].end), (4, 8));
    assert_eq!(chars_at(s, 4, 8), "ＰＯＳ機");
    let ev = evidence_for_keys(s, &["w|停用"]);
    assert_eq!(texts(&ev), vec!["停用"]);
    assert_eq!(chars_at(s, ev[0].start, ev[0].end), "停用");
    let ev = evidence_for_keys(s, &["w|银联"]);
    assert_eq!(
        texts(&ev),
        vec!["銀聯"],
        "traditional characters come back as written"
    );
}

#[test]
fn offsets_cover_masked_phone_numbers_and_links_as_written() {
    let s = "您好，請致電１３８ １２３４ ５６７８，或訪問 t.cn/A6x9Kp 謝謝";
    let ev = evidence_for_keys(s, &["w|<mobile>"]);
    assert_eq!(texts(&ev), vec!["１３８ １２３４ ５６７８"]);
    assert_eq!(
        chars_at(s, ev[0].start, ev[0].end),
        "１３８ １２３４ ５６７８"
    );
    let ev = evidence_for_keys(s, &["w|<url>"]);
    assert_eq!(texts(&ev), vec!["t.cn/A6x9Kp"]);
}

#[test]
fn offsets_span_emoji_and_obfuscations() {
    // Emoji planted inside a word are closed up by the normaliser; the span covers them.
    let s = "✨免😀费换机，加薇信办理";
    let ev = evidence_for_keys(s, &["w|免费"]);
    assert_eq!(texts(&ev), vec!["免😀费"]);
    assert_eq!(chars_at(s, ev[0].start, ev[0].end), "免😀费");
    let ev = evidence_for_keys(s, &["w|微信"]);
    assert_eq!(texts(&ev), vec!["薇信"]);
    let s = "P O S 机到期";
    let ev = evidence_for_keys(s, &["w|pos机"]);
    assert_eq!(texts(&ev), vec!["P O S 机"]);
}

#[test]
fn spans_are_tight_and_split_at_punctuation() {
    // Every feature of a long phrase contributes: spans still stop at punctuation and stay short.
    let s = "【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机";
    let keys = [
        "c|服务",
        "c|中心",
        "w|pos",
        "w|pos机",
        "w|备案",
        "w|到期",
        "w|即将",
        "w|停用",
        "w|回复",
        "w|免费",
        "w|更换",
        "w|新机",
        "c|】您",
        "c|,回",
        "r|urgency",
    ];
    let ev = evidence_for_keys(s, &keys);
    assert!(!ev.is_empty());
    for e in &ev {
        assert_eq!(chars_at(s, e.start, e.end), e.text);
        assert!(e.text.chars().count() <= explain::MAX_SPAN_CHARS, "{e:?}");
        for c in ['【', '】', '，'] {
            assert!(!e.text.contains(c), "span crosses punctuation: {e:?}");
        }
    }
}

#[test]
fn model_evidence_offsets_match_the_original_text() {
    let messages = [
        "【POS服务中心】尊敬的商户，您的POS机备案到期即将停用，回复1免费更换0.38%费率新机，押金299元刷满返还",
        "【銀聯】通知：您的商戶號０４４８４０８４需变更，否则暂停结算，咨询１５９９１８５５５７１",
        "🎁【汇来米】：结suan失败，回复新的结suan卡卡號重新登记，逾期资金将退回。",
        "新款智能POS：費率０．３％，每笔最低5万，优质商戶不降額，先到先得！咨询：186-5114-００８８",
        "【工商银行】您尾号1234卡11月26日14:05POS支出(消费)128.00元，余额5,430.21元。",
    ];
    for m in messages {
        let r = classify(m);
        assert!(!r.evidence.is_empty(), "no evidence for {m}");
        for e in &r.evidence {
            assert_eq!(chars_at(m, e.start, e.end), e.text, "{m}");
            assert!(e.weight > 0.0);
            assert!(!e.features.is_empty());
        }
        for s in &r.signals {
            assert_eq!(chars_at(m, s.start, s.end), s.text, "{m}");
        }
        if let Some(imp) = &r.impersonation {
            for b in &imp.brands {
                assert_eq!(chars_at(m, b.start, b.end), b.text);
            }
            for c in &imp.contacts {
                assert_eq!(chars_at(m, c.start, c.end), c.text);
            }
        }
    }
}

fn findings(s: &str) -> Vec<(String, ContactStatus)> {
    classify(s)
        .impersonation
        .map(|i| i.contacts.into_iter().map(|c| (c.text, c.status)).collect())
        .unwrap_or_default()
}

#[test]
fn impersonation_on_real_format_messages() {
    use ContactStatus::*;
    let cases: &[(&str, &[(&str, ContactStatus)])] = &[
        ("【中国银联】您的POS已被列入风险商户，为了资金安全，请尽快致电客服182 6989 6015。", &[("182 6989 6015", PersonalMobile)]),
        ("【銀聯】通知：您的商戶號需变更，否则暂停结算，咨询１５９９１８５５５７１", &[("１５９９１８５５５７１", PersonalMobile)]),
        ("平安银行：您尾号0933的卡于2月11日22:03在财付通-万家餐馆消费118.00元，如非本人操作，请速致电400-053-8975办理冻结。", &[("400-053-8975", NotOfficial)]),
        ("【工商银行】尊敬的客户，您尾号6902的储蓄卡于9月21日被境外POS刷扣5,600.00元，请马上联系客服0592-95534处理，需提供身份信息。", &[("0592-95534", AreaCodePrefix)]),
        ("【中国银行】您的卡尾号9564于郑州红星贸易商行重复消费1,645.59元，退款请点击ls9520.net.cn/q办理。", &[("ls9520.net.cn/q", NotOfficial)]),
        ("【平安银行】您的卡2月6日在长沙乐购百货商行重复扣款207.75元，退款请点击url.cn/cHwOGa办理。", &[("url.cn/cHwOGa", HiddenLink)]),
        ("【云闪付】您的POS管家账户存在异常，为保障资金安全点击m.yinlian95516.vip/lnz解除锁定。", &[("m.yinlian95516.vip/lnz", LookAlike)]),
        ("【工商银行】您的账户存在风险，请登录wap.ddicbc.cn.com进行认证。", &[("wap.ddicbc.cn.com", KnownFake)]),
        // Genuine ones: official numbers are evidence, not a finding.
        ("【工商银行】您尾号7767的卡3月25日15:25原交易370.00元已冲正，资金将于1-3个工作日退回。如有疑问请致电95588。", &[("95588", Official)]),
        ("【银联商务】您的终端已完成维护，如有疑问请致电95534。", &[("95534", Official)]),
        ("【襄阳反诈中心】提醒，近期“POS机换新”类诈骗高发，如遇可疑情况请拨打96110。", &[("96110", Authority)]),
    ];
    for (msg, want) in cases {
        let got = findings(msg);
        let want: Vec<(String, ContactStatus)> =
            want.iter().map(|(t, s)| (t.to_string(), *s)).collect();
        assert_eq!(got, want, "{msg}");
        let r = classify(msg);
        let imp = r.impersonation.as_ref().expect("brand found");
        let suspicious = want.iter().any(|(_, s)| s.is_suspicious());
        assert_eq!(imp.suspicious, suspicious, "{msg}");
        let has_signal = r
            .signals
            .iter()
            .any(|s| s.signal == SignalKind::UnofficialContact);
        assert_eq!(has_signal, suspicious, "{msg}");
        if suspicious {
            let f = imp.findings().next().unwrap();
            assert!(!f.message_zh.is_empty() && !f.message_en.is_empty());
            assert!(!f.sources.is_empty(), "a finding names its sources: {msg}");
            assert!(
                r.advice.iter().any(|a| a.id == "unofficial_contact"),
                "{msg}"
            );
        }
    }
    // The message a user reads names the brand, the number given and the official one.
    let r = classify("【中国银联】您的终端存在异常交易，请拨打4008-123-456核实。");
    let f = r.impersonation.unwrap().findings().next().cloned().unwrap();
    assert!(
        f.message_zh.contains("中国银联")
            && f.message_zh.contains("4008-123-456")
            && f.message_zh.contains("95516"),
        "{}",
        f.message_zh
    );
}

#[test]
fn messages_without_a_known_brand_have_no_impersonation_check() {
    let r = classify("【POS服务中心】您的POS机备案到期即将停用，回复1免费更换");
    assert!(r.impersonation.is_none());
    let v = serde_json::to_value(&r).unwrap();
    assert!(v.get("impersonation").is_none());
    assert!(v["advice"].as_array().is_some_and(|a| !a.is_empty()));
}

fn verdict(v: [f32; 3], flagged: &[Pattern]) -> posguard::verdict::VerdictResult {
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

fn kinds(s: &str) -> Vec<SignalKind> {
    Analysis::new(s).signals.iter().map(|s| s.kind).collect()
}

#[test]
fn advice_for_each_pattern_and_verdict() {
    for p in Pattern::ALL {
        let a = advice::advise(&verdict([0.02, 0.02, 0.96], &[p]), &[], None);
        let ids: Vec<&str> = a.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec!["scam", p.name()]);
        assert!(a.iter().all(|a| !a.zh.is_empty() && !a.en.is_empty()));
    }
    // Each text exists once, with an English gloss for every Chinese step.
    for t in TEXTS {
        assert_eq!(t.steps_zh.len(), t.steps_en.len(), "{}", t.id);
    }
    assert!(advice::text("deposit_trap").zh.contains("押金"));
    assert!(advice::text("card_theft").zh.contains("验证码"));
    assert!(advice::text("fake_upgrade").zh.contains("回复1"));
    let scam = advice::text("scam").steps_zh.join("");
    assert!(scam.contains("96110") && scam.contains("12321") && scam.contains("110"));
}

#[test]
fn interrupted_transaction_in_the_merchants_own_words() {
    let legit = verdict([0.9, 0.05, 0.05], &[]);
    for msg in [
        "刚才客户刷卡，手机收到扣款短信了，但是POS机没出小票，怎么办？",
        "pos机刷卡时显示交易失败但客户手机收到已扣款的信息",
        "客户说收到了银行扣款短信，可我这边签购单没打出来",
    ] {
        let k = kinds(msg);
        assert!(k.contains(&SignalKind::FailedTransaction), "{msg}: {k:?}");
        let a = advice::advise(&legit, &k, None);
        assert_eq!(a[0].id, "interrupted_transaction", "{msg}");
        let steps = a[0].steps_zh.join("");
        for want in ["重打印", "自动冲正", "95516", "商户编号", "终端号"] {
            assert!(steps.contains(want), "{want} missing");
        }
    }
    // Reversal and refund notices.
    let k = kinds(
        "【中国银行】您尾号8693卡12月28日12:38POS消费冲正78.00元，资金已退回，余额129,890.22元。",
    );
    assert_eq!(advice::advise(&legit, &k, None)[0].id, "reversal_refund");
    let k = kinds(
        "【建设银行】您尾号6216的储蓄卡11月19日20时39分消费支出人民币64.00元,活期余额231.39元。",
    );
    assert_eq!(advice::advise(&legit, &k, None)[0].id, "debit_notice");
    // A "refund" that wants a link or a code is never reassured.
    let msg = "【随行付】交易冲正失败，您的2,757.92元无法自动退回，https://huwt.xyz/w0s6输入卡号、验证码领取。";
    let a = advice::advise(&legit, &kinds(msg), None);
    let ids: Vec<&str> = a.iter().map(|a| a.id).collect();
    assert!(
        ids.contains(&"refund_scam") && !ids.contains(&"reversal_refund"),
        "{ids:?}"
    );
    // With the real model: the genuine notice gets the payments answer when judged legit.
    let r = classify(
        "【中国银行】您尾号8693卡12月28日12:38POS消费冲正78.00元，资金已退回，余额129,890.22元。",
    );
    if r.verdict.verdict == Verdict::Legit {
        assert!(
            r.advice.iter().any(|a| a.id == "reversal_refund"),
            "{:?}",
            r.advice
        );
    }
}

#[test]
fn report_json_has_evidence_impersonation_and_advice() {
    let r = classify("【中国银联】您的POS已被列入风险商户，请尽快致电客服182 6989 6015。");
    let v = serde_json::to_value(&r).unwrap();
    for e in v["evidence"].as_array().unwrap() {
        for k in ["start", "end", "text", "pattern", "weight"] {
            assert!(e.get(k).is_some(), "evidence lacks {k}");
        }
    }
    let imp = &v["impersonation"];
    assert_eq!(imp["suspicious"], true);
    assert_eq!(imp["brands"][0]["brand"], "中国银联");
    assert_eq!(imp["contacts"][0]["status"], "personal_mobile");
    assert!(v["advice"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == "unofficial_contact"));
}

fn run_bin(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_posguard"))
        .args(args)
        .env_remove("ORT_DYLIB_PATH")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run posguard");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn classify_highlights_in_colour_only_when_asked() {
    let msg = "【中国银联】您的POS已被列入风险商户，请尽快致电客服182 6989 6015。";
    let plain = run_bin(&["classify", msg]);
    assert!(
        !plain.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    for section in [
        "原文 Message",
        "依据 Evidence",
        "冒充检查 Impersonation",
        "建议 Advice",
    ] {
        assert!(plain.contains(section), "{section} missing:\n{plain}");
    }
    assert!(
        plain.contains("⟦"),
        "evidence marked without colour:\n{plain}"
    );
    let coloured = run_bin(&["classify", "--color", "always", msg]);
    assert!(
        coloured.contains("\x1b[1;35;4m182 6989 6015\x1b[0m"),
        "{coloured}"
    );
    let never = run_bin(&["classify", "--color", "never", msg]);
    assert!(!never.contains('\x1b'));
    let en = run_bin(&["classify", "--lang", "en", msg]);
    assert!(
        en.contains("Claims to be China UnionPay (中国银联)"),
        "{en}"
    );
    assert!(!plain.contains("Claims to be"));
}

#[test]
fn a_scam_wrapped_in_quotation_marks_is_still_a_scam() {
    // Found by a QA pass: a whole message in quotation marks was read as a warning quoting a
    // scam's wording and called legit at 0.01 (an evasion anyone can type).
    let bare = "【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机";
    assert_eq!(classify(bare).verdict.verdict, Verdict::Scam);
    for wrapped in [
        format!("“{bare}”"),
        format!("「{bare}」"),
        format!("\"{bare}\""),
        format!(" ＂{bare}＂！"),
        // A sender tag outside the quotation, or two quotations and nothing else (a second QA pass).
        "【POS服务中心】“您的POS机备案到期即将停用，回复1免费更换0.38%费率新机”".to_string(),
        "“您的POS机备案到期即将停用”“回复1免费更换0.38%费率新机”".to_string(),
        // A short frame that neither warns, reports nor asks (found by the same pass; 0.06 before).
        "通知：“您的POS机备案到期即将停用，回复1免费更换0.38%费率新机”".to_string(),
        "“您的POS机备案到期即将停用，回复1免费更换0.38%费率新机”请速回复".to_string(),
    ] {
        let r = classify(&wrapped);
        assert_eq!(
            r.verdict.verdict,
            Verdict::Scam,
            "{wrapped}: {:?}",
            r.verdict.probabilities
        );
    }
    // A warning that quotes the same wording is still a quotation, and still legit.
    let warning =
        "警惕“您的POS机备案到期即将停用，回复1免费更换新机”这类短信，均为诈骗，请勿回复。";
    assert_eq!(classify(warning).verdict.verdict, Verdict::Legit);
}

/// Text with nothing to judge gets no verdict from the library, as from the CLI and the readers
/// (it was legit at 0.72 — `！？。，…` spam at 0.88 — with "no scam features found").
#[test]
fn the_library_refuses_text_with_nothing_to_judge() {
    use posguard::io::NothingToJudge;
    let c = classifier();
    for (text, want) in [
        ("", NothingToJudge::Empty),
        ("   \n", NothingToJudge::Empty),
        ("👍👍", NothingToJudge::NoWords),
        ("！？。，…", NothingToJudge::NoWords),
    ] {
        match c.classify(text) {
            Err(posguard::Error::NothingToJudge { index: 0, reason }) => {
                assert_eq!(reason, want, "{text:?}")
            }
            other => panic!("{text:?}: {:?}", other.map(|r| r.verdict)),
        }
    }
    // A batch names its first such text; without one it is scored as before.
    let texts = [
        "您的POS机备案到期即将停用，回复1免费更换",
        "好的",
        "。。",
        "",
    ];
    for explain in [true, false] {
        match c.classify_batch(&texts, explain) {
            Err(e @ posguard::Error::NothingToJudge { index: 2, .. }) => {
                assert!(e.to_string().starts_with("text 2: no text to judge"), "{e}")
            }
            other => panic!("{:?}", other.map(|r| r.len())),
        }
        assert_eq!(c.classify_batch(&texts[..2], explain).unwrap().len(), 2);
    }
    assert!(c.classify_batch(&[], true).unwrap().is_empty());
}

/// `batch::run` checks a caller's own records as the readers check theirs: nothing to judge is
/// an error row with the readers' reason, an overlong text is cut and flagged truncated.
#[test]
fn batch_run_checks_records_built_by_the_caller() {
    use posguard::io::{writer::JsonlWriter, Record, RecordResult, MAX_TEXT_CHARS};
    let long = "您的POS机备案到期即将停用回复1免费更换".repeat(2_000);
    let records: Vec<RecordResult> = vec![
        Ok(Record::new(
            "mem",
            1,
            1,
            "您的POS机备案到期即将停用，回复1免费更换".into(),
        )),
        Ok(Record::new("mem", 2, 2, String::new())),
        Ok(Record::new("mem", 3, 3, "👍👍".into())),
        Ok(Record::new("mem", 4, 4, long.clone())),
    ];
    let mut out = Vec::new();
    let summary = {
        let mut w = JsonlWriter::new(&mut out);
        posguard::batch::run(
            classifier(),
            records.into_iter(),
            &mut w,
            &Default::default(),
            &mut |_| {},
        )
        .unwrap()
    };
    assert_eq!(
        (
            summary.records,
            summary.scored,
            summary.errors,
            summary.truncated
        ),
        (4, 2, 2, 1)
    );
    let rows: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["error"], "empty text");
    assert!(
        rows[1].get("verdict").is_none_or(|v| v.is_null()),
        "{}",
        rows[1]
    );
    assert!(
        rows[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("no text to judge"),
        "{}",
        rows[2]
    );
    assert_eq!(rows[3]["truncated"], true, "{}", rows[3]);
    assert!(long.chars().count() > MAX_TEXT_CHARS);
    assert!(rows[3]["verdict"].is_string(), "{}", rows[3]);
    assert!(rows[0].get("truncated").is_none(), "{}", rows[0]);
}

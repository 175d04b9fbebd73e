//! Stage 5: from probabilities to a verdict and pattern flags.
//!
//! The verdict is the model's decision ([`decide`]) but for one rule that overrules it
//! ([`overrule`]): a message whose only ways to act are the official contacts of the brand in its
//! sender tag, and that asks for nothing, is not called a scam whatever its wording.

use crate::contacts::{ContactStatus, Impersonation};
use crate::labels::{Pattern, Verdict};
use crate::model::{Decision, Prediction};
use crate::signals::SignalKind;
use serde::Serialize;

/// Score of one scam pattern.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PatternScore {
    pub pattern: Pattern,
    /// `None` when the model's head for this pattern was never trained (see
    /// [`Decision::trained_patterns`]): its constant output says nothing about the message.
    pub score: Option<f32>,
    /// Score reached the model's pattern threshold (and the message is not legit).
    pub flagged: bool,
}

/// The verdict on one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictResult {
    pub verdict: Verdict,
    /// Calibrated P(scam).
    pub score: f32,
    /// Calibrated probabilities of legit, spam, scam.
    pub probabilities: Probabilities,
    /// Every pattern's score, in [`Pattern::ALL`] order.
    pub patterns: Vec<PatternScore>,
    /// The scam threshold the verdict was taken with.
    pub threshold: f32,
    /// Set when a rule changed the model's decision ([`overrule`]): the model's verdict was scam.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overruled: Option<Overrule>,
}

/// A rule that keeps a message from being called a scam whatever the model says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Overrule {
    /// The message comes under a brand's 【sender】 tag, every phone number and link in it is an
    /// official one of the brand it speaks for (or an authority's: 96110, 110), and no scam cue
    /// fires — no reply to send, no short link, no request for a card number or code, no fee, no
    /// WeChat/QQ or mobile to contact, no disguised spelling. Whatever it says, the one thing it
    /// asks is to call or visit the brand's own channel, which is what posguard advises anyway: a
    /// scam needs a channel of its own (a link, a number, a reply, an account), and one that
    /// gives none cannot act on a reply. Such genuine notices (an acquirer's upgrade or review
    /// notice, 尊敬的商户 … 请致电95534) share the scams' wording and were the likeliest false
    /// alarms. Sender tags and numbers can be spoofed; the advice still says to call the official
    /// number from the terminal or the app, not to trust the message.
    OfficialChannelOnly,
}

impl Overrule {
    pub fn name(self) -> &'static str {
        match self {
            Overrule::OfficialChannelOnly => "official_channel_only",
        }
    }
}

/// The rule that applies to a message with these signals and this impersonation check, if any
/// (see [`Overrule`]). It only matters when the model's verdict is scam.
pub fn overrule(signals: &[SignalKind], imp: Option<&Impersonation>) -> Option<Overrule> {
    let imp = imp?;
    let tagged = signals.contains(&SignalKind::BrandSenderTag);
    // A deadline or a threat (urgency) is allowed: what it pushes towards is the official channel.
    let cue = signals
        .iter()
        .any(|&k| k.is_scam_cue() && k != SignalKind::Urgency);
    let official = |c: &crate::contacts::ContactCheck| match c.status {
        ContactStatus::Official => c.brand.is_some() && c.matched_brand == c.brand,
        ContactStatus::Authority => true,
        _ => false,
    };
    (tagged && !cue && !imp.contacts.is_empty() && imp.contacts.iter().all(official))
        .then_some(Overrule::OfficialChannelOnly)
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Probabilities {
    pub legit: f32,
    pub spam: f32,
    pub scam: f32,
}

/// A threshold as text with as few decimals (2 to 6) as show it exactly: `0.50`, `0.65`, `0.998`,
/// `0.9995` (thresholds past 0.99 come in finer steps, and "1.00" would be wrong).
pub fn threshold_text(t: f64) -> String {
    for d in 2..=6 {
        let s = format!("{t:.d$}");
        if s.parse::<f64>().is_ok_and(|x| (x - t).abs() < 5e-7) {
            return s;
        }
    }
    format!("{t:.6}")
}

/// Applies the decision rule: scam when P(scam) reaches the threshold, otherwise the likelier of
/// legit and spam. Patterns are flagged only on messages that are not legit.
pub fn decide(p: &Prediction, d: &Decision) -> VerdictResult {
    decide_with(p, d, None)
}

/// [`decide`], then `rule` (from [`overrule`]): a scam verdict becomes the likelier of legit and
/// spam, and [`VerdictResult::overruled`] says why. The probabilities stay the model's.
pub fn decide_with(p: &Prediction, d: &Decision, rule: Option<Overrule>) -> VerdictResult {
    let (legit, spam, scam) = (
        p.prob(Verdict::Legit),
        p.prob(Verdict::Spam),
        p.prob(Verdict::Scam),
    );
    let mut overruled = None;
    let verdict = if scam >= d.scam_threshold && rule.is_none() {
        Verdict::Scam
    } else {
        if scam >= d.scam_threshold {
            overruled = rule;
        }
        if spam > legit {
            Verdict::Spam
        } else {
            Verdict::Legit
        }
    };
    let flags = flag_patterns(p, d, verdict == Verdict::Scam);
    let patterns = Pattern::ALL
        .iter()
        .map(|&pattern| PatternScore {
            pattern,
            score: d.trained_patterns[pattern.index()].then(|| p.pattern(pattern)),
            flagged: verdict != Verdict::Legit && flags[pattern.index()],
        })
        .collect();
    VerdictResult {
        verdict,
        score: scam,
        probabilities: Probabilities { legit, spam, scam },
        patterns,
        threshold: d.scam_threshold,
        overruled,
    }
}

/// Patterns whose score reaches the decision's pattern threshold; with `at_least_one`, the
/// top-scoring pattern is flagged even below it (a scam always gets the pattern it most
/// resembles). Only trained heads count: a model trained without pattern labels flags none.
pub fn flag_patterns(p: &Prediction, d: &Decision, at_least_one: bool) -> [bool; 7] {
    let mut flags = [false; 7];
    for pat in Pattern::ALL {
        flags[pat.index()] =
            d.trained_patterns[pat.index()] && p.pattern(pat) >= d.pattern_threshold;
    }
    if at_least_one && !flags.iter().any(|f| *f) {
        if let Some(top) = top_pattern(p, d) {
            flags[top.index()] = true;
        }
    }
    flags
}

/// The trained pattern with the highest score; `None` when no head was trained.
pub fn top_pattern(p: &Prediction, d: &Decision) -> Option<Pattern> {
    Pattern::ALL
        .iter()
        .copied()
        .filter(|pat| d.trained_patterns[pat.index()])
        .max_by(|a, b| p.pattern(*a).total_cmp(&p.pattern(*b)))
}

impl VerdictResult {
    /// Flagged patterns, strongest first.
    pub fn flagged_patterns(&self) -> Vec<PatternScore> {
        let mut v: Vec<_> = self
            .patterns
            .iter()
            .copied()
            .filter(|p| p.flagged)
            .collect();
        v.sort_by(|a, b| {
            b.score
                .unwrap_or(f32::NEG_INFINITY)
                .total_cmp(&a.score.unwrap_or(f32::NEG_INFINITY))
        });
        v
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thresholds_print_with_the_decimals_they_need() {
        assert_eq!(threshold_text(0.5), "0.50");
        assert_eq!(threshold_text(0.65000004f32 as f64), "0.65");
        assert_eq!(threshold_text((1.0f32 - 2.0 * 0.001) as f64), "0.998");
        assert_eq!(threshold_text((1.0f32 - 5.0 * 1e-4) as f64), "0.9995");
    }

    use super::*;

    fn pred(v: [f32; 3], p0: f32) -> Prediction {
        let mut patterns = [0.1; 7];
        patterns[0] = p0;
        Prediction {
            verdict: v,
            patterns,
        }
    }

    #[test]
    fn threshold_decides_scam_then_argmax() {
        let d = Decision {
            scam_threshold: 0.6,
            ..Decision::default()
        };
        assert_eq!(
            decide(&pred([0.1, 0.2, 0.7], 0.9), &d).verdict,
            Verdict::Scam
        );
        // P(scam) is the largest but below the threshold: the likelier of legit/spam wins.
        let r = decide(&pred([0.15, 0.3, 0.55], 0.9), &d);
        assert_eq!(r.verdict, Verdict::Spam);
        assert!(r.patterns[0].flagged);
        let r = decide(&pred([0.9, 0.05, 0.05], 0.9), &d);
        assert_eq!(r.verdict, Verdict::Legit);
        assert!(
            !r.patterns[0].flagged,
            "patterns are never flagged on legit messages"
        );
    }

    #[test]
    fn untrained_pattern_heads_are_neither_scored_nor_flagged() {
        // Head 0 was trained; the others were not (a scam's top pattern comes from head 0 even
        // though an untrained head has the higher constant score).
        let mut d = Decision {
            trained_patterns: [true, false, false, false, false, false, false],
            ..Decision::default()
        };
        let mut p = pred([0.0, 0.0, 1.0], 0.2);
        p.patterns[6] = 0.3;
        let r = decide(&p, &d);
        assert_eq!(r.patterns[0].score, Some(0.2));
        assert!(r.patterns[0].flagged, "the top trained pattern of a scam");
        assert_eq!(r.patterns[6].score, None);
        assert!(!r.patterns[6].flagged);
        assert_eq!(top_pattern(&p, &d), Some(Pattern::ALL[0]));
        // No trained head: a scam gets no pattern at all, not an arbitrary one.
        d.trained_patterns = [false; 7];
        let r = decide(&p, &d);
        assert_eq!(r.verdict, Verdict::Scam);
        assert!(r.flagged_patterns().is_empty());
        assert!(r.patterns.iter().all(|ps| ps.score.is_none()));
        assert_eq!(top_pattern(&p, &d), None);
    }

    /// The rule that keeps a notice pointing only to the official channel of the brand in its
    /// sender tag from being called a scam, and the messages it must not cover.
    #[test]
    fn only_official_channels_and_no_scam_cue_overrule_a_scam_verdict() {
        let rule = |text: &str| crate::features::Analysis::new(text).overrule();
        let notice = "【银联商务】尊敬的商户：您的POS终端将于12月1日进行系统升级，升级期间交易不受影响，如有疑问请致电95534。";
        assert_eq!(rule(notice), Some(Overrule::OfficialChannelOnly));
        // A deadline or threat pushes towards the official channel only: still covered.
        assert_eq!(
            rule("【中国银联】您的POS机今日停用，请立即致电95516核实。"),
            Some(Overrule::OfficialChannelOnly)
        );
        // An authority's number with the brand's: covered.
        assert_eq!(
            rule("【中国银联】谨防冒充银联的换机电话，如有疑问请致电95516或96110。"),
            Some(Overrule::OfficialChannelOnly)
        );
        for not_covered in [
            // A reply to send, a link that is not the brand's, a mobile, a WeChat id, a card
            // number and code, a fee, another brand's number, no number at all, no sender tag.
            "【银联商务】您的POS终端将于12月1日升级，请回复1确认，详询95534。",
            "【银联商务】您的POS终端需升级，请登录 pos-up.cn 办理，详询95534。",
            "【银联商务】您的POS终端需升级，请联系经理13812345678，详询95534。",
            "【银联商务】您的POS终端需升级，加微信 pos8899 办理，详询95534。",
            "【银联商务】您的POS终端需升级，请提供卡号和验证码，详询95534。",
            "【银联商务】您的POS终端需升级，需缴纳激活费99元，详询95534。",
            "【银联商务】您的POS终端需升级，详询95516。",
            "【银联商务】您的POS终端将于12月1日进行系统升级。",
            "银联商务：您的POS终端将于12月1日进行系统升级，如有疑问请致电95534。",
        ] {
            assert_eq!(rule(not_covered), None, "{not_covered}");
        }

        let d = Decision {
            scam_threshold: 0.5,
            ..Decision::default()
        };
        let scam = pred([0.139, 0.001, 0.86], 0.9);
        let r = decide_with(&scam, &d, rule(notice));
        assert_eq!(r.verdict, Verdict::Legit);
        assert_eq!(r.overruled, Some(Overrule::OfficialChannelOnly));
        assert_eq!(r.score, 0.86, "the probabilities stay the model's");
        assert!(r.flagged_patterns().is_empty());
        // The likelier of legit and spam takes the verdict's place.
        let r = decide_with(&pred([0.1, 0.3, 0.6], 0.9), &d, rule(notice));
        assert_eq!(
            (r.verdict, r.overruled),
            (Verdict::Spam, Some(Overrule::OfficialChannelOnly))
        );
        // Nothing to overrule when the model did not say scam.
        let r = decide_with(&pred([0.8, 0.1, 0.1], 0.9), &d, rule(notice));
        assert_eq!((r.verdict, r.overruled), (Verdict::Legit, None));
        // And without the rule the model's scam verdict stands.
        let r = decide_with(&scam, &d, None);
        assert_eq!((r.verdict, r.overruled), (Verdict::Scam, None));
    }
}

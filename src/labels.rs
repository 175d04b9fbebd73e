//! The one place that defines verdict labels and scam-pattern names.
//!
//! Everything else (training, the ONNX metadata, the CLI, reports, advice) takes the names and their
//! order from here, so a model file and the code that reads it always agree on what column 2 means.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The three-way verdict the model gives every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A genuine message: bank notices, reversals, codes, chat, real service notices.
    Legit,
    /// Honest but unwanted advertising.
    Spam,
    /// Deception aimed at money, credentials or card data.
    Scam,
}

impl Verdict {
    /// All verdicts in model-output order.
    pub const ALL: [Verdict; 3] = [Verdict::Legit, Verdict::Spam, Verdict::Scam];

    /// Column of this verdict in the model's verdict output.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Machine name, as used in data files and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Legit => "legit",
            Verdict::Spam => "spam",
            Verdict::Scam => "scam",
        }
    }

    /// Chinese name shown to users.
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Legit => "正常",
            Verdict::Spam => "垃圾广告",
            Verdict::Scam => "诈骗",
        }
    }

    pub fn from_index(i: usize) -> Option<Verdict> {
        Self::ALL.get(i).copied()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            // The Chinese names are the ones posguard prints (`Verdict::zh`) and that Chinese
            // labelled sheets use.
            "legit" | "normal" | "ham" | "正常" => Ok(Verdict::Legit),
            "spam" | "ad" | "垃圾广告" | "垃圾" | "广告" => Ok(Verdict::Spam),
            "scam" | "fraud" | "诈骗" => Ok(Verdict::Scam),
            other => Err(format!(
                "unknown verdict {other:?} (expected legit, spam or scam, or 正常, 垃圾广告 or 诈骗)"
            )),
        }
    }
}

/// POS-scam patterns, each scored independently of the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// 停用 / 备案到期 / 系统升级 / 回复1换新机
    FakeUpgrade,
    /// 费率上调 / 零费率 / 低费率免费换机
    FeeSwap,
    /// 押金 / 激活费 / 服务费 / 年费 / 流量费 / 刷满返还
    DepositTrap,
    /// posing as UnionPay, an acquirer, a bank or "总部"
    Impersonation,
    /// 免费上门维修 / 检测
    FreeRepair,
    /// card numbers, passwords, codes, links, scan-to-refund
    CardTheft,
    /// POS agent / cash-out recruitment
    AgentRecruit,
}

impl Pattern {
    /// All patterns in model-output order.
    pub const ALL: [Pattern; 7] = [
        Pattern::FakeUpgrade,
        Pattern::FeeSwap,
        Pattern::DepositTrap,
        Pattern::Impersonation,
        Pattern::FreeRepair,
        Pattern::CardTheft,
        Pattern::AgentRecruit,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Pattern::FakeUpgrade => "fake_upgrade",
            Pattern::FeeSwap => "fee_swap",
            Pattern::DepositTrap => "deposit_trap",
            Pattern::Impersonation => "impersonation",
            Pattern::FreeRepair => "free_repair",
            Pattern::CardTheft => "card_theft",
            Pattern::AgentRecruit => "agent_recruit",
        }
    }

    /// Chinese name shown to users.
    pub fn zh(self) -> &'static str {
        match self {
            Pattern::FakeUpgrade => "假升级/停用换机",
            Pattern::FeeSwap => "费率调整换机",
            Pattern::DepositTrap => "押金/激活费陷阱",
            Pattern::Impersonation => "冒充官方机构",
            Pattern::FreeRepair => "免费上门维修",
            Pattern::CardTheft => "套取卡号密码验证码",
            Pattern::AgentRecruit => "代理/套现招募",
        }
    }

    pub fn from_index(i: usize) -> Option<Pattern> {
        Self::ALL.get(i).copied()
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Pattern {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Pattern::ALL
            .iter()
            .copied()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Pattern::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "unknown pattern {s:?} (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// Names of the verdict labels, in model-output order.
pub fn verdict_names() -> Vec<String> {
    Verdict::ALL.iter().map(|v| v.name().to_string()).collect()
}

/// Names of the patterns, in model-output order.
pub fn pattern_names() -> Vec<String> {
    Pattern::ALL.iter().map(|p| p.name().to_string()).collect()
}

/// How a message reached the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    #[default]
    Sms,
    Call,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_indices_are_dense() {
        for (i, v) in Verdict::ALL.iter().enumerate() {
            assert_eq!(v.index(), i);
            assert_eq!(v.name().parse::<Verdict>().unwrap(), *v);
            // the Chinese name posguard prints reads back too
            assert_eq!(v.zh().parse::<Verdict>().unwrap(), *v);
        }
        assert_eq!(" Fraud ".parse::<Verdict>().unwrap(), Verdict::Scam);
        assert_eq!("广告".parse::<Verdict>().unwrap(), Verdict::Spam);
        for (i, p) in Pattern::ALL.iter().enumerate() {
            assert_eq!(p.index(), i);
            assert_eq!(p.name().parse::<Pattern>().unwrap(), *p);
            assert_eq!(
                serde_json::to_string(p).unwrap(),
                format!("\"{}\"", p.name())
            );
        }
        assert!("nonsense".parse::<Pattern>().is_err());
        assert!("maybe".parse::<Verdict>().is_err());
    }
}

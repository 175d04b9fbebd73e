"""Scam SMS families, wave 4: the compliance-notice shape of legit_sms5.py (salutation, 年审 /
实名 / 核验, a deadline and a consequence) with what gives a scam away: a link, an unknown
number, a WeChat id, a reply, a fee or a request for the card and code. Written beside the
genuine families so that the model learns the channel, not the salutation.
"""
from __future__ import annotations

import scam_sms

WAVE = 4

MACROS = dict(scam_sms.MACROS)
MACROS.update({
    "sal": "[尊敬的商户，您好！|尊敬的商户：|商户您好，|尊敬的{brand}商户：|您好，]",
    "comply": "[需于{deadline}前完成年审|实名信息需重新认证|结算账户需年度核验|商户信息需复核|终端需重新备案]",
    "limit": "[逾期将限制交易|逾期将停机|逾期将冻结结算款|逾期终端将被注销|否则将暂停收款]",
    "side": "[请点击{short_link}办理|请致电{fake_400}办理|请添加专员微信{wechat}办理|{r1}由专员联系您|请联系专员{mobile}]",
    "fee": "[年审费{svc_fee}元|认证服务费{svc_fee}元|核验保证金{deposit}元|工本费{svc_fee}元]",
})

F = {}


def fam(key, pats, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": list(pats), "templates": list(tpls), "n": n}


fam("impersonation.sms.greeting_compliance_side", ["impersonation"],
    "{itag}{sal}根据[人民银行|监管|银联]要求，您的{mach}{comply}，{limit}，{side}。",
    "{itag}{sal}您的商户{comply}，{limit}。[办理需缴纳{fee}，|]{side}。",
    "{itag}{sal}系统检测到您的{mach}[实名信息不全|年审未通过|结算卡信息过期]，{limit}，{side}，[办理时需提供卡号及验证码|需验证结算卡号和短信验证码]<card_theft:>。",
    "{sal}您的{mach}[已超过{count_n}天未交易|长期未使用]，将于{deadline}[注销|停机]，[如需保留|恢复使用]需缴纳{fee}<deposit_trap:>，{side}。{itag_opt}")

"""Legitimate SMS families, wave 4: genuine notices that open the way most real ones do, with a
salutation (尊敬的商户/商户您好/尊敬的客户), and that carry a deadline or a consequence
(年审, 实名信息更新, 证件到期, 久悬户, 卡片到期换卡, 临时额度到期) while pointing only to the
official app, a branch or the official hotline. The corpus's scam families open with these
salutations about three times as often as its genuine ones (尊敬的商户: 215 scam vs 77 legit
training rows), so the shipped model reads the salutation itself as a scam cue; a QA pass found
genuine acquirer notices of this shape called scams (models/MODEL_CARD.md, "Wave 4").
None asks for anything by reply, link, unknown number or fee.
"""
from __future__ import annotations

import legit_sms

WAVE = 4

MACROS = dict(legit_sms.MACROS)
MACROS.update({
    "sal": "[尊敬的商户，您好！|尊敬的商户：|尊敬的商户，|商户您好，|尊敬的{brand}商户：|您好，|亲爱的商户，]",
    "csal": "[尊敬的客户，|尊敬的客户：|尊敬的持卡人，|您好，|尊敬的{bank}客户：]",
    "reg": "[根据人民银行要求|根据监管要求|按照监管规定|根据《非银行支付机构监督管理条例》|按支付机构商户管理规定]",
    "comply": "[需于{md}前完成年审|实名信息需于{md}前更新|结算账户需完成年度核验|需补充经营场所照片|法人身份信息需重新核验|商户信息需完成年度复核]",
    "limit": "[逾期将限制交易|逾期将暂停结算|逾期将影响正常收款|逾期终端将暂停使用|未按时完成的将暂停部分交易功能|逾期将延迟结算]",
    "where": "[请登录{acq_app}“我的-商户信息”办理|请在{acq_app}首页“待办事项”中完成|请本人登录{acq_app}按提示上传|可登录{acq_app}自助办理，约需3分钟|请通过{acq_app}或联系您的签约客户经理办理]",
    "free": "[全程免费|不收取任何费用|无需缴纳任何费用|]",
    "idmsg": "[我司不会以任何理由索要验证码|工作人员不会电话索要卡号、密码或验证码|请勿向任何人透露验证码|本短信不含链接，无需回复|如有疑问请{acq_official}]",
    "cexp": "[将于{mm}月到期|已到期|即将到期]",
})

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": list(tpls), "n": n}


fam("legit_acquirer.sms.greeting_compliance",
    "【{brand}】{sal}{reg}，您的商户{comply}，{where}，{limit}。{idmsg}。",
    "【{brand}】{sal}您的[营业执照|法人身份证|结算人身份证]将于{md}到期，为不影响收款，请及时在{acq_app}上传新证件，{limit}。[本短信无需回复。|{free}]",
    "【{brand}】{sal}您的终端{tid}[已超过{count_n}天未交易|长期未使用]，按规定将于{md}[进入休眠|暂停服务]，如需继续使用，[正常刷卡一笔即可恢复|请登录{acq_app}申请恢复]，{free}。",
    "【{brand}】{sal}为保障资金安全，您的结算账户需完成[二次核验|四要素验证|年度核验]，{where}。{idmsg}。",
    "{sal}{reg}，您在{brand}的商户{comply}，{limit}。{where}，{free}。【{brand}】")

fam("legit_acquirer.sms.greeting_statement",
    "【{brand}】{sal}您{md}的交易款{settle}元已结算至尾号{tail}的[银行卡|结算卡|结算账户]，请注意查收。",
    "【{brand}】{sal}{mm}月您的[刷卡|收款]手续费共计{amt_small}元，已在结算时扣除，明细请登录{acq_app}查看。",
    "【{brand}】{sal}{md}凌晨系统升级已完成，终端已自动更新[程序|参数]，如刷卡异常请重启设备或{acq_official}。",
    "【{brand}】{sal}您的[POS押金|机具押金]{amt_small}元已按活动规则[退还至结算卡|返还至尾号{tail}的账户]，请注意查收。",
    "【{brand}】{sal}您的商户{md}有{count_n}笔交易[因银行处理延迟|因网络原因]未及时结算，款项{settle}元将于下一工作日[补结|一并结算]，无需操作。")

fam("legit_bank.sms.greeting_card_service",
    "【{bank}】{csal}您尾号{tail}的信用卡{cexp}，新卡已寄出，收到后请通过{bank}App或致电{bank_hot}激活。",
    "【{bank}】{csal}您的信用卡临时额度将于{md}到期，如需继续使用请登录{bank}App申请。[客服{bank_hot}。|]",
    "【{bank}】{csal}您预留的身份证件已过期，请[携带有效证件到网点|通过{bank}App“我的-证件更新”]更新，逾期可能影响账户[正常使用|非柜面交易]。",
    "【{bank}】{csal}您尾号{tail}的账户[已超过一年未发生交易|长期未使用]，将于{md}起[转为久悬户|暂停非柜面交易]，如需继续使用请本人持证件到网点办理。",
    "【{bank}】{csal}根据监管要求，您尾号{tail}的账户需补充[职业|地址|联系方式]信息，请登录{bank}App或到网点更新，[{bank}不会通过短信链接收集信息|请勿点击陌生链接]。")

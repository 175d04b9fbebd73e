"""Scam SMS template families, wave 3: frauds a merchant or card holder meets beside the POS
scripts, written after a probe set the shipped model misread (models/MODEL_CARD.md, "Wave 3"):
fake e-commerce after-sales "理赔/退款" with a QQ or WeChat contact, fake "注销校园贷/学生账户,
否则影响征信" notices under a lender's name, and 套现/代还 recruitment that asks for the card.
Same engine and conventions as scam_sms.py (whose macros are reused).
"""
from __future__ import annotations

import scam_sms

WAVE = 3

MACROS = dict(scam_sms.MACROS)
MACROS.update({
    "mall": "[淘宝|天猫|京东|拼多多|抖音商城|快手小店|唯品会|闲鱼]",
    "lender": "[京东金融|蚂蚁借呗|花呗|微粒贷|度小满|360借条|美团借钱|招联金融|分期乐]",
    "claim": "[质检不合格|含有甲醛超标成分|被检测出质量问题|快递丢失|在运输途中损坏|被海关扣押|批次召回]",
    "pay_back": "[三倍理赔|双倍赔偿|全额退款并补偿{pay_bonus}元|退款{amt}元|理赔{amt}元]",
    "side": "[QQ：{qq}|微信：{wechat}|薇：{wechat}|专员电话{mobile}|理赔专线{fake_400}]",
})

F = {}


def fam(key, pats, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": list(pats), "templates": list(tpls), "n": n}


fam("impersonation.sms.mall_refund_claim", ["impersonation"],
    "【{mall}】亲，您购买的商品因{claim}，我们将为您办理{pay_back}，请联系理赔专员{side}",
    "【{mall}客服】您好，您{md}购买的[宝贝|商品|订单]{claim}，[平台|商家]为您[申请了|开通了]{pay_back}，[添加|联系]{side}[办理|领取]<card_theft:>",
    "{mall}售后：您的订单[{waybill}|尾号{tail}]{claim}，[需|请]点击{short_link}[填写退款信息|申请理赔]<card_theft:>，[逾期视为放弃|{deadline}内有效]。",
    "[尊敬的{mall}用户|亲爱的{mall}会员]，[您的快递|您的包裹]{claim}，[快递公司|平台]愿{pay_back}，请[加|联系][客服|理赔专员]{side}。")

fam("impersonation.sms.student_account_credit", ["impersonation"],
    "【{lender}】您的[学生账户|校园贷账户|大学期间开通的账户]未注销，[根据监管要求|按银保监最新规定]需[立即|于{deadline}]注销，否则[影响个人征信|将上报征信黑名单]，请致电{fake_400}",
    "【{lender}】[系统检测到|经核查]您的账户[征信异常|存在违规借贷记录]，需[注销|关闭][学生身份|该账户]，[逾期|否则]将[影响征信|冻结名下银行卡]，[客服|专员]：{mobile}",
    "{lender}通知：您在校期间开通的[借款|分期]功能[违反现行规定|已被标记]，需[清空额度|配合注销]，[请|立即][下载|登录]{short_link}<card_theft:>[操作|处理]，否则影响征信。",
    "【{lender}】您的[白条|借呗|额度]账户将被[关闭|上报征信]，如需[保留|消除记录]请[添加|联系]客服{side}，[按指引转出额度|配合验证银行卡]<card_theft:>。")

fam("agent_recruit.sms.cashout_card_custody", ["agent_recruit"],
    "[全网最低|超低]{rate_low}费率秒到，[一户一码|自选商户]，支持信用卡套现，[日赚千元|月入过万]，招代理：[{addwx}|薇 {wechat}|V：{wechat}]",
    "[养卡提额|代还信用卡]专业团队，[配一清POS|大额POS]，[3个月|半年]提额至{big_money}，卡片需交由我方保管<card_theft:>，电话{mobile}",
    "[信用卡|花呗|白条][套现|提现|取现]{rate_low}，[当场到账|秒到]，[卡不在身边也能办|只需卡号和有效期]<card_theft:>，[{addwx}|{tel}]",
    "[空卡代还|垫资代还]，[手续费|点位]{rate_low}，[卡片邮寄给我们|把卡和密码交给我们]<card_theft:>，[到期自动还|帮你养卡提额]，[{addwx}|{tel}]")

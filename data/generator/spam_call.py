"""Spam calls: honest cold sales calls from a named reseller (no impersonation, no deposit,
no codes)."""
from __future__ import annotations

MACROS = {
    "m_who": "[喂，哪位？|喂？|你好。|嗯，你说。]",
}

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": [t.strip("\n").split("\n") for t in tpls], "n": n}


fam("spam_pos_call.call.reseller_cold_call", """
C:[您好，|老板您好，]打扰一下，我是{city}{shoppre}科技的小{surname}，我们是{brand}的[授权服务商|签约代理商]，[不是总部的|不是官方的]。
M:[{m_who}|什么事？|推销的吧？]
C:[想问下您店里需不需要刷卡机|看您店里还没装刷卡机]，我们[做{brand}电签|做POS安装]，[费率就是官方标准{rate_std}|费率跟官方一样]。
M:[不需要，已经有了。|多少钱？|我考虑下。]
?C:[机器价格以合同为准，不收押金，|没有押金，有需要的话可以去我们门店看看，][您有需要随时联系我。|您看哪天方便我把资料带过来？]
?M:[我有需要再说吧。|行，你把电话发我。]
C:[好的，不打扰您了。|好的，那您先忙，再见。]
""")

fam("spam_pos_call.call.loan_cold_call", """
C:[您好，|喂，您好，]我这边是{city}{shoppre}金融服务的，[想问下您最近有没有资金需求？|我们有针对个体户的经营贷款。]
M:[不需要。|{m_who}|利息多少？]
C:[年化4%左右，以审批为准，|需要营业执照和半年流水，]我们是[帮银行做推广的|贷款中介]，[成功了才收服务费|不会提前收费]。
M:[不用了，谢谢。|我有需要再找你。|加个微信吧。]
C:[好的，打扰您了。|好的，祝您生意兴隆。]
""")

fam("spam_pos_call.call.cash_register_call", """
C:[您好，|老板您好，]我是{shoppre}收银设备的，[看您是开{shoptype}的|您店里用的是什么收银系统]？
M:[{m_who}|就普通的收银机。|没用什么系统。]
C:[我们有一款收银加会员管理的系统|新出了扫码点餐的收银机]，[可以免费试用七天|现在有活动{percent_off}]，[刷卡扫码都能接|还能连POS]。
M:[不需要了。|贵不贵？|你发个资料看看。]
?C:[一年几百块，比较划算。|我加您微信发给您。]
C:[好的，那您先忙。|不打扰了，再见。]
""")

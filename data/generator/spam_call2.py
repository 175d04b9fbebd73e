"""Spam calls, wave 2 (issue 3): an honest payment-box/收款码 sales call from a named
third-party reseller (says it is not official, no deposit, no codes)."""
from __future__ import annotations

import spam_call

WAVE = 2

MACROS = dict(spam_call.MACROS)

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": [t.strip("\n").split("\n") for t in tpls], "n": n}


fam("spam_pos_call.call.payment_box_promo", """
C:[您好，|老板您好，]我是{city}{shoppre}科技的小{surname}，我们是[收钱吧|{brand}]的[区域服务商|推广团队]，[不是官方客服|是第三方服务商]。
M:[{m_who}|什么事？|又是推销的吧？]
C:想给您店里推荐[聚合收款码|扫码收款盒子|收款音箱]，[扫码费率按官方标准|费率跟官方一样]，[免费送个收款音箱|不收押金]。
M:[已经有了。|多少钱？|我考虑一下。]
?C:[音箱免费，费率按合同，签约在官方App里您自己操作。|我们不碰您的卡，也不要验证码，都是您自己在App里签。]
?M:[行，你把资料发我看看。|那你发个短信吧。|不用了。]
C:[好的，打扰您了。|好的，那您先忙，再见。]
""")

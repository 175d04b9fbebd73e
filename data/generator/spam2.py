"""Spam SMS, wave 2 (issue 3): fund/insurance/securities marketing, e-commerce campaigns,
and honest 秒到/不跳码 POS ads from a named reseller (no deposit, no fee, no card data)."""
from __future__ import annotations

import spam

WAVE = 2

MACROS = dict(spam.MACROS)
MACROS.update({
    "insco": "[平安保险|中国人寿|太平洋保险|泰康保险|众安保险]",
    "mall": "[京东|天猫|淘宝|拼多多|唯品会|抖音商城]",
})

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": list(tpls), "n": n}


fam("spam_service.sms.fund_insurance",
    "【{shoppre}基金】[稳健理财|货币基金]7日年化[2.1%|1.9%|2.3%]，[随存随取|1元起投]，[过往业绩不代表未来表现|基金有风险，投资需谨慎]，[详见App|打开App了解]。{td}",
    "【{insco}】[尊敬的客户|{surname}先生/女士]，[百万医疗险|意外险|重疾险][首月{count_n}元|限时{percent_off}]，[详询您的保险顾问{person}|可在App内投保]。{td}",
    "【{bank}】[理财|大额存单|结构性存款]新品[发售|上线]：[业绩比较基准2.8%-3.5%|起购1万元]，[理财非存款，产品有风险|请在{bank}App查看产品说明书]。{td}",
    "【{shoppre}证券】[新开户|老客户][专享|福利]：[佣金低至万1.5|开户送Level-2行情]，[股市有风险，入市需谨慎|详询客户经理{person}]。{td}")

fam("spam_shop.sms.ecommerce_campaign",
    "【{mall}】[618|双11|年货节|开学季]大促[开启|倒计时]，[满300减50|跨店满减|百亿补贴]，[打开App领券|{md}开抢]。{td}",
    "【{mall}】您关注的[商品|宝贝][降价了|到货了]，[比加购时便宜{pay_bonus}元|限时{percent_off}]，[快去App看看|{md}截止]。{td}",
    "【[美团|大众点评]】[您常去的|附近的]{shop}[上新|有新团购]：[双人套餐{percent_off}|到店{percent_off}]，[打开App查看|{md}截止]。{td}",
    "【{shoppre}优选】[会员专享|老用户回馈]：[全场包邮|满{pay_bonus}减20]，[{weekday}上新|今晚8点开抢]，[App内下单|小程序搜索“{shoppre}优选”]。{td}")

fam("spam_pos_ad.sms.honest_settlement_ad",
    "【{seller}】{brand}[电签|智能POS]：[秒到账|D0到账]，[刷卡{rate_std}|费率{rate_std}]，[一户一码不跳码|正规一清]，[不收押金|无押金无激活费]，[需本人签约|营业执照或个体户均可]，{surname}{title}{mobile}。{td}",
    "{seller}：[收款秒到|当天到账]的POS[了解一下|看过来]，[费率按{brand}官方公示|标准费率{rate_std}]，[机器{amt_big}元一台，可开发票|机具费以合同为准]，[不收任何押金和流量费|无其他费用]，{mobile}{td}",
    "[{surname}{title}（{seller}）|{seller}{surname}{title}]：[老板好|您好]，[给您推荐|我们在推]{brand}[新款电签|刷脸POS]，[秒到不跳码|T+0到账]，[签约在{acq_app}里完成|合同在官方App签]，[不满意7天可退机|无押金]，[有兴趣回电|需要的话联系]{mobile}。{td}")

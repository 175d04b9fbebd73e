"""Spam SMS, wave 3: honest marketing the shipped model misread in a probe set written apart
from this generator (models/MODEL_CARD.md, "Wave 3"): licensed lenders and banks advertising
under their own name and app, and retail/home-furnishing promotions with 退订."""
from __future__ import annotations

import spam

WAVE = 3

MACROS = dict(spam.MACROS)
MACROS.update({
    "lender": "[招联金融|微粒贷|度小满|京东金条|360借条|马上消费金融|中银消费金融|{bank}]",
    "home": "[居然之家|红星美凯龙|宜家家居|{city}{shoppre}家居|{shoppre}装饰|{shoppre}全屋定制]",
    "store": "[{home}|{shoppre}健身|{city}{shoppre}汽车4S店|{shoppre}教育|{shoppre}口腔|{shoppre}影楼]",
})

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": list(tpls), "n": n}


fam("spam_loan.sms.licensed_lender_app",
    "【{lender}】尊敬的客户，您的借款额度已更新，最高可借{big_money}，日利率低至0.0[2|3]%，详询{lender}App。{td}",
    "【{lender}】[您有一笔|恭喜获得]{big_money}[备用金|预审额度]待领取，[年化利率|年利率][7.2%|10.8%|12%|18%]起，[实际以审批为准|具体以页面展示为准]，[登录|打开]{lender}App查看。{td}",
    "【{lender}】[老客户专享|限时福利]：[借款|分期]享[{count_n}天免息|利息{percent_off}]，[按日计息，随借随还|可提前还款]，请在{lender}App内申请。{td}",
    "【{lender}】{surname}先生/女士，您的[信用额度|消费额度]已提升至{big_money}，[用于日常消费|可分{count_n}期还款]，[详情见App|前往App查看]，[请理性借贷|贷款有风险，借款需谨慎]。{td}")

fam("spam_shop.sms.home_retail_promo",
    "【{home}】[年终家装节|周年庆|开业大促]，[签单即送{pay_bonus}元家电礼包|全场{percent_off}|满万减千]，{md}到店参与。{td}",
    "【{store}】[尊敬的会员|亲爱的顾客]，[{weekday}|本周末]举办[会员日|团购会|品牌特卖]，[到店即送礼品|前{count_n}名送{pay_bonus}元券]，[地址：{city}{shoppre}路{count_n}号|详询门店]。{td}",
    "【{store}】[新店开业|老店焕新]，[办卡{percent_off}|体验课免费]，[{md}前报名|名额有限]，[电话|咨询]{mobile}。{td}",
    "【{store}】您[预约的|关注的][车型|课程|套餐]{md}[有|推出]限时优惠，[到店试驾送油卡|报名立减{pay_bonus}元|签约送礼]，[回复前请确认|详情咨询门店顾问{person}]。{td}")

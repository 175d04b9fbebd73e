"""Spam: honest-but-unwanted marketing. No impersonation, no deposit/fee traps,
no requests for card data or codes, seller named."""
from __future__ import annotations

MACROS = {
    "td": "[?[，| |。|][回T退订|退订回T|拒收请回复R|回TD退订|退订回N]]",
    "seller": "[{city}{shoppre}科技|{city}{shoppre}支付服务部|{shoppre}商务|{city}{shoppre}电子|{shoppre}收银设备行]",
}

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": list(tpls), "n": n}


fam("spam_pos_ad.sms.named_reseller",
    "【{seller}】{brand}授权服务商，[办理|安装]电签POS，[费率{rate_std}|标准费率{rate_std}]，[T+1到账|次日到账]，[需营业执照|个体户小微均可]，[咨询|电话]{mobile}（{surname}经理）。{td}",
    "{seller}：[专业安装|承接]{brand}、{brand2}POS机，[正规持牌|一清机]，[上门安装|当天安装]，[费率按官方标准|费率透明无隐形收费]，联系{surname}{title}{mobile}。{td}",
    "【{seller}】[新店开业|小店收款]需要刷卡机？我们是{brand}的[签约|区域]服务商，[机器按官方价|机具费以合同为准]，[欢迎到店咨询|地址：{city}{shoppre}路{count_n}号]。{td}",
    "{surname}{title}（{seller}）：老板您好，我们[代理|销售]{brand}智能POS，[支持刷卡、扫码、NFC|刷卡扫码一体]，[有需要可以联系我|需要的话回个电话]{mobile}，打扰了。")

fam("spam_pos_ad.sms.cash_register_ad",
    "【{seller}】[收银机|智能收银系统|扫码收款盒]{percent_off}，[超市|餐饮|服装]行业专用，[免费试用7天|包安装培训]，[详询|电话]{mobile}。{td}",
    "[收银一体机|扫码枪|小票打印机][批发零售|厂家直销]，[{seller}|{shoppre}收银设备]，[上门安装|全城配送]，[电话|微信同号]{mobile}{td}",
    "【{seller}】[开店必备|门店升级]：[会员管理+收银+库存|点餐收银一体机]，[首年服务费{svc_fee}元|软件免费用一年]，[欢迎来电|来电咨询]{mobile}。{td}")

fam("spam_loan.sms.loan_ad",
    "【{shoppre}金融】[经营贷|信用贷|税贷][最高{big_money}|额度{big_money}]，[年化利率|年利率][3.6%起|4.2%起]，[以审批为准|具体以合同为准]，详询{surname}经理{mobile}。{td}",
    "[{bank}|{city}{shoppre}融资服务][个体工商户|小微企业]贷款，[凭营业执照|有POS流水]即可申请，[额度{big_money}|最快3天放款]，[不收前期费用|无前期费用]，{mobile}。{td}",
    "【{shoppre}小贷】[资金周转|经营周转]找我们，[随借随还|按日计息]，[年化利率{rate_std}起|息费透明]，[请理性借贷|理性借贷，按需申请]。{td}")

fam("spam_loan.sms.credit_card_apply",
    "【{bank}】[办{bank}信用卡|申请联名卡]，[首刷送好礼|新户首刷礼]，[在{bank}App申请|可到网点办理]，{td}",
    "[{bank}信用卡|白金卡]推广：[年费全免|首年免年费]，[刷卡积分翻倍|机场贵宾厅]，[推广员{surname}{title}|客户经理{person}]{mobile}。{td}",
    "【{bank}】{percent_off}！[周五|每周三]用{bank}信用卡[在指定商户|超市]刷卡[立减|享优惠]，详见{bank}App。{td}")

fam("spam_shop.sms.shop_promo",
    "【{shop}】[店庆|周年庆|换季]大促，全场{percent_off}，[刷卡扫码均可|支持刷卡]，[{md}起|限3天|本周末]，地址：{city}{shoppre}路{count_n}号。{td}",
    "【{shop}】[会员日|新品到店]，[充值{amt_big}送{pay_bonus}|积分兑好礼]，[欢迎光临|期待您的光临]！{td}",
    "【{shop}】[亲爱的会员|尊敬的顾客]，[您有一张{pay_bonus}元优惠券待使用|本周末买一送一]，[到店出示短信即可|{md}截止]。{td}",
    "{shop}开业啦！[进店有礼|开业特惠]{percent_off}，[刷卡|扫码]支付[再减{count_n}元|更优惠]，{td}")

fam("spam_shop.sms.restaurant_promo",
    "【{shoppre}[火锅|烧烤|酒楼|餐厅]】[本周|{md}起][新菜上市|特价菜品]，[到店消费|堂食]{percent_off}，[订座|预定]电话{mobile}。{td}",
    "【{shoppre}[酒楼|大饭店]】[年夜饭|谢师宴|婚宴][火热预订中|开始预订]，[每桌{amt_big}起|多种套餐可选]，{mobile}{td}",
    "[{shoppre}外卖|{shoppre}快餐]：[满{pay_bonus}减20|下单送饮料]，[美团饿了么搜索“{shoppre}”|电话订餐{mobile}]。{td}")

fam("spam_service.sms.misc_ads",
    "【{shoppre}教育】[暑期班|秋季班]开始报名，[小学初中|全科辅导]，[试听免费|报名{percent_off}]，咨询{mobile}。{td}",
    "【{shoppre}装饰】[全包装修|旧房翻新]，[每平{pay_bonus}0元起|免费量房设计]，[电话|咨询]{mobile}。{td}",
    "【{shoppre}健身】[办年卡|新会员]{percent_off}，[送私教课|送体测]，[地址|门店]：{city}{shoppre}路{count_n}号。{td}",
    "【{shoppre}房产】[{city}地铁口|学区]精装[现房|小户型]，[首付{big_money}起|总价{big_money}起]，[看房电话|热线]{mobile}。{td}",
    "【{shoppre}汽车】[{mm}月|本月]购车{percent_off}，[置换补贴|贷款购车0首付]，[试驾|咨询]{mobile}。{td}")

fam("spam_service.sms.app_marketing",
    "【[美团|饿了么|拼多多|淘宝|京东]】[您有|送您]{pay_bonus}元[红包|优惠券][待领取|即将过期]，[打开App查看|{md}到期]。{td}",
    "[【云闪付】[周末|{weekday}]用云闪付[乘地铁|买早餐|超市购物]享{percent_off}|【支付宝】[周末|{weekday}]扫码付款[买早餐|逛超市]抽奖最高{pay_bonus}元]，[详见App|活动以App为准]。{td}",
    "【[中国移动|中国联通|中国电信]】[流量包|宽带]{percent_off}，[{pay_bonus}元|{count_n}G]，[回复KT办理|详询客服]。{td}")

fam("spam_pos_ad.sms.agent_recruit_honest",
    "【{seller}】{brand}[招聘|招]业务员，[底薪{pay_bonus}0+提成|五险一金]，[需线下拜访商户|负责片区商户维护]，[不收任何费用|无任何押金]，简历请投{surname}经理{mobile}。{td}",
    "{seller}招聘：[POS业务员|地推专员]{count_n}名，[月薪4000-8000|底薪+提成]，[公司培训|入职签劳动合同]，[不需要交钱|不收押金培训费]，电话{mobile}。{td}")

fam("spam_pos_ad.sms.rate_promo_honest",
    "【{seller}】{brand}电签[活动|新客]：[首月费率{rate_std}|按官方费率]，[机具以旧换新补贴{pay_bonus}元|免费送打印纸一年]，[需本人到店签约|客户经理上门签约]，{mobile}。{td}",
    "{seller}：[小店收款方案|聚合收款码]，[扫码费率0.38%|刷卡{rate_std}]，[费率以合同约定为准|无隐形收费]，[有意者|老板们]欢迎来电{mobile}。{td}")

fam("spam_pos_ad.sms.supplies",
    "【{seller}】[POS打印纸|热敏纸|收银纸][批发|厂家直销]，[57x50|80x80]规格，[{count_n}0卷起批|满{pay_bonus}包邮]，[电话|微信同号]{mobile}。{td}",
    "{seller}：[POS机皮套|刷卡机保护套|收银小票纸][特价|清仓]，[{percent_off}|一箱{amt_big}元]，[欢迎订购|联系]{mobile}{td}")

fam("spam_loan.sms.merchant_loan_honest",
    "【{bank}】[个体工商户|小微商户]经营贷：[有POS收单流水|有营业执照]可在{bank}App申请，[年化利率|利率]以审批为准，[不收取任何前期费用|我行不会收取放款前费用]。{td}",
    "【{shoppre}融资服务】[商户经营贷|流水贷]，[额度|最高]{big_money}，[需营业执照满1年|凭半年收款流水]，[利率以银行审批为准|放款前不收费]，[顾问|{surname}经理]{mobile}。{td}")

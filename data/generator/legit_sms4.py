"""Legitimate SMS families, wave 3: everyday notices and chat that the shipped model misread in a
probe set written apart from this generator (models/MODEL_CARD.md, "Wave 3"): utility bills that
mention a late fee, telecom and government notices that point to an official app, wallet
receipt summaries, acquirer reviews that end with an anti-fraud line naming 卡号/验证码, customers
asking at the till whether they may pay by card, and family chat about meals and coming home.
None asks for anything by reply, link or unknown number.
"""
from __future__ import annotations

import legit_sms

WAVE = 3

MACROS = dict(legit_sms.MACROS)
MACROS.update({
    "utility": "[自来水公司|{city}水务|{city}供水集团|国网{city}供电公司|国家电网|南方电网|{city}燃气|{city}港华燃气|{city}热力公司|{shoppre}物业|{shoppre}物业服务中心]",
    "ufee": "[费用|本期费用|账单]",
    "uunit": "[户号|用户编号|缴费号|房号]",
    "late": "[逾期将按日收取滞纳金|逾期将收取滞纳金|逾期按规定加收违约金|逾期未缴将产生滞纳金|逾期将影响正常使用|逾期可能暂停供气|欠费将按规定停止供电]",
    "paych": "[可通过{bank}App、支付宝或微信生活缴费缴纳|请通过“网上国网”App缴纳|可在微信“生活缴费”或营业厅缴纳|可至营业厅或通过官方App缴纳|已开通代扣的用户将自动扣款|请通过物业App或前台缴纳]",
    "telco": "[中国电信|中国移动|中国联通|中国广电]",
    "tsvc": "[宽带|套餐|流量包|固话|融合套餐|家庭宽带|5G套餐]",
    "tapp": "[{telco}App|营业厅|官方App|掌上营业厅]",
    "gov": "[{city}税务|国家税务总局{city}税务局|{city}社保|{city}医保局|{city}住房公积金中心|交管12123|{city}人社|{city}12345|{city}市场监管]",
    "govapp": "[个人所得税App|“{city}社保”小程序|国家医保服务平台App|公积金App|交管12123App|“{city}人社”公众号|政务服务网]",
    "wallet": "[微信支付|支付宝|云闪付|美团收银|收钱吧|抖音支付]",
    "period": "[今日|本周|上周|{mm}月|昨日|本月]",
    "meal": "[饭|晚饭|午饭|火锅|饺子|面条|外卖|烧烤]",
    "fam": "[妈|爸|老婆|老公|宝贝|哥|姐|儿子|闺女|媳妇]",
    "payq": "[能刷卡吗|能刷信用卡吗|可以刷卡吗|刷信用卡可以吗|能用信用卡吗|可以扫码吗|能用花呗吗|支持云闪付吗|可以微信付吗|能开发票吗]",
})

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": list(tpls), "n": n}


fam("legit_general.sms.bill_late_fee",
    "【{utility}】您{uunit}{tid}本期{ufee}{amt}元，请于{md}前缴纳，{late}。[{paych}|]",
    "【{utility}】尊敬的用户，您{mm}月{ufee}账单已出，金额{amt}元，缴费截止{md}，{late}。{paych}。",
    "【{utility}】温馨提示：您{uunit}{tid}已欠{ufee}{amt}元，{late}，{paych}。[如已缴纳请忽略。|]",
    "【{utility}】您的{ufee}余额不足{amt_small}元，为避免影响使用请及时充值，{paych}。",
    "【{utility}】{ufee}缴费成功：{uunit}{tid}，金额{amt}元，[缴费时间{md}{hm}|已于{md}到账]。[感谢您的支持。|]")

fam("legit_general.sms.telecom_service",
    "【{telco}】您的{tsvc}将于{md}到期，续费请登录{tapp}或到营业厅办理。",
    "【{telco}】尊敬的客户，截至{md}{hm}，您本月已使用流量{count_n}GB，[剩余{amt_small}GB|已超出套餐]，详情可登录{tapp}查询。",
    "【{telco}】您的话费余额为{amt_small}元，为不影响正常使用，请及时充值。[充值可通过{tapp}。|]",
    "【{telco}】您申请的{tsvc}变更已受理，将于下月1日生效，[本短信无需回复|如非本人操作请拨打[10000|10086|10010]]。",
    "【{telco}】您的{tsvc}已办理续约，[月费不变|资费以协议为准]，[{telco}不会以任何理由索要验证码|请勿向任何人透露验证码]。")

fam("legit_general.sms.gov_app_notice",
    "【{gov}】尊敬的纳税人，{yy}年度个人所得税综合所得汇算已开始，请通过{govapp}办理，[谨防假冒链接|请勿点击陌生链接]。",
    "【{gov}】您的[灵活就业社保|城乡居民医保|住房公积金]{mm}月缴费{amt}元已[扣缴成功|到账]，详情请登录{govapp}查询。",
    "【{gov}】您的[医保电子凭证|社保卡|公积金账户]信息已更新，如有疑问请拨打[12333|12345|12329|12366]或登录{govapp}。",
    "【{gov}】您有一条[交通违法|车辆年检|驾驶证换证]提醒，请登录{govapp}查看，[官方不会发送缴费链接|勿信陌生短信中的链接]。",
    "【{gov}】[提醒|通知]：{yy}年度[城乡居民医保|社保年度]缴费期为{md}至{md2}，请通过{govapp}或[银行柜台|税务大厅]缴纳，[不通过短信链接收费|谨防诈骗]。")

fam("legit_acquirer.sms.wallet_receipt_summary",
    "【{wallet}】你的商家收款码{period}收款共计{settle}元，已全部到账[零钱|余额|结算卡]。",
    "【{wallet}】[收款到账通知|收款提醒]：{period}{hm}收款{amt}元，[当日累计{settle}元|付款方{surname}**]。",
    "【{wallet}】[经营周报|经营日报|月度账单]：{period}收款{count_n}笔，共{settle}元，[详情请在{wallet}商家版查看|可在App“账单”中查看]。",
    "【{wallet}】你的[收款码|商家码]提现{settle}元已到账[尾号{tail}的{bank}储蓄卡|尾号{tail}银行卡]，[服务费{amt_small}元|免费提现]。",
    "【{wallet}】{period}有{count_n}位顾客通过你的收款码付款，[收款合计{settle}元|累计{settle}元]。[本消息无需回复|]")

fam("legit_acquirer.sms.review_with_warning",
    "【{brand}】尊敬的商户：根据监管要求，您的商户需完成年度信息核验，请登录{acq_app}上传有效营业执照。请勿相信任何索取卡号、验证码的电话。",
    "【{brand}】您的营业执照将于{md}到期，请在{acq_app}“商户信息”中更新，逾期将暂停结算。我司不会通过电话、短信索要卡号、密码或验证码。",
    "【{brand}】[商户信息核验提醒|年审提醒]：请于{md}前登录{acq_app}完成[法人身份|结算卡|经营场所]核验，[全程免费|不收取任何费用]，[谨防冒充客服索要卡号、验证码|任何索要验证码的来电均为诈骗]。",
    "【{brand}】您提交的[结算卡变更|商户信息变更]已审核通过，[次日起生效|结算将按新信息划付]。[如非本人操作请{acq_official}|请勿向他人透露验证码]。",
    "【{brand}】温馨提示：近期有不法分子冒充我司以“[费率调整|机具升级|备案到期]”为由索取卡号和验证码，我司所有业务均在{acq_app}办理，[请勿轻信|切勿泄露]。")

fam("legit_chat.sms.till_questions",
    "[老板|老板你好|你好|请问]，[你们|这边|店里]{payq}？[我带的现金不够|身上没带现金|手机没电了|我只有信用卡|]",
    "{payq}？[买{shoptype}的东西|刚才那单|一共{amt}元的]",
    "[老板|{surname}老板]，我[晚点|明天|下午]过来拿货，到时候{payq}？",
    "[可以的|能刷|都可以]，[信用卡借记卡都能刷|微信支付宝云闪付都行|扫码也可以]，[过来吧|到店就行]。",
    "[不好意思|抱歉]，[店里暂时不能刷卡|POS机今天坏了|机器在修]，[可以扫码|微信支付宝都行|只能现金或扫码]。")

fam("legit_personal.sms.meals_home",
    "{fam}，我今晚不回来吃{meal}了",
    "[晚上吃什么|中午吃啥|晚饭吃什么|今天吃什么][？|呀|啊|]",
    "{fam}[我|]{hm}[到家|下班|回来]，[给我留点{meal}|不用等我吃{meal}|想吃{meal}]",
    "[今晚|明天|周末][回家吃{meal}吗|一起吃{meal}吧|吃{meal}去不去]？",
    "{fam}，[路上买点菜回来|记得带钥匙|到家说一声|少喝点酒]")

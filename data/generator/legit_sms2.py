"""Legitimate SMS families, wave 2 (issue 3): more bank formats (regional banks, field-list
notices, 代扣/还款/转账 types, credit-card lifecycle), acquirer fee/settlement/dormancy notices
that only point to the official app or sourced hotline, anti-fraud publicity and case alerts
that quote scam wording, more OTP formats, travel/hotel/membership notices that mention
卡号/密码/会员, merchant forum/chat posts about failed swipes and suspicious SMS, and everyday
refund/reversal chat.  None asks for anything by reply, link or unknown number.
Regional banks carry no hotline (none is sourced in official_contacts).
"""
from __future__ import annotations

import legit_sms

WAVE = 2

MACROS = dict(legit_sms.MACROS)
MACROS.update({
    "rbank": "[北京银行|上海银行|宁波银行|江苏银行|南京银行|杭州银行|浙商银行|渤海银行|{city}农商银行|{city}农村商业银行|{city}银行]",
    "ttype": "[消费|转账|代扣|还款|退款|冲正|撤销|预授权完成|快捷支付|代发工资]",
    "airline": "[东方航空|南方航空|中国国航|海南航空|四川航空|厦门航空]",
    "hotel": "[华住会|锦江酒店|亚朵|如家|全季酒店|维也纳酒店]",
})

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": list(tpls), "n": n}


# ---------------------------------------------------------------- bank notices
fam("legit_bank.sms.regional_banks",
    "【{rbank}】您尾号{tail}的借记卡于{md}{hm}[消费|POS消费|网上支付]支出{amt}元，余额{bal}元。",
    "【{rbank}】您尾号{tail}的账户{md}{hm}[银联消费|快捷支付|POS消费]支出人民币{amt}元，可用余额{bal}元。",
    "【{rbank}】尊敬的客户，您尾号{tail}的账户于{md}{hm}[转入|退款转入|冲正转入|消费撤销转入]{amt}元，当前余额{bal}元。",
    "【{rbank}】您尾号{tail}账户{md}{hm}[支出|存入]{amt}元，[摘要|交易类型]：[POS消费|转账|代扣|冲正|退货]，余额{bal}元。",
    "您尾号{tail}的[账户|卡]{md}{hm}[POS消费|网上支付|退货|冲正]{amt}元，余额{bal}元。【{rbank}】",
    "【{rbank}】您尾号{tail}的信用卡{md}{hm}[消费|网上消费|POS消费]人民币{amt}元。")

fam("legit_bank.sms.structured_fields",
    "{btag}账户：*{tail}；时间：{md}{hm}；交易类型：{ttype}；金额：{amt}元；余额：{bal}元。",
    "{btag}您的账户{tail}于{ymd} {hms}发生一笔[POS消费|快捷支付|代扣|转账支出]，交易金额{amt}元，账户余额{bal}元。[交易商户：{merch_name}。|]",
    "【{rbank}】动账通知：尾号{tail}，{md}{hm}，[收入|支出]{amt}元，余额{bal}元，摘要：{ttype}。",
    "{btag}交易提醒：卡号尾号{tail}，交易时间{md2}{hm}，交易类型：[预授权|预授权完成|预授权撤销|消费撤销]，交易金额{amt}元，商户：{merch_name}。",
    "【{rbank}】账户变动：卡尾号{tail}，{md}{hm}{ttype}{amt}元，可用余额{bal}元。")

fam("legit_bank.sms.deduct_repay_types",
    "{btag}您尾号{tail}的卡{md}{hm}[代扣|自动扣款][话费|电费|燃气费|保险费|社保费|物业费]{amt}元，余额{bal}元。",
    "{btag}您尾号{tail}的借记卡{md}已为尾号{tail2}的信用卡自动还款{settle}元，余额{bal}元。",
    "{btag}您尾号{tail}账户{md}{hm}[快捷支付|网联支付]扣款{amt}元（[支付宝|财付通|美团|京东支付|抖音支付]），余额{bal}元。",
    "{btag}您尾号{tail}的卡{md}{hm}收到{surname}*[转账|汇款]{settle}元，余额{bal}元。",
    "{btag}您的贷款本期应还{amt}元已于{md}从尾号{tail}账户扣收成功，账户余额{bal}元。",
    "{btag}您尾号{tail}的账户{md}{hm}[代发工资|代发劳务费|商户结算]入账{settle}元，余额{bal}元。")

fam("legit_bank.sms.credit_card_lifecycle",
    "{btag}您尾号{tail}的信用卡{md}{hm}在{merch_name}预授权{amt}元，[预授权完成后按实际金额入账|撤销或完成后释放占用额度]。",
    "{btag}您尾号{tail}信用卡{md}{hm}预授权完成{amt}元，可用额度{bal}元。",
    "{btag}您尾号{tail}信用卡{md}账单分期{settle}元已办理成功，分{count_n}期，[每期手续费以{bank}App显示为准|首期将计入下期账单]。",
    "{btag}您尾号{tail}的信用卡{md}{hm}[取现|ATM取现]{amt}元，手续费{amt_small}元，[取现当日起计息|详见账单]。",
    "{btag}您尾号{tail}的信用卡[临时额度|固定额度]已调整为{bal}元，[有效期至{md}|即日起生效]，详情请查看{bank}App。",
    "{btag}您尾号{tail}信用卡{md}{hm}[退货|退款]{amt}元已入账，[将冲抵下期账单|可用额度已恢复]。")

# ---------------------------------------------------------------- acquirer notices
fam("legit_acquirer.sms.fee_detail_hotline",
    "【{brand}】尊敬的商户，您{md}的交易手续费{amt_small}元已从结算款中扣除（[借记卡|贷记卡|扫码]费率{rate_std}）。如有疑问请{acq_official}。",
    "【{brand}】您的商户（尾号{mid_tail}）{mm}月交易{settle}元，手续费{amt_small}元，[明细可在{acq_app}查看|平均费率{rate_std}]。本短信无需回复。",
    "【{brand}】温馨提示：您的终端单笔交易{amt}元按[贷记卡|借记卡]费率{rate_std}计收手续费，详见签约协议。如有异议请{acq_official}，我司不会通过个人账户或微信退费。",
    "【{brand}】您申请的手续费优惠已生效，{md}起{count_n}个月内[扫码|小额]交易[免收手续费|费率{rate_std}]，无需任何操作。",
    "【{brand}】您{md}的一笔D0交易收取秒到服务费{amt_small}元，如需改为T+1结算可在{acq_app}“结算设置”中修改。")

fam("legit_acquirer.sms.settlement_breakdown",
    "【{brand}】结算通知：交易日{md}，交易金额{settle}元，手续费{amt_small}元，结算款已划入{bank}尾号{tail}账户。",
    "【{brand}】您的D0结算{amt}元已到账（结算卡尾号{tail}），[含秒到服务费{amt_small}元|明细见{acq_app}]。",
    "【{brand}】[因节假日清算安排|因{md}为法定节假日]，[T+1|节假日期间的]结算将顺延至[节后首个工作日|下一工作日]，[资金安全，无需任何操作|届时自动划付，无需操作]。",
    "【{brand}】您{md}的结算款{settle}元划付失败，原因：结算卡[已销户|状态异常]。请本人登录{acq_app}修改结算卡，修改后次日重新划付。我司不会通过电话或链接索取卡号。",
    "【{brand}】尊敬的商户：您商户号尾号{mid_tail}的{md}交易已结算，结算笔数{count_n}笔，结算金额{settle}元。")

fam("legit_acquirer.sms.dormant_and_refund",
    "【{brand}】您的终端{tid}已连续{count_n}个月无交易，按[协议|服务协议约定]已暂停收款功能，如需恢复[请在{acq_app}中申请|请联系您的客户经理]，[恢复不收取任何费用|恢复免费]。",
    "【{brand}】[您参加的|您报名的][激活返现|交易达标返现|新商户首刷]活动已达标，[返现|奖励金]{act_fee}元已[返还|发放]至[尾号{tail}结算卡|您的结算账户]，[无需任何操作|请留意银行入账短信]。",
    "【{brand}】[尊敬的商户，|]您[{mm}月|上季度|此前]缴纳的[服务费|机具服务费|流量服务费]{svc_fee}元[已按活动规则退还|已全额退回|已按协议退回]至[结算卡尾号{tail}|您的结算卡]，[详情见{acq_app}“账单”页|可在{acq_app}查看明细|无需回复]。",
    "【{brand}】您申请的终端[{tid}|]注销已完成，[机具可自行保留或交客户经理回收|旧机具无需寄回]，我司不收取任何[回收费用|费用]。",
    "【{brand}】您的商户长期未交易，如不再使用可在{acq_app}申请注销；继续使用无需操作，我司不会以“未达标”为由向您收费。")

# ---------------------------------------------------------------- anti-fraud publicity
fam("legit_antifraud.sms.publicity_quotes",
    "【{city}反诈】[凡是|只要是]要求[缴纳押金换机|交激活费|先交保证金]的，都是诈骗！[凡是|只要是]让您[回复“1”换新机|报验证码|下载会议软件共享屏幕]的，都是诈骗！",
    "{btag}反诈小课堂：“[您的POS机备案到期即将停用|费率上调至{rate_high}，回复1免费换{rate_low}新机|机器被监控需要免费上门检测]”是典型POS诈骗话术。正规机构换机不收费、不要验证码。",
    "[国家反诈中心|{city}公安]提示：骗子自称“[银联风控中心|{brand}客服|支付清算协会]”，称您的商户被列入黑名单、需缴纳解冻金，[请勿相信|这是诈骗]。遇到可疑来电请拨96110咨询。",
    "【反诈宣传】POS机诈骗三大套路：一是“免费换新机”收押金，二是“降费率”骗验证码，三是“多扣手续费退还”骗卡号。[牢记|请记住]：不转账、不透露、不下载。",
    "{btag}[警惕|提防]“养卡提额”“信用卡代还”：把卡片、密码交给他人，[可能被盗刷|可能卷入违法犯罪]。如有疑问请拨{bank_hot}。")

fam("legit_antifraud.sms.case_report_alert",
    "【{city}公安】[近日|{md}]，[我市|{city}]一{shoptype}老板接到自称“{brand}客服”的电话，称POS机[费率上调|备案到期]需换新机，[按对方要求|在对方指导下]报了验证码，被[盗刷|转走]{settle}元。警方提醒：[任何要验证码的都是诈骗|请挂断后通过官方渠道核实]。",
    "【反诈预警】[本周|近期]{city}已发生{count_n}起“POS机免费换新”诈骗，嫌疑人[以快递到付形式|让商户先交押金]骗取{deposit}元不等。如接到类似电话，请拨96110[咨询|举报]。",
    "{btag}风险提示：近期有商户[收到|接到]“[您的商户已被降级|结算账户异常需验证|积分即将清零]”[短信|电话]后点击链接，[输入卡号和验证码|填写银行卡信息]后被盗刷。我行短信不含链接，请勿点击。",
    "【{city}反诈中心】[案例|警情通报]：[某|一位]商户[被“业务员”|接到“老客户经理”]微信，称旧机停用需交{act_fee}元激活费换新机，[转账后对方失联|付款后被拉黑]。[换机请联系官方客服核实|官方换机不收任何费用]。")

# ---------------------------------------------------------------- OTPs
fam("legit_otp.sms.otp_formats",
    "{btag}动态密码：{code6}，您尾号{tail}的卡正在[网上支付|快捷支付|无卡支付]{amt}元，[切勿告知他人|请勿泄露]。",
    "【{brand}】交易验证码{code6}，用于[{acq_app}登录|结算卡变更|终端绑定]。[切勿告知他人|工作人员不会索取]，如非本人操作请忽略。",
    "验证码：{code6}，有效期[5|10]分钟。您正在[开通POS商户服务|申请商户收款码]，{brand}[不会以任何理由|从不]索要验证码。【{brand}】",
    "{btag}您正在绑定{bank}卡至[云闪付|支付宝|微信支付]，验证码{code6}，[任何索要验证码的都是骗子|切勿告知他人，包括银行工作人员]。",
    "【云闪付】验证码{code6}，您正在添加尾号{tail}的银行卡。[银联工作人员不会索要此验证码|切勿告知他人]。")

# ---------------------------------------------------------------- general
fam("legit_general.sms.membership_travel",
    "【{airline}】{surname}先生/女士，您{md}{city}-{city2}的航班[已出票|值机已开放]，[会员卡号|常旅客卡号]尾号{code4}，积分将于航后[7个工作日|10个工作日]内累积。",
    "【{hotel}】[尊敬的会员，|{surname}先生，|]您的会员[登录密码已重置|账号已绑定新手机|卡号{code6}{code4}已升级为金卡]，[如非本人操作请在App“账户安全”中修改|积分和权益可在App查看]。",
    "【{hotel}】您已预订{md}入住{city}[店|分店]，订单号{code6}{code4}，[到店出示身份证即可入住|已用尾号{tail}的信用卡担保]。",
    "【[盒马|山姆会员店|永辉|大润发]】您的会员卡[将于{md}到期|积分{code4}分将于年底清零]，[可在App内续费|可在App内使用]，会员卡号尾号{code4}。",
    "【[中国石化|中国石油]】您的加油卡尾号{code4}于{md}{hm}消费{amt}元，余额{bal}元。",
    "【[12306|铁路12306]】[您的账号密码已修改成功|您的账号已在新设备登录]，如非本人操作，请及时[通过官方App找回密码|修改密码]。",
    "【{airline}】[尊敬的|]{surname}[先生|女士]，您的[常旅客|会员]账户[新增积分{code4}|密码已重置|已升级为银卡会员]，[详情请在App查看|如非本人操作请在App内修改密码]。")

# ---------------------------------------------------------------- chat / forum
fam("legit_chat.sms.forum_help_posts",
    "[求助|请教各位|问一下]：[刚才|今天中午]顾客刷卡[显示失败|没出单]，[但是|可]他[手机收到扣款短信了|卡里钱扣了]，我[这边|后台]没到账，[怎么办|这钱去哪了]？",
    "[回复|答]：[别慌|正常]，这是交易中断，[先重打末笔|重打一下上一笔]看看，[没有就是没成功|打不出来就是失败]，[系统会冲正|会自动冲正]，钱一般[1-3个工作日|第二天]退回顾客卡里。",
    "[有没有人|大家]收到过“[您的POS机备案到期即将停用，回复1免费更换|费率上调至{rate_high}，回1换{rate_low}新机]”的短信？[是真的吗|要不要回]？",
    "[楼上|回复楼主]：[别回|千万别回1]，[那是骗子|假的]，[正规公司|{brand}]不会短信让你换机，[有问题|不放心][打官方客服|找装机的客户经理]问。",
    "[请问|问下]，刷卡机刷了一笔{amt}，[小票打出来了|显示成功]但是[第二天没结算|没到账]，[是什么原因|要找谁]？[打了|拨打了]{bank_hot_or}[说查不到|让我等]。",
    "[经验分享|提醒一下]：[刚|今天]接到[电话|短信]说[我的机器要收年费|多扣的手续费要退]，[让我加微信|让我下载App]，[果断挂了|直接拉黑]，[大家小心|各位老板注意]。")

fam("legit_chat.sms.colloquial_refund_chat",
    "[老板|你好]那个钱[退了没|退回来了吗]，我看短信[说冲正了|有一条冲正]，是不是[就是退回来了|钱回来了]？",
    "[对|是的]，冲正就是[退回去了|把钱退给你了]，[你看下余额|你查下卡里]，[多了{amt}吧|应该回来了]{lol}",
    "[刚刷那下|刚才那笔]没成功，[你别急|不好意思]，[我再刷一次|重新刷一下]，[失败那笔|之前那个]银行[会退的|自动退]。",
    "[钱到了|收到了]，{amt}，刚[银行发短信|短信提示]退货[收入|入账]了{lol}",
    "[你上次|昨天]那个{amt}我[撤销了|做了撤销]，[信用卡额度|额度]应该[马上|很快]恢复，[没恢复跟我说|有问题再找我]。",
    "[不好意思|抱歉]多刷了一笔，我[当天就撤销了|已经退了]，[你那边会收到两条短信|会先扣后退]，一条扣款一条撤销，[别担心|别慌]。")

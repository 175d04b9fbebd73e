"""Legitimate call transcripts, wave 2 (issue 3): a bank account manager's check-in call,
a merchant calling an acquirer hotline about fees, and a bank risk team confirming a card
transaction.  None asks for a code, password, full card number, transfer or app install."""
from __future__ import annotations

import legit_call

WAVE = 2

MACROS = dict(legit_call.MACROS)

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": [t.strip("\n").split("\n") for t in tpls], "n": n}


fam("legit_service_call.call.bank_manager_checkin", """
C:[您好，|喂，您好，]请问是{shop}的{surname}老板吗？我是{bank}[{city}分行|支行]的客户经理{person}。
M:[哦，你好，有什么事？|是我，啥事？|{m_who}]
C:[就是例行回访一下，|行里今年做商户回访，]您在我们行办的[POS|收单]用着[还顺利吗|有没有问题]？[到账都正常吧？|结算都按时吗？]
M:[挺好的。|还行，就是有时候到账慢一点。|都正常。]
?C:[另外您的营业执照信息快到期了，|您留在行里的营业执照年底到期，][方便的时候带原件到网点柜台更新一下就行|有空带执照到网点更新一下]，[不收费，也不着急|不收任何费用]。
?M:[好的，我下周过去。|行，知道了。]
C:[顺便提醒您，|还有就是，]我们[不会打电话要您的验证码或密码|不会让您转账或者下载什么软件]，[有人这么说就是骗子|遇到这种电话直接挂掉，打{bank_hot}核实]。
M:{m_ok}
C:{c_bye}
""", """
C:[{surname}老板您好，|您好，]我是{bank}的{person}，[负责您店里收单的|给您办POS的那个客户经理]，[跟您说个事|打电话跟您说一声]。
M:[嗯，你说。|哦，你好你好。|{m_who}]
C:[行里给小微商户的优惠费率|您那个活动费率]{md}到期，[之后按合同费率{rate_std}执行|之后恢复签约费率]，[手机银行和短信都会通知|App里有公告]。
M:[那我需要做什么吗？|要换机器吗？|会多扣钱吗？]
C:[不用做任何操作，也不用换机器，|机器照常用，什么都不用办，][有疑问您随时找我或者打{bank_hot}|具体可以在我们App里看]。
?M:[那有人打电话说回1能换低费率新机呢？|前几天有人说能给我降到{rate_low}。]
?C:[那不是我们，您别理，更别交押金。|那都是冒充的，银行不会这样换机。]
M:{m_ok}
C:{c_bye}
""")

fam("legit_hotline_call.call.acquirer_fee_query", """
C:您好，[{brand}客服|很高兴为您服务]，工号{code4}，请问有什么可以帮您？
M:[你好，|喂，]我[这个月|昨天]结算少了，[手续费怎么扣了{amt_small}|好像多扣了手续费]。
C:[好的，|您别急，]请您提供一下商户号[或者|和]终端号，我帮您查询。
M:[商户号是{mid}。|终端号是{tid}。]
C:[查到了，|您稍等……查到了，]您{md}有一笔{amt}元的[信用卡|贷记卡]交易，按签约费率{rate_std}收取，[另外开通了秒到，每笔收服务费|还有D0秒到的服务费]。
?M:[那能不能不要秒到？|秒到怎么关？]
?C:[可以，您在{acq_app}里把结算方式改成T+1就不收了。|您在App“结算设置”里改成次日到账就行。]
M:[还有，|对了，]前两天有人打电话说多扣的手续费能退，让我加微信，是你们吗？
C:[不是的，|那不是我们，]我们不会通过微信退费，也不会要您的卡号和验证码，[那是诈骗|请不要理会]。
M:[好的，谢谢。|明白了。|行，那没事了。]
?C:[不客气，还有其他问题吗？|感谢来电，祝您生意兴隆。]
""")

fam("legit_service_call.call.bank_risk_confirm", """
C:您好，这里是{bank}[信用卡中心|风险管理部]，请问是{surname}先生吗？
M:[是我。|对，什么事？|{m_who}]
C:您尾号{tail}的卡[刚刚|{hm}]在{merch_name}有一笔{amt}元的交易，[系统提示需要确认|因为金额较大]，请问是您本人的交易吗？
M:[是我刚刷的。|是的，我在店里买东西。]
C:[好的，已经为您确认，交易正常，|好的，感谢您的确认，]不影响[用卡|后续交易]。
C:[提醒您，|另外提醒一下，]我行工作人员不会索要您的密码、验证码或卡片背面三位数，[如对本次来电有疑问，可挂断后拨打{bank_hot}核实|有疑问请拨打卡背面的客服电话]。
M:{m_ok}
C:{c_bye}
""", """
C:您好，这里是{bank}[信用卡中心|风险管理部]，请问是{surname}女士吗？
M:[是我。|嗯，你说。]
C:您尾号{tail}的卡[刚刚|{hm}]在{city}有一笔{amt}元的[网上消费|POS消费]，[系统判断有风险，已暂时拦截|交易没有成功，被系统拦截了]，请问是您本人操作吗？
M:[不是我！我人在家里。|没有啊，我没刷。]
C:[好的，这笔交易没有扣款。|您放心，资金没有损失。][建议您拨打卡片背面的{bank_hot}办理挂失换卡|您可以在{bank}App里先把卡冻结，再到网点换卡]。
?M:[那要不要告诉你卡号？|你要我的验证码吗？]
?C:[不用，我们什么都不需要您提供。|不需要，任何人要验证码都不要给。]
M:{m_ok}
C:{c_bye}
""")

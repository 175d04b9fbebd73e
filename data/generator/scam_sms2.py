"""Scam SMS template families, wave 2 (issue 3: breadth of real-world phrasing).

Same engine and conventions as scam_sms.py (whose macros are reused); these families are
split by the per-family hash rule for wave-2 families (see generate.py / data/README.md).
Styles added: tagless short texts, notes "from" the installer/业务员, 个人POS停用 rumours,
MCC/商户降级, 二维码费率, 减费让利补贴, 限额/解冻金, 机具回收扣费, courier COD machines,
auto-renewing "insurance", fake merchant apps, 积分兑换, fake reversal notices, QQ/WeChat
group lures, 支付清算协会/人行 blacklist, fake bank account managers, 代还 with card custody,
WeChat-Moments style 0费率 ads with a deposit, and renting/buying merchant accounts.
"""
from __future__ import annotations

import scam_sms

WAVE = 2

MACROS = dict(scam_sms.MACROS)
MACROS.update({
    "fakeapp": "[{brand}商户宝|{brand}商户助手|POS商户通|商户管家|银联商户通|收单助手|{brand}钱包|电签助手|{brand}Pro|掌柜收款|商户云]",
    "colleague": "[之前给您装机的|给你办机器的|负责您这片区的|以前给您送纸的|您的对接业务员]",
    "bro": "[{surname}老板|老板|{surname}哥|{surname}姐|哥|姐|老板娘]",
    "ins": "[交易保障险|资金安全险|盗刷险|账户安全险|商户资金保障服务|POS安全保障服务|延保服务]",
})

F = {}


def fam(key, pats, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": list(pats), "templates": list(tpls), "n": n}


# ---------------------------------------------------------------- fake_upgrade
fam("fake_upgrade.sms.salesman_colleague_note", ["fake_upgrade", "impersonation"],
    "{bro}，我是{colleague}小{surname2}，[公司|总部]通知[旧机|老款机器]{md}后[统一停用|全部停掉]，我这边[给您|帮你]登记免费换新，[您|你][回个1|回复1]或者加我[微信|{wx_word}]{wechat}就行。",
    "{bro}，我[{brand}|{brand}的]业务员{person}，[你|您]那台{mach}[到期了|要年审了|备案快过期了]，[这周|月底前|{deadline}]得换新的，不换[就刷不了|会{threat}]，[方便时|有空]回我[电话|个电话]{mobile}",
    "[老板您好|您好]，我是{colleague}{brand}[业务经理|客户经理]{person}，[你机器|您这台机器]费率被调成{rate_high}了<fee_swap:>，我帮您申请换一台{rate_low}的，[免费|不要钱]，[回1我就安排|您回复我一下就安排寄]。",
    "我是{brand}的小{surname2}，[上次|之前]给[你|您][办|装]的机器[系统要升级|要换新主板]，[我明天过去|过两天上门]帮你弄<free_repair:>，[到时候|弄的时候][要用一下你的卡验证|需要你手机收个验证码]<card_theft:>，[费用全免|不收钱]。",
    "{bro}在吗？[我是|]小{surname2}，[装机那个|{brand}那个]，[你们那片|你那边]的机器[要统一换|下个月要换新]，[新机我给你留了一台|给你留了名额]，[明天|下午]让快递给你送过去。")

fam("fake_upgrade.sms.personal_pos_ban", ["fake_upgrade"],
    "[重要通知|紧急通知|最新消息]：[{md}起|{yy}年起|下月起]个人名下{mach}[全面停用|一律停止结算|不再受理信用卡]，须[升级为|更换成][企业商户|个体工商户|小微商户]机具，{r1}免费更换。{opt}",
    "[个人POS|个人刷卡机|个人电签]即将[全部清退|全面停用]！[您的|贵户]{mach}[未绑定营业执照|属于个人商户]，[{deadline}|月底前]不换将{threat}，[免费换机|0元换新]{tel}",
    "{itag_opt}[根据|依据][银联新规|央行新规|最新文件]，个人收款[码|机]不得用于经营收款，您的{mach}需[重新入网|更换为商户版]，{warn}{threat}，{r1}。{opt}",
    "[提醒|注意]：[新规出台|政策变了]，[个人POS|无执照POS]{md}[以后|起][刷不了卡|全部作废]，[老用户|在用的]可[免费换|0元升级][执照版|商户版]，[留言|回复]“换机”即可。")

fam("fake_upgrade.sms.mcc_downgrade", ["fake_upgrade", "fee_swap"],
    "{itag_opt}{hi}系统检测到您的商户[MCC码|行业类别|商户类型][异常|被降级]，[已被调整为|被判定为][小微商户|低价值商户|高风险行业]，[信用卡|刷卡]将被[银行降额|限额]，{r1}[免费更换|重新入网]{rate_low}[标准类|一户一码]新机。{opt}",
    "[商户降级提醒|降级通知]：您的{mach}[近期|近{count_n}个月][交易跳码|商户类别被调整]，[费率已上调为|实际费率]{rate_high}，[请|需]{deadline}{tel2}[恢复|升级]为[优质商户|标准商户]，[新机免费|免费换机]。{itag_opt}",
    "{hi}您[使用的|名下的]{mach}[商户编码|MCC|商户类别码]被[银联|系统]降为[“公益类”|“批发类”|“房产汽车类”|“减免类”]，[会被信用卡中心风控|影响信用卡提额]，现[可|需]免费换成[“餐饮类”|“百货类”]新机，{r1}。{opt}",
    "[老板|商户]注意：[你|您]的机器[一直跳|跳到]{merch_name}，[银行|发卡行]已[标记|关注]，[再刷|继续用]会[封卡|降额]，[赶紧|尽快]换[一户一码|不跳码]的{rate_low}新机，{tel}")

# ---------------------------------------------------------------- fee_swap
fam("fee_swap.sms.qr_rate_rise", ["fee_swap"],
    "{itag_opt}[通知|重要提醒]：[{md}起|下月起][扫码|二维码|收款码]费率[上调至|统一调为]{rate_high}，[登记|签约]后可[保持|锁定]{rate_low}：<card_theft:{short_link}>{opt}",
    "[央行新规|银联新规|最新规定]：[个人收款码|二维码收款][{md}起|即日起][收取|加收]{rate_high}手续费，[商户|老板]{r1}[领取|换成]{rate_low}[商户收款码|收款码]，[费率不涨|永久有效]。{opt}",
    "{hi}您的[收款码|商户码|聚合码]费率[异常|偏高]，[已被调至|现为]{rate_high}，[扫描|识别][下方|图中]二维码<card_theft:>[重新签约|降费率]至{rate_low}，{deadline}有效。{opt}",
    "[收款码|扫码]{md}[要收费了|开始收手续费]！[每笔|每万元]多扣[60|68|100]元，[免费|0元]换[商户码|{rate_low}聚合码]请{addwx}，[名额|{hurry}]。")

fam("fee_swap.sms.subsidy_rebate_claim", ["fee_swap", "card_theft"],
    "{itag_opt}[根据|按照]国家[减费让利|小微商户扶持|普惠金融]政策，您的商户[可领取|有一笔]手续费[补贴|返还]{amt_small}元[未领取|待领取]，请[点击|登录]{short_link}[填写结算卡|核对收款卡][信息|号码]领取。{opt}",
    "[补贴到账提醒|返还通知|减费让利通知]：[{yy}年度|上半年|去年]刷卡手续费[补贴|退还]{amt_small}元[已下发|待确认]，[需|请][提供|核对]结算卡号及[验证码|预留手机号]，{tel2}。{itag_opt}",
    "{hi}您[的|]{mach}[符合|满足][费率补贴|减免手续费]条件，[累计|共计]可退{amt_small}元，[{deadline}|逾期]未领[视为放弃|自动作废]，领取请{addwx}。{opt}",
    "<impersonation:[【{brand}】|{scam_tag}]>[老商户|您的商户]多扣的{amt_small}元手续费[已核实|已审批]，[扫码|点击链接]领取：{short_link}，[需|请]输入[结算卡号|卡号和验证码][核验|确认]。")

fam("fee_swap.sms.moments_ad_deposit", ["fee_swap", "deposit_trap"],
    "{emoji}[电签新品|新款电签|{yy}新款]{emoji2}[0费率|零费率|费率{rate_low}][秒到|秒到账]，[不跳码|一户一码]，[自选商户|精准MCC]，[押金{deposit}|{deposit}押金][激活返|刷满{reach}全退]，{addwx}",
    "[朋友圈|老客户]福利：[{brand}|正规一清][大POS|电签][免费送|0元领]，[仅收|只收]押金{deposit}，[{count_n}天|当天]发货，[秒到不跳码|T0秒到]，[终身|永久]{rate_low}不涨，{tel}{opt}",
    "[🔥|✅|💰]信用卡[刷卡|收款][0.38|万38|{rate_low}]+0，[秒到账|D0到账]，[支持|可刷]花呗[和|、]云闪付，[交|需交]{act_fee}元[服务费|开通费]，[刷够{reach}返还|激活即返][?，[招代理|代理分润{pct_share}]<agent_recruit:>]，{addwx}",
    "[无押金是假的|别信免费的]，[我们|本店]只收{deposit}押金，[刷满{reach}退|激活退]，[费率|点位]{rate_low}[终身|永不]不变，[秒到|不跳码]，[要的|需要的][私信|{addwx}]")

# ---------------------------------------------------------------- deposit_trap
fam("deposit_trap.sms.limit_unlock_fee", ["deposit_trap"],
    "{itag_opt}{hi}您的{mach}[单笔|单日]限额[5000|2万|1万]元，[开通|提升至]大额[收款|交易]权限需[缴纳|预存][保证金|认证费]{deposit}元，[{count_n}个月后|交易满{reach}]退还，{tel}{opt}",
    "[提额通知|限额调整]：您的商户[交易限额|收款额度]被[下调|限制]，[恢复|解除]需[缴纳|补交][风险保证金|验证金]{svc_fee}元，{tel2}。{itag_opt}",
    "{hi}您的{mach}因[交易频繁|夜间交易|大额交易]被[风控|锁机]，[解除|解锁]需[交|缴纳][解冻金|解锁费]{act_fee}元，[款项|费用]可退，{addwx}{opt}",
    "<impersonation:[【{brand}】|{brand}风控：|【风控中心】]>您的POS已被风控，[交易|收款][暂停|受限]，[需|请]在{deadline}[缴纳|转入][解冻金|风险押金]{svc_fee}元至[指定|监管]账户，[核实后|解封后]原路退回，{tel}")

fam("deposit_trap.sms.machine_recall_charge", ["deposit_trap"],
    "{itag_opt}{hi}您的旧{mach}[已停用|属于回收机型]<fake_upgrade:>，请于{deadline}[寄回|交回]，[逾期未寄回|未归还]将[从结算款中|在您账户]扣除机具费{deposit}元。[寄回地址|详情]请{tel2}。{opt}",
    "[机具回收通知|旧机回收]：[总部|公司]统一回收[老款|旧版]{mach}<fake_upgrade:>，[新机已寄出|更换新机后]，旧机[需|请]寄回，否则[视为买断|按原价]扣款{deposit}元，{tel}{itag_opt}",
    "{hi}您的{mach}[长期未使用|连续{count_n}个月无交易]，[公司将|将]回收机具，[如需保留|不想被回收]须[缴纳|补交][机具押金|占用费]{deposit}元，{tel2}。{opt}",
    "[您好|老板]，[机器|设备]是[公司|我们]的[租赁|借用]资产，[停用|换新]后<fake_upgrade:>[不寄回|不归还]要[扣|收]{deposit}[机具费|设备费]，[寄回|退机]请{addwx}。")

fam("deposit_trap.sms.courier_cod_machine", ["deposit_trap"],
    "[{exp_co}|快递员{surname}师傅|快递]：您好，您有一个[{brand}|POS机|刷卡机]的[包裹|快递]，[到付|需代收]{deposit}元，[我下午送到|今天派送]，[方便吗|请保持电话畅通]？{mobile}",
    "[{exp_co}提醒|快件通知]：您的[快件|包裹]（<impersonation:[寄件方：|寄件人：]{brand}[终端中心|售后部|总部]>）[需支付|到付][激活费|服务费]{act_fee}元，[签收后|付款后]{tel2}[激活|开通]。",
    "[您好|你好]，您[换新的|申请的]{mach}<fake_upgrade:>已到{city}[网点|驿站]，[取件需|签收需付][激活押金|设备押金]{deposit}元，[刷满{reach}退|三个月后退]，[单号|运单]{waybill}。",
    "[师傅|快递]说[你的|您的]POS新机[是代收件|要代收]{deposit}，[钱是押金|这是押金]，[机器激活后|刷够{reach}]公司[退给你|原路退]，[旧机|老机器][交给快递员带回|一起寄回]<fake_upgrade:>。")

fam("deposit_trap.sms.insurance_autorenew", ["deposit_trap"],
    "{itag_opt}{hi}您的{mach}已[开通|默认开通]{ins}，[每月|每年]{svc_fee}元，将于{md}从结算款[自动扣除|扣取]，[如需取消|不需要]请{tel2}。{opt}",
    "[扣费提醒|保险续费|续费提醒]：您的{ins}[试用期已满|即将自动续费]，[{md}起|次月起]每月扣费{flow_fee}元，[取消请|退订请]联系{contact}。{itag_opt}",
    "{hi}[系统显示|经查]您[办理|开通]了[{brand}|]POS[会员|VIP|延保]服务，[年费|服务费]{year_fee}元[即将扣款|今晚扣款]，[关闭|取消]需[下载|登录]{app_name}[按客服指引|共享屏幕]操作<card_theft:>，{tel}",
    "<impersonation:[【{brand}】|{scam_tag}]>您的商户[已自动续保|{ins}已生效]，[首年|本期]{year_fee}元[将从您绑定的银行卡扣除|已冻结待扣]，[非本人办理|如不需要]请[尽快|{deadline}]{tel2}退订。")

# ---------------------------------------------------------------- card_theft
fam("card_theft.sms.merchant_app_download", ["card_theft"],
    "{itag_opt}{hi}[因|为]系统[迁移|切换]，请于{deadline}下载新版“{fakeapp}”[APP|客户端]完成[商户信息同步|结算卡重新绑定]，[逾期|否则]结算[暂停|将{threat}]。下载：{short_link}",
    "[商户您好|老板好]，{mach}[激活|绑卡|领取补贴]现在[统一|都]在“{fakeapp}”App[办理|操作]，[下载|安装]后[登录|输入][卡号|结算卡号]和[验证码|密码]即可，{short_link}{opt}",
    "<impersonation:[【{brand}】|{scam_tag}]>[温馨提示|通知]：[原{acq_app}|旧版App]已停止服务，[请|需]安装“{fakeapp}”[新版|升级版][继续收款|查询结算]，[安装包|地址]：{short_link}",
    "[你好|您好]，[新机|电签]要[先|]在手机上装“{fakeapp}”[才能用|才能激活]<fake_upgrade:>，[应用商店搜不到|商店里没有]，[用这个|点这个]链接[下|装]：{short_link}，[装好|装完][截图|发]给我。")

fam("card_theft.sms.points_redeem", ["card_theft"],
    "<impersonation:[【{brand}】|{scam_tag}|【{bank}】|【银联积分】]>您的[商户积分|交易积分|刷卡积分]{code4}分[即将清零|将于{md}过期]，可兑换[{amt_small}元现金|{pay_bonus}元话费|电饭煲、打印纸等礼品]，[登录|兑换入口]{short_link}",
    "<impersonation:{btag}>尊敬的客户，您的信用卡积分{code4}分[可兑换|可抵扣]{amt_small}元现金，[今日|{deadline}]有效，[手机|请]登录{short_link}[兑换|领取]，[过期作废|逾期清零]。",
    "[POS商户|刷卡]积分兑换[提醒|活动]：[您|商户]累计[刷卡|交易]积分{code4}分，可[换|兑]{mach}配件、打印纸或[现金红包|话费]，[回复卡号|回复卡号和有效期]即可兑换。{opt}",
    "{hi}[恭喜|祝贺]您[获得|抽中][老商户|年度]积分[回馈|大礼]，[{code4}积分|积分]可换[{amt_big}元|现金]，[兑换需|需][验证|填写][卡号、有效期及背面三位数|卡号和验证码]：{short_link}{opt}")

fam("card_theft.sms.fake_reversal_verify", ["card_theft"],
    "<impersonation:{btag}>您尾号{tail}的卡{md}{hm}POS消费{amt}元[冲正失败|退款失败]，[资金暂挂|款项待退回]，请[点击|登录]{short_link}[确认收款账户|重新提交退款]，{deadline}[有效|内办理]。",
    "<impersonation:[【银联】|【中国银联】|【{brand}】]>[您好|尊敬的持卡人]，您在{merch_name}的交易{amt}元[因通讯故障|交易超时][未成功|已冲正]，[退款需|需][验证|核对]卡号[及|和][有效期|验证码]，[请|]致电{fake_400}。",
    "{hi}您[昨天|{md}][在|]{merch_name}[刷卡|消费]{amt}元[重复扣款|被扣两次]，[退款|冲正]请{addwx}[提供|发送][卡号|卡片正反面照片]。",
    "<impersonation:[{btag}|【{bank}信用卡】]>您尾号{tail}的交易{amt}元已撤销，[退款|撤销款]需[您|本人]回复[“卡号+有效期”|卡号及验证码]确认后[到账|退回]，[如|若]未确认[将退回商户|视为放弃]。")

fam("card_theft.sms.group_register_lure", ["card_theft"],
    "[被多扣手续费的|被跳码的|费率被调高的][商户|POS用户][注意|看过来]<fee_swap:>：[统一维权|集体退费]已[启动|开始]，[进群|加群]登记[结算卡号|卡号和手机号]，[QQ群|群号]{qq}{opt}",
    "[{brand}|POS]商户[交流群|福利群|售后群]：[群内|进群][领补贴|退押金|领打印纸]，[扫码进群|群号{qq}]，[进群后|入群请]发[商户号和结算卡照片|卡号和身份证照片]给[群管理|管理员]。",
    "{bro}，[你的|您的]{mach}[问题|退费]我[拉了个群|建了群]统一处理，[加|请加]{wx_word}{wechat}[我拉你进群|进群]，[群里|到时候]客服[会|]让你[扫码|填个表]。",
    "[POS机押金|刷卡机押金][退不了的|没退的][看这里|老板们]<deposit_trap:>：[律师团|维权群]免费帮退，[加群|进群]{qq}，[提供|上传][卡号和开户行|收款卡信息]即可。")

# ---------------------------------------------------------------- impersonation
fam("impersonation.sms.clearing_assoc_blacklist", ["impersonation"],
    "<impersonation:[【中国支付清算协会】|【支付清算协会】|【中国人民银行】|【人行征信中心】]>您的商户[因|涉嫌][套现|跳码|违规交易]已被[录入|列入][风险商户名单|特约商户黑名单|风险信息共享系统]，将影响[个人征信|名下所有银行卡]，[解除|申诉]请于{deadline}致电{contact}。",
    "<impersonation:[人民银行{city}中心支行|{city}人行|中国人民银行]>[通知|告知书]：[经查|经监测]，您名下{mach}[存在|涉及][违规交易|资金异常]，[依据|根据]《[非银行支付机构监督管理条例|反洗钱法]》，[须|需]在{deadline}[配合|完成][核查|整改]，[联系|专线]{contact}[?，<deposit_trap:[需缴纳|先交][保证金|整改保证金]{deposit}元>]。",
    "<impersonation:[【支付清算协会】|【银联风控】]>[您好|提示]：您的商户号{mid}[被投诉|被持卡人投诉][{count_n}次|多次]，[即将|将于{md}]被[注销|列入黑名单]，[如需|请]{tel2}[申诉|处理][?，<card_theft:[申诉需|需提供][结算卡号及验证码|身份证和银行卡照片]>]。",
    "<impersonation:[【征信中心】|【人民银行征信】]>您的[POS|商户]交易[记录异常|被风控]，[已|将]上报征信，[如需|为避免]影响[贷款|房贷|名下信用卡]，[请|]{deadline}[联系|致电]{contact}[消除记录|处理]。")

fam("impersonation.sms.bank_manager_wechat", ["impersonation"],
    "{bro}您好，我是{bank}[普惠金融部|商户部|网点]的客户经理{person}，[您的|您在我行办理的]POS商户[需要年检|资料需更新]，[麻烦|请]加我{wx_word}{wechat}[发一下|拍一下][身份证和银行卡照片|营业执照和结算卡正反面]<card_theft:>。",
    "[您好|老板好]，{bank}{person}，[您的|贵店]收单[商户|协议][即将到期|需续签]，[我们|行里]要[线上|远程]核实一下，[待会给您发个验证码|会有一个验证码]，[麻烦转发给我|您发我一下]<card_theft:>就行。",
    "[我是|这边是]{bank}信用卡中心的{person}，[您的|贵店的]POS[可以|已]开通[免费|0费率]<fee_swap:>[信用卡|大额]收款，[需要|要][您|老板][把卡号|提供卡号和有效期]给我[登记|录入]<card_theft:>，{mobile}。",
    "{bro}，{bank}小{surname2}[啊|呀]，[行里|我们行][新出的|在推的]POS[要换了|统一升级]<fake_upgrade:>，[旧的|你那台][月底|{md}后]用不了，[新机|换机]押金{deposit}[我先帮你垫|你转我就行]<deposit_trap:>，[回头|激活后]退。")

# ---------------------------------------------------------------- agent_recruit
fam("agent_recruit.sms.credit_repay_custody", ["agent_recruit"],
    "[信用卡|卡]到期还不上？[智能代还|空卡代还|垫资代还][{rate_low}|低至{rate_low}]，[不用本金|无需本金|垫资还款]，[需|要][提供|寄存][卡片及密码|卡号、有效期和CVV]<card_theft:>，{addwx}{opt}",
    "[{city}|本地]专业[代还信用卡|卡片代管]，[垫还|垫付]{big_money}以内，[手续费|点位]{rate_low}，[把卡|卡片][交给我们|寄给我们]<card_theft:>，[省心|每月帮你自动还]，{tel}",
    "{hi}[代还APP|智能还款]：[绑定|上传]信用卡[即可|就能]自动[代还|还款]，[每月|每期][省手续费|不逾期]，[邀请好友|推荐下级][返{pay_bonus}|分润{pct_share}]，[下载|注册]{short_link}<card_theft:>{opt}",
    "[信用卡|卡]逾期了？[别急|不用慌]，[我们|团队][垫钱|垫资]帮你还[，再用POS刷出来|，再刷回来]，[收点手续费|点数{rate_low}]就行，[卡和密码|卡片和密码][放我这|交给我]<card_theft:>[更方便|最省事]，{addwx}")

fam("agent_recruit.sms.rent_merchant_accounts", ["agent_recruit"],
    "[高价收|长期收|回收]{mach}[、|和]商户号[、对公账户|、营业执照|]，[一台|一户]{amt_big}元，[当面交易|现结]，{addwx}{opt}",
    "[急收|收购][闲置|不用的]{mach}，[有交易记录的优先|带商户号的]，[{amt_big}元|每台{amt_big}]，[上门取机|邮寄也行]，{tel}",
    "[兼职|轻松赚钱]：[出租|出借]你的{mach}[和银行卡|和商户号]，[每天|每月]拿{pay_bonus}[元|元租金]，[不用你操作|全程我们操作]，{addwx}",
    "[有营业执照|有个体户执照]的[老板|朋友]，[帮忙|用你的执照][办几台POS|开几个商户号]，[一个给{amt_big}|每个{amt_big}元好处费]，[机器我们拿走用|你只管收钱]，{tel}{opt}")

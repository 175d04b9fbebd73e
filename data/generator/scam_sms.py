"""Scam SMS template families.  key -> (base patterns, templates)."""
from __future__ import annotations

MACROS = {
    # greeting / opener
    "hi": "[尊敬的商户：|尊敬的商户您好，|尊敬的用户：|您好，|尊敬的{brand}用户：|亲爱的商户，|老板您好，|温馨提示：|尊敬的客户，|商户您好！|]",
    # sender tag that claims an identity -> impersonation
    "itag": "<impersonation:[【{brand}】|{scam_tag}|【{brand}支付】|【{brand}客服】|【{brand}POS】]>",
    "itag_opt": "[?<impersonation:[【{brand}】|{scam_tag}|【{brand}支付】]>]",
    "opt": "[?[，| |。|][回T退订|拒收请回复R|退订回T|回TD退订|退订回N|拒收回R|回N退订]]",
    "r1": "[回复1|回1|回复数字1|回复“1”|回复Y|直接回复1|回复【1】|回复 1 ]",
    "tel": "[咨询|详询|联系|速联|电话|热线|客服电话|办理热线|详情致电|垂询|专线]：{contact}",
    "tel2": "[请致电|请联系|请速联系|请拨打|联系专员|致电客服|致电|拨打]{contact}",
    "addwx": "[加|添加|+|请加][{wx_word}|微信|微信|微信]：{wechat}",
    "mach": "[POS机|电签POS|刷卡机|POS机|POS|机器|终端|电签机|收款机|大POS|智能POS]",
    "hurry": "[名额有限|数量有限|先到先得|仅限前100名|过期不候|逾期不予办理|限时办理|机会难得|仅剩少量名额]",
    "warn": "[逾期未处理|未及时办理|如未更换|逾期不办|若不处理|逾期未操作|如不及时更换|未按时办理|逾期]",
}

F = {}


def fam(key, pats, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": list(pats), "templates": list(tpls), "n": n}


# ---------------------------------------------------------------- fake_upgrade
fam("fake_upgrade.sms.filing_expiry_reply1", ["fake_upgrade"],
    "{itag_opt}{hi}您的{mach}[备案|入网备案|银联备案|终端备案|商户备案]将于{deadline}到期，{warn}将[被|做]{threat}处理，{r1}[免费更换新机|免费换新|申请免费升级|办理续期换机]。{opt}",
    "{itag_opt}您名下{mach}[备案已过期|备案即将到期|尚未完成新版备案]，[按监管要求|根据银联规定|根据最新规定]需更换新终端，[费用全免|免费包邮|新机免费寄送]，{r1}确认[收件地址|办理]。{warn}[{threat}|将无法收款]。{opt}",
    "[POS备案到期通知：|【重要通知】|紧急通知：]尊敬的商户，您的{mach}备案{deadline}到期，[到期后将自动{threat}|过期将影响正常结算]，请{r1}或{tel2}办理[免费换机|换新]。",
    "{itag}商户您好，系统显示您的{mach}[备案信息不全|备案到期|备案号失效]，[为避免影响收款|为保障资金安全]，请于{deadline}[{r1}|拨打{contact}]完成换机。{opt}")

fam("fake_upgrade.sms.system_upgrade_link", ["fake_upgrade", "card_theft"],
    "{itag_opt}{hi}[支付系统|银联系统|收单系统|结算系统]于{md}全面升级，旧版{mach}将[无法使用|停止交易|不再兼容]，请点击 {short_link} [登记换机|完成升级|申领新机|同步商户信息]。{opt}",
    "{itag}[系统升级通知|升级提醒]：您的{mach}[版本过低|系统版本已停止维护]，{deadline}前需[在线升级|完成认证]，否则{threat}。升级入口：{short_link}",
    "{hi}因[银联新规|央行新规|系统升级]，您的{mach}需[重新激活|重新绑定结算信息|升级为电签版]，请登录{short_link}[填写商户信息|操作]，{warn}将{threat}。{opt}",
    "[温馨提示|系统通知]：检测到您的{mach}[固件版本过旧|系统未升级]，请在{deadline}内点击{short_link}[完成升级|领取新机]，[逾期|超时]自动{threat}。{itag_opt}")

fam("fake_upgrade.sms.old_model_eol_call", ["fake_upgrade"],
    "{itag_opt}通知：[您使用的|贵店使用的|您名下的]旧款{mach}将于{md}起[停止服务|全面停用|退出市场]，[请尽快|请在{deadline}]{tel2}预约[免费换新|上门换机]。{opt}",
    "{hi}[传统|老款|第一代|二代]{mach}已[停产|停止维护]，{md}后[将无法刷卡|交易会失败]，[老客户可免费更换新一代电签|总部为老用户准备了新机]，{tel}",
    "{itag_opt}您的{mach}机型[已列入淘汰名单|属于停用机型]，为不影响您正常收款，请尽快{tel2}登记换机，新机[免费|包邮|0元]。{hurry}。",
    "{hi}[您好|老板]，您店里的{mach}属于老款[拨号机|GPRS机型]，[运营商3G网络下线|2G网络关停]后将无法联网，现可[免费|0元]换4G新机，{tel}{opt}")

fam("fake_upgrade.sms.noncompliant_terminal", ["fake_upgrade"],
    "{itag_opt}{hi}经[排查|系统核查|监管抽查]，您的{mach}[属于不合规终端|存在“二清”风险|未通过银联认证|为非标机具]，须在{deadline}更换[合规|一清|持牌]新机，{warn}将{threat}。{r1}[免费更换|办理]。{opt}",
    "【[整改通知|合规通知|终端核查]】您正在使用的{mach}[不符合最新监管要求|被列为违规机具]，请{tel2}[办理更换|免费换领合规机]，[资金安全|收款]受影响概不负责。{itag_opt}",
    "{hi}[央行|人民银行|监管部门]要求{yy}年底前清退[不合规|无牌照]{mach}，您的机器在清退名单中，{r1}领取[合规新机|一清机]，[免费寄送|包邮到家]。{opt}",
    "[重要|紧急]：您的商户号[存在违规交易|被判定为跳码商户]，终端须更换，{warn}{threat}。[换机请|详情]{tel2}。{itag_opt}")

fam("fake_upgrade.sms.recert_or_stop", ["fake_upgrade"],
    "{itag_opt}{hi}您的商户[实名认证|年审|信息核验]已过期，结算已[暂停|受限]，{r1}[重新认证|恢复结算]，或{tel2}。{opt}",
    "{itag}您的商户号[尾号{mid_tail}|{mid}]未完成[年度审核|年审|重新认证]，{deadline}后将{threat}，请尽快{tel2}办理。",
    "[商户年审提醒|年审通知]：您的{mach}需要[重新年审|重新绑定身份]，[未年审|逾期]的终端将{threat}，[办理|咨询]{tel}{opt}",
    "{hi}您的[营业执照|商户资料]信息与银联登记不一致，{mach}将被{threat}，[请于{deadline}内|请尽快]{r1}[更新资料|申请换机]。{itag_opt}")

fam("fake_upgrade.sms.terse_stop_notice", ["fake_upgrade"],
    "{itag_opt}您的{mach}已停用，{r1}恢复。{opt}",
    "{itag_opt}[POS|{mach}]{deadline}停机，换新{r1}",
    "[{mach}到期|机器到期]，{r1}免费换新。{opt}",
    "您的{mach}即将{threat}，[速回1处理|{r1}办理|{r1}]{opt}",
    "{itag_opt}旧机停用，新机免费领，{r1}。{opt}",
    "通知：您的刷卡机需升级，不升级{deadline}停用，{r1}。")

fam("fake_upgrade.sms.trade_in_gift", ["fake_upgrade"],
    "{itag_opt}[老客户回馈|以旧换新|感恩回馈]：旧{mach}可[免费换|0元换]新款[4G电签|智能POS|刷脸POS]，[另送|加赠|还送]{pay_bonus}元[话费|流量|礼品]，{r1}[登记|领取]。{hurry}。{opt}",
    "{hi}您的{mach}[已使用满|使用超过]{count_n}年，[符合|满足]免费换新条件，新机[支持云闪付/NFC|秒到账|带扫码]，{r1}[预约|登记]，[包邮到家|快递到付0元]。{opt}",
    "{itag_opt}[换新季|升级月]：[{brand}]老用户专享，旧机[回收|折价]新机[免费|0元]，{tel}{opt}")

fam("fake_upgrade.sms.network_shutdown", ["fake_upgrade"],
    "{itag_opt}{hi}[运营商|移动联通]将于{md}关闭[2G|2G/3G]网络，您的{mach}流量卡[将失效|不再支持]，需[免费更换4G机|换新卡新机]，{r1}[办理|确认]。{opt}",
    "【[网络升级|通讯升级]】[因|由于]通讯网络升级，您的{mach}将于{deadline}[断网|无法联网]，[免费换4G新机|换卡换机]请{tel2}。{itag_opt}",
    "[提醒|注意]：您的{mach}物联网卡[即将注销|已到期停用]，[需更换新机|需换新卡]，[费用全免|0元]，{tel}{opt}")

# ---------------------------------------------------------------- fee_swap
fam("fee_swap.sms.reply1_rate_up", ["fee_swap", "fake_upgrade"],
    "{itag_opt}{hi}您的{mach}费率[将于{md}|自下月起|即日起]上调至{rate_high}，{r1}免费[更换|换]{rate_low}新机。{opt}",
    "{itag}[通知|提醒]：您的{mach}[刷卡费率|交易费率]已上调为{rate_high}，[老客户可|现可]免费[换成|更换]{rate_low}[新机|电签]，[{r1}办理|{r1}]，{hurry}。{opt}",
    "{itag_opt}[费率调整通知|调价通知]：{md}起[您的|所有旧版]{mach}费率调为{rate_high}，如需保持{rate_low}，请{r1}申请免费换机。{opt}",
    "{hi}您的{mach}费率{rate_high}[偏高|太高了|已超标]，{r1}[换|领]{rate_low}[永不调价|终身不变][新机|电签]，[免费|0元]包邮。{opt}")

fam("fee_swap.sms.zero_rate_offer", ["fee_swap"],
    "{itag_opt}[零费率|0费率|免手续费][{mach}|电签]限时[免费领|0元领|申领]，[刷卡秒到|秒到账|T0秒到]，[不跳码|不扣费]，{tel}{opt}",
    "{hi}[好消息|重磅福利]！[刷卡|收款]不用手续费啦，[零费率|0手续费]{mach}[免费送|免费申请|免费领]，{addwx}{opt}",
    "[终身|永久]零费率{mach}，[免押金|不收押金][免费送|包邮送]，{hurry}，{r1}领取。{itag_opt}",
    "{itag_opt}[老板|商户]注意：现在[申请|办理]{mach}[可享|送]首年零费率，{deadline}截止，[点击|申请]{short_link}<card_theft:>{opt}")

fam("fee_swap.sms.rate_diff_refund", ["fee_swap", "card_theft"],
    "{itag_opt}{hi}经核查，您的{mach}[近{count_n}个月|长期][多扣|超收]手续费{amt_small}元，[可申请退还|现予退还]，请[点击|登录]{short_link}填写[结算卡号|银行卡信息]领取。{opt}",
    "{itag}您的商户因[费率异常|跳码]多扣手续费，[退还|补偿]{amt_small}元[待领取|已到账待确认]，请{addwx}[按提示|配合][操作|验证]。",
    "[费率差价退还|手续费返还]通知：您的{mach}[被多收|多收取]{amt_small}元，{deadline}[领取|申请]，[扫码|点击]领取：{short_link}{opt}",
    "{hi}[系统检测|经查]您的{mach}[费率被私自调高|费率不符]，可[申请|办理][退费|补差]，需[提供|核对]结算卡[卡号|号码]及[验证码|预留手机号]，{tel2}。{itag_opt}")

fam("fee_swap.sms.lifetime_lock", ["fee_swap"],
    "{itag_opt}[老客户专享|感恩回馈]：{mach}[终身|永久]锁定{rate_low}，[永不涨价|永不上调]，{deadline}截止，{r1}锁定。{opt}",
    "{hi}[{yy}年|本年度]最后一批[终身费率|锁价]名额：{rate_low}[终身不变|永不调价]，[免费换机|新机包邮]，{tel}{opt}",
    "[费率锁定|锁价]通知：{md}后[全国|全部机型]统一调价，[现在|今日]{r1}可锁定{rate_low}[终身费率|不涨价]。{itag_opt}")

fam("fee_swap.sms.hq_rate_adjust", ["fee_swap", "impersonation"],
    "<impersonation:[【{brand}】|{scam_tag}]>{hi}[根据|依据][银联|总部|监管]最新[政策|规定]，{md}起[贷记卡|信用卡]费率[统一调整|上调]为{rate_high}，[如不同意|如需维持原费率]请{r1}[办理降费|申请调回{rate_low}]。{opt}",
    "<impersonation:{brand}[总部|支付中心|客服中心]>通知：因[成本上涨|政策调整]，您的{mach}费率将上调至{rate_high}，[老商户可免费|可]申请[保持{rate_low}|降回{rate_low}]，{tel2}。{opt}",
    "<impersonation:[中国银联|银联中心|支付中心]>提示：您的商户费率[调整为|变更为]{rate_high}，[已生效|{md}生效]，[异议请|如需调整请][致电|联系]{contact}。")

fam("fee_swap.sms.instant_low_rate", ["fee_swap"],
    "{itag_opt}[{mach}|电签]{rate_low}[秒到|秒到账|T+0秒到]，[无需押金|不收押金|免押金]，[一户一码|一机一户|不跳码][自选商户|大额正规]，{tel}{opt}",
    "{hi}[刷卡|信用卡]{rate_low}，[到账快|秒到]，[支持|可刷][云闪付|花呗|NFC]，[免费办理|免费寄]，{addwx}{opt}",
    "[新款|升级版]{mach}：费率{rate_low}，[单笔|每笔][最高|最低][5万|10万]，[自选行业|优质商户]不降额，{hurry}！{tel}{opt}")

fam("fee_swap.sms.jump_code_swap", ["fee_swap", "fake_upgrade"],
    "{itag_opt}{hi}您的{mach}[存在跳码|出现跳码]，[实际费率已达|费率被调为]{rate_high}，[可能影响|会影响]信用卡[额度|提额]，{r1}免费更换{rate_low}[不跳码|标准类]新机。{opt}",
    "[提醒|警惕]：[老机器|您的机器][频繁跳码|跳小额商户]，[易被银行降额|会被风控]，现可[免费|0元]换[一户一码|优质商户]新机，费率{rate_low}，{tel}",
    "{hi}经[检测|系统检测]，您[近期|本月]交易[商户类型异常|跳码严重]，[建议|须]更换新机，[免费换|包邮送]{rate_low}机器，{r1}。{itag_opt}")

fam("fee_swap.sms.vip_quota", ["fee_swap"],
    "{itag_opt}恭喜！您的商户[获得|被选中获得][VIP|优质商户|白名单]低费率名额，[可享|尊享]{rate_low}，{deadline}[内|前]{r1}激活名额，逾期作废。{opt}",
    "{hi}您[符合|满足][优质商户|降费率]条件，费率可由{rate_high}降至{rate_low}，[名额|仅剩]{count_n}个，{tel}{opt}",
    "[降费率通知|专属福利]：[交易量达标的|您作为{brand}老]商户可申请{rate_low}[专属|优惠]费率，[请{tel2}|{r1}申请]。{itag_opt}")

fam("fee_swap.sms.compare_nudge", ["fee_swap"],
    "[别人|隔壁]都用{rate_low}了，你还在用{rate_high}？[刷十万多花几百|一年多花好几千]，<fake_upgrade:[免费换机|0元换新]>{tel}{opt}",
    "[还在被|是不是被][多扣手续费|高费率坑]？{rate_low}电签[免费领|包邮送]，[不收任何费用|无押金]，{addwx}",
    "{hi}[刷1万|每刷1万]扣[60|65|68|100]元？[太亏了|别再亏了]！[换|用]我们的{rate_low}机器，[每月省下几百|省一半手续费]，{r1}。{opt}")

fam("fee_swap.sms.cc_rate_cut_link", ["fee_swap", "card_theft"],
    "{itag_opt}[信用卡|贷记卡]刷卡费率[下调|降至]{rate_low}，[请|需]点击{short_link}[登记|绑定信用卡]后生效。{opt}",
    "{hi}[费率优惠|降费率]已[为您开通|到账]，[需|请]完成[银行卡验证|身份验证]：{short_link}，[{deadline}|24小时]内有效。{itag_opt}",
    "[商户|老板]您好，您的{mach}可[降费|降费率]至{rate_low}，[请扫码|点击链接]填写[卡号|银行卡信息]确认：{short_link}{opt}")

# ---------------------------------------------------------------- deposit_trap
fam("deposit_trap.sms.refundable_deposit", ["deposit_trap"],
    "{itag_opt}{hi}[新款|智能|4G]{mach}[免费领|0元领|包邮送]，[仅需|只需|需]押金{deposit}元，[刷满|交易满]{reach}[全额返还|押金全退|返还押金]，{tel}{opt}",
    "[办{mach}|领电签]啦！押金{deposit}，[激活后|90天内]刷满{reach}[返|退]{deposit}，[相当于免费|白送机器]，{addwx}{opt}",
    "{itag_opt}您申请的{mach}已[审核通过|发货]，[需缴纳|请支付]{deposit}元押金，[达标后|交易满{reach}][原路退还|全额退]，[付款|支付]链接：{short_link}<card_theft:>",
    "{hi}[免费换新机|换机]需[先交|预付]押金{deposit}元，[三个月|半年]内刷够{reach}押金退还，[不达标不退|逾期不退]。{tel}{opt}")

fam("deposit_trap.sms.activation_fee", ["deposit_trap"],
    "{itag_opt}{hi}您的新{mach}已[寄出|到达]，[需|请]缴纳激活费{act_fee}元[后方可使用|完成激活]，[激活后返还|首刷返还]，{tel2}。{opt}",
    "[激活提醒|开通通知]：您的{mach}[尚未激活|待激活]，激活[需|要]{act_fee}元[服务费|激活费]，[刷满{reach}返|7日内返还]，{addwx}",
    "{itag_opt}新机[激活费|开通费]{act_fee}元，[刷卡满{reach}全返|达标返还]，{deadline}未激活将[收回机器|扣除押金]，{tel}{opt}",
    "{hi}您领取的{mach}[需要在线激活|需充值激活]，[激活金|激活费用]{act_fee}元，[请转至|请扫码支付到]指定账户，[激活后|次日]原路退回。{tel}")

fam("deposit_trap.sms.flow_fee_threat", ["deposit_trap"],
    "{itag_opt}{hi}您的{mach}流量卡[已到期|将于{md}到期]，需缴纳{flow_fee}元/年流量费，[逾期|否则]{threat}。[缴费|续费]请{tel2}。{opt}",
    "[流量费续费通知|SIM卡续费提醒]：您的{mach}[SIM卡|物联网卡]年费{flow_fee}元，请于{deadline}[转账|扫码]缴纳，[逾期停机|否则将停机]。[缴费入口|续费]：{short_link}<card_theft:>",
    "{itag_opt}[您的|贵店]{mach}流量[已欠费|不足]，[系统将于{deadline}|即将][自动扣除|扣取]{flow_fee}元，如需[取消|关闭]请{tel2}。",
    "{hi}电签机流量费{flow_fee}元/年[未缴|待缴]，[为免影响收款|请及时]{addwx}[缴费|续费]，[逾期|超时]{threat}。{opt}")

fam("deposit_trap.sms.unmet_volume_charge", ["deposit_trap"],
    "{itag_opt}{hi}您的{mach}[本季度|近90天|本月]交易未满{reach}，系统将[扣除|收取]{svc_fee}元[服务费|考核费|未达标费]，如有疑问[请|]{tel2}[取消|申诉]。{opt}",
    "[扣费提醒|费用通知]：您的{mach}[交易量不达标|为低活跃终端]，[将于{md}|{deadline}]扣[取|除]{svc_fee}元服务费，[取消扣费|申请豁免]请致电{contact}。",
    "{itag_opt}您的{mach}[未达到|没有达到]激活交易标准，押金{deposit}元[将被扣除|不予退还]，[如需保留|申请延期]请{tel2}。{opt}",
    "{hi}[温馨提示|提示]：您的{mach}[已连续{count_n}个月|长期]无交易，[将收取|需缴纳]{svc_fee}元[闲置费|管理费]，[不想扣费|停止扣费]请{addwx}")

fam("deposit_trap.sms.annual_fee_deduct", ["deposit_trap"],
    "{itag_opt}{hi}您的{mach}[年费|服务年费|系统维护费]{year_fee}元将于{md}[自动扣取|从结算款中扣除]，[如需取消|不同意扣费]请{tel2}。{opt}",
    "[年费通知|续费提醒]：您名下{mach}服务期满，[续费|年费]{year_fee}元，[请|需]在{deadline}内[缴纳|付清]，[否则|逾期]{threat}。{tel}",
    "{itag}[会员|SVIP]服务[已开通|自动续费]，每年{year_fee}元，[如非本人操作|如需退订]请联系{contact}[办理退款|取消]。")

fam("deposit_trap.sms.cod_deposit_delivery", ["deposit_trap", "fake_upgrade"],
    "{itag_opt}{hi}您的新{mach}已由{exp_co}发出，[运单|单号]{waybill}，[到付|签收时支付]押金{deposit}元，[刷满{reach}|激活后]返还。{opt}",
    "[快递提醒|发货通知]：[您申请的|总部为您更换的]{mach}已发出，[货到付款|到付]{deposit}元（押金，[可退|达标退]），[请注意签收|拒收将{threat}]。{itag_opt}",
    "{hi}新机已寄出，[请准备|签收需付]{deposit}元[押金|保证金]，[旧机|原机]请[同时寄回|交给快递员]，押金[三个月后|刷满{reach}后]退。{tel}")

fam("deposit_trap.sms.frozen_fee", ["deposit_trap", "impersonation"],
    "<impersonation:[【{brand}】|{scam_tag}|{brand}风控中心：|【风控中心】]>您的结算资金{settle}元因[交易异常|涉嫌套现|风控]被冻结，需缴纳[保证金|解冻金]{svc_fee}元[解除冻结|方可结算]，{tel2}。",
    "<impersonation:[{brand}支付中心|支付中心|结算中心]>[通知|提醒]：您商户号[尾号{mid_tail}|{mid}]的结算款[暂停出款|被冻结]，[须|需]在{deadline}[补缴|缴纳][保证金|风险金]{deposit}元，[否则|逾期]{threat}。{tel}",
    "<impersonation:[【商户风控】|【{brand}】]>您的{mach}涉嫌[违规交易|跳码|异常刷卡]，[已冻结|冻结]结算，[解冻|恢复]需[验证流水|缴纳保证金]，请{addwx}")

fam("deposit_trap.sms.limit_raise_guarantee", ["deposit_trap"],
    "{itag_opt}{hi}您的{mach}可[提升单笔限额|开通大额通道]至{big_money}，需[缴纳|交]保证金{deposit}元（[可退|随时退]），{tel}{opt}",
    "[大额通道开通|提额服务]：[收款|刷卡]额度[从2万提到{big_money}|提升至{big_money}]，[开通费|通道费]{act_fee}元，[当天开通|即时生效]，{addwx}",
    "{itag_opt}您的商户[已达|符合]升级[标准|条件]，[升级|提额]费{svc_fee}元，[升级后|成功后]费率{rate_low}，{r1}。{opt}")

fam("deposit_trap.sms.deposit_refund_claim", ["deposit_trap", "card_theft"],
    "{itag_opt}{hi}您[当初办机|之前]缴纳的押金{deposit}元[可申请退还|已符合退还条件]，请点击{short_link}[填写|提交][结算卡|银行卡]信息[办理退款|领取]。{opt}",
    "[押金退还通知|退押金]：您的{mach}押金{deposit}元[待退还|未领取]，[需|请][核对|提供]银行卡号及[验证码|预留手机]，{tel2}。{itag_opt}",
    "{itag}您的激活押金{deposit}元[已审核|退款已审批]，[请添加客服|请]{addwx}[领取|办理退款]，{deadline}未领视为放弃。")

# ---------------------------------------------------------------- impersonation
fam("impersonation.sms.unionpay_center", ["impersonation"],
    "<impersonation:[【中国银联】|【银联】|中国银联：|【银联中心】]>{hi}您的商户[存在异常交易|交易数据异常|被银联风控]，{mach}将于{deadline}{threat}，[请|如有疑问请]{tel2}[核实|处理]。",
    "<impersonation:[【中国银联】|【银联支付中心】]>[尊敬的商户|商户您好]，[根据|按照]银联{yy}年新规，[所有|全部]{mach}需<fake_upgrade:[重新登记换机|更换新版终端]>，{r1}[办理|确认]，[费用全免|免费]。{opt}",
    "<impersonation:[【中国银联】|银联客服：]>您的{mach}[已被列入|被系统标记为][高风险终端|风险商户]，[为保障|为了]资金安全，请[于{deadline}|尽快]{tel2}。",
    "<impersonation:[【中国银联】|【银联】]>[温馨提示|通知]：您的[商户|终端]号{tid}[需|应][升级|变更]，[逾期|否则]{threat}，[详询|咨询]{contact}")

fam("impersonation.sms.bank_acquiring_dept", ["impersonation"],
    "<impersonation:【{bank}】>{hi}<fake_upgrade:您在我行[办理|申请]的{mach}[将于{md}停止服务|需升级|需年审]，[请|请您]{tel2}[办理|预约]更换。>{opt}",
    "<impersonation:[【{bank}】|{bank}收单部：|{bank}商户服务中心：]>您的{mach}[结算账户异常|签约信息过期]，[结算已暂停|将暂停结算]，[请|需]{deadline}内{tel2}[核实|更新]。",
    "<impersonation:[【{bank}】|【{bank}信用卡中心】]>[您的|尊敬的客户，您]商户收单[费率|服务]将于{md}调整，[<fee_swap:如需保持原费率>|<fake_upgrade:免费换新机>]请{r1}。{opt}",
    "<impersonation:【{bank}】>尊敬的[商户|客户]，您的{mach}[被检测到异常|存在盗刷风险]，我行已[暂停该终端交易|限制结算|临时冻结该终端]，[解除|恢复]请致电{contact}。")

fam("impersonation.sms.hq_service_notice", ["impersonation", "fake_upgrade"],
    "<impersonation:[{brand}总部|{brand}客服中心|{brand}商户服务部]>[通知|提醒]：{hi}您的{mach}[需要|必须]在{deadline}[完成升级|重新登记|换新]，{warn}{threat}，{tel}{opt}",
    "<impersonation:[我是|这里是]{brand}[总部|客服中心]>，[您的|贵店]{mach}[到期|需要更换]，[请|麻烦您]{tel2}[预约|确认地址]，新机免费。",
    "<impersonation:[【{brand}】|{brand}：]>[您好，|]我司[已|正在]对[旧机|老用户]统一[升级|换新]，您的{mach}[在名单内|需要更换]，{r1}[确认|登记]。{opt}")

fam("impersonation.sms.fake_95_callback", ["impersonation"],
    "{itag}您的{mach}[有一笔|存在]异常交易{amt}元[待核实|未结算]，请[致电|拨打][官方客服|客服热线|官方热线]{fake_400}[核实|处理]。",
    "<impersonation:[【{brand}】|{scam_tag}]>[您的|]商户[结算失败|清算失败]，[原因|原因：]结算卡[状态异常|信息不符]，请[致电|回电][官方客服|统一客服]{fake_400}。",
    "<impersonation:【{brand}】>[客服中心提醒|来电提醒]：[我们|工作人员]今日[致电|联系]您未接通，[请|麻烦]回电{fake_400}[处理|办理]您的{mach}<fake_upgrade:[换机|升级]>事宜。",
    "{itag}[官方客服|客服热线]已[变更|更换]为{fake_400}，[原号码|旧号码]停止使用，{mach}[问题|业务]请[拨打|联系]新号码。{opt}")

fam("impersonation.sms.regulator_notice", ["impersonation"],
    "<impersonation:[【人民银行】|【中国人民银行】|人行通知：|【支付清算协会】]>[根据|按照]《[非银行支付机构条例|银行卡收单业务管理办法]》，<fake_upgrade:[未更换新版终端的|存在违规的]{mach}将于{md}起{threat}，请[及时|尽快]{tel2}[更换|登记]>。",
    "<impersonation:[【支付清算协会】|【银联】|【监管通知】]>[全国|本市][收单|POS]终端[集中整治|清理]，您的{mach}<fake_upgrade:[需|须]{deadline}[完成备案|更换合规机具]>，{r1}办理。{opt}",
    "<impersonation:[人民银行|监管部门|【金融监管】]>[提示|通知]：{yy}年[起|开始]个人[{mach}|收款码]需[实名认证|重新登记]，[未登记|逾期]的将{threat}，登记{short_link}<card_theft:>")

fam("impersonation.sms.former_manager_handover", ["impersonation"],
    "[老板|{surname}老板]您好，我是[当初|之前]给您装机的{person}，[我已离职|我调岗了]，[后续|以后]由[总部|公司][客服|{person2}]对接，<fake_upgrade:[总部|公司]要给[老客户|您]换新机>，[请|]{tel2}。",
    "<impersonation:[{brand}{person}|{brand}客户经理{person}]>：[您好|老板好]，<fake_upgrade:您的{mach}[到了|到]换机[时间|周期]，我[这边|]给您[申请了|登记了]免费[换新|升级]>，[收到请|方便的话]{r1}确认地址。",
    "<impersonation:[{brand}客服{person}|售后{person}]>：[您的|老板您的]{mach}[费率|资料]需要[调整|更新]，[我加您|请加我]{wx_word}[一下|]：{wechat}，[我发您|给您发]新机[申请|登记]表。")

fam("impersonation.sms.payment_center_audit", ["impersonation"],
    "<impersonation:[【支付中心】|支付中心：|【{brand}支付中心】]>您的商户[未通过|需进行][年度|季度]审核，[结算|出款]将[延迟|暂停]，[请|需]在{deadline}{tel2}[配合|完成]审核。",
    "<impersonation:[【支付中心】|【结算中心】]>[温馨提示|通知]：您{md}的结算款{settle}元[未能|无法][到账|出款]，[原因为|因]商户信息[需核验|不完整]，[请|速]{tel2}。",
    "<impersonation:[【POS服务中心】|POS服务中心：]>[检测到|系统显示]您的{mach}[长期未更新|需要核验]，[请|]{r1}或{tel2}，[逾期|否则]{threat}。{opt}")

fam("impersonation.sms.settlement_card_invalid", ["impersonation", "card_theft"],
    "<impersonation:[【{brand}】|{scam_tag}|【结算中心】]>[您的|]结算卡[尾号{tail}|信息][已失效|异常|校验失败]，[今日|{md}]结算款{settle}元[退回|挂起]，请[点击|登录]{short_link}[重新绑卡|更新结算卡]。",
    "<impersonation:[{brand}结算中心|【{brand}】]>：结算[失败|未成功]，[请|]回复[结算卡号+身份证后六位|新的结算卡卡号]重新[绑定|登记]，[逾期|否则]资金将[退回|冻结]。",
    "<impersonation:[【支付中心】|【{brand}】]>您的结算账户[存在风险|未实名]，[需|请][核实|验证]身份，[将|请把]收到的验证码[告知客服|回复本短信]，[客服|专员]{contact}。")

fam("impersonation.sms.brand_app_account", ["impersonation", "card_theft"],
    "<impersonation:[【{brand}】|【云闪付】|{scam_tag}]>您的{app_name}[商户账号|账户][在异地登录|存在异常]，[为保障资金安全|请立即][点击|登录]{short_link}[验证身份|解除锁定]。",
    "<impersonation:[【{brand}】|【商户通】]>[您的|]商户账户[将被冻结|已被限制]，请在{deadline}下载[最新版|官方]APP[完成认证|核验]：{short_link}",
    "<impersonation:【{brand}】>[商户|老板]您好，[检测到|发现]您的[收款|商户]账户[被他人绑定|信息泄露]，[请|需][输入|提供]卡号、[有效期|密码]完成[验证|解绑]：{short_link}")

# ---------------------------------------------------------------- free_repair
fam("free_repair.sms.free_door_check", ["free_repair"],
    "{itag_opt}{hi}[为回馈|感谢]老客户，[本月|近期]推出{mach}[免费上门检测|免费上门维护|免费清洁保养]服务，[预约|登记]请{tel2}。{opt}",
    "{itag_opt}[免费上门维修|上门维护]：[您的|贵店]{mach}[使用已满|超过]{count_n}年，[可享受|享]一次免费[检测|维修]，{r1}[预约|登记]。{opt}",
    "{hi}[我们的工程师|维修师傅][本周|{md}]在[您附近|{city}]上门[检修|维护]{mach}，[免费|不收费]，[需要的话|有需要]{tel2}。{itag_opt}")

fam("free_repair.sms.fault_detected", ["free_repair"],
    "{itag_opt}{hi}系统[检测到|监测到]您的{mach}[存在故障|硬件异常|打印模块故障|读卡头故障|密钥异常]，[可能导致|会造成][交易失败|资金无法到账]，[请|]{tel2}预约免费上门维修。",
    "[故障提醒|设备告警]：您的{mach}[终端号{tid}|]出现[通讯异常|芯片故障|电池鼓包]，[需|请]尽快[维修|检修]，[维修免费|工程师免费上门]，{tel}{opt}",
    "{itag}您的{mach}[近期|多次]交易[失败|掉单]，[经诊断|初步判断]为[设备故障|系统故障]，[我们将|已]安排[师傅|工程师]上门[更换|维修]，[请|]{r1}确认[时间|地址]。")

fam("free_repair.sms.monitored_machine", ["free_repair"],
    "{itag_opt}[警告|紧急提醒]：您的{mach}[被植入|存在][监控程序|木马|盗刷芯片]，[您的交易数据|客户卡信息]可能[泄露|被监控]，[请|]{tel2}[免费上门检测|更换安全芯片]。",
    "{hi}[公安|银联]通报[一批|部分]{mach}[被不法分子改装|存在安全隐患]，您的[机器|终端][在排查范围内|需要检测]，[免费|0元]上门[检测|换芯|<fake_upgrade:换机>]，{tel}",
    "{itag}您的{mach}[安全芯片|加密模块]已过期，[存在被盗刷风险|无法保障安全]，[请|]{r1}预约[免费升级|上门更换芯片]<fake_upgrade:，{warn}{threat}>。{opt}")

fam("free_repair.sms.chip_key_update_visit", ["free_repair"],
    "{itag_opt}{hi}[根据|按照][银联|总部]安排，{md}起对{mach}进行[密钥更新|芯片升级|主密钥灌装]，[工作人员|技术员]将[免费上门|上门]操作，[请|]{tel2}预约[时间|上门]。",
    "[上门升级通知|芯片升级]：[您好，|]您的{mach}[需|须][更新密钥|升级芯片]，[技术人员|工程师]将于[{md}|近期]上门，[免费|不收取费用]，[咨询|改约]{contact}。{opt}",
    "{itag}[近期|本周]有[技术员|工程师]上门[为您|给]{mach}[升级|维护]，[届时|到时]请[准备好|提供]营业执照和结算卡[以便核对|配合核验]。<card_theft:>")

fam("free_repair.sms.battery_recall", ["free_repair"],
    "{itag_opt}[召回通知|安全提醒]：[部分批次|{yy}年生产的]{mach}电池[存在鼓包隐患|有起火风险]，[厂家|总部]提供[免费更换|免费上门更换]，{tel}{opt}",
    "{hi}您的{mach}[属于|在]召回批次，[可|请]{r1}[预约|登记]免费[换电池|<fake_upgrade:换新机>]，[工作人员|快递员]上门[取机|换机]。{opt}",
    "[{brand}|厂家]提醒：[您的|]{mach}[屏幕|电池|打印头][批次问题|质量问题]，[免费维修|<fake_upgrade:免费换新>]，[请|]{tel2}[登记|预约]。{itag_opt}")

fam("free_repair.sms.repair_ticket_visit", ["free_repair", "card_theft"],
    "{itag_opt}您的[报修|维修]工单[已受理|已派单]，[师傅|工程师]{person}将[于{md}|今日]上门，[请|届时请][提供|准备]结算卡和[身份证|密码][以便|用于][测试交易|核验]。",
    "{hi}[售后回访|维修回访]：[您的|]{mach}[维修|检测]需[刷卡测试|测试一笔]，[请|需要]您[提供|告知]卡号及[收到的验证码|交易密码]，[测试款|测试金额]立即退回。{tel}",
    "{itag}[维修完成|检测完毕]，[需|请][在{short_link}|扫码]确认[维修单|交易测试]并输入结算卡信息，[否则|逾期][无法|不能]恢复收款。")

fam("free_repair.sms.paid_after_free", ["free_repair", "deposit_trap"],
    "{itag_opt}[免费|0元]上门维修{mach}，[仅收|只收][配件费|工本费|上门费]{svc_fee}元，[修不好|不满意][全额退|不收费]，{tel}{opt}",
    "{hi}您的{mach}[故障|需维修]，[维修免费|人工免费]，[更换主板|换芯片|换读卡头][需|收取][材料费|押金]{deposit}元，[修好后|旧件寄回后]退还。{tel}",
    "{itag_opt}[检测|上门检测]免费，[如需|若]更换[配件|新机]需[预交|先付]{svc_fee}元[保证金|费用]，[请|]{addwx}[预约|咨询]。")

fam("free_repair.sms.remote_diagnose", ["free_repair", "card_theft"],
    "{itag_opt}{hi}您的{mach}[故障|异常]可[远程修复|在线修复]，[请|]下载[{remote_app}|{app_name}]，[我们的|]技术员将[远程|在线][为您|帮您]修复，{tel}",
    "[免费维修|在线维修]：[您好，|]{mach}[无法刷卡|不出小票|结算失败]？[无需上门|不用寄修]，[加|添加]技术{wx_word}{wechat}[共享屏幕|开视频]即可[修好|处理]。",
    "{itag}[系统|技术部]已[为您|]开通[远程检测|远程维修]，请点击{short_link}[下载插件|授权]，[修复|检测]完成后[自动|即可]恢复交易。")

# ---------------------------------------------------------------- card_theft
fam("card_theft.sms.otp_activate_new", ["card_theft"],
    "{itag_opt}{hi}您的新{mach}已[发货|寄出]，[稍后|]您将收到一条验证码，[请|][回复本短信|告知客服|发给专员]以[完成激活|绑定新机]<fake_upgrade:，[旧机|原机]将[停用|作废]>。",
    "{itag}[<fake_upgrade:换机激活>|新机绑定]：[您会收到|稍后系统发送]6位验证码，[请转发给|请告诉][工作人员|客服{person}]，[否则|逾期]新机[无法激活|作废]，{tel}",
    "[尊敬的商户|您好]，[<fake_upgrade:为您更换的>|您申请的]{mach}[已登记|已在配送中]，[收到的验证码|短信验证码]请[回复到|发送至]{mobile}[完成|办理]激活。{opt}")

fam("card_theft.sms.bind_card_link", ["card_theft"],
    "{itag_opt}{hi}您的{mach}结算卡[需重新绑定|未绑定|已解绑]，[请|]点击{short_link}[填写卡号、有效期|完成绑定]，[未绑定|逾期]将[无法结算|{threat}]。",
    "{itag}[绑卡提醒|结算提醒]：[为确保|为保障]资金[到账|安全]，请在{deadline}[登录|访问]{short_link}[完善|验证]结算卡信息。{opt}",
    "[商户认证|实名认证]：[请|]点击{short_link}上传[身份证|结算卡]照片并[填写|输入]短信验证码，[完成后|认证后][恢复|开通]结算。{itag_opt}",
    "{hi}[新机|新版]{mach}[需要|须]绑定[信用卡|储蓄卡]激活，[入口|链接]：{short_link}，[{deadline}有效|过期作废]。")

fam("card_theft.sms.scan_to_refund", ["card_theft"],
    "{itag_opt}{hi}[您的{mach}|您]被[重复扣费|多扣手续费]{amt_small}元，[请|]扫描[二维码|下方链接][办理退款|申请退费]：{short_link}{opt}",
    "{itag}[退费通知|退款通知]：[您|商户]{md}[的|]流量费[重复扣取|多收]{flow_fee}元，[请|需][扫码|点击]{short_link}[按提示|根据提示][操作退款|填写退款卡号]。",
    "[您好|老板]，[因系统故障|系统错误][多扣了您|重复扣了]{amt_small}元，[加|请加]客服{wx_word}{wechat}[扫码退款|发您退款码]。")

fam("card_theft.sms.remote_assist_app", ["card_theft"],
    "{itag_opt}{hi}您的{mach}[需要|需][<fake_upgrade:在线升级>|远程激活]，[请|]下载{remote_app}并[告诉|把]客服[设备码|识别码]，[我们|技术员]远程[帮您|为您][操作|完成]。{tel}",
    "{itag}[为了|为]完成[<fake_upgrade:换机>|<fee_swap:费率调整>]，[请|]下载[APP|{app_name}][：| ]{short_link}，[按客服|在客服]指导下[开启屏幕共享|操作]。",
    "[提醒|通知]：<fake_upgrade:[新机|新版系统]>激活需[用手机|在手机上]下载{app_name}，[登录后|打开后]输入[收到的验证码|银行卡号]完成[绑定|激活]，[链接|下载地址]{short_link}{itag_opt}")

fam("card_theft.sms.account_abnormal_verify", ["card_theft"],
    "{itag_opt}{hi}您的商户账户[异常|存在风险|被限制]，[需|请][验证|核实][结算卡卡号、有效期及CVV|卡号和密码|身份信息]，[请|]{tel2}。{opt}",
    "{itag}[安全提醒|风险提示]：[检测到|发现]您的{mach}[异地交易|异常登录]，[请|需]在{short_link}[输入|验证]卡号、密码[解除风险|确认本人操作]。",
    "{hi}[您的|]信用卡[在|于]{md}[通过|使用]{mach}[交易|消费]{amt}元[存在风险|被拦截]，[如非本人|若非本人]操作请[回复卡号后六位|点击{short_link}][冻结|撤销]。")

fam("card_theft.sms.credit_line_test", ["card_theft", "agent_recruit"],
    "{itag_opt}[信用卡|卡片][测额|测评|提额检测]：[免费|]测[你的卡|可提多少额度]，[提供|发送][卡号+有效期+背面三位|卡号和密码]即可，{addwx}",
    "[代还|提额]服务：[只需|只要][提供|把]卡号、[密码|查询密码]和[验证码|手机号]，[专业|]帮您[提额|代还]，[费率低|手续费]{rate_low}。{tel}{opt}",
    "[信用卡|卡]提额[快速通道|内部渠道]：{mach}[养卡|智能还款]，[先|需]验证卡片[有效期与CVV|信息]，[额度提升|最高提]{big_money}。{addwx}")

fam("card_theft.sms.reply_card_number", ["card_theft"],
    "{itag_opt}{hi}[请|]回复[结算卡号|银行卡号]+[身份证号|持卡人姓名][完成|以便]{mach}[<fake_upgrade:换机登记>|资料更新]，[逾期|否则][{threat}|不予办理]。",
    "{itag}[登记|信息核对]：请[直接|]回复您的[结算卡卡号|卡号][和|及][预留手机号|开户行]，[我们|系统]将[为您|]完成[<fake_upgrade:新机>|<fee_swap:费率>]绑定。",
    "<fake_upgrade:[为您换机|换新机]>需[核对|确认]信息，[请|麻烦][把|将]结算卡[正反面|照片]发到{wx_word}{wechat}。{opt}")

fam("card_theft.sms.phishing_refund_dup", ["card_theft", "impersonation"],
    "<impersonation:[【{bank}】|【中国银联】|【{brand}】]>您的卡[尾号{tail}|]{md}[在|于]{merch_name}[重复扣款|重复消费]{amt}元，退款[请|]点击{short_link}[办理|申请]。",
    "<impersonation:[【{brand}】|【银联】]>[交易冲正失败|冲正未成功]，[您的|]{amt}元[无法自动退回|需手动退款]，[请|]{short_link}[填写|输入]卡号、验证码[领取|办理退款]。",
    "<impersonation:【{bank}】>您[尾号{tail}的|的]卡[POS|]交易{amt}元[退款失败|未到账]，[请|]联系{contact}[办理|重新退款]，[需|请]提供[卡号与|]验证码。")

# ---------------------------------------------------------------- agent_recruit
fam("agent_recruit.sms.high_share_agent", ["agent_recruit"],
    "{hi}[{brand}|一级][{mach}|电签|POS]招[代理|合伙人]：[分润|分润高达]{pct_share}，[激活返|每台返]{pay_bonus}元，[日结|秒结|月入过万]，[零门槛|无门槛]，{addwx}{opt}",
    "[诚招|招募|火热招募][{mach}|POS机][代理|推广员|合伙人]，[不压货|无需压货]，[刷一万赚|每万分润]{pct_share}，[躺赚|睡后收入]，{tel}{opt}",
    "{hi}[做POS代理|推POS]一年[赚|挣]{big_money}！[总部直签|一级政策]，[分润{pct_share}|高分润]，[激活奖励{pay_bonus}|返现{pay_bonus}/台]，[想了解|有意者]{addwx}",
    "[兼职|副业]推广{mach}，[一台赚|每台提成]{pay_bonus}，[不用投钱|0投资]，[宝妈|上班族|学生]都能做，{addwx}{opt}")

fam("agent_recruit.sms.cashout_service", ["agent_recruit"],
    "[信用卡|各类信用卡][套现|取现|提现]，[费率|手续费]{rate_low}，[当天到账|秒到|立等可取]，[安全|无风控]，{tel}{opt}",
    "{hi}[专业|长期][代还|养卡|卡代还]、[信用卡|卡][套现|提现]，[{rate_low}|费率低]，[不伤卡|不降额|不封卡]，{addwx}",
    "[急用钱|缺钱周转]？[信用卡|花呗][套现|刷出来]，[手续费|点数]{rate_low}，[POS机|大额POS]刷卡，[秒到|当天到]，[联系|电话]{contact}{opt}",
    "[花呗|白条|信用卡][提现|取现][{rate_low}|低点]，[正规POS刷|一清机刷]，[不跳码|自选商户]，{addwx}{opt}")

fam("agent_recruit.sms.card_raising", ["agent_recruit"],
    "[养卡|精养卡]提额：[用我们的|配]{mach}[自选商户|优质商户][空卡|账单]养卡，[3个月|半年]额度[翻倍|提升]至{big_money}，{addwx}{opt}",
    "{hi}[信用卡|卡片][额度低|不提额]？[专业养卡团队|智能养卡系统][帮你|]提额，[成功后|提额后]收费，[先交|需交][服务费|押金]{svc_fee}元<deposit_trap:>，{tel}",
    "[养卡|提额][神器|秘籍]：{mach}[一户一码|大额商户]+[代还|空卡代还]，[低至|费率]{rate_low}，[想提额|需要的]{addwx}")

fam("agent_recruit.sms.oem_franchise", ["agent_recruit", "deposit_trap"],
    "[{mach}|POS机]贴牌[招商|加盟]：[交|缴纳][加盟费|保证金]{big_money}即可[拿到|获得][省级|市级|一级]代理，[终身分润|分润永久]，[包赚|稳赚不赔]。{tel}{opt}",
    "{hi}[支付牌照|POS]合作：[总部|我司]招[区域|城市]服务商，[拿货押金|机具押金][每台|]{deposit}元，[激活返|满返]{pay_bonus}元，[团队管理奖|层级奖励]，{addwx}",
    "[诚招|招募]{city}[区域代理|服务商]，[首批拿货|起步]{count_n}0台，[需|交][保证金|押金]{svc_fee}元/台，[激活后退|达标全退]，[月入|收益]{big_money}，{tel}")

fam("agent_recruit.sms.swipe_cashback", ["agent_recruit"],
    "[刷卡返现|刷卡有礼]：[用|办]{mach}刷{reach}[返|送]{pay_bonus}元现金，[多刷多返|上不封顶]，[名额有限|限前50名]，{addwx}{opt}",
    "{hi}[新用户|新办]{mach}[首刷|激活]就[返|送]{pay_bonus}，[推荐一人|推荐好友][再返|奖励]{pay_bonus}，[日结|当天结]，{tel}{opt}",
    "[信用卡|卡友][福利|活动]：[刷满|当月刷]{reach}[返|奖励]{pay_bonus}元[现金|红包]，[领取|参加]{short_link}<card_theft:>{opt}")

fam("agent_recruit.sms.team_pyramid", ["agent_recruit"],
    "[拉一人|推荐一人][奖|得]{pay_bonus}，[团队|下级]刷卡[你也分润|你拿分润]，[做满|发展]{count_n}人[升级|成为]合伙人，[月入|轻松]{big_money}，{addwx}",
    "{hi}[0成本创业|轻资产创业]：[加入|成为]{brand}[合伙人|服务商]，[三级分润|团队分润|无限代]，[躺着赚钱|被动收入]，[详情|了解]{tel}{opt}",
    "[POS|{mach}][新模式|新玩法]：[注册|激活]即[送|返]{pay_bonus}，[邀请好友|推广下级]层层返佣，[日入|月赚]{big_money}，{addwx}{opt}")

fam("agent_recruit.sms.free_machine_for_agents", ["agent_recruit", "deposit_trap"],
    "[免费|0元]送{mach}，[只需|仅需][交|付]{act_fee}元[激活费|服务费]，[激活后|刷满{reach}][返|返还]{pay_bonus}元，[赚差价|多出来都是你的]，{addwx}",
    "{hi}[做代理|当推广员]{mach}[免费拿|随便拿]，[下级|客户]激活[每台|]返{pay_bonus}，[入门|首次]需[交|预存]{deposit}元[保证金|押金]，{tel}{opt}")

fam("impersonation.sms.fake_debit_notice_callback", ["impersonation"],
    "<impersonation:[【{bank}】|{bank}：]>您尾号{tail}的卡于{md}{hm}[POS消费|在{merch_name}消费|境外POS消费]{amt}元，如非本人操作，请[立即|速]致电{fake_400}[办理冻结|撤销交易]。",
    "<impersonation:[【{bank}】|【中国银联】]>[您的|]卡[尾号{tail}|]{md}在{city}[某商户|{merch_name}]刷卡消费{amt}元[已扣款|交易成功]，[若有疑问|如有异议]请[回电|联系]{fake_400}[核实|办理退款]。",
    "<impersonation:【{bank}】>尊敬的客户，您尾号{tail}的[信用卡|储蓄卡]于{md}被[异地POS|境外POS]刷[走|扣]{amt}元，[为保障资金安全|请马上]联系[专员|客服]{contact}[冻结|处理]，<card_theft:需提供[卡号及验证码|身份信息]>。")

fam("impersonation.sms.police_money_laundering", ["impersonation", "card_theft"],
    "<impersonation:[【{city}公安】|【公安局】|{city}市公安局经侦支队：]>您名下{mach}[涉嫌洗钱|涉嫌为赌博网站结算|涉嫌套现犯罪]，[请|需]于{deadline}[致电|联系][办案民警|{surname}警官]{contact}[配合调查|说明情况]，[否则|逾期]将[冻结名下账户|依法传唤]。",
    "<impersonation:[【{city}公安】|【反诈中心】]>[经查|经核实]，您的商户号{mid}[涉案|被他人利用洗钱]，[请|需]将[账户资金|结算款]转入[安全账户|监管账户]配合核查，[联系人|专线]{contact}。",
    "<impersonation:[【人民银行】|【公安局】]>[通知|紧急]：您的{mach}交易数据[与一起诈骗案有关|涉及非法资金]，[请下载|请登录]“[公安专网|安全核查]”APP[：| ]{short_link}[配合|完成]核查。")

fam("deposit_trap.sms.pos_flow_loan_fee", ["deposit_trap"],
    "{itag_opt}{hi}凭[您的|]{mach}[交易流水|刷卡流水]可申请[经营贷|商户贷]{big_money}，[秒批|当天放款]，[放款前|需先]交[工本费|评估费|保证金]{svc_fee}元，{tel}{opt}",
    "[{mach}商户|POS商户][专享|福利]：[有流水就能贷|凭流水贷款]，[额度|最高]{big_money}，[无需抵押|不看征信]，[先交|需预付]{act_fee}元[解冻金|激活额度费]即可[到账|提现]，{addwx}",
    "{itag_opt}您的商户[已获得|预授信]{big_money}[经营贷款|周转金]，[提现|放款]前需[验证还款能力|缴纳保证金]{deposit}元，[放款后退还|随贷款一起到账]，{tel}{opt}")

fam("fake_upgrade.sms.formal_notice_reply", ["fake_upgrade", "impersonation"],
    "<impersonation:[【{brand}】|{scam_tag}]>尊敬的商户：为落实[人民银行|监管部门]关于[收单终端|支付终端]管理的要求，我司将于{md}起对[老旧|不合规]终端[统一更换|集中换新]，您的终端{tid}在更换名单内。[请回复1确认更换，回复2暂不更换|请回复1确认收货地址]，[逾期未回复视为放弃|未确认的终端将{threat}]。",
    "<impersonation:[【{brand}】|【中国银联】]>[公告|通知]：因[2G网络退网|系统升级]，您的终端{tid}将于{md}后无法使用。[为保障正常收款|为避免影响经营]，[请|]{r1}[申请|确认]免费更换，[或致电|客服]{fake_400}。{opt}",
    "<impersonation:【{brand}】>您的{mach}[符合|满足]免费升级条件，[请|]{r1}[申请|办理]，[升级后|新机][费率{rate_low}|秒到账]<fee_swap:>，{deadline}[截止|有效]。{opt}")

fam("free_repair.sms.warranty_visit_fee", ["free_repair", "deposit_trap"],
    "{itag_opt}{hi}您的{mach}保修期[已过|将于{md}到期]，[现可|可]申请[免费检测|免费上门检修]，[延保|续保]服务费{svc_fee}元/年，[未续保|不续保]的机器[故障后|出问题]需[自费维修|自行承担]，{tel}{opt}",
    "[保修到期提醒|售后提醒]：您的{mach}[已超出保修期|保修即将到期]，[工程师|师傅][本周|{md}]上门[免费检测|免费保养]，[检测后|如需]续保[收取|需交]{year_fee}元，{tel2}。{itag_opt}",
    "{itag_opt}[免费检测|免费保养]+[打印纸|流量卡]赠送：[您的|]{mach}[可预约|享]上门服务一次，[更换配件|延保]仅需{svc_fee}元，{r1}[预约|登记]。{opt}")

fam("agent_recruit.sms.group_task_rebate", ["agent_recruit"],
    "[刷卡补贴群|卡友福利群|POS返现群]：[进群|加群]领{pay_bonus}元[刷卡补贴|红包]，[群内导师|老师][教你|带你][养卡提额|刷卡赚钱]，{addwx}{opt}",
    "{hi}[每天刷卡{count_n}笔|完成刷卡任务]，[日赚|每天赚]{pay_bonus}元，[用自己的信用卡|用{mach}]就能做，[导师带|有人带]，[名额有限|{hurry}]，{addwx}",
    "[副业|兼职]：[帮商户刷单|刷卡做流水]，[每单返|佣金]{pay_bonus}，[当天结算|日结]，[需要有信用卡|有{mach}优先]，{addwx}{opt}")

fam("agent_recruit.sms.blacklist_cashout", ["agent_recruit"],
    "[无视黑白户|不看征信|黑户也能办]，[信用卡|花呗|白条][套现|取现|提现]{rate_low}，[POS机|大POS|一清机]刷，[秒到|当天到账]，{tel}{opt}",
    "[急用钱|周转困难]？[卡里有额度就能取|有信用卡就能取现]，[上门刷卡|到店刷卡]，[点数低|费率{rate_low}]，[24小时|随时]服务，{addwx}{opt}",
    "[{city}|本地][信用卡|卡]取现[上门服务|当面刷]，[手续费|点位]{rate_low}，[不跳码|自选商户]，[联系|电话]{contact}{opt}")

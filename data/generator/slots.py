"""Slot vocabularies and resolvers.  Every value is drawn from ctx.rng.

Phone numbers, card tails, merchant/terminal numbers, links and IPs are random
and made up; nothing here is copied from any real message.  Official hotlines
are the public ones listed in shared/data/official_contacts (facts only).
"""
from __future__ import annotations

import string

ACQUIRERS = ["拉卡拉", "随行付", "银联商务", "乐刷", "盛付通", "联动优势", "海科融通", "付临门",
             "嘉联支付", "通联支付", "快钱", "汇付天下", "中付", "合利宝", "易宝", "汇来米",
             "现代金控", "星驿付", "钱宝", "开店宝"]
# acquirers with a sourced official hotline (official_contacts.json)
ACQ_HOTLINE = {"银联商务": "95534", "拉卡拉": "95016", "嘉联支付": "952005"}
ACQ_APP = {"拉卡拉": "拉卡拉商户通", "银联商务": "银联商务天天富", "随行付": "随行付Plus", "乐刷": "乐刷商户",
           "盛付通": "盛付通商户版", "嘉联支付": "嘉联商户", "通联支付": "通联收银宝", "汇付天下": "汇付商户",
           "星驿付": "星驿付商户", "开店宝": "开店宝", "快钱": "快钱商户", "联动优势": "联动商户"}

# bank short name -> (full name, hotline)
BANKS = {
    "工商银行": ("中国工商银行", "95588"), "建设银行": ("中国建设银行", "95533"),
    "农业银行": ("中国农业银行", "95599"), "中国银行": ("中国银行", "95566"),
    "招商银行": ("招商银行", "95555"), "交通银行": ("交通银行", "95559"),
    "邮储银行": ("中国邮政储蓄银行", "95580"), "浦发银行": ("上海浦东发展银行", "95528"),
    "中信银行": ("中信银行", "95558"), "民生银行": ("中国民生银行", "95568"),
    "兴业银行": ("兴业银行", "95561"), "平安银行": ("平安银行", "95511"),
    "光大银行": ("中国光大银行", "95595"), "广发银行": ("广发银行", "95508"),
    "华夏银行": ("华夏银行", "95577"),
}
BANK_NAMES = sorted(BANKS)

PRODUCTS = ["POS机", "电签POS", "大POS", "传统POS", "刷卡机", "智能POS", "电签机", "手刷", "收款机", "移动POS"]
IMP_ORGS = ["总部", "支付中心", "POS服务中心", "银联中心", "客服中心", "售后服务中心", "商户服务部", "风控中心",
            "结算中心", "终端管理中心", "银联支付中心", "电签服务中心"]
SCAM_TAGS = ["【拉卡拉】", "【银联商务】", "【随行付】", "【乐刷】", "【中国银联】", "【POS服务中心】", "【支付中心】",
             "【电签服务】", "【盛付通】", "【银联】", "【商户服务】", "【终端中心】", "【拉卡拉支付】", "【收单中心】"]
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文")
TITLES = ["经理", "专员", "主管", "客服", "师傅", "老师", "工程师", "顾问"]
SHOP_PRE = ["城南", "老王", "鑫源", "福满多", "好邻居", "惠民", "金鼎", "家和", "一品", "旺铺", "悦来", "兴隆", "佳佳",
            "阿强", "红星", "万家", "永辉路", "东方", "小杨", "新概念", "美佳", "百姓", "聚福", "明珠", "天天", "乐购",
            "顺发", "华联", "金盛", "宏达", "利民", "晨光", "海川", "春华"]
SHOP_TYPE = ["便利店", "超市", "五金店", "餐馆", "烟酒行", "服装店", "建材店", "水果店", "大药房", "母婴店", "美容院",
             "汽修厂", "茶叶店", "火锅店", "烧烤店", "理发店", "手机店", "家电城", "粮油店", "文具店", "面馆", "蛋糕店",
             "眼镜店", "鞋店", "花店", "宠物店", "洗车行", "酒楼", "生鲜店", "灯饰店"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆", "长沙", "郑州", "济南", "合肥",
          "福州", "昆明", "南宁", "石家庄", "沈阳", "哈尔滨", "长春", "太原", "南昌", "贵阳", "兰州", "厦门", "苏州",
          "东莞", "佛山", "温州", "泉州", "青岛", "大连", "宁波", "无锡", "徐州", "潍坊", "洛阳", "襄阳", "赣州"]
MOBILE_PRE = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
              "156", "157", "158", "159", "166", "170", "171", "173", "175", "176", "177", "178", "180", "181", "182",
              "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"]
AREA = ["010", "021", "020", "0755", "028", "027", "029", "025", "023", "0731", "0371", "0531", "0551", "0591", "0871",
        "0571", "024", "0451", "0351", "0791", "0851", "0592", "0512", "0769"]
EMOJI = ["🔥", "💰", "🎁", "📢", "✅", "❗", "⚠️", "👉", "🧧", "💳", "⭐", "🎉", "📱", "☎️", "✨", "💯", "🆓", "👍", "⏰", "📣"]
MERCH_CAT = ["餐饮", "超市", "百货", "批发", "加油站", "酒店", "珠宝", "家电", "建材", "药店", "便利店", "服装"]
EXPRESS = ["顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "京东物流", "极兔速递", "邮政EMS", "德邦快递"]


def _d(rng, n):
    return "".join(rng.choice(string.digits) for _ in range(n))


def _alnum(rng, n, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def money(rng, lo, hi, cents=True, comma=True):
    v = rng.uniform(lo, hi)
    if not cents:
        v = round(v)
    s = "{:,.2f}".format(v) if comma else "{:.2f}".format(v)
    return s


def mobile(ctx):
    r = ctx.rng
    return r.choice(MOBILE_PRE) + _d(r, 8)


def mobile_fmt(ctx):
    n = mobile(ctx)
    f = ctx.rng.randrange(5)
    if f == 0:
        return n[:3] + "-" + n[3:7] + "-" + n[7:]
    if f == 1:
        return n[:3] + " " + n[3:7] + " " + n[7:]
    return n


def fake_400(ctx):
    r = ctx.rng
    k = r.randrange(6)
    if k == 0:
        return "400-" + _d(r, 3) + "-" + _d(r, 4)
    if k == 1:
        return "400" + _d(r, 7)
    if k == 2:
        return "800-" + _d(r, 3) + "-" + _d(r, 4)
    if k == 3:
        return "950" + _d(r, 5)
    if k == 4:
        return r.choice(AREA) + "-" + r.choice(["95516", "95534", "95016", "95588", "955" + _d(r, 2)])
    return r.choice(AREA) + "-" + _d(r, 8)


def short_link(ctx):
    r = ctx.rng
    k = r.randrange(9)
    if k == 0:
        return "t.cn/" + _alnum(r, 7)
    if k == 1:
        return "dwz.cn/" + _alnum(r, 6)
    if k == 2:
        return "url.cn/" + _alnum(r, 6)
    if k == 3:
        dom = r.choice(["yl", "lkl", "pos", "ums", "sxf", "ls", "dq", "zf", "kf", "sh", "jl"]) + r.choice(["-pos", "pos", "-zd", "-sh", "kf", "-fw", "95"]) + _d(r, r.randrange(0, 3))
        return "%s.%s/%s" % (dom, r.choice(["cn", "top", "xyz", "vip", "cc", "net.cn", "com.cn", "shop"]), _alnum(r, r.randrange(1, 5), string.ascii_lowercase + string.digits))
    if k == 4:
        return "http://103.%d.%d.%d/%s" % (r.randrange(1, 255), r.randrange(0, 255), r.randrange(1, 255), r.choice(["", "pos", "a", "m", "sh", "jh.html", "index.html"]))
    if k == 5:
        return "http://%d.%d.%d.%d:%s/%s" % (r.choice([47, 120, 139, 154, 43, 118]), r.randrange(1, 255), r.randrange(0, 255), r.randrange(1, 255), r.choice(["8080", "8888", "9001", "88"]), r.choice(["", "m", "pos", "bd"]))
    if k == 6:
        return "https://%s.%s/%s" % (_alnum(r, r.randrange(4, 8), string.ascii_lowercase), r.choice(["cn", "top", "xyz", "icu", "cc"]), _alnum(r, 4, string.ascii_lowercase + string.digits))
    if k == 7:
        return "m.%s95516.%s/%s" % (r.choice(["yl", "cup", "union", "yinlian"]), r.choice(["cn", "top", "com.cn", "vip"]), _alnum(r, 3, string.ascii_lowercase))
    return "%s.%s/%s" % (r.choice(["s", "u", "m", "a"]) + _alnum(r, 2, string.ascii_lowercase), r.choice(["cn", "top", "xyz"]), _alnum(r, 5))


def wechat(ctx):
    r = ctx.rng
    k = r.randrange(4)
    if k == 0:
        return r.choice(["pos", "lkl", "yl", "sh", "zf", "kf", "dq"]) + _d(r, r.randrange(4, 8))
    if k == 1:
        return mobile(ctx)
    if k == 2:
        return _alnum(r, 2, string.ascii_lowercase) + r.choice(["_", ""]) + _alnum(r, 5, string.ascii_lowercase + string.digits)
    return r.choice(["POS", "Pos", "dianqian", "shuaka", "yinlian"]) + _d(r, 3) + _alnum(r, 2, string.ascii_lowercase)


def rate_high(ctx):
    return ctx.rng.choice(["0.6%", "0.65%", "0.68%", "0.72%", "0.78%", "1.25%", "0.63%", "0.6%+3元", "0.7%", "万分之六十八", "1%", "0.85%"])


def rate_low(ctx):
    return ctx.rng.choice(["0.38%", "0.38", "0.35%", "0.38%+0", "0.5%", "0.55%", "0.55+3", "0.5+0", "万分之三十八", "万38",
                           "0.3%", "0.38%封顶", "0.45%", "0.49%", "万分之六"])


def rate_std(ctx):
    return ctx.rng.choice(["0.6%", "0.55%", "0.58%", "0.6%", "0.53%", "0.38%", "0.5%"])


def deposit(ctx):
    return ctx.rng.choice(["99", "128", "199", "249", "259", "299", "299", "339", "369", "399", "499", "599"])


def act_fee(ctx):
    return ctx.rng.choice(["59", "69", "88", "99", "99", "128", "138", "149", "168", "199"])


def svc_fee(ctx):
    return ctx.rng.choice(["98", "128", "159", "188", "199", "199", "238", "268", "299", "380"])


def flow_fee(ctx):
    return ctx.rng.choice(["36", "39", "48", "48", "58", "59", "60", "66", "69", "79", "99"])


def year_fee(ctx):
    return ctx.rng.choice(["99", "120", "168", "198", "299", "365", "360"])


def reach(ctx):
    return ctx.rng.choice(["1万", "2万", "3万", "3万", "5万", "5万", "8万", "10万", "15万", "20万", "30万"])


def md(ctx):
    r = ctx.rng
    return "%d月%d日" % (r.randrange(1, 13), r.randrange(1, 29))


def md2(ctx):
    r = ctx.rng
    return "%02d月%02d日" % (r.randrange(1, 13), r.randrange(1, 29))


def day(ctx):
    return "%d日" % ctx.rng.randrange(1, 29)


def hm(ctx):
    r = ctx.rng
    return "%02d:%02d" % (r.randrange(0, 24) if r.random() < 0.15 else r.randrange(7, 23), r.randrange(0, 60))


def hms(ctx):
    r = ctx.rng
    return "%02d:%02d:%02d" % (r.randrange(7, 23), r.randrange(0, 60), r.randrange(0, 60))


def ymd(ctx):
    r = ctx.rng
    sep = r.choice(["-", "/", ""])
    y = r.choice([2023, 2024, 2024, 2025])
    m, d = r.randrange(1, 13), r.randrange(1, 29)
    if sep == "":
        return "%d年%d月%d日" % (y, m, d)
    return "%d%s%02d%s%02d" % (y, sep, m, sep, d)


def deadline(ctx):
    return ctx.rng.choice(["今日24点前", "今天24:00前", "3日内", "三日内", "本月底前", "48小时内", "明日18:00前", "本周五前",
                           "{md}前", "24小时内", "7个工作日内", "月底前", "{md}24时前", "今晚12点前", "5个工作日内"])


def threat(ctx):
    return ctx.rng.choice(["停用", "停机", "冻结", "冻结结算", "注销商户号", "销户", "关停", "做停机处理", "暂停结算",
                           "降额", "强制回收", "列入黑名单", "影响个人征信", "无法正常收款", "做报废处理", "锁机"])


def tail(ctx):
    return _d(ctx.rng, 4)


def amt_small(ctx):
    r = ctx.rng
    v = r.choice([r.uniform(3, 80), r.uniform(10, 300), r.uniform(50, 900)])
    return "{:.2f}".format(v)


def amt(ctx):
    r = ctx.rng
    k = r.randrange(4)
    if k == 0:
        return "{:.2f}".format(r.uniform(5, 200))
    if k == 1:
        return "{:,.2f}".format(r.uniform(100, 3000))
    if k == 2:
        return "{:,.2f}".format(round(r.uniform(500, 20000), -1))
    return "{:.2f}".format(r.randrange(1, 60) * 10 - r.choice([0, 0, 0.1, 0.5, 2]))


def bal(ctx):
    r = ctx.rng
    return "{:,.2f}".format(r.choice([r.uniform(0, 800), r.uniform(500, 30000), r.uniform(5000, 150000)]))


def settle(ctx):
    r = ctx.rng
    return "{:,.2f}".format(r.choice([r.uniform(80, 2000), r.uniform(1000, 30000), r.uniform(10000, 90000)]))


def mid(ctx):
    r = ctx.rng
    return r.choice(["898", "822", "831", "102", "848"]) + _d(r, 12)


def mid_tail(ctx):
    return _d(ctx.rng, ctx.rng.choice([4, 4, 6]))


def tid(ctx):
    return _d(ctx.rng, 8)


def sn(ctx):
    r = ctx.rng
    return r.choice(["N", "P", "LKL", "QR", "A", "ME", "SP"]) + _d(r, r.randrange(7, 11))


def code6(ctx):
    return _d(ctx.rng, 6)


def code4(ctx):
    return _d(ctx.rng, 4)


def surname(ctx):
    return ctx.rng.choice(SURNAMES)


GIVEN = ["伟", "磊", "静", "敏", "丽", "强", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚",
         "晓燕", "海波", "建华", "志强", "丽娟", "文静", "子豪", "雨欣", "国庆", "春梅", "俊杰", "晓东", "婷婷", "浩然"]


def person(ctx):
    r = ctx.rng
    return r.choice(SURNAMES) + r.choice(GIVEN)


def shop(ctx):
    r = ctx.rng
    return r.choice(SHOP_PRE) + r.choice(SHOP_TYPE)


def shop_reg(ctx):
    r = ctx.rng
    return r.choice(CITIES) + r.choice(["市", ""]) + r.choice(["", r.choice(["高新区", "城关区", "新城区", "开发区", "经开区", "天河区", "雁塔区", "江北区", "海曙区", "武侯区"])]) + shop(ctx)


def merch_name(ctx):
    r = ctx.rng
    return r.choice([shop(ctx), r.choice(CITIES) + r.choice(SHOP_PRE) + r.choice(["商贸有限公司", "超市", "餐饮店", "百货商行", "便利店", "贸易商行"]),
                     r.choice(["财付通-", "支付宝-", "美团-", "拉卡拉-", "银联商务-", ""]) + shop(ctx)])


def city(ctx):
    return ctx.rng.choice(CITIES)


def brand(ctx):
    return ctx.rng.choice(ACQUIRERS)


def brand_or_cup(ctx):
    r = ctx.rng
    return r.choice(ACQUIRERS + ["中国银联", "银联", "中国银联", "银联商务", "拉卡拉"])


def bank(ctx):
    return ctx.rng.choice(BANK_NAMES)


def product(ctx):
    return ctx.rng.choice(PRODUCTS)


def org(ctx):
    return ctx.rng.choice(IMP_ORGS)


def scam_tag(ctx):
    return ctx.rng.choice(SCAM_TAGS)


def emoji(ctx):
    return ctx.rng.choice(EMOJI)


def contact(ctx):
    """A way to reach the scammer: fake mobile / 400 / fake 95."""
    r = ctx.rng
    k = r.randrange(3)
    return [mobile_fmt, fake_400, mobile][k](ctx)


def wx_word(ctx):
    return ctx.rng.choice(["微信", "微信", "微信", "VX", "薇信", "V信", "威信", "wx", "微 信", "vx", "薇", "卫星"])


def qq(ctx):
    return _d(ctx.rng, ctx.rng.randrange(8, 11)).lstrip("0") or "12345678"


def count_n(ctx):
    return ctx.rng.choice(["2", "3", "5", "10", "20"])


def pct_share(ctx):
    return ctx.rng.choice(["万10", "万12", "万15", "万18", "70%", "80%", "85%", "90%", "万20"])


def pay_bonus(ctx):
    return ctx.rng.choice(["50", "80", "100", "150", "200", "260", "300"])


def big_money(ctx):
    return ctx.rng.choice(["3万", "5万", "1-5万", "8万", "10万", "2万", "20万", "50万"])


def app_name(ctx):
    return ctx.rng.choice(["云闪付", "商户通", "收钱吧", "POS管家", "掌上商户", "银联助手", "速刷宝", "安心付", "POS激活助手", "商户宝"])


def remote_app(ctx):
    return ctx.rng.choice(["向日葵", "ToDesk", "向日葵远程控制", "TeamViewer", "钉钉", "腾讯会议", "云屏助手", "AnyDesk"])


def exp_co(ctx):
    return ctx.rng.choice(EXPRESS)


def pkg_code(ctx):
    r = ctx.rng
    return "%d-%d-%d" % (r.randrange(1, 30), r.randrange(1, 10), r.randrange(1000, 9999))


def waybill(ctx):
    r = ctx.rng
    return r.choice(["SF", "ZT", "YT", "JD", "JT", "75", "78"]) + _d(r, 11)


def weekday(ctx):
    return ctx.rng.choice(["周一", "周二", "周三", "周四", "周五", "周六", "周日"])


def percent_off(ctx):
    return ctx.rng.choice(["8.8折", "5折", "7折", "满100减20", "满200减50", "第二件半价", "买一送一", "9折"])


def mm(ctx):
    return str(ctx.rng.randrange(1, 13))


def dd(ctx):
    return str(ctx.rng.randrange(1, 29))


def yy(ctx):
    return str(ctx.rng.choice([2023, 2024, 2025]))


BANK_TAG = {"农业银行": "中国农业银行", "邮储银行": "邮储银行", "光大银行": "光大银行"}


def btag(ctx):
    b = ctx.slot("bank")
    return "【%s】" % BANK_TAG.get(b, b)


def bank_hot(ctx):
    return BANKS[ctx.slot("bank")][1]


def bank_full(ctx):
    return BANKS[ctx.slot("bank")][0]


def acq_app(ctx):
    b = ctx.slot("brand")
    return ACQ_APP.get(b, b + "商户App")


def acq_official(ctx):
    """How a genuine notice tells merchants to verify (a verb phrase): a hotline only
    where official_contacts.json has a sourced one, otherwise the official app/manager."""
    b = ctx.slot("brand")
    if b in ACQ_HOTLINE:
        h = ACQ_HOTLINE[b]
        return ctx.rng.choice(["致电官方客服" + h, "拨打" + h, "拨打客服热线" + h, "通过官方App或客服热线" + h + "咨询"])
    return ctx.rng.choice(["通过官方App在线客服咨询", "在官方App“我的-客服”中咨询", "联系您的签约客户经理",
                           "通过官方公众号咨询", "联系给您装机的客户经理"])


RESOLVERS = {k: v for k, v in globals().items() if callable(v) and not k.startswith("_") and k not in ("money",)}


def h24(ctx):
    return "%02d" % ctx.rng.randrange(7, 23)


def mi(ctx):
    return "%02d" % ctx.rng.randrange(0, 60)


def yy2(ctx):
    return ctx.rng.choice(["23", "24", "25"])


def bank_hot_or(ctx):
    return ctx.rng.choice(["银行", "客服", "95516", bank_hot(ctx), "装机的"])


RESOLVERS = {k: v for k, v in globals().items() if callable(v) and not k.startswith("_") and k not in ("money",)}


def shoppre(ctx):
    return ctx.rng.choice(SHOP_PRE)


def title(ctx):
    return ctx.rng.choice(["经理", "主管", "专员", "顾问"])


def amt_big(ctx):
    return ctx.rng.choice(["500", "1000", "2000", "300", "800", "1888", "2888", "3000"])


RESOLVERS = {k: v for k, v in globals().items() if callable(v) and not k.startswith("_") and k not in ("money",)}


def shoptype(ctx):
    return ctx.rng.choice(SHOP_TYPE)


RESOLVERS = {k: v for k, v in globals().items() if callable(v) and not k.startswith("_") and k not in ("money",)}


def min_pay(ctx):
    """Minimum repayment: 10% of the bill in {settle} (same row)."""
    v = float(ctx.slot("settle").replace(",", ""))
    return "{:,.2f}".format(round(v * 0.1, 2))


RESOLVERS = {k: v for k, v in globals().items() if callable(v) and not k.startswith("_") and k not in ("money",)}

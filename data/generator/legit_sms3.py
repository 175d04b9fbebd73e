"""Legitimate SMS families, wave 3: very short chat.  A greeting or a two-word reply from a
customer, a supplier or family ("您好", "老板在吗", "收到，谢谢") carries almost no features, and
the scam scripts of the training data open with the same 您好/老板; without short legit rows the
model called a bare "您好" a scam (models/MODEL_CARD.md, known weaknesses).  None asks for
anything.
"""
from __future__ import annotations

import legit_sms

WAVE = 2

MACROS = dict(legit_sms.MACROS)
MACROS.update({
    "hi": "[您好|你好|老板您好|您好老板|老板你好|{surname}老板您好|{surname}老板好|{surname}姐你好|{surname}哥好|老板好|老板|{surname}总您好|师傅你好|亲|美女你好|帅哥你好]",
    "end": "[|。|！|～|？|!| 😊| 🙏]",
    "ack": "[好的|收到|嗯|嗯嗯|行|可以|没问题|谢谢|谢谢老板|谢谢啦|麻烦了|知道了|好嘞|马上到|到了|稍等|等我一下|好的谢谢|收到，谢谢|行，就这样|好，明天说|OK|ok|👌|👍]",
    "thing": "[水果|烟|酒|米|面粉|饮料|蛋糕|快递|衣服|鞋子|药|花|菜|猪肉|鸡蛋|纸巾|打印纸]",
})

F = {}


def fam(key, *tpls, n=None):
    assert key not in F, "duplicate family " + key
    F[key] = {"patterns": [], "templates": list(tpls), "n": n}


fam("legit_chat.sms.greet_named",
    "{hi}{end}",
    "{hi}，[打扰一下|打扰了|问一下|请问一下|想问个事]{end}",
    n=25)

fam("legit_chat.sms.greet_are_you_there",
    "{hi}，在吗{end}",
    "[在吗|在么|老板在吗|老板在店里吗|{surname}老板在吗|人在店里吗]{end}",
    n=20)

fam("legit_chat.sms.greet_time_of_day",
    "[早上好|早|中午好|下午好|晚上好|新年好|节日快乐|周末愉快][|，{hi}|老板]{end}",
    n=20)

fam("legit_chat.sms.reply_ack",
    "{ack}{end}",
    "{ack}，[谢谢|辛苦了|麻烦你了|回头聊|晚点说|我知道了]{end}",
    n=30)

fam("legit_chat.sms.reply_on_my_way",
    "[好的|行|嗯]，[我这就过去|一会儿到|明天再来|下午去拿|晚上给你打电话|等你消息]{end}",
    "[马上到|快到了|在路上了|十分钟到|到门口了|到楼下了][|，{hi}]{end}",
    n=25)

fam("legit_chat.sms.reply_decline",
    "[不用了|算了|下次吧|改天吧|先不要了|暂时不需要]，[谢谢|谢谢老板|麻烦了]{end}",
    n=20)

fam("legit_chat.sms.ask_stock_price",
    "[{hi}，|]{thing}[还有吗|到了吗|多少钱|有货吗|今天有吗|能送吗]？",
    "[{hi}，|][帮我留一份{thing}|给我留两箱{thing}|{thing}给我留着][，我晚点来拿|，下午到|]{end}",
    n=30)

fam("legit_chat.sms.ask_hours_place",
    "[{hi}，|]今天[开门吗|营业吗|几点关门|几点开门|休息吗|开到几点]？",
    "[{hi}，|][能送货吗|可以送上门吗|店在哪里|地址发我一下|有停车位吗|周末开吗]？",
    n=30)

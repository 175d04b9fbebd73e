"""Obfuscations seen in real POS scam / ad SMS, applied to a minority of rows."""
from __future__ import annotations

import re

TRAD = {"费": "費", "率": "率", "机": "機", "银": "銀", "联": "聯", "换": "換", "户": "戶", "号": "號", "结": "結",
        "算": "算", "刷": "刷", "卡": "卡", "新": "新", "免": "免", "话": "話", "电": "電", "请": "請", "务": "務",
        "级": "級", "升": "升", "维": "維", "修": "修", "领": "領", "额": "額", "还": "還", "返": "返", "现": "現",
        "办": "辦", "理": "理", "终": "終", "端": "端", "过": "過", "专": "專", "员": "員", "时": "時", "间": "間",
        "这": "這", "个": "個", "们": "們", "为": "為", "处": "處", "动": "動", "态": "態", "讯": "訊", "认": "認",
        "证": "證", "码": "碼", "赠": "贈", "送": "送", "达": "達", "调": "調", "统": "統", "总": "總", "应": "應"}
PINYIN = {"费率": ["fl", "费lv", "f率"], "激活": ["jh", "激huo", "j活"], "押金": ["yj", "压金", "押jin"],
          "代理": ["dl", "代li"], "刷卡": ["sk", "刷k", "刷咔"], "套现": ["tx", "套xian", "T现"], "信用卡": ["xyk", "信用k", "信用咔"],
          "验证码": ["yzm", "验证玛", "验正码"], "银联": ["yl", "银lian", "垠联"], "返现": ["fx", "反现"],
          "结算": ["js", "结suan"], "冻结": ["dj", "冻jie"], "停用": ["ty", "停yong"], "换机": ["hj", "换ji"]}
FW = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz%"}
POS_VARIANTS = ["P0S", "pos", "P O S", "Pos ", "ＰＯＳ", "P.O.S", "p0s", "Ｐos", "破斯"]
WX_VARIANTS = ["薇信", "V信", "威信", "VX", "wx", "微 信", "徽信", "v❤", "薇❤", "卫星"]
KEYWORDS = ["免费换机", "免费", "激活", "费率", "押金", "换机", "新机", "升级", "返还", "代理", "套现", "刷卡", "停用",
            "领取", "退还", "到期", "验证码", "维修", "银联", "零费率", "秒到", "分润", "返现", "提额", "冻结"]
EMOJI = ["🔥", "💰", "🎁", "📢", "✅", "❗", "⚠️", "👉", "🧧", "💳", "⭐", "🎉", "📱", "✨", "💯", "🆓", "⏰", "📣", "❤️", "🈶"]


def _pos(text, rng):
    if "POS" not in text:
        return text
    v = rng.choice(POS_VARIANTS)
    if rng.random() < 0.5:
        return text.replace("POS", v)
    return text.replace("POS", v, 1)


def _wx(text, rng):
    if "微信" not in text:
        return text
    return text.replace("微信", rng.choice(WX_VARIANTS))


def _fullwidth(text, rng):
    # widen the digits/letters of one or two runs (rates, amounts, POS)
    runs = [m for m in re.finditer(r"[0-9A-Za-z.%]{2,}", text) if not re.search(r"[/:]", text[max(0, m.start() - 1):m.end() + 1])]
    if not runs:
        return text
    rng.shuffle(runs)
    pieces = sorted(runs[:rng.choice([1, 2, 2, 3])], key=lambda m: m.start())
    out, last = [], 0
    for m in pieces:
        out.append(text[last:m.start()])
        out.append("".join(FW.get(c, "．" if c == "." else c) for c in m.group()))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _spaced(text, rng):
    cands = [k for k in KEYWORDS if k in text]
    if not cands:
        return text
    k = rng.choice(cands)
    sep = rng.choice([" ", " ", ".", "·", "-", "*", "_", "/"])
    return text.replace(k, sep.join(k), 1)


def _trad(text, rng):
    p = rng.choice([0.5, 0.8, 1.0])
    return "".join(TRAD.get(c, c) if rng.random() < p else c for c in text)


def _emoji(text, rng):
    parts = re.split(r"(?<=[，。！!,；])", text)
    n = rng.choice([1, 2, 3])
    for _ in range(n):
        i = rng.randrange(len(parts) + 1)
        parts.insert(i, rng.choice(EMOJI))
    return "".join(parts)


def _pinyin(text, rng):
    cands = [k for k in sorted(PINYIN) if k in text]
    if not cands:
        return text
    k = rng.choice(cands)
    return text.replace(k, rng.choice(PINYIN[k]))


OPS = [_pos, _wx, _fullwidth, _spaced, _trad, _emoji, _pinyin]


def obfuscate(text: str, rng, strength=None) -> str:
    """Apply 1-3 different obfuscations, only ones that change something."""
    n = strength or rng.choice([1, 1, 2, 2, 3])
    ops = OPS[:]
    rng.shuffle(ops)
    applied = 0
    for op in ops:
        if applied >= n:
            break
        new = op(text, rng)
        if new != text:
            text = new
            applied += 1
    return text


def light_emoji(text: str, rng) -> str:
    return _emoji(text, rng)

#!/usr/bin/env python3
"""Builds data/official_contacts.json (embedded in posguard by src/contacts.rs) from the shared
official-contact knowledge base `shared/data/official_contacts/official_contacts.json`.

    python3 data/official_contacts.py [SHARED_JSON] [OUT_JSON]

Nothing is invented here: every number and domain comes from a fact of the shared file (its
`fact_sources`, with quality tag and sources) or, for `also_listed`, `known_fakes` and `disputed`,
from one of the entry's sourced `notes` — the script checks that the note really contains the value
and copies that note's sources. What this script adds is *matching policy*, not facts:

- `match`: how posguard finds the brand in a message. `anywhere` for distinctive names, `tag` for
  short or ambiguous aliases (平安, 华夏, 光大, 快钱, CUP, ABC …) that count only inside a 【sender】 tag;
  numeric aliases (96110) are dropped (numbers are checked as contacts, not as names).
- `short`: the name shown to users.
Standard library only; output is deterministic (sorted keys, input order of entries kept).
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data" / "official_contacts" / "official_contacts.json"

# Display names.
SHORT = {
    "国家反诈中心(96110反诈预警劝阻专线)": "国家反诈中心",
    "网络不良与垃圾信息举报受理中心(12321)": "12321举报中心",
    "公安机关报警电话(110)": "公安110",
    "微信支付/财付通": "微信支付",
}

# Aliases that are too short or too common to count outside a 【sender】 tag.
TAG_ONLY = {
    "平安", "中信", "光大", "民生", "华夏", "兴业", "广发", "汇付", "中付", "快钱", "乐刷", "新中付",
    "工行", "建行", "农行", "中行", "交行", "招行", "浦发", "龙卡", "广发卡",
    "CUP", "UMS", "ABC", "BOC", "CCB", "CMB", "CEB", "CIB", "HXB", "CGB", "CMBC", "SPDB", "PSBC",
    "BOCOM", "UMPay", "JLPAY", "Huifu", "CITIC",
}
# Aliases never used for matching: descriptions rather than names. Aliases with digits are dropped
# too (digit runs are masked before matching; numbers are checked as contacts).
DROP = {"报警电话", "110", "96110", "12321"}

# Extra values found in an entry's notes: (brand, section, values, marker that must occur in the
# note). `also_listed`: listed as the brand's own by the cited source — not flagged as unofficial.
# `known_fakes`: reported as used by impostors. `disputed`: conflicting reports, never asserted.
FROM_NOTES = [
    ("中国银联", "also_listed", "domain", ["chinaunionpay.com", "cup.com.cn", "unionpayintl.com", "chinapay.com"], "proxy rule lists"),
    ("中国银联", "known_fakes", "domain", ["unioay.com", "95516aa.com"], "fake UnionPay sites"),
    ("银联商务", "disputed", "hotline", ["95193"], "CONFLICT"),
    ("中国建设银行", "also_listed", "hotline", ["400-888-8858", "021-38695188", "021-38690588"], "vCards also lists"),
    ("中国建设银行", "known_fakes", "domain", ["a.ccbt.icu", "wap.dyrsxf.com", "wap.ajide.cc"], "Fake domains"),
    ("交通银行", "also_listed", "hotline", ["4008095559", "4008666888", "4008201888", "4008893888", "4008890058"], "vCards also lists"),
    ("中国民生银行", "also_listed", "hotline", ["95768", "952568"], "vCards lists"),
    ("广发银行", "also_listed", "hotline", ["020-95508"], "vCards lists"),
    ("兴业银行", "also_listed", "hotline", ["021-95561"], "vCards lists"),
    ("上海浦东发展银行", "also_listed", "hotline", ["4008880288"], "vCards also lists"),
    ("中国工商银行", "known_fakes", "hotline", ["00095588", "40095588", "+8695588"], "look-alikes"),
    ("中国工商银行", "known_fakes", "sms_sender", ["10666695588"], "Fake SMS"),
    ("中国工商银行", "known_fakes", "domain", ["ddicbc.cn.com"], "Fake SMS"),
    ("中国农业银行", "known_fakes", "hotline", ["4008121556"], "Fake '95599' SMS"),
    ("支付宝", "known_fakes", "hotline", ["95189", "95288"], "Look-alike numbers"),
    ("微信支付/财付通", "known_fakes", "hotline", ["4000-939-868"], "Fake '微信客服' numbers"),
    ("盛付通", "known_fakes", "hotline", ["173-2943-5396"], "RED FLAG"),
]

# Policies read off the notes (again with the note's sources).
POLICIES = [
    # 96110 calls show as area code + 96110.
    ("国家反诈中心(96110反诈预警劝阻专线)", "area_code_prefix_ok", "'area code + 96110'"),
]


def clean_alias(a):
    return re.sub(r"\(.*?\)|（.*?）", "", a).strip()


def note_with(entry, marker, value):
    for n in entry["notes"]:
        text = n["text"]
        if marker in text and value.replace("+", "") in text.replace("+", ""):
            return n
    domainish = value.split("/")[0]
    for n in entry["notes"]:
        if marker in n["text"] and domainish in n["text"]:
            return n
    raise SystemExit(f"{entry['brand']}: no note with {marker!r} mentioning {value!r}")


def main():
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "official_contacts.json"
    data = json.loads(src.read_text(encoding="utf-8"))
    by_brand = {e["brand"]: e for e in data}
    brands = []
    for e in data:
        names = [e["brand"]] + e["aliases"]
        aliases = []
        seen = set()
        for a in names:
            a = clean_alias(a)
            if not a or a in DROP or a in seen or re.search(r"\d", a):
                continue
            seen.add(a)
            aliases.append({"text": a, "match": "tag" if a in TAG_ONLY else "anywhere"})
        facts = {"hotline": [], "sms_sender": [], "domain": []}
        for f in e["fact_sources"]:
            facts[f["field"]].append(
                {k: f[k] for k in ("value", "quality", "sources", "note") if k in f}
            )
        # Every listed value must have a fact with sources.
        for field, listed in (("hotline", e["hotlines"]), ("sms_sender", e["sms_senders"]), ("domain", e["domains"])):
            have = {f["value"] for f in facts[field]}
            missing = [v for v in listed if v not in have]
            if missing:
                raise SystemExit(f"{e['brand']}: {field} {missing} have no fact_sources")
        brands.append({
            "name": e["brand"],
            "short": SHORT.get(e["brand"], e["brand"]),
            "kind": e["kind"],
            "aliases": aliases,
            "hotlines": facts["hotline"],
            "sms_senders": facts["sms_sender"],
            "domains": facts["domain"],
            "also_listed": [],
            "known_fakes": [],
            "disputed": [],
            "policies": [],
            "sources": e["sources"],
        })
    index = {b["name"]: b for b in brands}
    for brand, section, field, values, marker in FROM_NOTES:
        entry = by_brand[brand]
        for v in values:
            n = note_with(entry, marker, v)
            index[brand][section].append({
                "field": field,
                "value": v,
                "quality": "note",
                "sources": n["sources"],
                "note": n["text"],
            })
    for brand, policy, marker in POLICIES:
        entry = by_brand[brand]
        n = next(n for n in entry["notes"] if marker in n["text"])
        index[brand]["policies"].append({"policy": policy, "sources": n["sources"], "note": n["text"]})
    doc = {
        "_about": (
            "Official contacts of Chinese payment brands, trimmed for posguard's impersonation check. "
            "Built by data/official_contacts.py from shared/data/official_contacts/official_contacts.json; "
            "every value keeps its sources and quality tag (official, news, community_list, dev_doc, "
            "aggregator, agent_site; 'note' = taken from a sourced note of the entry). Caveats: caller ID "
            "and SMS sender IDs (955xx, even 110) are spoofed, and a correct 【】 signature proves nothing; "
            "a matching contact is evidence, not proof. Acquirer coverage is thin."
        ),
        "brands": brands,
    }
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(brands)} brands")


if __name__ == "__main__":
    main()

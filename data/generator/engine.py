"""Tiny deterministic template engine for the posguard corpus generator.

Template syntax (all delimiters are ASCII, so full-width 【】 etc. are plain text):
  {slot}          value of a slot; resolved once per row and cached, so the same
                  name gives the same value everywhere in one row ({brand} ... {brand}).
                  A trailing digit on a name that has no resolver of its own makes an
                  independent draw of the same kind ({amt} vs {amt2}).
  [a|b|c]         pick one alternative uniformly (alternatives may nest).
  [?a|b]          optional: pick one of the alternatives or nothing.
  <pat:...>       if this part is emitted, the row gets pattern `pat`.
  \u27e6 \u27e7       (mathematical white brackets) stand for literal ASCII [ ] in the output.
Call templates are lists of lines "C:..." (caller) / "M:..." (merchant);
a leading "?" ("?C:...") makes the whole turn optional.
"""
from __future__ import annotations

import random
import re


class Node:
    __slots__ = ()


class Text(Node):
    __slots__ = ("s",)

    def __init__(self, s):
        self.s = s


class Slot(Node):
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class Choice(Node):
    __slots__ = ("alts", "optional")

    def __init__(self, alts, optional):
        self.alts = alts
        self.optional = optional


class Pat(Node):
    __slots__ = ("pat", "body")

    def __init__(self, pat, body):
        self.pat = pat
        self.body = body


_CACHE: dict[str, list] = {}


def parse(tpl: str) -> list:
    if tpl in _CACHE:
        return _CACHE[tpl]
    pos = 0

    def seq(stops):
        nonlocal pos
        out = []
        buf = []
        while pos < len(tpl):
            c = tpl[pos]
            if c in stops:
                break
            if c == "{":
                end = tpl.index("}", pos)
                if buf:
                    out.append(Text("".join(buf)))
                    buf = []
                out.append(Slot(tpl[pos + 1:end]))
                pos = end + 1
            elif c == "[":
                if buf:
                    out.append(Text("".join(buf)))
                    buf = []
                pos += 1
                optional = False
                if pos < len(tpl) and tpl[pos] == "?":
                    optional = True
                    pos += 1
                alts = [seq("|]")]
                while pos < len(tpl) and tpl[pos] == "|":
                    pos += 1
                    alts.append(seq("|]"))
                if pos >= len(tpl) or tpl[pos] != "]":
                    raise ValueError("unclosed [ in template: " + tpl)
                pos += 1
                out.append(Choice(alts, optional))
            elif c == "<":
                if buf:
                    out.append(Text("".join(buf)))
                    buf = []
                colon = tpl.index(":", pos)
                name = tpl[pos + 1:colon]
                pos = colon + 1
                body = seq(">")
                if pos >= len(tpl) or tpl[pos] != ">":
                    raise ValueError("unclosed < in template: " + tpl)
                pos += 1
                out.append(Pat(name, body))
            else:
                buf.append(c)
                pos += 1
        if buf:
            out.append(Text("".join(buf)))
        return out

    res = seq("")
    if pos != len(tpl):
        raise ValueError("stray delimiter at %d in template: %s" % (pos, tpl))
    _CACHE[tpl] = res
    return res


class Ctx:
    """Per-row state: rng, slot cache and collected patterns."""

    def __init__(self, rng: random.Random, resolvers: dict, fixed: dict | None = None):
        self.rng = rng
        self.resolvers = resolvers
        self.values: dict[str, str] = dict(fixed or {})
        self.patterns: set[str] = set()

    def slot(self, name: str) -> str:
        if name in self.values:
            return self.values[name]
        base = name.rstrip("0123456789") or name
        fn = self.resolvers.get(name) or self.resolvers.get(base)
        if fn is None:
            raise KeyError("unknown slot {%s}" % name)
        v = fn(self)
        if not isinstance(v, str):
            v = str(v)
        # slot values may themselves be templates
        if "{" in v or "[" in v or "<" in v:
            v = self.expand(v)
        self.values[name] = v
        return v

    def expand(self, tpl: str) -> str:
        return self._run(parse(tpl))

    def _run(self, nodes) -> str:
        out = []
        for n in nodes:
            if isinstance(n, Text):
                out.append(n.s)
            elif isinstance(n, Slot):
                out.append(self.slot(n.name))
            elif isinstance(n, Choice):
                k = len(n.alts) + (1 if n.optional else 0)
                i = self.rng.randrange(k)
                if i < len(n.alts):
                    out.append(self._run(n.alts[i]))
            elif isinstance(n, Pat):
                self.patterns.add(n.pat)
                out.append(self._run(n.body))
        return "".join(out)


def finish(text: str) -> str:
    """Reject template residue, then turn the literal-bracket stand-ins into [ ]."""
    if re.search(r"[{}\[\]<>]", text):
        raise ValueError("template residue in: " + text)
    return text.replace("\u27e6", "[").replace("\u27e7", "]")

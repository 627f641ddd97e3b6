#!/usr/bin/env python3
"""Writes data/pre_tokenizer_vectors.txt: word splits of random mixed-script strings computed with
Python's `re` from the regex lists llama.cpp uses for each `tokenizer.ggml.pre` (the Unicode
classes \\p{L}, \\p{N}, ... spelled out from unicodedata). pre_tokenizer_vectors_test.cpp checks
the hand-written matchers against them, so the matchers are tested against an independent regex
engine, not against themselves.

    python3 tests/engine/tokenizer/gen_pre_tokenizer_vectors.py > \\
        tests/engine/tokenizer/data/pre_tokenizer_vectors.txt

Format: one line per (rules, input): the rules name, then each word, tab-separated; the words
concatenated are the input. In words, backslash, tab, CR, LF and other C0 controls are written
as \\\\, \\t, \\r, \\n and \\xHH.
"""
import random
import re
import sys
import unicodedata

def char_class(pred):
    """The code points where pred holds, as the inside of a regex [...] class."""
    ranges, start = [], None
    for cp in range(0x110000):
        if pred(cp) and start is None:
            start = cp
        elif not pred(cp) and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    esc = lambda c: "\\U%08x" % c
    return "".join(esc(a) if a == b else esc(a) + "-" + esc(b) for a, b in ranges)


def category(cp):
    return "Cs" if 0xD800 <= cp <= 0xDFFF else unicodedata.category(chr(cp))


def group(letter):
    return char_class(lambda c: category(c)[0] == letter)


L, N, P, S, M = group("L"), group("N"), group("P"), group("S"), group("M")
# Unicode White_Space (str.isspace() without U+001C..U+001F), as in unicode_tables.cpp.
WS = char_class(lambda c: chr(c).isspace() and not 0x1C <= c <= 0x1F)
# \s of the regexes llama.cpp hands to std::wregex (those with non-ASCII literals): ASCII only.
ASCII_WS = r"\t\n\x0b\x0c\r "

CONTRACTIONS = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
GPT2 = rf"'s|'t|'re|'ve|'m|'ll|'d| ?[{L}]+| ?[{N}]+| ?[^{WS}{L}{N}]+|[{WS}]+(?![^{WS}])"
WS_TAIL = rf"[{WS}]*[\r\n]+|[{WS}]+(?![^{WS}])|[{WS}]+"


def llama3(digits):
    return (rf"{CONTRACTIONS}|[^\r\n{L}{N}]?[{L}]+|[{N}]{digits}| ?[^{WS}{L}{N}]+[\r\n]*|"
            + WS_TAIL)


UPPER = rf"((?=[{L}])([^a-z]))"
LOWER = rf"((?=[{L}])([^A-Z]))"
TEKKEN = (rf"[^\r\n{L}{N}]?{UPPER}*{LOWER}+|[^\r\n{L}{N}]?{UPPER}+{LOWER}*|[{N}]|"
          rf" ?[^{WS}{L}{N}]+[\r\n/]*|" + WS_TAIL)
GPT4O = (rf"[^\r\n{L}{N}]?{UPPER}*{LOWER}+{CONTRACTIONS}?|"
         rf"[^\r\n{L}{N}]?{UPPER}+{LOWER}*{CONTRACTIONS}?|[{N}]{{1,3}}|"
         rf" ?[^{WS}{L}{N}]+[\r\n/]*|" + WS_TAIL)
DEEPSEEK3 = [
    rf"[{N}]{{1,3}}",
    "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
    r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+"
    + rf"|[^\r\n{L}{P}{S}]?[{L}{M}]+| ?[{P}{S}]+[\r\n]*|" + WS_TAIL,
]
DEEPSEEK_LLM_LETTERS = (
    "A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293"
    "\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c"
    "\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5"
    "\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77"
    "\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59"
    "\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc"
    "\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107"
    "\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139"
    "\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee"
    "\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e"
    "\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\U00010400-\U0001044f"
    "\U000104b0-\U000104d3\U000104d8-\U000104fb\U00010c80-\U00010cb2\U00010cc0-\U00010cf2"
    "\U000118a0-\U000118df\U0001e900-\U0001e943")
CJK = "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+"

RULES = {
    "gpt-2": [GPT2],
    "llama-bpe": [llama3("{1,3}")],
    "qwen2": [llama3("")],
    "chatglm-bpe": [llama3("{1,3}")],
    "starcoder": [rf"[{N}]", GPT2],
    "falcon": [rf"[{P}\$\+<=>\^~\|`]+", GPT2, "[0-9][0-9][0-9]"],
    "default": [rf"[{P}\$\+<=>\^~\|]+", GPT2, rf"[{N}]+", "[0-9][0-9][0-9]"],
    "deepseek-coder": ["[\r\n]", rf"[{WS}]?[{L}]+", rf"[{WS}]?[{P}]+", CJK, rf"[{N}]"],
    "deepseek-llm": [
        "[\r\n]",
        f"[{ASCII_WS}]?[{DEEPSEEK_LLM_LETTERS}]+",
        f"[{ASCII_WS}]?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+",
        rf"[{WS}]+\Z",  # ECMAScript $ = end of input; Python's $ would also match before a \n
        CJK,
        rf"[{N}]+",
    ],
    "tekken": [TEKKEN],
    "gpt-4o": [GPT4O],
    "deepseek-v3": DEEPSEEK3,
}


def split(rules, text):
    """Each regex splits every piece into its matches and the gaps between them."""
    pieces = [text]
    for rule in rules:
        rx = re.compile(rule)
        out = []
        for piece in pieces:
            last = 0
            for m in rx.finditer(piece):
                if m.start() > last:
                    out.append(piece[last:m.start()])
                out.append(m.group())
                last = m.end()
            if last < len(piece):
                out.append(piece[last:])
        pieces = out
    return pieces


PICKS = [(0x20, 0x7E), (0x41, 0x5A), (0x61, 0x7A), (0x30, 0x39), (0x09, 0x0D), (0x27, 0x27),
         (0x2F, 0x2F), (0xA0, 0xFF), (0x300, 0x36F), (0x391, 0x3C9), (0x410, 0x44F),
         (0x4E00, 0x4E40), (0x3040, 0x30FF), (0xAC00, 0xAC20), (0x1F600, 0x1F64F),
         (0x2000, 0x200D), (0x3000, 0x3002), (0x0660, 0x0669), (0x1F5F, 0x1FDB), (0x85, 0x85),
         (0xFF01, 0xFF20), (0x2018, 0x201F)]


def escape(word):
    out = []
    for ch in word:
        c = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif c < 0x20:
            out.append("\\x%02X" % c)
        else:
            out.append(ch)
    return "".join(out)


def main():
    random.seed(20261121)
    inputs = []
    for _ in range(150):
        n = random.randint(1, 24)
        inputs.append("".join(chr(random.randint(*random.choice(PICKS))) for _ in range(n)))
    out = sys.stdout
    for name, rules in RULES.items():
        for text in inputs:
            words = split(rules, text)
            assert "".join(words) == text
            out.write(name + "\t" + "\t".join(escape(w) for w in words) + "\n")


if __name__ == "__main__":
    main()

"""Words for people: numbers in the reader's locale, coded answers by their label, conditions in symbols.

Shared by the plain-text explanation (explain.py) and the web pages (engine/web/outcome_page.py).
"""
from __future__ import annotations

import re
from fractions import Fraction

UNITS = {
    "id": {"percent": "%", "years": "tahun", "channels": "kanal", "exhibitions": "pameran", "products": "produk",
           "million rupiah": "juta rupiah", "panel score": "(skor panel)", "units": "unit"},
    "en": {"percent": "%", "years": "years", "channels": "channels", "exhibitions": "exhibitions",
           "products": "products", "million rupiah": "million rupiah", "panel score": "(panel score)", "units": "units"},
}
WORDS = {
    "id": {"stars": "bintang", "yes": "ya", "no": "tidak", "no stars": "tanpa bintang",
           "previous result on the same star scale": "hasil sebelumnya pada skala bintang yang sama",
           "is any value": "berapa pun"},
    "en": {"stars": "stars", "yes": "yes", "no": "no", "no stars": "no stars",
           "previous result on the same star scale": "previous result on the same star scale",
           "is any value": "is any value"},
}
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_EQ = re.compile(r"^(\w+) = (\w+)$")
_IN = re.compile(r"^(\w+) in \[(.*)\]$")


def num(value, lang: str) -> str:
    """91.33 → "91,33" (id) or "91.33" (en); whole numbers without decimals; None → "–"."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return WORDS[lang]["yes" if value else "no"]
    if isinstance(value, str):
        return value
    if isinstance(value, Fraction):
        value = value.numerator if value.denominator == 1 else float(value)
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    else:
        text = str(value)
    return _locale(text, lang)


def _locale(text: str, lang: str) -> str:
    if lang != "id":
        return text
    whole, _, frac = text.partition(".")
    return whole + ("," + frac if frac else "")


def exact_decimal(exact_text: str, lang: str, places: int = 6) -> str:
    """"266/3" → "88,666667…" (id) / "88.666667…" (en); a terminating value exactly."""
    value = Fraction(exact_text)
    scaled = value * 10**places
    text = f"{value.numerator // value.denominator if value >= 0 else 0}"
    if value.denominator != 1:
        digits = str(int(scaled) % 10**places).rjust(places, "0")
        exact = scaled.denominator == 1
        text += "." + (digits.rstrip("0") if exact else digits)
        if not exact:
            text += "…"
    return _locale(text, lang)


def stars_text(stars: int | None, scale: int, lang: str) -> str:
    """2 of 3 → "★★☆ 2 dari 3 bintang" / "★★☆ 2 of 3 stars"."""
    n = stars or 0
    bar = "★" * n + "☆" * (scale - n)
    return f"{bar} {n} dari {scale} bintang" if lang == "id" else f"{bar} {n} of {scale} {'star' if scale == 1 else 'stars'}"


def plural(n, one: str, many: str, lang: str) -> str:
    return f"{num(n, lang)} {one if lang == 'id' or n == 1 else many}"


def evidence_of(edition, name: str):
    key = (id(edition), "evidence")
    index = _cache.get(key)
    if index is None:
        _alive[id(edition)] = edition
        index = _cache[key] = {c.evidence.name: c.evidence for c in edition.criteria}
    return index.get(name)


def code_label(edition, evidence: str, code, lang: str) -> str:
    """A coded answer by its label with the code in brackets: "Dikendalikan (dikendalikan)"."""
    ev = evidence_of(edition, evidence)
    if ev is None or not ev.codes or not isinstance(code, str):
        return str(code)
    found = next((c for c in ev.codes if c.code == code), None)
    return f"{getattr(found.label, lang)} ({code})" if found else code


def answer(edition, evidence: str, value, lang: str) -> str:
    """An evidence answer for people: a code by its label, a number in the locale with its unit."""
    if isinstance(value, str):
        return code_label(edition, evidence, value, lang)
    ev = evidence_of(edition, evidence)
    unit = UNITS[lang].get(ev.unit, ev.unit) if ev is not None and ev.unit else ""
    text = num(value, lang)
    return f"{text}{unit}" if unit == "%" else (f"{text} {unit}" if unit else text)


_cache: dict = {}
_alive: dict = {}


def condition(edition, text: str, lang: str) -> str:
    """The condition for people (cached per edition, text and language)."""
    key = (id(edition), text, lang)
    hit = _cache.get(key)
    if hit is None:
        _alive[id(edition)] = edition  # keeps the id from being reused while cached
        hit = _cache[key] = _condition(edition, text, lang)
    return hit


def _condition(edition, text: str, lang: str) -> str:
    """A rule condition in symbols, numbers in the locale and codes by label: "80 ≤ bahan_baku_lokal_pct < 100"."""
    m = _EQ.match(text)
    if m and evidence_of(edition, m.group(1)) is not None and not m.group(2).isdigit():
        return f"{m.group(1)} = {code_label(edition, m.group(1), m.group(2), lang)}"
    m = _IN.match(text)
    if m:
        codes = [code_label(edition, m.group(1), c.strip(), lang) for c in m.group(2).split(",")]
        return f"{m.group(1)} {'salah satu dari' if lang == 'id' else 'one of'} {', '.join(codes)}"
    for key, word in WORDS[lang].items():
        if key in ("stars", "previous result on the same star scale", "no stars", "is any value"):
            text = re.sub(rf"\b{re.escape(key)}\b", word, text)
    text = text.replace(">=", "≥").replace("<=", "≤")
    return _NUMBER.sub(lambda mt: _locale(mt.group(0), lang), text)


LINE = {
    "id": {"awarded": "diberi bintang", "not_awarded": "tanpa bintang", "ineligible": "tidak memenuhi syarat",
           "conditional": "bersyarat", "score": "skor", "capped": "dibatasi dari {n}★",
           "failed": "gerbang gagal: {g}", "unknown": "gerbang tidak diketahui: {g}"},
    "en": {"awarded": "awarded", "not_awarded": "not_awarded", "ineligible": "ineligible", "conditional": "conditional",
           "score": "score", "capped": "capped from {n}★", "failed": "gates failed: {g}", "unknown": "gates unknown: {g}"},
}


def outcome_line(o, lang: str = "id") -> str:
    """One outcome on one line, as `ovop evaluate` prints it: id, edition, status, stars, score and why
    (capped from, gates failed, gates unknown)."""
    w = LINE[lang]
    stars = f"{o.stars}★" if o.stars else "-"
    score = _locale(f"{o.score:.2f}", lang) if o.score is not None else "-"
    extra = f" {w['capped'].format(n=o.band_stars)}" if o.capped else \
        (f" {w['failed'].format(g=', '.join(o.gates_failed))}" if o.gates_failed else "")
    if o.gates_unknown:
        extra += f" {w['unknown'].format(g=', '.join(o.gates_unknown))}"
    return f"{o.id}  {o.edition}  {w.get(o.status, o.status)}  {stars}  {w['score']} {score}{extra}"

"""Assumed values for evidence and gate facts that a draft adds and no past assessment has.

`ovop impact DRAFT --assume NAME=VALUE` (and the workbench's impact panel) fill a missing answer with
the value assumed, for the draft only: the base is evaluated on what each assessment says. An answer an
assessment does give is never replaced. Each assumption is checked once against the draft (the name
exists, the value is a code of its list or a number in its range), with the words of the input checks.
"""
from __future__ import annotations

import difflib
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import Diagnostic, OvopError, Text
from ..rules import Edition

TEXTS = {  # kind: (message in Indonesian, in English), (allowed in Indonesian, in English)
    "form": (("{spec!r}: tulis NAMA=NILAI", "{spec!r}: write NAME=VALUE"),
             ("NAMA=NILAI, mis. sertifikasi_digital=0", "NAME=VALUE, e.g. sertifikasi_digital=0")),
    "name": (("{name}: edisi {edition} tidak punya bukti atau fakta syarat bernama {name!r}{hint}",
              "{name}: edition {edition} has no evidence or gate fact named {name!r}{hint}"),
             ("salah satu dari: {names}", "one of: {names}")),
    "code": (("{name}: {value!r} bukan kode daftarnya", "{name}: {value!r} is not one of its codes"),
             ("salah satu dari: {codes}", "one of: {codes}")),
    "number": (("{name}: {value!r} bukan {what}", "{name}: {value!r} is not {what}"), ("{what}", "{what}")),
    "boolean": (("{name}: {value!r} bukan true atau false", "{name}: {value!r} is not true or false"),
                ("true atau false", "true or false")),
}


def _error(kind: str, **kw) -> Diagnostic:
    """One wrong --assume, in both languages (said in the command's --lang); arguments that are Text
    themselves are said in the same language."""
    message, allowed = TEXTS[kind]
    return Diagnostic("--assume", message=Text(*message, **kw), allowed=Text(*allowed, **kw))


def new_names(base: Edition, draft: Edition) -> dict[str, Any]:
    """Evidence names and gate facts of the draft that the base does not have, with a default assumption
    (the lowest code, the minimum, or 0; gates: the requirement met)."""
    known = set(base.evidence_names()) | {g.fact for g in base.gates}
    out: dict[str, Any] = {}
    for c in draft.criteria:
        ev = c.evidence
        if ev.name not in known and "evidence." + ev.name not in out:
            out["evidence." + ev.name] = (ev.codes[0].code if ev.type == "enum" and ev.codes else
                                          ev.min if ev.min is not None else 0)
    for g in draft.gates:
        if g.fact not in known:
            out["gates." + g.fact] = True if g.type == "boolean" else (g.min if g.min is not None else 0)
    return out


def parse(specs: list[str] | tuple[str, ...], draft: Edition) -> dict[str, Any]:
    """`NAME=VALUE` items (NAME: an evidence name or gate fact of the draft, optionally written
    `evidence.NAME` or `gates.NAME`) -> {"evidence.NAME" | "gates.NAME": value}; every wrong item an error."""
    evidence = {c.evidence.name: c.evidence for c in draft.criteria}
    gates = {g.fact: g for g in draft.gates}
    out, errors = {}, []
    for spec in specs:
        name, sep, text = spec.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name or not text:
            errors.append(_error("form", spec=spec))
            continue
        section, _, bare = name.rpartition(".")
        pool = {"": evidence.keys() | gates.keys(), "evidence": evidence, "gates": gates}.get(section)
        if pool is None or bare not in pool:
            names = sorted(evidence) + sorted(gates)
            close = difflib.get_close_matches(bare, names, n=1)
            hint = Text(" (maksud Anda {c!r}?)", " (did you mean {c!r}?)", c=close[0]) if close else ""
            errors.append(_error("name", name=name, edition=draft.edition, names=", ".join(names), hint=hint))
            continue
        if section == "gates" or bare not in evidence:
            key, spec_of = "gates." + bare, gates[bare]
        else:
            key, spec_of = "evidence." + bare, evidence[bare]
        value = _value(bare, text, spec_of, errors)
        if value is not None:
            out[key] = value
    if errors:
        raise OvopError(errors)
    return out


def _value(name: str, text: str, spec: Any, errors: list) -> Any:
    kind = spec.type
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true"
        errors.append(_error("boolean", name=name, value=text))
        return None
    if kind == "enum":
        codes = [c.code for c in spec.codes]
        if text in codes:
            return text
        errors.append(_error("code", name=name, value=text, codes=", ".join(codes)))
        return None
    return _number(name, text, spec, errors)


def _number(name: str, text: str, spec: Any, errors: list) -> Any:
    lo, hi = spec.min, spec.max
    whole = spec.type == "integer"
    what = Text(("bilangan bulat" if whole else "angka") + _range(lo, hi, "id"),
                ("a whole number" if whole else "a number") + _range(lo, hi, "en"))
    try:
        number = Decimal(text) if len(text) <= 30 else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or (whole and number != number.to_integral_value()) or \
            (lo is not None and number < Decimal(str(lo))) or (hi is not None and number > Decimal(str(hi))):
        errors.append(_error("number", name=name, value=text, what=what))
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _range(lo: Any, hi: Any, lang: str) -> str:
    if lo is not None and hi is not None:
        return f" dari {lo} sampai {hi}" if lang == "id" else f" from {lo} to {hi}"
    if lo is not None:
        return f" >= {lo}"
    return f" <= {hi}" if hi is not None else ""


def apply(raws: list, assumed: dict[str, Any]) -> list:
    """The records with each assumed answer added where the record has none (other records as they are)."""
    if not assumed:
        return raws
    ev = {k.split(".", 1)[1]: v for k, v in assumed.items() if k.startswith("evidence.")}
    gates = {k.split(".", 1)[1]: v for k, v in assumed.items() if k.startswith("gates.")}
    return [dict(r, evidence={**ev, **r["evidence"]}, gates={**gates, **r["gates"]})
            if isinstance(r, dict) and isinstance(r.get("evidence"), dict) and isinstance(r.get("gates"), dict)
            else r for r in raws]

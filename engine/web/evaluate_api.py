"""POST /-/ovop/evaluate: one assessment or a list as JSON → outcomes, or every problem and nothing evaluated.

The checks are the CLI's (engine.inputs.check_file on the same Source a .json file gives), so the
words of every error are the CLI's. Nothing is written. The Datasette hook is site/plugins/ovop_desk.py.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..decide import explain
from ..errors import Diagnostic, OvopError, Text, say
from ..inputs import (Assessment, FastCheck, check_file, collector_paused, duplicates, item_label,  # noqa: F401
                      json_source, localized, parse)  # (item_label: for the desk)
from ..inputs import messages as input_words
from .state import state

LIMIT = 5 * 1024 * 1024
BODY = "<request>"
HOW = Text("kirim (POST) badan JSON berisi satu penilaian atau daftar penilaian (CRITERIA.md bagian 6), "
           "Content-Type: application/json; ?edition=E untuk menilai ulang di bawah edisi E; ?lang=en untuk pesan "
           "dalam bahasa Inggris",
           "POST a JSON body holding one assessment or a list of them (CRITERIA.md section 6), "
           "Content-Type: application/json; optional ?edition=E re-evaluates under edition E; ?lang=en gives "
           "the messages in English")
LANGS = ("id", "en")


def language(value: str | None) -> str:
    """?lang=: id (the default) or en."""
    return value if value in LANGS else "id"


def error(message, allowed=None, lang: str = "id", **more) -> dict:
    """One error as the API answers it: message and allowed in `lang`, and in English beside them."""
    return {"id": more.pop("id", None), "field": more.pop("field", None), "message": say(message, lang),
            "allowed": say(allowed, lang) if allowed else None, "message_en": say(message, "en"),
            "allowed_en": say(allowed, "en") if allowed else None, **more}


def too_large(size: int, lang: str = "id") -> dict:
    return {"errors": [error(input_words.t("body_too_large", size=f"{size:,}"), input_words.t("body_too_large_ok", limit=f"{LIMIT:,}"), lang)]}


def evaluate_text(text: str, edition: str | None = None, with_explanations: bool = True,
                  lang: str = "id") -> tuple[int, object]:
    """(200, [outcome, ...]) or (400, {"errors": [...]}); the outcome has every `ovop evaluate --json` field,
    plus `explanation` {id, en} and `ahead` (the ranked ways to the next star). Errors are worded in `lang`,
    with the English beside them (message_en, allowed_en)."""
    st = state()
    try:
        assessments = check_text(text, edition, st, positions=False)
    except OvopError:
        try:
            check_text(text, edition, st, positions=True)  # the same errors, with line and column
        except OvopError as exc:
            return 400, {"errors": error_dicts(exc.diagnostics, _labels(text), lang)}
        return 500, {"errors": [error(input_words.plain("inconsistent check", "pemeriksaan tidak konsisten"), None, lang)]}
    return 200, evaluate_assessments(assessments, with_explanations)


def evaluate_json(text: str, edition: str | None = None, lang: str = "id") -> tuple[int, str]:
    """evaluate_text, answered as JSON text: each outcome serialized by pydantic (fast), then the additions.

    The cyclic collector is paused meanwhile: records and outcomes hold no cycles, and its passes over
    them (in a process holding a whole site) cost about a third of the time of a list."""
    with collector_paused():
        return _evaluate_json(text, edition, lang)


def _evaluate_json(text: str, edition: str | None, lang: str) -> tuple[int, str]:
    st = state()
    try:
        assessments = check_text(text, edition, st, positions=False)
    except OvopError:
        status, data = evaluate_text(text, edition, lang=lang)
        return status, json.dumps(data, ensure_ascii=False)
    ev, parts = st["evaluator"], []
    for a in assessments:
        o = ev.evaluate(a)
        ahead = ev.ahead(a, o)
        model = ev.compiled(a.edition).edition
        extra = json.dumps({"explanation": {said: explain(o, model, said, ahead) for said in LANGS},
                            "ahead": ahead}, ensure_ascii=False)
        parts.append(o.model_dump_json()[:-1] + "," + extra[1:])
    return 200, "[" + ",".join(parts) + "]"


def evaluate_assessments(assessments, with_explanations: bool = True) -> list[dict]:
    ev = state()["evaluator"]
    out = []
    for a in assessments:
        o = ev.evaluate(a)
        row = o.to_json()
        if with_explanations:
            ahead = ev.ahead(a, o)
            model = ev.compiled(a.edition).edition
            row["explanation"] = {lang: explain(o, model, lang, ahead) for lang in ("id", "en")}
            row["ahead"] = ahead
        out.append(row)
    return out


def check_text(text: str, edition: str | None, st: dict, positions: bool, file: str = BODY) -> list:
    """The CLI's checks on JSON text: every problem at once (OvopError), or the assessments in order.

    Without positions, a body the population reader's fast check accepts as a whole (fast_check) is not
    checked again; any other body goes through the CLI's checks, which word every error."""
    if not positions:
        fast = fast_check(text, edition, st)
        if fast is not None:
            return fast
    rs = st["ruleset"]
    target = rs.get(edition).model if edition else None
    cmap = st["commodity_map"]() if target else None
    source = json_source(text, file, positions)
    keys: list = []
    found, errs = check_file(source, st["catalogue"], target, cmap, keys)
    errs = sorted(errs, key=lambda d: (d.line or 0, d.col or 0)) + duplicates(keys)
    if errs:
        raise OvopError(localized(errs))
    return found


_FAST: dict[tuple, FastCheck] = {}


def _fast_of(st: dict, edition: str) -> FastCheck:
    """The fast check of `edition` for the site's rule set, built once."""
    key = (id(st["ruleset"]), edition)
    if key not in _FAST:
        _FAST[key] = FastCheck(st["catalogue"], st["ruleset"].get(edition).model, st["commodity_map"]())
    return _FAST[key]


def fast_check(text: str, edition: str | None, st: dict) -> list | None:
    """The assessments of a body every record of which the fast check (engine.inputs.FastCheck: the same
    definitions, stricter where a cheap test cannot be exact) accepts, ids unique per edition; else None
    (the CLI's checks then decide, and word every problem)."""
    try:
        data = parse(text)
    except (ValueError, RecursionError):
        return None
    items = data if type(data) is list else [data]
    if not items or any(type(raw) is not dict or type(raw.get("edition")) is not str for raw in items):
        return None
    editions = st["catalogue"].editions
    groups: dict[str, list[int]] = {}
    for i, raw in enumerate(items):
        target = edition or raw["edition"]
        if target not in editions or raw["edition"] not in editions:
            return None
        groups.setdefault(target, []).append(i)
    accepted: list = [None] * len(items)
    for target, rows in groups.items():
        for i, ok in zip(rows, _fast_of(st, target).chunk([items[i] for i in rows])):
            accepted[i] = ok
    keys = {(a["edition"], a["id"]) for a in accepted if a is not None}
    if any(a is None for a in accepted) or len(keys) != len(accepted):
        return None
    return [Assessment.model_validate(a) for a in accepted]


def _labels(text: str) -> list[str]:
    """The label each assessment's errors are reported under (its id, or "item N (no id)")."""
    try:
        data = json.loads(text, parse_int=str, parse_float=str)  # numbers as text: a 5,000-digit one is no error here
    except (ValueError, RecursionError):
        return []
    items = data if isinstance(data, list) else [data]
    return [item_label(raw, f"item {n}" if isinstance(data, list) else "") for n, raw in enumerate(items, start=1)]


def error_dicts(diags: list[Diagnostic], labels: list[str], lang: str = "id") -> list[dict]:
    """{"id", "field", "message", "allowed", "message_en", "allowed_en"} of each diagnostic: the words of
    `ovop evaluate --lang <lang>` and of `--lang en`."""
    out = []
    for d in localized(diags):
        ident, field = split_path(d.path, labels)
        if ident is not None:
            ident = say(input_words.place(ident), lang)
        out.append(error(d.message, d.allowed, lang, id=ident, field=field))
    return out


def split_path(path: str, labels: list[str]) -> tuple[str | None, str | None]:
    """"2024-JB-0007: evidence.merek" → ("2024-JB-0007", "evidence.merek"), by the known labels."""
    for label in sorted(set(labels), key=len, reverse=True):
        if path == label:
            return label, None
        if path.startswith(label + ": "):
            return label, path[len(label) + 2:]
    return (None, path or None)


def read_json_file(path: str | Path) -> str:
    return Path(path).read_text(encoding="utf-8")

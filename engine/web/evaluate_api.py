"""POST /-/ovop/evaluate: one assessment or a list as JSON → outcomes, or every problem and nothing evaluated.

The checks are the CLI's (engine.inputs.check_file on the same Source a .json file gives), so the
words of every error are the CLI's. Nothing is written. The Datasette hook is site/plugins/ovop_desk.py.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..decide import explain
from ..errors import Diagnostic, OvopError
from ..inputs import check_file, duplicates, item_label, json_source  # noqa: F401 (item_label: desk)
from .state import state

LIMIT = 5 * 1024 * 1024
BODY = "<request>"
HOW = ("POST a JSON body holding one assessment or a list of them (CRITERIA.md section 6), "
       "Content-Type: application/json; optional ?edition=E re-evaluates under edition E. / "
       "Kirim (POST) badan JSON berisi satu penilaian atau daftar penilaian; ?edition=E untuk menilai ulang.")


def too_large(size: int) -> dict:
    return {"errors": [{"id": None, "field": None, "message": f"body of {size:,} bytes is over the limit",
                        "allowed": f"at most {LIMIT:,} bytes (5 MB); split the list"}]}


def evaluate_text(text: str, edition: str | None = None, with_explanations: bool = True) -> tuple[int, object]:
    """(200, [outcome, ...]) or (400, {"errors": [...]}); the outcome has every `ovop evaluate --json` field,
    plus `explanation` {id, en} and `ahead` (the ranked ways to the next star)."""
    st = state()
    try:
        assessments = check_text(text, edition, st, positions=False)
    except OvopError:
        try:
            check_text(text, edition, st, positions=True)  # the same errors, with line and column
        except OvopError as exc:
            return 400, {"errors": error_dicts(exc.diagnostics, _labels(text))}
        return 500, {"errors": [{"id": None, "field": None, "message": "inconsistent check", "allowed": None}]}
    return 200, evaluate_assessments(assessments, with_explanations)


def evaluate_json(text: str, edition: str | None = None) -> tuple[int, str]:
    """evaluate_text, answered as JSON text: each outcome serialized by pydantic (fast), then the additions."""
    st = state()
    try:
        assessments = check_text(text, edition, st, positions=False)
    except OvopError:
        status, data = evaluate_text(text, edition)
        return status, json.dumps(data, ensure_ascii=False)
    ev, parts = st["evaluator"], []
    for a in assessments:
        o = ev.evaluate(a)
        ahead = ev.ahead(a, o)
        model = ev.compiled(a.edition).edition
        extra = json.dumps({"explanation": {lang: explain(o, model, lang, ahead) for lang in ("id", "en")},
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
    """The CLI's checks on JSON text: every problem at once (OvopError), or the assessments in order."""
    rs = st["ruleset"]
    target = rs.get(edition).model if edition else None
    cmap = st["commodity_map"]() if target else None
    source = json_source(text, file, positions)
    keys: list = []
    found, errs = check_file(source, st["catalogue"], target, cmap, keys)
    errs = sorted(errs, key=lambda d: (d.line or 0, d.col or 0)) + duplicates(keys)
    if errs:
        raise OvopError(errs)
    return found


def _labels(text: str) -> list[str]:
    """The label each assessment's errors are reported under (its id, or "item N (no id)")."""
    try:
        data = json.loads(text, parse_int=str, parse_float=str)  # numbers as text: a 5,000-digit one is no error here
    except (ValueError, RecursionError):
        return []
    items = data if isinstance(data, list) else [data]
    return [item_label(raw, f"item {n}" if isinstance(data, list) else "") for n, raw in enumerate(items, start=1)]


def error_dicts(diags: list[Diagnostic], labels: list[str]) -> list[dict]:
    out = []
    for d in diags:
        ident, field = split_path(d.path, labels)
        out.append({"id": ident, "field": field, "message": d.message, "allowed": d.allowed})
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

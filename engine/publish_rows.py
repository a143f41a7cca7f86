"""Rows of the data tables for one evaluated assessment: ikm, assessment, evidence, outcome, trace steps.

`input_json` is the assessment as canonical JSON (sorted keys, numbers exactly as written), so that
`ovop verify` can evaluate it again and `input_hash` (its sha256) pins it.
"""
from __future__ import annotations

import hashlib
import inspect
import re
from fractions import Fraction
from typing import Any

from . import __version__
from .conditions import fmt
from .publish_rules import dumps

STEP_KEYS = {"step", "kind", "rule", "provenance"}


def sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Raw(str):
    """A number's exact text, written into JSON unquoted."""


def _exact_number(value: Any, exact: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    text = fmt(Fraction(exact))
    return _Raw(text if "." in text else text + ".0")


def canonical_input(a) -> str:
    """The assessment as canonical JSON text; decimals exactly as the assessor wrote them."""
    gates, evidence = a.exact_gates(), a.exact_evidence()
    data: dict[str, Any] = {
        "id": a.id, "edition": a.edition, "ikm": a.ikm.model_dump(mode="json"),
        "gates": {k: _exact_number(v, gates[k]) for k, v in a.gates.items()},
        "evidence": {k: _exact_number(v, evidence[k]) for k, v in a.evidence.items()},
    }
    if a.previous is not None:
        data["previous"] = a.previous.model_dump(mode="json")
    raws: list[str] = []

    def swap(node):
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, _Raw):
            raws.append(str(node))
            return f"\x00{len(raws) - 1}\x00"
        return node

    text = dumps(swap(data))
    return re.sub(r'"\\u0000(\d+)\\u0000"', lambda m: raws[int(m.group(1))], text)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def ikm_id(ikm) -> str:
    """A stable id for a firm: the same name, province and regency (case and spacing aside) in every round."""
    digest = hashlib.sha256("\x1f".join(_norm(x) for x in (ikm.name, ikm.province, ikm.regency)).encode()).hexdigest()
    return "ikm-" + digest[:12]


def key_of(edition: str, ident: str) -> str:
    return f"{edition}/{ident}"


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return fmt(value)
    return str(value)


def ikm_row(a) -> dict[str, Any]:
    return {"id": ikm_id(a.ikm), "name": a.ikm.name, "province": a.ikm.province, "regency": a.ikm.regency}


def assessment_row(a, input_json: str, source_file: str | None) -> dict[str, Any]:
    prev = a.previous
    return {"key": key_of(a.edition, a.id), "edition": a.edition, "id": a.id, "ikm": ikm_id(a.ikm),
            "commodity": a.ikm.commodity, "commodity_key": f"{a.edition}/{a.ikm.commodity}", "product": a.ikm.product,
            "province": a.ikm.province, "regency": a.ikm.regency, "previous_edition": prev.edition if prev else None,
            "previous_stars": prev.stars if prev else None, "source_file": source_file,
            "input_json": input_json, "input_hash": sha256(input_json)}


def evidence_rows(a) -> list[dict[str, Any]]:
    key, rows = key_of(a.edition, a.id), []
    for section, values in (("evidence", a.exact_evidence()), ("gates", a.exact_gates())):
        for name in sorted(values):
            v = values[name]
            number = float(v) if isinstance(v, Fraction) else None
            rows.append({"assessment": key, "section": section, "name": name, "value_text": text(v), "value_number": number})
    return rows


def outcome_row(a, o, input_hash: str, explanations: tuple[str | None, str | None], d: dict | None = None) -> dict[str, Any]:
    """The outcome's row; `d` is `o.to_json()` when the caller has it already."""
    d = d if d is not None else o.to_json()
    e, key = o.edition, key_of(o.edition, o.id)
    applied = next((s["cap"] for s in o.trace if s["kind"] == "cap" and s["applied"]), None)
    prev = a.previous
    return {"key": key, "assessment": key, "edition": e, "id": o.id, "ikm": ikm_id(a.ikm), "ikm_name": a.ikm.name,
            "commodity": a.ikm.commodity, "province": a.ikm.province, "regency": a.ikm.regency, "status": o.status,
            "stars": o.stars, "band_stars": o.band_stars, "capped": int(o.capped), "score": o.score,
            "gates_failed": dumps(o.gates_failed), "pembina": o.pembina, "label_kemasan": int(o.label_kemasan),
            "kandidat_go_global": int(o.kandidat_go_global), "movement": o.movement,
            "previous_edition": prev.edition if prev else None, "previous_stars": prev.stars if prev else None,
            "band_key": f"{e}/band/{o.band_stars}" if o.band_stars else None,
            "cap_key": f"{e}/cap/{applied}" if applied else None, "ruleset_hash": o.ruleset_hash,
            "input_hash": input_hash, "trace_hash": sha256(dumps(d["trace"])), "engine_version": __version__,
            "what_it_takes": dumps(o.what_it_takes) if o.what_it_takes is not None else None,
            "explanation_id": explanations[0], "explanation_en": explanations[1]}


def trace_rows(o, known: set[str], d: dict | None = None) -> list[dict[str, Any]]:
    """One row per trace step: readable columns, links to the rule rows, the full step as `detail`."""
    e, key, rows = o.edition, key_of(o.edition, o.id), []
    for s in (d if d is not None else o.to_json())["trace"]:
        rule_key = f"{e}/{s['rule']}"
        kind, p = s["kind"], s["provenance"]
        row = {"outcome": key, "step": s["step"], "kind": kind, "rule": s["rule"],
               "rule_key": rule_key if rule_key in known else None, "subject": None, "value": None, "result": None,
               "points": None, "max_points": None, "gate_key": None, "criterion_key": None, "level_key": None,
               "band_key": None, "cap_key": None, "provenance_status": p["status"], "source_url": p.get("url"),
               "detail": dumps({k: v for k, v in s.items() if k not in STEP_KEYS})}
        row.update(_readable(s, e, row["rule_key"]))
        rows.append(row)
    return rows


def _readable(s: dict, e: str, rule_key: str | None) -> dict[str, Any]:
    kind = s["kind"]
    if kind == "gate":
        return {"subject": s["fact"], "value": text(s["actual"]), "result": s["result"], "gate_key": rule_key}
    if kind == "criterion":
        return {"subject": s["criterion"], "value": text(s["value"]), "result": f"level {s['level']}",
                "points": s["points"], "max_points": s["max_points"], "level_key": rule_key,
                "criterion_key": f"{e}/criterion/{s['criterion']}"}
    if kind == "subtotal":
        return {"subject": f"group {s['group']}", "points": s["points"], "max_points": s["max_points"]}
    if kind == "score":
        return {"subject": "score", "value": s["arithmetic"], "result": text(s["score"])}
    if kind == "band":
        return {"subject": "band", "value": text(s["score"]), "result": f"{s['stars']} stars" if s["stars"] else "none",
                "band_key": rule_key}
    if kind == "cap":
        return {"subject": s["cap"], "value": "; ".join(f"{r['condition']}: {text(r['actual'])}" for r in s["requires"]),
                "result": "applied" if s["applied"] else "not applied", "cap_key": rule_key}
    return {"subject": s.get("name"), "value": text(s.get("value")), "result": s.get("condition")}


def explanations(outcome, assessment, ruleset) -> tuple[str | None, str | None]:
    """The `ovop explain` text in Indonesian and English, when the explain module is there."""
    try:
        from .explain import explain
    except ImportError:
        return None, None
    params = list(inspect.signature(explain).parameters)
    resolved = ruleset.get(outcome.edition)
    if len(params) >= 4:
        return tuple(explain(outcome, assessment, ruleset, lang) for lang in ("id", "en"))
    return tuple(explain(outcome, resolved.model, lang) for lang in ("id", "en"))

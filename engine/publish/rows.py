"""Rows of the data tables for one evaluated assessment: ikm, assessment, evidence, outcome, trace steps.

`input_json` is the assessment as canonical JSON (sorted keys, numbers exactly as written), so that
`ovop verify` can evaluate it again and `input_hash` (its sha256, 32 bytes) pins it.
"""
from __future__ import annotations

import hashlib
import re
from fractions import Fraction
from functools import lru_cache
from typing import Any

import msgspec

from .. import __version__
from ..decide import plain_float
from ..rules import fmt
from .rules import dumps


def sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(text: str | bytes) -> bytes:
    """The 32 bytes of sha256(text) (bytes: its UTF-8 already), as assessments.input_hash stores them (a BLOB,
    not 71 characters)."""
    return hashlib.sha256(text if text.__class__ is bytes else text.encode("utf-8")).digest()


def digest_text(value: Any) -> Any:
    """A stored input_hash as the text `sha256` gives ("sha256:" and 64 hex digits); anything else as it is."""
    return "sha256:" + bytes(value).hex() if isinstance(value, (bytes, memoryview)) else value


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
    return _dumps_raw(data)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def ikm_id(ikm) -> str:
    """A stable id for a firm: the same name, province and regency (case and spacing aside) in every round."""
    return ikm_key(ikm.name, ikm.province, ikm.regency)


def ikm_key(name: str, province: str, regency: str) -> str:
    digest = hashlib.sha256((_norm(name) + "\x1f" + _place(province) + "\x1f" + _place(regency)).encode()).hexdigest()
    return "ikm-" + digest[:12]


@lru_cache(maxsize=4096)
def _place(text: str) -> str:
    """`_norm` of a province or regency (a few hundred of them, each worked out once)."""
    return _norm(text)


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
            "input_json": input_json, "input_hash": digest(input_json)}


def canonical_dict(d: dict) -> str:
    """An assessment given as a dict (generated in process, or read by the population reader) as canonical JSON,
    floats as their shortest text."""
    return canonical_bytes(d).decode("utf-8")


def canonical_bytes(d: dict, plain: bool = False) -> bytes:
    """canonical_dict's text as UTF-8. `plain`: the caller knows every float to be one repr writes without an
    exponent (engine.inputs.scan.Record.plain).

    msgspec's encoder with sorted keys writes the same text as `dumps` (sorted keys, no spaces, UTF-8 kept,
    floats as repr, integers of any size) when every float is one repr writes without an exponent
    (1e-4 <= |x| < 1e16, or 0): tests/test_publish_lines.py compares both; anything else goes the careful way
    below. (orjson writes the same, but sorting keys took it 6.7 µs a record of 2024, msgspec 4.3.)"""
    if plain or _plain_floats(d):
        return _SORTED_JSON(d)
    return canonical_careful(d).encode("utf-8")


_SORTED_JSON = msgspec.json.Encoder(order="sorted").encode


def canonical_typed(r) -> bytes:
    """canonical_bytes of a typed record whose floats are plain: its Struct written with its fields sorted and
    those left unset left out, the bytes of its dict's (tests/test_publish_lines.py)."""
    return _SORTED_JSON(r)


def _plain_floats(d: dict) -> bool:
    """Every float of the gates and evidence one that repr writes without an exponent."""
    for section in ("gates", "evidence"):
        for v in (d.get(section) or {}).values():
            if v.__class__ is float and not plain_float(v):
                return False
    return True


def canonical_careful(d: dict) -> str:
    """canonical_dict the slow way: floats that repr writes with an exponent written as exact decimals."""
    out = dict(d)
    for section in ("gates", "evidence"):
        values = d.get(section) or {}
        if any(isinstance(v, float) and "e" in repr(v) for v in values.values()):
            out[section] = {k: _Raw(_float_text(v)) if isinstance(v, float) and "e" in repr(v) else v
                            for k, v in values.items()}
    if not any(isinstance(v, _Raw) for section in ("gates", "evidence") for v in out.get(section, {}).values()):
        return dumps(out)
    return _dumps_raw(out)


def _dumps_raw(data: dict) -> str:
    """Canonical JSON in which every _Raw value is written as the number text it holds."""
    raws: list[str] = []

    def swap(node):
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, _Raw):
            raws.append(str(node))
            return f"\x00{len(raws) - 1}\x00"
        return node
    return re.sub(r'"\\u0000(\d+)\\u0000"', lambda m: raws[int(m.group(1))], dumps(swap(data)))


def _float_text(v: float) -> str:
    text = fmt(Fraction(repr(v)))
    return text if "." in text else text + ".0"


def dict_assessment_row(d: dict, input_json: str | bytes, ikm: str) -> tuple:
    """assessment_row of a dict input, as a tuple in schema order."""
    i, prev, e = d["ikm"], d.get("previous"), d["edition"]
    return (f"{e}/{d['id']}", e, d["id"], ikm, i["commodity"], f"{e}/{i['commodity']}", i["product"], i["province"],
            i["regency"], prev["edition"] if prev else None, prev["stars"] if prev else None, None,
            input_json, digest(input_json))


def typed_assessment_row(r, input_json: bytes, ikm: str, source_file: int | None) -> tuple:
    """dict_assessment_row of a typed record (engine.inputs.typed), its source file's id given."""
    i, prev, e = r.ikm, r.previous, r.edition
    return (f"{e}/{r.id}", e, r.id, ikm, i.commodity, f"{e}/{i.commodity}", i.product, i.province, i.regency,
            prev.edition if prev else None, prev.stars if prev else None, source_file, input_json, digest(input_json))


def outcome_row(a, o, n: int) -> dict[str, Any]:
    """The outcome's row (durable path); engine.publish.batch writes the same from the batch columns."""
    e, key = o.edition, key_of(o.edition, o.id)
    applied = next((s["cap"] for s in o.trace if s["kind"] == "cap" and s["applied"]), None)
    prev = a.previous
    return {"key": key, "n": n, "assessment": key, "edition": e, "id": o.id, "ikm": ikm_id(a.ikm),
            "ikm_name": a.ikm.name, "commodity": a.ikm.commodity, "province": a.ikm.province,
            "regency": a.ikm.regency, "status": o.status, "stars": o.stars, "band_stars": o.band_stars,
            "capped": int(o.capped), "score": o.score, "gates_failed": dumps(o.gates_failed), "pembina": o.pembina,
            "label_kemasan": int(o.label_kemasan), "kandidat_go_global": int(o.kandidat_go_global),
            "movement": o.movement, "previous_edition": prev.edition if prev else None,
            "previous_stars": prev.stars if prev else None,
            "band_key": f"{e}/band/{o.band_stars}" if o.band_stars else None,
            "cap_key": f"{e}/cap/{applied}" if applied else None, "engine_version": __version__}

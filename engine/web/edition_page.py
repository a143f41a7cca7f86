"""The data of an edition's page, in the words a reader uses: enum levels by their labels (code in
brackets), conditions on `x` with the evidence named once, gates as "must be yes" or a condition,
which commodities they apply to, caps with the answers they require by label. Each text is a pair
(Indonesian, English); the page shows one language at a time."""
from __future__ import annotations

import json
import re

YES = {"true": ("ya", "yes"), "false": ("tidak", "no")}


def _x(condition: str, name: str) -> str:
    """A condition written on x, as in the rule file (the database spells out the evidence name)."""
    return re.sub(rf"\b{re.escape(name)}\b", "x", condition or "")


def _bare(requires) -> str:
    """A gate's condition without its x: ">= 5"."""
    return re.sub(r"^x\s*", "", str(requires))


def _n(value) -> str:
    """A bound as written: 100, not 100.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _labels(codes_json: str | None) -> dict[str, tuple[str, str]]:
    return {c["code"]: (c["label_id"], c["label_en"]) for c in json.loads(codes_json or "[]")}


def _said(codes: list[str], labels: dict, i: int, joiner: tuple[str, str]) -> str:
    return f" {joiner[i]} ".join(f"{labels[c][i]} ({c})" if c in labels else c for c in codes)


def criterion(c: dict) -> dict:
    labels = _labels(c["codes"])
    for lv in c["levels"]:
        codes = json.loads(lv["codes"]) if lv.get("codes") else None
        if codes:
            lv["said"] = tuple(_said(codes, labels, i, ("atau", "or")) for i in (0, 1))
        else:
            lv["said"] = (_x(lv["condition"], c["evidence"]),) * 2
    span = [("≥ " + _n(c["min"])) if c["min"] is not None else "", ("≤ " + _n(c["max"])) if c["max"] is not None else ""]
    kind = {"number": ("angka", "number"), "integer": ("bilangan bulat", "whole number"), "enum": ("pilihan", "choice")}
    c["kind"] = kind.get(c["type"], (c["type"], c["type"]))
    c["range"] = ", ".join(s for s in span if s)
    c["choices"] = [(code, lab) for code, lab in labels.items()]
    return c


def gate(g: dict, commodities: dict) -> dict:
    req = str(g["requires"]).lower()
    g["must"] = (f"harus {YES[req][0]}", f"must be {YES[req][1]}") if req in YES else \
        tuple(f"{w} {_bare(g['requires'])}" for w in ("harus", "must be"))
    if g["applies_to"] in (None, "all"):
        g["where"] = ("semua komoditas", "all commodities")
    else:
        codes = json.loads(g["applies_to"]) if g["applies_to"].startswith("[") else [g["applies_to"]]
        g["where"] = tuple(", ".join(commodities.get(c, (c, c))[i] for c in codes) for i in (0, 1))
    return g


def cap(c: dict, evidence_labels: dict) -> dict:
    parts = []
    for r in json.loads(c["requires_json"] or "[]"):
        name, codes = r.get("evidence"), r.get("in") or []
        ev, labels = evidence_labels.get(name, ((name, name), {}))
        parts.append(tuple(f"{ev[i]}: {_said(codes, labels, i, ('atau', 'or'))}" for i in (0, 1)))
    c["unless"] = tuple("; ".join(p[i] for p in parts) or c["requires"] for i in (0, 1))
    return c


def page(data: dict) -> dict:
    """The edition page's blocks from the rows of its tables (`ovop_site._edition`)."""
    commodities = {c["code"]: (c["label_id"], c["label_en"]) for c in data["commodities"]}
    criteria = [criterion(c) for c in data["criteria"]]
    evidence_labels = {c["evidence"]: ((c["evidence_label_id"] or c["label_id"], c["evidence_label_en"] or c["label_en"]),
                                       _labels(c["codes"])) for c in criteria}
    groups = {g["id"]: g for g in data["groups"]}
    for c in criteria:
        c["group_said"] = (groups[c["group"]]["label_id"], groups[c["group"]]["label_en"]) if c["group"] in groups else \
            (c["group"], c["group"])
    for b in data["bands"]:
        b["min_said"] = _n(b["min_score"])
    return dict(data, criteria=criteria, gates=[gate(g, commodities) for g in data["gates"]],
                caps=[cap(c, evidence_labels) for c in data["caps"]])

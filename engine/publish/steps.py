"""Compact trace rows: one `rules` row per rule a trace step can name (its provenance and labels once), and
per step only the values it read and decided.

A trace step row is (outcome, step, rule, value, result, points): `outcome` is the outcome's integer `n`,
`rule` the integer id of a `rules` row. Both evaluation paths build the same rows: `durable_rows` from an
Outcome's trace (engine.decide.evaluate), engine.publish.batch from the batch columns. What each kind stores:

    gate         value: the fact as stated        result: pass / fail
    criterion    value: the evidence value        points: the level's points (the rule names the level)
    subtotal     points: the group's points
    score        value: the exact score (p/q)     result: the score rounded half-up to 2 decimals
    band         (the rule names the band: band/3, band/none)
    cap          result: requirements_not_met (applied) / requirements_met / band_within_cap
    consequence  value: what follows (pembina level, true/false, naik/tetap/turun)
"""
from __future__ import annotations

from typing import Any, Iterator

from ..decide import Compiled, number, provenance
from .rows import text

RULE_TABLES = {"gate": ("gates", "gate_key"), "criterion": ("levels", "level_key"), "subtotal": ("groups", "group_key"),
               "band": ("bands", "band_key"), "cap": ("caps", "cap_key"), "consequence": ("consequences", "consequence_key")}


def value_text(value: Any) -> str | None:
    """A value as a trace step row shows it: the trace's number, as text."""
    return text(number(value))


class RuleIds:
    """The `rules` rows of every compiled edition and the integer id of each (edition, rule name)."""

    def __init__(self, compiled: list[Compiled], known_keys: set[str]):
        self.rows: list[dict[str, Any]] = []
        self.ids: dict[str, int] = {}
        for c in sorted(compiled, key=lambda c: c.id):
            for rule, kind, subject, max_points, prov in _rules_of(c):
                key = f"{c.id}/{rule}"
                self.ids[key] = len(self.rows) + 1
                self.rows.append(_row(len(self.rows) + 1, key, c.id, rule, kind, subject, max_points, prov, known_keys))

    def id(self, edition: str, rule: str) -> int:
        return self.ids[f"{edition}/{rule}"]


def _row(ident, key, edition, rule, kind, subject, max_points, prov, known: set[str]) -> dict[str, Any]:
    row = {"id": ident, "key": key, "edition": edition, "kind": kind, "rule": rule, "subject": subject,
           "max_points": max_points, "provenance_status": prov["status"], "source_url": prov.get("url"),
           "rule_key": key if key in known else None, "criterion_key": None}
    for k, (_, column) in RULE_TABLES.items():
        row[column] = key if kind == k and key in known else None
    if kind == "criterion":
        row["criterion_key"] = key.rsplit("/", 1)[0]
    return row


def _rules_of(c: Compiled) -> Iterator[tuple[str, str, str | None, int | None, dict]]:
    ed = c.edition
    for g in c.gates:
        yield f"gate/{g.fact}", "gate", g.fact, None, provenance(ed, g.model.provenance)
    for cr in c.criteria:
        for lv in cr.levels:
            yield lv.rule, "criterion", cr.id, cr.max_points, provenance(ed, lv.provenance)
    for g in ed.groups:
        yield f"group/{g.id}", "subtotal", f"group {g.id}", g.max_points, provenance(ed, g.provenance)
    yield "score", "score", "score", None, provenance(ed, ed.score.provenance)
    for b in sorted(ed.bands, key=lambda b: -b.stars):
        yield f"band/{b.stars}", "band", "band", None, provenance(ed, b.provenance)
    yield "band/none", "band", "band", None, provenance(ed, ed.bands[-1].provenance)
    for cap in c.caps:
        yield f"cap/{cap.id}", "cap", cap.id, None, provenance(ed, cap.model.provenance)
    cons = ed.consequences
    if cons.pembina:
        for m in cons.pembina:
            yield f"consequence/pembina/{m.value}", "consequence", "pembina", None, provenance(ed, m.provenance)
        yield "consequence/pembina", "consequence", "pembina", None, provenance(ed, cons.pembina[-1].provenance)
    for name in ("label_kemasan", "kandidat_go_global"):
        th = getattr(cons, name)
        if th is not None:
            yield f"consequence/{name}", "consequence", name, None, provenance(ed, th.provenance)
    if cons.movement is not None:
        yield "consequence/movement", "consequence", "movement", None, provenance(ed, cons.movement.provenance)


def step_values(s: dict) -> tuple[str | None, str | None, int | None]:
    """(value, result, points) of one durable trace step."""
    kind = s["kind"]
    if kind == "gate":
        return text(s["actual"]), s["result"], None
    if kind == "criterion":
        return text(s["value"]), None, s["points"]
    if kind == "subtotal":
        return None, None, s["points"]
    if kind == "score":
        return s["exact"], text(s["score"]), None
    if kind == "band":
        return None, None, None
    if kind == "cap":
        return None, s["reason"], None
    return text(s["value"]), None, None


def durable_rows(outcome, n: int, ids: RuleIds) -> list[tuple]:
    """The trace step rows of a durable-path Outcome, as the batch path writes them."""
    e = outcome.edition
    return [(n, s["step"], ids.id(e, s["rule"]), *step_values(s)) for s in outcome.trace]

"""GoRules ZEN decision graphs (JSON decision models) generated from a Compiled rule set, for the benchmark.

The graph: input -> one decision table per criterion (level points; first hit) -> an expression node
(eligibility from the gates, the score as the exact integer N of batch_plan, cap conditions) -> a
decision table for the band (N >= the least N of each band) -> an expression node for caps and
status -> output. Thresholds are the batch plan's integer constants, so ZEN compares integers only;
level boundaries are decimal literals, and ZEN's numbers are decimals (no binary floats).
"""
from __future__ import annotations

import json

from engine.batch.plan import Plan
from engine.rules.conditions import Interval, fmt


def unary(iv: Interval) -> str:
    if iv.lo is not None and iv.lo == iv.hi:
        return fmt(iv.lo)
    if iv.lo is not None and iv.hi is not None:
        return f"{'[' if iv.lo_closed else '('}{fmt(iv.lo)}..{fmt(iv.hi)}{']' if iv.hi_closed else ')'}"
    if iv.lo is not None:
        return f"{'>=' if iv.lo_closed else '>'} {fmt(iv.lo)}"
    return f"{'<=' if iv.hi_closed else '<'} {fmt(iv.hi)}"


def within(name: str, iv: Interval) -> str:
    """An interval as a ZEN expression on `name`."""
    sides = []
    if iv.lo is not None:
        sides.append(f"{name} {'>=' if iv.lo_closed else '>'} {fmt(iv.lo)}")
    if iv.hi is not None:
        sides.append(f"{name} {'<=' if iv.hi_closed else '<'} {fmt(iv.hi)}")
    return "(" + (" and ".join(sides) or "true") + ")"


def codes(cs) -> str:
    return ", ".join(json.dumps(code) for code in cs)


def node(nid: str, kind: str, content: dict | None = None) -> dict:
    out = {"id": nid, "type": kind, "name": nid, "position": {"x": 0, "y": 0}}
    if content is not None:
        out["content"] = content
    return out


def table(rules: list[dict], inputs: list[dict], outputs: list[dict]) -> dict:
    return {"hitPolicy": "first", "rules": rules, "inputs": inputs, "outputs": outputs, "passThrough": True,
            "inputField": None, "outputPath": None, "executionMode": "single"}


def criterion_table(plan: Plan, j: int) -> dict:
    cr = plan.criteria[j]
    coef = plan.coef_points[j].tolist()
    rules = [{"_id": f"r{k}", "x": unary(lv.interval) if lv.interval is not None else codes(lv.codes), "p": str(coef[k])}
             for k, lv in enumerate(cr.levels)]
    return table(rules, [{"id": "x", "name": cr.evidence, "field": f"evidence.{cr.evidence}"}],
                 [{"id": "p", "name": "points", "field": f"pts.c{j}"}])


def gate_test(g) -> str:
    test = f"gates.{g.fact} == {'true' if g.requires else 'false'}" if isinstance(g.requires, bool) else \
        within(f"gates.{g.fact}", g.requires)
    if g.applies_to is None:
        return f"({test})"
    return f"(not (ikm.commodity in [{codes(sorted(g.applies_to))}]) or {test})"


def cap_test(r) -> str:
    if r.codes is not None:
        return f"(evidence.{r.evidence} in [{codes(r.codes)}])"
    return within(f"evidence.{r.evidence}", r.interval)


def graph(plan: Plan) -> dict:
    nodes, edges = [node("in", "inputNode")], []
    score_terms = " + ".join(f"pts.c{j}" for j in range(len(plan.criteria))) or "0"
    expressions = [{"id": "e", "key": "eligible", "value": " and ".join(gate_test(g) for g in plan.c.gates) or "true"},
                   {"id": "n", "key": "n", "value": score_terms}]
    for k, (cap, _) in enumerate(plan.caps):
        expressions.append({"id": f"m{k}", "key": f"capmet.k{k}", "value": " and ".join(cap_test(r) for r in cap.requires)})
    nodes.append(node("score", "expressionNode", {"expressions": expressions, "passThrough": True,
                                                   "inputField": None, "outputPath": None, "executionMode": "single"}))
    for j in range(len(plan.criteria)):
        nodes.append(node(f"c{j}", "decisionTableNode", criterion_table(plan, j)))
        edges += [edge("in", f"c{j}"), edge(f"c{j}", "score")]
    band_rules = [{"_id": "inel", "el": "false", "n": "", "b": "0"}]
    band_rules += [{"_id": f"b{s}", "el": "", "n": f">= {need}", "b": str(s)} for s, need in plan.band_need]
    band_rules.append({"_id": "none", "el": "", "n": "", "b": "0"})
    nodes.append(node("band", "decisionTableNode", table(
        band_rules, [{"id": "el", "name": "eligible", "field": "eligible"}, {"id": "n", "name": "n", "field": "n"}],
        [{"id": "b", "name": "band", "field": "band"}])))
    nodes.append(node("stars", "expressionNode", {"expressions": star_expressions(plan), "passThrough": False,
                                                   "inputField": None, "outputPath": None, "executionMode": "single"}))
    nodes.append(node("out", "outputNode"))
    edges += [edge("score", "band"), edge("band", "stars"), edge("stars", "out")]
    return {"nodes": nodes, "edges": edges}


def star_expressions(plan: Plan) -> list[dict]:
    out, current = [], "band"
    for k, (cap, need) in enumerate(plan.caps):
        if need is None:
            continue
        value = f"(band > 0 and n >= {need} and not capmet.k{k}) ? min([{current}, {cap.max_stars}]) : {current}"
        out.append({"id": f"s{k}", "key": f"s{k}", "value": value})
        current = f"$.s{k}"
    out.append({"id": "st", "key": "stars", "value": current})
    out.append({"id": "bs", "key": "band_stars", "value": "band"})
    out.append({"id": "status", "key": "status",
                "value": 'eligible ? ($.stars > 0 ? "awarded" : "not_awarded") : "ineligible"'})
    return out


def edge(a: str, b: str) -> dict:
    return {"id": f"{a}-{b}", "sourceId": a, "targetId": b, "type": "edge"}

"""What it takes to reach the next star: the fewest level steps, then the fewest criteria.

Read from the compiled rule set (the same objects the engine runs). Every criterion of a group
gains the same score per level step (w_g / max_g, or 1 / max for points over max), so the fewest
steps come from the groups with the largest gain per step; within equal gains, criteria with more
room are raised first (fewest criteria). Caps that would hold the target back force the raises
their conditions need first.
"""
from __future__ import annotations

from fractions import Fraction

from ..rules import fmt
from .outcome import number, round_half_up


def compute(c, a, outcome, levels, score: Fraction):
    if outcome.status == "ineligible":
        return {"target": "eligible", "gates": [
            {"fact": s["fact"], "actual": s["actual"], "required": s["required"]}
            for s in outcome.trace if s["kind"] == "gate" and s["result"] == "fail"]}
    top = max(s for s, _ in c.bands)
    target = (outcome.stars or 0) + 1
    if target > top:
        return None
    current = {cr.id: lv for cr, lv in levels}
    plan = _forced(c, a, current, target)
    if plan is None:
        return {"target_stars": target, "reachable": False, "changes": []}
    needed = c.threshold(target) if c.threshold(target) is not None else Fraction(0)
    plan = _fill(c, current, plan, needed, score)
    if plan is None:
        return {"target_stars": target, "reachable": False, "changes": []}
    return _report(c, a, current, plan, score, target)


def _gains(c) -> dict[str, Fraction]:
    """Score gained per point of each criterion (cached on the compiled edition)."""
    gains = getattr(c, "_gains", None)
    if gains is None:
        maxima = {g.id: g.max_points for g in c.edition.groups}
        flat = Fraction(100, sum(maxima.values()))
        gains = {cr.id: (100 * c.weights[cr.group] / maxima[cr.group] if c.weights else flat) for cr in c.criteria}
        c._gains = gains
    return gains


def _forced(c, a, current, target) -> dict | None:
    """Raises that caps force for `target` stars: {criterion id: level index}, or None if impossible."""
    plan: dict[str, int] = {}
    for cap in c.caps:
        if cap.max_stars >= target:
            continue
        for r in cap.requires:
            if r.holds(a.evidence[r.evidence]):
                continue
            cr = next(x for x in c.criteria if x.evidence == r.evidence)
            ok = [lv for lv in cr.levels if lv.index > current[cr.id].index and _level_can_hold(lv, r)]
            if not ok:
                return None
            plan[cr.id] = max(plan.get(cr.id, 0), ok[0].index)
    return plan


def _level_can_hold(lv, r) -> bool:
    if lv.codes is not None and r.codes is not None:
        return any(code in r.codes for code in lv.codes)
    if lv.interval is not None and r.interval is not None:
        return not lv.interval.intersect(r.interval).is_empty()
    return False


def _delta(c, current, plan) -> Fraction:
    """Score added by raising the criteria of `plan` from their current levels."""
    gains = _gains(c)
    return sum((gains[cid] * (c_levels[idx - 1].points - current[cid].points)
                for cid, idx in plan.items() for c_levels in [_levels_of(c, cid)]), Fraction(0))


def _levels_of(c, cid):
    return next(cr.levels for cr in c.criteria if cr.id == cid)


def _fill(c, current, plan, needed, score) -> dict | None:
    plan, gains = dict(plan), _gains(c)
    reached = score + _delta(c, current, plan)
    candidates = sorted(c.criteria, key=lambda cr: (-gains[cr.id], cr.id not in plan,
                                                    -(len(cr.levels) - plan.get(cr.id, current[cr.id].index)),
                                                    c.criteria.index(cr)))
    for cr in candidates:
        while reached < needed and plan.get(cr.id, current[cr.id].index) < len(cr.levels):
            at = plan.get(cr.id, current[cr.id].index)
            reached += gains[cr.id] * (cr.levels[at].points - cr.levels[at - 1].points)
            plan[cr.id] = at + 1
    return plan if reached >= needed else None


def _report(c, a, current, plan, score, target) -> dict:
    changes = []
    for cr in c.criteria:
        if cr.id not in plan or plan[cr.id] == current[cr.id].index:
            continue
        lv = cr.levels[plan[cr.id] - 1]
        changes.append({"criterion": cr.id, "evidence": cr.evidence, "from": number(a.evidence[cr.evidence]),
                        "to": _target_value(cr, lv, a), "from_level": current[cr.id].index, "to_level": lv.index,
                        "condition": lv.condition(cr.evidence), "points_gained": lv.points - current[cr.id].points})
    after = score + _delta(c, current, plan)
    return {"target_stars": target, "reachable": True, "steps": sum(ch["to_level"] - ch["from_level"] for ch in changes),
            "changes": changes, "score_after": round_half_up(after), "threshold": number(c.threshold(target))}


def _target_value(cr, lv, a):
    if lv.codes is not None:
        return lv.codes[0]
    iv = lv.interval.intersect(cr.domain) if cr.domain is not None else lv.interval
    value = iv.nearest(cr.type == "integer")
    return number(Fraction(fmt(value)) if cr.type != "integer" else value)

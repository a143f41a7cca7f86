"""What it takes to reach the next star: the fewest level steps, then the fewest criteria.

Read from the compiled rule set (the same objects the engine runs). Every criterion of a group
gains the same score per level step (w_g / max_g, or 1 / max for points over max), so the fewest
steps come from the groups with the largest gain per step; within equal gains, criteria with more
room are raised first (fewest criteria). Caps that would hold the target back force the raises
their conditions need first.
"""
from __future__ import annotations

import math
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
    candidates = sorted(enumerate(c.criteria), key=lambda ic: (-gains[ic[1].id], ic[1].id not in plan,
                                                                -(len(ic[1].levels) - plan.get(ic[1].id, current[ic[1].id].index)),
                                                                ic[0]))
    for _, cr in candidates:
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


# ---- ranked ways (the explanation, the page and the evaluate API; not an outcome field) ----

RANKING_RULE = {
    "id": "diurutkan menurut jumlah jawaban yang berubah (paling sedikit dulu), lalu seberapa jauh jawaban itu "
          "bergeser (bagian dari rentang jawaban; untuk angka tanpa batas atas, perubahan relatif)",
    "en": "ranked by how many answers change (fewest first), then by how far they move (the share of the "
          "answer's range; for numbers without an upper bound, the change relative to the larger value)",
}


def ranked(c, a, outcome, limit: int = 3) -> dict | None:
    """Up to `limit` distinct minimal ways to the next star, ranked by RANKING_RULE; for an ineligible
    firm, the failed gates and what it would get once they are fixed."""
    at = {s["criterion"]: s["level"] for s in outcome.trace if s["kind"] == "criterion"}
    current = {cr.id: cr.levels[at[cr.id] - 1] for cr in c.criteria}
    exact = next((s["exact"] for s in outcome.trace if s["kind"] == "score"), None)
    score = Fraction(exact) if exact is not None else _score_of(c, current)
    if outcome.status == "ineligible":
        band = c.band_for(score)
        stars = _capped(c, a, band)
        return {"target": "eligible", "gates": outcome.what_it_takes["gates"],
                "then": {"score": round_half_up(score), "band_stars": band, "stars": stars}}
    target = (outcome.stars or 0) + 1
    if target > max(s for s, _ in c.bands):
        return None
    forced = _forced(c, a, current, target)
    out = {"target_stars": target, "threshold": number(c.threshold(target)), "ways": []}
    if forced is None:
        return out
    needed = c.threshold(target) - score
    gains = _gains(c)
    options = _options(c, a, current, gains, forced)
    scale = math.lcm(needed.denominator, *(r[1].denominator for rs in options.values() for r in rs))
    ints = {cid: [(i, int(g * scale), d, float(d)) for i, g, d in rs] for cid, rs in options.items()}
    for way in _search(ints, forced, int(needed * scale) if needed > 0 else 0, limit):
        out["ways"].append(_way(c, a, current, way, score, Fraction(1, scale)))
    greedy = outcome.what_it_takes
    if not out["ways"] and greedy and greedy.get("reachable"):  # more than MAX_ANSWERS answers: the one path
        out["ways"].append({"answers": len(greedy["changes"]), "distance": None, "changes": greedy["changes"],
                            "score_after": greedy["score_after"]})
    return out


def _score_of(c, current) -> Fraction:
    gains = _gains(c)
    return sum((gains[cid] * lv.points for cid, lv in current.items()), Fraction(0))


def _capped(c, a, band):
    if not band:
        return None
    caps = [cap.max_stars for cap in c.caps if cap.max_stars < band
            and not all(r.holds(a.evidence[r.evidence]) for r in cap.requires)]
    return min([band] + caps)


def _options(c, a, current, gains, forced) -> dict[str, list[tuple]]:
    """Per criterion, its raises: (level index, score gained, distance moved), lowest level first."""
    out = {}
    cache = c.__dict__.setdefault("_distances", {})
    for cr in c.criteria:
        now = current[cr.id]
        low = forced.get(cr.id, now.index + 1)
        raises = []
        for lv in cr.levels[low - 1:]:
            if lv.points <= now.points:
                continue
            gain = gains[cr.id] * (lv.points - now.points)
            raises.append((lv.index, gain, _distance(cache, cr, a.evidence[cr.evidence], lv)))
        if raises:
            out[cr.id] = raises
    return out


def _distance(cache: dict, cr, value, lv) -> Fraction:
    """Cached on the compiled edition (`cache`), by criterion, answer and level."""
    key = (cr.id, type(value).__name__, value, lv.index)
    hit = cache.get(key)
    if hit is None:
        if len(cache) > 100_000:
            cache.clear()
        hit = cache[key] = _distance_of(cr, value, lv)
    return hit


def _distance_of(cr, value, lv) -> Fraction:
    if lv.codes is not None:
        codes = [code for level in cr.levels for code in level.codes]
        return Fraction(abs(codes.index(lv.codes[0]) - codes.index(value)), max(len(codes) - 1, 1))
    iv = lv.interval.intersect(cr.domain) if cr.domain is not None else lv.interval
    to = iv.nearest(cr.type == "integer")
    now = Fraction(value) if not isinstance(value, float) else Fraction(repr(value))
    dom = cr.domain
    lo, hi = (getattr(dom, "lo", None), getattr(dom, "hi", None)) if dom is not None else (None, None)
    if lo is not None and hi is not None and hi > lo:
        return abs(to - now) / (hi - lo)
    big = max(abs(to), abs(now))
    return abs(to - now) / big if big else Fraction(0)


MAX_ANSWERS = 3  # beyond this many changed answers, the one greedy path (compute) stands alone


def _search(options, forced, needed, limit):
    """Minimal sets of raises reaching `needed`, fewest answers first, then least distance (branch and bound)."""
    base = [cid for cid in options if cid in forced]
    free = [cid for cid in options if cid not in forced]
    best = {cid: options[cid][-1][1] for cid in options}
    top = max(best.values(), default=0)
    found: list = []
    for k in range(0, min(len(free), MAX_ANSWERS) + 1):
        layer: list = []
        want = limit - len(found)
        for fixed in _choices(base, options):
            _dfs(free, 0, k, fixed, options, forced, needed, top, layer, want)
        layer.sort(key=_rank)
        found += layer[:want]
        if len(found) >= limit:
            break
    return found


def _rank(choice):
    return (sum(r[2] for _, r in choice), [cid for cid, _ in choice])


def _dfs(free, start, k, chosen, options, forced, needed, top, layer, want):
    gain = sum(r[1] for _, r in chosen)
    if k == 0:
        if _minimal(chosen, options, forced, needed):
            layer.append(list(chosen))
            if len(layer) > want:
                layer.sort(key=_rank)
                del layer[want:]
        return
    if gain + k * top < needed:
        return
    dist = sum(r[3] for _, r in chosen)
    bound = sum(r[3] for _, r in layer[-1]) if len(layer) >= want else None
    for i in range(start, len(free) - k + 1):
        cid = free[i]
        for r in options[cid]:
            if bound is not None and dist + r[3] > bound + 1e-9:
                continue
            _dfs(free, i + 1, k - 1, chosen + [(cid, r)], options, forced, needed, top, layer, want)


def _choices(cids, options):
    from itertools import product
    return [list(zip(cids, combo)) for combo in product(*(options[cid] for cid in cids))]


def _minimal(choice, options, forced, needed) -> bool:
    total = sum(r[1] for _, r in choice)
    if total < needed:
        return False
    for cid, r in choice:
        lower = [o for o in options[cid] if o[0] < r[0]]
        if lower and total - r[1] + lower[-1][1] >= needed:
            return False
        if not lower and cid not in forced and total - r[1] >= needed:
            return False
    return True


def _way(c, a, current, way, score, unit) -> dict:
    changes = []
    for cid, (idx, gain, dist, _) in way:
        cr = next(x for x in c.criteria if x.id == cid)
        lv = cr.levels[idx - 1]
        changes.append({"criterion": cid, "evidence": cr.evidence, "from": number(a.evidence[cr.evidence]),
                        "to": _target_value(cr, lv, a), "from_level": current[cid].index, "to_level": idx,
                        "condition": lv.condition(cr.evidence), "points_gained": lv.points - current[cid].points,
                        "distance": round_half_up(dist, 4)})
    after = score + unit * sum(r[1] for _, r in way)
    return {"answers": len(changes), "distance": round_half_up(sum((r[2] for _, r in way), Fraction(0)), 4),
            "changes": changes, "score_after": round_half_up(after)}

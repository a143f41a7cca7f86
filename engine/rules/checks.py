"""Static checks on resolved editions: what the models cannot see item by item.

Levels cover their evidence exactly once, points rise, totals agree, bands are ordered and every
star can be reached, weights sum to exactly 1, names point at things that exist. Each problem is a
Diagnostic at the file line of the item (via Resolved.diagnostic).
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction

from ..errors import Diagnostic, did_you_mean
from .conditions import Interval, exact, fmt, gaps_and_overlaps
from .model import Criterion, Edition
from .resolve import KEYED, MERGED, Resolved, RuleSet

NUMERIC = ("number", "integer")


def check_ruleset(rules: RuleSet) -> list[Diagnostic]:
    """Every edition's checks plus the cross-edition ones; an inherited problem is reported once."""
    found: list[Diagnostic] = []
    for res in rules.editions.values():
        found += check_edition(res)
    found += check_shared_names(rules)
    return _once(found)


def _once(found: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in found:
        key = (d.file, d.line, d.col, d.path, d.message.split(": ", 1)[-1])
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def check_edition(res: Resolved) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in (_unique_ids, _criteria, _groups, _score, _bands, _reachable, _caps, _gates,
                  _consequences, _sources):
        out += check(res, res.model)
    return out


# ---- identity -------------------------------------------------------------------------------

def _unique_ids(res: Resolved, ed: Edition) -> list[Diagnostic]:
    out = []
    for section, idkey in KEYED.items():
        counts = Counter(getattr(item, idkey) for item in getattr(ed, section))
        for ident, n in counts.items():
            if n > 1:
                out.append(res.diagnostic((section, ident), (idkey,),
                                          f'{idkey} "{ident}" is used {n} times in {section}', f"each {idkey} once"))
    for group in ed.groups:
        for aspect, n in Counter(a.id for a in group.aspects).items():
            if n > 1:
                out.append(res.diagnostic(("groups", group.id), ("aspects",), f'aspect "{aspect}" is used {n} times'))
    return out


# ---- criteria -------------------------------------------------------------------------------

def _criteria(res: Resolved, ed: Edition) -> list[Diagnostic]:
    out = []
    for c in ed.criteria:
        key = ("criteria", c.id)
        out += _group_of(res, ed, c)
        out += _numeric(res, c) if c.evidence.type in NUMERIC else _enum(res, c)
        for i in range(1, len(c.levels)):
            before, now = c.levels[i - 1].points, c.levels[i].points
            if now <= before:
                out.append(res.diagnostic(key, ("levels", i, "points"),
                                          f"points must rise from level to level: level {i + 1} has {now}, "
                                          f"level {i} has {before}", f"more than {before} points"))
    return out


def _group_of(res: Resolved, ed: Edition, c: Criterion) -> list[Diagnostic]:
    groups = {g.id: g for g in ed.groups}
    key = ("criteria", c.id)
    if c.group not in groups:
        return [res.diagnostic(key, ("group",), f'criterion {c.id} names group "{c.group}", which does not exist'
                               + did_you_mean(c.group, groups), ", ".join(groups))]
    aspects = [a.id for a in groups[c.group].aspects]
    if c.aspect is None and aspects:
        return [res.diagnostic(key, ("group",), f"criterion {c.id} names no aspect of group {c.group}", ", ".join(aspects))]
    if c.aspect is not None and c.aspect not in aspects:
        return [res.diagnostic(key, ("aspect",), f'criterion {c.id} names aspect "{c.aspect}", which group {c.group} '
                               "does not have" + did_you_mean(c.aspect, aspects), ", ".join(aspects) or "no aspect")]
    return []


def _numeric(res: Resolved, c: Criterion) -> list[Diagnostic]:
    key, ev = ("criteria", c.id), c.evidence
    integer = ev.type == "integer"
    if ev.codes is not None:
        return [res.diagnostic(key, ("evidence", "codes"), f"{ev.type} evidence has no codes",
                               "min and max; codes are for enum evidence")]
    if ev.min is not None and ev.max is not None and exact(ev.min) > exact(ev.max):
        return [res.diagnostic(key, ("evidence", "min"), f"evidence min {fmt(exact(ev.min))} is above max {fmt(exact(ev.max))}")]
    out, parts = [], []
    domain = Interval.domain(ev.min, ev.max)
    for i, level in enumerate(c.levels):
        if level.when is None:
            out.append(res.diagnostic(key, ("levels", i, "codes"), f"a level of {ev.type} evidence uses `when`, not `codes`",
                                      'a condition on x: "x < 80", "80 <= x < 100", "x = 100"'))
            continue
        iv = Interval.parse(level.when)
        if (iv.integral() if integer else iv).intersect(domain).is_empty():
            out.append(res.diagnostic(key, ("levels", i, "when"), f'level {i + 1} ("{level.when}") covers no value of '
                                      f"{ev.name} ({domain.text()})"))
        parts.append((i, iv))
    if len(parts) < len(c.levels):
        return out
    for found in gaps_and_overlaps(parts, domain, integer):
        if found[0] == "gap":
            out.append(res.diagnostic(key, ("levels",), f"gap: no level covers {found[1].text()}",
                                      f"levels that together cover {domain.text()} once"))
        else:
            _, a, b, both = found
            out.append(res.diagnostic(key, ("levels", b, "when"), f"overlap: levels {a + 1} and {b + 1} both cover "
                                      f"{both.text()}", "each value in exactly one level"))
    return out


def _enum(res: Resolved, c: Criterion) -> list[Diagnostic]:
    key, ev = ("criteria", c.id), c.evidence
    if not ev.codes:
        return [res.diagnostic(key, ("evidence",), "enum evidence needs `codes`", "codes: [{code: ..., label: ...}, ...]")]
    out = [res.diagnostic(key, ("evidence", bound), f"enum evidence has no {bound}", "codes")
           for bound in ("min", "max") if getattr(ev, bound) is not None]
    codes = [e.code for e in ev.codes]
    out += [res.diagnostic(key, ("evidence", "codes"), f'enum code "{code}" is listed {n} times', "each code once")
            for code, n in Counter(codes).items() if n > 1]
    used: dict[str, int] = {}
    for i, level in enumerate(c.levels):
        if level.codes is None:
            out.append(res.diagnostic(key, ("levels", i, "when"), "a level of enum evidence uses `codes`, not `when`",
                                      ", ".join(codes)))
            continue
        for j, code in enumerate(level.codes):
            where = ("levels", i, "codes", j)
            if code not in codes:
                out.append(res.diagnostic(key, where, f'"{code}" is not a code of {ev.name}' + did_you_mean(code, codes),
                                          ", ".join(codes)))
            elif code in used:
                out.append(res.diagnostic(key, where, f'overlap: code "{code}" is in levels {used[code] + 1} and {i + 1}',
                                          "each code in exactly one level"))
            else:
                used[code] = i
    missing = [code for code in codes if code not in used]
    if missing and all(level.codes is not None for level in c.levels):
        out.append(res.diagnostic(key, ("levels",), "gap: no level covers " + ", ".join(f'"{m}"' for m in missing),
                                  "every code of the evidence in exactly one level"))
    return out


# ---- groups and score -----------------------------------------------------------------------

def _top(c: Criterion) -> int:
    return max(level.points for level in c.levels)


def _groups(res: Resolved, ed: Edition) -> list[Diagnostic]:
    out = []
    for g in ed.groups:
        members = [c for c in ed.criteria if c.group == g.id]
        total = sum(_top(c) for c in members)
        if total != g.max_points:
            out.append(res.diagnostic(("groups", g.id), ("max_points",), f"group {g.id} says max_points {g.max_points}, "
                                      f"but its criteria's top levels add up to {total}", str(total)))
        for n, a in enumerate(g.aspects):
            total = sum(_top(c) for c in members if c.aspect == a.id)
            if total != a.max_points:
                out.append(res.diagnostic(("groups", g.id), ("aspects", n, "max_points"),
                                          f"aspect {a.id} of group {g.id} says max_points {a.max_points}, but its "
                                          f"criteria's top levels add up to {total}", str(total)))
    return out


def _score(res: Resolved, ed: Edition) -> list[Diagnostic]:
    key, weights = ("score",), ed.score.weights
    if ed.score.method == "points_over_max":
        return [] if weights is None else [res.diagnostic(key, ("weights",), "points_over_max takes no weights",
                                                          "method: weighted, or no weights")]
    if weights is None:
        return [res.diagnostic(key, ("method",), "a weighted score needs `weights`", "weights: {group id: weight}")]
    groups = [g.id for g in ed.groups]
    out = [res.diagnostic(key, ("weights", name), f'weight for "{name}", which is not a group' + did_you_mean(name, groups),
                          ", ".join(groups)) for name in weights if name not in groups]
    out += [res.diagnostic(key, ("weights",), f"no weight for group {g}", ", ".join(groups)) for g in groups if g not in weights]
    total = sum((exact(w) for w in weights.values()), Fraction(0))
    if total != 1:
        out.append(res.diagnostic(key, ("weights",), f"weights sum to {fmt(total)}, not 1 (checked exactly)",
                                  "weights that sum to exactly 1"))
    return out


def _bands(res: Resolved, ed: Edition) -> list[Diagnostic]:
    scale, out = ed.star_scale, []
    if scale.min > scale.max:
        out.append(res.diagnostic(("star_scale",), ("min",), f"star scale min {scale.min} is above max {scale.max}"))
    for i, band in enumerate(ed.bands):
        if not scale.min <= band.stars <= scale.max:
            out.append(res.diagnostic(("bands",), (i, "stars"), f"{band.stars} stars is outside the star scale",
                                      f"{scale.min} to {scale.max}"))
    for stars, n in Counter(b.stars for b in ed.bands).items():
        if n > 1:
            out.append(res.diagnostic(("bands",), (), f"{n} bands give {stars} stars", "one band per star"))
    ordered = sorted(enumerate(ed.bands), key=lambda p: p[1].stars)
    for (_, low), (j, high) in zip(ordered, ordered[1:]):
        if low.stars < high.stars and exact(high.min_score) <= exact(low.min_score):
            out.append(res.diagnostic(("bands",), (j, "min_score"), f"bands out of order: {high.stars} stars needs "
                                      f"min_score {fmt(exact(high.min_score))}, not above the {fmt(exact(low.min_score))} "
                                      f"of {low.stars} stars", f"more than {fmt(exact(low.min_score))}"))
    return out


# ---- reachability ---------------------------------------------------------------------------

def achievable_scores(ed: Edition) -> set[Fraction]:
    """Every score some assessment can get, exactly: totals by dynamic programming over criteria."""
    def totals(criteria):
        sums = {0}
        for c in criteria:
            sums = {s + level.points for s in sums for level in c.levels}
        return sums
    if ed.score.method == "points_over_max":
        top = ed.max_points()
        return {Fraction(100 * t, top) for t in totals(ed.criteria)} if top else set()
    scores = {Fraction(0)}
    for g in ed.groups:
        w = exact(ed.score.weights[g.id])
        part = {100 * w * Fraction(t, g.max_points) for t in totals([c for c in ed.criteria if c.group == g.id])}
        scores = {s + p for s in scores for p in part}
    return scores


def _reachable(res: Resolved, ed: Edition) -> list[Diagnostic]:
    if _bands(res, ed) or _score(res, ed):
        return []  # unordered bands or bad weights: reachability would only repeat the cause
    bands = sorted(((exact(b.min_score), b.stars, i) for i, b in enumerate(ed.bands)), reverse=True)
    scores = achievable_scores(ed)
    reached = {next((stars for low, stars, _ in bands if score >= low), None) for score in scores}
    out, lows = [], {stars: (low, i) for low, stars, i in bands}
    high = max(scores, default=Fraction(0))
    for stars in range(ed.star_scale.min, ed.star_scale.max + 1):
        if stars in reached:
            continue
        if stars not in lows:
            out.append(res.diagnostic(("bands",), (), f"no band gives {stars} stars, so {stars} stars can never be awarded",
                                      f"a band for every star from {ed.star_scale.min} to {ed.star_scale.max}"))
            continue
        low, i = lows[stars]
        out.append(res.diagnostic(("bands",), (i, "min_score"), f"{stars} stars can never be awarded: no achievable "
                                  f"score falls in its band (min_score {fmt(low)}; highest achievable score "
                                  f"{fmt(high)})", "thresholds that some combination of levels reaches"))
    return out


# ---- caps, gates, consequences --------------------------------------------------------------

def _caps(res: Resolved, ed: Edition) -> list[Diagnostic]:
    evidence = {c.evidence.name: c.evidence for c in ed.criteria}
    out = []
    for cap in ed.caps:
        key = ("caps", cap.id)
        if cap.max_stars >= ed.star_scale.max:
            out.append(res.diagnostic(key, ("max_stars",), f"max_stars {cap.max_stars} is not below the top of the star "
                                      f"scale ({ed.star_scale.max}), so the cap never limits anything",
                                      f"0 to {ed.star_scale.max - 1}"))
        for n, cond in enumerate(cap.requires):
            out += _cap_condition(res, key, ("requires", n), cond, evidence)
    return out


def _cap_condition(res: Resolved, key, where, cond, evidence) -> list[Diagnostic]:
    ev = evidence.get(cond.evidence)
    if ev is None:
        return [res.diagnostic(key, where + ("evidence",), f'"{cond.evidence}" is not the evidence of any criterion of '
                               "this edition" + did_you_mean(cond.evidence, evidence), ", ".join(evidence))]
    if ev.type in NUMERIC:
        return [] if cond.in_ is None else [res.diagnostic(key, where + ("in",), f"{cond.evidence} is {ev.type} "
                                                           "evidence: use `when`", 'a condition like "x >= 5"')]
    if cond.when is not None:
        return [res.diagnostic(key, where + ("when",), f"{cond.evidence} is enum evidence: use `in`", "in: [codes]")]
    codes = [e.code for e in ev.codes or []]
    return [res.diagnostic(key, where + ("in", j), f'"{code}" is not a code of {cond.evidence}' + did_you_mean(code, codes),
                           ", ".join(codes)) for j, code in enumerate(cond.in_) if code not in codes]


def _gates(res: Resolved, ed: Edition) -> list[Diagnostic]:
    commodities, out = [c.code for c in ed.commodities], []
    for gate in ed.gates:
        key = ("gates", gate.fact)
        if gate.applies_to != "all":
            out += [res.diagnostic(key, ("applies_to", j), f'"{code}" is not a commodity of this edition'
                                   + did_you_mean(code, commodities), ", ".join(commodities))
                    for j, code in enumerate(gate.applies_to) if code not in commodities]
        if gate.type == "boolean" and not isinstance(gate.requires, bool):
            out.append(res.diagnostic(key, ("requires",), "a boolean gate requires true or false", "true, false"))
        if gate.type in NUMERIC and isinstance(gate.requires, bool):
            out.append(res.diagnostic(key, ("requires",), f"a gate on {gate.type} fact {gate.fact} requires a condition",
                                      'a condition on x: "x >= 5"'))
    return out


def _consequences(res: Resolved, ed: Edition) -> list[Diagnostic]:
    scale, cons, out = ed.star_scale, ed.consequences, []
    items = [("pembina", (n, "min_stars"), m.min_stars) for n, m in enumerate(cons.pembina or [])]
    items += [(name, ("min_stars",), t.min_stars) for name in ("label_kemasan", "kandidat_go_global")
              if (t := getattr(cons, name)) is not None]
    for name, sub, stars in items:
        if not scale.min <= stars <= scale.max:
            out.append(res.diagnostic(("consequences", name), sub, f"min_stars {stars} is outside the star scale",
                                      f"{scale.min} to {scale.max}"))
    return out


def _sources(res: Resolved, ed: Edition) -> list[Diagnostic]:
    out = []
    for path, prov in _provenances(ed.model_dump(by_alias=True), ()):
        if prov.get("source") is not None and prov["source"] not in ed.sources:
            out.append(_at(res, ed, path + ("source",), f'source "{prov["source"]}" is not a key of sources'
                           + did_you_mean(prov["source"], ed.sources), ", ".join(ed.sources)))
    return out


def _provenances(node, path):
    if isinstance(node, dict):
        if isinstance(node.get("provenance"), dict):
            yield path + ("provenance",), node["provenance"]
        for k, v in node.items():
            yield from _provenances(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _provenances(v, path + (i,))


def _at(res: Resolved, ed: Edition, path: tuple, message: str, allowed: str | None) -> Diagnostic:
    """A diagnostic for a path in the resolved edition (list indexes of keyed sections become ids)."""
    section = path[0]
    if section in KEYED and len(path) > 1:
        ident = getattr(getattr(ed, section)[path[1]], KEYED[section])
        return res.diagnostic((section, ident), path[2:], message, allowed)
    if section in MERGED and len(path) > 1:
        return res.diagnostic((section, path[1]), path[2:], message, allowed)
    return res.diagnostic((section,), path[1:], message, allowed)


# ---- across editions ------------------------------------------------------------------------

def check_shared_names(rules: RuleSet) -> list[Diagnostic]:
    """An assessment's evidence and gate facts serve every edition: one name, one meaning."""
    seen: dict[tuple, tuple[str, str]] = {}
    out = []
    for res in rules.editions.values():
        things = [(("evidence", c.evidence.name), ("criteria", c.id), ("evidence",), _shape(c.evidence))
                  for c in res.model.criteria]
        things += [(("gate fact", g.fact), ("gates", g.fact), (), _shape(g)) for g in res.model.gates]
        for name, key, sub, shape in things:
            first = seen.setdefault(name, (res.id, shape))
            if first[1] != shape:
                out.append(res.diagnostic(key, sub, f'{name[0]} "{name[1]}" is {shape} here but {first[1]} in edition '
                                          f"{first[0]}; an assessment's values serve every edition", first[1]))
    return out


def _shape(item) -> str:
    codes = getattr(item, "codes", None)
    if codes:
        return "enum [" + ", ".join(e.code for e in codes) + "]"
    low = "-inf" if item.min is None else fmt(exact(item.min))
    high = "+inf" if item.max is None else fmt(exact(item.max))
    return item.type if item.type in ("enum", "boolean") else f"{item.type} {low}..{high}"

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
from .messages import t
from .model import Criterion, Edition
from . import fixes
from .enginelimits import check_engine_limits
from .reach import _bands, _reachable
from .resolve import KEYED, MERGED, Resolved, RuleSet

NUMERIC = ("number", "integer")
KINDS = {"evidence": t("kind_evidence"), "gate fact": t("kind_gate")}


def check_ruleset(rules: RuleSet) -> list[Diagnostic]:
    """Every edition's checks plus the cross-edition ones; an inherited problem is reported once."""
    found: list[Diagnostic] = []
    for res in rules.editions.values():
        found += check_edition(res)
    found += check_shared_names(rules)
    return _once(fixes.point_at_authors(rules, found))


def _once(found: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in found:
        key = (d.file, d.line, d.col, d.path, str(d.message).split(": ", 1)[-1])
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def check_edition(res: Resolved) -> list[Diagnostic]:
    """The checks of one edition; a check that reads a section which could not be read whole (its schema
    errors are reported) is left out, so that it does not report what is only a consequence."""
    out: list[Diagnostic] = []
    for check in (_unique_ids, _criteria, _groups, _score, _bands, _reachable, _caps, _gates,
                  _consequences, _sources, check_engine_limits):
        if not READS.get(check.__name__, set()) & res.broken:
            out += check(res, res.model)
    return out


READS = {"_groups": {"groups", "criteria"}, "_score": {"score"}, "_bands": {"bands", "star_scale"},
         "_caps": {"caps", "criteria", "star_scale"}, "_gates": {"gates", "commodities"},
         "_consequences": {"consequences", "star_scale"}, "_sources": {"sources"},
         "check_engine_limits": {"gates", "criteria", "caps", "bands"}}


# ---- identity -------------------------------------------------------------------------------

def _unique_ids(res: Resolved, ed: Edition) -> list[Diagnostic]:
    out = []
    for section, idkey in KEYED.items():
        counts = Counter(getattr(item, idkey) for item in getattr(ed, section))
        for ident, n in counts.items():
            if n > 1:
                out.append(res.diagnostic((section, ident), (idkey,),
                                          t("used_times", idkey=idkey, ident=ident, n=n, section=section),
                                          t("each_once", idkey=idkey)))
    for group in ed.groups:
        for aspect, n in Counter(a.id for a in group.aspects).items():
            if n > 1:
                out.append(res.diagnostic(("groups", group.id), ("aspects",), t("aspect_times", aspect=aspect, n=n),
                                          t("each_once", idkey="aspect")))
    return out


# ---- criteria -------------------------------------------------------------------------------

def _criteria(res: Resolved, ed: Edition) -> list[Diagnostic]:
    out = []
    for c in ed.criteria:
        key = ("criteria", c.id)
        out += [] if "groups" in res.broken else _group_of(res, ed, c)
        out += _numeric(res, c) if c.evidence.type in NUMERIC else _enum(res, c)
        for i in range(1, len(c.levels)):
            before, now = c.levels[i - 1].points, c.levels[i].points
            if now <= before:
                out.append(res.diagnostic(key, ("levels", i, "points"),
                                          t("points_rise", now_n=i + 1, now=now, before_n=i, before=before),
                                          t("more_than_points", before=before)))
    return out


def _group_of(res: Resolved, ed: Edition, c: Criterion) -> list[Diagnostic]:
    groups = {g.id: g for g in ed.groups}
    key = ("criteria", c.id)
    if c.group not in groups:
        return [res.diagnostic(key, ("group",), t("no_group", criterion=c.id, group=c.group, hint=did_you_mean(c.group, groups)), ", ".join(groups))]
    aspects = [a.id for a in groups[c.group].aspects]
    if c.aspect is None and aspects:
        return [res.diagnostic(key, ("group",), t("no_aspect_named", criterion=c.id, group=c.group), ", ".join(aspects))]
    if c.aspect is not None and c.aspect not in aspects:
        return [res.diagnostic(key, ("aspect",), t("no_aspect", criterion=c.id, aspect=c.aspect, group=c.group,
                                 hint=did_you_mean(c.aspect, aspects)), ", ".join(aspects) or t("no_aspect_ok"))]
    return []


def _numeric(res: Resolved, c: Criterion) -> list[Diagnostic]:
    key, ev = ("criteria", c.id), c.evidence
    integer = ev.type == "integer"
    if ev.codes is not None:
        return [res.diagnostic(key, ("evidence", "codes"), t("number_no_codes", type=ev.type),
                               t("number_no_codes_ok"))]
    if ev.min is not None and ev.max is not None and exact(ev.min) > exact(ev.max):
        return [res.diagnostic(key, ("evidence", "min"), t("min_above_max", low=fmt(exact(ev.min)), high=fmt(exact(ev.max))),
                               t("min_below_max_ok"))]
    out, parts = [], []
    domain = Interval.domain(ev.min, ev.max)
    for i, level in enumerate(c.levels):
        if level.when is None:
            out.append(res.diagnostic(key, ("levels", i, "codes"), t("uses_when", type=ev.type), t("want_condition")))
            continue
        iv = Interval.parse(level.when)
        if (iv.integral() if integer else iv).intersect(domain).is_empty():
            out.append(res.diagnostic(key, ("levels", i, "when"), t("level_covers_nothing", n=i + 1, when=level.when,
                                      evidence=ev.name, domain=domain.text()), t("level_covers_nothing_ok", domain=domain.text())))
        parts.append((i, iv))
    if len(parts) < len(c.levels):
        return out
    for found in gaps_and_overlaps(parts, domain, integer):
        if found[0] == "gap":
            out.append(res.diagnostic(key, ("levels",), t("gap", gap=found[1].text()), t("gap_ok", domain=domain.text())))
        else:
            _, a, b, both = found
            out.append(res.diagnostic(key, ("levels", b, "when"), t("overlap", a=a + 1, b=b + 1, both=both.text()),
                                      t("overlap_ok")))
    return out


def _enum(res: Resolved, c: Criterion) -> list[Diagnostic]:
    key, ev = ("criteria", c.id), c.evidence
    if not ev.codes:
        return [res.diagnostic(key, ("evidence",), t("enum_needs_codes"), t("enum_needs_codes_ok"))]
    out = [res.diagnostic(key, ("evidence", bound), t("enum_no_bound", bound=bound), "codes")
           for bound in ("min", "max") if getattr(ev, bound) is not None]
    codes = [e.code for e in ev.codes]
    out += [res.diagnostic(key, ("evidence", "codes"), t("code_listed", code=code, n=n), t("each_code_once"))
            for code, n in Counter(codes).items() if n > 1]
    used: dict[str, int] = {}
    for i, level in enumerate(c.levels):
        if level.codes is None:
            out.append(res.diagnostic(key, ("levels", i, "when"), t("uses_codes"), ", ".join(codes)))
            continue
        for j, code in enumerate(level.codes):
            where = ("levels", i, "codes", j)
            if code not in codes:
                out.append(res.diagnostic(key, where, t("not_a_code", code=code, evidence=ev.name,
                                            hint=did_you_mean(code, codes)), ", ".join(codes)))
            elif code in used:
                out.append(res.diagnostic(key, where, t("code_overlap", code=code, a=used[code] + 1, b=i + 1),
                                          t("each_code_one_level")))
            else:
                used[code] = i
    missing = [code for code in codes if code not in used]
    if missing and all(level.codes is not None for level in c.levels):
        out.append(res.diagnostic(key, ("levels",), t("codes_gap", codes=", ".join(f'"{m}"' for m in missing)),
                                  t("codes_gap_ok")))
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
            out.append(res.diagnostic(("groups", g.id), ("max_points",),
                                      t("group_max", group=g.id, said=g.max_points, total=total), str(total), correct=total))
        for n, a in enumerate(g.aspects):
            total = sum(_top(c) for c in members if c.aspect == a.id)
            if total != a.max_points:
                out.append(res.diagnostic(("groups", g.id), ("aspects", n, "max_points"),
                                          t("aspect_max", aspect=a.id, group=g.id, said=a.max_points, total=total),
                                          str(total), correct=total))
    return out


def _score(res: Resolved, ed: Edition) -> list[Diagnostic]:
    key, weights = ("score",), ed.score.weights
    if ed.score.method == "points_over_max":
        return [] if weights is None else [res.diagnostic(key, ("weights",), t("no_weights_wanted"),
                                                          t("no_weights_wanted_ok"))]
    if weights is None:
        return [res.diagnostic(key, ("method",), t("weights_needed"), t("weights_needed_ok"))]
    groups = [] if "groups" in res.broken else [g.id for g in ed.groups]  # unread groups: names not checked
    out = [res.diagnostic(key, ("weights", name), t("weight_not_group", name=name, hint=did_you_mean(name, groups)),
                          ", ".join(groups)) for name in weights if groups and name not in groups]
    out += [res.diagnostic(key, ("weights",), t("no_weight", group=g), ", ".join(groups)) for g in groups if g not in weights]
    total = sum((exact(w) for w in weights.values()), Fraction(0))
    if total != 1:
        out.append(res.diagnostic(key, ("weights",), t("weights_sum", total=fmt(total)), t("weights_sum_ok")))
    return out


# ---- caps, gates, consequences --------------------------------------------------------------

def _caps(res: Resolved, ed: Edition) -> list[Diagnostic]:
    evidence = {c.evidence.name: c.evidence for c in ed.criteria}
    out = []
    for cap in ed.caps:
        key = ("caps", cap.id)
        if cap.max_stars >= ed.star_scale.max:
            out.append(res.diagnostic(key, ("max_stars",), t("cap_never", stars=cap.max_stars,
                                      top=ed.star_scale.max), t("from_to", low=0, high=ed.star_scale.max - 1)))
        for n, cond in enumerate(cap.requires):
            out += _cap_condition(res, key, ("requires", n), cond, evidence)
    return out


def _cap_condition(res: Resolved, key, where, cond, evidence) -> list[Diagnostic]:
    ev = evidence.get(cond.evidence)
    if ev is None:
        return [res.diagnostic(key, where + ("evidence",), t("not_evidence", evidence=cond.evidence,
                               hint=did_you_mean(cond.evidence, evidence)), ", ".join(evidence))]
    if ev.type in NUMERIC:
        return [] if cond.in_ is None else [res.diagnostic(key, where + ("in",), t("numeric_use_when", evidence=cond.evidence, type=ev.type), t("numeric_use_when_ok"))]
    if cond.when is not None:
        return [res.diagnostic(key, where + ("when",), t("enum_use_in", evidence=cond.evidence), t("enum_use_in_ok"))]
    codes = [e.code for e in ev.codes or []]
    return [res.diagnostic(key, where + ("in", j), t("not_a_code", code=code, evidence=cond.evidence,
                             hint=did_you_mean(code, codes)), ", ".join(codes)) for j, code in enumerate(cond.in_) if code not in codes]


def _gates(res: Resolved, ed: Edition) -> list[Diagnostic]:
    commodities, out = [c.code for c in ed.commodities], []
    for gate in ed.gates:
        key = ("gates", gate.fact)
        if gate.applies_to != "all":
            out += [res.diagnostic(key, ("applies_to", j), t("not_commodity", code=code,
                                   hint=did_you_mean(code, commodities)), ", ".join(commodities))
                    for j, code in enumerate(gate.applies_to) if code not in commodities]
        if gate.type == "boolean" and not isinstance(gate.requires, bool):
            out.append(res.diagnostic(key, ("requires",), t("gate_bool"), "true, false"))
        if gate.type in NUMERIC and isinstance(gate.requires, bool):
            out.append(res.diagnostic(key, ("requires",), t("gate_condition", type=gate.type, fact=gate.fact),
                                      t("gate_condition_ok")))
    return out


def _consequences(res: Resolved, ed: Edition) -> list[Diagnostic]:
    scale, cons, out = ed.star_scale, ed.consequences, []
    items = [("pembina", (n, "min_stars"), m.min_stars) for n, m in enumerate(cons.pembina or [])]
    items += [(name, ("min_stars",), th.min_stars) for name in ("label_kemasan", "kandidat_go_global")
              if (th := getattr(cons, name)) is not None]
    for name, sub, stars in items:
        if not scale.min <= stars <= scale.max:
            out.append(res.diagnostic(("consequences", name), sub, t("min_stars_outside", stars=stars),
                                      t("from_to", low=scale.min, high=scale.max)))
    return out


def _sources(res: Resolved, ed: Edition) -> list[Diagnostic]:
    out = []
    for path, prov in _provenances(ed.model_dump(by_alias=True), ()):
        if prov.get("source") is not None and prov["source"] not in ed.sources:
            out.append(_at(res, ed, path + ("source",), t("not_a_source", source=prov["source"],
                             hint=did_you_mean(prov["source"], ed.sources)), ", ".join(ed.sources)))
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
                out.append(res.diagnostic(key, sub, t("shared_name", kind=KINDS[name[0]], name=name[1], shape=shape,
                                            first=first[1], edition=first[0]), first[1]))
    return out


def _shape(item) -> str:
    codes = getattr(item, "codes", None)
    if codes:
        return "enum [" + ", ".join(e.code for e in codes) + "]"
    low = "-inf" if item.min is None else fmt(exact(item.min))
    high = "+inf" if item.max is None else fmt(exact(item.max))
    return item.type if item.type in ("enum", "boolean") else f"{item.type} {low}..{high}"

"""Rows of the rule tables (editions, sources, commodities, gates, groups, criteria, levels, bands, caps,
consequences), read from the resolved editions. Keys follow the trace's rule names (see publish_schema)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from ..decide import compile_edition
from ..rules import Edition, Interval, Provenance, Resolved, RuleSet

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text kept."""
    return _ENCODER.encode(value)


def prov(ed: Edition, p: Provenance) -> dict[str, Any]:
    return {"provenance_status": p.status, "source": p.source, "source_url": ed.url(p), "note": p.note}


def label(lb) -> dict[str, str]:
    return {"label_id": lb.id, "label_en": lb.en}


def frozen_hashes(rules_dir: Path) -> dict[str, str] | None:
    """The lock's entries, or None when there is no lock (then published editions count as frozen)."""
    from ..rules import lock_path, read_lock
    if not lock_path(rules_dir).exists():
        return None
    return read_lock(rules_dir)[0]


def rule_rows(ruleset: RuleSet) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, row) for every rule item of every edition, editions in id order."""
    lock = frozen_hashes(ruleset.directory)
    for eid in sorted(ruleset.editions):
        yield from _edition_rows(ruleset.editions[eid], lock, Path(ruleset.directory))


def _edition_rows(res: Resolved, lock: dict[str, str] | None, rules_dir: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    ed, e = res.model, res.model.edition
    yield "editions", _edition(res, lock, rules_dir)
    for key in sorted(ed.sources):
        src = ed.sources[key]
        yield "sources", {"key": f"{e}/{key}", "edition": e, "source": key, "title": src.title, "url": src.url}
    for c in ed.commodities:
        yield "commodities", {"key": f"{e}/{c.code}", "edition": e, "code": c.code, **label(c.label), **prov(ed, c.provenance)}
    for g in ed.gates:
        yield "gates", {"key": f"{e}/gate/{g.fact}", "edition": e, "fact": g.fact, "type": g.type,
                        "requires": _requires(g.requires), "applies_to": "all" if g.applies_to == "all" else ", ".join(g.applies_to),
                        "min": g.min, "max": g.max, **label(g.label), **prov(ed, g.provenance)}
    weights = ed.score.weights or {}
    for g in ed.groups:
        aspects = [{"id": a.id, "max_points": a.max_points, "label_id": a.label.id, "label_en": a.label.en} for a in g.aspects]
        yield "groups", {"key": f"{e}/group/{g.id}", "edition": e, "id": g.id, "max_points": g.max_points,
                         "weight": weights.get(g.id), "aspects": dumps(aspects) if aspects else None,
                         **label(g.label), **prov(ed, g.provenance)}
    yield from _criteria_rows(res)
    for b in sorted(ed.bands, key=lambda b: b.stars):
        yield "bands", {"key": f"{e}/band/{b.stars}", "edition": e, "stars": b.stars, "min_score": b.min_score,
                        **prov(ed, b.provenance)}
    yield from _cap_rows(res)
    yield from _consequence_rows(ed)


def _requires(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else value


def _edition(res: Resolved, lock: dict[str, str] | None, rules_dir: Path) -> dict[str, Any]:
    ed = res.model
    frozen = ed.status == "published" if lock is None else lock.get(ed.edition) == res.hash
    return {"id": ed.edition, **{"title_id": ed.title.id, "title_en": ed.title.en}, "status": ed.status,
            "frozen": int(frozen), "extends": ed.extends, "scale_min": ed.star_scale.min, "scale_max": ed.star_scale.max,
            "scale_status": ed.star_scale.provenance.status, "legal_basis": ed.legal_basis.text,
            "legal_basis_status": ed.legal_basis.provenance.status, "legal_basis_url": ed.url(ed.legal_basis.provenance),
            "score_method": ed.score.method, "score_weights": dumps(ed.score.weights) if ed.score.weights else None,
            "score_status": ed.score.provenance.status, "max_points": ed.max_points(),
            "criteria_count": len(ed.criteria), "hash": res.hash, "files": dumps([_relative(f, rules_dir) for f in res.files])}


def _relative(file: str, rules_dir: Path) -> str:
    """A rule file's path inside the rules folder, the same wherever the folder is."""
    try:
        return Path(file).resolve().relative_to(rules_dir.resolve()).as_posix()
    except ValueError:
        return Path(file).name


def _criteria_rows(res: Resolved) -> Iterator[tuple[str, dict[str, Any]]]:
    ed, e = res.model, res.model.edition
    compiled = {c.id: c for c in compile_edition(res, with_engine=False).criteria}
    for cr in ed.criteria:
        ev, key = cr.evidence, f"{e}/criterion/{cr.id}"
        codes = [{"code": c.code, "label_id": c.label.id, "label_en": c.label.en} for c in ev.codes or []]
        yield "criteria", {"key": key, "edition": e, "id": cr.id, "group_key": f"{e}/group/{cr.group}", "group": cr.group,
                           "aspect": cr.aspect, "evidence": ev.name, "type": ev.type, "unit": ev.unit, "min": ev.min,
                           "max": ev.max, "codes": dumps(codes) if codes else None,
                           "max_points": max(lv.points for lv in cr.levels), **label(cr.label),
                           "evidence_label_id": ev.label.id, "evidence_label_en": ev.label.en, **prov(ed, cr.provenance)}
        for model, lv in zip(cr.levels, compiled[cr.id].levels):
            own = model.provenance is not None
            yield "levels", {"key": f"{key}/{lv.index}", "edition": e, "criterion_key": key, "criterion": cr.id,
                             "level": lv.index, "points": lv.points, "condition": lv.condition(ev.name),
                             "codes": dumps(list(lv.codes)) if lv.codes else None, "own_provenance": int(own),
                             **prov(ed, model.provenance or cr.provenance)}


def _cap_rows(res: Resolved) -> Iterator[tuple[str, dict[str, Any]]]:
    ed, e = res.model, res.model.edition
    for cap in ed.caps:
        conds = [r.model_dump(by_alias=True, exclude_none=True) for r in cap.requires]
        text = " and ".join(f"{r.evidence} in [{', '.join(r.in_)}]" if r.in_ else Interval.parse(r.when).text(r.evidence)
                            for r in cap.requires)
        yield "caps", {"key": f"{e}/cap/{cap.id}", "edition": e, "id": cap.id, "max_stars": cap.max_stars,
                       "requires": text, "requires_json": dumps(conds), **label(cap.label), **prov(ed, cap.provenance)}


def _consequence_rows(ed: Edition) -> Iterator[tuple[str, dict[str, Any]]]:
    e, cons = ed.edition, ed.consequences
    for m in cons.pembina or []:
        yield "consequences", {"key": f"{e}/consequence/pembina/{m.value}", "edition": e, "name": "pembina",
                               "value": m.value, "min_stars": m.min_stars, **label(m.label), **prov(ed, m.provenance)}
    names = {"label_kemasan": ("Bintang boleh dicetak pada kemasan", "The star may be printed on packaging"),
             "kandidat_go_global": ("Kandidat OVOP Go Global", "OVOP Go Global candidate")}
    for name, (lid, len_) in names.items():
        th = getattr(cons, name)
        if th is not None:
            yield "consequences", {"key": f"{e}/consequence/{name}", "edition": e, "name": name, "value": "true",
                                   "min_stars": th.min_stars, "label_id": lid, "label_en": len_, **prov(ed, th.provenance)}
    if cons.movement is not None:
        yield "consequences", {"key": f"{e}/consequence/movement", "edition": e, "name": "movement", "value": None,
                               "min_stars": None, "label_id": "Pergerakan bintang sejak putaran sebelumnya",
                               "label_en": "Movement of stars since the previous round", **prov(ed, cons.movement.provenance)}

"""The data of an outcome page (site/templates/row-ovop-outcomes.html), one block per language.

The stored input is evaluated again with durable_rules under its edition (a warning shows when the
edition's rules changed since publishing); the page shows the result, the gates as a checklist, the
criteria grouped by group and aspect, the score formula, the bands, the caps, the consequences and
the ranked ways to the next star. The words are the explanation's (engine/decide/explain.py).
"""
from __future__ import annotations

import re

from ..decide import EXPLAIN_WORDS as T
from ..decide import RANKING_RULE, change_line, consequence_value, explain, gate_label, required_text, score_formula
from ..decide import words

answer, condition, num, stars_text, UNITS = words.answer, words.condition, words.num, words.stars_text, words.UNITS
from .state import state

LANGS = ("id", "en")
HEAD = {
    "id": {"criterion": "Kriteria", "answer": "Jawaban", "level": "Level", "points": "Poin", "next": "Untuk level berikutnya",
           "source": "Asal", "band": "Pita", "min": "Skor minimum", "reached": "tercapai", "stars": "Bintang",
           "subtotal": "Subtotal", "summary": "Ringkasan", "status": "Status", "explanation": "Penjelasan lengkap (teks)",
           "trace": "Jejak keputusan", "step": "Langkah", "kind": "Jenis", "rule": "Aturan", "subject": "Subjek",
           "value": "Nilai", "result": "Hasil", "formula": "Rumus skor", "exact": "nilai tepat", "bands": "Pita bintang",
           "ways": "Yang dibutuhkan untuk bintang berikutnya", "none": "tidak ada",
           "badges": "[S] bersumber: dinyatakan oleh sumber publik (lencana menautkan ke sumbernya); [A] asumsi: pengganti "
                     "yang terdokumentasi sampai lampiran resmi terbit. Angka asumsi bukan angka resmi."},
    "en": {"criterion": "Criterion", "answer": "Answer", "level": "Level", "points": "Points", "next": "For the next level",
           "source": "Source", "band": "Band", "min": "Minimum score", "reached": "reached", "stars": "Stars",
           "subtotal": "Subtotal", "summary": "Summary", "status": "Status", "explanation": "Full explanation (text)",
           "trace": "Decision trace", "step": "Step", "kind": "Kind", "rule": "Rule", "subject": "Subject",
           "value": "Value", "result": "Result", "formula": "Score formula", "exact": "exact value", "bands": "Star bands",
           "ways": "What it takes to reach the next star", "none": "none",
           "badges": "[S] sourced: stated by a public source (the badge links to it); [A] assumed: a documented stand-in "
                     "until the official annex is public. Do not read an assumed figure as the official one."},
}


def page_data(input_json: str, edition: str, stored_hash: str, key: str) -> dict:
    """{"hash", "warning", "id": {...}, "en": {...}} — each language's blocks, or a warning and no blocks."""
    out = {"hash": stored_hash, "warning": None, "id": None, "en": None}
    try:
        st = state()
        if edition not in st["ruleset"].editions:
            out["warning"] = f"edition {edition} is not in the current rules: no explanation"
            return out
        current = st["ruleset"].editions[edition].hash
        if current != stored_hash:
            out["warning"] = (f"the rules of edition {edition} changed since publishing (published {stored_hash}, "
                              f"now {current}): this explanation follows the current rules and may differ from the "
                              f"published outcome")
        from ..publish import assessment_from_json
        ev = st["evaluator"]
        a = assessment_from_json(input_json, key, st["catalogue"])
        o = ev.evaluate(a)
        ahead = ev.ahead(a, o)
        model = ev.compiled(edition).edition
        for lang in LANGS:
            out[lang] = blocks(o, model, ahead, lang)
    except Exception as exc:  # noqa: BLE001 - the page still shows the stored outcome and trace
        out["warning"] = f"no explanation: {getattr(exc, 'render', lambda: str(exc))()}"
    return out


def blocks(o, ed, ahead, lang: str) -> dict:
    t, steps = T[lang], o.trace
    return {"h": HEAD[lang], "t": t, "summary": _summary(o, ed, ahead, lang),
            "gates": [_gate(s, ed, lang) for s in steps if s["kind"] == "gate"],
            "groups": _groups(steps, ed, lang), "score": _score(steps, lang),
            "bands": _bands(steps, ed, lang), "caps": _caps(steps, ed, lang),
            "consequences": [{"name": t[s["name"]], "value": consequence_value(s, lang),
                              "condition": condition(ed, s["condition"], lang), "status": s["provenance"]["status"]}
                             for s in steps if s["kind"] == "consequence"],
            "ahead": _ahead(o, ed, ahead, lang), "text": explain(o, ed, lang, ahead)}


def _summary(o, ed, ahead, lang: str) -> dict:
    t, scale = T[lang], ed.star_scale.max
    failed = [f"{gate_label(ed, f, lang)} ({f})" for f in o.gates_failed]
    then = None
    if ahead and ahead.get("target") == "eligible":
        th = ahead["then"]
        then = t["then"].format(score=num(th["score"], lang), stars=stars_text(th["stars"], scale, lang)) if th["stars"] \
            else t["then_none"].format(score=num(th["score"], lang))
    bar, _, words = stars_text(o.stars, scale, lang).partition(" ")
    return {"bar": bar, "words": words, "status": t[o.status], "score": num(o.score, lang) if o.score is not None else None,
            "capped": f"{t['capped_from']} {o.band_stars}" if o.capped else None, "failed": failed, "then": then,
            "title": getattr(ed.title, lang)}


def _gate(s: dict, ed, lang: str) -> dict:
    t = T[lang]
    return {"ok": s["result"] == "pass", "label": gate_label(ed, s["fact"], lang), "fact": s["fact"],
            "required": _about(required_text(ed, s["required"], lang), s["fact"], lang), "actual": num(s["actual"], lang),
            "result": t[s["result"]], "status": s["provenance"]["status"]}


def _groups(steps: list[dict], ed, lang: str) -> list[dict]:
    out = []
    for g in ed.groups:
        sub = next((s for s in steps if s["kind"] == "subtotal" and s["group"] == g.id), None)
        if sub is None:
            continue
        crit = [s for s in steps if s["kind"] == "criterion" and s["group"] == g.id]
        aspects = []
        for asp in sub.get("aspects", []) or [None]:
            label = getattr(next(a for a in g.aspects if a.id == asp["aspect"]).label, lang) if asp else None
            rows = [_criterion(s, ed, lang) for s in crit if asp is None or s["aspect"] == asp["aspect"]]
            aspects.append({"id": asp["aspect"] if asp else None, "label": label, "rows": rows,
                            "points": asp["points"] if asp else None, "max": asp["max_points"] if asp else None})
        out.append({"id": g.id, "label": getattr(g.label, lang), "points": sub["points"], "max": sub["max_points"],
                    "aspects": aspects})
    return out


def _criterion(s: dict, ed, lang: str) -> dict:
    cr = ed.criterion(s["criterion"])
    nxt = s["not_met"][0] if s["not_met"] else None
    return {"id": s["criterion"], "label": getattr(cr.label, lang), "evidence": s["evidence"],
            "answer": answer(ed, s["evidence"], s["value"], lang), "level": s["level"], "points": s["points"],
            "max": s["max_points"], "status": s["provenance"]["status"], "url": s["provenance"].get("url"),
            "next": f"{nxt['points']} {T[lang]['points']}: {_needs(ed, s['evidence'], nxt['condition'], lang)}" if nxt else "–"}


ANSWER = {"id": "jawaban", "en": "the answer"}
_NUMBER = re.compile(r"(?<![\w.,])-?\d+(?:[.,]\d+)*(?![\w.,])")


def _about(text: str, name: str, lang: str) -> str:
    """A condition on the field the line already names, without its code: "unit_sentra ≥ 5" → "≥ 5",
    "80 ≤ x < 100" → "80 ≤ jawaban < 100"."""
    if text.startswith(name + " "):
        return text[len(name) + 1:].removeprefix("= ")
    return re.sub(rf"\b{re.escape(name)}\b", ANSWER[lang], text)


def _needs(ed, evidence: str, cond: str, lang: str) -> str:
    """What the next level needs, in the row of its criterion: "> 3 tahun", "80% ≤ jawaban < 100%", "Tidak
    berdampak (tidak_berdampak)" (the code of the evidence is the row's already)."""
    ev = words.evidence_of(ed, evidence)
    unit = UNITS[lang].get(ev.unit, ev.unit) if ev is not None and ev.unit else ""
    text = _about(condition(ed, cond, lang), evidence, lang)
    if unit and not (ev is not None and ev.codes):
        text = _NUMBER.sub(lambda m: m.group(0) + (unit if unit == "%" else f" {unit}"), text)
    return text


def _named(ed, text: str, lang: str) -> str:
    """A condition on some evidence, its code after the criterion's name: "Jangkauan pasar (jangkauan_pasar) ..."."""
    name = text.split(" ", 1)[0]
    cr = next((c for c in ed.criteria if c.evidence.name == name), None)
    return f"{cr.id} {getattr(cr.label, lang)} ({name}){text[len(name):]}" if cr else text


def _score(steps: list[dict], lang: str) -> dict | None:
    s = next((s for s in steps if s["kind"] == "score"), None)
    if s is None:
        return None
    return {"formula": score_formula(s, lang), "rounded": num(s["score"], lang), "status": s["provenance"]["status"]}


def _bands(steps: list[dict], ed, lang: str) -> list[dict]:
    band = next((s for s in steps if s["kind"] == "band"), None)
    reached = band["stars"] if band else None
    scale = ed.star_scale.max
    return [{"stars": stars_text(b.stars, scale, lang), "min": num(b.min_score, lang), "reached": b.stars == reached,
             "status": b.provenance.status} for b in sorted(ed.bands, key=lambda b: -b.stars)]


def _caps(steps: list[dict], ed, lang: str) -> list[dict]:
    t, out = T[lang], []
    for s in steps:
        if s["kind"] != "cap":
            continue
        cap = next(c for c in ed.caps if c.id == s["cap"])
        conds = [f"{_named(ed, condition(ed, r['condition'], lang), lang)} ({t['it_is']} {num(r['actual'], lang) if not isinstance(r['actual'], str) else answer(ed, r['condition'].split()[0], r['actual'], lang)})"
                 for r in s["requires"]]
        out.append({"label": getattr(cap.label, lang), "max": s["max_stars"], "applied": s["applied"],
                    "state": t["applied"] if s["applied"] else t["not_applied"], "reason": t[s["reason"]],
                    "conditions": conds, "status": s["provenance"]["status"]})
    return out


def _ahead(o, ed, ahead, lang: str) -> dict:
    t = T[lang]
    if o.what_it_takes is None:
        return {"top": t["at_top"] if o.stars else None, "ways": [], "rule": None, "gates": []}
    if ahead and ahead.get("target") == "eligible":
        return {"top": None, "ways": [], "rule": None,
                "gates": [f"{gate_label(ed, g['fact'], lang)} ({g['fact']}): {num(g['actual'], lang)} → "
                          f"{required_text(ed, g['required'], lang)}" for g in ahead["gates"]]}
    ways = [{"changes": [change_line(ch, ed, lang) for ch in w["changes"]],
             "after": f"{t['score_after']} {num(w['score_after'], lang)} (≥ {num(ahead['threshold'], lang)})"}
            for w in (ahead or {}).get("ways", [])]
    return {"top": None, "ways": ways, "rule": RANKING_RULE[lang], "gates": [],
            "target": ahead["target_stars"] if ahead else None, "unreachable": t["unreachable"] if not ways else None}

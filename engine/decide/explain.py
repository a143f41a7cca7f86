"""An outcome as plain text an assessor reads in a minute, in Indonesian or English.

Result first, then gates, criteria by group and aspect, the score, the band, caps, consequences
and what it takes to reach the next star. Built from the trace and the edition's labels only.
"""
from __future__ import annotations

from ..rules import Edition
from .outcome import Outcome

T = {
    "id": {
        "awarded": "DIBERIKAN", "not_awarded": "TIDAK MENDAPAT BINTANG", "ineligible": "TIDAK MEMENUHI SYARAT ADMINISTRASI",
        "result": "Hasil", "stars": "bintang", "score": "Skor", "gates": "Seleksi administrasi",
        "criteria": "Kriteria", "points": "poin", "level": "level", "needs": "perlu", "it_is": "nilainya",
        "band": "Pita", "next_band": "pita berikutnya", "none_band": "di bawah pita terendah", "top": "pita tertinggi",
        "caps": "Batas bintang", "applied": "DITERAPKAN", "not_applied": "tidak diterapkan",
        "requirements_not_met": "syarat tidak terpenuhi", "requirements_met": "syarat terpenuhi",
        "band_within_cap": "pita tidak melebihi batas", "max": "paling tinggi",
        "consequences": "Akibat", "takes": "Yang dibutuhkan untuk bintang berikutnya", "fix_gates": "Perbaiki syarat administrasi",
        "from": "dari", "to": "menjadi", "at_top": "Sudah di bintang tertinggi edisi ini.", "unreachable": "Tidak dapat dicapai dengan menaikkan kriteria.",
        "yes": "ya", "no": "tidak", "none": "tidak ada", "required": "wajib", "capped_from": "dibatasi dari",
        "sourced": "S", "assumed": "A", "legend": "[S] bersumber (resmi), [A] asumsi (pengganti yang terdokumentasi)",
        "pembina": "pembina", "label_kemasan": "bintang pada kemasan", "kandidat_go_global": "kandidat Go Global",
        "movement": "pergerakan", "naik": "naik", "tetap": "tetap", "turun": "turun", "score_after": "skor menjadi",
        "pass": "lulus", "fail": "GAGAL", "not_decided": "tidak dinilai (tidak memenuhi syarat administrasi)",
        "conditional": "BERSYARAT (ada syarat administrasi yang tidak diketahui)", "unknown": "TIDAK DIKETAHUI", "and": "dan",
        "would_be": "akan menjadi {stars}★ jika syarat administrasi {gates} terpenuhi",
        "would_not": "tidak akan mendapat bintang walaupun syarat administrasi {gates} terpenuhi",
        "gates_unknown": "syarat administrasi yang tidak diketahui: {gates}",
    },
    "en": {
        "awarded": "AWARDED", "not_awarded": "NOT AWARDED", "ineligible": "INELIGIBLE (administrative gates failed)",
        "result": "Result", "stars": "stars", "score": "Score", "gates": "Administrative gates",
        "criteria": "Criteria", "points": "points", "level": "level", "needs": "needs", "it_is": "it is",
        "band": "Band", "next_band": "next band", "none_band": "below the lowest band", "top": "the top band",
        "caps": "Caps", "applied": "APPLIED", "not_applied": "not applied",
        "requirements_not_met": "requirements not met", "requirements_met": "requirements met",
        "band_within_cap": "band within the cap", "max": "at most",
        "consequences": "Consequences", "takes": "What it takes to reach the next star", "fix_gates": "Fix the administrative gates",
        "from": "from", "to": "to", "at_top": "Already at this edition's top star.", "unreachable": "Not reachable by raising criteria.",
        "yes": "yes", "no": "no", "none": "none", "required": "required", "capped_from": "capped from",
        "sourced": "S", "assumed": "A", "legend": "[S] sourced (official), [A] assumed (documented stand-in)",
        "pembina": "coach", "label_kemasan": "star on packaging", "kandidat_go_global": "Go Global candidate",
        "movement": "movement", "naik": "up", "tetap": "same", "turun": "down", "score_after": "score becomes",
        "pass": "pass", "fail": "FAIL", "not_decided": "not decided (ineligible)",
        "conditional": "CONDITIONAL (some administrative gates unknown)", "unknown": "UNKNOWN", "and": "and",
        "would_be": "would be {stars}★ if the gates {gates} are met",
        "would_not": "would not be awarded even if the gates {gates} are met",
        "gates_unknown": "gates unknown: {gates}",
    },
}


def explain(outcome: Outcome, edition: Edition, lang: str = "id") -> str:
    t = T[lang]
    lines = _headline(outcome, edition, t, lang)
    steps = outcome.trace
    lines += _section(t["gates"], [_gate(s, edition, t, lang) for s in steps if s["kind"] == "gate"])
    lines += [t["criteria"]] + _criteria(steps, edition, t, lang) + [""]
    for s in steps:
        if s["kind"] == "score":
            lines += [f"{t['score']}: {s['arithmetic']} → {_num(s['score'], lang)} {_mark(s, t)}"]
        elif s["kind"] == "band":
            lines += [_band(s, t, lang)]
    if outcome.status == "ineligible":
        lines += [f"{t['score']}: {t['not_decided']}"]
    caps = [_cap(s, edition, t, lang) for s in steps if s["kind"] == "cap"]
    lines += [""] + _section(t["caps"], caps) if caps else [""]
    lines += _section(t["consequences"], [_consequence(s, t) for s in steps if s["kind"] == "consequence"])
    lines += _takes(outcome, edition, t, lang)
    lines += ["", t["legend"], f"ruleset {outcome.ruleset_hash}"]
    return "\n".join(lines).rstrip() + "\n"


def _headline(o: Outcome, ed: Edition, t: dict, lang: str) -> list[str]:
    title = getattr(ed.title, lang)
    result = t[o.status]
    if o.stars:
        result = f"{o.stars} {t['stars']} {'★' * o.stars} — {result}"
        if o.capped:
            result += f" ({t['capped_from']} {o.band_stars})"
    score = f"; {t['score']} {_num(o.score, lang)}" if o.score is not None else ""
    return [f"{o.id} — {title}", f"{t['result']}: {result}{score}"] + _unknown(o, t) + [""]


def _unknown(o: Outcome, t: dict) -> list[str]:
    """What-if (CRITERIA.md section 7): what the outcome would be if the unknown gates were met."""
    if not o.gates_unknown:
        return []
    names = o.gates_unknown
    gates = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {t['and']} {names[-1]}"
    key = "gates_unknown" if o.status == "ineligible" else ("would_be" if o.stars else "would_not")
    return [t[key].format(stars=o.stars, gates=gates)]


def _section(title: str, rows: list[str]) -> list[str]:
    return [title] + rows + [""] if rows else []


def _mark(s: dict, t: dict) -> str:
    return f"[{t[s['provenance']['status']]}]"


def _num(value, lang: str) -> str:
    if value is None:
        return "–"
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if lang == "id" else text


def _gate(s: dict, ed: Edition, t: dict, lang: str) -> str:
    gate = next(g for g in ed.gates if g.fact == s["fact"])
    ok = {"pass": "✓", "fail": "✗"}.get(s["result"], "?")
    actual = _value(s["actual"], t) if s["actual"] is not None else "–"
    return f"  {ok} {getattr(gate.label, lang)} ({s['fact']}): {t['required']} {s['required']}; {t['it_is']} {actual} — {t[s['result']]} {_mark(s, t)}"


def _value(v, t: dict) -> str:
    return t["yes"] if v is True else (t["no"] if v is False else str(v))


def _criteria(steps: list[dict], ed: Edition, t: dict, lang: str) -> list[str]:
    out = []
    for g in ed.groups:
        sub = next((s for s in steps if s["kind"] == "subtotal" and s["group"] == g.id), None)
        if sub is None:
            continue
        out.append(f"  {g.id}. {getattr(g.label, lang)} — {sub['points']}/{sub['max_points']} {t['points']}")
        crit = [s for s in steps if s["kind"] == "criterion" and s["group"] == g.id]
        for asp in sub.get("aspects", []) or [None]:
            indent = "    "
            if asp is not None:
                label = getattr(next(a for a in g.aspects if a.id == asp["aspect"]).label, lang)
                out.append(f"    {asp['aspect']} {label} — {asp['points']}/{asp['max_points']}")
                indent = "      "
            for s in crit:
                if asp is None or s["aspect"] == asp["aspect"]:
                    out.append(indent + _criterion(s, ed, t, lang))
    return out


def _criterion(s: dict, ed: Edition, t: dict, lang: str) -> str:
    cr = ed.criterion(s["criterion"])
    text = (f"{s['criterion']} {getattr(cr.label, lang)}: {s['evidence']} = {s['value']} → {t['level']} {s['level']} "
            f"({s['condition']}), {s['points']} {t['points']}")
    if s["not_met"]:
        nxt = s["not_met"][0]
        text += f". {nxt['points']} {t['points']} {t['needs']} {nxt['condition']}; {t['it_is']} {s['value']}"
    return f"{text} {_mark(s, t)}"


def _band(s: dict, t: dict, lang: str) -> str:
    here = f"{s['stars']}★ ({t['score']} >= {s['min_score']})" if s["stars"] else t["none_band"]
    nxt = f"; {t['next_band']}: {s['next']['stars']}★ >= {s['next']['min_score']}" if s["next"] else f"; {t['top']}"
    return f"{t['band']}: {here}{nxt} {_mark(s, t)}"


def _cap(s: dict, ed: Edition, t: dict, lang: str) -> str:
    cap = next(c for c in ed.caps if c.id == s["cap"])
    conds = "; ".join(f"{r['condition']} ({t['it_is']} {r['actual']})" for r in s["requires"])
    state = t["applied"] if s["applied"] else t["not_applied"]
    return f"  {getattr(cap.label, lang)}: {t['max']} {s['max_stars']}★ — {state}, {t[s['reason']]}: {conds} {_mark(s, t)}"


def _consequence(s: dict, t: dict) -> str:
    value = s["value"]
    shown = t.get(value, value) if isinstance(value, str) else (_value(value, t) if value is not None else t["none"])
    return f"  {t[s['name']]}: {shown} ({s['condition']}) {_mark(s, t)}"


def _takes(o: Outcome, ed: Edition, t: dict, lang: str) -> list[str]:
    w = o.what_it_takes
    if w is None:
        return [t["at_top"]] if o.stars else []
    if w.get("target") == "eligible":
        return [t["fix_gates"] + ":"] + [f"  {g['fact']}: {_value(g['actual'], t)} → {g['required']}" for g in w["gates"]]
    head = f"{t['takes']} ({w['target_stars']}★):"
    if not w["reachable"]:
        return [head, "  " + t["unreachable"]]
    rows = [f"  {ch['criterion']} {ch['evidence']} {t['from']} {ch['from']} {t['to']} {ch['to']} "
            f"({t['level']} {ch['from_level']} → {ch['to_level']}, +{ch['points_gained']} {t['points']})" for ch in w["changes"]]
    return [head] + rows + [f"  {t['score_after']} {_num(w['score_after'], lang)} (>= {w['threshold']})"]

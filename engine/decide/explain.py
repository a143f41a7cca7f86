"""An outcome as plain text an assessor reads in a minute, in Indonesian or English.

Result first, then gates, criteria by group and aspect, the score, the band, caps, consequences
and what it takes to reach the next star. Built from the trace, the edition's labels and (when given)
the ranked ways of whatittakes.ranked. Each section is one function in SECTIONS: a new section
(e.g. conditional what-ifs) is one more function there.
"""
from __future__ import annotations

from ..rules import Edition
from .outcome import Outcome
from .words import answer, condition, exact_decimal, num, plural, stars_text

T = {
    "id": {
        "awarded": "DIBERIKAN", "not_awarded": "TIDAK MENDAPAT BINTANG", "ineligible": "TIDAK MEMENUHI SYARAT ADMINISTRASI",
        "result": "Hasil", "score": "Skor", "gates": "Seleksi administrasi", "failed": "gagal",
        "criteria": "Kriteria", "point": "poin", "points": "poin", "level": "level", "needs": "perlu",
        "answer": "jawaban", "band": "Pita", "next_band": "pita berikutnya", "none_band": "di bawah pita terendah",
        "top": "pita tertinggi", "caps": "Batas bintang", "applied": "DITERAPKAN", "not_applied": "tidak diterapkan",
        "requirements_not_met": "syarat tidak terpenuhi", "requirements_met": "syarat terpenuhi",
        "band_within_cap": "pita tidak melebihi batas", "max": "paling tinggi", "consequences": "Akibat",
        "takes": "Yang dibutuhkan untuk bintang berikutnya", "fix_gates": "Perbaiki syarat administrasi",
        "from": "dari", "to": "menjadi", "at_top": "Sudah di bintang tertinggi edisi ini.",
        "unreachable": "Tidak dapat dicapai dengan menaikkan kriteria.", "none": "tidak ada",
        "required": "syarat", "capped_from": "dibatasi dari", "it_is": "nilainya",
        "legend": "[S] bersumber (dari sumber publik yang disebut), [A] asumsi (pengganti yang terdokumentasi)",
        "pembina": "pembina", "label_kemasan": "bintang pada kemasan", "kandidat_go_global": "kandidat Go Global",
        "movement": "pergerakan", "naik": "naik", "tetap": "tetap", "turun": "turun", "score_after": "skor menjadi",
        "pass": "lulus", "fail": "GAGAL", "not_decided": "tidak dinilai (tidak memenuhi syarat administrasi)",
        "conditional": "BERSYARAT (ada syarat administrasi yang tidak diketahui)", "unknown": "TIDAK DIKETAHUI", "and": "dan",
        "would_be": "akan menjadi {stars}★ jika syarat administrasi {gates} terpenuhi",
        "would_not": "tidak akan mendapat bintang walaupun syarat administrasi {gates} terpenuhi",
        "gates_unknown": "syarat administrasi yang tidak diketahui: {gates}",
        "rounded": "dibulatkan setengah ke atas menjadi", "way": "Cara", "answers_change": "jawaban berubah",
        "then": "Bila syarat ini dipenuhi: skor {score}, {stars}.", "then_none": "Bila syarat ini dipenuhi: skor {score}, belum mendapat bintang.",
        "pusat": "pusat", "provinsi": "provinsi", "kabupaten_kota": "kabupaten/kota", "ruleset": "aturan",
        "yes": "ya", "no": "tidak",
    },
    "en": {
        "awarded": "AWARDED", "not_awarded": "NOT AWARDED", "ineligible": "INELIGIBLE (administrative gates failed)",
        "result": "Result", "score": "Score", "gates": "Administrative gates", "failed": "failed",
        "criteria": "Criteria", "point": "point", "points": "points", "level": "level", "needs": "needs",
        "answer": "answer", "band": "Band", "next_band": "next band", "none_band": "below the lowest band",
        "top": "the top band", "caps": "Caps", "applied": "APPLIED", "not_applied": "not applied",
        "requirements_not_met": "requirements not met", "requirements_met": "requirements met",
        "band_within_cap": "band within the cap", "max": "at most", "consequences": "Consequences",
        "takes": "What it takes to reach the next star", "fix_gates": "Fix the administrative gates",
        "from": "from", "to": "to", "at_top": "Already at this edition's top star.",
        "unreachable": "Not reachable by raising criteria.", "none": "none",
        "required": "requires", "capped_from": "capped from", "it_is": "it is",
        "legend": "[S] sourced (from the public source named), [A] assumed (documented stand-in)",
        "pembina": "coach", "label_kemasan": "star on packaging", "kandidat_go_global": "Go Global candidate",
        "movement": "movement", "naik": "up", "tetap": "same", "turun": "down", "score_after": "score becomes",
        "pass": "pass", "fail": "FAIL", "not_decided": "not decided (ineligible)",
        "conditional": "CONDITIONAL (some administrative gates unknown)", "unknown": "UNKNOWN", "and": "and",
        "would_be": "would be {stars}★ if the gates {gates} are met",
        "would_not": "would not be awarded even if the gates {gates} are met",
        "gates_unknown": "gates unknown: {gates}",
        "rounded": "rounded half-up to", "way": "Way", "answers_change": "answers change",
        "then": "Once they are met: score {score}, {stars}.", "then_none": "Once they are met: score {score}, no star yet.",
        "pusat": "central", "provinsi": "provincial", "kabupaten_kota": "regency/city", "ruleset": "ruleset",
        "yes": "yes", "no": "no",
    },
}


def explain(outcome: Outcome, edition: Edition, lang: str = "id", ahead: dict | None = None) -> str:
    """The explanation as text; `ahead` is whatittakes.ranked's result (else the outcome's one path)."""
    ctx = {"o": outcome, "ed": edition, "t": T[lang], "lang": lang, "ahead": ahead}
    lines: list[str] = []
    for section in SECTIONS:
        lines += section(ctx)
    return "\n".join(lines).rstrip() + "\n"


def gate_label(ed: Edition, fact: str, lang: str) -> str:
    gate = next((g for g in ed.gates if g.fact == fact), None)
    return getattr(gate.label, lang) if gate else fact


def required_text(ed: Edition, required: str, lang: str) -> str:
    if required in ("true", "false"):
        return T[lang]["yes" if required == "true" else "no"]
    return condition(ed, required, lang)


def _headline(x) -> list[str]:
    o, ed, t, lang = x["o"], x["ed"], x["t"], x["lang"]
    result = t[o.status]
    if o.status == "ineligible":
        failed = ", ".join(f"{gate_label(ed, f, lang)} ({f})" for f in o.gates_failed)
        result += f" — {t['failed']}: {failed}"
    else:
        result = f"{stars_text(o.stars, ed.star_scale.max, lang)} — {result}"
        if o.capped:
            result += f" ({t['capped_from']} {o.band_stars})"
        result += f"; {t['score']} {num(o.score, lang)}"
    lines = [f"{o.id} — {getattr(ed.title, lang)}", f"{t['result']}: {result}"] + _unknown(o, t)
    then = _then(x)
    return lines + ([then] if then else []) + [""]


def _unknown(o: Outcome, t: dict) -> list[str]:
    """What-if (CRITERIA.md section 7): what the outcome would be if the unknown gates were met."""
    if not o.gates_unknown:
        return []
    names = o.gates_unknown
    gates = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {t['and']} {names[-1]}"
    key = "gates_unknown" if o.status == "ineligible" else ("would_be" if o.stars else "would_not")
    return [t[key].format(stars=o.stars, gates=gates)]


def _then(x) -> str | None:
    ahead, t, lang = x["ahead"], x["t"], x["lang"]
    if not ahead or ahead.get("target") != "eligible":
        return None
    then = ahead["then"]
    if then["stars"]:
        return t["then"].format(score=num(then["score"], lang), stars=stars_text(then["stars"], x["ed"].star_scale.max, lang))
    return t["then_none"].format(score=num(then["score"], lang))


def _mark(s: dict) -> str:
    return "[S]" if s["provenance"]["status"] == "sourced" else "[A]"


def _gates(x) -> list[str]:
    ed, t, lang = x["ed"], x["t"], x["lang"]
    rows = []
    for s in x["o"].trace:
        if s["kind"] != "gate":
            continue
        ok = {"pass": "✓", "fail": "✗"}.get(s["result"], "?")
        rows.append(f"  {ok} {gate_label(ed, s['fact'], lang)} ({s['fact']}): {t['required']} "
                    f"{required_text(ed, s['required'], lang)}; {t['it_is']} {num(s['actual'], lang)} — {t[s['result']]} {_mark(s)}")
    return [t["gates"]] + rows + [""] if rows else []


def _criteria(x) -> list[str]:
    ed, t, lang, steps = x["ed"], x["t"], x["lang"], x["o"].trace
    out = [t["criteria"]]
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
                out.append(f"    {asp['aspect']} {label} — {asp['points']}/{asp['max_points']} {t['points']}")
                indent = "      "
            out += [indent + criterion_line(s, ed, lang) for s in crit if asp is None or s["aspect"] == asp["aspect"]]
    return out + [""]


_lines: dict = {}


def criterion_line(s: dict, ed: Edition, lang: str) -> str:
    """One criterion's line; it depends only on the criterion, its level and the answer (cached)."""
    key = (ed.edition, id(ed), s["criterion"], s["level"], type(s["value"]).__name__, s["value"], lang)
    line = _lines.get(key)
    if line is None:
        if len(_lines) > 100_000:
            _lines.clear()
        line = _lines[key] = _criterion_line(s, ed, lang)
    return line


def _criterion_line(s: dict, ed: Edition, lang: str) -> str:
    t = T[lang]
    cr = ed.criterion(s["criterion"])
    why = "" if isinstance(s["value"], str) and s["condition"].endswith(f" = {s['value']}") else f" ({condition(ed, s['condition'], lang)})"
    text = (f"{s['criterion']} {getattr(cr.label, lang)}: {answer(ed, s['evidence'], s['value'], lang)} → "
            f"{t['level']} {s['level']}{why}, {plural(s['points'], t['point'], t['points'], lang)}")
    if s["not_met"]:
        nxt = s["not_met"][0]
        needs = "need" if lang == "en" and nxt["points"] != 1 else t["needs"]
        text += f". {plural(nxt['points'], t['point'], t['points'], lang)} {needs} {condition(ed, nxt['condition'], lang)}"
    return f"{text} {_mark(s)}"


def _score(x) -> list[str]:
    t, lang = x["t"], x["lang"]
    out = []
    for s in x["o"].trace:
        if s["kind"] == "score":
            out.append(f"{t['score']}: {score_formula(s, lang)} {_mark(s)}")
        elif s["kind"] == "band":
            out.append(_band(s, x))
    if x["o"].status == "ineligible":
        out.append(f"{t['score']}: {t['not_decided']}")
    return out + [""]


def score_formula(s: dict, lang: str) -> str:
    """"100 × 55 / 57 = 96,491228… → dibulatkan setengah ke atas menjadi 96,49"."""
    left = s["arithmetic"].rsplit(" = ", 1)[0]
    left = left.replace(".", ",") if lang == "id" else left
    return f"{left} = {exact_decimal(s['exact'], lang)}; {T[lang]['rounded']} {num(s['score'], lang)}"


def _band(s: dict, x) -> str:
    t, lang, scale = x["t"], x["lang"], x["ed"].star_scale.max
    here = f"{stars_text(s['stars'], scale, lang)} ({t['score']} ≥ {num(s['min_score'], lang)})" if s["stars"] else t["none_band"]
    nxt = (f"; {t['next_band']}: {s['next']['stars']}★ ≥ {num(s['next']['min_score'], lang)}" if s["next"] else f"; {t['top']}")
    return f"{t['band']}: {here}{nxt} {_mark(s)}"


def _caps(x) -> list[str]:
    ed, t, lang = x["ed"], x["t"], x["lang"]
    rows = []
    for s in x["o"].trace:
        if s["kind"] != "cap":
            continue
        cap = next(c for c in ed.caps if c.id == s["cap"])
        conds = "; ".join(f"{condition(ed, r['condition'], lang)} ({t['it_is']} {answer(ed, _evidence_in(ed, r['condition']), r['actual'], lang)})"
                          for r in s["requires"])
        state = t["applied"] if s["applied"] else t["not_applied"]
        rows.append(f"  {getattr(cap.label, lang)}: {t['max']} {s['max_stars']}★ — {state}, {t[s['reason']]}: {conds} {_mark(s)}")
    return [t["caps"]] + rows + [""] if rows else []


def _evidence_in(ed: Edition, text: str) -> str:
    names = {c.evidence.name for c in ed.criteria}
    return next((w for w in text.replace("[", " ").split() if w in names), "")


def consequence_value(s: dict, lang: str) -> str:
    t, value = T[lang], s["value"]
    if value is None:
        return t["none"]
    return t.get(value, value) if isinstance(value, str) else num(value, lang)


def _consequences(x) -> list[str]:
    t, lang, ed = x["t"], x["lang"], x["ed"]
    rows = [f"  {t[s['name']]}: {consequence_value(s, lang)} ({condition(ed, s['condition'], lang)}) {_mark(s)}"
            for s in x["o"].trace if s["kind"] == "consequence"]
    return [t["consequences"]] + rows + [""] if rows else []


def change_line(ch: dict, ed: Edition, lang: str) -> str:
    t = T[lang]
    cr = ed.criterion(ch["criterion"])
    return (f"{ch['criterion']} {getattr(cr.label, lang)}: {answer(ed, ch['evidence'], ch['from'], lang)} {t['to']} "
            f"{answer(ed, ch['evidence'], ch['to'], lang)} ({t['level']} {ch['from_level']} → {ch['to_level']}, "
            f"+{plural(ch['points_gained'], t['point'], t['points'], lang)})")


def _takes(x) -> list[str]:
    o, ed, t, lang, ahead = x["o"], x["ed"], x["t"], x["lang"], x["ahead"]
    w = o.what_it_takes
    if w is None:
        return [t["at_top"], ""] if o.stars else []
    if w.get("target") == "eligible":
        rows = [f"  {gate_label(ed, g['fact'], lang)} ({g['fact']}): {num(g['actual'], lang)} → "
                f"{required_text(ed, g['required'], lang)}" for g in w["gates"]]
        then = _then(x)
        return [t["fix_gates"] + ":"] + rows + ([f"  {then}"] if then else []) + [""]
    head = f"{t['takes']} ({w['target_stars']}★):"
    ways = ahead["ways"] if ahead and "ways" in ahead else ([w] if w["reachable"] else [])
    if not ways:
        return [head, "  " + t["unreachable"], ""]
    from .whatittakes import RANKING_RULE
    out = [head] + ([f"  ({RANKING_RULE[lang]})"] if ahead else [])
    for n, way in enumerate(ways, start=1):
        k = len(way["changes"])
        label = f"  {t['way']} {n} ({k} {t['answers_change'] if k != 1 or lang == 'id' else 'answer changes'}):" if ahead else None
        out += ([label] if label else []) + [f"    {change_line(ch, ed, lang)}" for ch in way["changes"]]
        out.append(f"    {t['score_after']} {num(way['score_after'], lang)} (≥ {num(w['threshold'], lang)})")
    return out + [""]


def _footer(x) -> list[str]:
    return [x["t"]["legend"], f"{x['t']['ruleset']} {x['o'].ruleset_hash}"]


SECTIONS = [_headline, _gates, _criteria, _score, _caps, _consequences, _takes, _footer]

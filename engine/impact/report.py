"""`ovop impact` as a reader sees it: the transition matrix, the movers with their reasons, the assessments
not re-targeted counted by reason (each listed with `--all`), and a loud warning when nothing could be
evaluated (with the `--assume` that would let it). Indonesian first (`lang="id"`), English with `lang="en"`.
"""
from __future__ import annotations

import io
import json
import sys
from typing import Any

import orjson

from ..errors import Diagnostic, OvopError, say
from ..decide import plain_float
from .core import MAX_ROWS, Impact, by_reason

T = {
    "matrix": ("{base} (baris) -> {draft} (kolom): {n} penilaian dievaluasi",
               "{base} (rows) -> {draft} (columns): {n} assessments evaluated"),
    "legend": ("ineligible = tidak memenuhi syarat; not_awarded = tidak diberi bintang; N = N bintang; "
               "conditional:N = bersyarat (fakta syarat tidak diketahui), N bintang bila terpenuhi",
               "ineligible = a gate failed; not_awarded = no band reached; N = N stars; "
               "conditional:N = conditional (a gate fact unknown), N stars once it holds"),
    "moves": ("{n} penilaian berpindah", "{n} assessments move"),
    "move1": ("1 penilaian berpindah", "1 assessment moves"),
    "columns": (("id", "berkas", "alasan"), ("id", "file", "why")),
    "none": ("tidak ada penilaian yang berpindah", "no assessment moves"),
    "more_moves": ("... dan {n} lagi yang berpindah (--json mencantumkan semuanya)",
                   "... and {n} more movers (--json lists every one)"),
    "skipped": ("{n} tidak dapat ditargetkan ulang (tidak dievaluasi), menurut alasan",
                "{n} not re-targeted (not evaluated), by reason"),
    "skipped_all": ("{n} tidak dapat ditargetkan ulang (tidak dievaluasi)", "{n} not re-targeted (not evaluated)"),
    "by_reason": (("edisi", "alasan", "jumlah", "contoh"), ("edition", "reason", "count", "examples")),
    "each": (("berkas", "id", "edisi", "alasan"), ("file", "id", "edition", "reason")),
    "list_all": ("--all mencantumkan setiap penilaian", "--all lists every assessment"),
    "warning": ("PERINGATAN: tidak satu pun penilaian dapat dievaluasi di bawah {base} dan {draft} "
                "({n} tidak dapat ditargetkan ulang). Matriks kosong ini TIDAK berarti draf tanpa pengaruh.",
                "WARNING: no assessment could be evaluated under both {base} and {draft} "
                "({n} not re-targeted). This empty matrix does NOT mean the draft has no effect."),
    "new": ("Draf {draft} meminta jawaban yang tidak dimiliki penilaian lama: {names}. Beri nilai anggapan, mis.:\n  {cmd}",
            "Draft {draft} asks for answers no past assessment has: {names}. Assume a value, e.g.:\n  {cmd}"),
    "assumed": ("dianggap untuk draf {draft} (bila penilaian tidak menjawab): {items}",
                "assumed under draft {draft} (where an assessment gives no answer): {items}"),
    "checked": ("diperiksa: sampel {n} penilaian dievaluasi ulang melalui durable_rules di bawah {base} dan {draft}: "
                "{d} perbedaan",
                "checked: a sample of {n} re-evaluated through durable_rules under {base} and {draft}: {d} differences"),
    "differs": ("{field}: batch {b!r}, durable_rules {r!r}", "{field}: batch {b!r}, durable_rules {r!r}"),
    "same": ("hasil dan baris jejak yang sama dari kedua pelaksana", "the same outcome and trace rows from both executors"),
}


def t(key: str, lang: str, **kw) -> Any:
    text = T[key][0 if lang == "id" else 1]
    return text.format(**kw) if isinstance(text, str) else text


def warnings(result: Impact, lang: str) -> list[str]:
    """The loud lines: nothing evaluated; new answers that no assessment has and nobody assumed."""
    out = []
    if result.evaluated == 0:
        out.append(t("warning", lang, base=result.base, draft=result.draft, n=_distinct(result)))
    missing = [n for n in result.new_names if n not in result.assumed and _lacked(result, n)]
    if missing:
        bare = [n.split(".", 1)[1] for n in missing]
        cmd = f"ovop impact {result.draft} --base {result.base} " + " ".join(f"--assume {b}=NILAI" if lang == "id"
                                                                               else f"--assume {b}=VALUE" for b in bare)
        out.append(t("new", lang, draft=result.draft, names=", ".join(bare), cmd=cmd))
    return out


def _distinct(result: Impact) -> int:
    """Assessments not re-targeted (one lacking both editions' answers counts once)."""
    return len({(s["file"], s["id"]) for s in result.skipped})


def _lacked(result: Impact, name: str) -> bool:
    return any(s["edition"] == result.draft and name in s["reason"] for s in result.skipped)


def render(result: Impact, lang: str = "en", everything: bool = False) -> str:
    """The result as text tables; `everything`: each assessment not re-targeted, not only the counts."""
    from rich.console import Console
    console = Console(record=True, width=160, file=io.StringIO(), color_system=None, markup=False, highlight=False)
    for line in warnings(result, lang):
        console.print(line, soft_wrap=True)
    if result.assumed:
        items = ", ".join(f"{k.split('.', 1)[1]}={_value(v)}" for k, v in result.assumed.items())
        console.print(t("assumed", lang, draft=result.draft, items=items), soft_wrap=True)
    console.print(_matrix(result, lang))
    console.print(t("legend", lang), soft_wrap=True)
    _moves(console, result, lang)
    _skipped(console, result, lang, everything)
    if result.checked:
        console.print(t("checked", lang, n=result.checked, base=result.base, draft=result.draft,
                        d=len(result.differences)))
    for line in (warnings(result, lang) if result.evaluated == 0 else []):
        console.print(line, soft_wrap=True)  # said again below the tables, where a reader's eye ends
    return console.export_text()


def _value(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _matrix(result: Impact, lang: str):
    from rich.table import Table
    matrix = Table(title=t("matrix", lang, base=result.base, draft=result.draft, n=result.evaluated))
    matrix.add_column(result.base)
    for col in result.states:
        matrix.add_column(col, justify="right")
    for row in result.states:
        matrix.add_row(row, *[str(result.matrix[row][col]) for col in result.states])
    return matrix


def _moves(console, result: Impact, lang: str) -> None:
    from rich.table import Table
    if not result.moves:
        console.print(t("none", lang))
        return
    n = len(result.moves)
    moves = Table(title=t("move1", lang) if n == 1 else t("moves", lang, n=n))
    ident, file, why = t("columns", lang)
    for name in (ident, file, result.base, result.draft, why):
        moves.add_column(name)
    for m in result.moves[:MAX_ROWS]:
        moves.add_row(m.id, m.file, m.before, m.after, "\n".join(say(r, lang) for r in m.reasons))
    console.print(moves)
    if n > MAX_ROWS:
        console.print(t("more_moves", lang, n=n - MAX_ROWS))


def _skipped(console, result: Impact, lang: str, everything: bool) -> None:
    from rich.table import Table
    if not result.skipped:
        return
    if everything:
        table = Table(title=t("skipped_all", lang, n=_distinct(result)))
        for name in t("each", lang):
            table.add_column(name)
        for s in result.skipped:
            table.add_row(s["file"], s["id"], s["edition"], say(s["reason"], lang))
        console.print(table)
        return
    table = Table(title=t("skipped", lang, n=_distinct(result)))
    for name, justify in zip(t("by_reason", lang), ("left", "left", "right", "left")):
        table.add_column(name, justify=justify)
    for row in by_reason(result.skipped):
        more = ", …" if row["count"] > len(row["examples"]) else ""
        table.add_row(row["edition"], say(row["reason"], lang), str(row["count"]), ", ".join(row["examples"]) + more)
    console.print(table)
    console.print(t("list_all", lang))


def json_bytes(data) -> bytes | None:
    """`json.dump(data, ensure_ascii=False, indent=2)`'s very text as UTF-8, by orjson (the standard encoder
    with an indent is pure Python: 1.6 s for a million assessments' result), or None where orjson would write
    it otherwise: a float that repr writes with an exponent or not at all (NaN, infinities), a key that is not
    a text, an integer past 64 bits, a lone surrogate (tests/test_impact*.py compare both)."""
    stack = [[data]]
    while stack:  # texts, whole numbers, booleans and nulls are looked at where they are, not stacked
        node = stack.pop()
        if node.__class__ is dict:
            if not all(k.__class__ is str for k in node):
                return None
            node = node.values()
        elif not (node.__class__ is list or node.__class__ is tuple):
            continue
        for value in node:
            cls = value.__class__
            if cls is str or cls is int or cls is bool or value is None:
                continue
            if cls is float:
                if not plain_float(value):
                    return None
            else:
                stack.append(value)
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except TypeError:
        return None


def echo(result: Impact, as_json: bool, lang: str = "en", everything: bool = False) -> None:
    """Print the result (JSON: streamed to stdout, the warnings on stderr); a --check difference is an
    error (exit 1)."""
    if as_json:
        data = result.to_json(lang)
        text = json_bytes(data)
        if text is None:
            json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        sys.stdout.write("\n")
        for line in warnings(result, lang):
            sys.stderr.write(line + "\n")
    else:
        sys.stdout.write(render(result, lang, everything))
    if result.differences:
        raise OvopError([Diagnostic(f"impact --check, edition {d['edition']}", path=d["id"],
                                    message=t("differs", lang, field=d["field"], b=b, r=r), allowed=t("same", lang))
                         for d in result.differences for b, r in [_differing(d["batch"], d["durable"])]])


def _differing(batch: Any, durable: Any) -> tuple[Any, Any]:
    """Of two lists of trace rows, only the rows that differ; other values as they are."""
    if isinstance(batch, list) and isinstance(durable, list):
        return [x for x in batch if x not in durable], [x for x in durable if x not in batch]
    return batch, durable

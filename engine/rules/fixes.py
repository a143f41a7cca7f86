"""Diagnostics that point at the file the author must edit, with a ready fix where one is known.

A problem found in an item an edition inherits (written in a parent's file) is the parent's own problem
when the parent has it too: it is reported there, once. Otherwise the edition's own changes caused it
(criterion C6 added to a group whose max_points is written in 2015): editing the parent would break the
frozen editions built on it, so the diagnostic points at the edition's own file and gives the block to
write there (`groups: replace:` with the whole group and the new max_points).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace

from ..errors import Diagnostic, Text
from .messages import t
from .resolve import KEYED, MERGED, NO_VALUE, Resolved, RuleSet

PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .()/'-]*$")
KEYWORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}
FLOW_WIDTH = 100


# ---- a small YAML writer: block mappings, flow style for short leaves ---------------------------

def scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if PLAIN.match(text) and text.lower() not in KEYWORDS and not text.endswith((" ", ".")) and ": " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _leafy(value) -> bool:
    """Short enough, and shallow enough, to write on one line."""
    if isinstance(value, (dict, list)):
        inner = value.values() if isinstance(value, dict) else value
        depth_ok = all(not isinstance(v, (dict, list)) or (isinstance(v, dict) and all(
            not isinstance(w, (dict, list)) for w in v.values())) for v in inner)
        return depth_ok and len(flow(value)) <= FLOW_WIDTH
    return True


def to_yaml(value, indent: int = 0) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v and not _leafy(v):
                out += [f"{pad}{k}:"] + to_yaml(v, indent + 2)
            else:
                out.append(f"{pad}{k}: {flow(v)}")
        return out
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, dict) and not _leafy(v):
                inner = to_yaml(v, indent + 2)
                out += [f"{pad}- {inner[0].lstrip()}"] + inner[1:]
            else:
                out.append(f"{pad}- {flow(v)}")
        return out
    return [pad + scalar(value)]


def block(data: dict) -> str:
    return "\n".join(to_yaml(data))


# ---- fixes --------------------------------------------------------------------------------------

def _dump(item) -> dict:
    return item.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True, mode="json")


def _corrected(data, sub: tuple, value):
    node = data
    for part in sub[:-1]:
        node = node[part]
    node[sub[-1]] = value
    return data


def _lead(res: Resolved, section: str) -> Text:
    located, _ = res.origins[("edition",)]
    if isinstance(located.data, dict) and section in located.data:
        whole = section not in KEYED and section not in MERGED  # bands, score, star_scale: written whole
        return t("fix_replace" if whole else "fix_merge", file=located.file, section=section)
    return t("fix_write", file=located.file)


def section_fix(res: Resolved, key: tuple, sub: tuple, correct) -> Text | None:
    """The block that restates inherited item `key` in the edition's own file, with the corrected value."""
    section, ed = key[0], res.model
    if correct is NO_VALUE:
        return None  # restating the item unchanged would not be a fix
    if section in KEYED and len(key) == 2:
        item = next((i for i in getattr(ed, section) if getattr(i, KEYED[section]) == key[1]), None)
        if item is None:
            return None
        data = {section: {"replace": [_corrected(_dump(item), sub, correct)]}}
    elif section in MERGED and len(key) == 2:
        part = getattr(ed, section)
        value = part.get(key[1]) if isinstance(part, dict) else getattr(part, key[1], None)
        if value is None:
            return None
        dumped = _dump(value) if hasattr(value, "model_dump") else value
        data = {section: {key[1]: _corrected(dumped, sub, correct)}}
    elif len(key) == 1 and hasattr(ed, section) and section not in KEYED:
        value = getattr(ed, section)
        dumped = [_dump(v) for v in value] if isinstance(value, list) else _dump(value)
        data = {section: _corrected(dumped, sub, correct) if sub else correct}
    else:
        return None
    return _lead(res, section) + "\n" + block(data)


def missing_bands(res: Resolved) -> Text | None:
    """Bands written in the edition's own file that leave stars out: the parent's bands for those stars
    added, with their values, so that every star has its band."""
    parent = res.parent
    located, _ = res.origins.get(("bands",), (None, None))
    if parent is None or located is None or located.file != res.own_file:
        return None
    mine = {b.stars for b in res.model.bands}
    scale = range(res.model.star_scale.min, res.model.star_scale.max + 1)
    added = [b for b in parent.model.bands if b.stars not in mine and b.stars in scale]
    if not added:
        return None
    bands = sorted(list(res.model.bands) + added, key=lambda b: -b.stars)
    return _lead(res, "bands") + "\n" + block({"bands": [_dump(b) for b in bands]})


# ---- pointing at the author's file ----------------------------------------------------------------

def _signature(d: Diagnostic) -> tuple:
    return d.file, d.line, d.col, d.path, str(d.origin[4]) if d.origin else str(d.message)


def point_at_authors(rules: RuleSet, found: list[Diagnostic]) -> list[Diagnostic]:
    """Each problem once, at the file to edit: see the module's words."""
    owner = {res.own_file: e for e, res in rules.editions.items()}
    seen: dict[str, set] = {}
    for d in found:
        if d.origin is not None:
            seen.setdefault(d.origin[0], set()).add(_signature(d))
    out = []
    for d in found:
        if d.origin is None:
            out.append(d)
            continue
        res = rules.editions[d.origin[0]]
        writer = owner.get(d.file)
        if d.file == res.own_file or writer is None:
            out.append(d)
        elif _signature(d) not in seen.get(writer, set()):
            out.append(_redirect(res, d, writer))
    return out


def _redirect(res: Resolved, d: Diagnostic, writer: str) -> Diagnostic:
    _, key, sub, correct, _ = d.origin
    located, _ = res.origins[("edition",)]
    section = key[0]
    where = (section,) if isinstance(located.data, dict) and section in located.data else ("extends",)
    moved = located.diagnostic(where, t("inherited", message=d.message, ancestor=writer, where=d.where(),
                                        edition=res.id), d.allowed)
    return replace(moved, path=section, fix=d.fix or section_fix(res, key, sub, correct), origin=d.origin)

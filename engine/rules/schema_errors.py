"""Schema errors in plain words: pydantic's findings as file:line:col diagnostics saying what is allowed.

No type names (`str`, `valid integer`) and no validator words reach the reader: "wrong type: "0,4" is
text, not a number; use a decimal point: 0.4", "101 is too large / allowed: a number from 0 to 100",
a did-you-mean for every unknown key (by spelling, and by meaning for words like `threshold`).
"""
from __future__ import annotations

import difflib
import json
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..errors import Diagnostic, did_you_mean
from . import yamlsrc
from .messages import t

UNION_TAGS = ("list", "edit", "bool", "str", "int", "float")
DECIMAL_COMMA = re.compile(r"^\s*([-+]?[0-9]+),([0-9]+)\s*$")
NUMBER_TEXT = re.compile(r"^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$")
# Words an author may write for a key, by meaning: (key meant, why)
SYNONYMS = {"threshold": ("min_score", "synonym_threshold"), "ambang": ("min_score", "synonym_threshold"),
            "min": ("min_score", "synonym_threshold"), "weight": ("weights", "synonym_weight"),
            "bobot": ("weights", "synonym_weight"), "point": ("points", "synonym_points"),
            "poin": ("points", "synonym_points"), "star": ("stars", "synonym_stars"),
            "bintang": ("stars", "synonym_stars"), "name": ("label", "synonym_label"),
            "nama": ("label", "synonym_label"), "source": ("provenance", "synonym_source")}


def pydantic_diagnostics(located: yamlsrc.Located, exc: ValidationError, model: type) -> list[Diagnostic]:
    """Translate pydantic errors into file:line:col diagnostics with what is allowed."""
    out: dict[tuple, Diagnostic] = {}
    kinds: dict[tuple, set[str]] = {}
    for err in exc.errors():
        kinds.setdefault(_data_path(located.data, err["loc"]), set()).add(err["type"])
    for err in exc.errors():
        path = _data_path(located.data, err["loc"])
        key = path if err["type"] != "missing" else path + ("<missing>",)
        if key in out and err["type"] not in ("extra_forbidden", "missing"):
            continue  # one message per place: unions report each branch
        out[key] = located.diagnostic(path, *explain(err, path, model, kinds[path]))
    return sorted(out.values(), key=lambda d: (d.line or 0, d.col or 0))


def _data_path(data: Any, loc: tuple) -> tuple:
    """The part of a pydantic location that exists in the data (drops union tags like 'list')."""
    path, node = (), data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path, node = path + (part,), node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path, node = path + (part,), node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in UNION_TAGS \
                and not part.startswith(("ListEdit", "function", "literal", "constrained")):
            path = path + (part,)
            break
    return path


def explain(err: dict, path: tuple, model: type, kinds: set[str]) -> tuple:
    """(message, allowed) for one pydantic error at `path` of a file of `model`."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    name = path[-1] if path else ""
    info = field_info(model, path)
    if kind == "extra_forbidden":
        allowed = fields_at(model, path[:-1])
        return t("unknown_key", key=name, hint=key_hint(str(name), allowed)), ", ".join(sorted(allowed)) or None
    if kind == "missing":
        key = err["loc"][-1]
        return t("missing_key", key=key), t("missing_key_ok", key=key, what=want(info, set()) or t("want_text"))
    if kind == "literal_error":
        return t("not_allowed_value", value=_short(value)), t("want_one_of", choices=ctx.get("expected", ""))
    if kind == "string_pattern_mismatch":
        return t("wrong_form", value=_short(value)), pattern_help(str(name))
    if kind in ("string_too_short",):
        return t("empty_text"), t("want_nonempty_text")
    if kind == "too_short":
        return t("too_few", n=ctx.get("min_length"), actual=ctx.get("actual_length")), want(info, kinds)
    if kind in ("greater_than_equal", "greater_than"):
        return t("too_small", value=_short(value)), want(info, kinds)
    if kind in ("less_than_equal", "less_than"):
        return t("too_large", value=_short(value)), want(info, kinds)
    if kind.endswith("_type") or kind in ("union_tag_invalid", "model_attributes_type"):
        return t("wrong_type", got=got(value), want=want_short(kinds, info), hint=type_hint(value, kinds, info)), \
            want(info, kinds)
    if kind == "value_error":
        return _validator_words(str(ctx.get("error", err["msg"])))
    return str(err["msg"]), want(info, kinds)


def _short(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:60] if not isinstance(value, str) else value[:60]


def _validator_words(text: str) -> tuple:
    if "level needs exactly one" in text:
        return t("level_one_condition"), t("level_one_condition_ok")
    if "condition needs exactly one" in text:
        return t("cap_one_condition"), t("cap_one_condition_ok")
    if "sourced item" in text:
        return t("sourced_needs_source"), t("sourced_needs_source_ok")
    if "number too long" in text or "exponent too large" in text:  # engine.rules.conditions.bounded_condition
        from .limits import NUMBER_ALLOWED
        return text, NUMBER_ALLOWED
    return text, None


def key_hint(word: str, allowed) -> str:
    """Did-you-mean for an unknown key: by spelling among the allowed keys, else by meaning."""
    by_spelling = did_you_mean(word, allowed)
    if by_spelling:
        return by_spelling
    close = difflib.get_close_matches(word.lower(), SYNONYMS, n=1, cutoff=0.7)
    if close and SYNONYMS[close[0]][0] in allowed:
        meant, why = SYNONYMS[close[0]]
        return t("hint_synonym", key=meant, why=t(why))
    return ""


def got(value) -> Any:
    if value is None:
        return t("got_null")
    if isinstance(value, bool):
        return t("got_bool", value=json.dumps(value))
    if isinstance(value, float):
        return t("got_decimal", value=value)
    if isinstance(value, int):
        return t("got_number", value=value)
    if isinstance(value, str):
        return t("got_text", value=value[:60])
    if isinstance(value, list):
        return t("got_list")
    return t("got_mapping")


def _numeric(kinds: set[str], info) -> str | None:
    if "float_type" in kinds or _accepts(info, float):
        return "number"
    if "int_type" in kinds or _accepts(info, int):
        return "whole"
    return None


def want_short(kinds: set[str], info):
    numeric = _numeric(kinds, info)
    if numeric:
        return t("not_number") if numeric == "number" else t("not_whole")
    for kind, key in (("string_type", "not_text"), ("bool_type", "not_bool"), ("list_type", "not_list")):
        if kind in kinds:
            return t(key)
    return t("not_mapping")


def type_hint(value, kinds: set[str], info):
    numeric = _numeric(kinds, info)
    if not isinstance(value, str) or not numeric:
        return ""
    comma = DECIMAL_COMMA.match(value)
    if comma and numeric == "number":
        return t("hint_decimal_comma", number=f"{comma.group(1)}.{comma.group(2)}")
    if NUMBER_TEXT.match(value):
        return t("hint_quotes", value=value.strip())
    return ""


def want(info, kinds: set[str]):
    """What a value at a field may be, in plain words (with its range)."""
    numeric = _numeric(kinds, info)
    if numeric:
        return t("want_number" if numeric == "number" else "want_whole", range=_range(info))
    annotation = getattr(info, "annotation", None)
    inner = _model_of(annotation)
    if _is_list_or_edit(annotation):
        return t("want_list_or_edit")
    if _accepts(info, list):
        return t("want_list")
    if inner is not None and inner.__name__ == "Label":
        return t("want_label")
    if inner is not None:
        return t("want_mapping_keys", keys=", ".join(f.alias or n for n, f in inner.model_fields.items()))
    if _accepts(info, bool):
        return t("want_bool")
    if _accepts(info, list) or "list_type" in kinds:
        return t("want_list")
    if _accepts(info, dict) or "dict_type" in kinds:
        return t("want_mapping")
    if getattr(info, "metadata", None) and any(getattr(m, "min_length", None) for m in info.metadata):
        return t("want_nonempty_text")
    return t("want_text") if _accepts(info, str) else None


def _range(info) -> Any:
    low = high = None
    for m in getattr(info, "metadata", None) or []:
        low = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else low
        high = getattr(m, "le", None) if getattr(m, "le", None) is not None else high
    if low is not None and high is not None:
        return t("range_from_to", low=low, high=high)
    if low is not None:
        return t("range_at_least", low=low)
    if high is not None:
        return t("range_at_most", high=high)
    return ""


def _types_in(annotation) -> list:
    out, stack = [], [annotation]
    while stack:
        a = stack.pop()
        origin = get_origin(a)
        if origin is None:
            out.append(a)
        elif origin in (list, dict):
            out.append(origin)
        else:
            stack.extend(get_args(a))
    return out


def _accepts(info, kind: type) -> bool:
    return info is not None and any(a is kind for a in _types_in(info.annotation))


def _is_list_or_edit(annotation) -> bool:
    types = _types_in(annotation)
    return list in types and any(isinstance(a, type) and a.__name__.startswith("ListEdit") for a in types)


def _model_of(annotation):
    models = [a for a in _types_in(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
    return models[0] if len(models) == 1 else None


def pattern_help(field_name: str):
    if field_name in ("when", "requires"):
        return t("want_condition")
    if field_name in ("edition", "extends"):
        return t("want_edition_id")
    if field_name == "url":
        return t("want_url")
    if field_name == "id":
        return t("want_criterion_id") + "; " + t("want_group_id")
    if field_name == "group":
        return t("want_group_id")
    return t("want_code")


def field_info(model: type, path: tuple):
    """The pydantic FieldInfo of the field at `path` (a key of a model), or None."""
    if not path or isinstance(path[-1], int):
        return None
    parent = _model_at(model, path[:-1])
    if parent is None:
        return _dict_value_info(model, path)
    return parent.model_fields.get(path[-1]) or next(
        (f for f in parent.model_fields.values() if f.alias == path[-1]), None)


def _dict_value_info(model: type, path: tuple):
    """A mapping's value (score.weights.A): the mapping's field, whose value type says what is allowed."""
    info = field_info(model, path[:-1]) if len(path) > 1 else None
    if info is None or dict not in _types_in(info.annotation):
        return None
    return info


def fields_at(model: type, path: tuple) -> set[str]:
    """The keys allowed at `path` inside `model` (for did-you-mean)."""
    current = _model_at(model, path)
    return {f.alias or n for n, f in current.model_fields.items()} if current is not None else set()


def _model_at(model: type, path: tuple):
    current: Any = model
    for n, part in enumerate(path):
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part) or next(
                (f for f in current.model_fields.values() if f.alias == part), None)
            if info is None:
                return None
            listed = n + 1 < len(path) and isinstance(path[n + 1], int)
            current = _model_in(info.annotation, listed)
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _model_in(annotation: Any, listed: bool):
    """The model inside a field's type; `listed`: the one inside its list (not a ListEdit beside it)."""
    stack = [annotation]
    while stack:
        a = stack.pop(0)
        if listed and get_origin(a) is list:
            stack, listed = list(get_args(a)), False
            continue
        if not listed and isinstance(a, type) and issubclass(a, BaseModel):
            return a
        stack.extend(get_args(a))
    return None

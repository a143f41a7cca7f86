"""The assessors' input (CRITERIA.md section 6): the Assessment model and `load_assessments`.

`load_assessments(paths, ruleset)` reads JSON or YAML files (one assessment or a list), checks
every assessment against the rule set and returns them, or raises OvopError with every problem
found, each naming file:line:col, the assessment id (or "item N (no id)") and the field:

    datasets/x.yaml:12:5: 2024-JB-0007: evidence.bahan_baku_lokal_pct: 120 is out of range
        allowed: a number with 0 <= x <= 100

Numbers are kept exact: `Assessment.exact_evidence()` gives Fractions of the values as written.
Integer fields take integers only (2.5 and 3.0 are refused). `edition_override` re-targets every
assessment at another edition (what-if), mapping commodity codes by rules/commodity_map.yaml; there a
gate fact the assessment lacks is unknown (the outcome is conditional), not an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import Field, PrivateAttr, StrictBool, StrictFloat, StrictInt, ValidationError

from ..errors import Diagnostic, OvopError, did_you_mean, source_line
from ..rules import CommodityMap, Edition, RuleSet, Strict, exact, load_commodity_map, pydantic_diagnostics, yamlsrc
from .messages import FIELD_OK, localized, t, translated, type_words
from .read import Source, read
from .values import Spec, problem

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ID_HELP = t("id_ok")
KEYS = "id, edition, ikm, gates, evidence, previous"
GateValue = Union[StrictBool, StrictInt, StrictFloat]
EvidenceValue = Union[StrictInt, StrictFloat, str]
Text = Annotated[str, Field(min_length=1)]


class Ikm(Strict):
    """The firm (industri kecil menengah) and its product."""
    name: Text
    province: Text
    regency: Text
    commodity: str = Field(description="a code of the edition's commodity list")
    product: Text


class Previous(Strict):
    """The firm's result in an earlier round (2024 reports movement against it)."""
    edition: str = Field(description="an earlier edition on the same star scale")
    stars: StrictInt = Field(json_schema_extra={"minimum": 0}, description="0: no stars")


@dataclass(frozen=True)
class Origin:
    """Where an assessment was read, and its edition and commodity before any what-if re-targeting."""
    file: str
    line: int | None
    col: int | None
    edition: str
    commodity: str


class Assessment(Strict):
    """One assessment of one firm in one edition."""
    id: str = Field(json_schema_extra={"pattern": ID_PATTERN}, description="unique within its edition")
    edition: str
    ikm: Ikm
    gates: dict[str, GateValue] = Field(description="every gate fact the edition needs for this commodity")
    evidence: dict[str, EvidenceValue] = Field(description="every criterion evidence the edition needs")
    previous: Previous | None = None
    _exact: dict = PrivateAttr(default_factory=dict)
    _origin: Origin | None = PrivateAttr(default=None)

    def exact_evidence(self) -> dict[str, Fraction | str]:
        """Evidence with every number as an exact Fraction of the value as written; codes as given."""
        return {k: self._exact_of("evidence", k, v) for k, v in self.evidence.items()}

    def exact_gates(self) -> dict[str, bool | Fraction]:
        return {k: self._exact_of("gates", k, v) for k, v in self.gates.items()}

    def number(self, name: str) -> Fraction:
        """The exact value of a numeric evidence item."""
        value = self.exact_evidence()[name]
        if not isinstance(value, Fraction):
            raise TypeError(f"evidence {name} is not a number")
        return value

    @property
    def origin(self) -> Origin | None:
        return self._origin

    def _exact_of(self, section: str, name: str, value: Any) -> Any:
        if isinstance(value, (bool, str)):
            return value
        known = self._exact.get((section, name))
        return known if known is not None else exact(value)


@dataclass
class Catalogue:
    """Every gate fact and evidence name that some edition defines, with its definition."""
    ruleset: RuleSet
    gates: dict[str, Spec]
    evidence: dict[str, Spec]

    @classmethod
    def of(cls, ruleset: RuleSet) -> "Catalogue":
        gates, evidence = {}, {}
        for resolved in ruleset.editions.values():  # later editions win for a name both define
            gates.update({g.fact: Spec.of(g) for g in resolved.model.gates})
            evidence.update({c.evidence.name: Spec.of(c.evidence) for c in resolved.model.criteria})
        return cls(ruleset, dict(sorted(gates.items())), dict(sorted(evidence.items())))

    @property
    def editions(self) -> dict[str, Edition]:
        return {e: r.model for e, r in self.ruleset.editions.items()}


@dataclass
class Check:
    """The checking of one assessment: where it is in its file and the problems found."""
    source: Source
    root: tuple
    label: str
    errors: list[Diagnostic]

    def where(self, path: str) -> str:
        return f"{self.label}: {path}" if path else self.label

    def at(self, path: tuple, message: str, allowed: str | None = None) -> None:
        file = self.source.file
        line, col = self.source.located.position(self.root + tuple(path))
        self.errors.append(Diagnostic(file, line, col, self.where(yamlsrc.dotted(path)), translated(message),
                                      translated(allowed) if allowed else allowed, source_line(file, line)))

    def value(self, path: tuple, value: Any, spec: Spec) -> None:
        full = self.root + tuple(path)
        msg = problem(spec, value, self.source.exact(full, value), self.source.written(full, value))
        if msg:
            self.at(path, msg, spec.describe())


def load_assessments(paths: list[Path], ruleset: RuleSet, edition_override: str | None = None) -> list[Assessment]:
    """Read and check assessment files; every problem of every file at once, or the assessments in order."""
    target = ruleset.get(edition_override).model if edition_override else None
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions) if target else None
    found: list[Assessment] = []
    errors: list[Diagnostic] = []
    keys: list[tuple[str, str, Diagnostic]] = []
    for path in paths:
        try:
            source = read(Path(path), str(path))
        except OvopError as exc:
            errors += exc.diagnostics
            continue
        items, errs = check_file(source, catalogue, target, cmap, keys)
        found += items
        errs = sorted(errs, key=lambda d: (d.line or 0, d.col or 0))
        relocate = getattr(source, "relocate", None)  # spreadsheets: sheet, row and column
        errors += [relocate(d) for d in errs] if relocate else errs
    errors += duplicates(keys)
    if errors:
        raise OvopError(localized(errors))
    return found


def check_file(source: Source, catalogue: Catalogue, target: Edition | None, cmap: CommodityMap | None,
               keys: list) -> tuple[list[Assessment], list[Diagnostic]]:
    data = source.located.data
    if isinstance(data, list) and not data:
        return [], [source.located.diagnostic((), t("empty_list"), t("empty_list_ok"))]
    roots = [((i,), f"item {i + 1}") for i in range(len(data))] if isinstance(data, list) else [((), "")]
    found, errors = [], []
    for root, item in roots:
        raw = data[root[0]] if root else data
        check = Check(source, root, item_label(raw, item), [])
        assessment = check_one(check, raw, catalogue, target, cmap, keys)
        errors += check.errors
        if assessment is not None:
            found.append(assessment)
    return found, errors


def item_label(raw: Any, item: str) -> str:
    ident = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(ident, str) and ident.strip():
        return ident
    return f"{item} (no id)" if item else "(no id)"


def check_one(check: Check, raw: Any, catalogue: Catalogue, target: Edition | None, cmap: CommodityMap | None,
              keys: list) -> Assessment | None:
    if not isinstance(raw, dict):
        check.at((), t("not_an_assessment", what=type_words(raw)), KEYS)
        return None
    _structure(check, raw)
    declared = _edition(check, raw, catalogue)
    edition = target or declared
    commodity = _commodity(check, raw, declared, target, cmap)
    whatif = target is not None and declared is not None and target.edition != declared.edition
    # what-if: a gate fact the assessment lacks is unknown, not missing (CRITERIA.md section 7)
    _section(check, raw, "gates", catalogue.gates, edition, [] if whatif else _needed_gates(edition, commodity),
             commodity)
    _section(check, raw, "evidence", catalogue.evidence, edition, edition.evidence_names() if edition else [], None)
    _previous(check, raw, catalogue)
    if edition is not None and isinstance(raw.get("id"), str):
        line, col = check.source.located.position(check.root + ("id",))
        keys.append((edition.edition, raw["id"], Diagnostic(check.source.file, line, col, check.where("id"))))
    if check.errors:
        return None
    return _build(check, raw, edition, commodity)


def _structure(check: Check, raw: dict) -> None:
    """Keys, required fields and plain types, by the model (gate and evidence values are checked by rules)."""
    shell = {k: ({} if k in ("gates", "evidence") and isinstance(v, dict) else v) for k, v in raw.items()}
    try:
        Assessment.model_validate(shell)
    except ValidationError as exc:
        _report(check, shell, exc)
    ident = raw.get("id")
    if isinstance(ident, str) and not re.match(ID_PATTERN, ident):
        check.at(("id",), t("wrong_form", value=ident), ID_HELP)


def _report(check: Check, data: dict, exc: ValidationError) -> None:
    n = len(check.root)
    locs = {p[n:]: v for p, v in check.source.located.locs.items() if p[:n] == check.root}
    sub = yamlsrc.Located(check.source.file, data, locs)
    for d in pydantic_diagnostics(sub, exc, Assessment):
        message = d.message
        allowed = d.allowed if "unknown key" in message else _allowed(d.path, d.allowed)
        check.errors.append(replace(d, path=check.where(d.path), message=message, allowed=allowed))


def _allowed(path: str, allowed: str | None) -> str | None:
    """What the model's own wording lacks: the form each top-level field takes."""
    if path in FIELD_OK:
        return t(FIELD_OK[path])
    if path.startswith("ikm.") and path.count(".") == 1:
        return t("nonempty_text")
    return allowed


def _edition(check: Check, raw: dict, catalogue: Catalogue) -> Edition | None:
    declared = raw.get("edition")
    if not isinstance(declared, str):
        return None
    editions = catalogue.editions
    if declared not in editions:
        check.at(("edition",), t("unknown_edition", edition=declared, hint=did_you_mean(declared, editions)),
                 ", ".join(editions))
        return None
    return editions[declared]


def _commodity(check: Check, raw: dict, declared: Edition | None, target: Edition | None,
               cmap: CommodityMap | None) -> str | None:
    ikm = raw.get("ikm")
    code = ikm.get("commodity") if isinstance(ikm, dict) else None
    if not isinstance(code, str):
        return None
    path = ("ikm", "commodity")
    if declared is not None and not _in_list(check, code, declared):
        return None
    if target is None or cmap is None:
        return code
    mapped, why = cmap.target(code, target)
    if why:
        check.at(path, t("whatif_commodity", edition=target.edition, why=why), ", ".join(c.code for c in target.commodities))
    return mapped


def _in_list(check: Check, code: str, edition: Edition) -> bool:
    codes = [c.code for c in edition.commodities]
    if code in codes:
        return True
    check.at(("ikm", "commodity"), t("commodity_not_in_list", code=code, edition=edition.edition,
                                     hint=did_you_mean(code, codes)), ", ".join(codes))
    return False


def _needed_gates(edition: Edition | None, commodity: str | None) -> list[str]:
    if edition is None:
        return []
    return [g.fact for g in edition.gates_for(commodity or "")]


def _section(check: Check, raw: dict, section: str, known: dict[str, Spec], edition: Edition | None,
             needed: list[str], commodity: str | None) -> None:
    """Names known to some edition, values valid for their definition, nothing the edition needs missing."""
    values = raw.get(section)
    if not isinstance(values, dict):
        return
    here = _specs_of(edition, section)
    unknown = "unknown_gate" if section == "gates" else "unknown_evidence"
    missing = "missing_evidence" if section == "evidence" else "missing_gate_for" if commodity else "missing_gate"
    for name, value in values.items():
        spec = here.get(name) or known.get(name)
        if spec is None:
            check.at((section, name), t(unknown, name=name, hint=did_you_mean(name, known)), ", ".join(known))
        else:
            check.value((section, name), value, spec)
    for name in needed:
        if name not in values:
            check.at((section,), t(missing, name=name, edition=edition.edition, commodity=commodity),
                     here[name].describe())


_SPECS: dict[tuple[int, str], tuple[Edition, dict[str, Spec]]] = {}


def _specs_of(edition: Edition | None, section: str) -> dict[str, Spec]:
    """The edition's specs of one section, built once per edition object (read-only to callers)."""
    if edition is None:
        return {}
    hit = _SPECS.get((id(edition), section))
    if hit is not None and hit[0] is edition:
        return hit[1]
    if section == "gates":
        specs = {g.fact: Spec.of(g) for g in edition.gates}
    else:
        specs = {c.evidence.name: Spec.of(c.evidence) for c in edition.criteria}
    if len(_SPECS) > 256:
        _SPECS.clear()
    _SPECS[(id(edition), section)] = (edition, specs)
    return specs


def _previous(check: Check, raw: dict, catalogue: Catalogue) -> None:
    prev = raw.get("previous")
    if not isinstance(prev, dict):
        return
    edition, stars = prev.get("edition"), prev.get("stars")
    editions = catalogue.editions
    if isinstance(edition, str) and edition not in editions:
        check.at(("previous", "edition"), t("unknown_edition", edition=edition, hint=did_you_mean(edition, editions)),
                 ", ".join(editions))
        edition = None
    if isinstance(edition, str) and isinstance(raw.get("edition"), str) and edition >= raw["edition"]:
        check.at(("previous", "edition"), t("not_earlier", edition=edition, this=raw["edition"]),
                 ", ".join(e for e in editions if e < raw["edition"]) or None)
    if not isinstance(stars, int) or isinstance(stars, bool):
        return
    scale = editions[edition].star_scale if isinstance(edition, str) else None
    if stars < 0 or (scale and stars != 0 and not scale.min <= stars <= scale.max):
        allowed = t("stars_from_to", low=scale.min, high=scale.max) if scale else t("stars_or_more")
        message = t("outside_scale_of", stars=stars, edition=edition) if scale else t("outside_scale", stars=stars)
        check.at(("previous", "stars"), message, allowed)


def _build(check: Check, raw: dict, edition: Edition, commodity: str) -> Assessment | None:
    data = dict(raw, edition=edition.edition, ikm=dict(raw["ikm"], commodity=commodity))
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as exc:  # pragma: no cover - the checks above are stricter than the model
        _report(check, data, exc)
        return None
    exact_values = {}
    for section in ("gates", "evidence"):
        for name, value in raw[section].items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                exact_values[(section, name)] = check.source.exact(check.root + (section, name), value)
    line, col = check.source.located.position(check.root)
    assessment._exact = exact_values
    assessment._origin = Origin(check.source.file, line, col, raw["edition"], raw["ikm"]["commodity"])
    return assessment


def duplicates(keys: list[tuple[str, str, Diagnostic]]) -> list[Diagnostic]:
    """Two assessments with one id in one edition, across every file of the call."""
    first: dict[tuple[str, str], Diagnostic] = {}
    out = []
    for edition, ident, where in keys:
        if (edition, ident) in first:
            seen = first[(edition, ident)]
            out.append(replace(where, message=t("duplicate_id", ident=ident, edition=edition, first=seen.where()),
                               allowed=t("each_id_once"),
                               context=source_line(where.file, where.line)))
        else:
            first[(edition, ident)] = where
    return out

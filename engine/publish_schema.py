"""The published database's shape: tables (keys, foreign keys), indexes and views.

Every rule item has a text key that starts with its edition and repeats the trace's rule name, so a
trace step's `rule` finds its row: "2024/criterion/A1/2" is level 2 of criterion A1 in edition 2024.
Foreign keys are single columns so that Datasette links them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

T, I, R = str, int, float
PROV = {"provenance_status": T, "source": T, "source_url": T, "note": T}
LABEL = {"label_id": T, "label_en": T}


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict
    pk: str | tuple[str, ...]
    fks: list[tuple[str, str, str]] = field(default_factory=list)
    indexes: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)


def _fk(column: str, table: str, other: str = "key") -> tuple[str, str, str]:
    return (column, table, other)


TABLES: list[Table] = [
    Table("editions", {"id": T, **{"title_id": T, "title_en": T}, "status": T, "frozen": I, "extends": T,
                       "scale_min": I, "scale_max": I, "scale_status": T, "legal_basis": T,
                       "legal_basis_status": T, "legal_basis_url": T, "score_method": T, "score_weights": T,
                       "score_status": T, "max_points": I, "criteria_count": I, "hash": T, "files": T},
          "id", [_fk("extends", "editions", "id")]),
    Table("sources", {"key": T, "edition": T, "source": T, "title": T, "url": T}, "key",
          [_fk("edition", "editions", "id")], [("edition",)]),
    Table("commodities", {"key": T, "edition": T, "code": T, **LABEL, **PROV}, "key",
          [_fk("edition", "editions", "id")], [("edition",), ("code",)]),
    Table("gates", {"key": T, "edition": T, "fact": T, "type": T, "requires": T, "applies_to": T,
                    "min": R, "max": R, **LABEL, **PROV}, "key", [_fk("edition", "editions", "id")], [("edition",)]),
    Table("groups", {"key": T, "edition": T, "id": T, "max_points": I, "weight": R, "aspects": T, **LABEL, **PROV},
          "key", [_fk("edition", "editions", "id")], [("edition",)]),
    Table("criteria", {"key": T, "edition": T, "id": T, "group_key": T, "group": T, "aspect": T, "evidence": T,
                       "type": T, "unit": T, "min": R, "max": R, "codes": T, "max_points": I, **LABEL,
                       "evidence_label_id": T, "evidence_label_en": T, **PROV},
          "key", [_fk("edition", "editions", "id"), _fk("group_key", "groups")], [("edition",), ("group_key",)]),
    Table("levels", {"key": T, "edition": T, "criterion_key": T, "criterion": T, "level": I, "points": I,
                     "condition": T, "codes": T, "own_provenance": I, **PROV},
          "key", [_fk("edition", "editions", "id"), _fk("criterion_key", "criteria")], [("edition",), ("criterion_key",)]),
    Table("bands", {"key": T, "edition": T, "stars": I, "min_score": R, **PROV}, "key",
          [_fk("edition", "editions", "id")], [("edition",)]),
    Table("caps", {"key": T, "edition": T, "id": T, "max_stars": I, "requires": T, "requires_json": T, **LABEL, **PROV},
          "key", [_fk("edition", "editions", "id")], [("edition",)]),
    Table("consequences", {"key": T, "edition": T, "name": T, "value": T, "min_stars": I, **LABEL, **PROV}, "key",
          [_fk("edition", "editions", "id")], [("edition",)]),
    Table("ikm", {"id": T, "name": T, "province": T, "regency": T}, "id", [], [("name",), ("province",)]),
    Table("assessments", {"key": T, "edition": T, "id": T, "ikm": T, "commodity": T, "commodity_key": T,
                          "product": T, "province": T, "regency": T, "previous_edition": T, "previous_stars": I,
                          "source_file": T, "input_json": T, "input_hash": T},
          "key", [_fk("edition", "editions", "id"), _fk("ikm", "ikm", "id"), _fk("commodity_key", "commodities")],
          [("edition",), ("ikm",), ("commodity_key",)]),
    Table("evidence", {"assessment": T, "section": T, "name": T, "value_text": T, "value_number": R},
          ("assessment", "section", "name"), [_fk("assessment", "assessments")], [("name",)]),
    Table("outcomes", {"key": T, "assessment": T, "edition": T, "id": T, "ikm": T, "ikm_name": T,
                       "commodity": T, "province": T, "regency": T, "status": T, "stars": I, "band_stars": I,
                       "capped": I, "score": R, "gates_failed": T, "pembina": T, "label_kemasan": I,
                       "kandidat_go_global": I, "movement": T, "previous_edition": T, "previous_stars": I,
                       "band_key": T, "cap_key": T, "ruleset_hash": T, "input_hash": T, "trace_hash": T,
                       "engine_version": T, "what_it_takes": T, "explanation_id": T, "explanation_en": T},
          "key", [_fk("assessment", "assessments"), _fk("edition", "editions", "id"), _fk("ikm", "ikm", "id"),
                  _fk("band_key", "bands"), _fk("cap_key", "caps")],
          [("edition",), ("ikm",), ("commodity",), ("province",), ("stars",), ("status",), ("movement",),
           ("edition", "stars"), ("band_key",), ("cap_key",), ("score",),
           # covers the default facets of a table view filtered by edition (and province): rows are wide
           ("edition", "province", "commodity", "stars", "status")]),
    Table("trace_steps", {"outcome": T, "step": I, "kind": T, "rule": T, "rule_key": T, "subject": T,
                          "value": T, "result": T, "points": I, "max_points": I, "gate_key": T,
                          "criterion_key": T, "level_key": T, "band_key": T, "cap_key": T,
                          "provenance_status": T, "source_url": T, "detail": T},
          ("outcome", "step"), [_fk("outcome", "outcomes"), _fk("gate_key", "gates"), _fk("criterion_key", "criteria"),
                                _fk("level_key", "levels"), _fk("band_key", "bands"), _fk("cap_key", "caps")],
          [("level_key",), ("gate_key",), ("criterion_key",), ("band_key",), ("cap_key",)]),
    Table("publish_info", {"key": T, "value": T}, "key"),
]

BY_NAME = {t.name: t for t in TABLES}

VIEWS: dict[str, str] = {
    "stars_by_edition_commodity_province": """
select edition, commodity, province, status, stars, count(*) as outcomes
from outcomes
group by edition, commodity, province, status, stars
order by edition, commodity, province, status, stars""",
    # an IKM in both rounds: by its own 2022 outcome, or by the `previous` its 2024 assessment states
    "movement_2022_2024": """
select o24.ikm as ikm, o24.ikm_name as ikm_name, o24.province as province, o24.commodity as commodity,
  o22.key as outcome_2022, o24.key as outcome_2024,
  coalesce(o22.stars, case when o22.key is not null then 0 end, o24.previous_stars) as stars_2022,
  case when o22.key is not null then 'outcome 2022' else 'previous (2024 input)' end as stars_2022_from,
  coalesce(o24.stars, 0) as stars_2024,
  coalesce(o24.stars, 0) - coalesce(o22.stars, case when o22.key is not null then 0 end, o24.previous_stars) as change,
  o24.movement as movement
from outcomes o24
left join outcomes o22 on o22.edition = '2022' and o22.ikm = o24.ikm
where o24.edition = '2024' and (o22.key is not null or o24.previous_edition = '2022')
order by o24.ikm, o24.key, o22.key""",
    "fragile_stars": """
select o.key as outcome, o.edition, o.id, o.ikm_name, o.commodity, o.province, o.status, o.stars, o.score,
  b.stars as threshold_stars, b.min_score as threshold, round(o.score - b.min_score, 2) as distance,
  case when o.score >= b.min_score then 'above' else 'below' end as side, b.key as band_key
from outcomes o join bands b on b.edition = o.edition
where o.score is not null and abs(o.score - b.min_score) <= 2
order by o.edition, o.key, b.stars""",
}

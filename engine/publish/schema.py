"""The published database's shape: tables (keys, foreign keys), indexes and views.

Every rule item has a text key that starts with its edition and repeats the trace's rule name, so a
trace step's `rule` finds its row: "2024/criterion/A1/2" is level 2 of criterion A1 in edition 2024.
Foreign keys are single columns so that Datasette links them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

T, I, R, B, ANY = str, int, float, bytes, object
PROV = {"provenance_status": T, "source": T, "source_url": T, "note": T}
LABEL = {"label_id": T, "label_en": T}


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict
    pk: str | tuple[str, ...]
    fks: list[tuple[str, str, str]] = field(default_factory=list)
    indexes: list[tuple[str, ...]] = field(default_factory=list)
    unique: list[tuple[str, ...]] = field(default_factory=list)
    without_rowid: bool = False
    # column -> SQL expression of other columns: computed when read (VIRTUAL), nothing stored
    generated: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)

    @property
    def stored(self) -> list[str]:
        """The columns an INSERT gives (not the generated ones)."""
        return [c for c in self.columns if c not in self.generated]

    def create_sql(self) -> str:
        """CREATE TABLE with types, NOT NULL keys, a composite or single primary key and foreign keys."""
        pk = (self.pk,) if isinstance(self.pk, str) else self.pk
        types = {str: " TEXT", int: " INTEGER", float: " REAL", bytes: " BLOB", object: ""}
        cols = [f"[{c}]{types[t]}{' NOT NULL' if c in pk else ''}"
                + (f" GENERATED ALWAYS AS ({self.generated[c]}) VIRTUAL" if c in self.generated else "")
                for c, t in self.columns.items()]
        cols.append(f"PRIMARY KEY ({', '.join(f'[{c}]' for c in pk)})")
        cols += [f"FOREIGN KEY([{c}]) REFERENCES [{t}]([{o}])" for c, t, o in self.fks]
        body = ",\n   ".join(cols)
        return f"CREATE TABLE [{self.name}] (\n   {body}\n)" + (" WITHOUT ROWID" if self.without_rowid else "")


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
    Table("rules", {"id": I, "key": T, "edition": T, "kind": T, "rule": T, "subject": T, "max_points": I,
                    "provenance_status": T, "source_url": T, "rule_key": T, "criterion_key": T, "gate_key": T,
                    "level_key": T, "group_key": T, "band_key": T, "cap_key": T, "consequence_key": T},
          "id", [_fk("edition", "editions", "id"), _fk("criterion_key", "criteria"), _fk("gate_key", "gates"),
                 _fk("level_key", "levels"), _fk("group_key", "groups"), _fk("band_key", "bands"),
                 _fk("cap_key", "caps"), _fk("consequence_key", "consequences")], unique=[("key",)]),
    # no index on name or province: nothing queries them (55 bytes an ikm row)
    Table("ikm", {"id": T, "name": T, "province": T, "regency": T}, "id", without_rowid=True),
    # the input files read, in the order given (an assessment names its file by id: a path per row cost ~40 bytes)
    Table("source_files", {"id": I, "file": T, "sha256": T}, "id"),
    Table("assessments", {"key": T, "edition": T, "id": T, "ikm": T, "commodity": T, "commodity_key": T,
                          "product": T, "province": T, "regency": T, "previous_edition": T, "previous_stars": I,
                          "source_file": I, "input_packed": B, "input_hash": B},
          "key", [_fk("edition", "editions", "id"), _fk("ikm", "ikm", "id"), _fk("commodity_key", "commodities"),
                  _fk("source_file", "source_files", "id")],
          [("ikm",)], generated={"commodity_key": "[edition] || '/' || [commodity]"}),
    Table("outcomes", {"key": T, "n": I, "assessment": T, "edition": T, "id": T, "ikm": T, "ikm_name": T,
                       "commodity": T, "province": T, "regency": T, "status": T, "stars": I, "band_stars": I,
                       "capped": I, "score": R, "gates_failed": T, "pembina": T, "label_kemasan": I,
                       "kandidat_go_global": I, "movement": T, "previous_edition": T, "previous_stars": I,
                       "band_key": T, "cap_key": T, "engine_version": T},
          "key", [_fk("assessment", "assessments"), _fk("edition", "editions", "id"), _fk("ikm", "ikm", "id"),
                  _fk("band_key", "bands"), _fk("cap_key", "caps")],
          [("ikm",), ("stars",), ("score",),
           # the default sort (score, descending) of a table view filtered by edition (and province)
           ("edition", "score"), ("edition", "province", "score"),
           # covers the default facets of a table view filtered by edition (and province); the unfiltered view's
           # facets are counted once, in outcome_facets (one index per facet column cost 70 bytes an outcome)
           ("edition", "province", "commodity", "stars", "status")], unique=[("n",)],
          # keys that repeat other columns are worked out when read (49 bytes an outcome and assessment stored)
          generated={"assessment": "[key]",
                     "band_key": "CASE WHEN [band_stars] THEN [edition] || '/band/' || [band_stars] END"}),
    # one row per outcome: its trace steps packed (engine.publish.packing); the trace_steps view unpacks them
    Table("traces", {"outcome": I, "steps": B}, "outcome"),
    # the preset dictionaries of the packed columns (assessments.input_packed, traces.steps)
    Table("codecs", {"part": T, "method": T, "dictionary": B}, "part"),
    # the counts an unfiltered outcomes table view shows as facets (site plugin), counted once after loading
    Table("outcome_facets", {"column": T, "value": ANY, "count": I}, ("column", "value"), without_rowid=True),
    # the counts of the per-edition facets (engine/web/facets.py) of the unfiltered outcomes table: each edition's
    # values of a column of PER_EDITION_COLUMNS, nulls included (a value may be null: n is the key)
    Table("outcome_edition_facets", {"n": I, "column": T, "edition": T, "value": ANY, "count": I}, "n"),
    Table("outcomes_what_if", {"assessment": T, "edition": T, "from_edition": T, "commodity": T, "status": T,
                               "stars": I, "band_stars": I, "capped": I, "score": R, "gates_failed": T,
                               "gates_unknown": T, "pembina": T, "stars_own": I, "status_own": T},
          ("assessment", "edition"), [_fk("assessment", "assessments"), _fk("edition", "editions", "id"),
                                      _fk("from_edition", "editions", "id")],
          [("from_edition", "edition", "stars"), ("edition",)]),
    Table("what_if_missing", {"assessment": T, "edition": T, "from_edition": T, "reason": T},
          ("assessment", "edition"), [_fk("assessment", "assessments"), _fk("edition", "editions", "id"),
                                      _fk("from_edition", "editions", "id")], [("from_edition", "edition")]),
    Table("publish_info", {"key": T, "value": T}, "key"),
]

BY_NAME = {t.name: t for t in TABLES}
# the columns of a trace step row (the trace_steps view; engine.publish.packing packs them per outcome)
TRACE_COLUMNS = ("outcome", "step", "rule", "value", "result", "points")

_VALUE = ("case j.type when 'true' then 'true' when 'false' then 'false' else cast(j.value as text) end as value_text, "
          "case when j.type in ('integer', 'real') then j.value end as value_number")

_INPUT = "ovop_unpack(a.input_packed, (select dictionary from codecs where part = 'input'))"

# outcome facets counted in outcome_facets (the columns of site/metadata.yaml's outcomes facets, and more)
FACET_COLUMNS = ("edition", "commodity", "province", "stars", "status", "pembina", "movement", "capped",
                 "label_kemasan", "kandidat_go_global", "previous_edition")

# the columns whose per-edition counts outcome_edition_facets holds (site/metadata.yaml: {per_edition: stars})
PER_EDITION_COLUMNS = ("stars",)

VIEWS: dict[str, str] = {
    # the stored input as canonical JSON text
    "assessment_inputs": f"""
select a.key as assessment, {_INPUT} as input_json, 'sha256:' || lower(hex(a.input_hash)) as input_hash
from assessments a""",
    # read from the stored input, not stored twice
    "evidence": f"""
select a.key as assessment, 'evidence' as section, j.key as name, {_VALUE}
from assessments a, json_each({_INPUT}, '$.evidence') j
union all
select a.key as assessment, 'gates' as section, j.key as name, {_VALUE}
from assessments a, json_each({_INPUT}, '$.gates') j""",
    # every step of every outcome, one row each (outcome: the outcome's n; rule: the rules row's id)
    "trace_steps": """
select t.outcome, s.key + 1 as step, s.value ->> 0 as rule, s.value ->> 1 as value, s.value ->> 2 as result,
  s.value ->> 3 as points
from traces t, json_each(ovop_unpack(t.steps, (select dictionary from codecs where part = 'trace'))) s""",
    # trace_steps with the outcome's key and the rule's name, labels and provenance
    "trace": """
select o.key as outcome, t.step, r.kind, r.rule, r.subject, t.value, t.result, t.points, r.max_points,
  r.provenance_status, r.source_url, r.rule_key
from trace_steps t join outcomes o on o.n = t.outcome join rules r on r.id = t.rule""",
    "what_if_transitions": """
select from_edition, edition, status_own, stars_own, status, stars, count(*) as assessments
from outcomes_what_if
group by from_edition, edition, status_own, stars_own, status, stars
order by from_edition, edition, status_own, stars_own, status, stars""",
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

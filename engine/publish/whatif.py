"""`ovop publish --what-if`: every assessment also evaluated (batch path) under every other edition whose evidence
it has, into `outcomes_what_if`; a gate fact it lacks is unknown there (status `conditional`, listed in
`gates_unknown`: CRITERIA.md section 7). One that cannot be evaluated (evidence the edition needs is missing, a
value is not valid there, or its commodity has no code in that edition's list: rules/commodity_map.yaml) goes to
`what_if_missing` with the reason, never dropped silently."""
from __future__ import annotations

from fractions import Fraction

from ..batch import BatchEvaluator, BatchInputError
from ..errors import Diagnostic, OvopError
from ..inputs import Spec, problem
from ..rules import RuleSet, exact, load_commodity_map
from .rules import dumps


class WhatIf:
    def __init__(self, ruleset: RuleSet, be: BatchEvaluator, ids=None):
        self.be = be
        self.editions = {e: r.model for e, r in sorted(ruleset.editions.items())}
        self.cmap = load_commodity_map(ruleset.directory, self.editions)
        self.specs = {e: ({g.fact: Spec.of(g) for g in m.gates}, {c.evidence.name: Spec.of(c.evidence) for c in m.criteria})
                      for e, m in self.editions.items()}
        self._checks: dict[tuple[str, str], tuple[set, set]] = {}

    def _to_check(self, own: str, target: str) -> tuple[set, set]:
        """Names whose definition differs between the two editions: their values must be checked again."""
        if (own, target) not in self._checks:
            (og, oe), (tg, te) = self.specs[own], self.specs[target]
            self._checks[(own, target)] = ({f for f, s in tg.items() if og.get(f) != s},
                                           {n for n, s in te.items() if oe.get(n) != s})
        return self._checks[(own, target)]

    def retarget(self, d: dict, target: str) -> tuple[dict | None, str | None]:
        """The assessment as `target` reads it, or (None, why it cannot be evaluated there)."""
        model = self.editions[target]
        code, why = self.cmap.target(d["ikm"]["commodity"], model)
        if why:
            return None, why
        gates = [g.fact for g in model.gates_for(code)]
        names = model.evidence_names()
        # a gate fact the assessment lacks is unknown, not missing: the outcome is conditional (CRITERIA.md 7)
        gates = [f for f in gates if f in d["gates"]]
        missing = [f"evidence.{n}" for n in names if n not in d["evidence"]]
        if missing:
            return None, "missing " + ", ".join(missing)
        check_gates, check_evidence = self._to_check(d["edition"], target)
        tg, te = self.specs[target]
        bad = [f"{section}.{name}: {msg}" for section, values, wanted, specs in
               (("gates", d["gates"], [f for f in gates if f in check_gates], tg),
                ("evidence", d["evidence"], [n for n in names if n in check_evidence], te))
               for name in wanted if (msg := _problem(specs[name], values[name]))]
        if bad:
            return None, "; ".join(bad)
        return {"id": d["id"], "edition": target, "ikm": {"commodity": code},
                "gates": {f: d["gates"][f] for f in gates}, "evidence": d["evidence"]}, None

    def chunk(self, writer, prepared: list, outcomes: list, report) -> None:
        """Rows of both tables for one chunk: `prepared` as publish_parallel.prepare gives them."""
        runs: dict[str, list] = {}
        for i, (p, o) in enumerate(zip(prepared, outcomes)):
            d = p[0]
            for target in self.editions:
                if target == d["edition"]:
                    continue
                item, why = self.retarget(d, target)
                if why:
                    writer.buffers["what_if_missing"].append((p[1][0], target, d["edition"], why))
                else:
                    runs.setdefault(target, []).append((p[1][0], d["edition"], item, o, i))
        rows = [row for target in sorted(runs) for row in self._evaluate(target, runs[target], report)]
        # in input order, then edition order: the same rows in the same order whatever the chunk size
        writer.buffers["outcomes_what_if"].extend(row for _, row in sorted(rows, key=lambda r: (r[0], r[1][1])))
        report.what_if_missing += sum(1 for _ in writer.buffers["what_if_missing"])

    def _evaluate(self, target: str, entries: list, report) -> list[tuple[int, tuple]]:
        try:
            results = self.be.evaluate_many([item for _, _, item, _, _ in entries])
        except BatchInputError as exc:
            raise OvopError(Diagnostic("what-if", message=f"edition {target}: {exc}")) from None
        report.what_if += len(entries)
        return [(i, (key, target, own, item["ikm"]["commodity"], r["status"], r["stars"], r["band_stars"],
                     int(r["capped"]), r["score"], dumps(r["gates_failed"]), dumps(r["gates_unknown"]), r["pembina"],
                     o[11], o[10]))
                for (key, own, item, o, i), r in zip(entries, results)]


def _problem(spec: Spec, value) -> str | None:
    number = isinstance(value, (int, float, Fraction)) and not isinstance(value, bool)
    return problem(spec, value, exact(value) if number else None, repr(value) if number else str(value))

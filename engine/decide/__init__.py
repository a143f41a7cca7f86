"""Decide: one assessment decided and explained.

compile (an edition into durable_rules rulesets) → durable_adapter (the only import of durable_rules)
→ evaluate (Evaluator) → outcome (Outcome, its trace) → explain, whatittakes; authortests runs
rules/<edition>/tests.yaml, whatiftests rules/what_if_tests.yaml.
"""
from ..lazy import lazily
from .compile import Compiled, compile_edition
from .explain import T as EXPLAIN_WORDS  # not lazily: the function explain bears its module's name
from .explain import change_line, consequence_value, explain, gate_label, required_text, score_formula
from .outcome import Outcome, number, plain_float, provenance

__getattr__ = lazily(__name__, {  # imported where first used: the population paths use none of them
    "authortests": ("authortests", None), "whatiftests": ("whatiftests", None), "words": ("words", None),
    "Evaluator": ("evaluate", "Evaluator"), "RANKING_RULE": ("whatittakes", "RANKING_RULE"),
    "outcome_line": ("words", "outcome_line")})

__all__ = ["outcome_line", "authortests", "whatiftests", "Compiled", "compile_edition", "Evaluator", "explain", "Outcome", "number", "plain_float",
           "provenance", "words", "EXPLAIN_WORDS", "change_line", "consequence_value", "gate_label", "required_text",
           "score_formula", "RANKING_RULE"]

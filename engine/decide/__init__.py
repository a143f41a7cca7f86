"""Decide: one assessment decided and explained.

compile (an edition into durable_rules rulesets) → durable_adapter (the only import of durable_rules)
→ evaluate (Evaluator) → outcome (Outcome, its trace) → explain, whatittakes; authortests runs
rules/<edition>/tests.yaml, whatiftests rules/what_if_tests.yaml.
"""
from . import authortests, whatiftests, words
from .compile import Compiled, compile_edition
from .evaluate import Evaluator
from .explain import T as EXPLAIN_WORDS
from .explain import change_line, consequence_value, explain, gate_label, required_text, score_formula
from .whatittakes import RANKING_RULE
from .words import outcome_line
from .outcome import Outcome, number, plain_float, provenance

__all__ = ["outcome_line", "authortests", "whatiftests", "Compiled", "compile_edition", "Evaluator", "explain", "Outcome", "number", "plain_float",
           "provenance", "words", "EXPLAIN_WORDS", "change_line", "consequence_value", "gate_label", "required_text",
           "score_formula", "RANKING_RULE"]

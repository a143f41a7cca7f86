"""Batch: populations decided at once on numpy columns, exact, agreeing with the durable_rules path.

plan (an edition's compiled levels as interval tables) → columns (a chunk as coded columns) → execute (the column kernels) → evaluator
(BatchEvaluator: records in, outcome fields and trace rows out; check_sample against durable_rules).
"""
from .evaluator import MOVEMENT, STATUS, BatchEvaluator, as_dict, check_sample, collector_paused
from .columns import Inputs, codes_of, columns_of, columns_of_tables, same_columns
from .plan import EXACT_FLOAT_LIMIT
from .execute import (
                      AWARDED,
                      CONDITIONAL,
                      GATE_FAIL,
                      GATE_NA,
                      GATE_PASS,
                      GATE_UNKNOWN,
                      INELIGIBLE,
                      NOT_AWARDED,
                      BatchInputError,
                      Columns,
                      alike,
                      cap_states,
                      decide,
                      run,
)

__all__ = ["MOVEMENT", "STATUS", "BatchEvaluator", "BatchInputError", "as_dict", "check_sample",
           "collector_paused", "AWARDED", "CONDITIONAL", "GATE_UNKNOWN", "GATE_FAIL", "GATE_NA", "GATE_PASS", "INELIGIBLE", "NOT_AWARDED",
           "Columns", "EXACT_FLOAT_LIMIT", "Inputs", "alike", "cap_states", "codes_of", "columns_of", "columns_of_tables",
           "decide", "run", "same_columns"]

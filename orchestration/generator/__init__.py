"""Synthetic deliveries for the warehouse, with the truth a correct warehouse must find.

``generate(out_dir, ...)`` writes ``<out>/<source>/<file>`` in the extract contract's
formats (quirks included) and ``<out>/_truth/`` (see the README written there).
"""

from .pipeline import GenerationSummary, generate
from .scenarios import SCENARIOS, ScenarioError
from .truth import expected_child_status, expected_status_summary, expected_transitions

__all__ = [
    "SCENARIOS",
    "GenerationSummary",
    "ScenarioError",
    "expected_child_status",
    "expected_status_summary",
    "expected_transitions",
    "generate",
]

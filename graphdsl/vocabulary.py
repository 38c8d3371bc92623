"""The words of the language, for highlighters and editors: keywords, dtypes, layers, merges and
the names of losses, metrics, optimizers and activations.

Read from the parser's and the catalog's own lists (their public names), so the Pygments lexer,
the TextMate grammar (`scripts/gen_textmate.py`) and the language server's completion never
drift from what the checker accepts.
"""

from __future__ import annotations

from .catalog import ACTIVATIONS, DTYPES, LAYERS, LOSSES, MERGES, METRICS, OPTIMIZERS
from .parser import KEYWORDS, RESERVED

_STATEMENT = ("model", "param", "input", "layer", "output", "optimizer", "block", "return")
_STEP = ("repeat",)

STATEMENT_KEYWORDS: tuple[str, ...] = tuple(k for k in RESERVED if k in _STATEMENT)
CLAUSE_KEYWORDS: tuple[str, ...] = tuple(k for k in RESERVED if k not in _STATEMENT and k not in _STEP)  # loss weight metrics
STEP_KEYWORDS: tuple[str, ...] = tuple(k for k in RESERVED if k in _STEP)  # repeat
CONSTANTS: tuple[str, ...] = tuple(k for k in KEYWORDS if k not in RESERVED)  # True False None
DTYPES = tuple(DTYPES)
LAYERS: tuple[str, ...] = tuple(sorted(LAYERS))
MERGES: tuple[str, ...] = tuple(sorted(MERGES))
LOSS_NAMES: tuple[str, ...] = tuple(sorted(LOSSES.names))
METRIC_NAMES: tuple[str, ...] = tuple(sorted(METRICS.names))
OPTIMIZER_NAMES: tuple[str, ...] = tuple(sorted(OPTIMIZERS.names))
ACTIVATION_NAMES: tuple[str, ...] = tuple(sorted(ACTIVATIONS.names))
REGISTRY_NAMES: tuple[str, ...] = tuple(sorted(set(LOSS_NAMES) | set(METRIC_NAMES) | set(OPTIMIZER_NAMES)))

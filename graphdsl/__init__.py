"""graphdsl: a small language for Keras functional models, checked in milliseconds.

Public API: `parse`, `check`, `build`, `format`, `check_data`, `train`, `CompileError`,
`DataError`. See the README.
"""

from .api import Report, analyze, build, check, check_data, format, parse, train
from .diagnostics import CompileError


def __getattr__(name: str):
    # `DataError` lives with the data code, which imports numpy: only on first use.
    if name == "DataError":
        from .data import DataError

        return DataError
    raise AttributeError(f"module 'graphdsl' has no attribute {name!r}")


__all__ = ["CompileError", "DataError", "Report", "analyze", "build", "check", "check_data", "format", "parse",
           "train"]
__version__ = "0.1.0"

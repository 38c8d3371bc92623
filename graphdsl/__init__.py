"""graphdsl: a small language for Keras functional models, checked in milliseconds.

Public API: `parse`, `check`, `build`, `format`, `check_data`, `train`, `CompileError`,
`DataError`. See the README.
"""

import gc as _gc

# Importing the package makes thousands of long-lived objects (the parser's tables, the records'
# classes) and frees none: the cyclic collector would only cost start-up time, so it is off while
# they load, and back as it was after.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from .api import Report, analyze, build, check, check_data, format, parse, train
    from .diagnostics import CompileError
finally:
    if _collecting:
        _gc.enable()


def __getattr__(name: str):
    # `DataError` lives with the data code, which imports numpy: only on first use.
    if name == "DataError":
        from .data import DataError

        return DataError
    raise AttributeError(f"module 'graphdsl' has no attribute {name!r}")


__all__ = ["CompileError", "DataError", "Report", "analyze", "build", "check", "check_data", "format", "parse",
           "train"]
__version__ = "0.1.0"

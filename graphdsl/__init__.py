"""graphdsl: a small language for Keras functional models, checked in milliseconds.

Public API: `parse`, `check`, `build`, `format`, `check_data`, `train`, `from_keras`,
`transfer_weights`, `CompileError`, `DataError`, `ImportRefused`. See the README.
"""

import gc as _gc

# Importing the package makes thousands of long-lived objects (the parser's tables, the records'
# classes) and frees none: the cyclic collector would only cost start-up time, so it is off while
# they load, and back as it was after.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from .api import Report, analyze, build, check, check_data, format, from_keras, parse, train, transfer_weights
    from .diagnostics import CompileError
finally:
    if _collecting:
        _gc.enable()


def __getattr__(name: str):
    # `DataError` lives with the data code, which imports numpy: only on first use.
    if name == "DataError":
        from .data import DataError

        return DataError
    if name == "ImportRefused":
        from .imported.model import ImportRefused

        return ImportRefused
    raise AttributeError(f"module 'graphdsl' has no attribute {name!r}")


__all__ = ["CompileError", "DataError", "ImportRefused", "Report", "analyze", "build", "check", "check_data", "format",
           "from_keras", "parse", "train", "transfer_weights"]
__version__ = "0.1.0"

"""graphdsl: a small language for Keras functional models, checked in milliseconds.

Public API: `parse`, `check`, `build`, `format`, `CompileError`. See the README.
"""

from .api import Report, analyze, build, check, format, parse
from .diagnostics import CompileError

__all__ = ["CompileError", "Report", "analyze", "build", "check", "format", "parse"]
__version__ = "0.1.0"

"""The public Python API: parse, check, format and build graphdsl programs.

>>> import graphdsl
>>> report = graphdsl.check("input x: float32[8]\\noutput y = x -> Dense(1) loss mse\\n")
>>> report.ok, report.param_count, report.tensors["y"]
(True, 9, ((None, 1), 'float32'))

`check` never raises and never imports TensorFlow; `build` is the only entry point that does.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping

from . import ir
from .diagnostics import (
    CompileError,
    LocatedDiagnostic,
    internal_error,
    locate,
    render_text,
    sort_key,
    to_json,
)
from .graph import Graph
from .passes import DEFAULT_MAX_PARAMS, run_passes
from .source import SourceFile
from .syntax import ENGINES, parse_program

__all__ = ["Report", "analyze", "build", "check", "format", "parse"]


class Report:
    """What `check` found. Never an exception, for any text.

    - ``ok``: True when there are no errors (warnings allowed).
    - ``diagnostics``: located diagnostics, in source order (severity, code, message, line,
      column, end_line, end_column, help).
    - ``tensors``: every named tensor whose type is known -> (shape with the batch axis as None,
      dtype), e.g. ``{"features": ((None, 128), "float32")}``.
    - ``param_count``: the model's parameter count (None when the program has errors).
    """

    def __init__(
        self,
        source: SourceFile,
        ok: bool,
        diagnostics: list[LocatedDiagnostic],
        tensors: dict[str, tuple[tuple[int | None, ...], str]],
        param_count: int | None,
        graph: Graph | None = None,
    ):
        self.source = source
        self.ok = ok
        self.diagnostics = diagnostics
        self.tensors = tensors
        self.param_count = param_count
        self.graph = graph

    def __repr__(self) -> str:
        return (f"Report(source={self.source!r}, ok={self.ok!r}, diagnostics={self.diagnostics!r}, "
                f"tensors={self.tensors!r}, param_count={self.param_count!r})")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Report:
            return NotImplemented
        return (self.source, self.ok, self.diagnostics, self.tensors, self.param_count, self.graph) == (
            other.source, other.ok, other.diagnostics, other.tensors, other.param_count, other.graph)

    __hash__ = None  # mutable, like the dataclass it was

    @property
    def errors(self) -> list[LocatedDiagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[LocatedDiagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def render(self) -> str:
        """The diagnostics as a person reads them (rustc/Elm style)."""
        return render_text([d.diagnostic for d in self.diagnostics], self.source)

    def to_json(self) -> str:
        return to_json(self.diagnostics)


def analyze(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    engine: str = "fast",
) -> tuple[Report, Graph | None]:
    """Parse and check `text`; return the report and, when there are no errors, the graph."""
    _check_arguments(text, engine)
    source = SourceFile(filename, text)
    # The parser and passes allocate many small objects and make no reference cycles, so the
    # cyclic collector finds nothing and costs a quarter of the time on large programs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        program, diags = parse_program(source, engine)
        graph, tensors, more = run_passes(program, params, max_params)
        diags = diags + more
    except RecursionError as err:  # pragma: no cover - the parser bounds nesting; a last guard
        program, graph, tensors, diags = None, None, {}, [internal_error(err)]
    except Exception as err:  # a bug in graphdsl must still come back as a diagnostic
        graph, tensors, diags = None, {}, [internal_error(err)]
    finally:
        if collecting:
            gc.enable()
    diags.sort(key=sort_key)
    located = [locate(d, source) for d in diags]
    ok = not any(d.severity == "error" for d in located)
    if not ok:
        graph = None
    known = {
        name: (t.keras_shape(), t.dtype) for name, t in tensors.items() if t is not None
    }
    report = Report(source, ok, located, known, graph.param_count if graph else None, graph)
    return report, graph


def check(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    engine: str = "fast",
) -> Report:
    """Check a program without building it (and without importing TensorFlow).

    `engine` chooses the parser: "fast" (the default) or "lark" (Lark's own LALR parser on the
    same grammar; both give the same IR, see the README)."""
    return analyze(text, filename, params, max_params, engine)[0]


def parse(text: str, filename: str = "<string>", engine: str = "fast") -> ir.Program:
    """Parse `text` into the IR; raises `CompileError` (with `.diagnostics`) on syntax errors.

    `engine` is "fast" (the default) or "lark", as for `check`."""
    _check_arguments(text, engine)
    source = SourceFile(filename, text)
    program, diags = parse_program(source, engine)
    if diags:
        diags.sort(key=sort_key)
        raise CompileError([locate(d, source) for d in diags], render_text(diags, source))
    return program


def _check_arguments(text: object, engine: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"graphdsl programs are text (str), not {type(text).__name__}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")


def build(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    compile: bool = True,
    strategy=None,
    max_params: int = DEFAULT_MAX_PARAMS,
):
    """Check `text` and build it into a (compiled) `keras.Model`.

    Raises `CompileError` for a program with errors (before TensorFlow is imported). With a
    `tf.distribute` strategy, inputs, layers, model and compile are all created in its scope.
    """
    report, graph = analyze(text, filename, params, max_params)
    if graph is None:
        raise CompileError(report.diagnostics, report.render())
    from .backend import lower  # noqa: PLC0415 - TensorFlow is imported only here

    with lower.quiet_tensorflow():
        # build_model cross-checks Keras's shapes and counts against the graph (InternalError)
        return lower.build_model(graph, compile=compile, strategy=strategy, source=report.source)


def format(text: str, filename: str = "<string>") -> str:  # noqa: A001 - the API's name
    """The canonical text of a program; raises `CompileError` if it has syntax errors."""
    from .printer import format_text  # noqa: PLC0415

    result, diags = format_text(text, filename)
    if result is None:
        source = SourceFile(filename, text)
        diags = sorted(diags, key=sort_key)
        raise CompileError([locate(d, source) for d in diags], render_text(diags, source))
    return result

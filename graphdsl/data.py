"""Training data: named arrays, loaded without copying and checked against the program before
TensorFlow starts.

Data is a ``.npz`` file (``np.savez``), a folder of ``.npy`` files, or (from Python) a mapping;
each array is named after an input or an output of the program and holds one sample per row.
`load` memory-maps what it can: every ``.npy`` file of a folder, and every member of an ``.npz``
stored without compression (what ``np.savez`` writes) is mapped straight from the zip file. The
members of a compressed ``.npz`` (``np.savez_compressed``) cannot be mapped; they are read into
memory, and `Dataset.compressed` names them so the command line can say so.

`check_data` checks the arrays against the checked `Graph` as precisely as `check` checks the
program, and returns `Diagnostic`s located at the program's `input`/`output` statements that name
the array: a missing array (with "did you mean"), an extra one, a wrong rank, size or dtype, a
`?` dimension shorter than the model accepts (`passes.minlen`), arrays of different lengths,
integer ids beyond the `input_dim` of the Embedding that consumes them, targets that do not fit
the output's loss, and values that are not finite. Shapes and dtypes come from the arrays'
headers; the value checks read each array once, in chunks, so memory stays bounded.

This module imports numpy and nothing of TensorFlow.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from .catalog.names import LOSSES
from .catalog.types import FLOAT_DTYPES, INT_DTYPES, LayerValue, TensorType
from .diagnostics import Diagnostic, Label, Severity
from .graph import ApplyOp, Graph, InputOp, MathOp, OutputSpec
from .passes.minlen import downstream, infer_with, min_sizes
from .source import Span
from .suggest import suggest

__all__ = ["DataError", "Dataset", "check_data", "example_arrays", "fit_arrays", "from_arrays", "load", "split_sizes"]

_CHUNK_BYTES = 1 << 24  # value checks read at most this much of an array at a time


class DataError(ValueError):
    """The data cannot be read at all (no such file, not an .npz or a folder of .npy files)."""


@dataclass
class Dataset:
    """Named arrays, one sample per row (memory-mapped where possible).

    ``name`` is how messages call the data (the path as given); ``unreadable`` maps the names of
    arrays that could not be loaded to why (e.g. Python objects, which need pickle); ``compressed``
    lists the arrays read into memory because their ``.npz`` member is compressed.
    """

    name: str
    arrays: dict[str, np.ndarray]
    unreadable: dict[str, str] = field(default_factory=dict)
    compressed: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return sorted({*self.arrays, *self.unreadable})


# ---- loading -------------------------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> Dataset:
    """Load a ``.npz`` file or a folder of ``.npy`` files; raises `DataError` if it can't be read."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return _load_folder(path)
    if not os.path.exists(path):
        raise DataError(f"no such file or folder: {path}")
    if not zipfile.is_zipfile(path):
        raise DataError(f"{path} is not an .npz file (np.savez) or a folder of .npy files")
    try:
        return _load_npz(path)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise DataError(f"cannot read {path}: {err}") from None


def from_arrays(arrays: Mapping[str, object], name: str = "the data") -> Dataset:
    """A dataset from arrays in memory (anything `np.asarray` takes), keyed by name."""
    out: dict[str, np.ndarray] = {}
    unreadable: dict[str, str] = {}
    for key, value in arrays.items():
        try:
            out[str(key)] = value if isinstance(value, np.ndarray) else np.asarray(value)
        except (ValueError, TypeError) as err:  # ragged lists
            unreadable[str(key)] = f"is not an array ({err})"
    return Dataset(name, out, unreadable)


def _load_folder(path: str) -> Dataset:
    arrays: dict[str, np.ndarray] = {}
    unreadable: dict[str, str] = {}
    for entry in sorted(os.listdir(path)):
        if not entry.endswith(".npy"):
            continue
        name = entry[: -len(".npy")]
        try:
            arrays[name] = np.load(os.path.join(path, entry), mmap_mode="r", allow_pickle=False)
        except ValueError as err:
            unreadable[name] = _why_unreadable(err)
        except OSError as err:
            raise DataError(f"cannot read {os.path.join(path, entry)}: {err}") from None
    return Dataset(path, arrays, unreadable)


def _why_unreadable(err: Exception) -> str:
    if "allow_pickle" in str(err) or "Object arrays" in str(err):
        return "holds Python objects (it would need pickle, which graphdsl never loads)"
    return f"cannot be read ({err})"


def _load_npz(path: str) -> Dataset:
    arrays: dict[str, np.ndarray] = {}
    unreadable: dict[str, str] = {}
    compressed: list[str] = []
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                continue
            name = info.filename[: -len(".npy")]
            stored = info.compress_type == zipfile.ZIP_STORED
            mapped = _map_member(path, fh, info) if stored else None
            if isinstance(mapped, str):
                unreadable[name] = mapped
                continue
            if mapped is not None:
                arrays[name] = mapped
                continue
            try:  # compressed (or an .npy version the mapper does not read): into memory
                with zf.open(info) as member:
                    arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
            except ValueError as err:
                unreadable[name] = _why_unreadable(err)
                continue
            if not stored:
                compressed.append(name)
    return Dataset(path, arrays, unreadable, compressed)


def _map_member(path: str, fh, info: zipfile.ZipInfo) -> np.ndarray | str | None:
    """Memory-map one uncompressed .npy member of a zip file: its data starts after the local
    file header (30 bytes, the name and the extra field, whose lengths the header gives) and the
    .npy header. Returns the array, a reason it is unreadable, or None to read it normally."""
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise ValueError(f"a damaged zip entry: {info.filename}")
    name_len = int.from_bytes(local[26:28], "little")
    extra_len = int.from_bytes(local[28:30], "little")
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    version = np.lib.format.read_magic(fh)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    else:
        return None
    if dtype.hasobject:
        return "holds Python objects (it would need pickle, which graphdsl never loads)"
    if 0 in shape or dtype.itemsize == 0:
        return np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    return np.memmap(path, dtype=dtype, mode="r", shape=shape, order="F" if fortran else "C", offset=fh.tell())


# ---- what the model wants ------------------------------------------------------------------------

# What each loss wants of its targets, beyond the output's shape. Sparse categorical losses take
# class ids (one fewer axis, or a last axis of 1); the cross-entropies take 0/1 or probabilities.
_SPARSE = frozenset({"sparse_categorical_crossentropy"})
_SEQUENCES = frozenset({"ctc", "circle"})  # whole numbers: label sequences, a class per sample
_PROBABILITIES = frozenset({
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
})  # fmt: skip


def _loss_name(out: OutputSpec) -> str | None:
    return None if out.loss is None else (LOSSES.canonical(out.loss.name) or out.loss.name)


def _shape_text(shape: tuple) -> str:
    """A data shape with the samples axis first, e.g. ``(samples, 100)``; ``?`` where any size goes."""
    dims = ["samples", *("?" if d is None else str(d) for d in shape)]
    return "(" + ", ".join(dims) + ")"


def _array_shape(a: np.ndarray) -> str:
    return "(" + ", ".join(str(d) for d in a.shape) + ("," if a.ndim == 1 else "") + ")"


def _fits(shape: tuple, wanted: tuple) -> bool:
    return len(shape) == len(wanted) and all(w is None or s == w for s, w in zip(shape, wanted, strict=True))


# dtype kinds (numpy's one-letter codes) each declared dtype takes without losing meaning
_INPUT_KINDS = {**{d: "biuf" for d in FLOAT_DTYPES}, **{d: "biu" for d in INT_DTYPES}, "bool": "b"}
_TARGET_KINDS = "biuf"
_KIND_WORDS = {"b": "booleans", "i": "integers", "u": "integers", "f": "floats", "c": "complex numbers",
               "U": "strings", "S": "bytes", "O": "Python objects", "M": "dates", "m": "time spans",
               "V": "records"}


@dataclass
class _Stats:
    """What one pass over an array's values found."""

    low: float | None = None
    high: float | None = None
    nonfinite_at: int | None = None  # first sample with a NaN or an infinity
    fractional_at: int | None = None  # first sample with a value that is not a whole number


def _chunks(a: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    row = max(1, a[:1].nbytes)
    step = max(1, _CHUNK_BYTES // row)
    for start in range(0, a.shape[0], step):
        yield start, np.asarray(a[start : start + step])


def _scan(a: np.ndarray, whole: bool) -> _Stats:
    """Min, max, the first non-finite and (if `whole`) the first fractional value, chunk by chunk."""
    st = _Stats()
    floats = a.dtype.kind == "f"
    for start, chunk in _chunks(a):
        if chunk.size == 0:
            continue
        if floats:
            finite = np.isfinite(chunk)
            if st.nonfinite_at is None and not finite.all():
                st.nonfinite_at = start + int(np.argmin(finite.reshape(len(chunk), -1).all(axis=1)))
            values = chunk[finite]
            if whole and st.fractional_at is None and values.size:
                whole_rows = (np.where(finite, chunk, 0) % 1 == 0).reshape(len(chunk), -1).all(axis=1)
                if not whole_rows.all():
                    st.fractional_at = start + int(np.argmin(whole_rows))
        else:
            values = chunk
        if values.size:
            lo, hi = values.min(), values.max()
            st.low = lo if st.low is None else min(st.low, lo)
            st.high = hi if st.high is None else max(st.high, hi)
    return st


def _first_outside(a: np.ndarray, lo: float, hi: float) -> int:
    """The first sample holding a value outside [lo, hi] (NaNs ignored)."""
    for start, chunk in _chunks(a):
        flat = chunk.reshape(len(chunk), -1)
        bad = ((flat < lo) | (flat > hi)).any(axis=1)
        if bad.any():
            return start + int(np.argmax(bad))
    return -1


def _number(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{int(x):,}" if float(x).is_integer() else f"{float(x):.6g}"


def _embedding_consumers(graph: Graph, inp: InputOp) -> list[tuple[ApplyOp, int]]:
    """The Embeddings (or TimeDistributed Embeddings) that look up this input's ids, with their
    input_dim: followed through the layers that keep integers integers (Reshape, Permute, ...)."""
    found = []
    ints = {inp.tensor}
    for op in downstream(graph, [inp.name]):
        if not any(i in ints for i in op.inputs):
            continue
        if type(op) is MathOp:  # arithmetic on ids (ids + 1) keeps integers integers
            if op.type.dtype in INT_DTYPES:
                ints.add(op.tensor)
            continue
        layer = graph.layers[op.layer]
        inner = layer.args.get("layer") if layer.class_name == "TimeDistributed" else None
        if layer.class_name == "Embedding":
            found.append((op, int(layer.args["input_dim"])))
        elif isinstance(inner, LayerValue) and inner.spec.name == "Embedding":
            found.append((op, int(inner.args["input_dim"])))
        elif op.type.dtype in INT_DTYPES:
            ints.add(op.tensor)
    return found


# ---- checking ------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, graph: Graph, data: Dataset):
        self.graph = graph
        self.data = data
        self.diags: list[Diagnostic] = []

    def error(self, code: str, message: str, span: Span, labels=(), help: str | None = None) -> None:
        self.diags.append(Diagnostic(code, Severity.ERROR, message, span, tuple(labels), help))

    def where(self, name: str) -> str:
        return f"array '{name}' in {self.data.name}"


def check_data(graph: Graph, data: Dataset) -> list[Diagnostic]:
    """Check `data` against a checked graph; the diagnostics point at the program's statements."""
    ck = _Checker(graph, data)
    inputs = {inp.name: inp for inp in graph.inputs}
    outputs = {out.name: out for out in graph.outputs}
    present = set(data.names)
    extra = sorted(present - set(inputs) - set(outputs))
    used_as_hint: set[str] = set()

    for name, stmt, span in [(i.name, i, i.span) for i in graph.inputs] + [(o.name, o, o.span) for o in graph.outputs]:
        if name in present or (isinstance(stmt, OutputSpec) and stmt.loss is None):
            continue
        hint = suggest(name, [e for e in extra if e not in used_as_hint])
        what = f"input '{name}'" if isinstance(stmt, InputOp) else f"the targets of output '{name}'"
        if hint:
            used_as_hint.add(hint)
            help_ = f"did you mean '{hint}'? (arrays are named after the program's inputs and outputs)"
        elif present:
            help_ = f"its arrays are: {', '.join(data.names)}"
        else:
            help_ = "it holds no arrays"
        ck.error("GD0401", f"{data.name} has no array '{name}' for {what}", span, help=help_)
    for name in extra:
        if name in used_as_hint:
            continue
        first = graph.inputs[0]
        ck.diags.append(Diagnostic(
            "GD0402", Severity.WARNING,
            f"{ck.where(name)} is neither an input nor an output of the program; it is not used", first.span,
            help=f"inputs: {', '.join(inputs)}; outputs: {', '.join(outputs)}",
        ))

    for name, why in data.unreadable.items():
        stmt = inputs.get(name) or outputs.get(name)
        if stmt is not None:
            ck.error("GD0405", f"{ck.where(name)} {why}", stmt.span,
                     help="save plain numeric arrays (np.savez), e.g. arr.astype(np.int32)")

    good_inputs = [inp for inp in graph.inputs if inp.name in data.arrays and _input_fits(ck, inp)]
    good_targets = [out for out in graph.outputs if out.name in data.arrays and _target_dtype_fits(ck, out)]
    _lengths(ck, [(s.name, s) for s in (*graph.inputs, *graph.outputs) if s.name in data.arrays])
    concrete = _sizes(ck, good_inputs)
    for out in good_targets:
        _target(ck, out, concrete.get(out.tensor, out.type) if concrete is not None else out.type)
    for inp in good_inputs:
        _input_values(ck, inp)
    return ck.diags


def _input_fits(ck: _Checker, inp: InputOp) -> bool:
    a = ck.data.arrays[inp.name]
    wanted = inp.type.shape
    if a.ndim != len(wanted) + 1:
        ck.error("GD0403", f"{ck.where(inp.name)} has shape {_array_shape(a)}, but input '{inp.name}' "
                 f"takes {_shape_text(wanted)}", inp.span,
                 help=f"the first axis counts the samples; the others are the input's: {inp.type}")
        return False
    ok = True
    if not _fits(a.shape[1:], wanted):
        axis = next(i for i, (s, w) in enumerate(zip(a.shape[1:], wanted, strict=True)) if w is not None and s != w)
        ck.error("GD0404", f"{ck.where(inp.name)} has shape {_array_shape(a)}, but input '{inp.name}' "
                 f"takes {_shape_text(wanted)}", inp.span,
                 help=f"axis {axis + 1} has {a.shape[axis + 1]}, the program declares {wanted[axis]}")
        ok = False
    kinds = _INPUT_KINDS[inp.type.dtype]
    if a.dtype.kind not in kinds:
        words = _KIND_WORDS.get(a.dtype.kind, str(a.dtype))
        help_ = (f"convert it, e.g. arr.astype(np.{inp.type.dtype})" if a.dtype.kind in "biuf"
                 else "save plain numeric arrays")
        if inp.type.dtype in INT_DTYPES and a.dtype.kind == "f":
            help_ = "ids are whole numbers: arr.astype(np.int32), or declare the input float32"
        ck.error("GD0405", f"{ck.where(inp.name)} holds {words} ({a.dtype}), but input '{inp.name}' is "
                 f"{inp.type.dtype}", inp.span, help=help_)
        ok = False
    return ok


def _target_dtype_fits(ck: _Checker, out: OutputSpec) -> bool:
    a = ck.data.arrays[out.name]
    if a.dtype.kind in _TARGET_KINDS and a.ndim >= 1:
        return True
    if a.ndim == 0:
        ck.error("GD0403", f"{ck.where(out.name)} is a single value, not one target per sample", out.span,
                 help=f"output '{out.name}' wants targets of shape {_shape_text(out.type.shape)}")
        return False
    words = _KIND_WORDS.get(a.dtype.kind, str(a.dtype))
    ck.error("GD0405", f"{ck.where(out.name)} holds {words} ({a.dtype}); targets are numbers", out.span,
             help="encode labels as integers (class ids) or floats")
    return False


def _lengths(ck: _Checker, arrays: list[tuple[str, InputOp | OutputSpec]]) -> None:
    sized = [(n, s) for n, s in arrays if ck.data.arrays[n].ndim >= 1]
    if not sized:
        return
    ref_name, ref_stmt = sized[0]
    ref = ck.data.arrays[ref_name].shape[0]
    if ref == 0:
        ck.error("GD0407", f"{ck.where(ref_name)} has no samples", ref_stmt.span,
                 help="training needs at least one sample")
        return
    for name, stmt in sized[1:]:
        n = ck.data.arrays[name].shape[0]
        if n != ref:
            ck.error("GD0407", f"{ck.where(name)} has {n:,} samples, but '{ref_name}' has {ref:,}", stmt.span,
                     help="every array holds one row per sample, in the same order")


def _sizes(ck: _Checker, inputs: list[InputOp]) -> dict[str, TensorType] | None:
    """Run the data's sizes through the shape rules (`?` dimensions); return every tensor's
    concrete type, or None if some rule refuses (reported)."""
    graph = ck.graph
    sizes = {inp.name: tuple(ck.data.arrays[inp.name].shape[1:]) for inp in inputs}
    refused = False
    minimum = {(m.input, m.axis): m.size for m in min_sizes(graph)} if any(
        None in inp.type.shape for inp in inputs) else {}
    for inp in inputs:
        if None not in inp.type.shape:
            continue
        _types, refusal = infer_with(graph, {inp.name: sizes[inp.name]})
        if refusal is None:
            continue
        refused = True
        short = [(axis, n, minimum.get((inp.name, axis))) for axis, n in enumerate(sizes[inp.name], 1)
                 if inp.type.shape[axis - 1] is None]
        under = [(axis, n, m) for axis, n, m in short if m is not None and n < m]
        if under:
            axis, n, m = under[0]
            message = (f"{ck.where(inp.name)} has size {n:,} on axis {axis} (a ? dimension), but the model "
                       f"needs at least {m:,}")
            help_ = f"pad or cut the data to at least {m:,} (graphdsl check --shapes lists the minimums)"
        else:
            dims = ", ".join(f"size {n:,} on axis {axis}" for axis, n, _m in short)
            message = f"{ck.where(inp.name)} has {dims}, a size the model cannot take"
            help_ = "graphdsl check --shapes lists the smallest size each ? dimension accepts"
        ck.error("GD0406", message, inp.span, labels=(Label(refusal.op.span, refusal.message),), help=help_)
    if refused:
        return None
    types, refusal = infer_with(graph, sizes)
    if refusal is not None:
        first = next(inp for inp in inputs if inp.name in sizes and None in inp.type.shape)
        dims = "; ".join(f"'{n}' {_array_shape(ck.data.arrays[n])}" for n in sizes)
        ck.error("GD0406", f"the sizes of the arrays in {ck.data.name} do not fit together: {dims}", first.span,
                 labels=(Label(refusal.op.span, refusal.message),),
                 help="the ? dimensions of inputs that meet in a merge must agree")
        return None
    return types


def _target(ck: _Checker, out: OutputSpec, t: TensorType) -> None:
    a = ck.data.arrays[out.name]
    loss = _loss_name(out)
    wanted = t.shape
    shapes = [wanted]
    if loss in _SPARSE:
        shapes = [wanted[:-1], (*wanted[:-1], 1)]
    elif loss == "circle":  # a class per sample
        shapes = [(), (1,)]
    elif loss == "ctc":  # a label sequence per sample, of any length (0 pads it: CTC's blank)
        shapes = [(None,)]
    elif wanted and wanted[-1] == 1:
        shapes.append(wanted[:-1])  # Keras lets a (samples,) target meet a (samples, 1) output
    if not any(_fits(a.shape[1:], s) for s in shapes):
        code = "GD0403" if all(a.ndim != len(s) + 1 for s in shapes) else "GD0404"
        help_ = f"output '{out.name}' is {t}" + (f" with loss {out.loss.written}" if out.loss else "")
        if loss in {"categorical_crossentropy", "categorical_focal_crossentropy"} and a.ndim == 1 + len(wanted) - 1:
            help_ = ("these look like class ids: use loss sparse_categorical_crossentropy, or one-hot "
                     "encode them (keras.utils.to_categorical)")
        ck.error(code, f"{ck.where(out.name)} has shape {_array_shape(a)}, but output '{out.name}' wants "
                 f"targets of shape {_shape_text(shapes[0])}", out.span, help=help_)
        return
    if a.shape[0] == 0:
        return
    st = _scan(a, whole=loss in _SPARSE or loss in _SEQUENCES)
    if st.low is None and st.nonfinite_at is None:
        return  # no values (a zero-size axis)
    if st.nonfinite_at is not None:
        ck.error("GD0410", f"{ck.where(out.name)} holds NaN or infinity (sample {st.nonfinite_at:,})", out.span,
                 help="a single NaN target makes the loss NaN; drop or fix those samples")
        return
    if loss in _SPARSE:
        units = wanted[-1]
        if st.fractional_at is not None:
            ck.error("GD0409", f"{ck.where(out.name)} holds a value that is not a class id (sample "
                     f"{st.fractional_at:,}); {loss} wants whole numbers", out.span,
                     help=f"class ids are 0 to {units - 1:,}" if units else None)
        elif units is not None and (st.low < 0 or st.high >= units):
            at = _first_outside(a, 0, units - 1)
            ck.error("GD0409", f"{ck.where(out.name)} holds class ids from {_number(st.low)} to "
                     f"{_number(st.high)} (the first out of range in sample {at:,}), but output '{out.name}' has {units:,} "
                     f"units: classes 0 to {units - 1:,}", out.span,
                     help=f"give the output's last Dense {_number(st.high + 1)} units, or renumber the classes")
    elif loss == "circle" and st.fractional_at is not None:
        ck.error("GD0409", f"{ck.where(out.name)} holds a value that is not a class id (sample {st.fractional_at:,}); "
                 "circle wants one whole number per sample", out.span, help="give each sample's class as an integer")
    elif loss == "ctc":
        classes = wanted[-1]
        if st.fractional_at is not None or (classes is not None and (st.low < 0 or st.high >= classes)):
            ck.error("GD0409", f"{ck.where(out.name)} holds values from {_number(st.low)} to {_number(st.high)}, "
                     f"but {loss} wants label sequences of class ids 1 to {_number((classes or 0) - 1)} "
                     "(0 pads them: it is CTC's blank)", out.span,
                     help=f"output '{out.name}' has {classes} classes on its last axis, class 0 included")
    elif loss in _PROBABILITIES and (st.low < 0 or st.high > 1):
        at = _first_outside(a, 0, 1)
        hint = ("these look like class ids: use loss sparse_categorical_crossentropy with one unit per class"
                if a.dtype.kind in "iu" and st.low >= 0 else "scale the targets into [0, 1]")
        ck.error("GD0409", f"{ck.where(out.name)} holds values from {_number(st.low)} to {_number(st.high)} "
                 f"(the first out of range in sample {at:,}), but {loss} wants targets 0 or 1 (or probabilities between)",
                 out.span, help=hint)


def _input_values(ck: _Checker, inp: InputOp) -> None:
    a = ck.data.arrays[inp.name]
    if a.shape[0] == 0 or a.size == 0:
        return
    kind = a.dtype.kind
    consumers = _embedding_consumers(ck.graph, inp) if kind in "biu" else []
    narrowing = kind in "iu" and inp.type.dtype in INT_DTYPES and np.dtype(inp.type.dtype).itemsize < a.dtype.itemsize
    if kind != "f" and not consumers and not narrowing:
        return
    st = _scan(a, whole=False)
    if st.nonfinite_at is not None:
        ck.error("GD0410", f"{ck.where(inp.name)} holds NaN or infinity (sample {st.nonfinite_at:,})", inp.span,
                 help="one NaN makes every weight it touches NaN; drop or fix those samples")
        return
    if narrowing and st.low is not None:
        info = np.iinfo(inp.type.dtype)
        if st.low < info.min or st.high > info.max:
            ck.error("GD0405", f"{ck.where(inp.name)} holds values from {_number(st.low)} to {_number(st.high)}, "
                     f"beyond what input '{inp.name}' ({inp.type.dtype}) can hold", inp.span,
                     help=f"{inp.type.dtype} holds {info.min:,} to {info.max:,}")
            return
    if consumers and st.low is not None:
        op, dim = min(consumers, key=lambda c: c[1])
        if st.low < 0 or st.high >= dim:
            at = _first_outside(a, 0, dim - 1)
            layer = ck.graph.layers[op.layer]
            ck.error("GD0408", f"{ck.where(inp.name)} holds ids from {_number(st.low)} to {_number(st.high)} "
                     f"(the first out of range in sample {at:,}), but the Embedding takes ids 0 to {dim - 1:,}", inp.span,
                     labels=(Label(op.span, f"{layer.class_name} '{layer.name}': input_dim={dim:,}"),),
                     help=(f"raise input_dim to at least {_number(st.high + 1)}" if st.low >= 0
                           else "ids are 0 or more") + ", or map the ids into range")


# ---- handing the arrays to Keras -----------------------------------------------------------------


def split_sizes(n: int, validation_split: float) -> tuple[int, int]:
    """(training, validation) sample counts of Keras's `validation_split` (the last fraction)."""
    train = int(np.floor(n * (1.0 - validation_split)))
    return train, n - train


def fit_arrays(graph: Graph, data: Dataset) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The (x, y) dicts for `fit`, keyed by input and output name, from checked data. An output
    without a loss needs no array from the user: Keras still wants targets for it, so it gets
    zeros (a broadcast view, no memory)."""
    x = {inp.name: data.arrays[inp.name] for inp in graph.inputs}
    n = next(iter(x.values())).shape[0]
    y = {}
    concrete: dict[str, TensorType] | None = None
    for out in graph.outputs:
        if out.name in data.arrays:
            y[out.name] = data.arrays[out.name]
            continue
        if concrete is None:
            concrete = infer_with(graph, {i.name: tuple(data.arrays[i.name].shape[1:]) for i in graph.inputs})[0]
        shape = concrete.get(out.tensor, out.type).shape
        y[out.name] = np.broadcast_to(np.zeros((), np.float32), (n, *shape))
    return x, y


# ---- data that fits a program --------------------------------------------------------------------

# Targets by what each loss reads: class ids, one-hot rows, 0/1 labels, positive values, CTC's
# label sequences, Circle's class per sample; anything else takes any numbers.
_ONE_HOT = frozenset({"categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge",
                      "kl_divergence", "crossentropy"})
_LABELS = frozenset({"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge", "dice",
                     "tversky"})
_POSITIVE = frozenset({"poisson", "mean_squared_logarithmic_error", "mean_absolute_percentage_error"})


def _id_limit(graph: Graph, inp: InputOp) -> int | None:
    """The exclusive bound of the ids an integer input may hold: the smallest `input_dim` of the
    Embeddings that look them up (None: any small integers do)."""
    consumers = _embedding_consumers(graph, inp)
    return min(dim for _op, dim in consumers) if consumers else None


def example_sizes(graph: Graph) -> dict[str, tuple[int, ...]] | None:
    """Concrete sizes for every input (its `?` dimensions filled in) that every shape rule takes:
    the smallest sizes the model accepts (at least 3), else those raised to a common size where
    the inputs meet, else one of the sizes the inputs declare (a `?` added to a declared 2 must be
    2); None if no such sizes were found (a `?` dimension no size fits)."""
    declared = {inp.name: inp.type.shape for inp in graph.inputs}
    if not any(None in shape for shape in declared.values()):
        return {name: tuple(shape) for name, shape in declared.items()}  # type: ignore[misc]
    minimum = {(m.input, m.axis): m.size for m in min_sizes(graph)}
    if any(size is None for size in minimum.values()):
        return None
    floor = max([3, *minimum.values()])  # type: ignore[type-var]
    declared_sizes = sorted({d for shape in declared.values() for d in shape if d is not None})
    # then one size for every ? dimension, small ones first (where sizes must meet: n + 2 == 8)
    for choice in ("own", "common", *declared_sizes, *range(floor, 65)):
        sizes = {}
        for name, shape in declared.items():
            dims = []
            for axis, d in enumerate(shape, 1):
                if d is None:
                    least = minimum[(name, axis)]
                    d = max(3, least) if choice == "own" else floor if choice == "common" else max(choice, least)
                dims.append(d)
            sizes[name] = tuple(dims)
        if infer_with(graph, sizes)[1] is None:
            return sizes
    return None


def example_arrays(graph: Graph, n: int = 4, seed: int = 0,
                   sizes: Mapping[str, tuple[int, ...]] | None = None,
                   output_shapes: Mapping[str, tuple[int, ...]] | None = None) -> dict[str, np.ndarray]:
    """`n` samples of data that fit a checked program: an array per input (of its dtype, with ids
    below the `input_dim` of every Embedding that looks them up) and per output with a loss
    (targets that suit the loss: class ids, one-hot rows, 0/1 labels, positive values, ...).
    `sizes` gives the inputs' shapes (default `example_sizes`); `output_shapes` the outputs'
    (batch axis excluded) where the shape rules leave a size unknown however large the inputs are
    (an EinsumDense whose `output_shape` says None, as Keras's own shapes do). What `check_data`
    accepts by construction; raises ValueError when no sizes fit the `?` dimensions, or an output's
    size is unknown and not given."""
    rng = np.random.default_rng(seed)
    sizes = example_sizes(graph) if sizes is None else sizes
    if sizes is None:
        raise ValueError("no sizes of the ? dimensions fit the model")
    arrays: dict[str, np.ndarray] = {}
    for inp in graph.inputs:
        shape = (n, *sizes[inp.name])
        dtype = inp.type.dtype
        if dtype == "bool":
            arrays[inp.name] = rng.integers(0, 2, shape).astype(bool)
        elif dtype in INT_DTYPES:
            limit = _id_limit(graph, inp)
            high = min(limit if limit is not None else 10, 256 if dtype == "uint8" else 2**31)
            arrays[inp.name] = rng.integers(0, high, shape).astype(dtype)
        else:
            arrays[inp.name] = rng.normal(size=shape).astype("float32" if dtype == "bfloat16" else dtype)
    concrete = infer_with(graph, sizes)[0]
    for out in graph.outputs:
        if out.loss is None:
            continue
        shape = (output_shapes or {}).get(out.name) or concrete.get(out.tensor, out.type).shape
        if None in shape:
            raise ValueError(f"output {out.name!r} has a size known only when data flows: {shape}")
        arrays[out.name] = _targets(_loss_name(out), (n, *shape), rng)  # type: ignore[arg-type]
    return arrays


def _targets(loss: str | None, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    units = shape[-1] if len(shape) > 1 else 1
    if loss in _SPARSE:
        return rng.integers(0, units, shape[:-1]).astype("int32")
    if loss in _ONE_HOT:
        return np.eye(units, dtype="float32")[rng.integers(0, units, shape[:-1])]
    if loss in _LABELS:
        return rng.integers(0, 2, shape).astype("float32")
    if loss in _POSITIVE:
        return rng.uniform(0.5, 2.0, shape).astype("float32")
    if loss == "circle":  # a class per sample
        return rng.integers(0, 3, shape[:1]).astype("int32")
    if loss == "ctc":  # label sequences of classes 1..units-1 (0 is CTC's blank), shorter than the steps
        steps = shape[1] if len(shape) > 2 else 1
        return rng.integers(1, max(2, units), (shape[0], max(1, steps // 2))).astype("int32")
    return rng.normal(size=shape).astype("float32")

"""Accepted means it runs: for generated programs that `check` accepts, the whole life of the model.

The programs come from `graphdsl.testing.programs()` with every knob open: every layer with a
drawer, every loss, metric and optimizer with generated keyword arguments, initializers,
regularizers and constraints by name and as classes with arguments, every activation, and inputs
of every dtype. For each one:

1. `check` accepts it (the generator builds valid programs from the catalog's own rules);
2. data of the declared shapes and dtypes fits it (`data.example_arrays`: the `?` dimensions at the
   sizes `Report.min_sizes` allows, ids below each Embedding's `input_dim`, targets that suit each
   loss; where the shape rules leave an output's size unknown, as Keras's do, the model's own
   prediction gives it), and `check_data` agrees;
3. the model builds, trains one `fit` step, and `predict`s tensors of exactly the shapes and dtypes
   check inferred (with the data's sizes in place of `?`);
4. the memory estimate's weights and gradients are the bytes of the model's own variables;
5. saved and loaded back with ``safe_mode=True`` (without a warning about the optimizer), it is the
   same model: the same config, the same weights, the same predictions, the same compile config.

``GRAPHDSL_RUN_EXAMPLES`` sets the number of programs (the CI profile is derandomized).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

import graphdsl  # noqa: E402
from graphdsl import data as gdata  # noqa: E402
from graphdsl.backend import lower  # noqa: E402
from graphdsl.passes.minlen import infer_with  # noqa: E402
from graphdsl.testing import ALL, programs  # noqa: E402

pytestmark = pytest.mark.keras

EXAMPLES = int(os.environ.get("GRAPHDSL_RUN_EXAMPLES", "20"))
N = 4  # samples: one batch, one step

EVERYTHING = programs(max_inputs=2, max_outputs=2, max_depth=4, dtypes=ALL, unknown_sizes=True, activations=ALL,
                      objects=True, losses=ALL, metrics=ALL, optimizers=ALL, compile_arguments=True,
                      suited_outputs=False)


def _as_list(predicted, graph) -> list[np.ndarray]:
    if isinstance(predicted, dict):
        return [np.asarray(predicted[out.name]) for out in graph.outputs]
    if isinstance(predicted, (list, tuple)):
        return [np.asarray(p) for p in predicted]
    return [np.asarray(predicted)]


def _plain(config: object) -> object:
    """A config as its JSON text reads back (tuples as lists): what a saved file can hold."""
    return json.loads(json.dumps(config, sort_keys=True, default=repr))


def run_life(text: str, tmp: Path) -> None:
    report, graph = graphdsl.analyze(text)
    assert report.ok, report.render()
    sizes = gdata.example_sizes(graph)
    assert sizes is not None, f"check accepts it, but no size of its ? dimensions fits: {report.min_sizes}"
    concrete = infer_with(graph, sizes)[0]
    keras.backend.clear_session()
    with lower.quiet_tensorflow():
        model = lower.build_model(graph, source=report.source)
    shapes = None
    if any(None in concrete.get(out.tensor, out.type).shape for out in graph.outputs):
        # a size Keras's shapes (and check's) leave unknown is known when data flows: ask the model
        inputs = gdata.example_arrays(graph, N, seed=0, sizes=sizes, output_shapes={o.name: (1,) for o in graph.outputs})
        with lower.quiet_tensorflow():
            first = _as_list(model.predict({i.name: inputs[i.name] for i in graph.inputs}, verbose=0), graph)
        shapes = {out.name: p.shape[1:] for out, p in zip(graph.outputs, first, strict=True)}
    arrays = gdata.example_arrays(graph, N, seed=0, sizes=sizes, output_shapes=shapes)
    data_report = graphdsl.check_data(text, arrays)
    assert data_report.ok, data_report.render()

    x = {inp.name: arrays[inp.name] for inp in graph.inputs}
    x_fit, y_fit = gdata.fit_arrays(graph, gdata.from_arrays(arrays))
    with lower.quiet_tensorflow():
        model.fit(x_fit, y_fit, batch_size=N, epochs=1, verbose=0)
        predicted = _as_list(model.predict(x, batch_size=N, verbose=0), graph)
    for out, got in zip(graph.outputs, predicted, strict=True):
        want = concrete.get(out.tensor, out.type)
        assert len(got.shape) == 1 + len(want.shape), (out.name, got.shape, want)
        assert all(w is None or g == w for g, w in zip(got.shape, (N, *want.shape), strict=True)), (
            out.name, got.shape, want)
        assert str(got.dtype) == want.dtype, (out.name, got.dtype, want.dtype)

    memory = report.memory
    nbytes = lambda vs: sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in vs)  # noqa: E731
    assert memory.weights == nbytes(model.weights), [(v.path, v.shape, v.dtype) for v in model.weights]
    assert memory.gradients == nbytes(model.trainable_weights)

    path = tmp / "model.keras"
    lower.save_atomic(model, path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = keras.models.load_model(path, safe_mode=True)
    assert [str(w.message) for w in caught if "optimizer" in str(w.message).lower()] == []
    assert _plain(loaded.get_config()) == _plain(model.get_config())
    assert _plain(loaded.get_compile_config()) == _plain(model.get_compile_config())
    for mine, theirs in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(theirs), np.asarray(mine), err_msg=mine.path)
    with lower.quiet_tensorflow():
        again = _as_list(loaded.predict(x, batch_size=N, verbose=0), graph)
    for out, a, b in zip(graph.outputs, predicted, again, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5, err_msg=out.name)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
@given(text=EVERYTHING)
def test_an_accepted_program_builds_trains_predicts_saves_and_loads_back_the_same(text: str, tmp_path: Path) -> None:
    run_life(text, tmp_path)

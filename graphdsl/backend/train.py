"""Training a checked graph on checked data with Keras's own `fit`: resumable, distributable,
reproducible, and writing everything atomically.

The caller (`graphdsl train`, `graphdsl.train`) has already checked the program and the data
(`graphdsl.data`); this module only runs Keras. What it adds around `model.fit`:

- **Outputs**: the trained model (`lower.save_atomic`), and beside it the history as CSV and JSON
  and a loss-curve picture (`graphdsl.history`), each written through `graphdsl.atomic`.
- **Resuming** (`checkpoint_dir`): at the end of every epoch, the weights and optimizer state go
  to a new ``epoch-NNNN.weights.h5`` and then ``graphdsl-state.json`` (epochs done, history so
  far, a fingerprint of the model, and the same for the epoch before) is replaced atomically to
  point at it; only then is the weights file of two epochs ago removed. A kill at any moment
  leaves a state that points at complete files. With several workers, they agree on the epoch
  to resume from before any of them loads (a kill during the end-of-epoch save can leave one
  worker an epoch ahead; it then restores its previous generation). The
  same command restores it, says from which epoch it resumes, and trains the remaining epochs; the
  state is removed once the outputs are written. (Keras's `BackupAndRestore` writes its weights in
  place, so a kill during that write loses the backup, and it removes its whole folder at the end;
  hence this equivalent.)
- **Distribution**: ``mirrored`` (`tf.distribute.MirroredStrategy`, all local devices) and
  ``multiworker`` (`tf.distribute.MultiWorkerMirroredStrategy`, configured by ``TF_CONFIG``). With
  several workers, the chief writes the model, the history, the picture and the TensorBoard logs;
  every other worker saves its model to a temporary folder that it removes, keeps its checkpoint in
  ``DIR/worker-N``, and writes nothing else, so workers never collide.
- **Reproducibility** (`seed`): `keras.utils.set_random_seed` and TensorFlow's op determinism, so
  two runs on the same data give the same weights on CPU.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..data import Dataset, fit_arrays
from ..fileio import replacing, write_atomic
from ..graph import Graph
from ..history import history_csv, history_json, loss_svg, paths_beside
from ..source import SourceFile
from . import lower

__all__ = ["STRATEGIES", "CheckpointError", "TrainResult", "fingerprint", "train"]

STRATEGIES = ("mirrored", "multiworker")
STATE = "graphdsl-state.json"


class CheckpointError(Exception):
    """The checkpoint folder holds the state of another model (or a damaged one)."""


@dataclass
class TrainResult:
    """What a training run did.

    - ``model``: the trained, compiled `keras.Model`.
    - ``history``: every logged quantity per epoch (``loss``, ``val_loss``, ``age_loss``, ...),
      including the epochs trained before a resume.
    - ``initial_epoch``: the number of epochs already done when this run started (0 unless it
      resumed from a checkpoint).
    - ``written``: the files written (model, history, picture), chief only.
    - ``chief``: False on a non-chief worker of a multi-worker run (it wrote nothing).
    """

    model: Any
    history: dict[str, list[float]]
    initial_epoch: int = 0
    written: list[str] = field(default_factory=list)
    chief: bool = True


def fingerprint(graph: Graph) -> str:
    """What a checkpoint must match to be restored into this model: its layers, inputs, outputs."""
    parts = [graph.model_name, graph.optimizer.name]
    parts += [f"{i.name}:{i.type}" for i in graph.inputs]
    parts += [f"{name}:{layer.class_name}:{layer.params}:{sorted(map(repr, layer.args.items()))}"
              for name, layer in graph.layers.items()]
    parts += [f"{o.name}:{o.type}:{o.loss.name if o.loss else None}" for o in graph.outputs]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# ---- distribution ----------------------------------------------------------------------------------


def _strategy(name: str | None) -> tuple[Any, bool, int | None]:
    """(strategy, is the chief, worker index for non-chief workers)."""
    if name is None:
        return None, True, None
    if name == "mirrored":
        return lower.strategy_from_name("mirrored"), True, None
    if name != "multiworker":
        raise ValueError(f"unknown distribution strategy {name!r}; expected one of: {', '.join(STRATEGIES)}")
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    resolver = strategy.cluster_resolver
    task_type, task_id = resolver.task_type, resolver.task_id
    cluster = resolver.cluster_spec().as_dict()
    chief = task_type in (None, "chief") or (task_type == "worker" and task_id == 0 and "chief" not in cluster)
    return strategy, chief, None if chief else int(task_id or 0)


def _multi_worker(strategy: Any) -> bool:
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()


def _patch_for_multi_worker(model: Any, strategy: Any) -> None:
    """Two workarounds that Keras 3's `fit` needs under MultiWorkerMirroredStrategy with several
    workers (keras-team/keras#20585, #20329), set on this model object only:

    - before the first step, Keras reduces a whole batch (a dict of per-replica tensors) with one
      collective `reduce`, which takes tensors only; the build needs shapes, not a mean, so the
      local replica's batch is used;
    - after each step, Keras reduces every scalar log with ``reduce("MEAN", v, axis=0)``, which has
      no axis 0 to reduce; the steps return each log as a one-element vector instead, whose mean
      over axis 0 is the same scalar.
    """
    import tensorflow as tf
    from keras import tree

    def local(value: Any) -> Any:
        if isinstance(value, tf.distribute.DistributedValues):
            return strategy.experimental_local_results(value)[0]
        return value

    def maybe_symbolic_build(iterator: Any = None, data_batch: Any = None) -> None:
        if iterator is not None:
            for _, _, it in iterator:
                data_batch = tree.map_structure(local, next(it))
                break
        with strategy.scope():
            model._symbolic_build(data_batch=data_batch)

    def as_vectors(step: Callable) -> Callable:
        def wrapped(data: Any) -> Any:
            return {k: tf.reshape(v, [1]) for k, v in step(data).items()}

        return wrapped

    model._maybe_symbolic_build = maybe_symbolic_build
    model.train_step = as_vectors(model.train_step)
    model.test_step = as_vectors(model.test_step)


def _agreement(strategy: Any) -> Callable[[int], int]:
    """The epoch every worker can resume from: the smallest last finished epoch among them. They
    differ by at most one, so it is the floor of their mean (MultiWorkerMirroredStrategy reduces
    by SUM or MEAN only). Every worker must call it once, as it is a collective operation."""
    import tensorflow as tf

    def agree(epoch: int) -> int:
        value = strategy.run(lambda: tf.constant(float(epoch)))
        total = float(strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None))
        return int(total / strategy.num_replicas_in_sync + 1e-6)

    return agree


# ---- checkpoints -----------------------------------------------------------------------------------


@dataclass
class _Checkpoint:
    """The resumable state in one folder (see the module docstring)."""

    folder: str
    mark: str  # the model's fingerprint

    @property
    def state_path(self) -> str:
        return os.path.join(self.folder, STATE)

    def read(self) -> dict | None:
        try:
            with open(self.state_path, encoding="utf-8") as fh:
                state = json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            raise CheckpointError(f"cannot read {self.state_path}: {err}") from None
        if state.get("fingerprint") != self.mark:
            raise CheckpointError(
                f"{self.folder} holds the checkpoint of another model (or of another version of this "
                "program); remove it, or choose another --checkpoint-dir"
            )
        return state

    def restore(self, model: Any, agree: Callable[[int], int] | None = None) -> tuple[int, dict[str, list[float]]]:
        """Load the last finished epoch into `model`: (epochs done, history so far).

        `agree` (several workers) maps this worker's last finished epoch to the one every worker
        can restore: the workers save at the same epoch ends, so after a kill they are at most one
        epoch apart, and a worker that got one epoch further restores its previous generation.
        """
        state = self.read()
        generations = [] if state is None else [state, *([state["previous"]] if state.get("previous") else [])]
        epoch = int(generations[0]["epoch"]) if generations else 0
        if agree is not None:
            epoch = agree(epoch)
        if epoch == 0:
            return 0, {}
        chosen = next((g for g in generations if int(g["epoch"]) == epoch), None)
        if chosen is None:
            raise CheckpointError(f"{self.folder} has no checkpoint of epoch {epoch}, which the other workers "
                                  "resume from; remove the checkpoint folders to start again")
        weights = os.path.join(self.folder, chosen["weights"])
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)  # so its state has somewhere to go
        try:
            model.load_weights(weights)
        except (OSError, ValueError) as err:
            raise CheckpointError(f"cannot restore {weights}: {err}") from None
        return epoch, {k: list(v) for k, v in chosen["history"].items()}

    def save(self, model: Any, epoch: int, history: dict[str, list[float]]) -> None:
        """Write a new weights file, then point the state at it (keeping the previous generation)."""
        os.makedirs(self.folder, exist_ok=True)
        name = f"epoch-{epoch:04d}.weights.h5"
        with replacing(os.path.join(self.folder, name), suffix=".weights.h5") as tmp:
            model.save_weights(tmp, overwrite=True)
        before = self.read()
        previous = None if before is None else {k: before[k] for k in ("epoch", "weights", "history")}
        state = {"fingerprint": self.mark, "epoch": epoch, "weights": name, "history": history,
                 "previous": previous}
        write_atomic(self.state_path, json.dumps(state) + "\n")
        keep = {name, previous["weights"] if previous else None}
        for old in glob.glob(os.path.join(self.folder, "epoch-*.weights.h5")):
            if os.path.basename(old) not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(old)

    def remove(self) -> None:
        """Forget the state once the outputs are written (only our own files; the folder stays)."""
        for path in [self.state_path, *glob.glob(os.path.join(self.folder, "epoch-*.weights.h5"))]:
            with contextlib.suppress(OSError):
                os.unlink(path)
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)  # only if empty (we may have made it)


def _recorder(history: dict[str, list[float]], checkpoint: _Checkpoint | None) -> Any:
    """A callback that appends each epoch's logs to `history` and, with a checkpoint, saves it."""
    import keras

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            for key, value in (logs or {}).items():
                history.setdefault(key, []).append(float(value))
            if checkpoint is not None:
                checkpoint.save(self.model, epoch + 1, history)

    return Record()


# ---- training --------------------------------------------------------------------------------------


def train(
    graph: Graph,
    data: Dataset,
    *,
    source: SourceFile | None = None,
    validation_data: Dataset | None = None,
    validation_split: float | None = None,
    epochs: int = 1,
    batch_size: int = 32,
    output: str | None = None,
    checkpoint_dir: str | None = None,
    log_dir: str | None = None,
    seed: int | None = None,
    distribute: str | None = None,
    verbose: int | str = "auto",
    callbacks: Sequence[Any] = (),
    say: Callable[[str], None] | None = None,
) -> TrainResult:
    """Build the graph's model and train it on checked data with Keras's `fit` (see the module
    docstring for what is written where). `say` receives one-line progress notes (resuming, ...)."""
    import keras
    import tensorflow as tf

    say = say or (lambda _line: None)
    strategy, chief, worker = _strategy(distribute)  # MultiWorkerMirroredStrategy must come first
    if seed is not None:
        keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()
    model = lower.build_model(graph, strategy=strategy, source=source)
    multi = _multi_worker(strategy)
    if multi:
        _patch_for_multi_worker(model, strategy)

    checkpoint = None
    if checkpoint_dir is not None:
        folder = checkpoint_dir if chief else os.path.join(checkpoint_dir, f"worker-{worker}")
        checkpoint = _Checkpoint(folder, fingerprint(graph))
    history: dict[str, list[float]] = {}
    initial_epoch = 0
    if checkpoint is not None:
        scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
        with scope:
            initial_epoch, history = checkpoint.restore(model, _agreement(strategy) if multi else None)
        if 0 < initial_epoch < epochs:
            say(f"resuming from the checkpoint in {checkpoint_dir}: {initial_epoch} of {epochs} epochs are done, "
                f"training from epoch {initial_epoch + 1}")
        elif initial_epoch:
            say(f"resuming from the checkpoint in {checkpoint_dir}: all {epochs} epochs are done, writing the outputs")
    cbs: list[Any] = [_recorder(history, checkpoint), *callbacks]
    if log_dir is not None and chief:
        cbs.append(keras.callbacks.TensorBoard(log_dir=log_dir))

    x, y = fit_arrays(graph, data)
    kwargs: dict[str, Any] = {}
    if validation_data is not None:
        kwargs["validation_data"] = fit_arrays(graph, validation_data)
    elif validation_split:
        kwargs["validation_split"] = validation_split
    if initial_epoch < epochs:
        model.fit(x, y, batch_size=batch_size, epochs=epochs, initial_epoch=initial_epoch,
                  verbose=verbose if chief else 0, callbacks=cbs, **kwargs)

    written: list[str] = []
    if output is not None and chief:
        lower.save_atomic(model, output)
        written.append(output)
        paths = paths_beside(output)
        about = {"model": graph.model_name, "samples": int(next(iter(x.values())).shape[0]),
                 "batch_size": batch_size}
        write_atomic(paths["csv"], history_csv(history))
        write_atomic(paths["json"], history_json(history, **about))
        write_atomic(paths["svg"], loss_svg(history, f"{graph.model_name}: loss per epoch"))
        written += [paths["csv"], paths["json"], paths["svg"]]
    elif output is not None:
        # A worker takes part in the save as the chief does (so a save that needs every worker
        # still completes), but into a temporary folder of its own that it then removes.
        scratch = tempfile.mkdtemp(prefix="graphdsl-worker-")
        try:
            model.save(os.path.join(scratch, "model.keras"))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if checkpoint is not None:
        checkpoint.remove()
    return TrainResult(model, history, initial_epoch, written, chief)

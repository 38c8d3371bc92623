"""Keras models read back into graphdsl: the imported graph, its text, and the structure matcher.

`graphdsl import` and `graphdsl.from_keras` work in two halves:

- `graphdsl/backend/importer.py` (the only half that touches Keras) reads a Keras model's
  serialized architecture -- the `config.json` of a ``.keras`` file, or ``get_config()`` of a
  live model -- into an `ImportedModel` (`model.py`): inputs, one `Node` per layer call, merge or
  op (nested models inlined), outputs, and the training set-up. Every layer's arguments are the
  ones that differ from Keras's defaults, checked by rebuilding the layer and comparing configs.
- This package turns that graph into text and back, without Keras: `emit.py` makes the IR that
  the formatter prints (chains, merges, shared `layer` declarations), and `match.py` pairs the
  layers of two imported graphs by structure (to carry weights from one model to another).

Nothing here imports Keras or TensorFlow.
"""

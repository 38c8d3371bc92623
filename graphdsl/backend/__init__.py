"""Everything that touches Keras or TensorFlow, and nothing else does.

`graphdsl check`, `fmt`, the front end and the editor tools never import this package; a command
imports it only once a program has checked clean and must be built, trained or imported. Each
module imports Keras inside its functions (after `lower.quiet_tensorflow()` has muted TensorFlow's
start-up noise), so importing a module here is cheap and importing Keras is a decision.

- `lower`: a checked `Graph` -> a compiled Keras functional model; saving it atomically.
"""

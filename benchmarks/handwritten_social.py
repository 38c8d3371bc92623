"""examples/social.gd written by hand in Keras: build, compile and save, as a user's script would.

The reference side of ``bench_build.py``: ``python benchmarks/handwritten_social.py OUT.keras``.
The model itself is the one the fidelity tests compare against (tests/keras/handwritten.py).
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "keras"))

from handwritten import social  # noqa: E402

model = social()
model.save(sys.argv[1] if len(sys.argv) > 1 else "social_handwritten.keras")
print(f"built social: {model.count_params():,} parameters")

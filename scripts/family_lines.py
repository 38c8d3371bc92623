"""The line counts of the README's "Model families": each example against the Keras code it is
written from.

Run:  python scripts/family_lines.py

A line is counted when it is code: not blank, not a comment, not a docstring. For graphdsl, the
example's lines. For Keras, the functions (and module constants) that build the model: for the
keras.applications models, in Keras's own source (read as text, Keras is not imported); for the
others, in the hand-written references of tests/keras/families.py (compile included, as the
examples name their losses). The applications' functions also check their arguments, take an
input tensor and load weights; "architecture" drops those statements (and the `include_top=False`
branch), keeping what builds the layers.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
REFERENCES = ROOT / "tests" / "keras" / "families.py"

# example -> (Keras source file, the functions and constants that build it, the model functions)
APPLICATIONS = {
    "resnet50": ("resnet.py", {"ResNet", "residual_block_v1", "stack_residual_blocks_v1", "ResNet50"},
                 {"ResNet", "ResNet50"}),
    "mobilenet_v2": ("mobilenet_v2.py", {"MobileNetV2", "_inverted_res_block", "_make_divisible"}, {"MobileNetV2"}),
    "efficientnet_b0": ("efficientnet.py", {"EfficientNet", "block", "EfficientNetB0", "DEFAULT_BLOCKS_ARGS",
                                            "CONV_KERNEL_INITIALIZER", "DENSE_KERNEL_INITIALIZER"},
                        {"EfficientNet", "EfficientNetB0"}),
    "densenet121": ("densenet.py", {"DenseNet", "dense_block", "transition_block", "conv_block", "DenseNet121"},
                    {"DenseNet", "DenseNet121"}),
    "xception": ("xception.py", {"Xception"}, {"Xception"}),
}
HANDWRITTEN = ["unet", "transformer_classifier", "seq2seq", "wide_deep", "siamese"]
# statements of a model function that check arguments, take an input tensor or load weights
_BOILERPLATE = ("weights", "input_tensor", "raise ", "obtain_input_shape", "warnings.warn", "pooling",
                "image_data_format", "get_source_inputs", "validate_activation")


def _docstrings(node: ast.AST) -> set[int]:
    lines: set[int] = set()
    for n in ast.walk(node):
        body = getattr(n, "body", None)
        if isinstance(n, (ast.FunctionDef, ast.Module)) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def code_lines(lines: list[str], node: ast.AST) -> list[int]:
    """The numbers of node's lines that are code."""
    doc = _docstrings(node)
    return [i for i in range(node.lineno, node.end_lineno + 1)
            if i not in doc and lines[i - 1].strip() and not lines[i - 1].strip().startswith("#")]


def architecture_lines(lines: list[str], node: ast.FunctionDef) -> list[int]:
    """`code_lines` without the statements that check arguments, take an input tensor or load
    weights; an `if include_top:` keeps its body, not its else branch."""
    drop: set[int] = set()

    def visit(statements):
        for s in statements:
            text = "\n".join(lines[s.lineno - 1 : s.end_lineno])
            if isinstance(s, ast.If) and "include_top" in ast.unparse(s.test) and "weights" not in ast.unparse(s.test):
                drop.add(s.lineno)
                if s.orelse:
                    drop.update(range(s.orelse[0].lineno - 1, s.end_lineno + 1))
                visit(s.body)
            elif any(word in text for word in _BOILERPLATE):
                drop.update(range(s.lineno, s.end_lineno + 1))

    visit(node.body)
    return [i for i in code_lines(lines, node) if i not in drop]


def keras_lines(path: Path, names: set[str], models: set[str] = frozenset()) -> tuple[int, int]:
    """Code lines of the named functions and constants of a Python file: all, and architecture."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    total = architecture = 0
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef):
            name = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        else:
            continue
        if name in names:
            code = code_lines(lines, node)
            total += len(code)
            architecture += len(architecture_lines(lines, node)) if name in models else len(code)
    return total, architecture


def graphdsl_lines(name: str) -> tuple[int, int]:
    """The example's code lines and documented parameter count."""
    text = (EXAMPLES / f"{name}.gd").read_text(encoding="utf-8")
    code = sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))
    count = int(re.search(r"([\d,]+) parameters", text).group(1).replace(",", ""))
    return code, count


def main() -> None:
    keras_dir = Path(importlib.util.find_spec("keras").submodule_search_locations[0])
    applications = keras_dir / "src" / "applications"
    print(f"{'example':24} {'parameters':>12} {'graphdsl':>9} {'Keras':>6} {'architecture':>13}")
    rows = [(name, applications / f, names, models) for name, (f, names, models) in APPLICATIONS.items()]
    rows += [(name, REFERENCES, {name}, set()) for name in HANDWRITTEN]
    for name, path, names, models in rows:
        code, count = graphdsl_lines(name)
        total, architecture = keras_lines(path, names, models)
        print(f"{name:24} {count:>12,} {code:>9} {total:>6} {architecture:>13}")


if __name__ == "__main__":
    main()

"""The one string escaper: how graphdsl spells a string, and how it shows text it did not write.

Three uses, one table:

- `quote` spells a string value as the language reads it back (double quotes; ``\\\\ \\" \\n \\r
  \\t \\0`` escaped). The formatter and every message that quotes a value use it.
- `escape_controls` makes text safe for a terminal or a log: a control character (an escape
  sequence, a backspace, a bidirectional override, a line separator) becomes a visible escape
  (``\\n``, ``\\x1b``, ``\\u202e``). Every diagnostic's message, help and labels pass through it,
  so a string literal cannot move the cursor, recolour the terminal or reorder what is shown.
- `visible` shows a source line as it is, one column per character: each control character is
  replaced by its Unicode "control picture" (ESC becomes U+241B), so the carets under it stay
  aligned.

The language has no ``\\x`` escape, so `quote` leaves other control characters as they are (the
formatter must give back the same value); messages are not code, so `escape_controls` may use
``\\x1b``.
"""

from __future__ import annotations

import re

__all__ = ["escape_controls", "quote", "visible"]

# The escapes of the language (graphdsl/parser.py reads them back).
_LANGUAGE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}
_QUOTING = str.maketrans(_LANGUAGE)

# C0 and C1 controls, DEL, the bidirectional and zero-width format characters that reorder or
# hide text (CVE-2021-42574, "Trojan Source"), and the Unicode line and paragraph separators.
_CONTROLS = "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"


def _control():
    # compiled on first use: a clean program's messages never need it (start-up time)
    return re.compile(_CONTROLS)


def quote(value: str) -> str:
    """`value` as a graphdsl string literal: ``"relu"``, ``"a\\"b"``."""
    return '"' + value.translate(_QUOTING) + '"'


def _escape(ch: str) -> str:
    short = _LANGUAGE.get(ch)
    if short is not None and ch not in '\\"':
        return short
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every control character written as an escape (``\\x1b``); the rest unchanged."""
    if text.isprintable():  # the common case, in C
        return text
    return _control().sub(lambda m: _escape(m.group()), text)


def _picture(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400..U+241F: the control pictures
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"  # other controls have no picture: the replacement character


def visible(line: str) -> str:
    """A source line with each control character replaced by one visible character."""
    if line.isprintable():
        return line
    return _control().sub(lambda m: _picture(m.group()), line)

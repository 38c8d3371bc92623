"""Writing files safely: the one atomic writer every command uses.

A file is written next to its target under a temporary name, flushed to disk, then renamed over
the target, so an interrupted or failed write never leaves a half-written file and never damages
the file that was there. An existing target keeps its permissions; a new one gets the usual ones
(0o666 less the umask), not the 0o600 of a temporary file.
"""

from __future__ import annotations

import os

__all__ = ["write_atomic"]


def write_atomic(path: str, data: str | bytes) -> None:
    """Write `data` (text as UTF-8, or bytes) to `path` atomically."""
    import tempfile  # noqa: PLC0415 - only commands that write pay for it

    target = os.path.realpath(path)  # write through a symlink, keep the link
    folder, name = os.path.split(target)
    try:
        mode = os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        if isinstance(data, str):
            data = data.encode("utf-8")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

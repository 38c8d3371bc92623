"""Writing files so that a failure or a kill never leaves half of one: the one atomic writer.

Every file graphdsl writes (a formatted program, a built or trained model, a training history, a
loss curve, a checkpoint's state) goes through `replacing`: the content is written to a temporary
file in the target's folder, flushed to disk, given the mode a plain write would give, and renamed
over the target. A rename within one folder is atomic, so a reader sees the old file or the new
one, never a mixture; on any failure (an exception, Ctrl-C) the temporary file is removed and the
target is untouched. A symbolic link is followed: the file it points to is replaced, the link stays.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator

__all__ = ["replacing", "write_atomic"]


def _file_mode(path: str) -> int:
    """The mode a plain write would give: the existing file's, else 0o666 less the umask
    (mkstemp creates 0o600 files, which would surprise whoever shares the file)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path beside `path`; when the block ends normally, it replaces `path`.

    Write the new content to the yielded path (it exists, empty). `suffix` ends the temporary
    name, for writers that insist on an extension (Keras wants ``.keras``). On an exception the
    temporary file is removed and `path` is left as it was.
    """
    target = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        yield tmp
        _fsync(tmp)
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        _fsync(folder)


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Replace the file at `path` with `data` (text is written as UTF-8, newlines untouched)."""
    with replacing(path) as tmp:
        if isinstance(data, str):
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(data)
        else:
            with open(tmp, "wb") as fh:
                fh.write(data)

"""Writing files safely: the one atomic writer every command uses.

Every file graphdsl writes (a formatted program, a picture, a built model) goes through
`replacing`: the new content is written to a temporary file in the target's folder, flushed to
disk (``fsync``), given the mode a plain write would give, and renamed over the target; then the
folder itself is flushed, so the rename survives a power cut. A rename within one folder is atomic,
so a reader sees the old file or the new one, never a mixture.

- On any failure — an exception, Ctrl-C (KeyboardInterrupt), or SIGTERM/SIGHUP arriving while the
  file is written — the temporary file is removed and the target is left as it was. A signal is
  then delivered again as it would have been (with its default action the process still ends by
  it), so cleaning up changes nothing else about how the program stops.
- A symbolic link is followed: the file it points to is replaced, the link stays a link.
- An existing target keeps its permission bits (and group, where allowed); a new one gets the
  usual ``0o666`` less the umask, not the ``0o600`` of a temporary file.

`write_atomic` writes text or bytes; `replacing` hands a temporary path to a writer that must
create the file itself (Keras's ``model.save`` insists on a path ending in ``.keras``).
`problem_writing` says, before any work is done, why a path could not be written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

__all__ = ["problem_writing", "replacing", "write_atomic"]

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _umask() -> int:
    # /proc/self/status reads the umask without changing it (os.umask would, for every thread)
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync(path: str, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Signalled(BaseException):
    """A termination signal arrived while a file was being written (internal: re-delivered)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise inside it (so its clean-up runs); after the
    clean-up the signal is delivered again under the handlers that were there before."""
    if threading.current_thread() is not threading.main_thread() or not _SIGNALS:
        yield  # signal handlers can only be set in the main thread
        return

    def raise_it(signum: int, _frame: object) -> None:
        raise _Signalled(signum)

    previous = {}
    for signum in _SIGNALS:
        handler = signal.getsignal(signum)
        if handler in (signal.SIG_IGN, None):
            continue  # ignored (or set outside Python): leave it alone
        previous[signum] = handler
        signal.signal(signum, raise_it)
    try:
        yield
    except _Signalled as sig:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        previous = {}
        signal.raise_signal(sig.signum)  # the default action ends the process here
        raise InterruptedError(f"interrupted by signal {signal.Signals(sig.signum).name}") from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path beside `path`; when the block ends normally it replaces `path`.

    The temporary file exists (empty) when the block starts; write the new content to it, or
    replace it (Keras does). `suffix` ends its name, for writers that insist on an extension. On
    an exception, Ctrl-C or a termination signal the temporary file is removed and `path` is
    left exactly as it was.
    """
    import tempfile  # noqa: PLC0415 - only commands that write pay for it

    target = os.path.realpath(os.fspath(path))  # write through a symlink, keep the link
    folder, name = os.path.split(target)
    try:
        st = os.stat(target)
        mode, gid = st.st_mode & 0o777, st.st_gid
    except FileNotFoundError:
        mode, gid = 0o666 & ~_umask(), None
    with _signals_raise():
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
        try:
            os.close(fd)
            yield tmp
            _fsync(tmp)
            if gid is not None:
                with contextlib.suppress(OSError):  # keep the group where we may; never fail for it
                    os.chown(tmp, -1, gid)
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        _fsync(folder, directory=True)


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Replace the file at `path` with `data` (text is written as UTF-8, line endings untouched)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with replacing(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def problem_writing(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot be written (replaced or created), in a few words; None if it can.

    Checked before any work starts, so that a wrong output path is a wrong command line, not a
    failure after minutes of building.
    """
    path = os.fspath(path)
    target = os.path.realpath(path)
    if os.path.isdir(target):
        return f"{path} is a folder; name the file to write"
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        return f"the folder {os.path.dirname(os.path.abspath(path))} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    if os.path.exists(target) and not os.access(target, os.W_OK):
        return f"{path} is read-only"
    return None

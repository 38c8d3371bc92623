"""The one atomic writer: files are replaced whole or not at all, keep their mode, are written
through symlinks, are flushed to disk, and an interruption (an exception, Ctrl-C, SIGTERM) leaves
no temporary file behind."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graphdsl import fileio
from graphdsl.fileio import problem_writing, replacing, write_atomic

ROOT = Path(__file__).resolve().parent.parent


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_text_and_bytes_are_written_exactly(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.gd", "input x: float32[1]\r\n# café\n")
    write_atomic(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "a.gd").read_bytes() == "input x: float32[1]\r\n# café\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    assert _names(tmp_path) == ["a.gd", "b.bin"]


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "model.gd"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "new"


def test_a_new_file_gets_the_usual_mode_not_a_temporary_files(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.gd", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.gd").stat().st_mode) == 0o640


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "model.gd"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "link.gd"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o600
    assert _names(real.parent) == ["model.gd"]


def test_the_file_and_its_folder_are_flushed_to_disk(tmp_path: Path, monkeypatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    write_atomic(tmp_path / "out.gd", "x")
    assert len(synced) == 2
    assert Path(synced[0]).parent == tmp_path and Path(synced[0]).name.startswith(".out.gd.")  # the content
    assert Path(synced[1]) == tmp_path  # then the rename


@pytest.mark.parametrize("interruption", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, interruption) -> None:
    path = tmp_path / "model.keras"
    path.write_bytes(b"the old model")
    with pytest.raises(type(interruption)), replacing(path, suffix=".keras") as tmp:
        Path(tmp).write_bytes(b"half a mod")
        raise interruption
    assert path.read_bytes() == b"the old model"
    assert _names(tmp_path) == ["model.keras"]


_SIGTERMED = """
import os, signal, sys
from pathlib import Path
from graphdsl.fileio import replacing
target = Path(sys.argv[1])
with replacing(target, suffix=".keras") as tmp:
    Path(tmp).write_bytes(b"half a mod")
    print(Path(tmp).name, flush=True)
    os.kill(os.getpid(), signal.SIGTERM)
    import time
    time.sleep(30)
print("not reached")
"""


def test_sigterm_while_writing_removes_the_temporary_and_still_ends_the_process(tmp_path: Path) -> None:
    target = tmp_path / "model.keras"
    target.write_bytes(b"the old model")
    proc = subprocess.run([sys.executable, "-c", _SIGTERMED, str(target)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert proc.returncode == -signal.SIGTERM, proc.stderr  # ended by the signal, as without graphdsl
    assert proc.stdout.startswith(".model.keras.")  # the temporary existed
    assert "not reached" not in proc.stdout and "Traceback" not in proc.stderr
    assert _names(tmp_path) == ["model.keras"] and target.read_bytes() == b"the old model"


def test_a_signal_handler_of_the_program_still_runs_after_the_clean_up(tmp_path: Path) -> None:
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with pytest.raises(InterruptedError), replacing(tmp_path / "x.gd") as tmp:
            Path(tmp).write_text("half")
            os.kill(os.getpid(), signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [signal.SIGTERM]
    assert _names(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is previous


def test_problems_writing_are_found_before_any_work(tmp_path: Path) -> None:
    assert problem_writing(tmp_path / "new.keras") is None
    assert "is a folder" in problem_writing(tmp_path)
    assert "does not exist" in problem_writing(tmp_path / "nowhere" / "x.keras")
    locked = tmp_path / "locked.gd"
    locked.write_text("x")
    locked.chmod(0o444)
    if os.geteuid() != 0:  # root may write anything
        assert "read-only" in problem_writing(locked)
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        try:
            assert "not writable" in problem_writing(folder / "x.gd")
        finally:
            folder.chmod(0o755)

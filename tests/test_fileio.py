"""The one atomic writer: the new content or the old, never half; modes and symlinks kept."""

from __future__ import annotations

import os
import stat

import pytest

from graphdsl.fileio import replacing, write_atomic


def test_a_new_file_gets_the_usual_mode_and_an_existing_file_keeps_its_own(tmp_path):
    new = tmp_path / "new.txt"
    write_atomic(new, "hello\r\n")
    assert new.read_bytes() == b"hello\r\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask
    old = tmp_path / "old.txt"
    old.write_text("old")
    old.chmod(0o640)
    write_atomic(old, b"\x00new")
    assert old.read_bytes() == b"\x00new" and stat.S_IMODE(old.stat().st_mode) == 0o640


def test_a_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "model.keras"
    target.write_bytes(b"previous")
    with pytest.raises(OSError, match="disk full"), replacing(target, suffix=".keras") as tmp:
        assert tmp.endswith(".keras") and os.path.dirname(tmp) == str(tmp_path)
        with open(tmp, "wb") as fh:
            fh.write(b"half")
        raise OSError("disk full")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real.gd"
    real.write_text("old")
    link = tmp_path / "link.gd"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"

"""The memory budget, on the front end: the machine's memory is read without new dependencies
(with fallbacks), the budget is overridable from Python and the command line, and the estimate
adds up its parts. (That the parts are what Keras allocates is tests/keras/test_compile_args_keras.py.)"""

from __future__ import annotations

import builtins
import io

import pytest

import graphdsl
from graphdsl.cli import main
from graphdsl.cli.common import size
from graphdsl.passes import budget

MODEL = "input x: float32[1000]\noutput y = x -> Dense(1000) loss mse\noptimizer adam\n"  # 1,001,000 params


@pytest.fixture
def fresh_machine():
    budget.machine_memory.cache_clear()
    yield
    budget.machine_memory.cache_clear()


def _fake_files(monkeypatch, files: dict[str, str]) -> None:
    real_open = builtins.open

    def fake_open(path, *args, **kwargs):
        if path in files:
            return io.StringIO(files[path])
        if str(path).startswith(("/proc/meminfo", "/sys/fs/cgroup")):
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)


def test_the_machines_memory_comes_from_sysconf(fresh_machine, monkeypatch):
    monkeypatch.setattr(budget.os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 1000}[name])
    _fake_files(monkeypatch, {})
    assert budget.machine_memory() == 4_096_000


def test_without_sysconf_it_comes_from_proc_meminfo(fresh_machine, monkeypatch):
    def no_sysconf(name):
        raise ValueError(name)

    monkeypatch.setattr(budget.os, "sysconf", no_sysconf)
    _fake_files(monkeypatch, {"/proc/meminfo": "MemTotal:       16384 kB\nMemFree: 1 kB\n"})
    assert budget.machine_memory() == 16 * 1024 * 1024


def test_a_containers_limit_is_the_machine(fresh_machine, monkeypatch):
    monkeypatch.setattr(budget.os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 10**7}[name])
    _fake_files(monkeypatch, {"/sys/fs/cgroup/memory.max": "2147483648\n"})
    assert budget.machine_memory() == 2**31
    budget.machine_memory.cache_clear()
    _fake_files(monkeypatch, {"/sys/fs/cgroup/memory.max": "max\n"})  # no limit
    assert budget.machine_memory() == 4096 * 10**7


def test_when_nothing_can_be_read_there_is_no_memory_budget(fresh_machine, monkeypatch):
    def no_sysconf(name):
        raise OSError(name)

    monkeypatch.setattr(budget.os, "sysconf", no_sysconf)
    _fake_files(monkeypatch, {})
    assert budget.machine_memory() is None
    assert graphdsl.check(MODEL).ok


def test_the_default_budget_is_the_machines_memory(fresh_machine, monkeypatch):
    monkeypatch.setattr(budget, "machine_memory", lambda: 10 * 2**20)
    (d,) = graphdsl.check(MODEL).errors
    assert d.code == "GD0207" and d.message.endswith("more than this machine's memory of 10 MiB")
    assert graphdsl.check(MODEL, max_memory=10**9).ok  # overridden


def test_the_estimate_adds_up_its_parts():
    report = graphdsl.check(MODEL)
    mem = report.memory
    assert mem.weights == 1_001_000 * 4 and mem.gradients == mem.weights
    assert mem.optimizer == 2 * mem.weights + 12  # Adam: two slots, the iteration count and learning rate
    assert mem.metrics == 0 and mem.initializer == 0
    assert mem.total == 4 * mem.weights + 12
    assert report.memory.summary() == "about 15.3 MiB to train (weights 3.82 MiB, gradients 3.82 MiB, adam's slots 7.64 MiB)"


def test_an_orthogonal_initializer_counts_its_workspace():
    mem = graphdsl.check(MODEL.replace("Dense(1000)", 'Dense(1000, kernel_initializer="orthogonal")')).memory
    assert mem.initializer == 2 * 1_001_000 * 4
    lstm = graphdsl.check("input x: float32[5, 3]\noutput y = x -> LSTM(4) loss mse\n").memory  # recurrent: orthogonal
    assert lstm.initializer == 2 * (4 * 4 * (3 + 4 + 1)) * 4


def test_an_orthogonal_initializer_given_as_a_class_counts_like_its_name():
    by_name = graphdsl.check(MODEL.replace("Dense(1000)", 'Dense(1000, kernel_initializer="orthogonal")')).memory
    by_class = graphdsl.check(MODEL.replace("Dense(1000)", "Dense(1000, kernel_initializer=Orthogonal(gain=2.0))"))
    assert by_class.ok, by_class.render()
    assert by_class.memory.initializer == by_name.initializer > 0


def test_a_budget_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="max_memory"):
        graphdsl.check(MODEL, max_memory="8G")
    with pytest.raises(ValueError, match="max_memory"):
        graphdsl.check(MODEL, max_memory=-1)


@pytest.mark.parametrize(("written", "value"), [("8G", 8 * 2**30), ("512M", 512 * 2**20), ("1.5GiB", 3 * 2**29),
                                                ("16GB", 16 * 10**9), ("4e9", 4 * 10**9), ("100", 100),
                                                ("2 k", 2048), ("1_000mb", 10**9)])
def test_sizes_read_the_way_people_write_them(written, value):
    assert size(written) == value


@pytest.mark.parametrize("written", ["lots", "8X", "-1G", "", "1e400"])
def test_what_is_not_a_size_is_a_wrong_command_line(written, capsys):
    assert main(["check", "--max-memory", written, "examples/news.gd"]) == 2
    assert "--max-memory" in capsys.readouterr().err


def test_max_memory_on_the_command_line(capsys, monkeypatch):
    monkeypatch.chdir(budget.__file__.rsplit("/graphdsl/", 1)[0])
    assert main(["check", "--max-memory", "1M", "examples/news.gd"]) == 1
    assert "error[GD0207]" in capsys.readouterr().err
    assert main(["check", "--max-memory", "1G", "examples/news.gd"]) == 0

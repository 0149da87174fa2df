"""Stop signals held back while a block runs (careerconv.surfaces.signals), the one rule the app command and the
report batch both use to write something whole."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import pytest

from careerconv.surfaces.signals import signals_held


@pytest.fixture
def ctrl_c_as_in_a_terminal():
    """SIGINT raises KeyboardInterrupt, whatever the test run inherited (a shell without job control ignores it)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_a_ctrl_c_inside_the_block_arrives_after_it(ctrl_c_as_in_a_terminal):
    done = []
    with pytest.raises(KeyboardInterrupt):
        with signals_held(signal.SIGINT, signal.SIGTERM):
            signal.raise_signal(signal.SIGINT)
            done.append("the rest of the block")
    assert done == ["the rest of the block"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handled as before again


def test_the_first_signal_that_came_is_handled_once_as_its_handler_says(ctrl_c_as_in_a_terminal):
    handled = []
    before = signal.signal(signal.SIGTERM, lambda number, _frame: handled.append(number))
    try:
        with signals_held(signal.SIGINT, signal.SIGTERM):
            signal.raise_signal(signal.SIGTERM)
            signal.raise_signal(signal.SIGINT)  # a second stop: dropped, the first one stops
            signal.raise_signal(signal.SIGTERM)
            assert handled == []
    finally:
        signal.signal(signal.SIGTERM, before)
    assert handled == [signal.SIGTERM]


def test_a_block_that_says_what_a_stop_waits_for_says_it_once_as_the_first_stop_comes(ctrl_c_as_in_a_terminal, capsys):
    """A block that may take a while (a local Dask cluster starting) says at once that the stop was heard and what
    it waits for: the person who pressed Ctrl-C is not left in silence until it ends."""
    said = []
    with pytest.raises(KeyboardInterrupt):
        with signals_held(signal.SIGINT, signal.SIGTERM, saying="stopping once the cluster has started ..."):
            signal.raise_signal(signal.SIGINT)
            said.append(capsys.readouterr().err)  # before the block ends
            signal.raise_signal(signal.SIGINT)  # pressed again: dropped, and not said again
    assert said == ["stopping once the cluster has started ...\n"]
    assert capsys.readouterr().err == ""


def test_outside_the_main_thread_it_holds_nothing_and_does_not_fail(ctrl_c_as_in_a_terminal):
    seen = []

    def in_a_worker_thread():
        try:
            with signals_held(signal.SIGINT, signal.SIGTERM):
                seen.append(signal.getsignal(signal.SIGINT))
        except BaseException as exc:  # what the thread would die of, for the assertion
            seen.append(exc)

    worker = threading.Thread(target=in_a_worker_thread)
    worker.start()
    worker.join(30)
    assert seen == [signal.default_int_handler]  # the block ran, with the handler as it was


def test_it_needs_nothing_heavy():
    """``careerconv app`` imports it and starts light: no papermill, pandas or numpy."""
    probe = ("import sys; import careerconv.surfaces.signals; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'papermill', 'pandas', 'numpy', 'nbformat'}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         stdin=subprocess.DEVNULL).stdout
    assert out.strip() == "[]"

"""The spare worker (pool.Spare): its warm-up steps run while nothing is asked of it, and
a step left when its call comes is skipped; the call's result comes back."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

from utlatande.pool import Spare


def _step(marker: Path, pause: float = 0.0) -> None:
    marker.with_suffix(".börjad").write_text("börjad", encoding="utf-8")
    time.sleep(pause)
    marker.write_text("gjort", encoding="utf-8")


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def _twice(value: int) -> int:
    return 2 * value


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the spare worker is forked")
def test_a_warm_up_step_left_when_the_call_comes_is_skipped(tmp_path):
    first, second = tmp_path / "första", tmp_path / "andra"
    spare = Spare(partial(_step, first, 0.5), partial(_step, second))
    _wait_for(first.with_suffix(".börjad"))
    spare.submit(_twice, 21)  # comes while the first step runs
    assert spare.result() == 42
    assert first.exists() and not second.exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the spare worker is forked")
def test_every_warm_up_step_runs_while_nothing_is_asked(tmp_path):
    first, second = tmp_path / "första", tmp_path / "andra"
    spare = Spare(partial(_step, first), partial(_step, second))
    _wait_for(second)
    spare.submit(_twice, 1)
    assert spare.result() == 2
    assert first.exists() and second.exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the spare worker is forked")
def test_with_grace_a_call_that_comes_just_after_the_first_step_skips_the_rest(tmp_path):
    first, second = tmp_path / "första", tmp_path / "andra"
    spare = Spare(partial(_step, first), partial(_step, second), grace=5.0)
    _wait_for(first)
    spare.submit(_twice, 4)  # comes within the grace after the first step
    assert spare.result() == 8
    assert first.exists() and not second.with_suffix(".börjad").exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the spare worker is forked")
def test_with_grace_the_rest_is_warmed_when_no_call_comes(tmp_path):
    first, second = tmp_path / "första", tmp_path / "andra"
    spare = Spare(partial(_step, first), partial(_step, second), grace=0.05)
    _wait_for(second)
    spare.submit(_twice, 5)
    assert spare.result() == 10
    assert first.exists() and second.exists()

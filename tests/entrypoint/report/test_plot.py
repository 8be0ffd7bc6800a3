"""The metrics plot: one line per distinct history, identical runs drawn once and named together."""

from __future__ import annotations

import re

from mlfcore.entrypoint.report.model import Run
from mlfcore.entrypoint.report.plot import choose_metric, series, svg


def _run(run_id: str, **metrics: list[float]) -> Run:
    return Run(run_id, "e", "FINISHED", None, None, {}, {},
               metrics={name: list(enumerate(values)) for name, values in metrics.items()})


def test_identical_histories_draw_one_line_and_say_so():
    runs = [_run("a" * 32, loss=[1.0, 0.5]), _run("b" * 32, loss=[1.0, 0.5]), _run("c" * 32, loss=[1.0, 0.25])]
    lines = series(runs, "loss")
    assert [line.runs for line in lines] == [("a" * 32, "b" * 32), ("c" * 32,)]
    html = svg(lines, "loss")
    assert len(re.findall(r"<polyline class=\"series\"", html)) == 2
    assert "runs aaaaaaaa, bbbbbbbb (identical: 2 runs, one line)" in html


def test_a_difference_in_the_last_bit_is_another_line():
    runs = [_run("a" * 32, loss=[0.1 + 0.2]), _run("b" * 32, loss=[0.3])]  # 0.30000000000000004 != 0.3
    assert len(series(runs, "loss")) == 2


def test_the_metric_every_run_logged_with_a_history_is_chosen():
    runs = [_run("a" * 32, acc=[1.0], loss=[1.0, 0.5], zeta=[3.0, 2.0]), _run("b" * 32, acc=[1.0], loss=[1.0, 0.4])]
    assert choose_metric(runs) == "loss"
    assert choose_metric(runs, "acc") == "acc"
    assert choose_metric([_run("a" * 32, acc=[1.0]), _run("b" * 32, loss=[1.0])]) is None


def test_values_that_are_not_finite_are_left_out():
    lines = series([_run("a" * 32, loss=[1.0, float("nan"), 0.5, float("inf")])], "loss")
    assert lines[0].points == ((0, 1.0), (2, 0.5))
    assert not re.search(r"\b(nan|inf)\b", svg(lines, "loss").lower())

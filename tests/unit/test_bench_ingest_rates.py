"""bench/pipeline.py's two ingest rates: the whole run, and the window in which every connection is busy."""
from __future__ import annotations

import pytest

from bench.pipeline import _rates


def test_the_steady_rate_counts_only_the_answers_while_every_connection_is_busy():
    # connection A starts at 0 and answers at 1..10; B starts at 2 and answers at 3, 4, 5, then a tail alone
    per_thread = [(0.0, [float(t) for t in range(1, 11)]), (2.0, [3.0, 4.0, 5.0])]
    rates = _rates(per_thread)
    assert rates["wall"] == 10.0  # first start to last answer
    # window (2, 5]: A's 3, 4, 5 and B's 3, 4, 5 = 6 answers in 3 s
    assert rates["steady_per_s"] == pytest.approx(2.0)
    assert rates["steady_share"] == pytest.approx(6 / 13)


def test_without_a_window_in_which_all_are_busy_there_is_no_steady_rate():
    rates = _rates([(0.0, [1.0]), (2.0, [3.0])])  # A finished before B started
    assert rates["steady_per_s"] is None and rates["wall"] == 3.0

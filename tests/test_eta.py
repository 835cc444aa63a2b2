"""The progress estimate both front ends show, driven by a fake clock."""

from __future__ import annotations

import pytest

from assistant.eta import Estimator, describe, duration
from assistant.model import Progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_and_time_left_follow_the_work_done() -> None:
    clock = FakeClock()
    eta = Estimator(clock)
    first = eta.update(Progress("embedding", 0, 1000))
    assert first.rate is None and first.remaining is None
    clock.now += 10
    halfway = eta.update(Progress("embedding", 500, 1000))
    assert halfway.rate == pytest.approx(50.0)
    assert halfway.remaining == pytest.approx(10.0)
    clock.now += 2  # a fast chunk: the average, not the last chunk alone, sets the pace
    later = eta.update(Progress("embedding", 700, 1000))
    assert later.rate == pytest.approx(700 / 12)
    assert later.remaining == pytest.approx(300 / (700 / 12))


def test_no_promise_before_the_stage_has_settled() -> None:
    clock = FakeClock()
    eta = Estimator(clock)
    eta.update(Progress("embedding", 0, 10_000))
    clock.now += 1  # under MIN_SECONDS: the first chunk also warms the model up
    early = eta.update(Progress("embedding", 512, 10_000))
    assert early.rate == pytest.approx(512.0) and early.remaining is None
    clock.now += 5
    tiny = eta.update(Progress("embedding", 100 + 512, 10_000))
    assert tiny.remaining == pytest.approx((10_000 - 612) / (612 / 6))
    assert "left" in describe(tiny) and "left" not in describe(early)


def test_a_new_stage_or_a_count_going_back_restarts_the_clock() -> None:
    clock = FakeClock()
    eta = Estimator(clock)
    eta.update(Progress("load", 0, 10))
    clock.now += 100
    eta.update(Progress("load", 10, 10))
    clock.now += 1
    embedding = eta.update(Progress("embedding", 0, 100))
    assert embedding.rate is None
    clock.now += 4
    going = eta.update(Progress("embedding", 40, 100))
    assert going.rate == pytest.approx(10.0) and going.remaining == pytest.approx(6.0)
    clock.now += 4
    again = eta.update(Progress("embedding", 0, 50))  # a second build in the same session
    assert again.rate is None and again.remaining is None


def test_unknown_total_has_a_rate_but_no_time_left() -> None:
    clock = FakeClock()
    eta = Estimator(clock)
    eta.update(Progress("copying", 0, 0))
    clock.now += 4
    got = eta.update(Progress("copying", 20, 0))
    assert got.rate == pytest.approx(5.0) and got.remaining is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "0 s"),
        (44.6, "45 s"),
        (60, "1 min"),
        (200, "3 min 20 s"),
        (725, "12 min"),
        (3600, "1 h"),
        (3900, "1 h 5 min"),
    ],
)
def test_durations_read_like_a_clock(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_the_line_names_the_interview_and_the_time_left() -> None:
    clock = FakeClock()
    eta = Estimator(clock)
    eta.update(Progress("embedding", 0, 4096, interviews_total=36))
    clock.now += 60
    estimate = eta.update(
        Progress(
            "embedding",
            1024,
            4096,
            detail="Interview 12 - Amin",
            interviews_done=2,
            interviews_total=36,
        )
    )
    assert describe(estimate) == (
        "embedding 1,024/4,096 · interview 3/36 · Interview 12 - Amin · about 3 min left"
    )
    loading = Estimator(clock).update(Progress("load", 3, 36, detail="Interview 4.pdf"))
    assert describe(loading) == "load 3/36 · Interview 4.pdf"

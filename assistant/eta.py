"""How fast slow work goes and when it will end, from the Progress events it reports.

Both front ends show the same estimate (the CLI's progress line, the chat's index bar), so it
is computed here, from events alone, with the clock passed in: tests drive it with a fake one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.model import Progress

#: Before this many seconds of a stage, or this share of its work, a rate is mostly noise (the
#: first embedding chunk also pays for warming the model up), so no time is promised yet.
MIN_SECONDS = 2.0
MIN_SHARE = 0.02


@dataclass(frozen=True)
class Estimate:
    """One Progress event with what can be said about its pace."""

    progress: Progress
    #: Items (files read, texts embedded) per second since the stage started, if known.
    rate: float | None
    #: Seconds until the stage is done, if known.
    remaining: float | None


class Estimator:
    """Rate and time left of the current stage; a new stage (or a count going back) restarts it.

    The rate is the average since the stage's first event rather than a recent window: chunks
    of a build differ a lot in size (a long interview, a cached one), and an average settles
    where a window jumps.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._stage: str | None = None
        self._started = 0.0
        self._start_done = 0
        self._last_done = 0

    def update(self, progress: Progress) -> Estimate:
        now = self._clock()
        if progress.stage != self._stage or progress.done < self._last_done:
            self._stage = progress.stage
            self._started = now
            self._start_done = progress.done
        self._last_done = progress.done
        elapsed = now - self._started
        worked = progress.done - self._start_done
        if worked <= 0 or elapsed <= 0:
            return Estimate(progress, None, None)
        rate = worked / elapsed
        if not progress.total:
            return Estimate(progress, rate, None)
        left = max(0, progress.total - progress.done)
        settled = elapsed >= MIN_SECONDS and worked >= MIN_SHARE * progress.total
        return Estimate(progress, rate, left / rate if settled or left == 0 else None)


def duration(seconds: float) -> str:
    """``45 s``, ``3 min 20 s``, ``1 h 5 min``: rounded the way a person reads a clock."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if minutes < 10 and secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def describe(estimate: Estimate) -> str:
    """One line for a person watching: stage, counts, the interview at hand, time left.

    ``embedding 1,024/4,096 · interview 3/36 · Interview 12 - Amin · about 2 min left``
    """
    p = estimate.progress
    parts = [p.stage]
    if p.total:
        parts[0] += f" {p.done:,}/{p.total:,}"
    if p.interviews_total:
        parts.append(
            f"interview {min(p.interviews_done + 1, p.interviews_total)}/{p.interviews_total}"
        )
    if p.detail:
        parts.append(p.detail)
    if estimate.remaining is not None and p.total and p.done < p.total:
        parts.append(f"about {duration(estimate.remaining)} left")
    return " · ".join(parts)

"""A rolling window of two counters, kept in time buckets: what the breaker and the retry budget count.

Why buckets: a window of recent calls must forget old ones without storing one timestamp per call; a bucket
per ``window / buckets`` seconds is reset when its slot comes round again, so adding costs a clock read, a
division and two list writes, and summing the window is a walk over ``buckets`` slots.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RollingCounts:
    """Two counters (``first``, ``second``) over the last ``window`` seconds."""

    __slots__ = ("_clock", "_epochs", "_first", "_second", "_width", "buckets")

    def __init__(self, window: float, buckets: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.buckets = buckets
        self._width = window / buckets
        self._clock = clock
        self._epochs = [-1] * buckets
        self._first = [0] * buckets
        self._second = [0] * buckets

    def add(self, first: int = 0, second: int = 0) -> None:
        index = self._slot()
        self._first[index] += first
        self._second[index] += second

    def sums(self) -> tuple[int, int]:
        """Both counters summed over the window (up to now)."""
        oldest = int(self._clock() / self._width) - self.buckets
        first = second = 0
        for i in range(self.buckets):
            if self._epochs[i] > oldest:
                first += self._first[i]
                second += self._second[i]
        return first, second

    def clear(self) -> None:
        for i in range(self.buckets):
            self._epochs[i] = -1
            self._first[i] = 0
            self._second[i] = 0

    def _slot(self) -> int:
        epoch = int(self._clock() / self._width)
        index = epoch % self.buckets
        if self._epochs[index] != epoch:
            self._epochs[index] = epoch
            self._first[index] = 0
            self._second[index] = 0
        return index

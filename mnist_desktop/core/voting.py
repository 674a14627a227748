"""A steady reading from a shaky stream: the camera's per-frame readings flicker (a digit misread in
one blurred frame, a box lost for a frame); the text shown is the one most of the recent frames agree
on, digit by digit."""

from __future__ import annotations

from collections import Counter, deque


class StableReading:
    def __init__(self, window: int = 9, quorum: float = 0.5) -> None:
        # quorum: the share of the recent frames a reading must be in more than (a majority).
        self.window = window
        self.quorum = quorum
        self._recent: deque[str] = deque(maxlen=window)

    def clear(self) -> None:
        self._recent.clear()

    def update(self, text: str) -> str | None:
        """Add one frame's reading; returns the steady text, or None while the frames disagree."""
        self._recent.append(text)
        return self.current()

    def current(self) -> str | None:
        if not self._recent:
            return None
        # First agree on how many digits there are, then vote each position among those frames.
        length, votes = Counter(len(t) for t in self._recent).most_common(1)[0]
        if votes <= self.quorum * len(self._recent):
            return None
        same = [t for t in self._recent if len(t) == length]
        digits = []
        for position in range(length):
            digit, count = Counter(t[position] for t in same).most_common(1)[0]
            if count <= self.quorum * len(same):
                return None
            digits.append(digit)
        return "".join(digits)

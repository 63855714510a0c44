"""A tiny text progress bar for long management commands: stage name, bar, n/total, on stderr.

No third-party package: a progress bar is a dozen lines, and devtools should not grow dependencies.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO


class ProgressBar:
    """The progress of one stage of a command, e.g. ``points      [#######.......]  40/104``.

    On a terminal the line is redrawn in place (at most ten times a second, so drawing never costs
    more than the work); anywhere else (a log file, CI, pytest's captured stderr) only the finished
    line is written, once per stage, so logs are not flooded with carriage returns.
    A disabled bar writes nothing.
    """

    def __init__(
        self,
        stage: str,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        width: int = 30,
        min_interval: float = 0.1,
    ) -> None:
        self.stage = stage
        self.total = max(total, 0)
        self.done = 0
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.width = width
        self.min_interval = min_interval
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._finished = False
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())

    def render(self) -> str:
        """The bar as one line of text, without a line ending."""
        fraction = 1.0 if self.total == 0 else min(self.done / self.total, 1.0)
        filled = round(fraction * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        return f"{self.stage:<22} [{bar}] {self.done}/{self.total}"

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more items as done."""
        self.update(self.done + n)

    def update(self, done: int) -> None:
        """Set how many items are done, redrawing on a terminal when enough time has passed."""
        self.done = done
        if not (self.enabled and self.interactive):
            return
        now = time.monotonic()
        if now - self._last_draw >= self.min_interval:
            self._last_draw = now
            self.stream.write("\r" + self.render())
            self.stream.flush()

    def finish(self) -> None:
        """Draw the final line with the stage's duration and end it (once)."""
        if self._finished:
            return
        self._finished = True
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        self.stream.write(("\r" if self.interactive else "") + f"{self.render()} {elapsed:.1f}s\n")
        self.stream.flush()

    def __enter__(self) -> ProgressBar:
        self.update(self.done)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # An interrupted stage still ends its line, so the traceback starts on a fresh one.
        self.finish()

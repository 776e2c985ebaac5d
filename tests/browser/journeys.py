"""Helpers the browser journeys share: final-state screenshots and printed timings."""

from __future__ import annotations

import os
import time
from pathlib import Path

from playwright.sync_api import Locator, Page


def screenshot(target: Page | Locator, name: str) -> None:
    """With CAC_SCREENSHOT_DIR set, save <name>.png there: the viewport, or just one element.

    Off by default, so a test run leaves the committed screenshots alone.
    """
    folder = os.environ.get("CAC_SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(Path(folder) / f"{name}.png"), animations="disabled")


class Stopwatch:
    """Seconds per step, printed at the end: figures for docs/, never asserted on."""

    def __init__(self, journey: str):
        self.journey = journey
        self.started = self.last = time.perf_counter()
        self.steps: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = round(now - self.last, 2)
        self.last = now

    def report(self) -> None:
        total = round(time.perf_counter() - self.started, 2)
        steps = ", ".join(f"{step} {seconds:.2f}s" for step, seconds in self.steps.items())
        print(f"\n{self.journey} timings: {steps}; total {total:.2f}s")

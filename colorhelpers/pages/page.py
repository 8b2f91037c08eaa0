"""A manga page on the road: descreened if printed, cut into panels, each colored on its own.

Taught in notebooks/12_pages_and_palettes. Seen whole, a page reaches the network at 128 px on
its short side, so a face is a few dozen pixels. Here each panel (`colorhelpers.pages.panels`)
goes down the road by itself (`Colorizer.still`), at the model's working resolution, with its
own guide; the gutters and margins stay as they were. The road keeps the input's lightness, so
lines, lettering and balloons stay as drawn; a screened page (`colorhelpers.pages.screentone`)
is descreened first and keeps the gray tones, not the dots (pure black and white hold no color).
A panel that repeats another's drawing (`colorhelpers.pages.repeats`) is colored after it and
takes its colors where the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from colorhelpers.colorize.media import write_png
from colorhelpers.colorize.road import Colorizer, Guide, output_path, read_still
from colorhelpers.hints.points import Hints
from colorhelpers.pages.panels import Panel, find_panels
from colorhelpers.pages.repeats import Recorded, Repeat, copying_guide, find_repeats
from colorhelpers.pages.screentone import SCREENED, descreen, find_screen

#: Builds a panel's guide from the hints that fall in it (in the panel's pixels); None: automatic.
GuideMaker = Callable[[Hints | None], Guide | None]


@dataclass(frozen=True)
class PageResult:
    """A colored page (uint8 RGB), its panels, whether it was descreened (with its screen
    strength), and the panels that repeat another's drawing (by the panel that copies)."""

    rgb: np.ndarray
    panels: list[Panel]
    screened: bool
    strength: float
    repeats: dict[int, Repeat]

    def describe(self) -> str:
        tone = "screentone descreened" if self.screened else "no screentone"
        copies = "".join(f", panel {t + 1} repeats panel {r.source + 1} (x{r.zoom:.1f})"
                         for t, r in sorted(self.repeats.items()))
        return f"{len(self.panels)} panel(s), {tone} (screen strength {self.strength:.1f}){copies}"


def page_gray(rgb: np.ndarray) -> np.ndarray:
    """uint8 gray [h, w] of a uint8 RGB page (ITU-R 601 luma, as panels and screens are found on)."""
    return cv2.cvtColor(np.ascontiguousarray(rgb, np.uint8), cv2.COLOR_RGB2GRAY)


def page_signs(rgb: np.ndarray) -> tuple[int, bool, str]:
    """What tells a manga page in a uint8 RGB picture: (its panels, whether it has a dot
    screen, the figures in words)."""
    gray = page_gray(rgb)
    count, strength = len(find_panels(gray)), find_screen(gray)[0]
    return count, strength > SCREENED, f"{count} panel(s), screen strength {strength:.1f}"


def panel_hints(hints: Hints | None, panel: Panel) -> Hints | None:
    """The hints inside `panel`, in its own pixels (None when there were none at all)."""
    if hints is None:
        return None
    inside = ((hints.ys >= panel.top) & (hints.ys < panel.bottom)
              & (hints.xs >= panel.left) & (hints.xs < panel.right))
    return Hints(hints.ys[inside] - panel.top, hints.xs[inside] - panel.left, hints.rgb[inside])


def colorize_page(colorizer: Colorizer, rgb: np.ndarray, make_guide: GuideMaker | None = None,
                  hints: Hints | None = None, copy_repeats: bool = True) -> PageResult:
    """Color a uint8 RGB page panel by panel; `make_guide` gives each panel its guide from the
    `hints` (page pixels) that fall in it. With `copy_repeats`, a panel repeating another is
    colored after it and takes its colors where they agree (`colorhelpers.pages.repeats`)."""
    gray = page_gray(rgb)
    strength, period = find_screen(gray)
    screened = strength > SCREENED
    if screened:
        gray = descreen(gray, period)
    page = np.repeat(gray[..., None], 3, -1)
    out = page.copy()
    panels = find_panels(gray)
    grays = [gray[panel.slices()] for panel in panels]
    repeats = find_repeats(grays) if copy_repeats and len(panels) > 1 else {}
    copied = {r.source for r in repeats.values()}
    recorded: dict[int, Recorded] = {}
    for i in sorted(range(len(panels)), key=lambda i: i in repeats):  # the copied panels first
        panel = panels[i]
        guide = make_guide(panel_hints(hints, panel)) if make_guide else None
        if i in copied:
            guide = recorded[i] = Recorded(guide)
        elif i in repeats:
            source, matrix = repeats[i].source, repeats[i].matrix
            guide = copying_guide(grays[i], grays[source], matrix, out[panels[source].slices()],
                                  recorded[source].colors, guide)
        out[panel.slices()] = colorizer.still(page[panel.slices()], guide)
    return PageResult(out, panels, screened, strength, repeats)


def colorize_page_path(colorizer: Colorizer, path: Path | str, output_dir: Path | str,
                       make_guide: GuideMaker | None = None, hints: Hints | None = None) -> PageResult:
    """Color the page at `path` into `output_dir`/<stem>.png, as `colorize --kind manga` does."""
    result = colorize_page(colorizer, read_still(path), make_guide, hints)
    out = output_path(path, output_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_png(out, result.rgb)
    return result

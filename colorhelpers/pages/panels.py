"""Panels of a manga page: the boxes its gutters (paper between panels) and borders cut it into.

Taught in notebooks/12_pages_and_palettes. Everything darker than paper is ink; each outer
outline of ink (OpenCV's external contours) whose bounding box is big enough is a panel, and
boxes inside another box (a balloon, a face) belong to it. A page with no gutters (one drawing
to its edges) is one panel, the whole page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Pixels at least this light (0-255) are paper: gutters and margins.
PAPER = 235
#: A panel's box covers at least this share of the page.
MIN_PANEL = 0.02
#: Boxes covering more than this share of the page mean it has no gutters: one panel.
WHOLE_PAGE = 0.9


@dataclass(frozen=True)
class Panel:
    """A panel's box in page pixels: rows `top` to `bottom` and columns `left` to `right` (ends excluded)."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def area(self) -> int:
        return (self.bottom - self.top) * (self.right - self.left)

    def slices(self) -> tuple[slice, slice]:
        return slice(self.top, self.bottom), slice(self.left, self.right)

    def holds(self, other: Panel) -> bool:
        return (self.top <= other.top and self.left <= other.left and self.bottom >= other.bottom
                and self.right >= other.right)


def find_panels(gray: np.ndarray, paper: int = PAPER, min_panel: float = MIN_PANEL) -> list[Panel]:
    """The panels of a uint8 gray page [h, w], in reading order by rows (top first, then right
    to left as manga reads); the whole page when it has none.

    >>> page = np.full((100, 200), 255, np.uint8); page[5:95, 5:95] = 0; page[5:95, 105:195] = 90
    >>> [(p.top, p.bottom, p.left, p.right) for p in find_panels(page)]
    [(5, 95, 105, 195), (5, 95, 5, 95)]
    """
    height, width = gray.shape
    ink = (np.asarray(gray) < paper).astype(np.uint8)
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w * h >= min_panel * height * width:
            boxes.append(Panel(y, y + h, x, x + w))
    boxes = [b for b in boxes if not any(o != b and o.holds(b) for o in boxes)]
    if not boxes or max(b.area for b in boxes) > WHOLE_PAGE * height * width:
        return [Panel(0, height, 0, width)]
    # Reading order: rows of panels whose tops are within a tenth of the page, right to left.
    return sorted(boxes, key=lambda b: (round(b.top / (height / 10)), -b.right))

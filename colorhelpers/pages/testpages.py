"""Test pages for measuring page coloring: a character at two zooms, another beside, a balloon.

Taught in notebooks/12_pages_and_palettes. `build_page` lays color pictures out as a 1200x1800
manga page of three bordered panels: the whole `source` (panel A), the `source`'s face drawn
larger (panel B, the same pixels at another zoom) and `other` (panel C) with a speech balloon.
It returns the color page (the truth), where A and B show each source pixel (for the
consistency measure), and `screentone` prints a gray page as a dot screen. The pages' figures
(`page_scores`) are measured on the panels' insides only.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

from colorhelpers.scoring.metrics import colorfulness

#: Page size (width, height) and the panels' boxes (left, top, right, bottom) on it.
PAGE = (1200, 1800)
PANELS = ((40, 40, 1160, 700), (40, 740, 580, 1760), (620, 740, 1160, 1760))
#: Panel B shows this part of the source (left, top, right, bottom, as shares of its side).
ZOOM = (0.2, 0.08, 0.8, 0.6)
#: The dot screen: period in pixels and angle in degrees (a common 45-degree screen).
SCREEN_PERIOD, SCREEN_ANGLE = 6.0, 45.0


@dataclass(frozen=True)
class PageTruth:
    """`truth` uint8 RGB page; `inside` [h, w] bool, the panels' insides; `map_a`, `map_b`
    float32 [n, 2] (x, y) page positions of the same source pixels in panels A and B."""

    truth: np.ndarray
    inside: np.ndarray
    map_a: np.ndarray
    map_b: np.ndarray


def _place(page: np.ndarray, picture: np.ndarray, box, crop=(0.0, 0.0, 1.0, 1.0)):
    """Draw the `crop` (shares) of `picture` centered in `box`, as large as fits; returns
    (x, y) offset and scale mapping picture pixels to page pixels."""
    h, w = picture.shape[:2]
    x0, y0, x1, y1 = (round(crop[0] * w), round(crop[1] * h), round(crop[2] * w), round(crop[3] * h))
    part = picture[y0:y1, x0:x1]
    left, top, right, bottom = box
    scale = min((right - left - 16) / part.shape[1], (bottom - top - 16) / part.shape[0])
    size = (round(part.shape[1] * scale), round(part.shape[0] * scale))
    ox, oy = left + (right - left - size[0]) // 2, top + (bottom - top - size[1]) // 2
    page[oy:oy + size[1], ox:ox + size[0]] = cv2.resize(part, size, interpolation=cv2.INTER_CUBIC)
    return np.array([ox - x0 * scale, oy - y0 * scale]), scale


def build_page(source: np.ndarray, other: np.ndarray, scale: float = 1.0) -> PageTruth:
    """The three-panel page of uint8 RGB pictures `source` and `other` (see the module's doc),
    `scale` times `PAGE` (tests use small pages)."""
    page = np.full((round(PAGE[1] * scale), round(PAGE[0] * scale), 3), 255, np.uint8)
    inside = np.zeros(page.shape[:2], bool)
    panels = [tuple(round(v * scale) for v in box) for box in PANELS]
    offset_a, scale_a = _place(page, source, panels[0])
    offset_b, scale_b = _place(page, source, panels[1], ZOOM)
    _place(page, other, panels[2])
    border = max(2, round(5 * scale))
    for left, top, right, bottom in panels:
        cv2.rectangle(page, (left, top), (right, bottom), (0, 0, 0), border)
        inside[top + border + 1:bottom - border, left + border + 1:right - border] = True
    balloon, axes = (round(890 * scale), round(830 * scale)), (round(200 * scale), round(70 * scale))
    cv2.ellipse(page, balloon, axes, 0, 0, 360, (255, 255, 255), -1)
    cv2.ellipse(page, balloon, axes, 0, 0, 360, (0, 0, 0), max(1, round(3 * scale)))
    cv2.putText(page, "WHO ARE YOU?", (balloon[0] - round(150 * scale), balloon[1] + round(12 * scale)),
                cv2.FONT_HERSHEY_DUPLEX, 1.1 * scale, (0, 0, 0), max(1, round(2 * scale)), cv2.LINE_AA)
    h, w = source.shape[:2]
    ys, xs = np.mgrid[round(ZOOM[1] * h) + 2:round(ZOOM[3] * h) - 2,
                      round(ZOOM[0] * w) + 2:round(ZOOM[2] * w) - 2]
    points = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32) + 0.5
    return PageTruth(page, inside, (offset_a + points * scale_a - 0.5).astype(np.float32),
                    (offset_b + points * scale_b - 0.5).astype(np.float32))


def gray_page(rgb: np.ndarray) -> np.ndarray:
    """The gray answer: uint8 RGB with each pixel's CIELab L and no color."""
    lab = rgb2lab(rgb)
    lab[..., 1:] = 0
    return np.round(lab2rgb(lab) * 255).astype(np.uint8)


def screentone(rgb: np.ndarray, period: float = SCREEN_PERIOD, angle: float = SCREEN_ANGLE) -> np.ndarray:
    """A gray page printed as a dot screen: each pixel black or white, round dots growing with
    darkness; the screen's values are ranked so that a cell's ink covers its tone's share (the
    linear tone reproduction printers aim for)."""
    gray = np.asarray(rgb, np.float32).mean(-1) / 255.0
    ys, xs = np.mgrid[0:gray.shape[0], 0:gray.shape[1]].astype(np.float32)
    theta = np.radians(angle)
    u, v = xs * np.cos(theta) + ys * np.sin(theta), -xs * np.sin(theta) + ys * np.cos(theta)
    screen = np.cos(2 * np.pi * u / period) + np.cos(2 * np.pi * v / period)
    counts, edges = np.histogram(screen, bins=4096, range=(-2.0, 2.0))
    screen = np.interp(screen, edges[1:], np.cumsum(counts) / screen.size)  # its own ranks, 0-1
    ink = np.where(gray > screen, 255, 0).astype(np.uint8)
    return np.repeat(ink[..., None], 3, -1)


def _sample(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bilinear samples of a uint8 RGB page at float (x, y) points: floats in [0, 1], [n, 3]."""
    grid = points.reshape(-1, 1, 2)
    return cv2.remap(rgb, grid[..., 0], grid[..., 1], cv2.INTER_LINEAR)[:, 0].astype(np.float64) / 255.0


def consistency(rgb: np.ndarray, page: PageTruth) -> float:
    """Mean CIEDE2000 between panels A and B of a page at the same source pixels."""
    return float(deltaE_ciede2000(rgb2lab(_sample(rgb, page.map_a)[None]),
                                  rgb2lab(_sample(rgb, page.map_b)[None])).mean())


def page_scores(output: np.ndarray, page: PageTruth) -> dict[str, float]:
    """CIEDE2000 to the truth, chroma error (the output's ab on the truth's L), colorfulness
    ratio, all on the panels' insides; and consistency (`consistency`)."""
    truth_lab, out_lab = rgb2lab(page.truth[page.inside][None]), rgb2lab(output[page.inside][None])
    on_truth_l = np.concatenate([truth_lab[..., :1], out_lab[..., 1:]], -1)
    return {"ciede2000": float(deltaE_ciede2000(truth_lab, out_lab).mean()),
            "chroma": float(deltaE_ciede2000(truth_lab, on_truth_l).mean()),
            "colorfulness": float(colorfulness(output[page.inside][None, None] / 255.0)[0]
                                  / colorfulness(page.truth[page.inside][None, None] / 255.0)[0]),
            "consistency": consistency(output, page)}

"""BasicPBC's scores of a flat-colored line-art frame (Dai et al. 2024), and the most common
color of each region, which both the scores and the paint-bucket fill use.

Taught in notebooks/11_line_art; `bench/paintbucket.py` measures with them. Against a flat
truth (every region closed by lines has one color) and its lines:

- **region accuracy**: the share of the truth's regions (connected pixels of one color, off
  the lines, at least `MIN_REGION` pixels) whose most common output color is the true one;
- **pixel accuracy**: the share of the pixels off the lines and off the background with the
  true color;
- **CIEDE2000** on the pixels off the lines.

A color counts as the true one within `TOLERANCE` in every channel (8-bit rounding).
"""

from __future__ import annotations

import numpy as np
from skimage.color import rgb2lab
from skimage.measure import label

from colorhelpers.scoring.metrics import ciede2000

#: Regions smaller than this (pixels) are not scored, as in BasicPBC.
MIN_REGION = 10
#: Two uint8 colors are the same when no channel differs by more than this.
TOLERANCE = 2


def color_codes(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB [..., 3] as one int64 per pixel."""
    return (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]


def most_common(labels: np.ndarray, count: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The most common of the non-negative int `values` [h, w] in each region of `labels`
    [h, w] (1..count; 0 and negative values not counted), and how many pixels hold it:
    two arrays [count + 1] (0 for a region with none)."""
    counted = (labels > 0) & (values >= 0)
    keys, votes = np.unique(labels[counted].astype(np.int64) << 32 | values[counted].astype(np.int64),
                            return_counts=True)
    region = keys >> 32
    order = np.lexsort((votes, region))  # by region, the most common value last
    last = order[np.r_[region[order][1:] != region[order][:-1], True]]
    best, held = np.zeros(count + 1, np.int64), np.zeros(count + 1, np.int64)
    best[region[last]], held[region[last]] = keys[last] & 0xFFFFFFFF, votes[last]
    return best, held


def most_common_colors(labels: np.ndarray, count: int, rgb: np.ndarray) -> np.ndarray:
    """The most common uint8 RGB of each region of `labels` [h, w] (1..count; 0 not counted):
    [count + 1, 3], black for row 0 and for regions with no pixels."""
    best = most_common(labels, count, color_codes(rgb))[0]
    return np.stack([best >> 16, (best >> 8) & 255, best & 255], 1).astype(np.uint8)


def same_color(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether uint8 RGB colors [..., 3] match within `TOLERANCE`: bool [...]."""
    return (np.abs(a.astype(np.int16) - b.astype(np.int16)) <= TOLERANCE).all(-1)


def paintbucket_scores(output: np.ndarray, truth: np.ndarray, lines: np.ndarray,
                       background: tuple[int, int, int] = (255, 255, 255)) -> dict[str, float]:
    """Region accuracy, pixel accuracy (without the background) and CIEDE2000 (off the lines)
    of a uint8 RGB frame against its flat truth and lines (bool [h, w])."""
    codes = np.where(lines, -1, color_codes(truth))
    regions = label(codes, background=-1, connectivity=1)
    count = int(regions.max())
    area = np.bincount(regions.ravel(), minlength=count + 1)
    scored = area >= MIN_REGION
    scored[0] = False
    truth_colors = most_common_colors(regions, count, truth)
    output_colors = most_common_colors(regions, count, output)
    right = same_color(output_colors, truth_colors)[scored]
    drawn = ~lines & ~(truth == np.asarray(background, np.uint8)).all(-1)
    lab_out, lab_truth = rgb2lab(output / 255.0), rgb2lab(truth / 255.0)
    off_lines = ~lines
    return {"region_accuracy": float(right.mean()) if right.size else float("nan"),
            "pixel_accuracy": float(same_color(output, truth)[drawn].mean()) if drawn.any() else float("nan"),
            "ciede2000": float(ciede2000(lab_out[off_lines][None, None],
                                         lab_truth[off_lines][None, None])[0])}

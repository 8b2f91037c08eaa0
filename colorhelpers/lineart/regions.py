"""Hints on line art: each hint fills the region the lines close around it, as flat-fill tools do.

Taught in notebooks/11_line_art. On a gray render the edge-aware propagation of
`colorhelpers.hints` spreads a hint along similar lightness; on line art almost everything is
the same white, and what bounds a color is the ink. So:

1. `line_regions` labels the paper between the lines (at the input's own size): lines are
   thickened by `gap` pixels first so that small gaps in a stroke do not let a color leak
   (LazyBrush, Sykora et al. 2009, treats gaps the same way, softly), then every pixel, ink and
   anti-aliasing included, joins the nearest region.
2. `LineArtGuide` starts from `HintGuide`'s colors (the network's prediction, the hints
   propagated, a reference's regions) and gives every region that holds a hint that hint's
   color (where a region holds several, they meet along the lines there are: a watershed of
   the ink): its ab, and its lightness, flat like a painter's fill, or with some of the
   network's shading on top (`shading`). Regions without a hint
   keep the prediction. `fill="propagate"` skips step 2, to compare the two (bench/lineart.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import ndimage
from skimage.color import rgb2lab
from skimage.segmentation import watershed

from colorhelpers.color.lab import AB_SCALE, L_SCALE
from colorhelpers.colorize.road import Colors, Frame
from colorhelpers.hints.guide import HintGuide
from colorhelpers.hints.points import Hints
from colorhelpers.hints.reference import ReferenceRegions

#: Drawing pixels darker than this (L in 0-100) are ink.
INK_L = 60.0
#: How much distance from its hint slows a flood down (skimage's compact watershed).
COMPACTNESS = 0.01
#: How the hints' colors reach the pixels: filling regions closed by lines, or propagation only.
FILLS = ("regions", "propagate")
#: Edge sensitivity of the propagation under the fill (L units). On the network's lightness of a
#: drawing a wider one than the gray road's spreads better: on 20 training portraits (every 48th),
#: `bench.lineart --propagation-sigma`, 10 % hints, CIEDE2000 15.27 at 2, 15.20 at 4 and at 6
#: (6 worse at 3 and 5 %).
PROPAGATION_SIGMA_L = 4.0
#: How much of the network's shading a filled region keeps on top of its hint's flat lightness.
#: On 20 training portraits (every 48th), `bench.lineart --shading`, Hint-AUC of CIEDE2000 (10 %
#: hints): 0 12.44 (14.82), 0.25 12.24 (14.60), 0.5 12.33 (14.58), 0.75 12.67 (14.76); but 0.25
#: barely moved the held-out characters (10 % hints 13.77 -> 13.71) and set the never-tuned
#: anime faces back (12.84 -> 13.01), so the fill stays flat.
SHADING = 0.0


def paper(drawing_l: np.ndarray) -> np.ndarray:
    """Where a drawing's scaled L [h, w] (or [h, w, 1]) is paper, not ink: bool [h, w]."""
    drawing_l = np.asarray(drawing_l, np.float32)
    return (drawing_l.squeeze(-1) if drawing_l.ndim == 3 else drawing_l) * L_SCALE + L_SCALE >= INK_L


def _trapped(drawing_l: np.ndarray, gap: int, ball: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """(paper [h, w], the seeds' labels [h, w] (0 off them), count): the paper eroded by a ball
    (or a square) of radius `gap` and its connected parts, as trapped-ball filling finds them."""
    on_paper = paper(drawing_l)
    seeds = on_paper.astype(np.uint8)
    if gap:
        shape = cv2.MORPH_ELLIPSE if ball else cv2.MORPH_RECT
        seeds = cv2.erode(seeds, cv2.getStructuringElement(shape, (2 * gap + 1, 2 * gap + 1)))
    count, labels = cv2.connectedComponents(seeds, connectivity=4)
    return on_paper, labels, count - 1


def nearest_label(labels: np.ndarray) -> np.ndarray:
    """Every pixel of `labels` [h, w] (0 = none) given the label of the nearest labelled pixel."""
    nearest = ndimage.distance_transform_edt(labels == 0, return_distances=False, return_indices=True)
    return labels[tuple(nearest)].astype(np.int32)


def paper_regions(drawing_l: np.ndarray, gap: int = 1) -> tuple[np.ndarray, int]:
    """Regions of a drawing's paper, closed by its lines the way trapped-ball filling closes
    them: the paper eroded by a ball of radius `gap` (a gap in a stroke narrower than the ball
    does not join two regions), its connected parts the regions, each grown back over the
    paper the ball could not reach next to it; paper too narrow for the ball and not next to
    a region is a region of its own (the second, smaller ball). Labels [h, w] in 1..count on
    paper, 0 on ink; and count."""
    on_paper, labels, count = _trapped(drawing_l, gap, ball=True)
    if count < 1:  # no paper wider than the ball: the paper is one region
        return on_paper.astype(np.int32), 1
    distance, nearest = ndimage.distance_transform_edt(labels == 0, return_indices=True)
    grown = np.where(on_paper & (distance <= gap + 1), labels[tuple(nearest)], 0).astype(np.int32)
    unreached = (on_paper & (grown == 0)).astype(np.uint8)
    narrow, narrow_labels = cv2.connectedComponents(unreached, connectivity=4)
    grown[narrow_labels > 0] = narrow_labels[narrow_labels > 0] + count
    return grown, count + narrow - 1


def line_regions(drawing_l: np.ndarray, gap: int = 1) -> tuple[np.ndarray, int]:
    """Regions of a drawing's scaled L [h, w] (or [h, w, 1]) closed by its lines (trapped by a
    square): labels [h, w] in 1..count for every pixel, ink joining the nearest region; and count."""
    on_paper, labels, count = _trapped(drawing_l, gap, ball=False)
    if count < 1:  # all ink (or empty): one region
        return np.ones(on_paper.shape, np.int32), 1
    # Ink and the paper the thickening took join the nearest region.
    return nearest_label(labels), count


def hint_lab(hints: Hints) -> np.ndarray:
    """The hints' colors as scaled Lab [n, 3]."""
    lab = rgb2lab(hints.rgb[None].astype(np.float32) / 255.0)[0]
    return np.concatenate([lab[:, :1] / L_SCALE - 1.0, lab[:, 1:] / AB_SCALE], 1)


def region_fill(labels: np.ndarray, count: int, hints: Hints,
                drawing_l: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hint color of every pixel as scaled Lab [h, w, 3], and whether its region holds a
    hint [h, w]. Inside the hinted regions the hints flood a landscape whose height is the
    nearness of ink (a watershed of the distance to the lines): lines are ridges and a gap in a
    line is a saddle, so where a region holds several hints (areas whose lines did not quite
    close) their colors meet along the lines and across the gaps, not in the open."""
    markers = np.zeros(labels.shape, np.int32)
    markers[hints.ys, hints.xs] = np.arange(1, len(hints) + 1)
    basins = watershed(-ndimage.distance_transform_edt(paper(drawing_l)), markers, compactness=COMPACTNESS)
    hinted = np.bincount(labels[hints.ys, hints.xs], minlength=count + 1) > 0
    return hint_lab(hints)[basins - 1], hinted[labels]


@dataclass
class LineArtGuide:
    """A guide (`colorhelpers.colorize.road.Guide`) for line art, from hints and/or a reference.

    Needs a line-art model's frames (`Frame.drawing`); `fill` is one of `FILLS`, `gap` goes
    to `line_regions`, `shading` (0-1) is how much of the network's shading a filled
    region keeps on top of its hint's flat lightness, and `palette` goes to the `HintGuide`
    underneath, as a reference's regions do.
    """

    hints: Hints = field(default_factory=Hints.none)
    reference_rgb: np.ndarray | None = None
    fill: str = "regions"
    gap: int = 1
    shading: float = field(default_factory=lambda: SHADING)  # read at construction: bench.lineart sets it
    palette: ReferenceRegions | None = None

    def __post_init__(self) -> None:
        if self.fill not in FILLS:
            raise ValueError(f"fill must be one of {FILLS}, got {self.fill!r}")
        self.base = HintGuide(self.hints, self.reference_rgb, weights={"sigma": PROPAGATION_SIGMA_L},
                              palette=self.palette)

    def __call__(self, frame: Frame) -> Colors:
        if frame.drawing is None:
            raise ValueError("LineArtGuide needs the frames of a line-art model")
        self.base.hints = self.hints
        colors = self.base(frame)
        if self.fill == "propagate" or not len(self.hints):
            return colors
        drawing_l = frame.drawing.numpy()[..., 0]
        labels, count = line_regions(drawing_l, self.gap)
        fill, filled = region_fill(labels, count, self.hints, drawing_l)
        height, width = labels.shape
        full_ab = cv2.resize(colors.ab.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
        predicted_l = frame.l_full.numpy()[..., 0]
        full_l = np.where(filled, fill[..., 0], predicted_l)
        if self.shading:  # the network's shading inside each region: its lightness minus its mean on paper
            on_paper = paper(drawing_l)
            region_mean = (np.bincount(labels[on_paper], predicted_l[on_paper], minlength=count + 1)
                           / np.maximum(np.bincount(labels[on_paper], minlength=count + 1), 1))
            full_l = np.where(filled, full_l + self.shading * (predicted_l - region_mean[labels]), full_l)
        full_l = np.minimum(np.clip(full_l, -1.0, 1.0), drawing_l)  # the lines stay as drawn
        full_ab = np.where(filled[..., None], fill[..., 1:], full_ab)
        return Colors(colors.ab, None, full_ab.astype(np.float32), full_l[..., None].astype(np.float32))

"""Hints and a reference image as a guide on the road: their colors spread over the working grid.

Taught in notebooks/09_hints. The network colors the image as usual (its prediction is the
prior); hints are constraints spread edge-aware over their regions
(`colorhelpers.hints.propagation`), and a reference's matched regions are soft hints
(`colorhelpers.hints.reference`), all on the same working grid as the automatic colors
(`colorhelpers.colorize.grid`: proportions kept). The hint pixels themselves are pinned to
their exact color at full resolution. With no hints and no reference the result *is* the
automatic one.

`HintColorizer` keeps one image analysed (the network, the image's Laplacian) so that the
widget and the sweep recolor it after every click for the cost of one solve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from skimage.color import rgb2lab

from colorhelpers.color.lab import AB_SCALE, L_SCALE
from colorhelpers.colorize.grid import WorkingGrid
from colorhelpers.colorize.road import Colorizer, Colors, Frame, Guide
from colorhelpers.hints.points import Hints
from colorhelpers.hints.propagation import Propagator
from colorhelpers.hints.reference import (
    Reference,
    ReferenceRegions,
    joined,
    reference_hints,
    reference_regions,
)

#: What fills the regions no hint reaches: the network's automatic colors, or gray (ab = 0).
PRIORS = ("network", "gray")


def hint_ab(hints: Hints) -> np.ndarray:
    """The hints' colors as scaled ab [n, 2]."""
    return (rgb2lab(hints.rgb[None] / 255.0)[0, :, 1:] / AB_SCALE).astype(np.float32)


def hint_grid(hints: Hints, grid: WorkingGrid) -> tuple[np.ndarray, np.ndarray]:
    """Hints of an input on its working grid: (coverage [rows, columns], 1 where a hint falls,
    else 0; mean scaled ab [rows, columns, 2]): several hint pixels in one cell are averaged."""
    coverage, ab = np.zeros(grid.shape), np.zeros((*grid.shape, 2))
    if not len(hints):
        return coverage, ab
    rows, columns = grid.cells(hints.ys, hints.xs)
    count = np.zeros(grid.shape)
    np.add.at(count, (rows, columns), 1.0)
    np.add.at(ab, (rows, columns), hint_ab(hints))
    filled = count > 0
    ab[filled] /= count[filled][:, None]
    return filled.astype(np.float64), ab


@dataclass
class HintGuide:
    """A guide (`colorhelpers.colorize.road.Guide`) from hints and/or a reference image.

    `reference_rgb` is a uint8 RGB picture of the same character (any pose); `prior` one of
    `PRIORS`; a `hint_generator` (`colorhelpers.models.hint_network`, square grids only)
    takes the hints as inputs instead of propagation. `weights` go to `Propagator`. `palette`
    is regions and colors kept from references (`colorhelpers.hints.palette`), matched like
    the reference's own, which joins them.
    """

    hints: Hints = field(default_factory=Hints.none)
    reference_rgb: np.ndarray | None = None
    prior: str = "network"
    hint_generator: object | None = None
    weights: dict = field(default_factory=dict)
    palette: ReferenceRegions | None = None

    def __post_init__(self) -> None:
        if self.prior not in PRIORS:
            raise ValueError(f"prior must be one of {PRIORS}, got {self.prior!r}")
        self._last: tuple[Frame, Propagator] | None = None  # the last frame's Laplacian, reused

    def propagator(self, frame: Frame) -> Propagator:
        if self._last is None or self._last[0] is not frame:
            self._last = (frame, Propagator(frame.lightness, **self.weights))
        return self._last[1]

    def reference_for(self, frame: Frame) -> Reference | None:
        if self.reference_rgb is None and self.palette is None:
            return None
        parts = [] if self.palette is None else [self.palette]
        if self.reference_rgb is not None:
            parts.append(reference_regions(self.reference_rgb, frame.lightness.shape))
        return reference_hints(frame.lightness, joined(parts))

    def ab(self, frame: Frame, reference: Reference | None = None) -> np.ndarray:
        """Scaled ab on the frame's working grid; `reference` as `reference_for` makes it."""
        prior = frame.prior_ab if self.prior == "network" else np.zeros_like(frame.prior_ab)
        coverage, ab = hint_grid(self.hints, frame.grid)
        if self.hint_generator is not None:
            channels = np.concatenate([ab * coverage[..., None], coverage[..., None]], -1)[None]
            l_norm = frame.lightness[None, ..., None] / L_SCALE - 1.0
            return np.asarray(self.hint_generator([l_norm, channels.astype(np.float32)], training=False))[0]
        propagator = self.propagator(frame)
        weight = coverage * propagator.hint_weight
        if reference is not None:
            # Local hints win: regions holding one take no color from the reference.
            hinted = np.unique(reference.labels[coverage > 0])
            soft = (weight == 0) & (reference.weight > 0) & ~np.isin(reference.labels, hinted[hinted > 0])
            weight = np.where(soft, reference.weight, weight)
            ab = np.where(soft[..., None], reference.ab, ab)
        if not weight.any():
            return prior
        return propagator.solve(weight, ab, prior)

    def colors(self, frame: Frame, reference: Reference | None = None) -> Colors:
        """`ab`, with the hint pixels pinned to their exact colors."""
        pinned = None
        if len(self.hints) and self.hint_generator is None:
            pinned = (self.hints.ys, self.hints.xs, hint_ab(self.hints))
        return Colors(self.ab(frame, reference), pinned)

    def __call__(self, frame: Frame) -> Colors:
        return self.colors(frame, self.reference_for(frame))


class HintColorizer:
    """One image on the road, colored again and again as its hints change (widget, sweep).

    `rgb` is the image (uint8, or floats in [0, 1]); the network and the image's Laplacian run
    once, then each `colorize(hints, reference)` costs one solve. `reference` is a `Reference`
    made for this image's grid (`reference(rgb)` makes one from a picture). `saturation`
    scales the automatic colors, as for `Colorizer`.
    """

    def __init__(self, generator, size: int, rgb, prior: str = "network", hint_generator=None,
                 guide: Callable[[Hints], Guide] | None = None, saturation: float = 1.0,
                 **weights: float) -> None:
        self.colorizer = Colorizer(generator, size, saturation)
        rgb = np.asarray(rgb)
        self.rgb = rgb if rgb.dtype == np.uint8 else np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)
        self.frame = self.colorizer.analyse(self.rgb[None])[0]
        self.guide = HintGuide(prior=prior, hint_generator=hint_generator, weights=weights)
        #: Another way from hints to colors (for line art, `colorhelpers.lineart.LineArtGuide`).
        self.make_guide = guide

    @property
    def lightness(self) -> np.ndarray:
        """The working grid's lightness (L in 0-100), what a `Reference` is matched on."""
        return self.frame.lightness

    def reference(self, reference_rgb: np.ndarray) -> Reference:
        """Soft hints for this image from a uint8 RGB picture of the same character."""
        return reference_hints(self.frame.lightness, reference_rgb)

    def ab(self, hints: Hints, reference: Reference | None = None) -> np.ndarray:
        """Scaled ab on the working grid."""
        self.guide.hints = hints
        return self.guide.ab(self.frame, reference)

    def colorize(self, hints: Hints | None = None, reference: Reference | None = None) -> np.ndarray:
        """uint8 RGB [h, w, 3] at the input's size."""
        if self.make_guide is not None:
            return self.colorizer.join([self.frame], [self.make_guide(hints or Hints.none())(self.frame)])[0]
        self.guide.hints = hints or Hints.none()
        return self.colorizer.join([self.frame], [self.guide.colors(self.frame, reference)])[0]

"""Steady colors over a clip: carry each frame's colors to the next along the optical flow.

Taught in notebooks/10_animation.

Colored one by one, the frames of a clip flicker: the network sees each frame afresh, and
a window that moves by a pixel or two changes its guess for the same point by several ab
units. What is steady is the motion, and that can be measured on the gray frames alone:

1. **Flow** (OpenCV's DIS, Kroeger et al. 2016) from each frame back to the one before, on
   the lightness at a small working size: where every pixel of frame t was in frame t-1.
2. **Reliability**: a pixel's flow is trusted where going back and forth again returns to
   it (the forward-backward check of Sundaram et al. 2010; it fails at occlusions and where
   the flow is a guess) or where it comes from a flat neighbourhood (there a guessed flow
   carries the same color), where it stays inside the earlier frame (new content entering at
   an edge has no past), and where its lightness lies within that of the 3x3 neighbourhood
   it comes from (a changing expression does not; a sharp line resampled half a pixel off
   does).
3. **Blend**: the previous output's ab, warped along the flow, and the network's new
   prediction, mixed pixel by pixel: `carry` x reliability of the past, the rest new. With
   `carry` below 1 the colors stay an average of the network's recent guesses along the
   motion (steady, and still the network's); at 1, as for a reference or hints, colors once
   given are kept wherever the flow holds, and only unreliable pixels take new ones.

Everything runs on the road's working grid (`colorhelpers.colorize.grid`), where the network
predicts: a few milliseconds a frame on a CPU, next to the network's tens. `SteadyGuide` is
the guide that does it on the road (`colorhelpers.colorize.road`), which reads, colors and
writes the frames.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from colorhelpers.color.lab import L_SCALE
from colorhelpers.colorize.road import Colors, Frame, Guide
from colorhelpers.hints.propagation import HINT_WEIGHT, Propagator

#: In guided clips, pixels whose flow is trusted at least this much pin the spread colors.
PIN_RELIABILITY = 0.5
#: Share of the carried colors kept where the flow is fully reliable (automatic colors).
CARRY = 0.9
#: Forward-backward check: |back + forward|^2 <= FB_ALPHA (|back|^2 + |forward|^2) + FB_BETA (px^2).
FB_ALPHA = 0.01
FB_BETA = 0.5
#: A lightness mismatch of this much (0-255) after following the flow keeps e^-1 of the trust.
SIGMA_L = 12.0
#: A neighbourhood whose lightness spans less than this (0-255) is flat: any flow inside it
#: carries the same color, so the forward-backward check is not needed there.
FLAT_RANGE = 6.0
_NEIGHBOURS = np.ones((3, 3), np.uint8)
#: A scene cut: consecutive frames whose gray-level histograms share less than this.
CUT_OVERLAP = 0.5
#: DIS's speed and quality preset.
DIS_PRESET = cv2.DISOPTICAL_FLOW_PRESET_MEDIUM


def warp(image: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """`image` [h, w, c] sampled at (map_x, map_y) [h, w] (bilinear, edges repeated)."""
    return cv2.remap(np.ascontiguousarray(image, np.float32), map_x, map_y, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE).reshape(image.shape)


class FlowTracker:
    """Flow and reliability between consecutive gray frames (uint8 [h, w])."""

    def __init__(self, preset: int = DIS_PRESET, sigma_l: float = SIGMA_L) -> None:
        self.dis = cv2.DISOpticalFlow_create(preset)
        self.sigma_l = sigma_l
        self._grid: tuple[np.ndarray, np.ndarray] | None = None

    def flows(self, previous: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """DIS flows [h, w, 2] between two gray frames: `back` (where each pixel of `current`
        was in `previous`) and `forward`. The pair of a step, swapped, is the pair of the same
        step taken backward in time, so a clip's flows need computing once."""
        return self.dis.calc(current, previous, None), self.dis.calc(previous, current, None)

    def track(self, previous: np.ndarray, current: np.ndarray,
              flows: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, ...]:
        """(map_x, map_y, reliability): pixel (y, x) of `current` was at (map_y, map_x) of
        `previous`, trusted by `reliability` in [0, 1] (all [h, w], float32). `flows`: the
        pair `flows(previous, current)` gives, if known."""
        h, w = current.shape
        if self._grid is None or self._grid[0].shape != (h, w):
            xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            self._grid = xs, ys
        xs, ys = self._grid
        back, forward = self.flows(previous, current) if flows is None else flows
        map_x, map_y = xs + back[..., 0], ys + back[..., 1]
        forward_there = warp(forward, map_x, map_y)
        loop = ((back + forward_there) ** 2).sum(-1)
        consistent = loop <= FB_ALPHA * ((back**2).sum(-1) + (forward_there**2).sum(-1)) + FB_BETA
        inside = (map_x >= -0.5) & (map_x <= w - 0.5) & (map_y >= -0.5) & (map_y <= h - 0.5)
        # The darkest and lightest of the 3x3 neighbourhood each pixel came from.
        spans = np.dstack([cv2.erode(previous, _NEIGHBOURS), cv2.dilate(previous, _NEIGHBOURS)])
        low, high = np.moveaxis(warp(spans.astype(np.float32), map_x, map_y), -1, 0)
        outside_span = np.maximum(low - current, 0.0) + np.maximum(current - high, 0.0)
        match = np.exp(-((outside_span / self.sigma_l) ** 2))
        return map_x, map_y, ((consistent | (high - low < FLAT_RANGE)) & inside) * match.astype(np.float32)


#: Colors for the pixels that nothing reliable carries (guided clips): (gray, carried ab,
#: reliability, network ab) -> ab, all on the working grid.
Fill = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


class Steadier:
    """Blends each frame's predicted ab with the previous output carried along the flow.

    Feed it the frames of one clip in order: `step(gray, ab)` returns the steady ab of that
    frame. `first` replaces the first frame's prediction (a reference's or hints' colors).
    With a `fill` (guided clips), colors are anchored instead of blended: a pixel whose flow
    is trusted (`PIN_RELIABILITY`) keeps the carried color exactly, the others take `fill`'s.
    """

    def __init__(self, carry: float = CARRY, tracker: FlowTracker | None = None,
                 first: np.ndarray | None = None, fill: Fill | None = None) -> None:
        self.carry, self.tracker = carry, tracker or FlowTracker()
        self.first, self.fill = first, fill
        self.previous: tuple[np.ndarray, np.ndarray] | None = None  # (gray, ab) of the last frame
        self.reliability: np.ndarray | None = None  # of the last step, for plots and tests

    def step(self, gray: np.ndarray, ab: np.ndarray) -> np.ndarray:
        """Steady ab [h, w, 2] of the next frame from its gray [h, w] and predicted ab."""
        ab = np.asarray(ab, np.float32)
        if self.previous is None:
            out = ab if self.first is None else np.asarray(self.first, np.float32)
            self.reliability = np.zeros(gray.shape, np.float32)
        else:
            previous_gray, previous_ab = self.previous
            map_x, map_y, reliability = self.tracker.track(previous_gray, gray)
            carried = warp(previous_ab, map_x, map_y)
            if self.fill is None:  # automatic colors: a running blend along the flow
                weight = (self.carry * reliability)[..., None]
                out = ab + weight * (carried - ab)
            else:  # guided colors are anchored: kept where the flow holds, never re-blended
                fresh = self.fill(gray, carried, reliability, ab)
                out = np.where((reliability >= PIN_RELIABILITY)[..., None], carried, fresh)
            self.reliability = reliability
        self.previous = gray, out
        return out


def is_cut(previous: np.ndarray, current: np.ndarray, overlap: float = CUT_OVERLAP) -> bool:
    """Whether two consecutive uint8 gray frames belong to different shots (histogram overlap).

    >>> dark, light = np.full((8, 8), 30, np.uint8), np.full((8, 8), 220, np.uint8)
    >>> is_cut(dark, dark), is_cut(dark, light)
    (False, True)
    """
    bins = [np.bincount(g.ravel() // 8, minlength=32) / g.size for g in (previous, current)]
    return float(np.minimum(*bins).sum()) < overlap


def lightness(gray: np.ndarray) -> np.ndarray:
    """The working grid's uint8 gray back to L in 0-100 (what `propagation` expects)."""
    return gray.astype(np.float64) * (2.0 * L_SCALE / 255.0)


def spread_carried(gray: np.ndarray, carried: np.ndarray, reliability: np.ndarray,
                   ab: np.ndarray) -> np.ndarray:
    """Guided clips' fill: the carried colors spread edge-aware into what the flow cannot
    carry (new content), with the network's colors as the prior (`hints.propagation`)."""
    pinned = reliability >= PIN_RELIABILITY
    if pinned.all() or not pinned.any():
        return carried if pinned.all() else ab
    return Propagator(lightness(gray)).solve(np.where(pinned, HINT_WEIGHT, 0.0), carried, ab)


class SteadyGuide:
    """The guide of a clip's frames on the road: steady colors along the optical flow.

    Without `first`, the network's colors are blended with the carried ones (`carry`, by
    default `CARRY`). With `first`, a guide for the first frame (hints or a reference:
    `colorhelpers.hints.guide.HintGuide`), its colors are kept along the flow (`carry` 1) and
    what the flow cannot carry is spread from them (`spread_carried`). `carry=0` is per-frame
    coloring. Call it on the frames of one clip in order.
    """

    def __init__(self, first: Guide | None = None, carry: float | None = None,
                 tracker: FlowTracker | None = None) -> None:
        self.first = first
        carry = (1.0 if first is not None else CARRY) if carry is None else carry
        self.steadier = Steadier(carry, tracker, fill=spread_carried if first is not None else None)
        self.cuts: list[int] = []  # frames that start a new shot: nothing is carried into them

    def __call__(self, frame: Frame) -> Colors:
        pinned = None
        if self.steadier.previous is not None and is_cut(self.steadier.previous[0], frame.gray):
            self.cuts.append(frame.index)
            self.steadier.previous = None
            self.steadier.first = None  # a guided first frame guides its own shot only
        if self.steadier.previous is None and self.first is not None:
            first = self.first(frame)
            self.steadier.first, pinned = first.ab, first.pinned
        return Colors(self.steadier.step(frame.gray, frame.prior_ab), pinned)


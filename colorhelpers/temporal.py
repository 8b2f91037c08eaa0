"""Steady colors over a clip: carry each frame's colors to the next along the optical flow.

Taught in notebooks/10_animation.

Colored one by one, the frames of a clip flicker: the network sees each frame afresh, and
a window that moves by a pixel or two changes its guess for the same point by several ab
units. What is steady is the motion, and that can be measured on the gray frames alone:

1. **Flow** (OpenCV's DIS, Kroeger et al. 2016) from each frame back to the one before, on
   the lightness at a small working size: where every pixel of frame t was in frame t-1.
2. **Reliability**: a pixel's flow is trusted where going back and forth again returns to
   it (the forward-backward check of Sundaram et al. 2010; it fails at occlusions and where
   the flow is a guess), where it stays inside the earlier frame (new content entering at an
   edge has no past), and where the lightness it comes from matches (a changing expression).
3. **Blend**: the previous output's ab, warped along the flow, and the network's new
   prediction, mixed pixel by pixel: `carry` x reliability of the past, the rest new. With
   `carry` below 1 the colors stay an average of the network's recent guesses along the
   motion (steady, and still the network's); at 1, as for a reference or hints, colors once
   given are kept wherever the flow holds, and only unreliable pixels take new ones.

Everything runs on the working grid (at most `WORK_SIDE` pixels a side): a few milliseconds
a frame on a CPU, next to the network's tens. `clips` runs the network and writes the frames.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator

import cv2
import numpy as np
import tensorflow as tf

from colorhelpers.evaluation import luma, predict_ab_at, with_luma
from colorhelpers.lab import L_SCALE, l_ab_to_rgb, normalize_lab, rgb_to_lab

#: The working grid's longer side: flow, reliability and blending run at this size.
WORK_SIDE = 128
#: Share of the carried colors kept where the flow is fully reliable (automatic colors).
CARRY = 0.9
#: Forward-backward check: |back + forward|^2 <= FB_ALPHA (|back|^2 + |forward|^2) + FB_BETA (px^2).
FB_ALPHA = 0.01
FB_BETA = 0.5
#: A lightness mismatch of this much (0-255) after following the flow keeps e^-1 of the trust.
SIGMA_L = 12.0
#: Frames colored together: the network is about twice as fast per frame in batches of 8.
BATCH = 8
#: ...unless a batch would hold more pixels than this (large frames go a few at a time).
BATCH_PIXELS = 8 * 512 * 512
#: OpenCV's DIS preset: the medium one is accurate enough for drawings and about 2 ms at 128 px.
DIS_PRESET = cv2.DISOPTICAL_FLOW_PRESET_MEDIUM


def work_shape(height: int, width: int, side: int = WORK_SIDE) -> tuple[int, int]:
    """(rows, columns) of the working grid of a `height` x `width` frame, aspect kept.

    >>> work_shape(256, 256), work_shape(128, 96), work_shape(720, 1280)
    ((128, 128), (128, 96), (72, 128))
    """
    scale = min(1.0, side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


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

    def track(self, previous: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(map_x, map_y, reliability): pixel (y, x) of `current` was at (map_y, map_x) of
        `previous`, trusted by `reliability` in [0, 1] (all [h, w], float32)."""
        h, w = current.shape
        if self._grid is None or self._grid[0].shape != (h, w):
            xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            self._grid = xs, ys
        xs, ys = self._grid
        back = self.dis.calc(current, previous, None)
        forward = self.dis.calc(previous, current, None)
        map_x, map_y = xs + back[..., 0], ys + back[..., 1]
        forward_there = warp(forward, map_x, map_y)
        loop = ((back + forward_there) ** 2).sum(-1)
        consistent = loop <= FB_ALPHA * ((back**2).sum(-1) + (forward_there**2).sum(-1)) + FB_BETA
        inside = (map_x >= -0.5) & (map_x <= w - 0.5) & (map_y >= -0.5) & (map_y <= h - 0.5)
        came_from = warp(previous[..., None].astype(np.float32), map_x, map_y)[..., 0]
        match = np.exp(-(((current - came_from) / self.sigma_l) ** 2))
        return map_x, map_y, (consistent & inside) * match.astype(np.float32)


#: Colors for the pixels that nothing reliable carries (guided clips): (gray, carried ab,
#: reliability, network ab) -> ab, all on the working grid.
Fill = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


class Steadier:
    """Blends each frame's predicted ab with the previous output carried along the flow.

    Feed it the frames of one clip in order: `step(gray, ab)` returns the steady ab of that
    frame. `first` replaces the first frame's prediction (a reference's or hints' colors);
    `fill`, if given, colors what the flow cannot carry instead of the plain prediction.
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
            fresh = ab if self.fill is None else self.fill(gray, carried, reliability, ab)
            weight = (self.carry * reliability)[..., None]
            out = fresh + weight * (carried - fresh)
            self.reliability = reliability
        self.previous = gray, out
        return out


@functools.lru_cache(maxsize=4)
def _analyser(generator, size: int, work: tuple[int, int], square: bool):
    """Traced once: uint8 frames [n, h, w, 3] -> (scaled L [n, h, w, 1], luma [n, h, w],
    network ab on the working grid [n, *work, 2], gray (L as uint8) on the working grid).

    The network sees each frame as `evaluation.colorize_rgb` does (`predict_ab_at`): square
    frames, or any frame for a square-only network, in one batch; other frames one by one,
    their proportions kept."""

    def network(l_full: tf.Tensor) -> tf.Tensor:
        if square or generator.input_shape[1] is not None:
            small = tf.image.resize(l_full, [size, size], method="area", antialias=True)
            return tf.cast(generator(small, training=False), tf.float32)
        return tf.map_fn(lambda x: predict_ab_at(generator, x, size)[0], l_full,
                         fn_output_signature=tf.TensorSpec([None, None, 2], tf.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8)])
    def analyse(frames: tf.Tensor):
        rgb = tf.image.convert_image_dtype(frames, tf.float32)
        l_full, _ = normalize_lab(rgb_to_lab(rgb))
        ab = tf.image.resize(network(l_full), work)
        l_work = tf.image.resize(l_full, work, method="area", antialias=True)[..., 0]
        gray = tf.cast(tf.round(tf.clip_by_value((l_work + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)
        return l_full, luma(rgb), ab, gray

    return analyse


@tf.function(input_signature=[tf.TensorSpec([None, None, None, 1], tf.float32),
                              tf.TensorSpec([None, None, None], tf.float32),
                              tf.TensorSpec([None, None, None, 2], tf.float32)])
def _compose(l_full: tf.Tensor, target_luma: tf.Tensor, ab: tf.Tensor) -> tf.Tensor:
    """Working-grid ab of n frames joined with their full-resolution L and luma: uint8 RGB
    (`evaluation.join_color` on a batch at once, which is faster than frame by frame)."""
    color = with_luma(l_ab_to_rgb(l_full, tf.image.resize(ab, tf.shape(l_full)[1:3])), target_luma)
    return tf.cast(tf.round(color * 255.0), tf.uint8)


class ClipColorizer:
    """Colors the frames of one clip, in order, steadily: uint8 RGB frames in, out.

    The network runs on batches of frames; `Steadier` blends along the flow frame by frame.
    `guide(first_frame) -> ab` [size, size, 2], if given, colors the first frame (hints, a
    reference: see `clips.guide_for`); its colors are then carried with `carry` 1, and what
    the flow cannot carry is filled by `fill`. `carry=0` is per-frame coloring; `saturation`
    scales the network's ab as `evaluation.colorize_rgb`'s does.
    """

    def __init__(self, generator, size: int, height: int, width: int, carry: float | None = None,
                 guide: Callable[[np.ndarray], np.ndarray] | None = None, fill: Fill | None = None,
                 saturation: float = 1.0) -> None:
        self.work = work_shape(height, width)
        self.analyse = _analyser(generator, size, self.work, height == width)
        self.batch = max(1, min(BATCH, BATCH_PIXELS // (height * width)))
        self.guide, self.saturation = guide, saturation
        carry = (1.0 if guide else CARRY) if carry is None else carry
        self.steadier = Steadier(carry, fill=fill)

    def colorize(self, frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """Yields each frame colored, reading at most one batch of frames ahead."""
        batch: list[np.ndarray] = []
        for frame in frames:
            batch.append(frame)
            if len(batch) == self.batch:
                yield from self._colorize_batch(batch)
                batch = []
        if batch:
            yield from self._colorize_batch(batch)

    def _colorize_batch(self, batch: list[np.ndarray]) -> np.ndarray:
        l_full, target_luma, ab, gray = self.analyse(np.stack(batch))
        ab, gray = np.clip(ab.numpy() * self.saturation, -1.0, 1.0), gray.numpy()
        if self.guide is not None and self.steadier.previous is None:
            first = self.guide(batch[0])
            self.steadier.first = cv2.resize(first, self.work[::-1], interpolation=cv2.INTER_AREA)
        steady = np.stack([self.steadier.step(g, a) for g, a in zip(gray, ab)])
        return _compose(l_full, target_luma, steady).numpy()


def lightness(gray: np.ndarray) -> np.ndarray:
    """The working grid's uint8 gray back to L in 0-100 (what `propagation` expects)."""
    return gray.astype(np.float64) * (2.0 * L_SCALE / 255.0)

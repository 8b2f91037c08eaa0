"""Keyframes: color one frame of a shot (or a few) by hand, and the whole shot follows.

Taught in notebooks/10_animation. How animation is colored in practice (DeepRemaster, Iizuka
and Simo-Serra 2019; Deep Exemplar-based Video Colorization, Zhang et al. 2019): a keyframe's
frame is reproduced (its colors on the clip's own lightness), and its colors are carried
forward *and* backward along the optical flow to the neighbouring keyframes.

Carried colors are *anchored*: a pixel keeps the color the flow brought it from the keyframe,
never re-blended with the network's guess, so nothing fades where the flow is good. What the
flow cannot vouch for is tracked as a confidence: each step the flow doubts (`flow.FlowTracker`:
occlusion, flow failure, new content) multiplies it by that step's reliability, and below
`TRUST` the carried color is not used. There the trusted colors are spread edge-aware, over
the network's colors; a frame where nothing is trusted any more is guided by the nearest
keyframe as a reference (its regions matched, as in notebook 09).

Hints on any frame (`anchors_from_hints`) are local corrections carried the same way. Cuts
(a scene change: `is_cut`) stop every carry, so colors do not bleed into another shot.

Memory does not grow with the clip: three passes over the file (forward carry, backward
carry, then join and write) keep only the keyframes and a few frames of state in memory,
and the per-frame working-grid arrays (`store.FrameStore`) in files on disk; the arrays the
decisions free go back to the system (`store.return_freed_memory`). Flow is
computed only where something trusted is being carried, and once per pair of frames: the
backward pass reuses the forward pass's flows, swapped.
"""

from __future__ import annotations

import bisect
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from skimage.color import rgb2lab

from colorhelpers.clips.flow import PIN_RELIABILITY, FlowTracker, is_cut, lightness, warp
from colorhelpers.clips.store import FrameStore, return_freed_memory
from colorhelpers.color.lab import AB_SCALE
from colorhelpers.colorize.media import ClipError, ClipInfo, ClipWriter
from colorhelpers.colorize.road import Colorizer, Colors, Frame, batch_size, clip_frames, full_resolution
from colorhelpers.hints.guide import HintGuide
from colorhelpers.hints.points import Hints
from colorhelpers.hints.propagation import fill
from colorhelpers.hints.reference import ReferenceRegions, reference_hints, reference_regions

#: Carried colors are used where their confidence (the product of the flow's reliability
#: since the keyframe) is at least this.
TRUST = 0.3
#: A hint changes a pixel's color by at least this (scaled ab) to make it an anchor.
HINT_CHANGE = 0.02
#: Edge sensitivity (L units) of the spread of trusted carried colors: this road was tuned at 4;
#: the hints' sigma 2 made held-out clips' last frames worse (change clips 41 -> 44 % of gray's).
SPREAD_SIGMA_L = 4.0


@dataclass
class Anchor:
    """Colors a frame must have: scaled ab on the working grid where `mask` is set; a keyframe
    has every pixel set and its full-resolution `full_ab`, a hinted frame only the regions
    its hints changed. `reference` (uint8 RGB) guides the frames of its shot where nothing
    carried is trusted."""

    frame: int
    mask: np.ndarray
    ab: np.ndarray
    full_ab: np.ndarray | None = None
    reference: np.ndarray | None = None


def keyframe_anchor(frame_number: int, rgb: np.ndarray, grid_shape: tuple[int, int]) -> Anchor:
    """The anchor of a keyframe, uint8 RGB of the clip's size."""
    import cv2

    full_ab = (rgb2lab(rgb / 255.0)[..., 1:] / AB_SCALE).astype(np.float32)
    ab = cv2.resize(full_ab, grid_shape[::-1], interpolation=cv2.INTER_AREA)
    return Anchor(frame_number, np.ones(grid_shape, bool), ab, full_ab, rgb)


#: What the passes keep of every frame on the working grid: (dtype, trailing shape).
FIELDS = {"gray": (np.uint8, ()), "prior": (np.float16, (2,)), "ab": (np.float16, (2,)),
          "confidence": (np.float16, ()), "back": (np.float16, (2,)), "forward": (np.float16, (2,))}


def _carry(tracker: FlowTracker, previous_gray, gray, ab, confidence, flows=None):
    """The previous frame's anchored colors and confidence, carried to this frame. A step the
    flow vouches for (`flow.PIN_RELIABILITY`) keeps the confidence; a doubtful one scales it."""
    map_x, map_y, reliability = tracker.track(previous_gray, gray, flows)
    carried = warp(np.asarray(ab, np.float32), map_x, map_y)
    step = np.where(reliability >= PIN_RELIABILITY, 1.0, reliability)
    return carried, warp(np.asarray(confidence, np.float32)[..., None], map_x, map_y)[..., 0] * step


def _alive(confidence: np.ndarray) -> bool:
    """Whether a carry from a frame of this confidence can bring anything trusted (confidence
    only falls along the flow)."""
    return bool(confidence.max() >= TRUST)


def _anchored(anchor: Anchor | None, ab: np.ndarray, confidence: np.ndarray):
    if anchor is None:
        return ab, confidence
    return (np.where(anchor.mask[..., None], anchor.ab, ab),
            np.where(anchor.mask, 1.0, confidence).astype(np.float32))


class KeyframeColorizer:
    """Colors one clip from its anchors (keyframes and hinted frames), in three passes.

    `anchors` maps frame numbers to an `Anchor`, or to `Hints` that `anchors_from_hints`
    turns into one in the first pass. After `colorize`, `cuts` lists the frames that start a
    new shot and `frames` the clip's length. `progress(pass, frames done)`, if set, hears of
    each frame of the three passes ("analysing", "deciding", "writing"): a web page's bar.
    """

    def __init__(self, colorizer: Colorizer, anchors: dict[int, Anchor | Hints],
                 tracker: FlowTracker | None = None) -> None:
        self.colorizer, self.anchors = colorizer, dict(anchors)
        self.tracker = tracker or FlowTracker()
        self.cuts: list[int] = []
        self.frames = 0
        self.progress: Callable[[str, int], None] = lambda stage, done: None
        self._flowed: set[int] = set()  # frames t whose flows with t - 1 the store holds
        self._regions: dict[int, ReferenceRegions] = {}  # of each keyframe, on the working grid

    def _shot(self, frame: int) -> int:
        return bisect.bisect_right(self.cuts, frame)

    def _forward(self, info: ClipInfo, folder: Path) -> FrameStore:
        """Pass 1: analyse every frame, detect cuts, carry the anchors forward."""
        store, previous = None, None
        for batch, first in _numbered_batches(info):
            for frame in self.colorizer.analyse(np.stack([rgb for rgb, _ in batch]), first_index=first):
                self.frames += 1
                if store is None:
                    store = FrameStore(folder, frame.grid.shape, FIELDS)
                gray = frame.gray
                if previous is not None and is_cut(previous[0], gray):
                    self.cuts.append(frame.index)
                    previous = None
                flows = None
                if previous is None or not _alive(previous[2]):  # nothing trusted to carry
                    ab, confidence = frame.prior_ab, np.zeros(gray.shape, np.float32)
                else:
                    flows = self.tracker.flows(previous[0], gray)
                    ab, confidence = _carry(self.tracker, previous[0], gray, *previous[1:], flows)
                    self._flowed.add(frame.index)
                anchor = self.anchors.get(frame.index)
                if isinstance(anchor, Hints):  # corrections on top of what the frame has so far
                    anchor = self.anchors[frame.index] = anchors_from_hints(frame, anchor, ab, confidence)
                ab, confidence = _anchored(anchor, ab, confidence)
                back, forward = (None, None) if flows is None else flows
                store.append(gray=gray, prior=frame.prior_ab, ab=ab, confidence=confidence,
                             back=back, forward=forward)
                previous = gray, ab, confidence
                self.progress("analysing", self.frames)
        return store

    def _backward(self, store: FrameStore) -> None:
        """Pass 2: carry the anchors backward and decide every frame's colors (in place). The
        decisions, mostly sparse solves that release the GIL, run on two threads a few frames
        behind the carry; the store is read and written here only."""
        return_freed_memory()
        self._regions = {f: reference_regions(a.reference, store.shape)
                         for f, a in self.anchors.items() if a.reference is not None}
        later = None  # the next frame's (gray, ab, confidence)
        pending: deque[tuple[int, Future]] = deque()
        with ThreadPoolExecutor(2) as pool:
            for t in range(self.frames - 1, -1, -1):
                gray = store.read("gray", t)
                if later is None or t + 1 in self.cuts or not _alive(later[2]):
                    ab, confidence = store.read("prior", t), np.zeros(gray.shape, np.float32)
                else:  # the step t -> t + 1 backward: its forward flows, swapped
                    flows = ((store.read("forward", t + 1), store.read("back", t + 1))
                             if t + 1 in self._flowed else None)
                    ab, confidence = _carry(self.tracker, later[0], gray, *later[1:], flows)
                ab, confidence = _anchored(self.anchors.get(t), ab, confidence)
                later = gray, ab, confidence
                forward = store.read("ab", t), store.read("confidence", t)
                pending.append((t, pool.submit(self._decide, t, gray, forward, (ab, confidence),
                                               store.read("prior", t))))
                self.progress("deciding", self.frames - t)
                while len(pending) > 4:
                    done, decision = pending.popleft()
                    store.write("ab", done, decision.result())
            for done, decision in pending:
                store.write("ab", done, decision.result())

    def _keyframe_near(self, t: int) -> Anchor | None:
        """The keyframe of `t`'s shot nearest to it in time, if the shot has one."""
        shot = self._shot(t)
        keyframes = [a for f, a in self.anchors.items() if a.reference is not None and self._shot(f) == shot]
        return min(keyframes, key=lambda a: abs(a.frame - t), default=None)

    def _decide(self, t: int, gray: np.ndarray, forward: tuple[np.ndarray, np.ndarray],
                back: tuple[np.ndarray, np.ndarray], prior: np.ndarray) -> np.ndarray:
        """Forward and backward carries, (ab, confidence) each, joined by their confidence;
        the rest filled."""
        (forward_ab, forward_confidence), (back_ab, back_confidence) = forward, back
        weights = np.stack([forward_confidence * (forward_confidence >= TRUST),
                            back_confidence * (back_confidence >= TRUST)])
        total = weights.sum(0)
        trusted = total > 0
        carried = (weights[0, ..., None] * forward_ab + weights[1, ..., None] * back_ab)
        carried = carried / np.maximum(total, 1e-6)[..., None]
        if trusted.all():
            return carried
        # Spreading the trusted colors edge-aware is closer to the truth than the keyframe's
        # matched regions (bench/keyframes.py, held-out clips: mean 18 -> 16 % of gray's on
        # pans), so those guide only a frame where nothing is trusted.
        any_trusted = trusted.any()
        keyframe = None if any_trusted else self._keyframe_near(t)
        if not any_trusted and keyframe is None:
            return prior
        lightness_ = lightness(gray)
        weight, hint_ab = np.zeros(gray.shape), np.zeros((*gray.shape, 2))
        if keyframe is not None:
            matched = reference_hints(lightness_, self._regions[keyframe.frame])
            weight, hint_ab = matched.weight, matched.ab
        # The carried colors are the boundary; only what the flow could not vouch for is solved.
        return fill(lightness_, trusted, carried, weight, hint_ab, prior, sigma=SPREAD_SIGMA_L)

    def colorize(self, info: ClipInfo, out: Path) -> Path:
        """Color the clip `info` into `out` (a file of the same format); returns `out`."""
        self.cuts, self.frames, self._flowed, self._regions = [], 0, set(), {}  # of this clip only
        with tempfile.TemporaryDirectory(prefix="colorgan-keyframes-") as folder:
            store = self._forward(info, Path(folder))
            past = sorted(f for f in self.anchors if f >= self.frames)
            if past:
                store.close()
                raise ClipError(f"{info.path}: a keyframe or hints for frame {past[0]}, but the clip has "
                                f"{self.frames} frames (0-{self.frames - 1})")
            self._backward(store)
            with ClipWriter(out, info) as writer:
                for batch, first in _numbered_batches(info):
                    l_full, target_luma = full_resolution(np.stack([rgb for rgb, _ in batch]))
                    frames = [Frame(first + i, None, l_full[i], target_luma[i], None, None)
                              for i in range(len(batch))]
                    full = [getattr(self.anchors.get(f.index), "full_ab", None) for f in frames]
                    colors = [Colors(store.read("ab", f.index), full_ab=ab) for f, ab in zip(frames, full)]
                    for rgb, (_, duration) in zip(self.colorizer.join(frames, colors), batch):
                        writer.write(rgb, duration)
                        self.progress("writing", writer.count)
            store.close()
        return out


def anchors_from_hints(frame: Frame, hints: Hints, carried: np.ndarray, confidence: np.ndarray) -> Anchor:
    """Hints on a frame as an anchor: the regions whose colors they change, on top of the
    colors carried there so far where those are trusted, else the network's."""
    start = np.where((confidence >= TRUST)[..., None], carried, frame.prior_ab).astype(np.float32)
    guided = Frame(frame.index, frame.grid, frame.l_full, frame.luma, frame.lightness, start)
    ab = HintGuide(hints).ab(guided)
    return Anchor(frame.index, np.abs(ab - start).max(-1) >= HINT_CHANGE, ab)


def _numbered_batches(info: ClipInfo) -> Iterator[tuple[list[tuple[np.ndarray, int | None]], int]]:
    """The clip's (frame, duration) pairs in the road's batches, with the first frame's number."""
    size = batch_size(info.height, info.width)
    batch: list[tuple[np.ndarray, int | None]] = []
    first = 0
    for pair in clip_frames(info):
        batch.append(pair)
        if len(batch) == size:
            yield batch, first
            first, batch = first + size, []
    if batch:
        yield batch, first


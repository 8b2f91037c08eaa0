"""Paint-bucket matching: a frame's regions take the colors of the regions they were in a
colored frame (a keyframe, or the frame before).

Taught in notebooks/11_line_art. In anime finishing, every closed region of every line-art
frame is filled with one flat color, copied from a colored keyframe (BasicPBC, Dai et al.
2024, and DACoN match regions with learned features). Here the matching is measured, not
learned (`bench/paintbucket.py`):

1. **Regions** (`Regions.of`): the paper closed by the lines, small gaps closed the
   trapped-ball way (`colorhelpers.lineart.regions.paper_regions`).
2. **Where each pixel was** (`positions`): the optical flow (OpenCV's DIS, as
   `colorhelpers.clips.flow` uses) from this frame to the colored one, on the drawings
   blurred so that their flat paper has a slope to follow, started from the global shift
   that phase correlation finds, so a keyframe many frames away is still reached.
3. **Votes** (`match`): every paper pixel votes for the colored frame's region it lands in;
   a region takes the region with most votes, and the share of its pixels that voted for it
   is its trust. A region whose vote is split, or that came from outside the colored frame
   (a pan reveals it), has no trustworthy match.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from colorhelpers.lineart.regions import nearest_label, paper_regions
from colorhelpers.scoring.regions import most_common, most_common_colors

#: Trapped-ball radius (px) that closes gaps in the lines.
GAP = 1
#: Blur (px) of the drawings the flow is measured on: lines alone leave flat paper without a slope.
FLOW_BLUR = 3.0
#: Longest side (px) the flow is measured at; the positions are scaled back up.
FLOW_SIDE = 256
#: A region's match is trusted when at least this share of its pixels voted for it.
TRUST = 0.5
#: A region less than this share of which was inside the colored frame has no match there.
MIN_SEEN = 0.25


@dataclass
class Regions:
    """A drawing's regions: `labels` [h, w] (1..count on paper, 0 on ink), `count`, every
    pixel's nearest region `filled` [h, w] (ink included), each region's `area` [count + 1],
    and `view`, the blurred drawing at the flow's size (uint8)."""

    labels: np.ndarray
    count: int
    filled: np.ndarray
    area: np.ndarray
    view: np.ndarray

    @classmethod
    def of(cls, drawing_l: np.ndarray, gap: int = GAP) -> Regions:
        """The regions of a drawing's scaled L [h, w] or [h, w, 1]."""
        drawing_l = np.asarray(drawing_l, np.float32)
        drawing_l = drawing_l[..., 0] if drawing_l.ndim == 3 else drawing_l
        labels, count = paper_regions(drawing_l, gap)
        height, width = labels.shape
        scale = min(1.0, FLOW_SIDE / max(height, width))
        small = cv2.resize(drawing_l, (max(1, round(width * scale)), max(1, round(height * scale))),
                           interpolation=cv2.INTER_AREA)
        view = cv2.GaussianBlur(small, (0, 0), FLOW_BLUR * scale)
        view = np.round((view + 1.0) * 127.5).clip(0, 255).astype(np.uint8)
        area = np.bincount(labels.ravel(), minlength=count + 1)
        return cls(labels, count, nearest_label(labels), area, view)


def region_colors(regions: Regions, rgb: np.ndarray) -> np.ndarray:
    """The color of each region of a colored frame: its most common uint8 RGB on the
    region's paper, [count + 1, 3] (row 0, the ink, black)."""
    return most_common_colors(regions.labels, regions.count, rgb)


def positions(frame: Regions, source: Regions) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) float32 [h, w]: where each pixel of the frame's drawing is in the source's drawing."""
    a, b = frame.view.astype(np.float32), source.view.astype(np.float32)
    window = cv2.createHanningWindow(a.shape[::-1], cv2.CV_32F)
    (dx, dy), _ = cv2.phaseCorrelate(a, b, window)  # b is a shifted by (dx, dy)
    flow = np.empty((*a.shape, 2), np.float32)
    flow[..., 0], flow[..., 1] = dx, dy
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    flow = dis.calc(frame.view, source.view, flow)
    height, width = frame.labels.shape
    scale_x, scale_y = width / a.shape[1], height / a.shape[0]
    flow = cv2.resize(flow, (width, height), interpolation=cv2.INTER_LINEAR)
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return xs + flow[..., 0] * scale_x, ys + flow[..., 1] * scale_y


def match(frame: Regions, source: Regions, where: tuple[np.ndarray, np.ndarray] | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """(source region [count + 1], trust [count + 1]) of each region of `frame`: the source
    region most of its paper lands in (0: none) and the share of its paper inside the source
    frame that does (0 where less than `MIN_SEEN` of it is inside)."""
    map_x, map_y = positions(frame, source) if where is None else where
    landed = cv2.remap(source.labels.astype(np.float32), map_x, map_y, cv2.INTER_NEAREST,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=-1).astype(np.int64)
    # Paper that lands outside the colored frame was not in it (a pan reveals it): no vote,
    # and it does not count against the match of the part that was.
    inside = np.bincount(frame.labels[landed >= 0], minlength=frame.count + 1)
    best, votes = most_common(frame.labels, frame.count, np.where(landed > 0, landed, -1))
    seen = np.where(inside >= MIN_SEEN * frame.area, inside, 0)
    trust = votes / np.maximum(seen, 1)
    trust[seen == 0] = trust[0] = 0.0
    return best, trust

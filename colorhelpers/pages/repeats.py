"""Panels that repeat a drawing: a zoom on a face, a panel drawn again, colored alike.

Taught in notebooks/12_pages_and_palettes. Manga often draws the same picture twice on a page:
a character whole, then their face enlarged. Colored panel by panel, each copy meets the network
at its own scale and comes out in its own colors. Here a panel that repeats another is found
and takes that panel's colors where the two show the same drawing:

1. **Finding a repeat** (`find_repeat`): ORB keypoints (scale- and rotation-invariant corners)
   of the two panels, matched by their descriptors, and a similarity transform (shift, turn and
   zoom) fitted through them with RANSAC; kept when enough keypoints agree. Different poses of
   one character do not fit one similarity transform, so only a repeated drawing passes. The
   keypoints place it to about a third of a pixel; `refine` brings that to a few hundredths
   (OpenCV's ECC image alignment), so the copied colors sit on the lines they belong to.
2. **Where they agree** (`shared_weight`): the one panel's gray warped onto the other's, and
   the pixels where the two agree over a small neighbourhood; the weight fades in over a few
   pixels from that area's edge, so no seam shows where the copied colors meet the network's.
3. **Who copies whom** (`find_repeats`): the panel that shows the shared drawing larger (more
   of its detail reaches the network) gives its colors; between copies of one size, the one
   read first. Without other guidance, points of the copy also guide the panel as hints
   (`copied_hints`), so its colors carry on through the regions they fall in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from colorhelpers.colorize.road import Colors, Frame, Guide, automatic
from colorhelpers.hints.guide import HintGuide
from colorhelpers.hints.points import Hints

#: Keypoints per panel; agreeing keypoints a repeat needs; reprojection tolerance (px).
KEYPOINTS, MIN_INLIERS, RANSAC_PX = 2000, 40, 3.0
#: Lowe's ratio test: a match counts when clearly better than the second best.
RATIO = 0.8
#: Two panels agree where their grays differ by less than this (0-255) over a `WINDOW` px box.
AGREE, WINDOW = 16.0, 9
#: Pixels over which copied colors fade in from the edge of the shared area.
FEATHER = 6.0
#: Zooms within this of 1 count as the same size (the panel read first gives its colors).
SAME_SIZE = 0.05
#: ECC refinement: iterations, convergence, and the most it may move a corner of its box (px).
ECC_STEPS, ECC_EPS, ECC_MOVE = 50, 1e-5, 3.0


@dataclass(frozen=True)
class Repeat:
    """Panel `target` repeats panel `source`: `matrix` (2x3) maps target pixels to source pixels,
    and `zoom` is how much larger the source shows the drawing."""

    source: int
    target: int
    matrix: np.ndarray
    zoom: float


def _features(gray: np.ndarray):
    return cv2.ORB_create(KEYPOINTS).detectAndCompute(gray, None)


def find_repeat(target_features, source_features) -> tuple[np.ndarray, float] | None:
    """(matrix mapping target pixels to source pixels, zoom) when two panels' ORB features
    (`cv2.ORB.detectAndCompute`) fit one similarity transform; None otherwise."""
    (target_points, target_desc), (source_points, source_desc) = target_features, source_features
    if target_desc is None or source_desc is None or len(target_desc) < 2 or len(source_desc) < 2:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(target_desc, source_desc, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    target_xy = np.float32([target_points[m.queryIdx].pt for m in good])
    source_xy = np.float32([source_points[m.trainIdx].pt for m in good])
    matrix, inliers = cv2.estimateAffinePartial2D(target_xy, source_xy, method=cv2.RANSAC,
                                                  ransacReprojThreshold=RANSAC_PX)
    if matrix is None or int(inliers.sum()) < MIN_INLIERS:
        return None
    return matrix, float(np.hypot(*matrix[0, :2]))


def find_repeats(grays: list[np.ndarray]) -> dict[int, Repeat]:
    """The repeats among panels (uint8 gray [h, w] each, in reading order), by the panel that
    copies: each takes its colors from the panel showing the drawing largest, which copies from
    no one (so the copies can be colored after the panels they copy)."""
    features = [_features(gray) for gray in grays]
    found: dict[int, Repeat] = {}
    for target in range(len(grays)):
        for source in range(len(grays)):
            fit = None if source == target else find_repeat(features[target], features[source])
            if fit is None:
                continue
            matrix, zoom = fit
            larger = zoom > 1 + SAME_SIZE or (abs(zoom - 1) <= SAME_SIZE and source < target)
            if larger and (target not in found or zoom > found[target].zoom):
                found[target] = Repeat(source, target, matrix, zoom)
    # A panel that gives its colors copies no one; the largest copy is the source of them all.
    kept = {}
    for target, repeat in found.items():
        if repeat.source not in found:
            matrix = refine(grays[target], grays[repeat.source], repeat.matrix)
            zoom = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
            kept[target] = replace(repeat, matrix=matrix, zoom=zoom)
    return kept


def refine(target_gray: np.ndarray, source_gray: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """`matrix` (target pixels to source pixels) refined by ECC alignment (Evangelidis and
    Psarakis 2008; `cv2.findTransformECC`) on the box around the target's lines inside the
    shared area: the edge of the copy, where one panel shows what the other does not, would pull
    the fit. Unchanged when ECC fails or would move the box's corners more than `ECC_MOVE` px."""
    shared = (shared_weight(target_gray, source_gray, matrix) >= 1).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(shared, connectivity=4)
    if count < 2:
        return matrix
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    ys, xs = np.nonzero((labels == largest) & (cv2.Canny(target_gray, 50, 150) > 0))
    if len(ys) < MIN_INLIERS:
        return matrix
    (top, bottom), (left, right) = (np.percentile(ys, [1, 99]).astype(int),
                                    np.percentile(xs, [1, 99]).astype(int))
    box = np.ascontiguousarray(target_gray[top:bottom + 1, left:right + 1], np.float32)
    shift = np.array([[1.0, 0.0, left], [0.0, 1.0, top], [0.0, 0.0, 1.0]])
    start = (np.asarray(matrix, np.float64) @ shift).astype(np.float32)
    try:
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, ECC_STEPS, ECC_EPS)
        _, fitted = cv2.findTransformECC(box, source_gray.astype(np.float32), start.copy(),
                                         cv2.MOTION_AFFINE, criteria, None, 1)
    except cv2.error:  # did not converge: the keypoints' fit stands
        return matrix
    height, width = box.shape
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]])
    if np.abs(corners @ (fitted - start).T).max() > ECC_MOVE:
        return matrix
    return (fitted.astype(np.float64) @ np.linalg.inv(shift))[:2]


def warp(image: np.ndarray, matrix: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """`image` (the source panel's pixels) seen at the target panel's pixels [shape]."""
    return cv2.warpAffine(image, matrix, shape[::-1], flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=-1)


def shared_weight(target_gray: np.ndarray, source_gray: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Float32 [h, w] of the target panel: 1 where it shows what the source panel shows,
    fading to 0 over `FEATHER` px at the edge of that area, 0 elsewhere."""
    seen = warp(source_gray.astype(np.float32), matrix, target_gray.shape)
    difference = np.where(seen >= 0, np.abs(seen - target_gray.astype(np.float32)), 255.0)
    agree = (cv2.blur(difference, (WINDOW, WINDOW)) < AGREE).astype(np.uint8)
    agree = cv2.morphologyEx(agree, cv2.MORPH_OPEN, np.ones((WINDOW, WINDOW), np.uint8))
    inside = cv2.distanceTransform(agree, cv2.DIST_L2, 3)
    return np.clip(inside / FEATHER, 0.0, 1.0).astype(np.float32)


def full_ab(colors: Colors, shape: tuple[int, int]) -> np.ndarray:
    """A guide's scaled ab at the input's full size [h, w, 2]: its `full_ab`, or its grid's
    upsampled as the join upsamples it (bilinear, pixel centers aligned)."""
    if colors.full_ab is not None:
        return colors.full_ab
    return cv2.resize(colors.ab.astype(np.float32), shape[::-1], interpolation=cv2.INTER_LINEAR)


def copied_hints(rgb: np.ndarray, weight: np.ndarray, step: int = 12) -> Hints:
    """Points every `step` px where the copy holds (`weight` 1), colored as the source panel's
    uint8 RGB `rgb` seen at this panel: hints that carry the copied colors on to the rest of
    the regions they fall in (the hair above a copied face, say)."""
    ys, xs = np.nonzero(weight[step // 2::step, step // 2::step] >= 1)
    ys, xs = ys * step + step // 2, xs * step + step // 2
    return Hints(ys, xs, rgb[ys, xs])


@dataclass
class Recorded:
    """A guide that keeps the colors its `inner` guide gave last (`colors`): a panel that
    others repeat passes on its colors before they are rounded to pixels."""

    inner: Guide | None = None
    colors: Colors | None = None

    def __call__(self, frame: Frame) -> Colors:
        self.colors = (self.inner or automatic)(frame)
        return self.colors


@dataclass
class CopiedColors:
    """A guide (`colorhelpers.colorize.road.Guide`) for a panel that repeats another: the
    `inner` guide's colors (the network's, a palette's, hints'), and where `weight` [h, w]
    says the panels agree, the source panel's scaled ab `ab` [h, w, 2] seen at this panel."""

    ab: np.ndarray
    weight: np.ndarray
    inner: Guide | None = None

    def __call__(self, frame: Frame) -> Colors:
        colors = (self.inner or automatic)(frame)
        own, weight = full_ab(colors, self.weight.shape), self.weight[..., None]
        return replace(colors, full_ab=(own * (1.0 - weight) + self.ab * weight).astype(np.float32))


def copying_guide(target_gray: np.ndarray, source_gray: np.ndarray, matrix: np.ndarray,
                  source_rgb: np.ndarray, source_colors: Colors, inner: Guide | None) -> CopiedColors:
    """The guide of a panel repeating another: the source panel's colors (`source_colors`, as
    its guide gave them; `source_rgb`, as colored) where the two agree; elsewhere `inner`'s, or
    without one, the copy's points as hints (`copied_hints`)."""
    weight = shared_weight(target_gray, source_gray, matrix)
    if inner is None:
        inner = HintGuide(copied_hints(warp(source_rgb, matrix, target_gray.shape), weight))
    ab = warp(full_ab(source_colors, source_gray.shape), matrix, target_gray.shape)
    return CopiedColors(ab, weight, inner)

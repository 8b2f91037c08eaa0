"""A reference image as a global hint: colors of a picture of the same character, matched by region.

Taught in notebooks/09_hints.

The reference is not aligned with the input (another pose, mirrored, moved), so its pixels
cannot be copied. Both images are cut into regions: connected pieces of flat lightness,
bounded by the drawing's lines (where L changes fast). Each region of the input takes the
median color of the reference region most like it: close in mean lightness first, then in
size, height in the picture and distance from the vertical middle (which survives a mirror).
The matched colors become soft hints over the whole region, so that propagation with the
network prior smooths them, and local hints, which are hard, win in their regions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from scipy import ndimage
from skimage.color import rgb2lab

from colorhelpers.color.lab import AB_SCALE

#: A pixel is flat (inside a region) when L varies less than this (0-100) over its 3x3 window.
FLAT_L = 6.0
#: Regions smaller than this share of the image are ignored (noise, line fragments).
MIN_AREA = 0.0015
#: Pull of each pixel of a matched region toward the reference's color (hints pull 100).
REFERENCE_WEIGHT = 0.05
#: How much a difference counts when matching regions: L (per 10 L units), size, height, x offset.
MATCH_WEIGHTS = {"l": 1.0, "area": 3.0, "y": 2.0, "x": 1.0}


@dataclass(frozen=True)
class Reference:
    """Soft hints from a reference: `weight` [h, w], scaled `ab` [h, w, 2], region `labels` [h, w]."""

    weight: np.ndarray
    ab: np.ndarray
    labels: np.ndarray


def regions(lightness: np.ndarray, flat: float = FLAT_L,
            min_area: float = MIN_AREA) -> tuple[np.ndarray, int]:
    """Label the flat regions of an [h, w] lightness image (0 = lines and tiny pieces)."""
    spread = ndimage.maximum_filter(lightness, size=3) - ndimage.minimum_filter(lightness, size=3)
    labels, count = ndimage.label(spread < flat)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    small = sizes < max(1, min_area * lightness.size)
    small[0] = True
    keep = np.cumsum(~small) * ~small  # renumber the kept regions 1..n
    return keep[labels], int((~small).sum())


def region_features(lightness: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """[count, 4]: mean L / 10, sqrt of the area share, centroid height, |centroid x - 1/2|."""
    h, w = lightness.shape
    ys, xs = np.mgrid[0:h, 0:w]
    index = np.arange(1, count + 1)
    area = ndimage.sum(np.ones_like(lightness), labels, index)
    mean_l = ndimage.mean(lightness, labels, index)
    cy = ndimage.mean(ys / h, labels, index)
    cx = ndimage.mean(xs / w, labels, index)
    return np.stack([mean_l / 10.0, np.sqrt(area / lightness.size), cy, np.abs(cx - 0.5)], axis=1)


@dataclass(frozen=True)
class ReferenceRegions:
    """A reference's regions on a working grid: `features` [n, 4] (`region_features`) and
    median scaled `ab` [n, 2]; made once for a reference that guides many frames."""

    features: np.ndarray
    ab: np.ndarray


def reference_regions(reference_rgb: np.ndarray, shape: tuple[int, int]) -> ReferenceRegions:
    """The regions of a uint8 RGB reference, brought to the working grid `shape` (h, w)."""
    ref = tf.image.resize(tf.constant(reference_rgb, tf.float32)[None] / 255.0, list(shape),
                          method="area", antialias=True)[0].numpy().clip(0, 1)
    ref_lab = rgb2lab(ref)
    labels, count = regions(ref_lab[..., 0])
    ab = [np.median(ref_lab[labels == j + 1][:, 1:], axis=0) for j in range(count)]
    return ReferenceRegions(region_features(ref_lab[..., 0], labels, count),
                            np.reshape(ab, (count, 2)) / AB_SCALE)


def joined(parts: list[ReferenceRegions]) -> ReferenceRegions:
    """Several references' (or palettes') regions as one: each input region takes the best of all."""
    return ReferenceRegions(np.concatenate([p.features for p in parts]).reshape(-1, 4),
                            np.concatenate([p.ab for p in parts]).reshape(-1, 2))


def reference_hints(lightness: np.ndarray, reference: np.ndarray | ReferenceRegions,
                    weight: float = REFERENCE_WEIGHT) -> Reference:
    """Soft hints for an input of working `lightness` [h, w] from a uint8 RGB reference (or
    its `reference_regions` on that grid)."""
    if not isinstance(reference, ReferenceRegions):
        reference = reference_regions(reference, lightness.shape)
    labels, count = regions(lightness)
    if not count or not len(reference.ab):
        return Reference(np.zeros(lightness.shape), np.zeros((*lightness.shape, 2)), labels)
    scale = np.array([MATCH_WEIGHTS[k] for k in ("l", "area", "y", "x")])
    mine = region_features(lightness, labels, count) * scale
    best = np.abs(mine[:, None, :] - (reference.features * scale)[None]).sum(-1).argmin(axis=1)
    region_ab = np.r_[np.zeros((1, 2)), reference.ab[best]]
    return Reference(np.where(labels > 0, weight, 0.0), region_ab[labels], labels)


def shifted_mirror(truth: np.ndarray, shift: float = 0.15) -> np.ndarray:
    """The test reference: the picture mirrored left-right and moved right by `shift` of its
    width and down by half that, the uncovered band white (not aligned with the input)."""
    h, w = truth.shape[:2]
    dx, dy = int(round(shift * w)), int(round(shift * h / 2))
    out = np.full_like(truth, 255)
    out[dy:, dx:] = truth[:h - dy, ::-1][:, : w - dx]
    return out

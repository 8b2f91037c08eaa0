"""Tall and wide pictures: colorized with their proportions kept, or squashed to a square.

Taught in notebooks/05_evaluation; `python -m bench.shapes` runs the same measurement on any
folder. Test pictures with a known truth are made from pairs of square ones: side by side
(wide, 1:2), one above the other (tall, 2:1), and one above white paper (tall, like a
sprite). Each is colorized from its own gray both ways (`FITS`) at full size and scored
against the truth.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from colorhelpers.color.lab import rgb_to_lab
from colorhelpers.colorize.grid import FITS
from colorhelpers.colorize.road import colorize_rgb
from colorhelpers.scoring.metrics import ciede2000, psnr


def shape_test_images(images: Sequence[np.ndarray]) -> dict[str, list[np.ndarray]]:
    """Wide, tall and tall-on-white pictures (float RGB) from consecutive pairs of square ones."""
    pairs = list(zip(images[0::2], images[1::2]))
    return {
        "wide (two side by side)": [np.concatenate(pair, axis=1) for pair in pairs],
        "tall (one above the other)": [np.concatenate(pair, axis=0) for pair in pairs],
        "tall (one on white)": [np.concatenate([a, np.ones_like(a)], axis=0) for a, _ in pairs],
    }


def picture_scores(outputs: Sequence[np.ndarray], truths: Sequence[np.ndarray]) -> np.ndarray:
    """[n, 2]: each uint8 output's mean CIEDE2000 and PSNR (dB) against its float truth."""
    rows = []
    for out, truth in zip(outputs, truths):
        out, truth = out.astype(np.float32)[None] / 255.0, truth[None].astype(np.float32)
        rows.append((ciede2000(rgb_to_lab(out).numpy(), rgb_to_lab(truth).numpy())[0], psnr(out, truth)[0]))
    return np.asarray(rows, np.float64)


def compare_fits(generator: keras.Model, truths: Sequence[np.ndarray], size: int) -> dict[str, np.ndarray]:
    """{"gray answer" and each fit: `picture_scores` of `truths` colorized that way}."""
    scores = {"gray answer": picture_scores([colorize_rgb(generator, t, size, saturation=0.0)
                                             for t in truths], truths)}
    for fit in FITS:
        scores[fit] = picture_scores([colorize_rgb(generator, t, size, fit=fit) for t in truths], truths)
    return scores

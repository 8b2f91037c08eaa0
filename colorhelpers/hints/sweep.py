"""Measuring hints: Zhang et al. 2017's sweep over k simulated hints, and the reference test.

Taught in notebooks/09_hints; `bench/hints.py` times the same code.

Every image is read at the model's size (as metrics.csv scores it), k hints are simulated
on its truth (`hints.simulate_hints`, seeded per image and k), and each method's output is
scored with the four metrics of `colorhelpers.scoring.metrics`, against the gray answer and the
automatic output as baselines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf
from skimage.color import rgb2lab

from colorhelpers.color.join import luma
from colorhelpers.data.files import load_rgb
from colorhelpers.hints.guide import HintColorizer
from colorhelpers.hints.points import Hints, simulate_hints
from colorhelpers.hints.reference import shifted_mirror
from colorhelpers.scoring.metrics import ab_auc, ciede2000, colorfulness, psnr

#: The numbers of hints of Zhang et al.'s sweep.
HINT_COUNTS = (0, 1, 2, 5, 10, 20)
#: The seed of the simulated hints (one generator per image and k, derived from it).
HINT_SEED = 123


def score(outputs: np.ndarray, truths: np.ndarray) -> dict[str, float]:
    """The four metrics of uint8 RGB outputs [n, h, w, 3] against their truths."""
    pred, true = outputs / 255.0, truths / 255.0
    lab_pred, lab_true = rgb2lab(pred), rgb2lab(true)
    return {"psnr": float(psnr(pred, true).mean()), "ciede2000": float(ciede2000(lab_pred, lab_true).mean()),
            "auc": float(ab_auc(lab_pred, lab_true).mean()),
            "colorfulness_ratio": float(colorfulness(pred).mean() / max(colorfulness(true).mean(), 1e-6))}


def load_truths(paths: Sequence[Path], size: int) -> np.ndarray:
    """uint8 RGB [n, size, size, 3]: the images as the model sees them."""
    return np.stack([tf.image.convert_image_dtype(load_rgb(str(p), size), tf.uint8, saturate=True).numpy()
                     for p in paths])


def gray_output(truth: np.ndarray) -> np.ndarray:
    """The gray answer (ab = 0, the input's luma) of a uint8 RGB image."""
    gray = np.round(luma(truth / 255.0).numpy() * 255.0).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=-1)


def hint_sweep(generator, truths: np.ndarray, counts: Sequence[int] = HINT_COUNTS,
               methods: Sequence[str] = ("propagation", "network + propagation"),
               seed: int = HINT_SEED, hint_generator=None, **weights: float
               ) -> dict[str, dict[int, dict[str, float]]]:
    """{method: {k: scores}} for "gray", "automatic" and each method of `methods`.

    "propagation" spreads hints over a gray prior (Levin et al. alone); "network +
    propagation" over the network's automatic colors (the default); "hint network" gives
    them to `hint_generator` as inputs. The baselines do not depend on k, and are repeated
    for every k to plot them as lines.
    """
    size = truths.shape[1]
    priors = {"propagation": "gray", "network + propagation": "network", "hint network": "network"}
    nets = {"hint network": hint_generator}
    outputs: dict[str, dict[int, list[np.ndarray]]] = {m: {k: [] for k in counts} for m in methods}
    gray, automatic = [], []
    for i, truth in enumerate(truths):
        rgb = truth / 255.0
        colorizers = {m: HintColorizer(generator, size, rgb, prior=priors[m], hint_generator=nets.get(m),
                                       **weights) for m in methods}
        gray.append(gray_output(truth))
        automatic.append(colorizers.get("network + propagation",
                                        HintColorizer(generator, size, rgb)).colorize())
        for k in counts:
            hints = simulate_hints(truth, k, np.random.default_rng([seed, i, k]))
            for m in methods:
                outputs[m][k].append(colorizers[m].colorize(hints))
    results = {"gray": score(np.stack(gray), truths), "automatic": score(np.stack(automatic), truths)}
    table = {name: {k: results[name] for k in counts} for name in results}
    for m in methods:
        table[m] = {k: score(np.stack(outputs[m][k]), truths) for k in counts}
    return table


def reference_test(generator, truths: np.ndarray, hints_k: int = 0, seed: int = HINT_SEED,
                   make_reference: Callable[[np.ndarray], np.ndarray] = shifted_mirror,
                   **weights: float) -> dict[str, dict]:
    """Scores with each image's own picture, mirrored and shifted, as the reference image.

    The reference shows the same character in another place and facing the other way, so
    copying it pixel by pixel would be wrong; `hints_k` local hints are added on top.
    `weights` go to the propagation, as in `hint_sweep`.
    """
    size = truths.shape[1]
    with_reference, gray, automatic = [], [], []
    for i, truth in enumerate(truths):
        colorizer = HintColorizer(generator, size, truth / 255.0, **weights)
        hints = simulate_hints(truth, hints_k, np.random.default_rng([seed, i, hints_k]))
        reference = colorizer.reference(make_reference(truth))
        with_reference.append(colorizer.colorize(hints, reference=reference))
        gray.append(gray_output(truth))
        automatic.append(colorizer.colorize(Hints.none()))
    return {"gray": score(np.stack(gray), truths), "automatic": score(np.stack(automatic), truths),
            "reference": score(np.stack(with_reference), truths)}


def plot_sweep(table: dict[str, dict[int, dict[str, float]]], title: str):
    """Four panels, one per metric, each method's score against the number of hints k."""
    import matplotlib.pyplot as plt

    names = {"psnr": "PSNR (dB), higher is better", "ciede2000": "mean CIEDE2000, lower is better",
             "auc": "AuC, higher is better", "colorfulness_ratio": "colorfulness ratio (1 = truth's)"}
    figure, axes = plt.subplots(1, 4, figsize=(16, 3.6))
    for ax, (metric, label) in zip(axes, names.items()):
        for method, rows in table.items():
            ks = sorted(rows)
            baseline = method in ("gray", "automatic")
            ax.plot(range(len(ks)), [rows[k][metric] for k in ks], "--" if baseline else "o-", label=method)
            ax.set_xticks(range(len(ks)), [str(k) for k in ks])
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("hints per image (k)")
    axes[0].legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def print_table(table: dict[str, dict[int, dict[str, float]]]) -> None:
    """One line per method and k: the four metrics."""
    print(f"{'method':24s} {'k':>3s} {'PSNR':>7s} {'CIEDE2000':>10s} {'AuC':>6s} {'colorful':>9s}")
    for method, rows in table.items():
        for k, s in sorted(rows.items()):
            if method in ("gray", "automatic") and k != min(rows):
                continue
            shown = "any" if method in ("gray", "automatic") else str(k)
            print(f"{method:24s} {shown:>3s} {s['psnr']:7.2f} {s['ciede2000']:10.2f} {s['auc']:6.3f} "
                  f"{s['colorfulness_ratio']:9.2f}")

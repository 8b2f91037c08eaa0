"""Pictures of results: sample grids written to disk, and figures for the notebooks.

Taught in notebooks/05_evaluation (and used by 04_training for its per-epoch grids).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from colorhelpers.lab import l_ab_to_rgb

#: Gap between the tiles of a grid, in pixels, and its colour.
_GAP, _GAP_VALUE = 2, 255


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    """RGB floats in [0, 1] to uint8, rounding rather than truncating."""
    return np.clip(np.rint(np.asarray(rgb) * 255.0), 0, 255).astype(np.uint8)


def gray_output_truth(l_norm: np.ndarray, ab_pred: np.ndarray, ab_true: np.ndarray) -> list[np.ndarray]:
    """The three pictures of a comparison, as uint8 RGB batches: gray input, output, truth."""
    zeros = np.zeros_like(ab_true)
    return [to_uint8(l_ab_to_rgb(l_norm, ab).numpy()) for ab in (zeros, ab_pred, ab_true)]


def tile(rows: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """Lay equally sized uint8 RGB images out as a grid with white gaps."""
    height, width, _ = rows[0][0].shape
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    grid = np.full(
        (n_rows * (height + _GAP) - _GAP, n_cols * (width + _GAP) - _GAP, 3), _GAP_VALUE, np.uint8
    )
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            top, left = i * (height + _GAP), j * (width + _GAP)
            grid[top : top + height, left : left + width] = image
    return grid


def sample_grid(l_norm: np.ndarray, ab_pred: np.ndarray, ab_true: np.ndarray) -> np.ndarray:
    """One row per image: gray input | colourised output | ground truth (uint8 RGB)."""
    gray, output, truth = gray_output_truth(l_norm, ab_pred, ab_true)
    return tile([[g, o, t] for g, o, t in zip(gray, output, truth)])


def save_png(image: np.ndarray, path: Path) -> None:
    """Write a uint8 RGB array as PNG, atomically (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")
    Image.fromarray(image).save(tmp, format="PNG")
    tmp.replace(path)


def show_images(images: Sequence[np.ndarray], titles: Sequence[str], width: float = 3.0):
    """Draw images side by side with titles (matplotlib); returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(images), figsize=(width * len(images), width))
    for ax, image, title in zip(np.atleast_1d(axes), images, titles):
        ax.imshow(image)
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_metrics(rows: Sequence[dict[str, float]], baseline: dict[str, float] | None = None):
    """One small plot per held-out metric against epoch; `baseline` draws a dashed line
    (for instance the scores of the gray answer, ab = 0). Returns the figure."""
    import matplotlib.pyplot as plt

    names = {"psnr": "PSNR (dB, higher is better)", "ciede2000": "CIEDE2000 (lower is better)",
             "auc": "AuC (higher is better)", "colorfulness_ratio": "colourfulness ratio (1 = true)"}
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3))
    epochs = [int(r["epoch"]) for r in rows]
    for ax, (key, title) in zip(axes, names.items()):
        ax.plot(epochs, [r[key] for r in rows], marker="o", label="colorgan")
        if baseline is not None:
            ax.axhline(baseline[key], linestyle="--", color="gray", label="gray answer")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("epoch")
    axes[0].legend()
    fig.tight_layout()
    return fig


def plot_tradeoff(
    table: Sequence[dict],
    baseline: dict[str, float],
    min_colorfulness: float = 0.6,
    sweep: Sequence[tuple[float, dict]] = (),
    sweep_label: str = "warm-up epochs",
):
    """The colour trade-off: CIEDE2000 against colourfulness ratio, one point per table row.

    The shaded corner is where a colouriser beats the gray answer (`baseline`) on CIEDE2000
    while being at least `min_colorfulness` as colourful as the truth. With `sweep`, pairs of
    (setting, row), a second panel plots both scores against that setting. Returns the figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2 if sweep else 1, figsize=(12 if sweep else 6, 4.5), squeeze=False)
    ax = axes[0, 0]
    top = max(max(r["ciede2000"] for r in table), baseline["ciede2000"]) * 1.1
    right = max(1.05, max(r["colorfulness_ratio"] for r in table) * 1.1)
    ax.fill_between([min_colorfulness, right], 0, baseline["ciede2000"], color="tab:green", alpha=0.12,
                    label="better than gray, colourful enough")
    for row in table:
        ax.scatter(row["colorfulness_ratio"], row["ciede2000"], s=40)
        ax.annotate(row["name"], (row["colorfulness_ratio"], row["ciede2000"]), fontsize=8,
                    xytext=(4, 4), textcoords="offset points")
    ax.set(xlim=(-0.02, right), ylim=(0, top), xlabel="colourfulness ratio (output / truth)",
           ylabel="CIEDE2000 (lower is better)", title="every variant")
    ax.legend(loc="lower left", fontsize=8)
    if sweep:
        settings = [s for s, _ in sweep]
        ax = axes[0, 1]
        ax.plot(settings, [r["ciede2000"] for _, r in sweep], marker="o", color="tab:red")
        ax.axhline(baseline["ciede2000"], linestyle="--", color="tab:red", alpha=0.5)
        ax.set(xlabel=sweep_label, ylabel="CIEDE2000 (red; dashed: gray answer)")
        twin = ax.twinx()
        twin.plot(settings, [r["colorfulness_ratio"] for _, r in sweep], marker="s", color="tab:blue")
        twin.axhline(min_colorfulness, linestyle=":", color="tab:blue", alpha=0.5)
        twin.set_ylabel(f"colourfulness ratio (blue; dotted: {min_colorfulness})")
        ax.set_title(f"the trade-off along {sweep_label}")
    fig.tight_layout()
    return fig

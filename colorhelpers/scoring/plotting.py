"""Pictures of results: sample grids written to disk, and figures for the notebooks.

Taught in notebooks/05_evaluation (and used by 04_training for its per-epoch grids and
loss curves, and by 08_ablation for its comparisons).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from colorhelpers.color.lab import l_ab_to_rgb
from colorhelpers.scoring.metrics import split_colors

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Gap between the tiles of a grid, in pixels, and its color.
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
    """One row per image: gray input | colorized output | ground truth (uint8 RGB). For a
    line-art run, `l_norm` is the line art and the other two are Lab."""
    if np.shape(ab_true)[-1] == 3:
        gray = to_uint8(l_ab_to_rgb(l_norm, np.zeros_like(ab_true[..., 1:])).numpy())
        output, truth = (to_uint8(l_ab_to_rgb(*split_colors(l_norm, c)).numpy()) for c in (ab_pred, ab_true))
    else:
        gray, output, truth = gray_output_truth(l_norm, ab_pred, ab_true)
    return tile([[g, o, t] for g, o, t in zip(gray, output, truth)])



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
             "auc": "AuC (higher is better)", "colorfulness_ratio": "colorfulness ratio (1 = true)"}
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


def show_image_table(rows: Sequence[Sequence[np.ndarray]], column_titles: Sequence[str],
                     row_titles: Sequence[str] = (), width: float = 1.8) -> Figure:
    """Draw rows of equally many images as a table: a title above each column, and one to
    the left of each row if `row_titles` is given. Returns the figure."""
    import matplotlib.pyplot as plt

    n_rows, n_cols = len(rows), len(column_titles)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(width * n_cols, width * n_rows + 0.3),
                             squeeze=False)
    for i, images in enumerate(rows):
        for j, image in enumerate(images):
            axes[i, j].imshow(image)
            axes[i, j].set(xticks=[], yticks=[])
    for ax, title in zip(axes[0], column_titles):
        ax.set_title(title, fontsize=9)
    for ax, title in zip(axes[:, 0], row_titles):
        ax.set_ylabel(title, fontsize=9)
    fig.tight_layout()
    return fig


def show_grid(grid: np.ndarray, column_titles: Sequence[str], tile_width: int,
              height: float = 2.0) -> Figure:
    """Draw a grid made by `tile` with one title centered above each of its columns.

    `tile_width` is the width in pixels of one tile; the gaps between tiles are `tile`'s.
    A title per column stays aligned with its pictures however many columns there are,
    which one long title over the whole grid does not. Returns the figure.
    """
    import matplotlib.pyplot as plt

    columns = len(column_titles)
    rows = round((grid.shape[0] + _GAP) / (tile_width + _GAP))
    fig, ax = plt.subplots(figsize=(height * columns, height * rows + 0.4))
    ax.imshow(grid)
    centers = [j * (tile_width + _GAP) + tile_width / 2 for j in range(columns)]
    ax.set_xticks(centers, column_titles, fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.tight_layout()
    return fig


#: Where `plot_losses` draws each column of metrics.csv, with its title.
_LOSS_PANELS = {
    "generator_loss": "generator loss (adversarial + λ·L1)",
    "l1": "L1 on ab (training batches)",
    "adversarial": "adversarial (generator fools D)",
    "discriminator_loss": "discriminator loss",
}


def plot_losses(rows: Sequence[Mapping[str, float]], warmup_epochs: int = 0) -> Figure:
    """The training losses of a run per epoch, one panel per column of metrics.csv.

    `rows` are metrics.csv's rows (`RunDirectory.read_metrics()`); each value is the mean
    over that epoch's training batches, with dropout on, so these are *training* losses,
    not held-out scores. During the first `warmup_epochs` epochs (shaded) the
    discriminator does not run: its loss and the adversarial term are not drawn there. A
    dashed line marks ln 2, the loss of a discriminator that cannot tell real from fake.
    Returns the figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(_LOSS_PANELS), figsize=(3.6 * len(_LOSS_PANELS), 2.9),
                             sharex=True)
    epochs = np.array([int(r["epoch"]) for r in rows])
    for ax, (key, title) in zip(axes, _LOSS_PANELS.items()):
        values = np.array([r[key] for r in rows], dtype=float)
        if key in ("adversarial", "discriminator_loss"):
            values[epochs <= warmup_epochs] = np.nan
        ax.plot(epochs, values, marker=".", color="tab:purple")
        if key == "discriminator_loss":
            ax.axhline(np.log(2), linestyle="--", color="gray", label="ln 2: D cannot tell")
            ax.legend(fontsize=8)
        if 0 < warmup_epochs < epochs.max(initial=0):
            ax.axvspan(epochs.min() - 0.5, warmup_epochs + 0.5, color="gray", alpha=0.12,
                       label="L1 warm-up")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("epoch")
    if 0 < warmup_epochs < epochs.max(initial=0):
        axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def _label_points(ax: Axes, points: Sequence[tuple[float, float]], labels: Sequence[str],
                  fontsize: float = 8) -> None:
    """Label scatter points so that no two labels overlap each other or a point.

    Each label tries positions around its point, nearest first (right, left, above,
    below, then further out with a connecting line), and takes the first whose box is
    free; if none is, the one that overlaps least. Call it once the axes' limits and the
    figure's layout are final: it measures the labels in display coordinates.
    """
    from matplotlib.text import Text

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_display = ax.transData.transform
    pad = 5.0  # pixels around a marker that a label keeps clear of
    taken = [_box(x - pad, y - pad, x + pad, y + pad) for x, y in to_display(np.asarray(points))]
    directions = [(1, 0.5), (-1, 0.5), (1, -1), (-1, -1), (0, 1.2), (0, -1.8), (1, 1.5), (-1, 1.5)]
    frame = ax.get_window_extent(renderer)
    for point, label in zip(points, labels):
        best = None
        for distance in (1, 2, 3.5):
            for dx, dy in directions:
                ha = "left" if dx > 0 else "right" if dx < 0 else "center"
                offset = (6 * dx * distance, 5 * dy * distance)
                text = ax.annotate(
                    label, point, xytext=offset, textcoords="offset points", fontsize=fontsize,
                    ha=ha, va="center",
                    arrowprops={"arrowstyle": "-", "color": "gray", "lw": 0.6} if distance > 1 else None,
                )
                text.update_positions(renderer)
                box = Text.get_window_extent(text, renderer)  # the words, not the line
                overlap = sum(_overlap(box, other) for other in taken)
                outside = box.width * box.height - _overlap(box, frame)
                cost = overlap + outside
                if best is None or cost < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (cost, text, box)
                else:
                    text.remove()
                if cost == 0:
                    break
            if best[0] == 0:
                break
        taken.append(best[2])


def _box(x0: float, y0: float, x1: float, y1: float):
    from matplotlib.transforms import Bbox

    return Bbox([[x0, y0], [x1, y1]])


def _overlap(a, b) -> float:
    """The area two display-coordinate boxes share (0 when they are apart)."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0.0) * max(height, 0.0)


def plot_tradeoff(
    table: Sequence[dict],
    baseline: dict[str, float],
    min_colorfulness: float = 0.6,
    sweep: Sequence[tuple[float, dict]] = (),
    sweep_label: str = "warm-up epochs",
) -> Figure:
    """The color trade-off: CIEDE2000 against colorfulness ratio, one point per table row.

    The shaded corner is where a colorizer beats the gray answer (`baseline`) on CIEDE2000
    while being at least `min_colorfulness` as colorful as the truth. With `sweep`, pairs of
    (setting, row), two more panels plot each score against that setting, each with its
    own threshold on its own axis. Returns the figure.
    """
    import matplotlib.pyplot as plt

    panels = 3 if sweep else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 + 4 * (panels - 1), 4.5), squeeze=False,
                             width_ratios=[6] + [4] * (panels - 1))
    ax = axes[0, 0]
    top = max(max(r["ciede2000"] for r in table), baseline["ciede2000"]) * 1.1
    right = max(1.05, max(r["colorfulness_ratio"] for r in table) * 1.1)
    ax.fill_between([min_colorfulness, right], 0, baseline["ciede2000"], color="tab:green", alpha=0.12,
                    label="better than gray, colorful enough")
    points = [(r["colorfulness_ratio"], r["ciede2000"]) for r in table]
    for x, y in points:
        ax.scatter(x, y, s=40)
    ax.set(xlim=(-0.02, right), ylim=(0, top), xlabel="colorfulness ratio (output / truth)",
           ylabel="CIEDE2000 (lower is better)", title="every variant")
    ax.legend(loc="lower left", fontsize=8)
    if sweep:
        settings = [s for s, _ in sweep]
        for ax_, key, threshold, name, color in (
            (axes[0, 1], "ciede2000", baseline["ciede2000"], "CIEDE2000 (lower is better)", "tab:red"),
            (axes[0, 2], "colorfulness_ratio", min_colorfulness, "colorfulness ratio", "tab:blue"),
        ):
            ax_.plot(settings, [r[key] for _, r in sweep], marker="o", color=color)
            label = "gray answer" if key == "ciede2000" else f"target {min_colorfulness}"
            ax_.axhline(threshold, linestyle="--", color="gray", label=label)
            ax_.set(xlabel=sweep_label, ylabel=name, title=f"{name.split(' (')[0]} along {sweep_label}")
            ax_.legend(fontsize=8)
    fig.tight_layout()
    _label_points(ax, points, [r["name"] for r in table])
    return fig

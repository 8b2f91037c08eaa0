"""How good is a colorization? Four numbers, computed on held-out images.

Taught in notebooks/05_evaluation; computed after every epoch by notebooks/04_training.

- PSNR (dB) of the RGB result against the original: pixel fidelity, higher is better.
- CIEDE2000: the perceptual color difference of CIE (2001), averaged over pixels; about
  1 is a just-noticeable difference (2.3 is the figure for the older CIE76 distance).
  Lower is better.
- AuC: from Zhang, Isola and Efros, "Colorful Image Colorization" (2016): the fraction of
  pixels whose ab error is within t, averaged over t = 0, 1, ..., 150. 1 is perfect.
- Colorfulness (Hasler and Suesstrunk 2003), reported as the ratio of the output's to the
  ground truth's: below 1 the model paints too dully, above 1 too garishly; and as the mean
  absolute difference per image, which a dull image and a garish one cannot average away.
- Rebalanced AuC (Zhang et al. 2016): the AuC with every true color counted equally, so the
  white and skin-colored pixels that fill most drawings cannot hide wrong hair and clothes.
  Plain PSNR and AuC reward dull answers: a gray pixel is never far from any true color.

All functions take numpy arrays shaped [batch, height, width, channels].
"""

from __future__ import annotations

from collections.abc import Iterable

import keras
import numpy as np
from skimage.color import deltaE_ciede2000

from colorhelpers.color.lab import denormalize_lab, lab_to_rgb

#: The thresholds of the AuC, in ab units.
AUC_THRESHOLDS = np.arange(0, 151)
#: Side of the square ab bins the rebalanced AuC counts colors in (Zhang et al.'s grid).
AB_BIN_SIZE = 10
#: Bins per ab axis: a and b of sRGB colors lie within [-128, 128).
AB_BINS_PER_AXIS = 256 // AB_BIN_SIZE + 1


def psnr(rgb_pred: np.ndarray, rgb_true: np.ndarray) -> np.ndarray:
    """Peak signal-to-noise ratio per image, in dB, for RGB in [0, 1].

    >>> round(float(psnr(np.full((1, 2, 2, 3), 0.5), np.full((1, 2, 2, 3), 0.6))[0]), 6)
    20.0
    """
    mse = np.mean((np.asarray(rgb_pred, np.float64) - rgb_true) ** 2, axis=(1, 2, 3))
    return 10.0 * np.log10(1.0 / np.maximum(mse, 1e-10))


def ciede2000(lab_pred: np.ndarray, lab_true: np.ndarray) -> np.ndarray:
    """Mean CIEDE2000 color difference per image."""
    return deltaE_ciede2000(lab_true, lab_pred, channel_axis=-1).mean(axis=(1, 2))


def ab_auc(lab_pred: np.ndarray, lab_true: np.ndarray) -> np.ndarray:
    """Zhang et al.'s AuC per image: share of pixels with ab error <= t, mean over t in 0..150.

    >>> lab = np.zeros((1, 2, 2, 3))
    >>> float(ab_auc(lab, lab)[0])
    1.0
    """
    error = np.linalg.norm(np.asarray(lab_pred)[..., 1:] - lab_true[..., 1:], axis=-1)
    error = error.reshape(len(error), -1)
    within = error[:, :, None] <= AUC_THRESHOLDS[None, None, :]
    return within.mean(axis=(1, 2))


def auc_counts(lab_pred: np.ndarray, lab_true: np.ndarray) -> np.ndarray:
    """Per bin of the true ab: [pixels, pixels with ab error <= t for each AuC threshold t].

    Summed over batches, these counts give `rebalanced_auc`; shape [bins, 1 + thresholds].
    """
    lab_pred, lab_true = np.asarray(lab_pred), np.asarray(lab_true)
    error = np.linalg.norm(lab_pred[..., 1:] - lab_true[..., 1:], axis=-1).ravel()
    ab_bin = np.clip(np.floor((lab_true[..., 1:] + 128.0) / AB_BIN_SIZE), 0, AB_BINS_PER_AXIS - 1)
    bins = (ab_bin[..., 0] * AB_BINS_PER_AXIS + ab_bin[..., 1]).astype(np.int64).ravel()
    # The smallest threshold each pixel is within; a cumulative sum gives "within t" for every t.
    first = np.minimum(np.ceil(error), len(AUC_THRESHOLDS)).astype(np.int64)
    counts = np.zeros((AB_BINS_PER_AXIS**2, len(AUC_THRESHOLDS) + 1), np.int64)
    np.add.at(counts, (bins, first), 1)
    within = np.cumsum(counts[:, :-1], axis=1)
    return np.concatenate([counts.sum(axis=1, keepdims=True), within], axis=1)


def rebalanced_auc(counts: np.ndarray) -> float:
    """Zhang et al.'s class-rebalanced AuC from summed `auc_counts`: each true color bin weighs
    the same, however many pixels it holds.

    >>> lab = np.zeros((1, 2, 2, 3)); lab[0, 0, 0, 1:] = 60.0  # one colored pixel, three gray
    >>> gray = np.zeros_like(lab)
    >>> round(float(ab_auc(gray, lab)[0]), 3), round(rebalanced_auc(auc_counts(gray, lab)), 3)
    (0.859, 0.719)
    """
    present = counts[:, 0] > 0
    return float((counts[present, 1:] / counts[present, :1]).mean())


def colorfulness(rgb: np.ndarray) -> np.ndarray:
    """Hasler and Suesstrunk's colorfulness per image, on the 0-255 scale (0 for gray)."""
    rgb = np.asarray(rgb, np.float64) * 255.0
    red_green = rgb[..., 0] - rgb[..., 1]
    yellow_blue = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    axes = (1, 2)
    spread = np.hypot(red_green.std(axis=axes), yellow_blue.std(axis=axes))
    mean = np.hypot(red_green.mean(axis=axes), yellow_blue.mean(axis=axes))
    return spread + 0.3 * mean


def split_colors(inputs: np.ndarray, colors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(scaled L, scaled ab) of a generator's output or target: a gray run's are ab on the input's
    own L; a line-art run's are L and ab together (notebooks/11_line_art)."""
    colors = np.asarray(colors)
    if colors.shape[-1] == 3:
        return colors[..., :1], colors[..., 1:]
    return np.asarray(inputs), colors


def score_batch(l_norm: np.ndarray, ab_pred: np.ndarray, ab_true: np.ndarray,
                l_true: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-image metrics of predicted against true ab for one batch of scaled tensors; `l_norm`
    is the predicted L when the true one, `l_true`, differs (line art)."""
    lab_pred = denormalize_lab(l_norm, ab_pred).numpy()
    lab_true = denormalize_lab(l_norm if l_true is None else l_true, ab_true).numpy()
    rgb_pred, rgb_true = lab_to_rgb(lab_pred).numpy(), lab_to_rgb(lab_true).numpy()
    return {
        "psnr": psnr(rgb_pred, rgb_true),
        "ciede2000": ciede2000(lab_pred, lab_true),
        "auc": ab_auc(lab_pred, lab_true),
        "colorfulness_pred": colorfulness(rgb_pred),
        "colorfulness_true": colorfulness(rgb_true),
        "auc_counts": auc_counts(lab_pred, lab_true)[None],
    }


def summarize(per_image: dict[str, np.ndarray]) -> dict[str, float]:
    """Average per-image metrics into the reported numbers (the four of metrics.csv first)."""
    true_colorfulness = float(np.mean(per_image["colorfulness_true"]))
    scores = {
        "psnr": float(np.mean(per_image["psnr"])),
        "ciede2000": float(np.mean(per_image["ciede2000"])),
        "auc": float(np.mean(per_image["auc"])),
        "colorfulness_ratio": float(np.mean(per_image["colorfulness_pred"]))
        / max(true_colorfulness, 1e-6),
        "auc_rebalanced": rebalanced_auc(per_image["auc_counts"].sum(axis=0)),
        "colorfulness_gap": float(np.mean(np.abs(per_image["colorfulness_pred"]
                                                 - per_image["colorfulness_true"]))),
    }
    return scores


def evaluate_generator(
    generator: keras.Model | None, batches: Iterable[tuple[np.ndarray, np.ndarray]],
    saturation: float = 1.0,
) -> dict[str, float]:
    """The metrics of `generator` over (l, ab) batches. `None` scores the gray answer (ab = 0).

    `saturation` scales the predicted ab first (1 leaves them as predicted; see
    `colorhelpers.evaluation.colorize_rgb`). Line-art batches are (line art, Lab), and their gray
    answer is the line art itself.
    """
    scores: dict[str, list[np.ndarray]] = {}
    for inputs, target in batches:
        inputs, target = np.asarray(inputs), np.asarray(target)
        l_true, ab_true = split_colors(inputs, target)
        if generator is None:
            l_pred, ab_pred = inputs, np.zeros_like(ab_true)
        else:
            l_pred, ab_pred = split_colors(inputs, predict_ab(generator, inputs))
        ab_pred = np.clip(ab_pred * saturation, -1.0, 1.0)
        for name, values in score_batch(l_pred, ab_pred, ab_true, l_true).items():
            scores.setdefault(name, []).append(values)
    return summarize({name: np.concatenate(values) for name, values in scores.items()})


def predict_ab(generator: keras.Model, l_norm: np.ndarray) -> np.ndarray:
    """Run the generator in inference mode (batch norm uses its moving statistics)."""
    return np.asarray(generator(l_norm, training=False), np.float32)

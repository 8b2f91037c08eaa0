"""Honest colors: what the saturation control trades, and which images fail and why.

Taught in notebooks/05_evaluation. Averages hide the two ways a colorizer disappoints: it can
buy good scores by painting dully (the gray answer is never far from any color), and it can
be confidently wrong on a few images. `saturation_sweep` scores one generator at several
saturations (the `--saturation` option of `colorize`), so the trade-off between faithful and
colorful is measured rather than guessed; `worst_images` finds the held-out images it colors
worst and says, from the pixels, what went wrong in each; `failure_pictures` shows them;
`judged_answers` makes the answers the machine judge (`scoring.twosample.judge`) tells from the truth.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from matplotlib.figure import Figure
from skimage.color import deltaE_ciede2000

from colorhelpers.color.lab import denormalize_lab, l_ab_to_rgb, rgb_to_l_ab
from colorhelpers.scoring.metrics import evaluate_generator, predict_ab
from colorhelpers.scoring.plotting import gray_output_truth, to_uint8

#: A pixel this far from the truth (CIEDE2000) counts as wrong in a failure's description.
WRONG_PIXEL_DE = 10.0
#: Below this chroma (sqrt(a^2 + b^2)) a color is called gray.
GRAY_CHROMA = 10.0
#: Hue names by Lab hue angle (degrees, counter-clockwise from +a): each starts where the
#: previous one ends. Rough, but enough to say "orange painted blue".
HUE_NAMES = ((20, "pink"), (50, "red"), (75, "orange"), (105, "yellow"), (165, "green"),
             (215, "teal"), (295, "blue"), (330, "purple"), (360, "pink"))


def saturation_sweep(generator: keras.Model, batches: Sequence[tuple[np.ndarray, np.ndarray]],
                     saturations: Sequence[float]) -> list[dict[str, float]]:
    """The held-out scores at each saturation (0 is the gray answer, 1 the network's own colors)."""
    return [{"saturation": s, **evaluate_generator(generator, batches, saturation=s)} for s in saturations]


def plot_saturation_sweep(rows: Sequence[dict[str, float]]) -> Figure:
    """CIEDE2000 and PSNR against the colorfulness ratio as the saturation varies, one point
    per saturation (labelled), the gray answer (saturation 0) dashed. Returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    gray = next(r for r in rows if r["saturation"] == 0)
    x = [r["colorfulness_ratio"] for r in rows]
    for ax, key, title in ((axes[0], "ciede2000", "CIEDE2000 (lower is better)"),
                           (axes[1], "psnr", "PSNR in dB (higher is better)")):
        ax.plot(x, [r[key] for r in rows], marker="o")
        for r in rows:
            ax.annotate(f"{r['saturation']:g}", (r["colorfulness_ratio"], r[key]), fontsize=8,
                        textcoords="offset points", xytext=(4, 4))
        ax.axhline(gray[key], linestyle="--", color="gray", label="gray answer")
        ax.axvline(1.0, linestyle=":", color="tab:green", label="as colorful as the truth")
        ax.set(xlabel="colorfulness ratio (output / truth)", title=title)
        ax.legend(fontsize=8)
    fig.suptitle("saturation (labels) trades faithful for colorful", fontsize=10)
    fig.tight_layout()
    return fig


def color_name(a: float, b: float) -> str:
    """A rough name for the color with these a and b (any L).

    >>> color_name(0, 0), color_name(60, 40), color_name(-40, 30), color_name(10, -50)
    ('gray', 'red', 'green', 'blue')
    """
    if np.hypot(a, b) < GRAY_CHROMA:
        return "gray"
    hue = np.degrees(np.arctan2(b, a)) % 360
    return next(name for end, name in HUE_NAMES if hue < end)


@dataclass(frozen=True)
class Failure:
    """One badly colored image: its score, the gray answer's, and its most common mistake."""

    index: int
    ciede2000: float
    gray_ciede2000: float
    wrong_share: float  # of the pixels, how many are further than WRONG_PIXEL_DE from the truth
    true_color: str  # the most common true color among the wrong pixels...
    painted_color: str  # ...and what they were painted instead

    def why(self) -> str:
        """One sentence on what went wrong, from the numbers."""
        share = f"{self.wrong_share:.0%} of the pixels are visibly wrong"
        if self.painted_color == "gray":
            cause = (f"mostly {self.true_color} left gray: the network was unsure and fell back on "
                     "the safe answer")
        elif self.true_color == "gray":
            cause = f"mostly gray or white painted {self.painted_color}: color invented where there is none"
        elif self.true_color == self.painted_color:
            cause = f"the right hue ({self.true_color}) at the wrong strength or shade"
        else:
            cause = (f"mostly {self.true_color} painted {self.painted_color}: the gray value allows "
                     "both, and the network guessed the other")
        worse = "worse than" if self.ciede2000 > self.gray_ciede2000 else "better than"
        return (f"CIEDE2000 {self.ciede2000:.1f} ({worse} gray's {self.gray_ciede2000:.1f}); "
                f"{share}, {cause}.")


def worst_images(generator: keras.Model, l_norm: np.ndarray, ab_true: np.ndarray,
                 count: int = 4, saturation: float = 1.0, against_gray: bool = False) -> list[Failure]:
    """The `count` images of a scaled batch with the highest CIEDE2000, worst first.

    With `against_gray`, ranked instead by how far each is behind the gray answer (its
    CIEDE2000 minus gray's): on art unlike the training set the hardest pictures are often
    still better than gray, and the ones the network made worse are the failures to see.
    """
    ab_pred = np.clip(predict_ab(generator, l_norm) * saturation, -1.0, 1.0)
    lab_true = denormalize_lab(l_norm, ab_true).numpy()
    lab_pred = denormalize_lab(l_norm, ab_pred).numpy()
    lab_gray = denormalize_lab(l_norm, np.zeros_like(ab_true)).numpy()
    error = deltaE_ciede2000(lab_true, lab_pred, channel_axis=-1)
    gray_error = deltaE_ciede2000(lab_true, lab_gray, channel_axis=-1).mean(axis=(1, 2))
    badness = error.mean(axis=(1, 2)) - (gray_error if against_gray else 0.0)
    failures = []
    for i in np.argsort(-badness)[:count]:
        wrong = error[i] > WRONG_PIXEL_DE
        pairs = Counter(zip((color_name(a, b) for a, b in lab_true[i][wrong][:, 1:]),
                            (color_name(a, b) for a, b in lab_pred[i][wrong][:, 1:])))
        (true_color, painted_color), _ = pairs.most_common(1)[0] if pairs else (("gray", "gray"), 0)
        failures.append(Failure(int(i), float(error[i].mean()), float(gray_error[i]),
                                float(wrong.mean()), true_color, painted_color))
    return failures


def failure_pictures(generator: keras.Model, l_norm: np.ndarray, ab_true: np.ndarray,
                     failures: Sequence[Failure]) -> list[list[np.ndarray]]:
    """A row of uint8 RGB pictures per failure: gray input, the generator's output, truth."""
    rows = []
    for failure in failures:
        i = slice(failure.index, failure.index + 1)
        rows.append([image[0] for image in gray_output_truth(l_norm[i], predict_ab(generator, l_norm[i]),
                                                             ab_true[i])])
    return rows


def judged_answers(generator: keras.Model, real: np.ndarray, saturations: Sequence[float] = (1.0, 2.0)
                   ) -> dict[str, np.ndarray]:
    """The answers the machine judge (`scoring.twosample.judge`) compares with the real pictures: uint8
    RGB on each real picture's own lightness. The truth itself (the judge must be at chance),
    the truth mirrored (other hand-colored patches at the same places), the gray answer, and
    the generator's colors at each saturation (scaled, then clipped, as `colorize` does)."""
    l_norm, ab_true = (np.asarray(t) for t in rgb_to_l_ab(np.asarray(real, np.float32) / 255.0))
    ab_model = predict_ab(generator, l_norm)
    ab = {"truth": ab_true, "gray answer": np.zeros_like(ab_true),
          **{f"model, saturation {s:g}": np.clip(ab_model * s, -1.0, 1.0) for s in saturations}}
    answers = {name: to_uint8(l_ab_to_rgb(l_norm, value).numpy()) for name, value in ab.items()}
    return {"truth": answers["truth"], "truth, mirrored": answers["truth"][:, :, ::-1], **answers}

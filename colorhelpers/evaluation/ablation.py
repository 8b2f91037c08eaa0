"""Which part of the recipe buys what: variants trained on the same budget, side by side.

Taught in notebooks/08_ablation.

Each variant is a `TrainConfig` (or None for the gray answer, ab = 0, which needs no
training). `run_variants` trains each one into its own run directory under one folder and
collects the last epoch's held-out scores and the training time into a table. A variant's
folder is named by its recipe alone (`run_of`: `runs.run_key`), and the notebooks give
every data set a folder of its own (`TutorialSettings.data_runs`), so a finished run is
read, not trained again, whenever the same recipe trained it on the same data, whatever the
variant is called: the notebooks that share variants (06, 07 and 08) train each of them once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from colorhelpers.data.pipeline import eval_batches
from colorhelpers.evaluation.trained import load_generator, open_run
from colorhelpers.scoring.metrics import evaluate_generator, predict_ab
from colorhelpers.scoring.plotting import gray_output_truth, tile
from colorhelpers.training.config import TrainConfig
from colorhelpers.training.loop import train
from colorhelpers.training.runs import RunDirectory, run_key

#: The scores of a table row, in the order the notebooks print them.
SCORES = ("psnr", "ciede2000", "auc", "colorfulness_ratio")


@dataclass(frozen=True)
class Variant:
    """A named recipe; `config=None` stands for the gray answer (no model at all).

    `run_dir` places its run somewhere other than `<root>/<run_key>` (for instance a run
    that `make train` already trained with the same config).
    """

    name: str
    config: TrainConfig | None
    run_dir: Path | None = None


def ablation_variants(default: TrainConfig, default_run: Path | None = None) -> list[Variant]:
    """The rows of notebook 08's table: the gray answer, the blog post's recipe, colorgan's
    default (trained in `default_run` if given), and the default with one ingredient added
    or taken away (the GAN taken away, or added when the default trains on L1 alone)."""
    return [
        Variant("gray answer (ab = 0)", None),
        Variant("blog post's recipe", default.replace(
            conditional_discriminator=False, generator_head="relu_convs", warmup_epochs=0)),
        Variant("colorgan default", default, default_run),
        Variant("without warm-up", default.replace(warmup_epochs=0)),
        # With the GAN in the default, take it away; with L1 alone the default, add it.
        Variant("L1 only (no GAN)", default.replace(warmup_epochs=default.epochs))
        if default.warmup_epochs < default.epochs
        else Variant("+ GAN (second half adversarial)", default.replace(warmup_epochs=default.epochs // 2)),
        Variant("+ noise channel", default.replace(noise_channel=True)),
        Variant("pix2pix's widths", default.replace(generator_max_filters=8 * default.generator_filters)),
    ]


def run_variants(
    variants: Sequence[Variant],
    train_paths: list[Path],
    heldout_paths: list[Path],
    root: Path | str,
) -> list[dict[str, float | str]]:
    """Train (or read) every variant under `root`; one row per variant.

    A row holds the name, the four held-out scores of the last epoch, `minutes` of training
    (the sum of metrics.csv's per-epoch seconds, so a resumed run counts only its epochs),
    and `config`, the config the run was trained with (None for the gray answer).
    """
    table = []
    # The gray answer is scored at the size the models are trained at.
    size = next((v.config.image_size for v in variants if v.config), TrainConfig().image_size)
    for variant in variants:
        if variant.config is None:
            scores = evaluate_generator(None, eval_batches(heldout_paths, size))
            table.append({"name": variant.name, **scores, "minutes": 0.0, "config": None})
            continue
        run = run_of(variant, root)
        rows = train(train_paths, heldout_paths, run.root, variant.config, verbose=0)
        minutes = sum(row["seconds"] for row in rows) / 60
        scores = {name: rows[-1][name] for name in SCORES}
        table.append({"name": variant.name, **scores, "minutes": minutes, "config": run.read_config()})
    return table


def run_of(variant: Variant, root: Path | str) -> RunDirectory:
    """The run directory of a variant: `variant.run_dir`, else `<root>/<run_key>`, so a
    changed recipe trains into a new folder and the same recipe under another name does not."""
    return RunDirectory(variant.run_dir or Path(root) / run_key(variant.config))


def side_by_side(variants: Sequence[Variant], root: Path | str, l_norm: np.ndarray,
                 ab_true: np.ndarray) -> np.ndarray:
    """A uint8 RGB grid, one row per image: each variant's output (last epoch), then the truth.

    The gray answer's column is the gray input itself.
    """
    columns = []
    for variant in variants:
        if variant.config is None:
            ab = np.zeros_like(ab_true)
        else:
            generator, _ = load_generator(open_run(run_of(variant, root).root))
            ab = predict_ab(generator, l_norm)
        columns.append(gray_output_truth(l_norm, ab, ab_true)[1])
    columns.append(gray_output_truth(l_norm, ab_true, ab_true)[2])
    return tile([list(images) for images in zip(*columns)])


def format_table(table: Sequence[dict]) -> str:
    """The table as fixed-width text, one line per variant, its names in one column."""
    width = max([24, *(len(row["name"]) for row in table)])
    lines = [f"{'variant':{width}} {'PSNR':>6} {'CIEDE2000':>9} {'AuC':>6} {'colorful':>9} {'minutes':>7}"]
    for row in table:
        lines.append(f"{row['name']:{width}} {row['psnr']:6.2f} {row['ciede2000']:9.2f} {row['auc']:6.3f} "
                     f"{row['colorfulness_ratio']:9.2f} {row['minutes']:7.1f}")
    return "\n".join(lines)

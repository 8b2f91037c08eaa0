"""Trained runs as a user meets them: open one, load an epoch's generator, score it, ship it.

Taught in notebooks/05_evaluation. `SHIPPED_RUN` is the model that comes with the package
(trained by `make train` on the bundled data), used when no run is named; `ship_run` replaces it.
`SHIPPED_LINEART_RUN` is its line-art counterpart (`make train-lineart`, notebooks/11_line_art).
"""

from __future__ import annotations

from pathlib import Path

import keras

from colorhelpers.data.files import find_images, split_dataset
from colorhelpers.data.lines import eval_pairs
from colorhelpers.data.pipeline import eval_batches
from colorhelpers.scoring.metrics import evaluate_generator
from colorhelpers.training.recipe import generator_for
from colorhelpers.training.runs import RunDirectory, RunError, atomic_path, write_atomically

#: The run that ships inside the package: its config, metrics and last generator only.
SHIPPED_RUN = Path(__file__).resolve().parent.parent / "shipped"
#: The line-art model that ships inside the package, the same way.
SHIPPED_LINEART_RUN = Path(__file__).resolve().parent.parent / "shipped_lineart"


def shipped_run(kind: str = "gray") -> Path:
    """Where the shipped model of a kind ("gray" or "lineart") lives."""
    return SHIPPED_LINEART_RUN if kind == "lineart" else SHIPPED_RUN


def open_run(run_dir: Path | str) -> RunDirectory:
    """A run directory that holds a config and at least one trained epoch."""
    run = RunDirectory(Path(run_dir))
    if not run.config_file.exists() or not (run.saved_epochs() or run.previewed_epochs()):
        raise RunError(
            f"{run.root}: no trained run here (no config.json or no saved epoch); "
            "train one first with `python -m colorhelpers train --data DIR --out RUN_DIR`"
        )
    return run


def load_generator(run: RunDirectory, epoch: int | None = None) -> tuple[keras.Model, int]:
    """The generator of `epoch` (the last saved one by default) and that epoch's number.

    It is built for any image shape (see `colorize_rgb`). A missing or damaged weights file
    is a RunError naming the file and what to do.
    """
    epochs = run.saved_epochs()
    epoch = epochs[-1] if epoch is None else epoch
    kept = ", ".join(map(str, epochs))
    if epoch not in epochs:
        raise RunError(f"{run.root}: the generator of epoch {epoch} was not kept (kept: {kept}); "
                       "choose one of those, or train with --keep-every 1 to keep every epoch")
    path = run.generator_weights(epoch)
    generator = generator_for(run.read_config(), any_size=True)
    try:
        generator.load_weights(path)  # float16 on disk (float32 in older runs), cast on load
    # Keras and h5py report damaged or foreign files with many exception types.
    except Exception as err:  # noqa: BLE001
        raise RunError(f"{path}: damaged or not this run's model ({str(err).splitlines()[0][:120]}); "
                       f"use another --epoch (kept: {kept}) or retrain") from None
    return generator, epoch


def ship_run(run: RunDirectory, destination: Path | None = None) -> Path:
    """Copy a run's config, metrics and last generator into `destination` (a small run
    directory, by default the package's one for the run's kind); returns the weights file written."""
    epoch = run.saved_epochs()[-1]
    shipped = RunDirectory(destination or shipped_run(run.read_config().kind))
    target = shipped.generator_weights(epoch)
    weights = run.generator_weights(epoch).read_bytes()
    with atomic_path(target, len(weights)) as partial:
        partial.write_bytes(weights)
    for old in shipped.saved_epochs():  # only once the new file is complete
        if old != epoch:
            shipped.generator_weights(old).unlink()
    write_atomically(shipped.config_file, run.config_file.read_text())
    write_atomically(shipped.metrics_csv, run.metrics_csv.read_text())
    return target


def evaluation_images(data_dir: Path | str) -> list[Path]:
    """The images to score: a split dataset's held-out folder, or every usable image."""
    data_dir = Path(data_dir)
    if (data_dir / "heldout").is_dir():
        return split_dataset(data_dir)[1]
    return find_images(data_dir)


def evaluate_run(run: RunDirectory, data_dir: Path | str, epoch: int | None = None,
                 saturation: float = 1.0) -> dict[str, float]:
    """The metrics of one epoch on the images in `data_dir` (see `colorhelpers.scoring.metrics`).

    Images are scored at the run's training size, the way metrics.csv scores them.
    """
    generator, epoch = load_generator(run, epoch)
    paths = evaluation_images(data_dir)
    config = run.read_config()
    batches = eval_batches(paths, config.image_size)
    if config.kind == "lineart":  # scored on line art drawn from the held-out images
        batches = batches.map(eval_pairs)
    scores = evaluate_generator(generator, batches, saturation)
    return {"epoch": epoch, "images": len(paths), **scores}

"""Checkpoints: all the state a resumed run needs, and finding one that is intact.

Taught in notebooks/04_training. A checkpoint is written after every epoch by
`colorhelpers.training.callbacks.SaveCheckpoint`; resuming restores the newest one that reads back
completely, so a damaged file costs an epoch, not the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import tensorflow as tf


def make_checkpoint(gan: keras.Model, epoch: tf.Variable) -> tf.train.Checkpoint:
    """All the state a resumed run needs: both networks (weights, batch-norm statistics,
    dropout RNG), both optimizers' moments and step counters, and the epoch counter."""
    return tf.train.Checkpoint(
        generator=gan.generator.variables,
        discriminator=gan.discriminator.variables,
        generator_optimizer=gan.generator_optimizer.variables,
        discriminator_optimizer=gan.discriminator_optimizer.variables,
        epoch=epoch,
    )


def restore_newest_intact(checkpoint: tf.train.Checkpoint, directory: Path) -> tuple[str | None, list[str]]:
    """Restore the newest checkpoint in `directory` that reads back completely.

    Returns its path prefix (None if there is none) and the lines saying which newer ones
    were damaged (a bad sector, an interrupted copy): those are moved into `damaged/`
    beside them, not deleted, and the checkpoint index is rewritten to list what is left.
    """
    found = sorted(directory.glob("ckpt-*.index"), key=lambda p: int(p.stem.split("-")[-1]))
    restored, damaged = None, []
    for index in reversed(found):
        prefix = str(index.with_suffix(""))
        try:
            checkpoint.restore(prefix).assert_existing_objects_matched()
        # A damaged file fails in many ways (DataLossError, OutOfRangeError, IndexError,
        # a CRC mismatch, a missing data shard): anything but a clean restore counts.
        except Exception as err:  # noqa: BLE001
            aside = directory / "damaged"
            aside.mkdir(exist_ok=True)
            for file in directory.glob(index.stem + ".*"):
                os.replace(file, aside / file.name)
            reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:160]
            damaged.append(f"{prefix} is damaged ({reason}); moved to {aside}/")
            continue
        restored = prefix
        break
    if damaged:
        kept = [str(p.with_suffix("")) for p in found if p.exists()]
        if restored:
            write_index(directory, kept)
        else:
            (directory / "checkpoint").unlink(missing_ok=True)
    return restored, damaged


def write_index(directory: Path, prefixes: list[str]) -> None:
    """Rewrite the `checkpoint` index file to list `prefixes`, the last one the newest.

    Each gets its file's time, as `CheckpointManager` writes them: a checkpoint listed
    without one counts as "preserved" and would never be deleted by a later manager.
    """
    times = [Path(prefix + ".index").stat().st_mtime for prefix in prefixes]
    # TF 2 writes this file only through a CheckpointManager, or through this v1 function,
    # which logs a deprecation notice that means nothing to a user: keep it off the screen.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        # Names relative to the folder, as the manager writes them: a copied run still works.
        names = [Path(prefix).name for prefix in prefixes]
        tf.compat.v1.train.update_checkpoint_state(str(directory), names[-1],
                                                   all_model_checkpoint_paths=names,
                                                   all_model_checkpoint_timestamps=times)
    finally:
        logger.setLevel(level)


def keep_only_newest(manager: tf.train.CheckpointManager, checkpoint: tf.train.Checkpoint) -> None:
    """At the end of a run, keep just the newest checkpoint, once it reads back completely.

    Extending a finished run needs only that one; the older one (kept while training, in
    case the newest is damaged) would double the run directory's size.
    """
    *older, newest = manager.checkpoints
    if older:
        checkpoint.read(newest).assert_existing_objects_matched()
        for prefix in older:
            for file in Path(prefix).parent.glob(Path(prefix).name + ".*"):
                file.unlink()
        write_index(Path(manager.directory), [newest])

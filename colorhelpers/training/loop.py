"""Training a run: `fit` over the batches, with callbacks writing everything to a run directory.

Taught in notebooks/04_training, with the modules it calls: `recipe` builds what a config
describes, `gan` holds the training step, `callbacks` write each epoch's files,
`checkpoints` save and restore the state, and `runs` names every file of the run directory.

`fit` drives `ColorGAN.train_step`, and callbacks do the rest after every epoch: save the
generator, score it on held-out images, draw a sample grid, log to TensorBoard and write a
checkpoint from which an interrupted run resumes.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from colorhelpers.data.cache import training_source
from colorhelpers.data.lines import EVAL_STYLE, eval_pairs, line_art, training_pairs
from colorhelpers.data.pipeline import eval_batches
from colorhelpers.training.callbacks import (
    PREVIEW_IMAGES,
    AveragedGenerator,
    EpochArtifacts,
    LinearDecay,
    SaveCheckpoint,
    StopOnNonFinite,
    TrainingError,
)
from colorhelpers.training.checkpoints import keep_only_newest, make_checkpoint, restore_newest_intact
from colorhelpers.training.config import TrainConfig
from colorhelpers.training.distribute import describe_strategy, same_on_every_worker, worker_scratch
from colorhelpers.training.gan import build_gan
from colorhelpers.training.recipe import dtype_policy, generator_for, start_encoder_from, with_encoder_weights
from colorhelpers.training.runs import (
    RunDirectory,
    disk_problem,
    remove_partial_files,
    training_lock,
    write_atomically,
)


def train(
    train_paths: list[Path],
    heldout_paths: list[Path],
    run_dir: Path | str,
    config: TrainConfig,
    verbose: int | str = "auto",
    strategy: tf.distribute.Strategy | None = None,
    keep_every: int = 10,
    memory_budget_mb: float | None = None,
    cache_dir: Path | str | None = None,
) -> list[dict[str, float]]:
    """Train (or resume) a run to `config.epochs` epochs; return the rows of metrics.csv.

    Running it again on the same `run_dir` resumes from the newest intact checkpoint, with
    the same batches an uninterrupted run would have used; asking for more epochs extends
    it. With a `strategy` such as `tf.distribute.MirroredStrategy()`, each batch of
    `config.batch_size` images is split over its devices (for example several GPUs).
    The generator weights of the two newest epochs and of every `keep_every`-th are kept
    (1: all, 0: the two newest only), for `colorize --epoch`; every epoch's colors of the
    held-out images are kept for the epoch browser whatever `keep_every` says.

    A set too big for `memory_budget_mb` is streamed from a decoded cache in `cache_dir`
    (`colorhelpers.data.cache`); under several workers only the chief writes `run_dir`
    (`colorhelpers.training.distribute`).

    Only one `train` at a time writes a run directory (a second one gets a RunError). A
    full or unwritable disk stops it with a TrainingError naming the file; its partial
    files are removed and the last complete checkpoint is kept, to resume from later.
    """
    strategy = strategy or tf.distribute.get_strategy()
    data_options = {"memory_budget_mb": memory_budget_mb, "cache_dir": cache_dir}
    with worker_scratch(Path(run_dir), strategy) as root:
        return _train_here(RunDirectory(root), train_paths, heldout_paths, config, verbose, strategy,
                           keep_every, data_options)


def _train_here(run: RunDirectory, train_paths: list[Path], heldout_paths: list[Path],
                config: TrainConfig, verbose: int | str, strategy: tf.distribute.Strategy,
                keep_every: int, data_options: dict) -> list[dict[str, float]]:
    run.check_resumable(config)
    try:
        with training_lock(run):
            return _train_locked(run, train_paths, heldout_paths, config, verbose, strategy, keep_every,
                                 data_options)
    except Exception as err:
        problem = disk_problem(err)
        if problem is None:
            raise
        remove_partial_files(run)
        where = getattr(err, "filename", None) or run.root
        latest = tf.train.latest_checkpoint(str(run.checkpoints))
        epoch = latest.rsplit("-", 1)[-1] if latest else None
        kept = f"the checkpoint of epoch {epoch} is kept" if epoch else "there is no checkpoint yet"
        raise TrainingError(f"cannot write {where}: {problem}. Partial files were removed and {kept}; "
                            "make room and run the same command again to resume.") from None


def _train_locked(
    run: RunDirectory,
    train_paths: list[Path],
    heldout_paths: list[Path],
    config: TrainConfig,
    verbose: int | str,
    strategy: tf.distribute.Strategy,
    keep_every: int,
    data_options: dict,
) -> list[dict[str, float]]:
    remove_partial_files(run)  # left by a run that was killed or hit a full disk
    resuming = bool(list(run.checkpoints.glob("ckpt-*.index")))
    if resuming:
        # Resuming: the encoder's weights are in the checkpoint, and config.json keeps
        # saying which ones the run started from.
        config, encoder_weights_file = config.replace(encoder_weights=run.read_config().encoder_weights), None
    else:
        config, encoder_weights_file = with_encoder_weights(config)
    with dtype_policy("float16"):  # the same network in float16, to save each epoch's weights
        float16_generator = generator_for(config)
    keras.utils.set_random_seed(config.seed)  # after building that: it must not move the seeds
    with strategy.scope():
        gan = build_gan(config, encoder_weights_file)
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
        if config.encoder_from and not resuming:
            start_encoder_from(gan.generator, run.root.parent / config.encoder_from)
    checkpoint = make_checkpoint(gan, epoch)
    if run.checkpoints.is_dir():
        _, damaged = restore_newest_intact(checkpoint, run.checkpoints)
        for line in damaged:
            warnings.warn(f"{line}; training goes on from epoch {int(epoch.numpy()) + 1}",
                          RuntimeWarning, stacklevel=2)
    manager = tf.train.CheckpointManager(checkpoint, run.checkpoints, max_to_keep=2)
    first_epoch = int(epoch.numpy())
    if not same_on_every_worker(strategy, first_epoch):
        raise TrainingError(f"the workers would resume from different epochs (this one from {first_epoch}): "
                            "put the run directory on storage that every worker reads")
    write_atomically(run.config_file, config.to_json())
    # Rows past the checkpoint belong to an epoch that will be trained again.
    run.write_metrics([r for r in run.read_metrics() if r["epoch"] <= first_epoch])
    if first_epoch >= config.epochs:
        return run.read_metrics()

    size, batch = config.image_size, config.batch_size
    if verbose == "auto":
        verbose = 1 if sys.stdout.isatty() else 2
    data_line, batches_from = training_source(train_paths, size, batch, config.seed, config.flip,
                                              progress=bool(verbose), **data_options)
    if verbose:
        print(describe_strategy(strategy))
        print(data_line)
    heldout = eval_batches(heldout_paths, size, batch)
    shown = heldout_paths[:PREVIEW_IMAGES]
    previews = np.concatenate([l_norm for l_norm, _ in eval_batches(shown, size, batch)])
    samples = next(iter(eval_batches(heldout_paths[: config.sample_count], size, config.sample_count)))
    if config.kind == "lineart":
        # Line-art runs learn from line art drawn from each image, and are scored on it.
        heldout = heldout.map(eval_pairs)
        previews = line_art(previews, EVAL_STYLE).numpy()
        samples = eval_pairs(*samples)
    callbacks = [
        LinearDecay(config.learning_rate, config.epochs, config.decay_epochs),
        StopOnNonFinite(),
        AveragedGenerator(),
        EpochArtifacts(run, heldout, (previews, [p.name for p in shown]),
                       (samples[0].numpy(), samples[1].numpy()), float16_generator, keep_every),
        keras.callbacks.TensorBoard(run.tensorboard, write_graph=False),
        SaveCheckpoint(manager, epoch),
    ]
    # Two phases: the L1-only warm-up epochs, then adversarial training. Each phase is one
    # `fit` call whose batches start at the phase's first epoch, so a resumed run sees the
    # same batches as an uninterrupted one.
    warmup_end = min(config.warmup_epochs, config.epochs)
    for start, end, adversarial in ((first_epoch, warmup_end, False),
                                    (max(first_epoch, warmup_end), config.epochs, True)):
        if start >= end:
            continue
        gan.adversarial = adversarial
        batches = _inputs_for(config, batches_from(start), start * (len(train_paths) // batch))
        gan.fit(batches, epochs=end, initial_epoch=start, steps_per_epoch=len(train_paths) // batch,
                callbacks=callbacks, verbose=verbose, shuffle=False)
    keep_only_newest(manager, checkpoint)
    return run.read_metrics()


def _inputs_for(config: TrainConfig, batches: tf.data.Dataset, first_step: int) -> tf.data.Dataset:
    """The (input, target) pairs a run learns from: (L, ab) as they are, or for line art
    (line art, Lab), each step's styles drawn from (seed, step) so that a resumed run repeats them."""
    if config.kind != "lineart":
        return batches
    seed = tf.constant(config.seed, tf.int64)
    return batches.enumerate(first_step).map(
        lambda step, pair: training_pairs(pair[0], pair[1], tf.stack([seed, step])),
        num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)

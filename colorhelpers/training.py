"""Adversarial training through `keras.Model.fit`, writing everything to a run directory.

Taught in notebooks/04_training, with the modules it calls: `recipe` builds what a config
describes, `callbacks` write each epoch's files, `checkpoints` save and restore the state,
and `runs` names every file of the run directory.

`ColorGAN.train_step` holds the part worth reading: one step of the generator and one of
the discriminator, each on its own loss. `fit` drives it, and callbacks do the rest after
every epoch: save the generator, score it on held-out images, draw a sample grid, log to
TensorBoard and write a checkpoint from which an interrupted run resumes.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from colorhelpers.cache import training_source
from colorhelpers.callbacks import (
    PREVIEW_IMAGES,
    EpochArtifacts,
    LinearDecay,
    SaveCheckpoint,
    StopOnNonFinite,
    TrainingError,
)
from colorhelpers.checkpoints import keep_only_newest, make_checkpoint, restore_newest_intact
from colorhelpers.config import TrainConfig
from colorhelpers.data import eval_batches
from colorhelpers.distribute import describe_strategy, same_on_every_worker, worker_count, worker_scratch
from colorhelpers.recipe import (
    discriminator_for,
    dtype_policy,
    generator_for,
    optimizer_for,
    with_encoder_weights,
)
from colorhelpers.runs import (
    RunDirectory,
    disk_problem,
    remove_partial_files,
    training_lock,
    write_atomically,
)


def _bce(real: bool, logits: tf.Tensor) -> tf.Tensor:
    """Mean binary cross-entropy of patch logits against all-real or all-fake labels.

    A plain mean over this replica's batch, like the L1 term; `ColorGAN` scales both the
    same way for tf.distribute (Keras loss objects would scale themselves a second time).
    """
    labels = tf.ones_like(logits) if real else tf.zeros_like(logits)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels, logits))


class ColorGAN(keras.Model):
    """pix2pix: a generator (L -> ab) trained against a discriminator, plus an L1 term."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model, l1_weight: float = 100.0):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.l1_weight = l1_weight
        self._adversarial = True
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("generator_loss", "l1", "adversarial", "discriminator_loss")
        }

    def compile(self, generator_optimizer, discriminator_optimizer, **kwargs) -> None:
        super().compile(**kwargs)
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self.trackers.values())

    def call(self, l_norm, training: bool = False):
        return self.generator(l_norm, training=training)

    @property
    def adversarial(self) -> bool:
        """False during the L1-only warm-up: the generator alone learns, the critic waits."""
        return self._adversarial

    @adversarial.setter
    def adversarial(self, value: bool) -> None:
        if value != self._adversarial:
            self._adversarial = value
            self.train_function = None  # `fit` traces train_step again, with the new branch

    @staticmethod
    def _loss_to_differentiate(optimizer: keras.optimizers.Optimizer, loss: tf.Tensor) -> tf.Tensor:
        """The loss whose gradient is applied: scaled for replicas and for float16.

        Under tf.distribute each replica sees part of the batch and the replicas' gradients are
        summed, so each replica's mean loss is divided by their number. Under mixed_float16 the
        loss is also multiplied up so that small gradients survive float16; the
        LossScaleOptimizer divides them back in apply(). Both must happen on the tape.
        """
        loss = loss / tf.distribute.get_strategy().num_replicas_in_sync
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            loss = optimizer.scale_loss(loss)
        return loss

    def train_step(self, data):
        if not self.adversarial:
            return self._warmup_step(data)
        l_norm, ab_real = data
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            # training=True: dropout is on and batch norm learns its statistics.
            ab_fake = self.generator(l_norm, training=True)
            real_logits = self.discriminator([l_norm, ab_real], training=True)
            fake_logits = self.discriminator([l_norm, ab_fake], training=True)
            disc_loss = 0.5 * (_bce(True, real_logits) + _bce(False, fake_logits))
            adversarial = _bce(True, fake_logits)
            l1 = tf.reduce_mean(tf.abs(ab_real - ab_fake))
            gen_loss = adversarial + self.l1_weight * l1
            gen_objective = self._loss_to_differentiate(self.generator_optimizer, gen_loss)
            disc_objective = self._loss_to_differentiate(self.discriminator_optimizer, disc_loss)
        for optimizer, tape, objective, model in (
            (self.generator_optimizer, gen_tape, gen_objective, self.generator),
            (self.discriminator_optimizer, disc_tape, disc_objective, self.discriminator),
        ):
            grads = tape.gradient(objective, model.trainable_variables)
            optimizer.apply(grads, model.trainable_variables)
        values = {"generator_loss": gen_loss, "l1": l1, "adversarial": adversarial,
                  "discriminator_loss": disc_loss}
        return self._track(values)

    def _warmup_step(self, data):
        """The L1 term alone (the "NoGAN" pre-training of DeOldify, Shariatnia's warm-up).

        It costs about half an adversarial step: no discriminator passes.
        """
        l_norm, ab_real = data
        with tf.GradientTape() as tape:
            l1 = tf.reduce_mean(tf.abs(ab_real - self.generator(l_norm, training=True)))
            gen_loss = self.l1_weight * l1
            objective = self._loss_to_differentiate(self.generator_optimizer, gen_loss)
        grads = tape.gradient(objective, self.generator.trainable_variables)
        self.generator_optimizer.apply(grads, self.generator.trainable_variables)
        zero = tf.zeros_like(l1)
        return self._track({"generator_loss": gen_loss, "l1": l1, "adversarial": zero,
                            "discriminator_loss": zero})

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Nothing to trace (`build_gan` built it all). Keras 3.15 would average a first batch
        over the replicas, which fails on (l, ab) pairs under MultiWorkerMirroredStrategy."""
        if not all(layer.built for layer in self._flatten_layers(include_self=False)):
            super()._maybe_symbolic_build(iterator, data_batch)

    def _track(self, values: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        for name, value in values.items():
            self.trackers[name].update_state(value)
        results = {name: tracker.result() for name, tracker in self.trackers.items()}
        if worker_count(tf.distribute.get_strategy()) > 1:
            # Keras 3.15 averages several workers' logs along axis 0, which a scalar lacks.
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results


def build_gan(config: TrainConfig, encoder_weights_file: Path | None = None) -> ColorGAN:
    """Generator, discriminator and their two Adam optimizers, compiled, from a config."""
    with dtype_policy(config.precision):
        generator = generator_for(config, encoder_weights_file)
        discriminator = discriminator_for(config)
    gan = ColorGAN(generator, discriminator, config.l1_weight)
    gan.compile(optimizer_for(config), optimizer_for(config), jit_compile=config.jit_compile)
    # Create the optimizers' slots now, so a checkpoint can be restored into them.
    gan.generator_optimizer.build(generator.trainable_variables)
    gan.discriminator_optimizer.build(discriminator.trainable_variables)
    return gan


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
    (`colorhelpers.cache`); under several workers only the chief writes `run_dir`
    (`colorhelpers.distribute`).

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
    if list(run.checkpoints.glob("ckpt-*.index")):
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
    callbacks = [
        LinearDecay(config.learning_rate, config.epochs, config.decay_epochs),
        StopOnNonFinite(),
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
        batches = batches_from(start)
        gan.fit(batches, epochs=end, initial_epoch=start, steps_per_epoch=len(train_paths) // batch,
                callbacks=callbacks, verbose=verbose, shuffle=False)
    keep_only_newest(manager, checkpoint)
    return run.read_metrics()

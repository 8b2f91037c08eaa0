"""Adversarial training through `keras.Model.fit`, writing everything to a run directory.

Taught in notebooks/04_training.

`ColorGAN.train_step` holds the part worth reading: one step of the generator and one of
the discriminator, each on its own loss. `fit` drives it, and callbacks do the rest after
every epoch: save the generator, score it on held-out images, draw a sample grid, log to
TensorBoard and write a checkpoint from which an interrupted run resumes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from colorhelpers.config import TrainConfig
from colorhelpers.data import eval_batches, training_batches
from colorhelpers.metrics import evaluate_generator, predict_ab
from colorhelpers.models import build_discriminator, build_generator
from colorhelpers.plotting import sample_grid, save_png
from colorhelpers.pretrained import build_vgg16_generator, imagenet_vgg16_weights

#: Columns of metrics.csv, one row per epoch.
METRIC_COLUMNS = (
    "epoch", "generator_loss", "l1", "adversarial", "discriminator_loss",
    "psnr", "ciede2000", "auc", "colorfulness_ratio", "seconds",
)
#: Config fields that change the shape of the networks: a run cannot resume if they differ.
MODEL_FIELDS = (
    "image_size", "generator_filters", "discriminator_filters", "discriminator_layers",
    "conditional_discriminator", "generator_head", "noise_channel", "encoder",
)


class TrainingError(RuntimeError):
    """Training cannot start or go on; the message says why and what to do."""


@dataclass(frozen=True)
class RunDirectory:
    """Where a run keeps its files. Everything a run writes is listed here."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "config.json"

    @property
    def metrics_csv(self) -> Path:
        return self.root / "metrics.csv"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def tensorboard(self) -> Path:
        return self.root / "logs"

    def generator_weights(self, epoch: int) -> Path:
        return self.root / "generators" / f"epoch_{epoch:03d}.weights.h5"

    def samples(self, epoch: int) -> Path:
        return self.root / "samples" / f"epoch_{epoch:03d}.png"

    def saved_epochs(self) -> list[int]:
        """Epochs whose generator weights are on disk, ascending."""
        files = (self.root / "generators").glob("epoch_*.weights.h5")
        return sorted(int(f.name[6:9]) for f in files)

    def read_config(self) -> TrainConfig:
        return TrainConfig.from_json(self.config_file.read_text())

    def read_metrics(self) -> list[dict[str, float]]:
        """The rows of metrics.csv as dicts of floats (an empty list before the first epoch)."""
        if not self.metrics_csv.exists():
            return []
        with open(self.metrics_csv, newline="") as f:
            return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def write_atomically(path: Path, text: str) -> None:
    """Write a text file so that a crash leaves either the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text)
    os.replace(tmp, path)


def save_weights_atomically(model: keras.Model, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"tmp-{path.name}")  # keeps the .weights.h5 ending Keras wants
    model.save_weights(tmp)
    os.replace(tmp, path)


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

    def _track(self, values: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


@contextlib.contextmanager
def dtype_policy(name: str) -> Iterator[None]:
    """Build layers under a Keras dtype policy without leaving it set globally."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _adam(config: TrainConfig) -> keras.optimizers.Optimizer:
    optimizer = keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1, beta_2=config.beta_2)
    if config.precision == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def generator_for(config: TrainConfig, encoder_weights_file: Path | None = None) -> keras.Model:
    """The untrained generator a config describes (used to train it and to reload it).

    `encoder_weights_file` starts a VGG-16 encoder from pretrained weights; without it the
    encoder starts random (and reloading a trained run overwrites every weight anyway).
    """
    if config.encoder == "vgg16":
        return build_vgg16_generator(config.image_size, config.generator_filters, config.dropout,
                                     encoder_weights_file)
    return build_generator(config.image_size, config.generator_filters, config.generator_head,
                           config.dropout, config.noise_channel)


def with_encoder_weights(config: TrainConfig) -> tuple[TrainConfig, Path | None]:
    """The pretrained weights file the config asks for, and the config that says what was got.

    When ImageNet weights cannot be downloaded, the run goes on with random ones and its
    config.json says `"encoder_weights": "random"`, so nobody mistakes it for a pretrained run.
    """
    if config.encoder != "vgg16" or config.encoder_weights != "imagenet":
        return config, None
    weights_file = imagenet_vgg16_weights()
    return (config, weights_file) if weights_file else (config.replace(encoder_weights="random"), None)


def build_gan(config: TrainConfig, encoder_weights_file: Path | None = None) -> ColorGAN:
    """Generator, discriminator and their two Adam optimisers, compiled, from a config."""
    with dtype_policy(config.precision):
        generator = generator_for(config, encoder_weights_file)
        discriminator = build_discriminator(config.image_size, config.discriminator_filters,
                                            config.discriminator_layers,
                                            config.conditional_discriminator)
    gan = ColorGAN(generator, discriminator, config.l1_weight)
    gan.compile(_adam(config), _adam(config), jit_compile=config.jit_compile)
    # Create the optimisers' slots now, so a checkpoint can be restored into them.
    gan.generator_optimizer.build(generator.trainable_variables)
    gan.discriminator_optimizer.build(discriminator.trainable_variables)
    return gan


def make_checkpoint(gan: ColorGAN, epoch: tf.Variable) -> tf.train.Checkpoint:
    """All the state a resumed run needs: both networks (weights, batch-norm statistics,
    dropout RNG), both optimisers' moments and step counters, and the epoch counter."""
    return tf.train.Checkpoint(
        generator=gan.generator.variables,
        discriminator=gan.discriminator.variables,
        generator_optimizer=gan.generator_optimizer.variables,
        discriminator_optimizer=gan.discriminator_optimizer.variables,
        epoch=epoch,
    )


class StopOnNonFinite(keras.callbacks.Callback):
    """Stop with a clear message as soon as a loss becomes NaN or infinite."""

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            if not np.isfinite(float(value)):
                raise TrainingError(
                    f"{name} became {float(value)} at epoch {self.epoch + 1}, step {batch + 1}; "
                    "the last good checkpoint is kept. Try a lower learning rate."
                )


class LinearDecay(keras.callbacks.Callback):
    """pix2pix's schedule: both learning rates constant, then falling linearly over the last
    `decay_epochs` epochs (to 1/decay_epochs of the start in the last one).

    Set at the start of every epoch from the epoch number alone, so a resumed run gets the
    same rates as an uninterrupted one.
    """

    def __init__(self, learning_rate: float, epochs: int, decay_epochs: int):
        super().__init__()
        self.learning_rate, self.epochs, self.decay_epochs = learning_rate, epochs, decay_epochs

    def rate(self, epoch: int) -> float:
        """The learning rate of (0-based) `epoch`.

        >>> [round(LinearDecay(1.0, 5, 2).rate(e), 2) for e in range(5)]
        [1.0, 1.0, 1.0, 1.0, 0.5]
        """
        remaining = self.epochs - epoch
        if not self.decay_epochs:
            return self.learning_rate
        return self.learning_rate * min(1.0, remaining / self.decay_epochs)

    def on_epoch_begin(self, epoch, logs=None):
        for optimizer in (self.model.generator_optimizer, self.model.discriminator_optimizer):
            optimizer.learning_rate = self.rate(epoch)


class EpochArtifacts(keras.callbacks.Callback):
    """After each epoch: generator weights, held-out metrics (CSV), a sample grid (PNG).

    The metrics are added to the epoch's logs, so the TensorBoard callback after this one
    records them too.
    """

    def __init__(self, run: RunDirectory, heldout: tf.data.Dataset, samples: tuple[np.ndarray, np.ndarray]):
        super().__init__()
        self.run, self.heldout, self.samples = run, heldout, samples

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        number = epoch + 1
        generator = self.model.generator
        save_weights_atomically(generator, self.run.generator_weights(number))
        logs.update(evaluate_generator(generator, self.heldout))
        l_norm, ab_true = self.samples
        save_png(sample_grid(l_norm, predict_ab(generator, l_norm), ab_true), self.run.samples(number))
        row = {k: float(logs[k]) for k in METRIC_COLUMNS if k in logs}
        row.update(epoch=number, seconds=round(time.perf_counter() - self.started, 2))
        rows = [r for r in self.run.read_metrics() if r["epoch"] < number] + [row]
        write_metrics(self.run.metrics_csv, rows)


class SaveCheckpoint(keras.callbacks.Callback):
    """Write a resumable checkpoint after each epoch, once the epoch's artifacts exist."""

    def __init__(self, manager: tf.train.CheckpointManager, epoch: tf.Variable):
        super().__init__()
        self.manager, self.epoch = manager, epoch

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.assign(epoch + 1)
        # The manager writes the files first and the "checkpoint" index last, by rename:
        # a kill at any moment leaves the previous checkpoint as the latest complete one.
        self.manager.save(checkpoint_number=epoch + 1)


def write_metrics(path: Path, rows: list[dict[str, float]]) -> None:
    """Rewrite metrics.csv atomically; epochs as integers, the rest to 6 significant digits."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=METRIC_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (int(v) if k == "epoch" else f"{v:.6g}") for k, v in row.items()})
    write_atomically(path, out.getvalue())


def _check_resumable(run: RunDirectory, config: TrainConfig) -> None:
    if not run.config_file.exists():
        return
    saved = run.read_config()
    changed = [f for f in MODEL_FIELDS if getattr(saved, f) != getattr(config, f)]
    if changed:
        details = ", ".join(f"{f}={getattr(saved, f)} (asked {getattr(config, f)})" for f in changed)
        raise TrainingError(
            f"{run.root} holds a run with a different model: {details}. "
            "Use the same settings to resume, or a new output folder."
        )


def train(
    train_paths: list[Path],
    heldout_paths: list[Path],
    run_dir: Path | str,
    config: TrainConfig,
    verbose: int | str = "auto",
    strategy: tf.distribute.Strategy | None = None,
) -> list[dict[str, float]]:
    """Train (or resume) a run to `config.epochs` epochs; return the rows of metrics.csv.

    Running it again on the same `run_dir` resumes from the last checkpoint, with the
    same batches an uninterrupted run would have used; asking for more epochs extends it.
    With a `strategy` such as `tf.distribute.MirroredStrategy()`, each batch of
    `config.batch_size` images is split over its devices (for example several GPUs).
    """
    run = RunDirectory(Path(run_dir))
    _check_resumable(run, config)
    if tf.train.latest_checkpoint(str(run.checkpoints)):
        # Resuming: the encoder's weights are in the checkpoint, and config.json keeps
        # saying which ones the run started from.
        config, encoder_weights_file = config.replace(encoder_weights=run.read_config().encoder_weights), None
    else:
        config, encoder_weights_file = with_encoder_weights(config)
    keras.utils.set_random_seed(config.seed)
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        gan = build_gan(config, encoder_weights_file)
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
    checkpoint = make_checkpoint(gan, epoch)
    manager = tf.train.CheckpointManager(checkpoint, run.checkpoints, max_to_keep=2)
    if manager.latest_checkpoint:
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
    first_epoch = int(epoch.numpy())
    run.root.mkdir(parents=True, exist_ok=True)
    write_atomically(run.config_file, config.to_json())
    # Rows past the checkpoint belong to an epoch that will be trained again.
    write_metrics(run.metrics_csv, [r for r in run.read_metrics() if r["epoch"] <= first_epoch])
    if first_epoch >= config.epochs:
        return run.read_metrics()

    size, batch = config.image_size, config.batch_size
    heldout = eval_batches(heldout_paths, size, batch)
    samples = next(iter(eval_batches(heldout_paths[: config.sample_count], size, config.sample_count)))
    callbacks = [
        LinearDecay(config.learning_rate, config.epochs, config.decay_epochs),
        StopOnNonFinite(),
        EpochArtifacts(run, heldout, (samples[0].numpy(), samples[1].numpy())),
        keras.callbacks.TensorBoard(run.tensorboard, write_graph=False),
        SaveCheckpoint(manager, epoch),
    ]
    if verbose == "auto":
        verbose = 1 if sys.stdout.isatty() else 2
    # Two phases: the L1-only warm-up epochs, then adversarial training. Each phase is one
    # `fit` call whose batches start at the phase's first epoch, so a resumed run sees the
    # same batches as an uninterrupted one.
    warmup_end = min(config.warmup_epochs, config.epochs)
    for start, end, adversarial in ((first_epoch, warmup_end, False),
                                    (max(first_epoch, warmup_end), config.epochs, True)):
        if start >= end:
            continue
        gan.adversarial = adversarial
        batches = training_batches(train_paths, size, batch, config.seed, start, config.flip)
        gan.fit(batches, epochs=end, initial_epoch=start, steps_per_epoch=len(train_paths) // batch,
                callbacks=callbacks, verbose=verbose, shuffle=False)
    return run.read_metrics()

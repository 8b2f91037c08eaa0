"""The callbacks that turn `fit` into a run directory, one per job after each epoch.

Taught in notebooks/04_training. In the order `train` passes them to `fit`: set the
learning rates (`LinearDecay`), stop on a non-finite loss (`StopOnNonFinite`), put the
generator's moving average in place where the recipe keeps one (`AveragedGenerator`,
notebook 11), write the epoch's weights, scores, previews and sample grid
(`EpochArtifacts`), then the checkpoint (`SaveCheckpoint`), last, so that a checkpoint never
exists without its epoch's files.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from colorhelpers.scoring.metrics import evaluate_generator, predict_ab
from colorhelpers.scoring.plotting import sample_grid
from colorhelpers.training.runs import METRIC_COLUMNS, RunDirectory, atomic_path, save_png, save_preview


class TrainingError(RuntimeError):
    """Training cannot start or go on; the message says why and what to do."""


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


class AveragedGenerator(keras.callbacks.Callback):
    """Between epochs the generator holds the moving average of its weights (Polyak
    averaging, kept by the generator's Adam with `use_ema`), so what an epoch writes, from
    weights and scores to the checkpoint, comes from the average; the next epoch swaps the
    trained weights back in. The checkpoint holds the swapped pair, which a resumed run's
    first epoch swaps back the same way. Does nothing unless `config.generator_average` > 0."""

    def _swap(self, epoch_begins: bool) -> None:
        optimizer = self.model.generator_optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # under LossScaleOptimizer
        if not optimizer.use_ema:
            return
        if epoch_begins and keras.ops.convert_to_numpy(optimizer.iterations) == 0:
            return  # before the first step there is no average yet
        # Keras keeps the averages in the order of the variables the optimizer was built with.
        for weight, average in zip(self.model.generator.trainable_variables,
                                   optimizer._model_variables_moving_average):
            trained = tf.identity(weight)
            weight.assign(average)
            average.assign(trained)

    def on_epoch_begin(self, epoch, logs=None):
        self._swap(epoch_begins=True)

    def on_epoch_end(self, epoch, logs=None):
        self._swap(epoch_begins=False)


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


#: The epoch browser can show every epoch of this many held-out images (a preview each).
PREVIEW_IMAGES = 64


class EpochArtifacts(keras.callbacks.Callback):
    """After each epoch: generator weights, held-out metrics (CSV), previews, a sample grid.

    The metrics are added to the epoch's logs, so the TensorBoard callback after this one
    records them too. The previews (the held-out images' colors) are kept for every epoch;
    the generator's weights, in float16 (half the size; colors move by under 0.2 ab
    units), for the two newest epochs and every `keep_every`-th (0: the two newest only).
    """

    def __init__(self, run: RunDirectory, heldout: tf.data.Dataset, previews: tuple[np.ndarray, list[str]],
                 samples: tuple[np.ndarray, np.ndarray], float16_generator: keras.Model, keep_every: int):
        super().__init__()
        self.run, self.heldout, self.samples = run, heldout, samples
        self.previews, self.keep_every = previews, keep_every
        self.float16_generator = float16_generator  # the same network built in float16, to save

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        number = epoch + 1
        generator = self.model.generator
        self.float16_generator.set_weights(generator.get_weights())
        size = sum(w.nbytes for w in self.float16_generator.get_weights()) + (1 << 20)  # + HDF5's own
        with atomic_path(self.run.generator_weights(number), expected_bytes=size) as tmp:
            self.float16_generator.save_weights(tmp)
        for older in self.run.saved_epochs():
            if older < number - 1 and not (self.keep_every and older % self.keep_every == 0):
                self.run.generator_weights(older).unlink(missing_ok=True)
        logs.update(evaluate_generator(generator, self.heldout))
        l_preview, names = self.previews
        save_preview(self.run.preview(number), predict_ab(generator, l_preview), names)
        l_norm, ab_true = self.samples
        save_png(sample_grid(l_norm, predict_ab(generator, l_norm), ab_true), self.run.samples(number))
        row = {k: float(logs[k]) for k in METRIC_COLUMNS if k in logs}
        row.update(epoch=number, seconds=round(time.perf_counter() - self.started, 2))
        rows = [r for r in self.run.read_metrics() if r["epoch"] < number] + [row]
        self.run.write_metrics(rows)


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

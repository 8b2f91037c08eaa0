"""pix2pix's training step as a Keras model: a generator and a discriminator, each on its own loss.

Taught in notebooks/04_training. `ColorGAN.train_step` holds the part worth reading: one step
of the generator (L1 x `l1_weight` + adversarial) and one of the discriminator, or the L1
term alone during the warm-up. `build_gan` builds and compiles it from a `TrainConfig`;
`colorhelpers.training.loop.train` drives it with `fit`.
"""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from colorhelpers.training.config import TrainConfig
from colorhelpers.training.distribute import worker_count
from colorhelpers.training.recipe import discriminator_for, dtype_policy, generator_for, optimizer_for


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
    gan.compile(optimizer_for(config, averaged=True), optimizer_for(config), jit_compile=config.jit_compile)
    # Create the optimizers' slots now, so a checkpoint can be restored into them.
    gan.generator_optimizer.build(generator.trainable_variables)
    gan.discriminator_optimizer.build(discriminator.trainable_variables)
    return gan

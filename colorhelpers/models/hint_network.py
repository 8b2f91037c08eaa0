"""Hints as extra generator inputs (Zhang et al. 2017): the U-Net sees L, hint ab and a hint mask.

Taught in notebooks/09_hints, where it is compared with propagation (colorhelpers.hints.propagation).

The naive version (hint channels, small data, L1 only, trained from scratch) barely uses
its hints: with 432 images, predicting the usual colors from L lowers the L1 loss almost as
much, and a few hint pixels are a tiny share of the loss. Three changes, all here:

1. warm start: every layer starts from the trained automatic generator; the first
   convolution's new input channels start at zero, so before fine-tuning the network is
   exactly the automatic one and with no hints stays close to it;
2. hints simulated as in the evaluation protocol (chroma-weighted points with the truth's
   3x3 mean color), 0 to `MAX_TRAIN_HINTS` per image, a new draw every step;
3. the L1 loss weighted `NEAR_HINT_WEIGHT` times more within a few pixels of each hint, so
   that ignoring a hint costs far more than it does in the plain mean.
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from colorhelpers.data.pipeline import training_batches
from colorhelpers.models.pix2pix import _down, build_generator, decoder_block, generator_widths, pix2pix_init

#: Hints per training image: drawn uniformly from 0 to this.
MAX_TRAIN_HINTS = 24
#: L1 weight of the pixels within `NEAR_HINT_RADIUS` of a hint, relative to the others.
NEAR_HINT_WEIGHT = 10.0
NEAR_HINT_RADIUS = 4


def build_hint_generator(image_size: int, filters: int = 32, dropout: float = 0.5,
                         hint_scale: float = 1.0, max_filters: int | None = None) -> keras.Model:
    """`models.build_generator`'s U-Net with inputs L [s, s, 1] and hints [s, s, 3] (ab, mask).

    `hint_scale` multiplies the hint channels on the way in: with the new weights starting
    at zero, a larger input makes them learn that much faster relative to the rest.
    """
    depth = int(math.log2(image_size))
    widths = generator_widths(image_size, filters, max_filters)
    l_input = keras.Input((image_size, image_size, 1), name="l")
    hint_input = keras.Input((image_size, image_size, 3), name="hints")
    x = layers.Concatenate()([l_input, layers.Rescaling(hint_scale)(hint_input)])
    skips = []
    for i, width in enumerate(widths):
        x = _down(x, width, normalize=0 < i < depth - 1)
        skips.append(x)
    for i, (width, skip) in enumerate(zip(reversed(widths[:-1]), reversed(skips[:-1]))):
        x = decoder_block(x, skip, width, dropout if i < 3 else 0.0)
    x = layers.Conv2DTranspose(2, 4, strides=2, padding="same", kernel_initializer=pix2pix_init())(x)
    ab = layers.Activation("tanh", dtype="float32", name="ab")(x)
    return keras.Model([l_input, hint_input], ab, name="hint_generator")


def hint_generator_like(automatic: keras.Model, image_size: int, hint_scale: float = 1.0) -> keras.Model:
    """A hint generator with the same widths as `automatic`, so `warm_start` can copy it."""
    convs = [layer for layer in automatic.layers if type(layer) is layers.Conv2D]
    return build_hint_generator(image_size, convs[0].filters, hint_scale=hint_scale,
                                max_filters=max(conv.filters for conv in convs))


def warm_start(hint_generator: keras.Model, automatic: keras.Model) -> None:
    """Copy the automatic generator's weights; the new input channels of the first conv start at 0."""
    mine = [layer for layer in hint_generator.layers if layer.weights]
    theirs = [layer for layer in automatic.layers if layer.weights]
    for new, old in zip(mine, theirs, strict=True):
        weights = old.get_weights()
        target = new.get_weights()
        if weights[0].shape != target[0].shape:  # the first conv: [4, 4, 1, f] -> [4, 4, 4, f]
            kernel = np.zeros(target[0].shape, weights[0].dtype)
            kernel[:, :, :1] = weights[0]
            weights = [kernel, *weights[1:]]
        new.set_weights(weights)


def simulate_hint_channels(ab: tf.Tensor, max_hints: int = MAX_TRAIN_HINTS,
                           seed: tf.Tensor | None = None) -> tf.Tensor:
    """Hint channels [b, s, s, 3] for a batch of true ab: chroma-weighted points, 3x3 mean color.

    Each pixel is a hint with probability k * chroma / sum(chroma), k uniform in 0..max_hints,
    which places about k hints the way the evaluation's protocol does, all in TensorFlow.
    """
    batch = tf.shape(ab)[0]
    chroma = tf.norm(ab, axis=-1, keepdims=True) + 1e-3
    k = tf.random.uniform([batch, 1, 1, 1], 0, max_hints + 1, dtype=tf.int32)
    chance = tf.cast(k, tf.float32) * chroma / tf.reduce_sum(chroma, axis=[1, 2, 3], keepdims=True)
    mask = tf.cast(tf.random.uniform(tf.shape(chroma)) < chance, tf.float32)
    mean_ab = tf.nn.avg_pool2d(ab, 3, 1, "SAME")
    return tf.concat([mean_ab * mask, mask], axis=-1)


def train_hint_generator(paths: list[Path], automatic: keras.Model, out: Path, size: int, epochs: int,
                         batch_size: int = 16, seed: int = 0, learning_rate: float = 1e-4,
                         near_weight: float = NEAR_HINT_WEIGHT, hint_scale: float = 1.0) -> keras.Model:
    """Fine-tune a hint generator from `automatic` (or load `out` if it was trained already)."""
    model = hint_generator_like(automatic, size, hint_scale)
    out = Path(out)
    if out.exists():
        model.load_weights(out)
        return model
    warm_start(model, automatic)
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5)
    batches = training_batches(paths, size, batch_size, seed)
    near = 2 * NEAR_HINT_RADIUS + 1

    @tf.function
    def step(l_norm, ab):
        hints = simulate_hint_channels(ab)
        weight = 1.0 + near_weight * tf.nn.max_pool2d(hints[..., 2:], near, 1, "SAME")
        with tf.GradientTape() as tape:
            pred = model([l_norm, hints], training=True)
            loss = tf.reduce_sum(weight * tf.abs(pred - ab)) / tf.reduce_sum(weight) / 2.0
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                      model.trainable_variables))
        return loss

    for _, (l_norm, ab) in zip(range(epochs * (len(paths) // batch_size)), batches):
        step(l_norm, ab)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(out)
    return model


__all__ = ["build_generator", "build_hint_generator", "hint_generator_like", "simulate_hint_channels",
           "train_hint_generator", "warm_start"]

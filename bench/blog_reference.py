"""A faithful re-implementation of the blog post's approach, for benchmarking only.

The blog post colorgan grew from ("Color-GAN with Auto-Coloring on Animated Gray Images",
2022) is the baseline colorgan is compared against. This module re-creates, in fresh code,
what that post *does*, so that `bench/bench.py` can time it next to colorgan on the same
machine:

- its input pipeline: `Dataset.list_files` -> read + `decode_jpeg` + resize -> /255,
  random flip, Lab through `tf.numpy_function(skimage.color.rgb2lab)`, a second
  `tf.numpy_function` for the [-1, 1] scaling -> `shuffle(100)` -> `batch`, consumed
  through a Python generator; sequential maps, no cache, no prefetch;
- its networks: a U-Net of 3x3 stride-2 conv blocks (64, 128, 256, 512; BN + LeakyReLU 0.2)
  and up blocks (3x3 stride-2 transposed conv, concat, two 3x3 ReLU convs) at 256, 128, 64,
  a final up block to 2 channels concatenated with the input, then tanh; a discriminator of
  ZeroPadding + 4x4 convs (64, 128, 256 stride 2; 512 and 1 stride 1) that sees ab only;
- its training loop: eager (no `tf.function`), one persistent `GradientTape`, least-squares
  (MSE) adversarial losses, 100 x MAE, Adam(2e-4, beta_1=0.5) for both networks, models
  called without `training=True`, as in the post;
- its inference: per image, `cv2.resize` (cubic) to the model size, `rgb2lab` in numpy,
  `gen.predict` on a batch of one, `lab2rgb`, `cv2.resize` back to the original size.

Everything is parameterised by the image size (the post hard-coded 256; the discriminator's
input size is taken from `size` here). The figures and layer sizes come from the post;
the code is written anew.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import keras
import numpy as np
import tensorflow as tf
from keras import layers
from skimage.color import lab2rgb, rgb2lab

BUFFER_SIZE = 100
BATCH_SIZE = 16
L1_LAMBDA = 100.0


# --------------------------------------------------------------------------- data pipeline


def _scale_lab(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lab -> (L in [-1, 1] with a channel axis, ab / 110), both float32 (numpy side)."""
    lab = np.asarray(lab, dtype=np.float32)
    lightness = (lab[:, :, 0] / np.float32(50.0) - np.float32(1.0))[:, :, None]
    ab = lab[:, :, 1:3] / np.float32(110.0)
    return lightness.astype(np.float32), ab.astype(np.float32)


def _unscale_lab(lightness: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """Inverse of `_scale_lab`: join scaled L [h, w, 1] and ab [h, w, 2] into Lab [h, w, 3]."""
    return np.concatenate([(lightness + 1.0) * 50.0, ab * 110.0], axis=-1)


def _rgb2lab_float32(rgb: np.ndarray) -> np.ndarray:
    return rgb2lab(rgb).astype(np.float32)


def make_dataset(folder: Path | str, size: int, batch_size: int = BATCH_SIZE) -> tf.data.Dataset:
    """The blog post's pipeline for one epoch, built anew each epoch as the post did."""

    def load(path):
        data = tf.io.read_file(path)
        image = tf.image.decode_jpeg(data, channels=3)
        return tf.image.resize(image, (size, size))  # float32, still 0..255

    def to_l_ab(image):
        image = tf.cast(image, tf.float32) / 255.0
        image = tf.image.random_flip_left_right(image)
        lab = tf.numpy_function(_rgb2lab_float32, [image], tf.float32)
        lightness, ab = tf.numpy_function(_scale_lab, [lab], [tf.float32, tf.float32])
        return lightness, ab

    return (
        tf.data.Dataset.list_files(f"{folder}/*.jpg")
        .map(load)
        .map(to_l_ab)
        .shuffle(BUFFER_SIZE)
        .batch(batch_size)
    )


def data_generator(folder: Path | str, size: int, batch_size: int = BATCH_SIZE) -> Iterator:
    """One epoch of (L, ab) batches through a Python generator, like the post's loop used."""
    return (batch for batch in iter(make_dataset(folder, size, batch_size)))


def endless_batches(folder: Path | str, size: int, batch_size: int = BATCH_SIZE) -> Iterator:
    """(L, ab) batches for as many epochs as asked, each epoch a fresh generator as in the post."""
    while True:
        yield from data_generator(folder, size, batch_size)


# --------------------------------------------------------------------------- networks


def _down(x, filters: int, initializer=None):
    kwargs = {"kernel_initializer": initializer} if initializer is not None else {}
    x = layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False, **kwargs)(x)
    x = layers.BatchNormalization()(x)
    return layers.LeakyReLU(0.2)(x)


def _up(x, skip, filters: int):
    x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same")(x)
    x = layers.Concatenate(axis=-1)([x, skip])
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return layers.Conv2D(filters, 3, padding="same", activation="relu")(x)


def get_generator(size: int) -> keras.Model:
    """The blog post's U-Net: L [size, size, 1] -> ab [size, size, 2]."""
    l_in = keras.Input((size, size, 1))
    d1 = _down(l_in, 64, keras.initializers.HeNormal())
    d2 = _down(d1, 128)
    d3 = _down(d2, 256)
    d4 = _down(d3, 512)
    u3 = _up(d4, d3, 256)
    u2 = _up(u3, d2, 128)
    u1 = _up(u2, d1, 64)
    out = _up(u1, l_in, 2)
    out = layers.Activation("tanh")(out)
    return keras.Model(l_in, out, name="blog_generator")


def get_discriminator(size: int) -> keras.Model:
    """The blog post's patch discriminator on ab only (it never sees L)."""
    ab_in = keras.Input((size, size, 2))
    x = ab_in
    for i, (filters, stride) in enumerate(((64, 2), (128, 2), (256, 2), (512, 1))):
        x = layers.ZeroPadding2D((1, 1))(x)
        x = layers.Conv2D(filters, 4, strides=stride, padding="same", use_bias=False)(x)
        if i > 0:
            x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.ZeroPadding2D((1, 1))(x)
    x = layers.Conv2D(1, 4, strides=1, padding="same")(x)
    return keras.Model(ab_in, x, name="blog_discriminator")


# --------------------------------------------------------------------------- training


class BlogTrainer:
    """The post's eager training loop, one batch at a time."""

    def __init__(self, size: int):
        self.gen = get_generator(size)
        self.disc = get_discriminator(size)
        self.gen_opt = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5, beta_2=0.999)
        self.disc_opt = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5, beta_2=0.999)
        self.mse = keras.losses.MeanSquaredError()
        self.mae = keras.losses.MeanAbsoluteError()

    def step(self, lightness, ab) -> tuple[tf.Tensor, tf.Tensor]:
        """One eager update of both networks on a batch; returns (gen_loss, disc_loss)."""
        with tf.GradientTape(persistent=True) as tape:
            fake_ab = self.gen(lightness)  # no training=True, as in the post
            critic_fake = self.disc(fake_ab)
            critic_real = self.disc(ab)
            gen_loss = self.mse(tf.ones_like(critic_fake), critic_fake) + L1_LAMBDA * self.mae(ab, fake_ab)
            disc_loss = 0.5 * self.mse(tf.zeros_like(critic_fake), critic_fake) + 0.5 * self.mse(
                tf.ones_like(critic_real), critic_real
            )
        gen_grads = tape.gradient(gen_loss, self.gen.trainable_variables)
        disc_grads = tape.gradient(disc_loss, self.disc.trainable_variables)
        del tape
        self.gen_opt.apply_gradients(zip(gen_grads, self.gen.trainable_variables))
        self.disc_opt.apply_gradients(zip(disc_grads, self.disc.trainable_variables))
        return gen_loss, disc_loss


# --------------------------------------------------------------------------- inference


def read_gray3(path: Path | str) -> np.ndarray:
    """The post's input for colorizing: the file read as gray, repeated over 3 channels."""
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    return np.repeat(gray[:, :, None], 3, axis=-1)


def colorize_gray3(gen: keras.Model, gray3: np.ndarray, size: int) -> np.ndarray:
    """Colorize one uint8 gray image [h, w, 3] the post's way; uint8 RGB [h, w, 3] out.

    (`gen.predict` is called with verbose=0; the post let it print a progress bar per image.)
    """
    original = (gray3.shape[1], gray3.shape[0])
    small = cv2.resize(gray3, dsize=(size, size), interpolation=cv2.INTER_CUBIC) / 255.0
    lightness, _ = _scale_lab(rgb2lab(small).astype(np.float32))
    ab = gen.predict(np.array([lightness]), verbose=0)[0]
    rgb = (lab2rgb(_unscale_lab(lightness, ab)) * 255).astype(np.uint8)
    return cv2.resize(rgb, dsize=original, interpolation=cv2.INTER_CUBIC)


def colorize_file(gen: keras.Model, path: Path | str, size: int) -> np.ndarray:
    """Read one file and colorize it, as the post's `visualize_result` did (without plotting)."""
    return colorize_gray3(gen, read_gray3(path), size)

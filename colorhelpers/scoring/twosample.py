"""A machine judge of "looks hand-colored": a classifier two-sample test on color patches.

Taught in notebooks/05_evaluation. PSNR and CIEDE2000 compare a colorization with one true
answer, so they punish a plausible blue shirt that was red in the original and reward a dull
one. Lopez-Paz and Oquab ("Revisiting classifier two-sample tests", ICLR 2017) ask instead
whether the two sets can be told apart at all: a small critic, trained afresh for each
verdict and apart from any GAN, learns to tell real colored patches from a model's on half of
the images and is scored on patches of the other half. Its held-out accuracy is the verdict:
50 % means indistinguishable, 100 % means every patch gives the model away. A few seeds (each
its own split, patch positions and critic) give the verdict's spread.

What the critic sees, and why:
- Both sets are the SAME drawings: the real image, and a model's ab on that image's own L.
  Patches are cut at the same positions from both, so content cannot tell them apart, only
  color can.
- It sees Lab, not RGB: L is the drawing itself, the same in both sets (up to where a color
  out of gamut was clipped, which is the colors' doing), so it carries no signal alone, yet
  it tells the critic where the hair and the skin are, so it can judge colors in context.
- Both sets go through the same uint8 conversion first, so rounding cannot give either away:
  the truth's own ab on its L, sent the road a model's colors take, must score about 50 %.
- The split is by image: no patch of a test image is seen in training, so the critic cannot
  win by memorizing pictures.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from colorhelpers.color.lab import normalize_lab, rgb_to_lab
from colorhelpers.scoring.plotting import to_uint8


@dataclass(frozen=True)
class JudgeResult:
    """The critic's held-out accuracy per seed (0.5: real and fake cannot be told apart)."""

    seeds: tuple[int, ...]
    accuracies: tuple[float, ...]
    test_patches: int  # per seed, real and fake together
    seconds: float  # wall time per seed, averaged

    @property
    def mean(self) -> float:
        return float(np.mean(self.accuracies))

    @property
    def std(self) -> float:
        """Spread over seeds (sample standard deviation; 0 for one seed)."""
        return float(np.std(self.accuracies, ddof=1)) if len(self.accuracies) > 1 else 0.0

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.accuracies), max(self.accuracies)

    @property
    def chance_sd(self) -> float:
        """The standard deviation of a coin's accuracy on `test_patches` independent patches:
        a yardstick for how far chance alone moves one seed's figure from 50 %. Not a bound:
        patches of one image are alike, which widens it (on 8 images, seeds of two real sets
        spread about 1.5x as far), and a real and a fake patch that a critic cannot tell
        apart are one right and one wrong, which narrows it."""
        return 0.5 / np.sqrt(self.test_patches)

    def __str__(self) -> str:
        seeds = ", ".join(f"{a:.1%}" for a in self.accuracies)
        return (f"{self.mean:.1%} ± {self.std:.1%} (seeds {seeds}; {self.test_patches} test patches "
                f"per seed, chance ± {self.chance_sd:.1%}; 50% = indistinguishable)")


def split_images(count: int, seed: int, test_share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Image indices for training the critic and for testing it, disjoint, drawn by `seed`.

    >>> train, test = split_images(8, seed=0)
    >>> len(train), len(test), sorted(set(train) | set(test)) == list(range(8))
    (4, 4, True)
    """
    if count < 2:
        raise ValueError(f"the judge needs at least 2 images (one to train on, one to test), got {count}")
    order = np.random.default_rng(seed).permutation(count)
    n_test = min(max(1, round(count * test_share)), count - 1)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def to_lab_scaled(rgb: np.ndarray) -> np.ndarray:
    """uint8 (or [0, 1] float) RGB images to Lab scaled to about [-1, 1], via uint8 always, so
    two sets converted here have been rounded the same way."""
    rgb = np.asarray(rgb)
    rgb8 = rgb if rgb.dtype == np.uint8 else to_uint8(rgb)
    l_norm, ab_norm = normalize_lab(rgb_to_lab(rgb8.astype(np.float32) / 255.0))
    return np.concatenate([np.asarray(l_norm), np.asarray(ab_norm)], axis=-1)


def paired_patches(real: np.ndarray, fake: np.ndarray, images: np.ndarray, per_image: int, patch: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`per_image` patches from each of `images`, cut at the same random positions from the
    real and the fake image; (patches, labels) with label 0 for real and 1 for fake."""
    _, height, width, _ = real.shape
    tops = rng.integers(0, height - patch + 1, (len(images), per_image))
    lefts = rng.integers(0, width - patch + 1, (len(images), per_image))
    cuts = [(i, t, s) for i, row_t, row_s in zip(images, tops, lefts) for t, s in zip(row_t, row_s)]
    x = np.stack([source[i, t:t + patch, s:s + patch] for source in (real, fake) for i, t, s in cuts])
    y = np.repeat(np.array([0.0, 1.0], np.float32), len(cuts))
    return x.astype(np.float32), y


def build_critic(patch: int, seed: int, filters: int = 16) -> keras.Model:
    """A small conv net, patch -> one logit (fake if > 0). Three strided convolutions see the
    whole patch; no batch norm or dropout, so a seed fixes it, and training it is quick."""
    def init(k: int) -> keras.initializers.Initializer:
        return keras.initializers.GlorotUniform(seed=seed * 10 + k)  # seeded per layer: reproducible

    inputs = keras.Input((patch, patch, 3))
    x = inputs
    for k, width in enumerate((filters, 2 * filters, 4 * filters)):
        x = keras.layers.Conv2D(width, 3, strides=2, padding="same", kernel_initializer=init(k))(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)  # the share of telltale places, anywhere in the patch
    outputs = keras.layers.Dense(1, kernel_initializer=init(9))(x)
    return keras.Model(inputs, outputs, name="critic")


def batch_rows(count: int, steps: int, batch_size: int, rng: np.random.Generator) -> np.ndarray:
    """[steps, batch_size] indices into `count` examples: passes in a fresh random order each,
    as many as the steps need, so a small set is seen more often than a large one.

    >>> batch_rows(3, steps=2, batch_size=3, rng=np.random.default_rng(0)).shape
    (2, 3)
    """
    passes = -(-steps * batch_size // count)
    order = np.concatenate([rng.permutation(count) for _ in range(passes)])
    return order[:steps * batch_size].reshape(steps, batch_size)


def critic_accuracy(real: np.ndarray, fake: np.ndarray, seed: int, *, patch: int = 32,
                    per_image: int = 64, steps: int = 300, batch_size: int = 64,
                    test_share: float = 0.5) -> tuple[float, int]:
    """One seed's verdict on scaled Lab images: (held-out accuracy, test patches).

    The critic trains for a fixed number of steps rather than epochs, so its effort, and the
    judge's time, do not shrink with the number of images (8 images get many passes)."""
    rng = np.random.default_rng(seed)
    train, test = split_images(len(real), seed, test_share)
    x_train, y_train = paired_patches(real, fake, train, per_image, patch, rng)
    x_test, y_test = paired_patches(real, fake, test, per_image, patch, rng)
    critic = build_critic(patch, seed)
    critic.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=False,
                   loss=keras.losses.BinaryCrossentropy(from_logits=True))
    # Batches drawn here with the seed's generator (fit's shuffle would draw from TensorFlow's).
    for rows in batch_rows(len(x_train), steps, batch_size, rng):
        critic.train_on_batch(x_train[rows], y_train[rows])
    logits = critic.predict(x_test, batch_size=256, verbose=0)[:, 0]
    return float(np.mean((logits > 0) == (y_test > 0.5))), len(y_test)


def judge(real_rgb: np.ndarray, fake_rgb: np.ndarray, *, seeds: Sequence[int] = (0, 1, 2),
          patch: int = 32, per_image: int = 64, steps: int = 300, test_share: float = 0.5) -> JudgeResult:
    """Can a fresh critic tell `fake_rgb` from `real_rgb`? Held-out accuracy over `seeds`.

    Both are [n, h, w, 3] RGB batches (uint8, or floats in [0, 1] rounded to uint8 here) of the
    same drawings in the same order: the truth, and a model's colors on the truth's lightness.
    Each seed splits the images in two (`test_share` of them for testing), cuts `per_image`
    `patch`-pixel patches per image at random positions (the same ones in both sets), trains
    a critic for `steps` batches of 64 and scores it on the test images' patches. 50 % is
    indistinguishable. 4 to 12 s per seed on 60 images of 128 px on 2 CPU cores kept busy by
    another job (bench/judge.py).
    """
    real_rgb, fake_rgb = np.asarray(real_rgb), np.asarray(fake_rgb)
    if real_rgb.shape != fake_rgb.shape or real_rgb.ndim != 4 or real_rgb.shape[-1] != 3:
        raise ValueError(f"real and fake must be [n, h, w, 3] of one shape, got {real_rgb.shape} "
                         f"and {fake_rgb.shape}")
    if min(real_rgb.shape[1:3]) < patch:
        raise ValueError(f"images of {real_rgb.shape[1:3]} pixels are smaller than a {patch} px patch")
    real, fake = to_lab_scaled(real_rgb), to_lab_scaled(fake_rgb)
    accuracies, test_patches, start = [], 0, time.perf_counter()
    for seed in seeds:
        accuracy, test_patches = critic_accuracy(real, fake, seed, patch=patch, per_image=per_image,
                                                 steps=steps, test_share=test_share)
        accuracies.append(accuracy)
    seconds = (time.perf_counter() - start) / max(len(seeds), 1)
    return JudgeResult(tuple(seeds), tuple(accuracies), test_patches, seconds)

"""Where a pix2pix generator's randomness comes from: a noise channel, or dropout.

Taught in notebooks/06_training_with_noise.

A conditional GAN learns G(L, z): for one gray drawing, a random z should pick one of the
many plausible colorings. Isola et al. (2017, section 3.1) tried the textbook way, z as
an extra input, and found that the generator learned to ignore it; their final models get
their randomness from dropout in the decoder instead. `NoiseChannel` is the textbook way,
so the notebook can train both and compare.
"""

from __future__ import annotations

import keras
from keras import ops

from colorhelpers.color.lab import AB_SCALE


class NoiseChannel(keras.layers.Layer):
    """Append one channel of noise to an image tensor: N(0, 1) in training, zeros at inference.

    Zeros (the noise's mean) at inference make colorizing deterministic, so a picture and
    its metrics do not change from one call to the next.

    >>> layer = NoiseChannel(seed=0)
    >>> x = ops.ones((2, 4, 4, 1))
    >>> tuple(layer(x).shape), float(ops.sum(layer(x)[..., 1]))
    ((2, 4, 4, 2), 0.0)
    >>> round(float(ops.std(layer(ops.ones((2, 64, 64, 1)), training=True)[..., 1])), 1)
    1.0
    """

    def __init__(self, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        # A tracked variable: checkpoints restore the noise stream with the weights.
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training: bool = False):
        shape = (*ops.shape(x)[:-1], 1)
        if training:
            noise = keras.random.normal(shape, seed=self.seed_generator, dtype=x.dtype)
        else:
            noise = ops.zeros(shape, dtype=x.dtype)
        return ops.concatenate([x, noise], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed}


def output_spread(generator: keras.Model, l_norm, draws: int = 8) -> float:
    """How much the colors change from one draw of the noise to the next, in ab units.

    The generator runs `draws` times in training mode (dropout on, a fresh noise channel),
    and the standard deviation of each predicted a and b across the draws is averaged
    over pixels. 0 means the generator ignores its noise. Training mode also makes batch
    norm use the batch's statistics and update its moving ones; the weights are restored
    afterwards, so the generator is left as it was.
    """
    saved = generator.get_weights()
    try:
        outputs = ops.stack([generator(l_norm, training=True) for _ in range(draws)])
    finally:
        generator.set_weights(saved)
    return float(ops.mean(ops.std(outputs, axis=0))) * AB_SCALE

"""The two networks of pix2pix: a U-Net generator and a PatchGAN discriminator.

Taught in notebooks/03_models.

Both follow Isola et al. 2017 ("Image-to-Image Translation with Conditional Adversarial
Networks"): 4x4 convolutions with stride 2, batch norm, LeakyReLU(0.2) going down,
ReLU coming up, weights drawn from N(0, 0.02). The generator maps L ([-1, 1], one channel)
to ab ([-1, 1], two channels); the discriminator scores overlapping patches of an image as
real or fake, and by default it sees the L channel too (it is *conditional*).
"""

from __future__ import annotations

import math

import keras
from keras import layers

from colorhelpers.models.noise import NoiseChannel

_INIT_STDDEV = 0.02
#: Batch norm's moving statistics follow each batch's with this weight left on the old value.
#: Keras' default, 0.99, averages over the last ~100 steps: in a run of a few hundred steps
#: the weights change faster than that, the statistics lag behind, and the generator in
#: inference mode paints tinted, wrong colors (held-out CIEDE2000 swung between 7 and 16
#: from epoch to epoch in a measured L1-only run; with 0.9 it stayed between 5.7 and 7.3).
BATCH_NORM_MOMENTUM = 0.9


def pix2pix_init() -> keras.initializers.Initializer:
    """pix2pix's weight initialization, N(0, 0.02): small outputs, so training starts near gray."""
    return keras.initializers.RandomNormal(0.0, _INIT_STDDEV)


def batch_norm() -> layers.BatchNormalization:
    """colorgan's batch normalization (see BATCH_NORM_MOMENTUM)."""
    # synchronized: under tf.distribute the statistics are those of the global batch, so
    # training on several devices matches training on one. A no-op on a single device.
    return layers.BatchNormalization(synchronized=True, momentum=BATCH_NORM_MOMENTUM)


def _down(x, filters: int, normalize: bool = True):
    x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not normalize,
                      kernel_initializer=pix2pix_init())(x)
    if normalize:
        x = batch_norm()(x)
    return layers.LeakyReLU(0.2)(x)


def decoder_block(x, skip, filters: int, dropout: float):
    """Upsample 2x (transposed conv, batch norm, dropout, ReLU), then concatenate `skip`."""
    x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                               kernel_initializer=pix2pix_init())(x)
    x = batch_norm()(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    x = layers.ReLU()(x)
    return layers.Concatenate()([x, skip])


def generator_widths(image_size: int, filters: int, max_filters: int | None = None) -> list[int]:
    """The encoder's filters per halving: doubling from `filters`, up to 8 x `filters` (pix2pix)
    or `max_filters` if lower.

    >>> generator_widths(128, 32, 128)
    [32, 64, 128, 128, 128, 128, 128]
    """
    widest = filters * 8 if max_filters is None else min(max_filters, filters * 8)
    return [min(filters * 2**i, widest) for i in range(int(math.log2(image_size)))]


def build_generator(
    image_size: int,
    filters: int = 32,
    head: str = "tanh",
    dropout: float = 0.5,
    noise_channel: bool = False,
    max_filters: int | None = None,
    any_size: bool = False,
    outputs: int = 2,
) -> keras.Model:
    """U-Net from L [size, size, 1] to ab [size, size, 2], both in [-1, 1].

    The encoder halves the image down to 1x1 (log2(size) steps), doubling the filters up
    to 8 x `filters` (pix2pix) or to `max_filters` if that is lower; the decoder mirrors it
    and concatenates the encoder's feature map of
    the same size (the skip connections carry the edges of the drawing straight across).
    Dropout on the three innermost decoder blocks is pix2pix's source of noise;
    `noise_channel=True` adds the textbook one, a channel of N(0, 1) noise next to L
    (see `colorhelpers.models.noise`).

    `head="tanh"` ends in one transposed convolution and tanh, so ab can take either sign.
    `head="relu_convs"` reproduces the blog post's ending: two ReLU convolutions before the tanh,
    which makes every predicted a and b >= 0 (no greens, no blues). Kept for comparison.

    `any_size=True` accepts any height and width that are multiples of `image_size` (every
    layer is a convolution), which is how non-square images are colorized undistorted.
    `outputs=3` predicts L as well as ab (Lab), for line art, whose own lightness is the
    paper's white (notebooks/11_line_art).
    """
    # Shapes below are for the default 128 px, 32 filters and at most 128, batch dimension first.
    depth = int(math.log2(image_size))  # 7 halvings: 128 -> 1
    widths = generator_widths(image_size, filters, max_filters)  # [32, 64, 128, 128, 128, 128, 128]
    side = None if any_size else image_size
    l_input = keras.Input((side, side, 1), name="l")  # (batch, 128, 128, 1)
    x = NoiseChannel(name="noise")(l_input) if noise_channel else l_input
    skips = []
    for i, width in enumerate(widths):
        # No batch norm on the first block (pix2pix) nor at 1x1, where it would see one value.
        x = _down(x, width, normalize=0 < i < depth - 1)
        skips.append(x)  # (batch, 64, 64, 32), (batch, 32, 32, 64), ..., (batch, 1, 1, 128)
    for i, (width, skip) in enumerate(zip(reversed(widths[:-1]), reversed(skips[:-1]))):
        # Up 2x, then the encoder's map of that size is concatenated: twice the channels.
        # (batch, 2, 2, 256), (batch, 4, 4, 256), ..., (batch, 64, 64, 64)
        x = decoder_block(x, skip, width, dropout if i < 3 else 0.0)
    # The last transposed convolution reaches full size with the two channels a and b (or L, a, b).
    x = layers.Conv2DTranspose(outputs, 4, strides=2, padding="same",
                               kernel_initializer=pix2pix_init())(x)  # (batch, 128, 128, 2), or 3
    if head == "relu_convs":
        x = layers.Concatenate()([x, l_input])
        x = layers.Conv2D(outputs, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(outputs, 3, padding="same", activation="relu")(x)
    elif head != "tanh":
        raise ValueError(f"head must be 'tanh' or 'relu_convs', got {head!r}")
    # float32 output even under mixed precision: the loss needs the full range and precision.
    ab = layers.Activation("tanh", dtype="float32", name="ab" if outputs == 2 else "lab")(x)
    return keras.Model(l_input, ab, name="generator")


def build_discriminator(
    image_size: int,
    filters: int = 32,
    n_layers: int = 3,
    conditional: bool = True,
    colors: int = 2,
) -> keras.Model:
    """PatchGAN: one real/fake logit per overlapping patch of the image.

    Inputs are `[l, ab]`. With `conditional=True` (pix2pix) the network sees L and ab
    together, so it can judge whether the colors fit the drawing; with `conditional=False`
    (the blog post) it ignores L and judges ab alone, which only asks "do these look like
    colors?". With 3 layers each logit sees a 70x70 pixel patch, as in pix2pix. `colors=3`
    judges a Lab prediction (line art) instead of ab.
    """
    # Shapes below are for the default 128 px, 32 filters and 3 layers.
    l_input = keras.Input((image_size, image_size, 1), name="l")  # (batch, 128, 128, 1)
    ab_input = keras.Input((image_size, image_size, colors), name="ab")  # (batch, 128, 128, 2)
    x = layers.Concatenate()([l_input, ab_input]) if conditional else ab_input  # (batch, 128, 128, 3)
    x = _down(x, filters, normalize=False)  # (batch, 64, 64, 32)
    for i in range(1, n_layers):
        x = _down(x, filters * min(2**i, 8))  # (batch, 32, 32, 64), then (batch, 16, 16, 128)
    x = layers.Conv2D(filters * min(2**n_layers, 8), 4, padding="same", use_bias=False,
                      kernel_initializer=pix2pix_init())(x)  # (batch, 16, 16, 256)
    x = layers.LeakyReLU(0.2)(batch_norm()(x))
    logits = layers.Conv2D(1, 4, padding="same", kernel_initializer=pix2pix_init(), dtype="float32",
                           name="patch_logits")(x)  # (batch, 16, 16, 1): one logit per 70x70 patch
    name = "discriminator" if conditional else "unconditional_discriminator"
    return keras.Model([l_input, ab_input], logits, name=name)

"""A U-Net whose encoder is VGG-16, optionally with weights pretrained on ImageNet.

Taught in notebooks/07_pretrained_encoder.

A colorizer trained on a few hundred cartoons has to learn *what* is in the picture
(a face, a sky, a tiger) from those few hundred images. An encoder pretrained on the 1.2
million photos of ImageNet already knows a great deal of that. Here the five blocks of
VGG-16 (Simonyan and Zisserman 2015) replace the U-Net's encoder, and their last feature
maps become the skip connections of the same kind of decoder as in `colorhelpers.models`.

The encoder is frozen by default: only the decoder learns. With ImageNet weights that
keeps what VGG-16 learned and makes a training step about three times cheaper than
training the encoder too. With random weights the same run is a control: it shows how
much of a result comes from the pretrained features rather than from VGG-16's shape.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import keras
from keras import layers

from colorhelpers.models.pix2pix import decoder_block, pix2pix_init

#: Where Keras publishes VGG-16's ImageNet weights without the classifier, and their MD5.
VGG16_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
    "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
)
VGG16_WEIGHTS_MD5 = "6d6bbae143d832006294945121d1f1fc"
#: The last convolution of each VGG-16 block: feature maps at 1, 1/2, 1/4, 1/8 and 1/16 of
#: VGG-16's input size.
VGG16_TAPS = ("block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3")
#: The ImageNet mean that VGG-16's "caffe" preprocessing subtracts (B, G, R, on 0-255).
VGG16_MEAN_BGR = (103.939, 116.779, 123.68)


class PretrainedWeightsWarning(UserWarning):
    """Pretrained weights could not be had; the model goes on with random ones."""


def cached_imagenet_vgg16_weights(cache_dir: Path | str | None = None) -> Path | None:
    """VGG-16's ImageNet weights if an earlier `imagenet_vgg16_weights` left them in the cache
    (`cache_dir`/models, by default Keras' own), else None; never downloads."""
    root = Path(cache_dir) if cache_dir else Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    path = root / "models" / Path(VGG16_WEIGHTS_URL).name
    return path if path.is_file() else None


def imagenet_vgg16_weights(
    url: str | None = None, md5: str | None = None, cache_dir: Path | str | None = None
) -> Path | None:
    """Download (once) VGG-16's ImageNet weights into `cache_dir`/models; None if impossible.

    `url` and `md5` default to `VGG16_WEIGHTS_URL` and `VGG16_WEIGHTS_MD5`; a file whose
    checksum differs is refused. `cache_dir` defaults to Keras' own (~/.keras, or
    $KERAS_HOME), where `keras.applications` keeps its weights too. Without a network the
    download fails; rather than stopping a run, that is reported with a
    `PretrainedWeightsWarning` and None is returned, meaning "use random weights".
    """
    url = url or VGG16_WEIGHTS_URL
    md5 = md5 or VGG16_WEIGHTS_MD5
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)  # get_file falls back to /tmp otherwise
    try:
        return Path(keras.utils.get_file(Path(url).name, url, cache_subdir="models", file_hash=md5,
                                         cache_dir=None if cache_dir is None else str(cache_dir)))
    except Exception as err:  # keras.utils.get_file raises bare Exceptions for network errors
        warnings.warn(
            f"could not download VGG-16's ImageNet weights from {url} ({err}); "
            "continuing with randomly initialized weights",
            PretrainedWeightsWarning,
            stacklevel=2,
        )
        return None


def build_vgg16_generator(
    image_size: int,
    filters: int = 32,
    dropout: float = 0.5,
    weights_file: Path | str | None = None,
    trainable_encoder: bool = False,
) -> keras.Model:
    """U-Net from L [size, size, 1] to ab [size, size, 2] with VGG-16 as its encoder.

    VGG-16 sees the image at half its size: color varies slowly, and a quarter of the
    pixels makes the encoder, by far the largest part of the model, four times cheaper. Its
    five feature maps (1/2 to 1/32 of the image) feed the decoder; the full-size L joins the
    last decoder block as its skip connection, so the drawing's edges stay sharp.
    `image_size` must be at least 32.

    `weights_file` is a VGG-16 weights file without the classifier (as returned by
    `imagenet_vgg16_weights`), or None for random weights. The encoder is frozen unless
    `trainable_encoder` is set.
    """
    if image_size < 32:
        raise ValueError(f"the VGG-16 generator needs images of at least 32 px, got {image_size}")
    # Built for any input size: keras.applications refuses fixed sizes below 32 px, and the
    # 32 px test fixture gives VGG-16 16 px images (its deepest map is then 1x1).
    vgg = keras.applications.VGG16(include_top=False, weights=str(weights_file) if weights_file else None)
    encoder = keras.Model(vgg.input, [vgg.get_layer(name).output for name in VGG16_TAPS],
                          name="vgg16_encoder")
    encoder.trainable = trainable_encoder

    l_input = keras.Input((image_size, image_size, 1), name="l")
    # VGG-16 expects a BGR photo on 0-255 minus the ImageNet mean; a gray image has equal
    # channels, and lightness stands in for its gray level.
    gray = layers.Rescaling(127.5, offset=127.5, name="l_to_gray")(l_input)
    bgr = layers.Concatenate(name="gray_to_bgr")([gray, gray, gray])
    vgg_input = layers.Rescaling(1.0, offset=[-m for m in VGG16_MEAN_BGR], name="imagenet_mean")(bgr)
    half = layers.AveragePooling2D(2, name="half_size")(vgg_input)
    # VGG-16's ReLU features run into the hundreds; layer norm brings every pixel's features
    # to the scale the decoder expects (without it the tanh head saturates). Unlike batch
    # norm it keeps no running statistics, so it acts the same in training and inference.
    features = [layers.LayerNormalization(name=f"{name}_norm")(f)
                for name, f in zip(VGG16_TAPS, encoder(half))]

    x = features[-1]
    for i, skip in enumerate(reversed(features[:-1])):
        x = decoder_block(x, skip, filters * 2 ** (3 - i), dropout if i < 3 else 0.0)
    x = decoder_block(x, l_input, filters, 0.0)
    x = layers.Conv2D(2, 3, padding="same", kernel_initializer=pix2pix_init(), name="to_ab")(x)
    ab = layers.Activation("tanh", dtype="float32", name="ab")(x)
    return keras.Model(l_input, ab, name="vgg16_unet_generator")

"""From a config to the objects it describes: the networks, their optimizers, their dtype.

Taught in notebooks/04_training. One place builds what a `TrainConfig` describes, so that
training a run and reloading it later (`colorhelpers.evaluation`) can never build two
different models from the same config.json.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import keras

from colorhelpers.models.pix2pix import build_discriminator, build_generator
from colorhelpers.models.vgg16 import build_vgg16_generator, imagenet_vgg16_weights
from colorhelpers.training.config import TrainConfig
from colorhelpers.training.runs import RunDirectory, RunError


@contextlib.contextmanager
def dtype_policy(name: str) -> Iterator[None]:
    """Build layers under a Keras dtype policy without leaving it set globally."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def generator_for(config: TrainConfig, encoder_weights_file: Path | None = None,
                  any_size: bool = False) -> keras.Model:
    """The untrained generator a config describes (used to train it and to reload it).

    `encoder_weights_file` starts a VGG-16 encoder from pretrained weights; without it the
    encoder starts random (and reloading a trained run overwrites every weight anyway).
    `any_size` builds the U-Net for any multiple of the image size (the VGG-16 encoder stays
    square).
    """
    if config.encoder == "vgg16":
        return build_vgg16_generator(config.image_size, config.generator_filters, config.dropout,
                                     encoder_weights_file)
    return build_generator(config.image_size, config.generator_filters, config.generator_head,
                           config.dropout, config.noise_channel, config.generator_max_filters, any_size,
                           outputs=color_channels(config))


def discriminator_for(config: TrainConfig) -> keras.Model:
    """The untrained PatchGAN a config describes."""
    return build_discriminator(config.image_size, config.discriminator_filters,
                               config.discriminator_layers, config.conditional_discriminator,
                               colors=color_channels(config))


def color_channels(config: TrainConfig) -> int:
    """What the generator predicts: ab (2) for gray renders, L and ab (3) for line art."""
    return 3 if config.kind == "lineart" else 2


def optimizer_for(config: TrainConfig, averaged: bool = False) -> keras.optimizers.Optimizer:
    """pix2pix's Adam; under mixed_float16, wrapped to scale the loss (float16's range is small).
    `averaged` (the generator's): it also keeps the moving average `config.generator_average` asks for."""
    momentum = config.generator_average if averaged else 0.0
    optimizer = keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1, beta_2=config.beta_2,
                                      use_ema=momentum > 0, ema_momentum=momentum)
    if config.precision == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def with_encoder_weights(config: TrainConfig) -> tuple[TrainConfig, Path | None]:
    """The pretrained weights file the config asks for, and the config that says what was got.

    When ImageNet weights cannot be downloaded, the run goes on with random ones and its
    config.json says `"encoder_weights": "random"`, so nobody mistakes it for a pretrained run.
    """
    if config.encoder != "vgg16" or config.encoder_weights != "imagenet":
        return config, None
    weights_file = imagenet_vgg16_weights()
    return (config, weights_file) if weights_file else (config.replace(encoder_weights="random"), None)


def encoder_layers(generator: keras.Model) -> list[keras.layers.Layer]:
    """The U-Net's encoder: its layers before the first upsampling (the down path)."""
    layers = []
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Conv2DTranspose):
            break
        layers.append(layer)
    return layers


def start_encoder_from(generator: keras.Model, source: Path) -> int:
    """Copy the encoder of the last generator kept in the run directory `source` into
    `generator` (built from a config with the same encoder widths); the decoder keeps its
    fresh weights. Returns how many weights were copied; a RunError if `source` holds no
    finished run or an encoder of another shape."""
    run = RunDirectory(source)
    if not run.config_file.exists() or not run.saved_epochs():
        raise RunError(f"{source}: no trained run to take the encoder from; train it first")
    with dtype_policy("float16"):  # each epoch's generator file holds float16 weights
        trained = generator_for(run.read_config())
    trained.load_weights(run.generator_weights(run.saved_epochs()[-1]))
    copied = 0
    for mine, theirs in zip(encoder_layers(generator), encoder_layers(trained), strict=True):
        weights = theirs.get_weights()
        if [w.shape for w in weights] != [w.shape for w in mine.get_weights()]:
            raise RunError(f"{source}: its encoder has another shape than this run's ({mine.name})")
        mine.set_weights([w.astype("float32") for w in weights])
        copied += sum(w.size for w in weights)
    return copied

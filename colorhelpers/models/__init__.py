"""Part 3, the networks: pix2pix's U-Net and PatchGAN (notebooks/03_models), a noise channel
(06_training_with_noise), VGG-16 as the encoder (07_pretrained_encoder), and a U-Net that takes
hints as inputs (`hint_network`, 09_hints)."""

from colorhelpers.models.noise import NoiseChannel, output_spread
from colorhelpers.models.pix2pix import (
    BATCH_NORM_MOMENTUM,
    build_discriminator,
    build_generator,
    generator_widths,
)
from colorhelpers.models.vgg16 import build_vgg16_generator, imagenet_vgg16_weights

__all__ = ["BATCH_NORM_MOMENTUM", "NoiseChannel", "build_discriminator", "build_generator",
           "build_vgg16_generator", "generator_widths", "imagenet_vgg16_weights", "output_spread"]

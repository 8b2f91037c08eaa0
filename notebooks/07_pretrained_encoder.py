# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version,-jupytext.formats
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · A pretrained VGG-16 encoder
#
# **What you will learn**
#
# * why an encoder pretrained on ImageNet can help a colouriser trained on a few hundred
#   images;
# * how VGG-16's five blocks become the encoder of a U-Net, and how a one-channel L image
#   is fed to a network that expects a colour photo;
# * how the weights are downloaded (once, checked, cached), what happens without a network,
#   and how to tell which weights a run really used;
# * what the pretrained encoder costs and buys on the bundled cartoons.
#
# **Module taught:** `colorhelpers.pretrained` (`build_vgg16_generator`,
# `imagenet_vgg16_weights`).
#
# **Run time:** about 12 minutes on a 2-core CPU for the training run (VGG-16 is far larger
# than colorgan's own encoder), a few minutes on a GPU. The first run with a network also
# downloads 59 MB of weights.

# %% [markdown]
# Set-up: quiet TensorFlow, PNG figures, fixed seeds.

# %%
import os

import colorhelpers

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
colorhelpers.import_tensorflow_quietly()  # keeps TensorFlow's C++ start-up log out of this cell
import inspect
import warnings

import keras
import matplotlib.pyplot as plt
import tensorflow as tf
from PIL import Image

from colorhelpers import pretrained
from colorhelpers.ablation import Variant, format_table, run_of, run_variants
from colorhelpers.config import tutorial_settings
from colorhelpers.data import find_images

# %config InlineBackend.figure_formats = ["png"]
tf.get_logger().setLevel("ERROR")  # several runs in one process: TF warns of harmless "retracing"
keras.utils.set_random_seed(0)  # same initial decoder weights on every run
settings = tutorial_settings()
config = settings.config
print("fixture mode" if settings.fixture else "full run", f"({config.image_size} px)")

# %% [markdown]
# ## Why a pretrained encoder?
#
# To colour a drawing, the generator must first recognise what is drawn: skin is not
# coloured like fur, nor sky like water. colorgan's own encoder learns that from the
# training images alone, a few hundred cartoons here. VGG-16 (Simonyan and Zisserman 2015)
# learned to tell 1,000 kinds of objects apart on 1.2 million ImageNet photos; its
# convolutional blocks compute features (edges, textures, parts of objects) that transfer
# to other images. Using them as the U-Net's encoder is the seed post's second unfinished
# section, and a common step in colourisation work (DeOldify, Shariatnia's tutorial with a
# pretrained ResNet).
#
# ## VGG-16 as a U-Net encoder
#
# VGG-16 has five blocks of 3x3 convolutions, each followed by 2x2 max pooling. The last
# convolution of each block gives a feature map at 1, 1/2, 1/4, 1/8 and 1/16 of VGG-16's
# input size: those five maps are the encoder's outputs. The deepest one starts the
# decoder, the other four are its skip connections:

# %%
print(pretrained.VGG16_TAPS)

# %% [markdown]
# VGG-16 was trained on colour photos in BGR order, on 0-255, with the ImageNet mean
# subtracted. A gray image has three equal channels, so L (scaled to [-1, 1]) is turned
# into a gray level on 0-255, copied three times, and shifted by the ImageNet mean, all as
# Keras layers inside the model.
#
# VGG-16 is big: at 128 px its convolutions cost about twice what colorgan's whole training
# step does. It therefore sees the image at half size (colour varies slowly; a quarter of
# the pixels makes it four times cheaper), so its maps are 1/2 to 1/32 of the image, and
# layer normalisation brings its features, which run into the hundreds, to the scale the
# decoder expects. The full-size L joins the decoder's last block as its skip connection,
# so the drawing's edges stay sharp:

# %% tags=["nbval-check-output"]
generator = pretrained.build_vgg16_generator(128, filters=32)
steps = ["l_to_gray", "gray_to_bgr", "imagenet_mean", "half_size"]
for name in steps + [f"{tap}_norm" for tap in pretrained.VGG16_TAPS] + ["ab"]:
    print(f"{name:18} -> {generator.get_layer(name).output.shape}")

# %% [markdown]
# The decoder uses the same up blocks as colorgan's U-Net (transposed convolution, batch
# norm, dropout, ReLU, concatenation with the skip), and a last 3x3 convolution with tanh
# gives ab. The encoder dwarfs everything else:

# %% tags=["nbval-check-output"]
encoder = generator.get_layer("vgg16_encoder")
print(f"VGG-16 encoder: {encoder.count_params():>10,} parameters")
print(f"decoder:        {generator.count_params() - encoder.count_params():>10,} parameters")

# %% [markdown]
# ## Getting the ImageNet weights
#
# `imagenet_vgg16_weights` downloads the published weights (59 MB) once, checks their MD5
# checksum and caches them where `keras.applications` keeps its own (`~/.keras/models`).
# Without a network it warns and returns `None`, and training goes on from random weights
# rather than stopping. The encoder is frozen: only the decoder learns. With ImageNet weights
# that keeps what VGG-16 learned (and makes a step cheaper); with random ones the run is a
# control that shows how much comes from the pretrained features rather than from VGG-16's shape.

# %%
print(inspect.getsource(pretrained.imagenet_vgg16_weights).split('"""')[2].strip())

# %% [markdown]
# The test fixture never downloads anything (`encoder_weights="random"`); a full run asks
# for `"imagenet"`:

# %%
variant = Variant("+ VGG-16 encoder", config.replace(encoder="vgg16"))
print("asked for:", variant.config.encoder_weights)

# %% [markdown]
# ## Training it
#
# The same recipe and budget as colorgan's default (notebook 04), with the encoder
# replaced. If notebook 08 already trained this variant, its run is read instead.

# %% tags=["nbval-ignore-output"]
train_paths = find_images(settings.train_dir)
heldout_paths = find_images(settings.heldout_dir)
default = Variant("colorgan default", config, settings.run_dir)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", pretrained.PretrainedWeightsWarning)
    table = run_variants([default, variant], train_paths, heldout_paths, settings.variants_dir)
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")

# %% [markdown]
# **Which weights did this run use?** The run's `config.json` records what it really got:
# `"imagenet"` only if the download succeeded, `"random"` otherwise.

# %%
asked, used = variant.config.encoder_weights, table[1]["config"].encoder_weights
print(f"asked for {asked} weights; the VGG-16 encoder of this run started from {used.upper()} weights")
if asked != used:
    print("the ImageNet weights could not be downloaded when this run was trained")

# %% [markdown]
# ## What it buys, and what it costs
#
# Held-out scores after the same number of epochs, and the training time:

# %%
print(format_table(table))

# %% [markdown]
# And the last epoch's held-out samples of each (gray input, output, truth):

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 8))
for ax, row, variant_ in zip(axes, table, (default, variant)):
    run = run_of(variant_, settings.variants_dir)
    ax.imshow(Image.open(run.samples(run.saved_epochs()[-1])))
    ax.set_title(row["name"])
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Reading the result
#
# Check the line above the table before drawing conclusions. A VGG-16 encoder that starts
# from *random* weights (as in the test fixture, or on a machine without a network) is no
# pretrained encoder at all: it is a much larger network learning from the same few
# hundred images, and in the same number of epochs it does not beat colorgan's own small
# encoder while costing several times the compute per step. The promise of this section
# lies in the ImageNet weights; run this notebook on a machine with a network to measure
# it, and compare the two tables.

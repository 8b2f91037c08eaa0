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
# * why an encoder pretrained on ImageNet can help a colorizer trained on about a thousand
#   images;
# * how VGG-16's five blocks become the encoder of a U-Net, and how a one-channel L image
#   is fed to a network that expects a color photo;
# * how the weights are downloaded (once, checked, cached), what happens without a network,
#   and how to tell which weights a run really used;
# * what the pretrained encoder costs and buys on the bundled anime characters.
#
# **Module taught:** `colorhelpers.models.vgg16` (`build_vgg16_generator`,
# `imagenet_vgg16_weights`), shown with `show_source` where it is taught.
#
# **Run time:** measured, not typed in: the table below has the minutes each run trained
# (VGG-16 is far larger than colorgan's own encoder), and the last cell prints how long this
# notebook took, on how many CPU cores and GPUs. The first run with a network also downloads
# 59 MB of weights.

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator (same
# initial decoder weights on every run), draws figures as PNG and returns the settings.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

from colorhelpers.models import vgg16 as pretrained

config = settings.config
print(f"image size: {config.image_size} px")

# %% [markdown]
# Besides the module taught: notebook 08's way of training variants side by side, the
# file finder, and pictures.

# %%
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import tensorflow as tf
from PIL import Image

from colorhelpers.data import find_images
from colorhelpers.evaluation import Variant, format_table, run_of, run_variants

tf.get_logger().setLevel("ERROR")  # several runs in one process: TF warns of harmless "retracing"

# %% [markdown]
# ## Why a pretrained encoder?
#
# To color a drawing, the generator must first recognize what is drawn: skin is not
# colored like fur, nor sky like water. colorgan's own encoder learns that from the
# training images alone, here 970 colorings of 93 drawn characters. VGG-16 (Simonyan and Zisserman 2015)
# learned to tell 1,000 kinds of objects apart on 1.2 million ImageNet photos; its
# convolutional blocks compute features (edges, textures, parts of objects) that transfer
# to other images. Using them as the U-Net's encoder is the blog post's second unfinished
# section, and a common step in colorization work (DeOldify, Shariatnia's tutorial with a
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
# VGG-16 was trained on color photos in BGR order, on 0-255, with the ImageNet mean
# subtracted. A gray image has three equal channels, so L (scaled to [-1, 1]) is turned
# into a gray level on 0-255, copied three times, and shifted by the ImageNet mean, all as
# Keras layers inside the model.
#
# VGG-16 is big: at 128 px its convolutions cost about twice what colorgan's whole training
# step does. It therefore sees the image at half size (color varies slowly; a quarter of
# the pixels makes it four times cheaper), so its maps are 1/2 to 1/32 of the image, and
# layer normalization brings its features, which run into the hundreds, to the scale the
# decoder expects. The full-size L joins the decoder's last block as its skip connection,
# so the drawing's edges stay sharp. The model, from the input on:

# %%
show_source(pretrained.build_vgg16_generator, start="l_input = ")

# %% [markdown]
# Built at 128 px, the shapes along the way:

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
show_source(pretrained.imagenet_vgg16_weights)

# %% [markdown]
# The test fixture never downloads anything (`encoder_weights="random"`); a full run asks
# for `"imagenet"`:

# %%
variant = Variant("+ VGG-16 encoder", config.replace(encoder="vgg16"))
print("asked for:", variant.config.encoder_weights)

# %% [markdown]
# ## Training it
#
# The same recipe, budget and images as colorgan's default (notebook 04), with the encoder
# replaced. If this variant was already trained on the same data, its run (named by its
# recipe) is read instead.

# %% tags=["nbval-ignore-output"]
train_paths = settings.train_paths()  # the images of notebook 04
heldout_paths = find_images(settings.heldout_dir)
default = Variant("colorgan default", config, settings.run_dir)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", pretrained.PretrainedWeightsWarning)
    table = run_variants([default, variant], train_paths, heldout_paths, settings.variants_dir)
for warning in caught:  # the home folder as ~, should the message name the cache
    print(f"{warning.category.__name__}: {str(warning.message).replace(str(Path.home()), '~')}")

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
# The VGG-16 encoder against colorgan's own, metric by metric, and in time:

# %%
higher_is_better = {"psnr": True, "ciede2000": False, "auc": True, "colorfulness_ratio": True}
ours, vgg = table
better = [m for m, up in higher_is_better.items() if vgg[m] != ours[m] and (vgg[m] > ours[m]) == up]
worse = [m for m in higher_is_better if m not in better and vgg[m] != ours[m]]
print(f"VGG-16 encoder ({used} weights) better on: {', '.join(better) or 'none'};"
      f" worse on: {', '.join(worse) or 'none'}")
print(f"training time: {vgg['minutes'] / max(ours['minutes'], 1e-9):.1f} times colorgan's own encoder")

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
# Check the line saying which weights the run used before drawing conclusions. A VGG-16
# encoder that starts from *random* weights (as in the test fixture, or on a machine
# without a network) is no pretrained encoder at all: its features are random and frozen,
# so only the decoder learns, from the same training images, and there is no reason to
# expect it to beat colorgan's own small encoder; the comparison above says how it fared.
# The promise of this section lies in the ImageNet weights; run this notebook on a machine
# with a network to measure it, and compare the two tables.
#
# ## Summary
#
# * VGG-16's five blocks, fed a gray image as a BGR photo, replace the U-Net's encoder;
#   their feature maps become the skip connections of colorgan's decoder.
# * The ImageNet weights are downloaded once, checksummed and cached; without a network
#   the run goes on with random weights and its `config.json` says so.
# * A frozen random encoder is a control, not a pretrained one: read which weights a run
#   used before reading its scores.
#
# Next, notebook 08 puts this and every other ingredient side by side.
#
# ## Exercises
#
# 1. With a network, train the variant with ImageNet weights into a new folder and compare
#    its table row with the random-weights run.
# 2. Build the generator with `trainable_encoder=True` and count its trainable parameters.
#    How much longer does an epoch take?
# 3. VGG-16 sees the image at half size. Remove the `half_size` pooling (a copy of
#    `build_vgg16_generator` in the notebook) and compare the shapes of the feature maps
#    and the time of one training step.

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

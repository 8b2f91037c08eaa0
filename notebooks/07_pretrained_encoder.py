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
# # 07 · A pretrained encoder
#
# **What you will learn**
#
# * why an encoder that learned from other pictures can help a colorizer trained on about a
#   thousand images, and what transfer means for a U-Net;
# * how to pretrain colorgan's encoder on the other drawings the repository ships (DiceBear
#   characters and clip-art cartoons), fine-tune it on anime, and measure what that buys
#   against training from scratch on the same budget;
# * how VGG-16, pretrained on ImageNet photos, becomes a U-Net encoder, and how to train it
#   when its weights are on your machine.
#
# **Modules taught:** `colorhelpers.training.recipe` (`start_encoder_from`) and
# `colorhelpers.models.vgg16` (`build_vgg16_generator`, `imagenet_vgg16_weights`), shown with
# `show_source` where they are taught.
#
# **Run time:** measured, not typed in: the table below has the minutes each run trained,
# and the last cell prints how long this notebook took, on how many CPU cores and GPUs.
# Everything trains at the studies' budget of notebook 06; the run from scratch is notebook
# 06's default run, read from disk.

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator (same
# initial weights on every run), draws figures as PNG and returns the settings.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

from colorhelpers.models import vgg16 as pretrained
from colorhelpers.training import recipe

config = settings.study_config  # the default recipe at the studies' budget (notebook 06)
print(f"image size: {config.image_size} px, {config.epochs} epochs")

# %% [markdown]
# Besides the modules taught: notebook 08's way of training variants side by side, the
# file finder, the training loop, and a plot.

# %%
import os

import matplotlib.pyplot as plt
import tensorflow as tf

from colorhelpers.data import find_images
from colorhelpers.evaluation import Variant, format_table, run_of, run_variants
from colorhelpers.training import train

tf.get_logger().setLevel("ERROR")  # several runs in one process: TF warns of harmless "retracing"

# %% [markdown]
# ## Why a pretrained encoder?
#
# To color a drawing, the generator must first recognize what is drawn: skin is not
# colored like hair, nor a sky like a shirt. colorgan's encoder learns that from the
# training images alone, here 970 colorings of 93 drawn characters. An encoder that has
# already learned from many other pictures starts with features (edges, flat regions,
# shading, parts of faces) that may carry over to new ones: that is *transfer learning*.
# The usual source is ImageNet, 1.2 million photos (VGG-16 or a ResNet pretrained on them:
# DeOldify, Shariatnia's tutorial), and the blog post left it as an unfinished section.
#
# The repository also ships two sets of other drawings, with their licences: 1,524 DiceBear
# cartoon characters and 432 clip-art cartoons (`data/README.md`). They are another domain
# than anime portraits, as ImageNet's photos are, and they are on every reader's disk, so
# the whole experiment runs offline:
#
# 1. **pretrain** the U-Net on those drawings;
# 2. **fine-tune**: train on anime with the encoder (the U-Net's down path) started from
#    the pretrained one and the decoder from fresh weights;
# 3. compare with **training from scratch** on the same budget (notebook 06's default run).
#
# ## Pretraining on other drawings
#
# The studies' recipe and budget, on the other sets' training images. Every epoch is scored
# on the anime held-out characters, so the run's `metrics.csv` also says how well a model
# that never saw anime colors it. The run is named by its data and recipe, and read from
# disk if it was trained before.

# %% tags=["nbval-ignore-output"]
pretraining_paths = settings.pretraining_paths()
heldout_paths = find_images(settings.heldout_dir)
pretrained_run = settings.pretraining_run_for(config)
pretraining_rows = train(pretraining_paths, heldout_paths, pretrained_run, config, verbose=0)
print(f"pretrained on {len(pretraining_paths)} drawings for {len(pretraining_rows)} epochs"
      f" ({sum(r['seconds'] for r in pretraining_rows) / 60:.1f} minutes of training)")

# %% [markdown]
# ## Starting the encoder from it
#
# The fine-tuned run's recipe is the default's with one more field, `encoder_from`: the
# pretrained run's folder, relative to the anime runs' folder. It is part of the recipe's
# hash, so the fine-tuned run gets a folder of its own, and its `config.json` says where its
# encoder came from. Before the first epoch, `train` copies the encoder's weights over:

# %%
show_source(recipe.start_encoder_from)

# %% [markdown]
# `encoder_layers` is the down path: every layer before the first transposed convolution.
# The decoder and its skip connections start fresh, so they learn to read the pretrained
# features for anime:

# %%
show_source(recipe.encoder_layers)

# %%
fine_tuned = config.replace(encoder_from=os.path.relpath(pretrained_run, settings.variants_dir))
print("encoder_from:", fine_tuned.encoder_from)

# %% [markdown]
# ## Fine-tuning, against training from scratch
#
# Both on notebook 04's images for the same epochs. The run from scratch is notebook 06's
# default, read from disk.

# %% tags=["nbval-ignore-output"]
train_paths = settings.train_paths()  # the images of notebook 04
variants = [Variant("from scratch (default)", config),
            Variant("pretrained encoder", fine_tuned)]
table = run_variants([Variant("gray answer (ab = 0)", None), *variants], train_paths, heldout_paths,
                     settings.variants_dir)
gray = table[0]

# %% [markdown]
# ## What it buys
#
# The held-out scores after the last epoch, with the gray answer first and the pretrained
# model's own on anime (before any fine-tuning) last:

# %%
zero_shot = {"name": "pretrained, no anime", **{k: pretraining_rows[-1][k] for k in
                                                ("psnr", "ciede2000", "auc", "colorfulness_ratio")},
             "minutes": sum(r["seconds"] for r in pretraining_rows) / 60}
print(format_table([*table, zero_shot]))

# %% [markdown]
# Where transfer helps, it helps most early: pretrained features are useful from the first
# epoch, while a long enough run from scratch learns its own. The held-out CIEDE2000 epoch
# by epoch shows whether it gave a head start here, and whether anything of it lasted:

# %%
curves = {v.name: run_of(v, settings.variants_dir).read_metrics() for v in variants}
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, rows in curves.items():
    ax.plot([r["epoch"] for r in rows], [r["ciede2000"] for r in rows], marker="o", label=name)
ax.axhline(zero_shot["ciede2000"], color="gray", linestyle=":", label="pretrained, no anime")
ax.set_xlabel("epoch")
ax.set_ylabel("held-out CIEDE2000 (lower is closer)")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The same in numbers, printed from the runs:

# %%
scratch, transfer = (curves[v.name] for v in variants)
first, last = scratch[0]["epoch"], scratch[-1]["epoch"]
for label, index in (("first", 0), ("last", -1)):
    gap = scratch[index]["ciede2000"] - transfer[index]["ciede2000"]
    print(f"{label} epoch: from scratch {scratch[index]['ciede2000']:.2f}, pretrained encoder"
          f" {transfer[index]['ciede2000']:.2f} ({'closer' if gap > 0 else 'further'} by {abs(gap):.2f})")
ahead = sum(t["ciede2000"] < s["ciede2000"] for s, t in zip(scratch, transfer))
print(f"the pretrained encoder is closer to the truth in {ahead} of {len(scratch)} epochs:"
      f" {'a head start' if transfer[0]['ciede2000'] < scratch[0]['ciede2000'] else 'no head start'} here")
beats_gray = zero_shot["ciede2000"] < gray["ciede2000"]
print(f"without fine-tuning, the pretrained model is {'closer to' if beats_gray else 'further from'} the truth"
      f" than the gray answer ({zero_shot['ciede2000']:.2f} against {gray['ciede2000']:.2f})")

# %% [markdown]
# ## Reading the result
#
# Read the lines above before the summary: they say whether the pretrained encoder gave a
# head start, and whether it still leads at the last epoch. Two cautions. One run each,
# on 60 held-out images, cannot tell differences of a few tenths from chance (notebook 08
# measures how far one run's scores move from epoch to epoch). And the cartoons and avatars
# are flat-colored and simple, closer to anime than photos are, but poorer: what transfers
# is what they have in common with anime portraits (outlines, flat regions, faces).
#
# ## VGG-16 as a U-Net encoder
#
# The other way to a pretrained encoder, the usual one, starts from photos. VGG-16
# (Simonyan and Zisserman 2015) learned to tell 1,000 kinds of objects apart on ImageNet.
# It has five blocks of 3x3 convolutions, each followed by 2x2 max pooling. The last
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
# ## The ImageNet weights, if you have them
#
# `imagenet_vgg16_weights` downloads the published weights (59 MB) once, checks their MD5
# checksum and caches them where `keras.applications` keeps its own (`~/.keras/models`);
# without a network it warns and returns `None`, and a run asking for them goes on from
# random weights, saying so in its `config.json`. The encoder is frozen: only the decoder
# learns.

# %%
show_source(pretrained.imagenet_vgg16_weights)

# %% [markdown]
# A frozen encoder with *random* weights teaches nothing about transfer, so this notebook
# trains the VGG-16 variant only when the weights are already on the machine (call
# `pretrained.imagenet_vgg16_weights()` once with a network to get them):

# %% tags=["nbval-ignore-output"]
weights = None if settings.fixture else pretrained.cached_imagenet_vgg16_weights()
if weights is None:
    print("VGG-16's ImageNet weights are not in ~/.keras/models on this machine: the"
          " VGG-16 run is skipped")
else:
    vgg = Variant("VGG-16 encoder (ImageNet)", config.replace(encoder="vgg16"))
    print(format_table(run_variants([variants[0], vgg], train_paths, heldout_paths, settings.variants_dir)))

# %% [markdown]
# ## Summary
#
# * Transfer learning starts a network from weights learned on other data. For a U-Net,
#   the encoder (the down path) is the part that carries over; the decoder starts fresh.
# * `encoder_from` in the recipe names the pretrained run; `start_encoder_from` copies its
#   encoder's weights before the first epoch, and the run's hash and `config.json` record it.
# * Pretrained on the bundled DiceBear characters and cartoons and fine-tuned on anime, the
#   encoder's effect is measured above against training from scratch on the same budget.
# * VGG-16's five blocks, fed a gray image as a BGR photo, can replace the U-Net's encoder;
#   with ImageNet weights on the machine, the last section trains and scores it.
#
# Next, notebook 08 puts every other ingredient side by side.
#
# ## Exercises
#
# 1. Fine-tune with the whole pretrained generator, not only its encoder: write a copy of
#    `start_encoder_from` that copies every layer. Does the decoder's head start matter?
# 2. Pretrain on the DiceBear characters alone, or on the cartoons alone (a list of paths
#    of your own). Which set transfers better to anime?
# 3. Train both anime runs for 30 epochs (`config.replace(epochs=30)`, through `at_budget`).
#    Does the head start survive a longer run?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

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
# # 06 · Training with noise
#
# **What you will learn**
#
# * why a conditional GAN is meant to take random noise z as well as the gray image, and
#   what pix2pix found when it tried;
# * the two places the noise can come from in `colorhelpers`: a noise channel next to L, and
#   dropout in the decoder;
# * how to measure whether a trained generator uses its noise at all, and what the noise
#   does to the held-out scores.
#
# **Module taught:** `colorhelpers.noise` (`NoiseChannel`, `output_spread`).
#
# **Run time:** about 12 minutes on a 2-core CPU for the two new runs on the bundled
# cartoons (the third is notebook 04's; finished runs are read, not trained again, so after
# notebook 08 this takes seconds), a minute or two on a GPU.

# %% [markdown]
# Set-up, as in every notebook: quiet TensorFlow, PNG figures, fixed seeds.

# %%
import os

import colorhelpers

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
colorhelpers.import_tensorflow_quietly()  # keeps TensorFlow's C++ start-up log out of this cell
import inspect

import keras
import numpy as np
import tensorflow as tf

from colorhelpers import noise
from colorhelpers.ablation import Variant, format_table, run_of, run_variants
from colorhelpers.config import tutorial_settings
from colorhelpers.data import eval_batches, find_images
from colorhelpers.evaluation import load_generator
from colorhelpers.models import build_generator

# %config InlineBackend.figure_formats = ["png"]
tf.get_logger().setLevel("ERROR")  # several runs in one process: TF warns of harmless "retracing"
keras.utils.set_random_seed(0)  # same initial weights, dropout masks and noise on every run
settings = tutorial_settings()
config = settings.config
print("fixture mode" if settings.fixture else "full run", f"({config.image_size} px)")

# %% [markdown]
# ## Why noise?
#
# One gray drawing has many right colourings: a car can be red or blue. A generator that is
# a plain function of L must pick one answer per input, and under an L1 loss that answer
# is the *median* of the plausible colours, often a dull brown or gray. The GAN framework
# has an answer: give the generator a random input z as well, G(L, z), so that each draw
# of z can pick one vivid colouring, and let the discriminator judge whether each one looks
# real.
#
# Isola et al. (pix2pix, 2017, section 3.1) tried exactly that and reported that "the
# generator simply learned to ignore the noise". Their final models have no z; their only
# randomness is dropout, applied in training *and at test time*, and they note that even
# that changes the output very little. `colorhelpers` has both, as options of the recipe:
#
# * `noise_channel=True` appends a channel of N(0, 1) noise to L at the generator's input;
# * `dropout=0.5` (the default) drops half the units of the three innermost decoder blocks.
#
# ## The noise channel
#
# A Keras layer with its own seeded random stream. At inference it appends zeros (the mean
# of the noise) instead, so that colourising an image always gives the same picture:

# %%
print(inspect.getsource(noise.NoiseChannel.call))

# %% [markdown]
# Two calls in training mode give different noise; inference mode gives zeros:

# %% tags=["nbval-check-output"]
layer = noise.NoiseChannel(seed=0)
x = np.zeros((1, 4, 4, 1), np.float32)
for training in (True, True, False):
    z = np.asarray(layer(x, training=training))[0, :, :, 1]
    print(f"training={training!s:5}  noise std {z.std():.2f}, first row {np.round(z[0], 2)}")

# %% [markdown]
# In the generator the layer sits right after the input, so every encoder block sees L and
# z together. The model's input is still L alone:

# %% tags=["nbval-check-output"]
generator = build_generator(128, noise_channel=True)
print("input:", generator.input.shape, " after the noise layer:",
      generator.get_layer("noise").output.shape)

# %% [markdown]
# ## Three ways to train, same budget
#
# We train the default recipe (dropout only), the noise channel instead of dropout (the
# textbook conditional GAN), and both together. Each run goes to its own folder under
# `settings.variants_dir`; the default recipe's run is the one notebook 04 trained.

# %%
train_paths = find_images(settings.train_dir)
heldout_paths = find_images(settings.heldout_dir)
variants = [
    Variant("dropout (default)", config, settings.run_dir),
    Variant("noise channel instead", config.replace(noise_channel=True, dropout=0.0)),
    Variant("+ noise channel", config.replace(noise_channel=True)),
]

# %% tags=["nbval-ignore-output"]
table = run_variants(variants, train_paths, heldout_paths, settings.variants_dir)

# %% [markdown]
# ## Does the generator use its noise?
#
# `output_spread` colourises the held-out images several times in training mode (fresh
# noise, fresh dropout masks) and averages how much each pixel's a and b vary between the
# draws, in Lab units. As a yardstick: a just-noticeable colour difference is about 2.3.

# %%
print(inspect.getsource(noise.output_spread).split('"""')[0] + "...")

# %%
l_heldout = np.concatenate([batch[0] for batch in eval_batches(heldout_paths, config.image_size)])
spreads = {}
for variant in variants:
    trained, _ = load_generator(run_of(variant, settings.variants_dir))
    spreads[variant.name] = noise.output_spread(trained, l_heldout)
    print(f"{variant.name:24} output spread {spreads[variant.name]:5.2f} ab units")

# %% [markdown]
# ## What noise does to the scores
#
# The four held-out scores of notebook 05 after the same number of epochs, and the
# training time:

# %%
print(format_table(table))

# %% [markdown]
# ## What we see
#
# Both of pix2pix's observations hold on cartoons. Trained with a noise channel and no
# dropout, the generator changes its colours by about 0.3 ab units from one draw of z to the
# next, far below the 2.3 of a just-noticeable difference: it learned to ignore z. Dropout
# moves the output about three times as much, which is still below what anyone would see.
# Neither turns the generator into a sampler of different colourings of one drawing; a
# conditional GAN that does (BicycleGAN, Zhu et al. 2017) needs an extra loss that ties
# the output back to z.
#
# On the scores, neither kind of noise helped in this run: swapping dropout for the noise
# channel, or adding the channel to dropout, came out slightly worse than the default on
# PSNR, CIEDE2000 and AuC, and about as colourful. (Differences this small are within what
# another seed could change on 39 held-out images. The minutes are wall-clock time on a
# 2-core CPU that was running other jobs too; a step with the extra channel costs about the
# same as one without.) colorgan therefore keeps pix2pix's choice as its default: dropout
# in training, no z, and dropout off when colourising, so that a picture does not change
# from one call to the next.
#
# Notebook 07 changes the other end of the generator, its encoder; notebook 08 puts every
# ingredient side by side.

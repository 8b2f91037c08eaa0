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
# **Module taught:** `colorhelpers.models.noise` (`NoiseChannel`, `output_spread`), shown with
# `show_source` where it is taught.
#
# **Run time:** measured, not typed in: the table below has the minutes each run trained,
# and the last cell prints how long this notebook took, on how many CPU cores and GPUs.
# The three runs train at the studies' small budget (below); a finished run of the same
# recipe on the same data is read, not trained again, so notebooks 07 and 08 read this
# notebook's default run instead of training it again.

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator (same
# initial weights, dropout masks and noise on every run), draws figures as PNG and returns
# the settings.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

from colorhelpers.models import noise

config = settings.study_config  # the default recipe at the studies' budget (below)
print(f"image size: {config.image_size} px, {config.epochs} epochs")

# %% [markdown]
# Besides the module taught: notebook 08's way of training variants side by side, the data
# pipeline, the generator and a few pictures.

# %%
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from matplotlib import colormaps

from colorhelpers.color import AB_SCALE, l_ab_to_rgb
from colorhelpers.data import eval_batches, find_images
from colorhelpers.evaluation import Variant, format_table, load_generator, run_of, run_variants
from colorhelpers.models import build_generator
from colorhelpers.scoring import show_image_table, to_uint8
from colorhelpers.training.config import at_budget

tf.get_logger().setLevel("ERROR")  # several runs in one process: TF warns of harmless "retracing"

# %% [markdown]
# ## Why noise?
#
# One gray drawing has many right colorings: a car can be red or blue. A generator that is
# a plain function of L must pick one answer per input, and under an L1 loss that answer
# is the *median* of the plausible colors, often a dull brown or gray. The GAN framework
# has an answer: give the generator a random input z as well, G(L, z), so that each draw
# of z can pick one vivid coloring, and let the discriminator judge whether each one looks
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
# of the noise) instead, so that colorizing an image always gives the same picture:

# %%
show_source(noise.NoiseChannel.call)

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
# textbook conditional GAN), and both together, on notebook 04's images. A comparison
# needs the same budget for every variant, not a big one: the studies of notebooks 06-08
# train each variant for a third of the epochs at half the size (`settings.study_config`,
# built by `at_budget`, which keeps the warm-up's and the decay's share of the epochs),
# about a tenth of a full run's time. `docs/study-budget.md` trains the same variants at
# both budgets and compares their rankings.

# %%
show_source(at_budget)

# %% [markdown]
# Each run goes to its own folder under `settings.variants_dir`, named by its recipe alone
# (`run_of`), so it is reused by the same recipe on the same data, whichever notebook asks.

# %%
train_paths = settings.train_paths()  # the images of notebook 04
heldout_paths = find_images(settings.heldout_dir)
variants = [
    Variant("dropout (default)", config),
    Variant("noise channel instead", config.replace(noise_channel=True, dropout=0.0)),
    Variant("+ noise channel", config.replace(noise_channel=True)),
]

# %% tags=["nbval-ignore-output"]
table = run_variants(variants, train_paths, heldout_paths, settings.variants_dir)

# %% [markdown]
# ## Does the generator use its noise?
#
# `output_spread` colorizes the held-out images several times in training mode (fresh
# noise, fresh dropout masks) and averages how much each pixel's a and b vary between the
# draws, in Lab units:

# %%
show_source(noise.output_spread)

# %% [markdown]
# As a yardstick we take the just-noticeable difference of a plain distance in Lab (CIE76),
# about 2.3 units: a change of color well below it is invisible.

# %%
JUST_NOTICEABLE = 2.3  # CIE76, in Lab units
l_heldout = np.concatenate([batch[0] for batch in eval_batches(heldout_paths, config.image_size)])
ab_heldout = np.concatenate([batch[1] for batch in eval_batches(heldout_paths, config.image_size)])
generators, spreads = {}, {}
for variant in variants:
    generators[variant.name], _ = load_generator(run_of(variant, settings.variants_dir))
    spreads[variant.name] = noise.output_spread(generators[variant.name], l_heldout)
    print(f"{variant.name:24} output spread {spreads[variant.name]:5.2f} ab units,"
          f" {spreads[variant.name] / JUST_NOTICEABLE:4.0%} of a just-noticeable difference")

# %% [markdown]
# What those numbers look like: one held-out drawing colorized by each generator four
# times in training mode (each draw with fresh noise and fresh dropout masks), then once
# in inference mode, the way `colorize` does it. The last column maps how much each pixel's
# color moved between the draws, from black (not at all) to yellow (a just-noticeable
# difference or more).

# %%
def draws_of(generator, l_norm, count=4):
    """`count` outputs in training mode, then one in inference mode; weights left as they were.

    Training mode also updates batch norm's moving statistics, so they are restored after.
    """
    saved = generator.get_weights()
    try:
        ab = [np.asarray(generator(l_norm, training=True)) for _ in range(count)]
    finally:
        generator.set_weights(saved)
    return ab + [np.asarray(generator(l_norm, training=False))]


# %% [markdown]
# The draws run on all the held-out images at once (batch norm in training mode uses the
# batch's statistics, so one image alone would be normalized differently); the picture
# shows the first. The dropout layers and the noise channel draw from their own seeded
# random streams, so the pictures are the same on every run of the notebook.

# %%
shown, count, rows = 0, 4, []
heat = colormaps["inferno"]
for variant in variants:
    ab = draws_of(generators[variant.name], l_heldout, count)
    pictures = [to_uint8(l_ab_to_rgb(l_heldout[shown], a[shown]).numpy()) for a in ab]
    moved = np.std([a[shown] for a in ab[:count]], axis=0).mean(axis=-1) * AB_SCALE
    rows.append(pictures + [to_uint8(heat(np.clip(moved / JUST_NOTICEABLE, 0, 1))[..., :3])])
    print(f"{variant.name:24} {np.mean(moved >= JUST_NOTICEABLE):4.0%} of this drawing's pixels"
          " change by a just-noticeable difference or more between draws")
titles = [f"draw {i + 1}" for i in range(count)] + ["inference", "spread"]
_ = show_image_table(rows, titles, [v.name for v in variants])
plt.show()

# %% [markdown]
# ## What noise does to the scores
#
# The four held-out scores of notebook 05 after the same number of epochs, and the
# training time (a run read from disk counts the minutes it trained for):

# %%
print(format_table(table))

# %% [markdown]
# Each kind of noise against the default, metric by metric, with the size of each
# difference:

# %%
higher_is_better = {"psnr": True, "ciede2000": False, "auc": True, "colorfulness_ratio": True}
default = table[0]
for row in table[1:]:
    better = [m for m, up in higher_is_better.items() if (row[m] > default[m]) == up and row[m] != default[m]]
    worse = [m for m in higher_is_better if m not in better and row[m] != default[m]]
    deltas = ", ".join(f"{m} {row[m] - default[m]:+.3f}" for m in higher_is_better)
    print(f"{row['name']:24} better than the default on: {', '.join(better) or 'none'};"
          f" worse on: {', '.join(worse) or 'none'}\n{'':24} ({deltas})")

# %% [markdown]
# ## What we see
#
# Compare the printed spreads with the yardstick. pix2pix's two observations predict that
# a generator trained with a noise channel and no dropout learns to ignore z, so that its
# spread stays far below a just-noticeable difference, and that dropout moves the output
# more, though still little. The ratio of the two, from the numbers above:

# %%
z_only, dropout_only = spreads["noise channel instead"], spreads["dropout (default)"]
print(f"noise channel alone: {z_only:.2f} ab units, below a just-noticeable difference:"
      f" {z_only < JUST_NOTICEABLE}")
print(f"dropout moves the output {dropout_only / max(z_only, 1e-9):.1f} times as much as the noise"
      f" channel; below a just-noticeable difference: {dropout_only < JUST_NOTICEABLE}")

# %% [markdown]
# An average over every held-out pixel can hide where the changes happen: flat background
# and outlines take much of each drawing. The spread maps and the shares printed with the
# figure show where the changes are: dropout can shift the
# tint of a large flat region visibly from one draw to the next, while a noise channel that
# the generator has learned to ignore moves little. Either way the draws are variations of
# one coloring, not different plausible colorings of the drawing. A conditional GAN that
# samples those (BicycleGAN, Zhu et al. 2017) needs an extra loss that ties the output back
# to z.
#
# On the scores, the comparison above says whether either kind of noise helped in this
# run, and by how much. One run per variant, with one random seed, scored on a few dozen
# held-out images, cannot tell differences of a few hundredths from chance (the minutes,
# too, are wall-clock time on a machine that may have been running other jobs; a step with
# the extra channel costs about the same as one without). colorgan therefore keeps
# pix2pix's choice as its default, the simpler recipe: dropout in training, no z, and
# dropout off when colorizing, so that a picture does not change from one call to the
# next. Exercise 3 below is how to find out whether a margin is real.
#
# ## Summary
#
# * A noise input z is how a conditional GAN is meant to produce different colorings of
#   one drawing; pix2pix found its generators ignore it, and kept only dropout.
# * `NoiseChannel` appends N(0, 1) noise in training and zeros at inference;
#   `output_spread` measures how much a trained generator's colors change between draws.
# * Measured against a just-noticeable difference, the spread says whether the noise
#   matters; the figure shows what that spread looks like on one drawing.
#
# Notebook 07 changes the other end of the generator, its encoder; notebook 08 puts every
# ingredient side by side.
#
# ## Exercises
#
# 1. Call `output_spread` with `draws=2`, `8` and `32` for the default generator. How
#    stable is the estimate?
# 2. Train the "noise channel instead" variant with a larger noise: subclass
#    `NoiseChannel` to draw N(0, 3²) and build the generator with it. Does the spread grow?
# 3. Train the default and "+ noise channel" again with `seed=1` and `seed=2` (each into
#    its own folder). Does the ordering of the table hold for every seed, and how large
#    are the differences between seeds of the same recipe compared with those between
#    recipes?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

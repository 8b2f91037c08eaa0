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
# # 04 · Training the GAN
#
# **What you will learn**
# - the pix2pix objective: an adversarial loss plus 100 × L1 on the ab channels;
# - how one training step updates the generator and the discriminator, and why
#   `training=True` matters;
# - how `keras.Model.fit` and callbacks turn that step into a run directory on disk:
#   weights per epoch, held-out metrics, sample grids, TensorBoard logs and checkpoints.
#
# **Module taught:** `colorhelpers.training` (with the recipe in `colorhelpers.config`).
#
# **Run time:** about 8 minutes on a 2-core CPU for the full run on the bundled cartoons,
# a minute or two on a GPU. If the run already exists (for example because you ran
# `make train`), the training cell finds it finished and returns at once; delete
# `runs/cartoons` to train again.

# %% [markdown]
# We silence TensorFlow's start-up logging before importing it, and fix every random seed so
# that rerunning the notebook gives the same numbers.

# %%
import os

import colorhelpers

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
colorhelpers.import_tensorflow_quietly()  # keeps TensorFlow's C++ start-up log out of this cell
import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from PIL import Image

from colorhelpers.config import TrainConfig, tutorial_settings
from colorhelpers.data import find_images
from colorhelpers.training import ColorGAN, RunDirectory, build_gan, train

# %config InlineBackend.figure_formats = ["png"]
keras.utils.set_random_seed(0)  # same initial weights and dropout masks on every run
settings = tutorial_settings()
print("fixture mode" if settings.fixture else "full run", "->", settings.run_dir.name)

# %% [markdown]
# ## The recipe
#
# Every number of a run lives in one frozen `TrainConfig`. The loss weight (λ = 100 on L1),
# the learning rate (2·10⁻⁴) and Adam's β₁ = 0.5 come from the pix2pix paper; the filter
# counts are halved from the paper's 64 so a 128 px model trains on a laptop CPU.

# %%
print(settings.config.to_json())

# %% [markdown]
# Two fields go beyond the paper's recipe; notebook 08 measures what each of them buys.
#
# - `warmup_epochs`: the first epochs train the generator on the L1 term alone, with no
#   discriminator (the "NoGAN" pre-training of DeOldify, and the warm-up of Shariatnia's
#   tutorial). The generator first learns safe colours that fit the drawing; only then
#   does the adversarial term push it towards vivid ones. A warm-up epoch takes about half
#   as long as an adversarial one, since the discriminator does not run.
# - `decay_epochs`: pix2pix keeps the learning rate constant and then lowers it linearly
#   to zero. Without the decay, a GAN's last epoch is a lottery: the held-out scores swing
#   from epoch to epoch as generator and discriminator chase each other.

# %% [markdown]
# ## One training step
#
# The generator G turns L into ab. The discriminator D looks at (L, ab) pairs and outputs a
# grid of logits, one per image patch: "real" for the true colours, "fake" for G's.
#
# - D's loss: binary cross-entropy pushing real patches to 1 and fake patches to 0 (halved, as
#   in pix2pix, so D learns at half the pace of G).
# - G's loss: cross-entropy pushing D's verdict on fake patches to 1 (*fool the critic*),
#   plus 100 × the mean absolute error between predicted and true ab (*stay close to the
#   truth*). The L1 term alone gives plausible but dull colours; the adversarial term
#   alone gives vivid colours unrelated to the drawing.
#
# Here is the step `fit` runs on every batch:

# %%
print(inspect.getsource(ColorGAN.train_step))

# %% [markdown]
# Two tapes record the same forward pass; each network is then updated on its own loss only.
#
# ### Why `training=True`
# The seed post called its models as `gen(Ls)`, leaving `training` at its default. In Keras
# that means *inference mode*: batch normalisation normalises with moving statistics that
# are never updated (they stay at mean 0, variance 1), and dropout is off. Here is the
# difference on a small model and one random batch:

# %%
tiny = TrainConfig(image_size=32, generator_filters=8, discriminator_filters=8)
l_batch = tf.random.stateless_uniform((4, 32, 32, 1), seed=(0, 0), minval=-1.0, maxval=1.0)
ab_batch = tf.zeros((4, 32, 32, 2))


def first_moving_mean(gan: ColorGAN) -> np.ndarray:
    bn = next(la for la in gan.generator.layers if isinstance(la, keras.layers.BatchNormalization))
    return np.asarray(bn.moving_mean)


# %% tags=["nbval-check-output"]
keras.utils.set_random_seed(0)
gan = build_gan(tiny)
_ = gan.generator(l_batch)  # the seed's call: inference mode
print("moving mean updated without training=True:", bool(np.any(first_moving_mean(gan) != 0)))
_ = gan.train_step((l_batch, ab_batch))  # our step calls the models with training=True
print("moving mean updated by ColorGAN.train_step:", bool(np.any(first_moving_mean(gan) != 0)))

# %% [markdown]
# How fast the moving statistics follow the batches matters as well. Keras' default
# momentum of 0.99 averages over the last hundred or so steps; a run of a few hundred steps
# changes its weights faster than that, so the statistics used at inference lag behind the
# network they belong to, and the colours come out tinted and wrong. In an L1-only run on
# the bundled cartoons, the held-out CIEDE2000 jumped between 7 and 16 from one epoch to the
# next with 0.99; with colorgan's 0.9 it stayed between 5.7 and 7.3. (pix2pix sidesteps the
# question by using the statistics of the test batch at inference.)

# %% tags=["nbval-check-output"]
momenta = {la.momentum for la in gan.generator.layers if isinstance(la, keras.layers.BatchNormalization)}
print("batch-norm momentum of the generator's layers:", momenta)

# %% [markdown]
# ## The data
#
# The training images and the held-out images (never trained on; they are what the
# metrics and sample grids show) come from notebook 02's pipeline.

# %%
train_paths = find_images(settings.train_dir)
heldout_paths = find_images(settings.heldout_dir)
steps = len(train_paths) // settings.config.batch_size
print(f"{len(train_paths)} training images, {len(heldout_paths)} held out, {steps} steps per epoch")

# %% [markdown]
# ## Training with `fit`
#
# `train` builds the GAN, restores the last checkpoint of the run directory if there is one,
# and calls `fit`. After every epoch, callbacks
#
# 1. save the generator's weights (`generators/epoch_NNN.weights.h5`),
# 2. score it on the held-out images and append a row to `metrics.csv`,
# 3. draw a sample grid (`samples/epoch_NNN.png`),
# 4. log everything to TensorBoard (`logs/`), and
# 5. write a checkpoint of both networks and both optimisers (`checkpoints/`).
#
# Files are written to a temporary name and renamed, so an interrupted run never leaves a
# half-written file: rerun this cell and it continues from the last finished epoch.

# %% tags=["nbval-ignore-output"]
rows = train(train_paths, heldout_paths, settings.run_dir, settings.config, verbose=2)

# %% [markdown]
# The run directory now holds everything the evaluation notebook needs:

# %%
run = RunDirectory(settings.run_dir)
for path in sorted(run.root.iterdir()):
    files = f"{len(list(path.iterdir()))} files" if path.is_dir() else ""
    print(f"{path.name + ('/' if path.is_dir() else ''):16} {files}")

# %% [markdown]
# The held-out metrics per epoch (notebook 05 explains each of them and plots them):

# %%
for row in rows:
    print(f"epoch {int(row['epoch']):2}: L1 {row['l1']:.4f}  PSNR {row['psnr']:.2f} dB  "
          f"CIEDE2000 {row['ciede2000']:.2f}  AuC {row['auc']:.3f}  "
          f"colourfulness {row['colorfulness_ratio']:.2f}")

# %% [markdown]
# And the last epoch's sample grid: gray input, colourised output, ground truth.

# %%
last = run.saved_epochs()[-1]
plt.figure(figsize=(6, 2 * settings.config.sample_count))
plt.imshow(Image.open(run.samples(last)))
plt.title(f"held-out samples after epoch {last}")
plt.axis("off")
plt.show()

# %% [markdown]
# To watch losses and metrics while a long run trains, point TensorBoard at the logs:
# `tensorboard --logdir runs/cartoons/logs`.
#
# ## The seed's discriminator, compared
#
# The seed post's discriminator judged the ab channels alone. It can tell whether colours
# look like colours, but not whether they fit the drawing: a red sky and a blue face pass.
# `conditional_discriminator=False` rebuilds that variant. We train both variants on the
# same short budget (a few adversarial epochs at a smaller size, no warm-up) and compare
# their held-out scores. Notebook 08 compares the seed's whole recipe at full length.

# %%
short = settings.config.replace(epochs=min(settings.config.epochs, 4), warmup_epochs=0,
                                decay_epochs=0, image_size=min(settings.config.image_size, 64))
variants = {"conditional (pix2pix)": short,
            "ab only (seed post)": short.replace(conditional_discriminator=False)}

# %% tags=["nbval-ignore-output"]
comparison = {}
for name, config in variants.items():
    run_dir = settings.run_dir.with_name(settings.run_dir.name + "-" + name.split()[0])
    comparison[name] = train(train_paths, heldout_paths, run_dir, config, verbose=0)[-1]

# %%
for name, row in comparison.items():
    print(f"{name:22} PSNR {row['psnr']:.2f}  CIEDE2000 {row['ciede2000']:.2f}  "
          f"AuC {row['auc']:.3f}  colourfulness {row['colorfulness_ratio']:.2f}")

# %% [markdown]
# On a budget this short the two are close; the conditional critic's advantage is that it
# can only be fooled by colours that suit the L channel, which matters more as training
# goes on. Next, notebook 05 evaluates the full run epoch by epoch.

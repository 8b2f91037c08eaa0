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
# - how one frozen config describes a whole run, and how the recipe turns it into two
#   networks and their optimizers;
# - the pix2pix objective: an adversarial loss plus 100 × L1 on the ab channels;
# - how one training step updates the generator and the discriminator, and why
#   `training=True` matters;
# - how `keras.Model.fit` and callbacks turn that step into a run directory on disk:
#   held-out metrics and colors of every epoch, sample grids, TensorBoard logs and
#   checkpoints;
# - how to read the loss curves of a GAN.
#
# **Modules taught:** small modules, one idea each, shown with `show_source` where they
# are taught: `colorhelpers.training.config` (`TrainConfig`, every knob of a run),
# `colorhelpers.training.recipe` (`generator_for`, `discriminator_for`, `optimizer_for`: what a
# config builds), `colorhelpers.training.gan` (`ColorGAN`, `build_gan`), `colorhelpers.training.loop` (`train`),
# `colorhelpers.training.callbacks` (what happens after every epoch), and `colorhelpers.training.runs`
# (`RunDirectory`: the files a run writes, and how they are written safely).
#
# **Run time:** measured, not typed in: the training cell prints how long the run trained
# (the sum of the per-epoch seconds in its `metrics.csv`), and the last cell how long the
# whole notebook took, on how many CPU cores and GPUs. The run is found by what trains it:
# its folder is named by the data and the recipe (`runs/<data>-<hash>/gray-<hash>`,
# the set-up cell prints the first part), so a finished run of the same data and recipe is
# read instead of trained again, and a changed recipe or data set trains a new one. (`make
# train` trains the same recipe on the same images into `runs/anime`; that run is the model
# shipped with the package.)

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator (same
# initial weights and dropout masks on every run), draws figures as PNG and returns the
# settings: the data, the run directory and the recipe, and prints the fingerprint of the
# data and the recipe. The notebook tests set `COLORGAN_FIXTURE=1`, which trains two short
# epochs at 32 px on a tiny slice of the same data instead.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source, shown_path

settings = notebook_setup()

from colorhelpers import training
from colorhelpers.training import MODEL_FIELDS, TrainConfig, callbacks, describe_schedule, recipe, runs

config = settings.config

# %% [markdown]
# Besides the modules taught: Keras, TensorFlow and NumPy for a look inside one step,
# notebook 02's `find_images`, and pictures.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from PIL import Image

from colorhelpers.data import find_images
from colorhelpers.scoring import plot_losses

# %% [markdown]
# ## The recipe: `colorhelpers.training.config`
#
# Every number of a run lives in one frozen `TrainConfig`. The loss weight (λ = 100 on L1),
# the learning rate (2·10⁻⁴) and Adam's β₁ = 0.5 come from the pix2pix paper; the filter
# counts are halved from the paper's 64 so a 128 px model trains on a laptop CPU.

# %%
print(config.to_json())

# %% [markdown]
# Two fields go beyond the paper's recipe; notebook 08 measures what each of them buys.
#
# - `warmup_epochs`: the first epochs train the generator on the L1 term alone, with no
#   discriminator (the "NoGAN" pre-training of DeOldify, and the warm-up of Shariatnia's
#   tutorial). The generator first learns safe colors that fit the drawing; only then
#   does the adversarial term push it towards vivid ones. A warm-up epoch is also cheaper
#   than an adversarial one, since the discriminator does not run (the training log below
#   prints the median time of each).
# - `decay_epochs`: pix2pix keeps the learning rate constant and then lowers it linearly
#   to zero. Without the decay, a GAN's last epoch is a lottery: the held-out scores swing
#   from epoch to epoch as generator and discriminator chase each other.
#
# What that schedule means for this run:

# %%
print(describe_schedule(config))

# %% [markdown]
# Some fields change the *shape* of the networks. They are marked in the dataclass, and a
# run directory trained with one shape refuses to resume with another (changing the
# learning rate or the number of epochs is fine):

# %%
print(MODEL_FIELDS)

# %% [markdown]
# ## From a config to networks: `colorhelpers.training.recipe`
#
# One module builds what a config describes, so that training a run and reloading it later
# (notebook 05) can never build two different models from the same `config.json`. The
# generator, for instance, is notebook 03's U-Net unless the config asks for notebook 07's
# VGG-16 encoder:

# %%
show_source(recipe.generator_for)

# %% [markdown]
# Both networks get pix2pix's Adam. The generator's can also keep a moving average of its
# weights (`generator_average`, off by default; notebook 11's line art uses it):

# %%
show_source(recipe.optimizer_for)

# %% [markdown]
# `training.build_gan` puts the pieces together: both networks, built under the config's
# number format, in one `ColorGAN`, compiled with one optimizer each.

# %%
show_source(training.build_gan)

# %% [markdown]
# ## One training step: `colorhelpers.training`
#
# The generator G turns L into ab. The discriminator D looks at (L, ab) pairs and outputs a
# grid of logits, one per image patch: "real" for the true colors, "fake" for G's.
#
# - D's loss: binary cross-entropy pushing real patches to 1 and fake patches to 0 (halved, as
#   in pix2pix, so D learns at half the pace of G).
# - G's loss: cross-entropy pushing D's verdict on fake patches to 1 (*fool the critic*),
#   plus 100 × the mean absolute error between predicted and true ab (*stay close to the
#   truth*). The L1 term alone gives plausible but dull colors; the adversarial term
#   alone gives vivid colors unrelated to the drawing.
#
# Here is the step `fit` runs on every batch:

# %%
show_source(training.ColorGAN.train_step)

# %% [markdown]
# Two tapes record the same forward pass; each network is then updated on its own loss only.
# During the warm-up the step is simpler still: the L1 term alone, and the discriminator
# does not run.

# %%
show_source(training.ColorGAN._warmup_step)

# %% [markdown]
# ### Why `training=True`
# The blog post called its models as `gen(Ls)`, leaving `training` at its default. In Keras
# that means *inference mode*: batch normalization normalizes with moving statistics that
# are never updated (they stay at mean 0, variance 1), and dropout is off. Here is the
# difference on a small model and one random batch:

# %%
tiny = TrainConfig(image_size=32, generator_filters=8, discriminator_filters=8)
l_batch = tf.random.stateless_uniform((4, 32, 32, 1), seed=(0, 0), minval=-1.0, maxval=1.0)
ab_batch = tf.zeros((4, 32, 32, 2))


def first_moving_mean(gan: training.ColorGAN) -> np.ndarray:
    bn = next(la for la in gan.generator.layers if isinstance(la, keras.layers.BatchNormalization))
    return np.asarray(bn.moving_mean)


# %% tags=["nbval-check-output"]
keras.utils.set_random_seed(0)
gan = training.build_gan(tiny)
_ = gan.generator(l_batch)  # the blog post's call: inference mode
print("moving mean updated without training=True:", bool(np.any(first_moving_mean(gan) != 0)))
_ = gan.train_step((l_batch, ab_batch))  # our step calls the models with training=True
print("moving mean updated by ColorGAN.train_step:", bool(np.any(first_moving_mean(gan) != 0)))

# %% [markdown]
# How fast the moving statistics follow the batches matters as well. Keras' default
# momentum of 0.99 averages over the last hundred or so steps; a run of a few hundred steps
# changes its weights faster than that, so the statistics used at inference lag behind the
# network they belong to, and the colors come out tinted and wrong. In an L1-only run on
# the clip-art cartoons colorgan bundled before its anime characters (`data/cartoons`),
# measured while this series was written (notebook 08 lists that run
# and the others that led to the default recipe), the held-out CIEDE2000 jumped between 7
# and 16 from one epoch to the next with 0.99; with colorgan's 0.9 it stayed between 5.7
# and 7.3. (pix2pix sidesteps the question by using the statistics of the test batch at
# inference.)

# %% tags=["nbval-check-output"]
momenta = {la.momentum for la in gan.generator.layers if isinstance(la, keras.layers.BatchNormalization)}
print("batch-norm momentum of the generator's layers:", momenta)

# %% [markdown]
# ## The data
#
# The training images and the held-out images (never trained on; they are what the
# metrics and sample grids show) come from notebook 02's pipeline. Every notebook that
# trains (04, 06, 07 and 08) trains on the same images, all of the training folder
# (`settings.train_paths()`), and scores on the same held-out ones.

# %%
train_paths = settings.train_paths()
heldout_paths = find_images(settings.heldout_dir)
steps = len(train_paths) // config.batch_size
print(f"{len(train_paths)} training images, {len(heldout_paths)} held out, {steps} steps per epoch")

# %% [markdown]
# ## Training with `fit`
#
# `train` builds the GAN, restores the newest intact checkpoint of the run directory if
# there is one, and calls `fit`, once for the warm-up epochs and once for the adversarial
# ones. Callbacks from `colorhelpers.training.callbacks` do the rest, in this order:
#
# 1. `LinearDecay` sets both learning rates at the start of each epoch (pix2pix's schedule);
# 2. `StopOnNonFinite` stops at once, with a clear message, if a loss is no longer a
#    finite number;
# 3. `AveragedGenerator` swaps the generator's moving average in for the rest of the list
#    when the recipe keeps one (notebook 11; not here);
# 4. `EpochArtifacts` scores the generator on the held-out images and appends a row to
#    `metrics.csv`, keeps the held-out images' colors for notebook 05's epoch browser,
#    and draws a sample grid;
# 5. Keras' `TensorBoard` logs losses and scores (`logs/`);
# 6. `SaveCheckpoint` writes a checkpoint of both networks and both optimizers, last, so
#    that a checkpoint never exists without its epoch's files.
#
# The heart of it, what `EpochArtifacts` does after every epoch:

# %%
show_source(callbacks.EpochArtifacts.on_epoch_end)

# %% [markdown]
# `verbose=2` prints one line per epoch with the epoch's mean losses. If the run directory
# already holds a finished run (the same data and recipe: the folder is named by both),
# nothing is trained and the line below says so.

# %% tags=["nbval-ignore-output"]
already = len(runs.RunDirectory(settings.run_dir).read_metrics())
rows = training.train(train_paths, heldout_paths, settings.run_dir, config, verbose=2)
print(f"{len(rows)} epochs in {shown_path(settings.run_dir)}:",
      f"{len(rows) - already} trained now," if len(rows) > already else "already complete,",
      f"{sum(r['seconds'] for r in rows) / 60:.1f} minutes of training in all")

# %% [markdown]
# Every epoch's training losses are kept in `metrics.csv`, so the log of the whole run is
# there whether it was trained just now or earlier. Each value is the mean over the
# epoch's batches, with dropout on: these are *training* losses.

# %% tags=["nbval-ignore-output"]
print("epoch  generator  L1 (train)  adversarial  discriminator  seconds")
for row in rows:
    print(f"{int(row['epoch']):5}  {row['generator_loss']:9.3f}  {row['l1']:10.4f}  "
          f"{row['adversarial']:11.3f}  {row['discriminator_loss']:13.3f}  {row['seconds']:7.1f}")

# %% [markdown]
# ## Reading a GAN's loss curves
#
# The default recipe trains on L1 alone (the schedule printed above), so its discriminator
# never runs and its log has no adversarial losses; why the default leaves the GAN out is
# notebook 08's question. To see a GAN train, here is the same recipe with the second half
# of its epochs adversarial, at the small budget notebooks 06-08 compare variants on (a
# third of the epochs at half the size; notebook 08 reads this run instead of training it
# again):

# %% tags=["nbval-ignore-output"]
gan_config = settings.study_config.replace(warmup_epochs=settings.study_config.epochs // 2)
print(describe_schedule(gan_config), f"at {gan_config.image_size} px")
gan_rows = training.train(train_paths, heldout_paths, settings.run_for(gan_config), gan_config, verbose=0)
phases = {"warm-up": [r["seconds"] for r in gan_rows if r["epoch"] <= gan_config.warmup_epochs],
          "adversarial": [r["seconds"] for r in gan_rows if r["epoch"] > gan_config.warmup_epochs]}
print(", ".join(f"median {name} epoch {np.median(secs):.1f} s" for name, secs in phases.items() if secs))

# %% [markdown]
# Its losses as curves. During the warm-up (shaded) only L1 is trained, so the generator
# loss is 100 × L1 and the discriminator does not run. When the adversarial epochs start,
# the generator loss grows by the adversarial term, and the training L1 usually stops
# falling as fast: the generator now also tries to fool D, which costs some closeness to the
# truth. The learning-rate decay of the last epochs calms the curves down.

# %%
_ = plot_losses(gan_rows, warmup_epochs=gan_config.warmup_epochs)
plt.show()

# %% [markdown]
# A GAN's losses do not fall towards zero the way a classifier's do. A discriminator that
# cannot tell real from fake at all outputs 0.5 everywhere, which costs ln 2 ≈ 0.693 in
# binary cross-entropy; a loss well below that means D is winning, and one that stays near
# it means the two are balanced (the dashed line in the last panel above). What this run's
# adversarial epochs show:

# %%
adversarial_rows = [r for r in gan_rows if r["epoch"] > gan_config.warmup_epochs]
if adversarial_rows:
    d_losses = np.array([r["discriminator_loss"] for r in adversarial_rows])
    share = d_losses.mean() / np.log(2)
    verdict = ("D tells real from fake easily" if share < 0.5 else
               "D is ahead of G" if share < 0.9 else "D and G are about balanced")
    print(f"discriminator loss over the adversarial epochs: {d_losses.min():.3f} to {d_losses.max():.3f},"
          f" mean {d_losses.mean():.3f} = {share:.0%} of ln 2: {verdict}")
else:
    print("this run has no adversarial epochs yet")

# %% [markdown]
# ## What the run leaves on disk: `colorhelpers.training.runs`
#
# `RunDirectory` names every file a run writes:

# %%
run = runs.RunDirectory(settings.run_dir)
for path in sorted(run.root.iterdir()):
    files = f"{len(list(path.iterdir()))} files" if path.is_dir() else ""
    print(f"{path.name + ('/' if path.is_dir() else ''):16} {files}")

# %% [markdown]
# Every file is written to a temporary name in the same folder and renamed into place, so a
# run killed at any moment leaves each file either old or new, never half-written; rerun
# the training cell and it continues from the last finished epoch:

# %%
show_source(runs.atomic_path)

# %% [markdown]
# The per-epoch scores on the held-out images (notebook 05 explains each of them and plots
# them). The first column is the *training* L1 again, for comparison; the other four are
# measured on images the model never trained on.

# %%
print(f"{'':5} {'training':>8} | {'held-out images':^43}")
print(f"{'epoch':5} {'L1':>8} | {'PSNR dB':>8} {'CIEDE2000':>10} {'AuC':>7} {'colorfulness':>13}")
for row in rows:
    print(f"{int(row['epoch']):5} {row['l1']:8.4f} | {row['psnr']:8.2f} {row['ciede2000']:10.2f} "
          f"{row['auc']:7.3f} {row['colorfulness_ratio']:13.2f}")

# %% [markdown]
# And the last epoch's sample grid: gray input, colorized output, ground truth.

# %%
last = run.saved_epochs()[-1]
plt.figure(figsize=(6, 2 * config.sample_count))
plt.imshow(Image.open(run.samples(last)))
plt.title(f"held-out samples after epoch {last}")
plt.axis("off")
plt.show()

# %% [markdown]
# To watch losses and metrics while a long run trains, point TensorBoard at the run's logs:

# %%
print("tensorboard --logdir", shown_path(run.tensorboard))

# %% [markdown]
# ## The blog post's discriminator, compared
#
# The blog post's discriminator judged the ab channels alone. It can tell whether colors
# look like colors, but not whether they fit the drawing: a red sky and a blue face pass.
# `conditional_discriminator=False` rebuilds that variant. We train both variants on the
# studies' budget, every epoch adversarial, and compare their held-out scores (the
# conditional one is notebook 08's "without warm-up" run). Notebook 08 compares the blog
# post's whole recipe on the same budget.

# %%
adversarial = settings.study_config.replace(warmup_epochs=0)
variants = {"conditional (pix2pix)": adversarial,
            "ab only (blog post)": adversarial.replace(conditional_discriminator=False)}
print(describe_schedule(adversarial), f"at {adversarial.image_size} px")

# %% tags=["nbval-ignore-output"]
comparison = {}
for name, variant_config in variants.items():
    run_dir = settings.run_for(variant_config)  # named by its recipe: shared with notebook 08
    comparison[name] = training.train(train_paths, heldout_paths, run_dir, variant_config, verbose=0)[-1]

# %% [markdown]
# The held-out scores of the last epoch, and which critic came out better on each:

# %%
higher_is_better = {"psnr": True, "ciede2000": False, "auc": True, "colorfulness_ratio": True}
for name, row in comparison.items():
    print(f"{name:22} PSNR {row['psnr']:.2f}  CIEDE2000 {row['ciede2000']:.2f}  "
          f"AuC {row['auc']:.3f}  colorfulness {row['colorfulness_ratio']:.2f}")
(a_name, a), (b_name, b) = comparison.items()
wins = {a_name: [], b_name: []}
for metric, higher in higher_is_better.items():
    if a[metric] != b[metric]:
        wins[a_name if (a[metric] > b[metric]) == higher else b_name].append(metric)
for name, metrics in wins.items():
    print(f"better with the {name} critic: {', '.join(metrics) or 'none'}")

# %% [markdown]
# The lines above say which critic came out ahead in this run. One run of each, at a small
# size, decides little in general: another seed can reverse differences of a few tenths
# (notebook 08 measures how far one run's CIEDE2000 moves on its own). The argument for the
# conditional critic is the one notebook 03 made: only it can penalize colors that do not
# suit the drawing. Notebook 08 measures the blog post's whole recipe against colorgan's.
#
# ## Summary
#
# - One frozen `TrainConfig` describes a run and is saved with it; `recipe` builds exactly
#   the networks and optimizers it describes, for training and for reloading.
# - `ColorGAN.train_step` updates D on real-versus-fake and G on fooling D plus 100 × L1,
#   with the models called in training mode; the warm-up epochs train G on L1 alone.
# - `train` drives `fit` with callbacks that write weights, held-out metrics, sample grids,
#   TensorBoard logs and checkpoints, atomically; rerunning it resumes.
# - The losses are training losses; judge a colorizer on the held-out metrics, which
#   notebook 05 takes apart.
#
# Next, notebook 05 evaluates the full run epoch by epoch.
#
# ## Exercises
#
# 1. Train a copy of the run with `warmup_epochs=0` into another folder and plot its
#    losses next to these. How do the discriminator loss and the training L1 of the first
#    adversarial epochs differ?
# 2. Try to resume `settings.run_dir` with `generator_filters=64`. What does `train` say, and
#    which line of `colorhelpers/training/runs.py` says it?
# 3. Use `callbacks.LinearDecay(2e-4, 30, 10).rate` to print the learning rate of every epoch. Which
#    is the first epoch with a lower rate, and what is the rate of the last?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

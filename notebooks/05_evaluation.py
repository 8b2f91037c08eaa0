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
# # 05 · Evaluating the colouriser, epoch by epoch
#
# **What you will learn**
# - four ways to score a colourisation (PSNR, CIEDE2000, AuC, colourfulness) and what each
#   rewards;
# - how the run from notebook 04 improved per epoch, against the trivial "gray" answer;
# - how to browse every epoch's output with widgets, and compare two epochs side by side;
# - how to colourise an image of any size without blurring it.
#
# **Modules taught:** `colorhelpers.metrics`, `colorhelpers.plotting`, `colorhelpers.evaluation`.
#
# **Run time:** under a minute on a CPU. Needs the run written by notebook 04
# (or by `make train`).

# %%
import os

import colorhelpers

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
colorhelpers.import_tensorflow_quietly()  # keeps TensorFlow's C++ start-up log out of this cell
import matplotlib.pyplot as plt
import numpy as np
from ipywidgets import Dropdown, SelectionSlider, interact
from PIL import Image

from colorhelpers.config import tutorial_settings
from colorhelpers.data import eval_batches, find_images, load_rgb
from colorhelpers.evaluation import (
    EpochBrowser,
    colorize_rgb,
    evaluate_run,
    load_generator,
    luma,
    open_run,
)
from colorhelpers.metrics import ab_auc, colorfulness, evaluate_generator
from colorhelpers.plotting import plot_metrics, show_images

# %config InlineBackend.figure_formats = ["png"]
settings = tutorial_settings()
run = open_run(settings.run_dir)
heldout_paths = find_images(settings.heldout_dir)
print(f"run {run.root.name}: epochs {run.saved_epochs()}, {len(heldout_paths)} held-out images")

# %% [markdown]
# ## Four scores
#
# All are computed on the held-out images, in Lab, with the true L and predicted ab.
#
# - **PSNR** of the RGB result against the original: pixel fidelity in dB. Higher is better.
# - **CIEDE2000**: the CIE's perceptual colour difference, averaged over pixels. A difference
#   of about 2.3 is just noticeable. Lower is better.
# - **AuC** (Zhang et al. 2016): for each threshold t = 0…150, the share of pixels whose ab
#   error is at most t; then the mean over thresholds. 1 is perfect. A small example: an error
#   of exactly 30 everywhere passes thresholds 30…150, 121 of the 151:

# %% tags=["nbval-check-output"]
truth = np.zeros((1, 4, 4, 3))
off_by_30 = truth + [0.0, 30.0, 0.0]
print(f"AuC = {ab_auc(off_by_30, truth)[0]:.4f} (121/151 = {121 / 151:.4f})")

# %% [markdown]
# - **Colourfulness** (Hasler and Süsstrunk 2003) measures how vivid an image is, from the
#   spread and mean of its red–green and yellow–blue opponent channels; 0 for gray. We report
#   the ratio output / truth: far below 1 means washed-out, sepia-like output.

# %% tags=["nbval-check-output"]
gray = np.full((1, 8, 8, 3), 0.5)
stripes = np.zeros((1, 8, 8, 3))
stripes[:, ::2, :, 0] = 1.0  # red and black stripes
print(f"gray: {colorfulness(gray)[0]:.1f}, red stripes: {colorfulness(stripes)[0]:.1f}")

# %% [markdown]
# The first three reward a cautious, desaturated answer: predicting ab = 0 everywhere (the
# *gray answer*) is never far wrong. Colourfulness rewards boldness. A good colouriser must
# do well on both, so every plot below shows the gray answer as a baseline.

# %%
heldout = eval_batches(heldout_paths, run.read_config().image_size)
gray_answer = evaluate_generator(None, heldout)
print({name: round(value, 3) for name, value in gray_answer.items()})

# %% [markdown]
# ## Metrics per epoch
#
# Notebook 04 wrote one row per epoch to `metrics.csv`:

# %%
_ = plot_metrics(run.read_metrics(), baseline=gray_answer)
plt.show()

# %% [markdown]
# The same numbers come from `evaluate_run`, which the command line's
# `python -m colorhelpers evaluate` prints as JSON:

# %%
scores = evaluate_run(run, settings.heldout_dir)
print({name: round(value, 3) for name, value in scores.items()})

# %% [markdown]
# ## Browsing epochs
#
# Move the slider to see how a held-out image's colours developed over training, and pick
# another image from the list. `EpochBrowser` keeps each epoch's predictions once computed,
# so going back is instant. (The widgets need a live kernel; on a static page you see the
# last epoch.)

# %%
browser = EpochBrowser(run, heldout_paths)
images = Dropdown(options=[(name, i) for i, name in enumerate(browser.names)], description="image")
_ = interact(browser.show, epoch=SelectionSlider(options=browser.epochs, value=browser.epochs[-1]),
             image=images)

# %% [markdown]
# And two epochs side by side, with the truth on the right:

# %%
epochs = browser.epochs
_ = interact(browser.compare,
             epoch_a=SelectionSlider(options=epochs, value=epochs[0], description="epoch A"),
             epoch_b=SelectionSlider(options=epochs, value=epochs[-1], description="epoch B"),
             image=Dropdown(options=images.options, description="image"))

# %% [markdown]
# ## Colourising an image of any size
#
# The model works at its training size. The seed post colourised a resized copy and then
# resized the *whole RGB result* back up, so every edge of the drawing came out blurred.
# `colorize_rgb` instead predicts only ab at the model's size, upsamples ab (colour varies
# slowly, so little is lost), and keeps the input's own full-resolution lightness. Here
# with a held-out image enlarged 4×:

# %%
generator, epoch = load_generator(run)
size = run.read_config().image_size
big = load_rgb(str(heldout_paths[0]), size * 4)
ours = colorize_rgb(generator, big, size)
small = colorize_rgb(generator, load_rgb(str(heldout_paths[0]), size), size)
seeds = np.asarray(Image.fromarray(small).resize(ours.shape[1::-1], Image.BICUBIC))

# %% [markdown]
# How much of the input's detail survives? Compare the luma (the gray version) of each
# result with the input's:

# %%
def luma_psnr(rgb_uint8: np.ndarray) -> float:
    error = luma(rgb_uint8 / 255.0).numpy() - luma(big).numpy()
    return 10 * np.log10(1 / np.mean(error**2))


print(f"full-resolution L (ours): {luma_psnr(ours):.1f} dB")
print(f"resized RGB (seed post):  {luma_psnr(seeds):.1f} dB")
crop = slice(0, size * 2)
_ = show_images([ours[crop, crop], seeds[crop, crop]], ["ours", "seed post: resized RGB"], width=4)
plt.show()

# %% [markdown]
# The same function runs behind `python -m colorhelpers colorize --run RUN --input FILE_OR_DIR
# --output DIR`, which handles any image size and aspect ratio, colour or gray input.

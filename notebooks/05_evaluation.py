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
# # 05 · Evaluating the colorizer, epoch by epoch
#
# **What you will learn**
# - four ways to score a colorization (PSNR, CIEDE2000, AuC, colorfulness) and what each
#   rewards;
# - how the run from notebook 04 improved per epoch, against the trivial "gray" answer;
# - how to browse every epoch's output with widgets, and compare two epochs side by side;
# - how to colorize an image larger than the model without blurring it.
#
# **Modules taught:** `colorhelpers.metrics`, `colorhelpers.plotting`,
# `colorhelpers.evaluation`, shown with `show_source` where they are taught.
#
# **Run time:** under a minute on a CPU. Needs the run written by notebook 04
# (or by `make train`).

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator, draws
# figures as PNG and returns the settings; then the run notebook 04 trained is opened.

# %%
from colorhelpers.tutorial import notebook_setup, show_source

settings = notebook_setup()

from colorhelpers import evaluation, metrics
from colorhelpers.data import decode_rgb, eval_batches, find_images
from colorhelpers.plotting import plot_metrics, show_images

run = evaluation.open_run(settings.run_dir)
heldout_paths = find_images(settings.heldout_dir)
print(f"run {run.root.name}: epochs {run.saved_epochs()}, {len(heldout_paths)} held-out images")

# %% [markdown]
# The widgets, NumPy, PIL and TensorFlow for resizing, and Matplotlib:

# %%
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from ipywidgets import Dropdown, SelectionSlider, interact
from PIL import Image

# %% [markdown]
# ## Four scores
#
# All are computed on the held-out images, in Lab, with the true L and predicted ab.
#
# - **PSNR** of the RGB result against the original: pixel fidelity in dB. Higher is better.
# - **CIEDE2000**: the CIE's perceptual color difference, averaged over pixels. A difference
#   of about 1 is just noticeable. (The 2.3 often quoted belongs to the older CIE76 formula,
#   the plain Euclidean distance in Lab.) Lower is better.
# - **AuC** (Zhang et al. 2016): for each threshold t = 0…150, the share of pixels whose ab
#   error is at most t; then the mean over thresholds. 1 is perfect.
#
# In code, from `colorhelpers/metrics.py`:

# %%
show_source(metrics.ab_auc)

# %% [markdown]
# A small example: an error of exactly 30 everywhere passes thresholds 30…150, 121 of the 151:

# %% tags=["nbval-check-output"]
truth = np.zeros((1, 4, 4, 3))
off_by_30 = truth + [0.0, 30.0, 0.0]
print(f"AuC = {metrics.ab_auc(off_by_30, truth)[0]:.4f} (121/151 = {121 / 151:.4f})")

# %% [markdown]
# - **Colorfulness** (Hasler and Süsstrunk 2003) measures how vivid an image is, from the
#   spread and mean of its red–green and yellow–blue opponent channels; 0 for gray. We report
#   the ratio output / truth: far below 1 means washed-out, sepia-like output.

# %%
show_source(metrics.colorfulness)

# %% [markdown]
# For instance, gray against red and black stripes:

# %% tags=["nbval-check-output"]
gray = np.full((1, 8, 8, 3), 0.5)
stripes = np.zeros((1, 8, 8, 3))
stripes[:, ::2, :, 0] = 1.0  # red and black stripes
print(f"gray: {metrics.colorfulness(gray)[0]:.1f}, red stripes: {metrics.colorfulness(stripes)[0]:.1f}")

# %% [markdown]
# The first three reward a cautious, desaturated answer: predicting ab = 0 everywhere (the
# *gray answer*) is never far wrong. Colorfulness rewards boldness. A good colorizer must
# do well on both, so every plot below shows the gray answer as a baseline.

# %%
heldout = eval_batches(heldout_paths, run.read_config().image_size)
gray_answer = metrics.evaluate_generator(None, heldout)
print({name: round(value, 3) for name, value in gray_answer.items()})

# %% [markdown]
# ## Metrics per epoch
#
# Notebook 04 wrote one row per epoch to `metrics.csv`. `plotting.plot_metrics` draws one
# panel per held-out score, with the gray answer dashed:

# %%
rows = run.read_metrics()
_ = plot_metrics(rows, baseline=gray_answer)
plt.show()

# %% [markdown]
# Read off the plot, checked in numbers: the epoch with the best CIEDE2000, and on which
# scores the last epoch beats the gray answer.

# %%
higher_is_better = {"psnr": True, "ciede2000": False, "auc": True}
best = min(rows, key=lambda r: r["ciede2000"])
print(f"best CIEDE2000: epoch {int(best['epoch'])} ({best['ciede2000']:.2f});"
      f" last epoch: {rows[-1]['ciede2000']:.2f}; gray answer: {gray_answer['ciede2000']:.2f}")
for name, higher in higher_is_better.items():
    ours, bar = rows[-1][name], gray_answer[name]
    print(f"last epoch beats the gray answer on {name}: {(ours > bar) if higher else (ours < bar)}")
print(f"last epoch's colorfulness ratio: {rows[-1]['colorfulness_ratio']:.2f} (the gray answer's is 0)")

# %% [markdown]
# The same numbers come from `evaluate_run`, which the command line's
# `python -m colorhelpers evaluate` prints as JSON:

# %%
scores = evaluation.evaluate_run(run, settings.heldout_dir)
print({name: round(value, 3) for name, value in scores.items()})

# %% [markdown]
# ## Browsing epochs
#
# Move the slider to see how a held-out image's colors developed over training, and pick
# another image from the list. `EpochBrowser` keeps each epoch's predictions once computed,
# so going back is instant. (The widgets need a live kernel; on a static page you see the
# last epoch.)

# %%
browser = evaluation.EpochBrowser(run, heldout_paths)
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
# ## Colorizing an image larger than the model
#
# The model works at its training size. The blog post colorized a resized copy and then
# resized the *whole RGB result* back up, so every edge of the drawing came out blurred.
# `colorize_rgb` instead predicts only ab at the model's size, upsamples ab (color varies
# slowly, so little is lost), and keeps the input's own full-resolution lightness:

# %%
show_source(evaluation._colorizer, start="@tf.function")

# %% [markdown]
# To see the difference we need an image with more pixels than the model has. The bundled
# cartoons were all stored at the model's own size when the dataset was built, and blowing
# one up would only invent pixels (the sharp result would just be sharply interpolated).
# So we make a bigger image from real pixels only: four held-out cartoons side by side, at
# their native size, in a 2 × 2 mosaic. The model sees it shrunk to its size.

# %%
generator, epoch = evaluation.load_generator(run)
size = run.read_config().image_size
tiles = [decode_rgb(str(path)).numpy() for path in heldout_paths[:4]]
side = min(min(t.shape[:2]) for t in tiles)
tiles = [t[:side, :side] for t in tiles]
mosaic = np.concatenate([np.concatenate(tiles[:2], axis=1), np.concatenate(tiles[2:], axis=1)])
print(f"mosaic: {mosaic.shape[1]} x {mosaic.shape[0]} px of four {side} px images;"
      f" the model works at {size} px")

# %% [markdown]
# Colorized both ways: ours, and the blog post's (shrink, colorize, resize the RGB result
# back up with bicubic interpolation).

# %%
ours = evaluation.colorize_rgb(generator, mosaic, size)
shrunk = tf.image.resize(mosaic, [size, size], method="area", antialias=True)
small = evaluation.colorize_rgb(generator, shrunk, size)
blog_way = np.asarray(Image.fromarray(small).resize(ours.shape[1::-1], Image.BICUBIC))

# %% [markdown]
# How much of the input's detail survives? Compare the luma (the gray version) of each
# result with the input's:

# %%
def luma_psnr(rgb_uint8: np.ndarray) -> float:
    error = evaluation.luma(rgb_uint8 / 255.0).numpy() - evaluation.luma(mosaic).numpy()
    return 10 * np.log10(1 / max(np.mean(error**2), 1e-10))


print(f"full-resolution L (ours):  {luma_psnr(ours):.1f} dB")
print(f"resized RGB (blog post):   {luma_psnr(blog_way):.1f} dB")

# %% [markdown]
# One cartoon of the mosaic at its native resolution, both ways:

# %%
crop = slice(0, side)
gray_input = np.repeat(evaluation.luma(mosaic[crop, crop]).numpy()[..., None], 3, axis=-1)
_ = show_images([gray_input, ours[crop, crop], blog_way[crop, crop]],
                ["gray input", "ours: full-resolution L", "blog post: resized RGB"], width=4)
plt.show()

# %% [markdown]
# The same function runs behind `python -m colorhelpers colorize --run RUN --input FILE_OR_DIR
# --output DIR`, which handles any image size and aspect ratio, color or gray input.
#
# ## Summary
#
# - PSNR, CIEDE2000 and AuC reward fidelity, and the gray answer already scores well on
#   them; colorfulness rewards boldness. Judge a colorizer on all four, against the gray
#   answer.
# - `metrics.csv` holds the scores of every epoch; `plot_metrics` draws them, and
#   `EpochBrowser` shows any epoch's pictures on demand.
# - `colorize_rgb` predicts only the colors at the model's size and keeps the input's
#   full-resolution lightness, so a large image comes out as sharp as it went in.
#
# Next, notebook 06 asks whether the generator's randomness, noise or dropout, changes
# its colors at all.
#
# ## Exercises
#
# 1. Score the epoch with the best CIEDE2000 with `evaluate_run(run, settings.heldout_dir,
#    epoch=...)`. Is it also the best on AuC and PSNR?
# 2. Colorize one of your own pictures, larger than 128 px, with
#    `python -m colorhelpers colorize` and look at the edges. Then convert the result to
#    gray and compare it with the input's gray.
# 3. Compute CIE76, the plain distance in Lab, on the held-out images for the last epoch
#    and compare it with CIEDE2000. Which one is larger, and on which colors do they
#    disagree most?

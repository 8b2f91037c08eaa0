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
# # 01 · The Lab color space
#
# **What you will learn**
#
# * why a colorization model is better off working in CIELAB ("Lab") than in RGB;
# * what the three channels L, a and b mean, and how far a and b reach for colors a
#   screen can show;
# * how the series scales L and ab to [-1, 1] for the network, and why ab is divided by 110;
# * that the conversion is written in TensorFlow ops, survives a round trip, and agrees with
#   scikit-image.
#
# **Module taught:** `colorhelpers.color.lab` (`rgb_to_lab`, `lab_to_rgb`, `normalize_lab`,
# `denormalize_lab`, `rgb_to_l_ab`, `l_ab_to_rgb`), shown with `show_source` where it is taught.
#
# **Run time:** measured, not typed in: the last cell prints how long this notebook took,
# on how many CPU cores and GPUs. Nothing is trained here.

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator (nothing
# below is random, but every notebook of the series starts alike), draws figures as PNG and
# returns the settings: where the data is and which image size to use. It prints the
# notebook's *fingerprint*: how many images the data has, a hash of their names and sizes, and
# a hash of the recipe, so this page says what its outputs came from. The notebook tests set
# `COLORGAN_FIXTURE=1`, which switches to a tiny slice of the same data at 32 px.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

from colorhelpers.color import lab

size = settings.config.image_size
print(f"image size: {size} px")

# %% [markdown]
# The other libraries this notebook uses: NumPy and Matplotlib for the pictures,
# scikit-image as an independent check of the conversion, and notebook 02's image loader.

# %%
import matplotlib.pyplot as plt
import numpy as np
import skimage.color
from matplotlib.colors import ListedColormap

from colorhelpers.data import load_rgb

# %% [markdown]
# ## Why not simply RGB?
#
# The job is to turn a gray drawing into a colored one. In RGB every one of the three numbers
# of a pixel mixes two things: how *bright* the pixel is and what *color* it has. A network
# working in RGB would have to predict all three, and it would have to reproduce the
# brightness of the input exactly, through three channels at once. A small error in any of
# them shifts the lightness, so the outlines and shading of the drawing could smear or change.
# The gray input is itself a weighted sum of R, G and B, so input and output are entangled.
#
# CIELAB separates the two. **L** is lightness and **a**, **b** are color. The gray picture
# *is* the L channel, so:
#
# * the network gets lightness for free and predicts only two numbers per pixel, a and b;
# * the output is put together as (input L, predicted ab), so the drawing's lines and shading
#   come through untouched, whatever the network does;
# * the loss compares predicted and true ab only: it is spent on color alone and never
#   punishes (or rewards) lightness.
#
# Lab was also designed so that equal distances look roughly equally different to a person,
# which makes an L1 distance on ab a sensible measure of color error.
#
# ## What L, a and b mean
#
# * **L**, lightness: 0 is black, 100 is white.
# * **a**, the green-red axis: negative is green, positive is red (magenta at the far end).
# * **b**, the blue-yellow axis: negative is blue, positive is yellow.
#
# a = b = 0 is a neutral gray of lightness L. These are the opponent pairs of human color
# vision: nothing looks reddish-green or bluish-yellow.
#
# Let us look at a real image from the training set, an anime character in a green cap
# (one that the tests' slice of the data has too). `load_rgb` (notebook 02) reads it as RGB
# floats in [0, 1], cropped and resized to the tutorial size.

# %%
path = settings.train_dir / "f_hatgirl_00.png"
rgb = load_rgb(str(path), size)
print("RGB:", rgb.shape, rgb.dtype, f"range [{rgb.numpy().min():.2f}, {rgb.numpy().max():.2f}]")

# %% [markdown]
# `lab.rgb_to_lab` converts it. The last axis now holds L, a and b.

# %%
image_lab = lab.rgb_to_lab(rgb).numpy()
for i, name in enumerate("Lab"):
    channel = image_lab[..., i]
    print(f"{name}: from {channel.min():7.1f} to {channel.max():6.1f}")

# %% [markdown]
# The three channels as pictures. Each of a and b is drawn in the colors its axis runs
# through (at L = 60, with the other axis at 0), so you can read off where the picture is
# red, green, blue or yellow: the cap and the jacket are a yellowish green (a a little below
# 0, b far above it), the face leans red (a above 0), and as nothing is blue, b hardly goes
# below 0. L alone already shows the whole drawing.

# %%
# plotting only: color maps made of each axis' own colors, at L = 60
t = np.linspace(-100, 100, 256, dtype=np.float32)
sixty, zero = np.full_like(t, 60.0), np.zeros_like(t)
a_map = ListedColormap(lab.lab_to_rgb(np.stack([sixty, t, zero], axis=-1)).numpy())
b_map = ListedColormap(lab.lab_to_rgb(np.stack([sixty, zero, t], axis=-1)).numpy())
fig, axes = plt.subplots(1, 4, figsize=(12, 2.8))
axes[0].imshow(rgb)
for i, (cmap, low) in enumerate([("gray", 0), (a_map, -100), (b_map, -100)]):
    shown = axes[i + 1].imshow(image_lab[..., i], cmap=cmap, vmin=low, vmax=100)
    fig.colorbar(shown, ax=axes[i + 1])
titles = ["RGB", "L (lightness)", "a (green - red)", "b (blue - yellow)"]
for ax, title in zip(axes, titles, strict=True):
    _ = ax.set(title=title, xticks=[], yticks=[])
plt.show()

# %% [markdown]
# ## What the model sees, and what it must supply
#
# Setting a = b = 0 keeps the lightness and removes all color: that gray picture is exactly
# the generator's input. The reverse, the original ab on a constant lightness, is what the
# generator has to produce; without L it is only blotches of color (the white background has
# no color, so it turns into a flat gray).

# %%
zeros = np.zeros_like(image_lab[..., 1:])
gray = lab.lab_to_rgb(np.concatenate([image_lab[..., :1], zeros], axis=-1)).numpy()
flat_l = np.full_like(image_lab[..., :1], 70.0)
color_only = lab.lab_to_rgb(np.concatenate([flat_l, image_lab[..., 1:]], axis=-1)).numpy()
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
titles = ["original", "L with ab = 0 (input)", "ab with L = 70 (target)"]
for ax, picture, title in zip(axes, [rgb, gray, color_only], titles, strict=True):
    ax.imshow(picture)
    _ = ax.set(title=title, xticks=[], yticks=[])
plt.show()

# %% [markdown]
# The gray picture really is gray: its R, G and B agree to well within one 8-bit step.

# %%
spread = (gray.max(axis=-1) - gray.min(axis=-1)).max() * 255
print(f"largest difference between R, G and B: {spread:.2f} of one 8-bit step")

# %% [markdown]
# ## How far do a and b reach?
#
# The Lab axes are not bounded by definition, but the colors a screen can show (the sRGB
# gamut) occupy only part of the space. We convert a dense grid of RGB colors, every 5th of
# the 256 levels per channel including 0 and 255, and look at the extremes. The extremes sit
# at corners of the RGB cube, which the grid contains, so these are the exact limits.

# %% tags=["nbval-check-output"]
levels = np.arange(0, 256, 5, dtype=np.uint8)
grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
grid_lab = lab.rgb_to_lab(grid.astype(np.float32) / 255.0).numpy()
print(f"{len(grid):,} colors")
for i, name in enumerate("Lab"):
    low, high = grid_lab[:, i].argmin(), grid_lab[:, i].argmax()
    print(f"{name}: min {grid_lab[low, i]:6.1f} at RGB {grid[low]}", end=",  ")
    print(f"max {grid_lab[high, i]:5.1f} at RGB {grid[high]}")
print(f"largest |a| or |b| of any of them: {np.abs(grid_lab[:, 1:]).max():.1f}")

# %% [markdown]
# So L covers its whole range from black to white, while a and b are lopsided: a reaches
# further towards magenta than towards green, and the largest magnitude of all belongs to
# pure blue's b (the RGB colors printed next to each extreme say which corner of the cube
# it is).
#
# ## The ab plane at a fixed lightness
#
# To see the whole color plane, fix L and sweep a and b over [-110, 110]. Many of those
# (L, a, b) triples have no sRGB color; we find them by converting to RGB (which clips) and
# back, and **gray them out** (mid gray) where the round trip moves the color by more than 1.

# %% tags=["nbval-check-output"]
# plotting only (plus a count of the possible colors)
def ab_plane(lightness, steps=221):
    """The ab plane at one lightness as RGB, impossible colors set to mid gray."""
    a, b = np.meshgrid(np.linspace(-110, 110, steps), np.linspace(-110, 110, steps))
    plane = np.stack([np.full_like(a, lightness), a, b], axis=-1).astype(np.float32)
    rgb_plane = lab.lab_to_rgb(plane).numpy()
    outside = np.abs(lab.rgb_to_lab(rgb_plane).numpy() - plane).max(axis=-1) > 1.0
    rgb_plane[outside] = 0.5
    return rgb_plane, outside.mean()


planes = {lightness: ab_plane(lightness) for lightness in (50, 75)}
for lightness, (_, outside) in planes.items():
    print(f"L = {lightness}: {1 - outside:.0%} of the square is a color sRGB can show")

# %% [markdown]
# At L = 50 and L = 75. Green is to the left, red to the right, blue at the bottom, yellow at
# the top. The axes span ±110, the range the model's output is scaled to (see below).

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 4), layout="constrained")
for ax, lightness in zip(axes, [50, 75], strict=True):
    ax.imshow(planes[lightness][0], origin="lower", extent=(-110, 110, -110, 110))
    _ = ax.set(title=f"L = {lightness}", xlabel="a", ylabel="b")
plt.show()

# %% [markdown]
# The shape of the colorful region changes with L: bright yellows exist only at high L,
# deep blues only at low L. A predicted (a, b) outside it is simply clipped back into sRGB when
# the result is converted for display.
#
# ## Scaling for the network
#
# The generator ends in tanh, whose output lies in [-1, 1], and networks train best on inputs
# of that size too. `lab.normalize_lab` splits Lab into the input and the target:
#
# * L / 50 - 1 maps lightness [0, 100] onto [-1, 1];
# * ab / 110: 110 is a round number just above the largest |a| or |b| of any sRGB color
#   (pure blue's b, printed above). Every real color lands inside [-1, 1], so tanh can reach
#   it, and little of tanh's range is wasted on colors a screen cannot show.
#
# In code it is two lines; `rgb_to_l_ab`, the call the data pipeline makes, is `rgb_to_lab`
# followed by this:

# %%
show_source(lab.normalize_lab)

# %% [markdown]
# Scaling the whole grid of colors confirms the ranges.

# %% tags=["nbval-check-output"]
grid_l, grid_ab = lab.normalize_lab(grid_lab)
print("L  scaled:", np.round([grid_l.min(), grid_l.max()], 3))
ab = np.asarray(grid_ab)
print("ab scaled: min", ab.min(axis=0).round(3), " max", ab.max(axis=0).round(3))
print("constants: L_SCALE =", lab.L_SCALE, " AB_SCALE =", lab.AB_SCALE)

# %% [markdown]
# ## The round trip
#
# `lab_to_rgb` undoes `rgb_to_lab`, and `l_ab_to_rgb` undoes `rgb_to_l_ab` (the pair the
# notebooks actually use). Converting every color of the grid there and back, the error is
# a tiny fraction of one 8-bit step, so every color comes back to the same 8-bit value.

# %% tags=["nbval-check-output"]
grid_float = grid.astype(np.float32) / 255.0
for name, back in [
    ("rgb_to_lab -> lab_to_rgb", lab.lab_to_rgb(grid_lab)),
    ("rgb_to_l_ab -> l_ab_to_rgb", lab.l_ab_to_rgb(*lab.rgb_to_l_ab(grid_float))),
]:
    back = back.numpy()
    error = np.abs(back - grid_float).max() * 255
    same = np.array_equal(np.rint(back * 255).astype(np.uint8), grid)
    print(f"{name}: error below 0.01 of an 8-bit step: {error < 0.01}; same 8-bit colors: {same}")

# %% [markdown]
# ## TensorFlow ops, checked against scikit-image
#
# The conversion is ordinary TensorFlow: a gamma curve, a 3x3 matrix to CIE XYZ, division by
# the D65 white point, a cube root and a linear mix. Because no Python runs per image, it can
# sit inside a `tf.data` pipeline or a compiled model (notebook 02 shows why that matters).
# Here it is, straight from `colorhelpers/lab.py`:

# %%
show_source(lab.rgb_to_lab)

# %% [markdown]
# It follows the same definition as `skimage.color.rgb2lab`. On the real image above the two
# differ only by float32 rounding: L runs to 100, and a difference of about one unit is at
# the edge of what a person can see, so one in the third decimal is invisible.

# %%
difference = np.abs(image_lab - skimage.color.rgb2lab(rgb.numpy())).max()
print(f"largest |difference| from scikit-image: {difference:.3f} Lab units")

# %% [markdown]
# ## Summary
#
# * The model reads L (scaled to [-1, 1]) and predicts ab (scaled by 1/110); the final image
#   is always (input L, predicted ab), so lightness is never the model's to get wrong.
# * a runs green to red, b blue to yellow; over sRGB both are lopsided, and 110 is just
#   above the largest magnitude either reaches (the grid above measures it).
# * Which (a, b) a screen can show depends on L: bright yellows exist only at high L,
#   deep blues only at low L.
# * The conversion is TensorFlow ops, exact to far below one 8-bit step, and matches
#   scikit-image.
#
# Next, notebook 02 turns a folder of drawings into batches of (L, ab) with `tf.data`.
#
# ## Exercises
#
# 1. Draw the ab plane at L = 25 and L = 95 with `ab_plane`. Which hues survive at each
#    end, and what share of the square can sRGB show there?
# 2. Suppose `AB_SCALE` were 80 instead of 110. Using `grid_lab`, count the share of colors
#    whose scaled a or b would fall outside [-1, 1], the range tanh can reach. Which colors
#    are they?
# 3. Convert a few (L, 0, 0) triples with `lab.lab_to_rgb` and check that R, G and B come out
#    equal. At which L does the result first reach 8-bit white?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

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
# # 02 · The data pipeline
#
# **What you will learn**
#
# * how a folder of drawings is checked once in Python, so that a broken file is reported by
#   name instead of failing in the middle of training;
# * how the training and held-out images are kept apart;
# * how a `tf.data` pipeline of TensorFlow ops turns files into batches of (L, ab): decode,
#   composite on white, crop, resize, convert to Lab and keep in memory; then every epoch
#   shuffle, batch, flip, prefetch;
# * why the blog post's `tf.numpy_function` call to scikit-image does not belong in a pipeline.
#
# **Part taught:** `colorhelpers.data`: `files` (`find_images`, `split_dataset`, `load_rgb`) and
# `pipeline` (`load_images`, `training_batches`, `eval_batches`), shown with `show_source` where taught.
#
# **Run time:** measured, not typed in: the last cell prints how long this notebook took,
# on how many CPU cores and GPUs. Nothing is trained here.

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator (the
# pipeline has its own seed; this fixes everything else), draws figures as PNG and returns
# the settings: where the images are and how big the batches are, and prints the data's and
# the recipe's fingerprint. The notebook tests set `COLORGAN_FIXTURE=1`, which switches to a
# tiny slice of the same data (`data/fixture`) at 32 px.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

from colorhelpers import data

config = settings.config
size, batch_size, seed = config.image_size, config.batch_size, config.seed
print(f"image size: {size} px, batch size: {batch_size}")

# %% [markdown]
# The other tools: a scratch folder for broken files, PIL to make some, TensorFlow itself,
# and Matplotlib to look at batches.

# %%
import shutil
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import skimage.color
import tensorflow as tf
from PIL import Image, ImageDraw

from colorhelpers.color import lab

# %% [markdown]
# ## Step 1: which files can be used?
#
# `find_images` opens every file of a folder once with PIL and decodes it fully. A file that
# is not an image, is truncated, is in a format TensorFlow cannot decode, is tiny, or is
# already gray is skipped with a `SkippedImageWarning` that names the file and the reason.
# Doing this up front, in Python, means one clear line per bad file, rather than a
# TensorFlow error from deep inside a graph halfway through an epoch.

# %%
train_paths = data.find_images(settings.train_dir)
print(f"{len(train_paths)} usable images, for example:")
print(*(path.name for path in train_paths[:3]), sep="\n")

# %% [markdown]
# To see the warnings, make a scratch folder with copies of two good images, a gray copy of
# one of them, and a text file that pretends to be a JPEG.

# %%
folder = Path(tempfile.mkdtemp())
for i, source in enumerate(train_paths[:2], start=1):
    shutil.copy(source, folder / f"good_{i}{source.suffix}")
Image.open(train_paths[0]).convert("L").save(folder / "gray.jpg")
(folder / "broken.jpg").write_text("this is not a picture")
print(sorted(path.name for path in folder.iterdir()))

# %% [markdown]
# `find_images` keeps the two good ones and says why it dropped the other two. (Run as a
# script, the warnings would print to the terminal; here we collect them and print them with
# the scratch folder's random name replaced by `<tmp>`.)

# %% tags=["nbval-check-output"]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    usable = data.find_images(folder)
for warning in caught:
    print(f"{warning.category.__name__}: {str(warning.message).replace(str(folder), '<tmp>')}")
print("usable:", [path.name for path in usable])

# %% [markdown]
# ## Step 2: training and held-out images
#
# Judging a model on pictures it trained on flatters it. The blog post's progress pictures
# were drawn at random from `imgs_paths`, the images it trained on. `split_dataset` keeps the two apart:
# the tutorial data ships already split into `train/` and `heldout/` folders, and the two lists
# share no file. (`data/anime` splits by character: all colorings of one character are on the
# same side, so the held-out characters are ones the model never saw.)

# %%
train_paths, heldout_paths = data.split_dataset(settings.train_dir.parent)
shared = {p.name for p in train_paths} & {p.name for p in heldout_paths}
print(f"training: {len(train_paths)}, held out: {len(heldout_paths)}, in both: {len(shared)}")

# %% [markdown]
# Any other folder is split by a hash of each file name, so an image stays on the same side
# when others are added or removed, and at least one image is always held out. On the scratch
# folder (its skip warnings silenced this time):

# %% tags=["nbval-check-output"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", data.SkippedImageWarning)
    demo_train, demo_heldout = data.split_dataset(folder)
print("train:", [p.name for p in demo_train], " held out:", [p.name for p in demo_heldout])

# %% [markdown]
# ## Step 3: one image, in TensorFlow ops
#
# `load_rgb` reads a file and returns float RGB in [0, 1] at the tutorial size. It calls
# `decode_rgb` (JPEG, PNG, GIF or BMP, any number of channels, transparency flattened onto
# white, turned upright as a photo viewer would), then crops the central square (so nothing
# is squashed) and resizes with area averaging:

# %%
show_source(data.load_rgb)

# %% [markdown]
# On the first training image:

# %%
image = data.load_rgb(str(train_paths[0]), size)
print(image.shape, image.dtype, f"range [{image.numpy().min():.2f}, {image.numpy().max():.2f}]")

# %% [markdown]
# Why composite on white? Clip-art is often a PNG with a transparent background, and the
# color stored under transparent pixels is usually black. The blog post decoded every file
# with `tf.io.decode_jpeg(..., channels=3)`, which drops the alpha channel and keeps that
# hidden black. (Its `list_files("*.jpg")` would not even have found a PNG.) A small
# transparent sticker with a red disc shows the difference:

# %% tags=["nbval-check-output"]
sticker = Image.new("RGBA", (64, 64), (0, 0, 0, 0))  # fully transparent black
ImageDraw.Draw(sticker).ellipse((16, 16, 48, 48), fill=(220, 30, 30, 255))
sticker.save(folder / "sticker.png")
jpeg_way = tf.io.decode_jpeg(tf.io.read_file(str(folder / "sticker.png")), channels=3)
ours = data.load_rgb(str(folder / "sticker.png"), 32)
ours_255 = np.rint(ours.numpy() * 255).astype(np.uint8)
print("corner, decode_jpeg:", jpeg_way[0, 0].numpy(), " load_rgb:", ours_255[0, 0])
print("center, decode_jpeg:", jpeg_way[32, 32].numpy(), " load_rgb:", ours_255[16, 16])

# %% [markdown]
# That is all the scratch folder was for.

# %%
shutil.rmtree(folder)
print("scratch folder still there:", folder.exists())

# %% [markdown]
# ## Step 4: from files to batches
#
# `training_batches` builds the training pipeline:
#
# 1. **Decode once, keep in memory.** `load_images` maps `load_rgb` over the file list in
#    parallel (`num_parallel_calls=AUTOTUNE`) and stacks the result into one uint8 tensor.
#    The tutorial set is small enough (its size is printed below), so each file is read
#    exactly once per run.
# 2. **Convert to Lab once** and scale with `lab.rgb_to_l_ab`; the (L, ab) tensors are the
#    cache, so no epoch pays for the conversion again.
# 3. **Shuffle per epoch, reproducibly.** Each epoch visits the images in an order drawn by
#    a *stateless* random op keyed on (seed, epoch): the same every run, and a run resumed at
#    epoch 5 sees exactly the batches an uninterrupted run would have seen.
# 4. **Batch** the shuffled indices with `drop_remainder=True` (every batch has the same
#    shape) and gather each batch from the cache in one op.
# 5. **Flip** left-right at random, keyed the same way (a drawing's mirror image is an
#    equally good drawing; mirroring L and ab equals mirroring the RGB image, so the mirror
#    images can be cached too), and
#    **prefetch**, so the next batch is prepared while the model trains on this one.
#
# The dataset is endless (it counts epochs itself); training takes
# `len(train_paths) // batch_size` batches per epoch from it.
#
# First, the in-memory cache of step 1:

# %%
images = data.load_images(train_paths, size)
print(images.shape, images.dtype, f"{images.numpy().nbytes / 2**20:.1f} MiB")

# %% [markdown]
# Then the pipeline itself. The whole of it is one function; the per-epoch part is the
# inner `one_epoch`:

# %%
show_source(data.training_batches, start="if len(paths)")

# %% [markdown]
# Its `element_spec` says what every batch will look like: a pair (l, ab) with fully known
# shapes.

# %%
batches = data.training_batches(train_paths, size, batch_size, seed=seed)
for name, spec in zip(["l", "ab"], batches.element_spec, strict=True):
    print(f"{name}: {spec.shape} {spec.dtype.name}")

# %% [markdown]
# One batch, with its ranges: l runs over [-1, 1] (black to white) and ab stays inside
# [-1, 1]; it comes near -1 only for the most saturated blues (notebook 01).

# %%
l_batch, ab_batch = next(iter(batches))
for name, tensor in [("l", l_batch), ("ab", ab_batch)]:
    values = tensor.numpy()
    print(f"{name}: {values.shape}, range [{values.min():.2f}, {values.max():.2f}]")

# %% [markdown]
# What the model gets (top row: L alone, shown with ab = 0) and what it should produce
# (bottom row: L with the true ab).

# %%
shown = min(8, batch_size)
gray = lab.l_ab_to_rgb(l_batch[:shown], tf.zeros_like(ab_batch[:shown])).numpy()
color = lab.l_ab_to_rgb(l_batch[:shown], ab_batch[:shown]).numpy()
fig, axes = plt.subplots(2, shown, figsize=(1.4 * shown, 3), squeeze=False)
for j in range(shown):
    axes[0, j].imshow(gray[j])
    axes[1, j].imshow(color[j])
for ax in axes.flat:
    ax.axis("off")
plt.show()

# %% [markdown]
# Reproducible and resumable: starting a fresh pipeline at `first_epoch=1` gives exactly the
# first batch of the second epoch of an uninterrupted one.

# %%
steps = len(train_paths) // batch_size
uninterrupted = next(iter(batches.skip(steps)))
resumed = next(iter(data.training_batches(train_paths, size, batch_size, seed, first_epoch=1)))
same = all(np.array_equal(x, y) for x, y in zip(uninterrupted, resumed, strict=True))
print(f"{steps} batches per epoch; resumed run sees the same batch: {same}")

# %% [markdown]
# The held-out images go through `eval_batches`: file order, no flips, the last batch may be
# smaller, and the decoded images are cached after the first pass because they are read
# again after every epoch.

# %%
heldout = data.eval_batches(heldout_paths, size)
print("held-out batch shapes:", [tuple(l_part.shape) for l_part, _ in heldout])

# %% [markdown]
# ## Why not call scikit-image from the pipeline?
#
# The blog post converted to Lab inside its `map` with
# `tf.numpy_function(lambda x: rgb2lab(x), ...)`. That works, but it hands every image back
# to Python:
#
# * the conversion runs in the Python interpreter, one image at a time, holding the global
#   interpreter lock, so `num_parallel_calls` cannot run it in parallel;
# * TensorFlow sees an opaque `PyFunc` op: it cannot compile it (XLA) or place it on a GPU;
# * the function body lives in the Python process, not in the graph, so an exported graph
#   (a SavedModel) containing it cannot run anywhere else;
# * TensorFlow no longer knows the output's shape.
#
# `colorhelpers.color.lab.rgb_to_lab` is TensorFlow ops only. Tracing both into graphs shows it:

# %% tags=["nbval-check-output"]
def blog_rgb_to_lab(rgb):  # the blog post's way
    return tf.numpy_function(lambda x: skimage.color.rgb2lab(x).astype("float32"), [rgb],
                             tf.float32)


spec = tf.TensorSpec([None, None, 3], tf.float32)
for fn in [lab.rgb_to_lab, blog_rgb_to_lab]:
    graph = tf.function(fn).get_concrete_function(spec).graph
    python_ops = sorted({op.type for op in graph.get_operations() if "PyFunc" in op.type})
    print(f"{fn.__name__}: Python ops {python_ops}, output shape {graph.outputs[0].shape}")

# %% [markdown]
# (Notebook 01 checks that the two conversions agree to float32 rounding.)
#
# ## The blog post's other pipeline problems
#
# * **Only `*.jpg`, decoded with `decode_jpeg`.** Other files were missed and transparency
#   was lost. Here `find_images` takes any image file and `load_rgb` uses `decode_image`,
#   composited on white.
# * **A bad file failed mid-epoch**, inside the graph. Here it is skipped up front, by name.
# * **`resize` straight to a square** squashed non-square pictures. Here the central square
#   is cropped first.
# * **Unseeded randomness.** `list_files` shuffles the file list with no seed, and
#   `random_flip_left_right` flips with none; no two runs saw the same data. Here the file
#   list is sorted and the shuffle and flips are stateless ops keyed on (seed, epoch).
# * **Every file read and decoded again every epoch** (the `.cache()` the post lists is never
#   used). Here images are decoded once and kept in memory.
# * **No `prefetch`, and a new Python generator each epoch** (`iter(dataset)` wrapped in a
#   generator expression). Here one endless dataset prefetches, and a run can resume at any
#   epoch.
# * **Progress pictures drawn from the training images.** Here they come from the held-out
#   set.
#
# ## Summary
#
# * `find_images` and `split_dataset` decide, once and in Python, which files are used and
#   for what, and say why a file is skipped.
# * `load_rgb` and `training_batches` are TensorFlow ops from file to batch: decoded once,
#   converted to scaled (L, ab) once and kept in memory, reproducibly shuffled, batched,
#   flipped and prefetched; a run resumed at any epoch sees the batches an uninterrupted
#   one would have seen.
# * The held-out images are never trained on; `eval_batches` reads them in file order,
#   unflipped, for the metrics and the progress pictures.
# * Calling Python (`tf.numpy_function`) from a pipeline serializes it, hides it from the
#   compiler and ties the graph to the Python process.
#
# Next, notebook 03 builds the two networks that consume these batches.
#
# ## Exercises
#
# 1. Time one epoch of `training_batches` (iterate `steps` batches) against the blog post's
#    way, a `map` that calls `blog_rgb_to_lab` on every image. How much of the difference
#    goes away with `num_parallel_calls=tf.data.AUTOTUNE`, and why not all of it?
# 2. Put a PNG with a transparent background and a `.webp` file into the scratch folder.
#    What does `find_images` say about each, and what does `load_rgb` make of the PNG?
# 3. Check that `training_batches(..., flip=False)` gives the same images every epoch, only
#    in another order. (Hint: compare sorted sums of each image's L.)

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

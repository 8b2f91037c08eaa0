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
# # 03 · The generator and the discriminator
#
# **What you will learn**
#
# * how the U-Net generator maps L to ab, block by block, and how many parameters it has;
# * how the PatchGAN discriminator scores overlapping patches, and why each of its scores
#   sees a 70 x 70 pixel patch;
# * two defects of the blog post's networks, with evidence: its generator can never output
#   green or blue, and its discriminator cannot tell whether colors fit the drawing.
#
# **Module taught:** `colorhelpers.models.pix2pix` (`build_generator`, `build_discriminator`), shown
# with `show_source` where it is taught.
#
# **Run time:** measured, not typed in: the last cell prints how long this notebook took,
# on how many CPU cores and GPUs. Nothing is trained here; notebook 04 trains these networks.

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator (initial
# weights are random: the seed makes them the same every run), draws figures as PNG and
# returns the settings, and prints the data's and the recipe's fingerprint. The notebook
# tests set `COLORGAN_FIXTURE=1`, which shrinks the images to 32 px. Cells whose output the
# tests compare exactly therefore build their own 128 px models, the size of a real run, from
# `recipe`, the default `TrainConfig`: what a real run, `make train` and the shipped model use.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

from colorhelpers.models import pix2pix
from colorhelpers.training import TrainConfig

config = settings.config
recipe = TrainConfig()  # the default recipe, the same in every mode
print(f"image size: {config.image_size} px, generator filters: {config.generator_filters}"
      f" doubling up to {config.generator_max_filters}")

# %% [markdown]
# Besides the module taught: Keras and TensorFlow, NumPy, Matplotlib, notebooks 01 and
# 02's modules to feed the networks a real batch, and notebook 05's to open the shipped model.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import layers

from colorhelpers import data
from colorhelpers.color import lab
from colorhelpers.evaluation import SHIPPED_RUN, load_generator, open_run

# %% [markdown]
# ## The generator: a U-Net from L to ab
#
# The encoder halves the image with 4x4, stride-2 convolutions (batch norm, LeakyReLU 0.2)
# until it is 1 x 1, doubling the number of filters up to 8 x `filters` (pix2pix) or up to
# `max_filters` if that is lower: colorgan's recipe stops at `generator_max_filters` = 128,
# so no layer is wider than 128 filters (see the table below). The decoder mirrors
# it with transposed convolutions (batch norm, ReLU) and after each one concatenates the
# encoder's feature map of the same size. These *skip connections* carry the outlines of the
# drawing straight across, so the bottleneck only has to carry what the colors should be.
# Dropout on the three innermost decoder blocks is pix2pix's source of randomness. The last
# transposed convolution gives two channels and tanh keeps them in [-1, 1], the range of the
# scaled ab.
#
# Here is the whole of it, as the package has it now, with the shape of each tensor at
# 128 px in the comments (the TensorFlow pix2pix tutorial annotates its code the same way):

# %%
show_source(pix2pix.build_generator)

# %% [markdown]
# A decoder block, the "up" half of the U:

# %%
show_source(pix2pix.decoder_block)

# %% [markdown]
# Built for this run, it maps a batch of L to a batch of ab of the same size:

# %%
generator = pix2pix.build_generator(
    config.image_size, config.generator_filters, head=config.generator_head, dropout=config.dropout,
    max_filters=config.generator_max_filters,
)
print(f"{generator.name}: {generator.input.shape} -> {generator.output.shape}")

# %% [markdown]
# `generator.summary()` would print one row per layer, dozens of rows at 128 px: too long to read.
# One line per block says more. A *down* block is convolution, batch norm and LeakyReLU; an
# *up* block is transposed convolution, batch norm, dropout, ReLU and the concatenation with
# its skip, which is why its width is twice the filters. A small helper groups the layers
# into blocks (display only, not part of the model):

# %%
def block_table(model):
    """One row per convolution block: [kind, output shape, parameters]."""
    rows = []
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.Conv2DTranspose)):
            rows.append(["down" if isinstance(layer, layers.Conv2D) else "up", None, 0])
        if rows:  # every later layer belongs to the block of the last convolution
            rows[-1][1] = "x".join(map(str, layer.output.shape[1:]))
            rows[-1][2] += layer.count_params()
    return rows


# %% [markdown]
# The table for the default recipe's generator: 128 px, 32 filters doubling up to 128, the
# generator a real run trains and the package ships:

# %% tags=["nbval-check-output"]
generator_128 = pix2pix.build_generator(recipe.image_size, recipe.generator_filters,
                                        max_filters=recipe.generator_max_filters)
print("encoder widths:", pix2pix.generator_widths(recipe.image_size, recipe.generator_filters,
                                                  recipe.generator_max_filters))
for i, (kind, shape, params) in enumerate(block_table(generator_128), start=1):
    print(f"{i:2}  {kind:4}  {shape:>11}  {params:>9,} parameters")
trainable = sum(int(np.prod(w.shape)) for w in generator_128.trainable_weights)
print(f"total {generator_128.count_params():,} parameters ({trainable:,} trainable,"
      f" the rest are batch-norm statistics) in {len(generator_128.layers)} layers")

# %% [markdown]
# Most of the parameters sit in the small, deep middle blocks (the widest filters on the
# smallest maps); the full-size blocks at the ends are cheap.
#
# That is the model the package ships (`colorhelpers/shipped`, trained by `make train`):
# loading it with notebook 05's `load_generator` gives the same count, and its weights file
# holds them as float16, 2 bytes each. pix2pix's own widths, doubling up to 8 x 32 = 256,
# would make it about three times as large:

# %%
shipped = open_run(SHIPPED_RUN)
shipped_generator, shipped_epoch = load_generator(shipped)
weights_file = shipped.generator_weights(shipped_epoch)
print(f"shipped generator: {shipped_generator.count_params():,} parameters"
      f" (the table's: {shipped_generator.count_params() == generator_128.count_params()})")
print(f"its file: {weights_file.stat().st_size / 1e6:.1f} MB;"
      f" 2 bytes x {generator_128.count_params():,} = {2 * generator_128.count_params() / 1e6:.1f} MB")
print(f"with pix2pix's widths: {pix2pix.build_generator(128, 32).count_params():,} parameters")

# %% [markdown]
# ## The discriminator: a PatchGAN
#
# Instead of one real/fake verdict per image, the PatchGAN gives one logit per overlapping
# patch: three stride-2 convolutions, then two stride-1 convolutions, the last with one
# output channel. An L1 loss already gets the overall colors roughly right; the
# discriminator's job is the local texture of color (crisp, saturated, consistent within a
# region), and judging patches is enough for that. It takes `[l, ab]` and by default sees
# both (it is *conditional*):

# %%
show_source(pix2pix.build_discriminator)

# %% [markdown]
# Built for this run:

# %%
discriminator = pix2pix.build_discriminator(
    config.image_size, config.discriminator_filters, config.discriminator_layers,
    conditional=config.conditional_discriminator,
)
print(f"{discriminator.name}: {[tuple(t.shape) for t in discriminator.inputs]} ->"
      f" {discriminator.output.shape}")

# %% [markdown]
# Its layers at 128 px, with kernel size and stride:

# %% tags=["nbval-check-output"]
discriminator_128 = pix2pix.build_discriminator(
    recipe.image_size, recipe.discriminator_filters, recipe.discriminator_layers
)
convs = [layer for layer in discriminator_128.layers if isinstance(layer, layers.Conv2D)]
for layer in convs:
    shape = "x".join(map(str, layer.output.shape[1:]))
    print(f"{layer.kernel_size[0]}x{layer.kernel_size[1]} conv, stride {layer.strides[0]}"
          f" -> {shape:>9}  {layer.count_params():>9,} parameters")
print(f"total {discriminator_128.count_params():,} parameters")

# %% [markdown]
# ## How big is a patch?
#
# Work backwards from one output logit. It sees 1 pixel of its own layer. A layer with kernel
# k and stride s widens a field of r units to (r - 1) x s + k units of its input. Going
# back through the five convolutions:
#
# * 4x4, stride 1: (1 - 1) x 1 + 4 = 4
# * 4x4, stride 1: (4 - 1) x 1 + 4 = 7
# * 4x4, stride 2: (7 - 1) x 2 + 4 = 16
# * 4x4, stride 2: (16 - 1) x 2 + 4 = 34
# * 4x4, stride 2: (34 - 1) x 2 + 4 = 70
#
# so each logit judges a 70 x 70 pixel patch, neighboring logits 8 pixels apart. The same
# arithmetic, read off the layers of the model:

# %% tags=["nbval-check-output"]
def receptive_field(model):
    field = 1
    for layer in reversed([lr for lr in model.layers if isinstance(lr, layers.Conv2D)]):
        field = (field - 1) * layer.strides[0] + layer.kernel_size[0]
    return field


print("3 layers (this series):", receptive_field(discriminator_128), "px")
for n_layers in [1, 2, 4, 5]:
    other = pix2pix.build_discriminator(128, n_layers=n_layers)
    print(f"{n_layers} layers:", receptive_field(other), "px")

# %% [markdown]
# A check that does not trust the arithmetic: the gradient of one logit with respect to the
# input image is non-zero exactly on the pixels that logit can see.

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(0)
inputs = [tf.Variable(rng.normal(size=(1, 128, 128, c)).astype("float32")) for c in (1, 2)]
with tf.GradientTape() as tape:
    logit = discriminator_128(inputs)[0, 8, 8, 0]
grads = tape.gradient(logit, inputs)
seen = sum(tf.reduce_sum(tf.abs(g), axis=-1) for g in grads)[0].numpy() > 0
rows, cols = np.nonzero(seen)
print(f"logit (8, 8) sees rows {rows.min()}-{rows.max()}, columns {cols.min()}-{cols.max()}:"
      f" {np.ptp(rows) + 1} x {np.ptp(cols) + 1} pixels")

# %% [markdown]
# ## Both networks on a real batch
#
# Four held-out images from notebook 02's pipeline: the four with the most green and blue,
# because we need those further down.

# %%
heldout = data.find_images(settings.heldout_dir)
l_all, ab_all = data.eval_batches(heldout, config.image_size, len(heldout)).get_single_element()
cool = tf.reduce_mean(tf.cast(tf.reduce_min(ab_all, axis=-1) < -0.1, tf.float32), axis=[1, 2])
pick = tf.argsort(cool, direction="DESCENDING")[:4]  # most pixels with a or b below -11
l_batch, ab_batch = tf.gather(l_all, pick), tf.gather(ab_all, pick)
print([heldout[i].name for i in pick.numpy()])

# %% [markdown]
# The untrained generator colors them, and the discriminator scores the result.

# %%
fake_ab = generator(l_batch)
scores = discriminator([l_batch, fake_ab])
print("ab:", fake_ab.shape, f"range [{fake_ab.numpy().min():.3f}, {fake_ab.numpy().max():.3f}]")
print("patch logits:", scores.shape)

# %% [markdown]
# Untrained, the generator's ab is close to 0 everywhere (weights start small, drawn from
# N(0, 0.02)), so its pictures are nearly gray. That is a good starting point: gray is never
# badly wrong.
#
# ## The blog post's defect 1: a generator that cannot paint green or blue
#
# The blog post's generator ended with two 3x3 convolutions with ReLU activations, and only
# then tanh. ReLU outputs are >= 0 and tanh of a number >= 0 is in [0, 1), so every predicted
# a and b is >= 0: only the red-to-yellow quarter of the ab plane (notebook 01) can be
# reached. No greens (a < 0), no blues (b < 0). Training cannot repair it: where a ReLU
# outputs 0 its gradient is 0 too.
#
# `head="relu_convs"` rebuilds that ending; `head="tanh"` is pix2pix's. The same random
# seed, the same fixed input, untrained:

# %% tags=["nbval-check-output"]
l_test = np.random.default_rng(0).uniform(-1, 1, (2, 128, 128, 1)).astype("float32")
for head in ["relu_convs", "tanh"]:
    keras.utils.set_random_seed(0)
    ab = pix2pix.build_generator(128, head=head)(l_test).numpy()
    lowest = ab.min(axis=(0, 1, 2))
    negative = (ab < 0).mean(axis=(0, 1, 2))
    print(f"head={head!r}: min a {lowest[0]:+.3f}, min b {lowest[1]:+.3f};"
          f" pixels with a < 0: {negative[0]:.0%}, with b < 0: {negative[1]:.0%}")

# %% [markdown]
# What that costs: the true colors of some held-out images, and the same colors with
# negative a and b cut to 0, the best the blog post's generator could ever do. Blues and
# lavenders turn pink or purplish gray (where their a was positive), sky blue and green fade
# to gray and beige.

# %%
shown = l_batch.shape[0]
truth = lab.l_ab_to_rgb(l_batch, ab_batch).numpy()
clipped = lab.l_ab_to_rgb(l_batch, tf.maximum(ab_batch, 0.0)).numpy()
fig, axes = plt.subplots(2, shown, figsize=(1.6 * shown, 3.4), squeeze=False)
for j in range(shown):
    axes[0, j].imshow(truth[j])
    axes[1, j].imshow(clipped[j])
for ax in axes.flat:
    ax.set(xticks=[], yticks=[])
axes[0, 0].set_ylabel("true")
_ = axes[1, 0].set_ylabel("a, b >= 0")
plt.show()

# %% [markdown]
# ## The blog post's defect 2: a discriminator that never sees the drawing
#
# The blog post's discriminator took ab alone (`Input(shape=(256, 256, 2))`). It can only ask
# "do these look like colors from the training set?", not "do these colors fit this
# drawing?": a green face passes as long as green patches occur somewhere in the data. The
# generator's L1 loss is then the only thing tying colors to shapes. pix2pix's discriminator
# is *conditional*: it sees L and ab together.
#
# `conditional=False` rebuilds the blog post's version (it accepts `[l, ab]` like the other,
# and ignores l). Give both the same colors on two different drawings (L and -L) and see how much
# the patch scores move:

# %% tags=["nbval-check-output"]
ab_test = np.random.default_rng(1).uniform(-0.5, 0.5, (2, 128, 128, 2)).astype("float32")
for conditional in [True, False]:
    keras.utils.set_random_seed(0)
    critic = pix2pix.build_discriminator(128, conditional=conditional)
    change = np.abs(critic([l_test, ab_test]) - critic([-l_test, ab_test])).max()
    print(f"{critic.name}: largest change of a patch logit when L changes: {change:.4f}")

# %% [markdown]
# The unconditional discriminator's scores do not move at all: the drawing is invisible to
# it. (The printed changes say so; the conditional one's move, since it sees L.)
#
# ## Summary
#
# * The U-Net generator goes from L at full size down to 1 x 1 and back, with skip
#   connections carrying the outlines across; most of its parameters sit in the deep,
#   small middle blocks. colorgan's default stops widening at 128 filters, which makes the
#   shipped float16 file a third of what pix2pix's widths would.
# * The PatchGAN discriminator gives one logit per 70 x 70 patch, and sees L and ab
#   together.
# * The blog post's ReLU-before-tanh head makes a, b >= 0 (no greens, no blues), and its
#   ab-only discriminator ignores the drawing. Both are kept in `colorhelpers.models` only so
#   that notebooks 04 and 08 can compare them.
#
# Next, notebook 04 trains the two networks against each other.
#
# ## Exercises
#
# 1. Build the generator with `filters=64`, pix2pix's own width. How many parameters does it
#    have, and which blocks grew the most? (`block_table` tells you.)
# 2. Use `receptive_field` to find how many discriminator layers a 256 px image would need
#    for each logit to see at least a quarter of the image's width.
# 3. Repeat the gradient check for a logit at the corner, `[0, 0, 0]`. Why is the patch it
#    sees smaller than 70 x 70?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

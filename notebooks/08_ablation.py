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
# # 08 · What each ingredient buys: an ablation
#
# **What you will learn**
#
# * how to compare recipes fairly: same data, same held-out images, same budget of epochs;
# * why "better than doing nothing" is the first bar a colorizer must clear, and where the
#   trivial gray answer (ab = 0) sits on each metric;
# * the built-in trade-off between faithful and colorful output, and where colorgan's
#   default recipe sits on it;
# * what went wrong before the default recipe cleared the bar, and what fixed it.
#
# **Module taught:** `colorhelpers.evaluation.ablation` (`ablation_variants`, `run_variants`,
# `side_by_side`), with `scoring.plotting.plot_tradeoff`, shown with `show_source` where they are
# taught.
#
# **Run time:** measured, not typed in: the table below has the minutes each run trained,
# and the last cell prints how long this notebook took, on how many CPU cores and GPUs.
# Every variant trains at the studies' budget of notebook 06 (a third of the epochs at half
# the size); the runs notebook 06 trained (the same recipe on the same data) are read, not
# trained again, so four runs train here.

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator (every
# run below is seeded by its config as well), draws figures as PNG and returns the
# settings.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

from colorhelpers.evaluation import ablation

config = settings.study_config  # the default recipe at the studies' budget (notebook 06)
print(f"image size: {config.image_size} px, {config.epochs} epochs")

# %% [markdown]
# Besides the module taught: the data, the figures, and the warning notebook 07 explains.

# %%

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from colorhelpers.data import eval_batches, find_images
from colorhelpers.scoring import plot_tradeoff, show_grid

tf.get_logger().setLevel("ERROR")  # several runs in one process: TF warns of harmless "retracing"

# %% [markdown]
# ## The variants
#
# Each row changes one thing in colorgan's default recipe (notebook 04), except the first
# two: the gray answer, which predicts ab = 0 and needs no training, and the blog post's
# recipe, which has both of its defects (a discriminator that sees ab without L, and a
# generator head whose ReLUs forbid negative a and b).

# %%
show_source(ablation.ablation_variants)

# %% [markdown]
# What each one changes, read off the configs:

# %%
variants = ablation.ablation_variants(config)
for variant in variants:
    changed = ("no model" if variant.config is None else ", ".join(
        f"{k}={v!r}" for k, v in vars(variant.config).items() if getattr(config, k) != v) or "-")
    print(f"{variant.name:24} {changed}")

# %% [markdown]
# ## Training every variant
#
# `run_variants` trains each variant into its own folder under `settings.variants_dir`,
# named by its recipe, and returns one row per variant. Every variant trains for the same
# number of epochs at the same size on notebook 04's images, and a finished run of the same
# recipe on the same data is read rather than trained again. The budget is notebook 06's,
# about a tenth of a full run's time each: `docs/study-budget.md` compares this table's
# ranking with the same variants trained for 30 epochs at 128 px.

# %%
show_source(ablation.run_variants, start="table = []")

# %% tags=["nbval-ignore-output"]
train_paths = settings.train_paths()
heldout_paths = find_images(settings.heldout_dir)
table = ablation.run_variants(variants, train_paths, heldout_paths, settings.variants_dir)

# %% [markdown]
# ## The table
#
# Held-out scores after the last epoch: PSNR (dB, higher is better), CIEDE2000 (lower is
# better), AuC (higher is better), colorfulness ratio (output / truth, 1 is the truth's),
# and the minutes each run trained on this machine.

# %%
print(ablation.format_table(table))

# %% [markdown]
# The first bar is the gray answer: a colorizer that does not beat it on PSNR, AuC and
# CIEDE2000 would do better by leaving the picture gray. How far a score moves by chance is
# measured on the default run itself: the spread of its held-out CIEDE2000 over its last
# epochs, when the learning rate has decayed and nothing should change any more. A
# difference between two variants smaller than that spread is one another seed could
# reverse. (In the test fixture's two epochs at 32 px nothing has been learned yet.)

# %%
by_name = {row["name"]: row for row in table}
gray, blog, default = (by_name[name] for name in
                       ("gray answer (ab = 0)", "blog post's recipe", "colorgan default"))
last_epochs = ablation.run_of(variants[2], settings.variants_dir).read_metrics()[-config.decay_epochs:]
spread = np.ptp([row["ciede2000"] for row in last_epochs])
print(f"the default's held-out CIEDE2000 over its last {len(last_epochs)} epochs moves by {spread:.2f}")
for name, up in (("psnr", True), ("auc", True), ("ciede2000", False)):
    beats = default[name] > gray[name] if up else default[name] < gray[name]
    print(f"{name:9}: default {default[name]:6.3f}, gray answer {gray[name]:6.3f}:"
          f" the default is {'closer to the truth' if beats else 'no closer to the truth'}")

# %% [markdown]
# ## Side by side
#
# Six held-out images, one per row: each variant's output in the table's order, then the
# ground truth on the right.

# %%
count = 6
l_norm, ab_true = next(iter(eval_batches(heldout_paths[:count], config.image_size, count)))
grid = ablation.side_by_side(variants, settings.variants_dir, np.asarray(l_norm), np.asarray(ab_true))
_ = show_grid(grid, [v.name for v in variants] + ["truth"], tile_width=config.image_size)
plt.show()

# %% [markdown]
# ## The trade-off
#
# A colorizer can always score better on PSNR, AuC and CIEDE2000 by painting less: the
# gray answer is never *very* wrong, while a confident wrong hue costs more than no hue.
# Colorfulness pulls the other way. The adversarial loss is what pushes towards color;
# the L1 warm-up decides how good the colors are before it starts. Left: every variant in
# the (colorfulness, CIEDE2000) plane. Middle and right: the default and the variants that
# change only how many of its epochs are L1 warm-up (none, half or all), each score on its
# own axis with its own bar.

# %%
warmups = {v.name: v.config.warmup_epochs for v in variants if v.config is not None
           and v.config.replace(warmup_epochs=config.warmup_epochs) == config}
sweep = sorted(((warmups[row["name"]], row) for row in table if row["name"] in warmups),
               key=lambda point: point[0])
print("warm-up epochs:", {row["name"]: epochs for epochs, row in sweep})
trained = [row for row in table if row["config"] is not None]
_ = plot_tradeoff(trained, gray, sweep=sweep)
plt.show()

# %% [markdown]
# ## Reading the run
#
# What the table says, variant by variant, computed from it rather than typed in: each
# variant against the default and against the gray answer, on the three fidelity scores
# and on colorfulness.

# %%
higher_is_better = {"psnr": True, "ciede2000": False, "auc": True, "colorfulness_ratio": True}


def compare(row, other):
    """The metrics on which `row` beats `other`, and those on which it loses."""
    better = [m for m, up in higher_is_better.items() if row[m] != other[m] and (row[m] > other[m]) == up]
    return better, [m for m in higher_is_better if m not in better and row[m] != other[m]]


for row in trained:
    if row is default:
        continue
    better, worse = compare(row, default)
    beats_gray = compare(row, gray)[0]
    print(f"{row['name']:20} vs default: better on {', '.join(better) or 'none'};"
          f" worse on {', '.join(worse) or 'none'}")
    print(f"{'':20} vs gray answer: better on {', '.join(beats_gray) or 'none'}")

# %% [markdown]
# And the questions the trade-off plot raises: which variant is the most faithful on each
# fidelity score, which is the most colorful, and which sit in the shaded corner (better
# than the gray answer on CIEDE2000 and at least 0.6 as colorful as the truth).

# %%
for metric, up in list(higher_is_better.items()):
    best = (max if up else min)(trained, key=lambda r: r[metric])
    print(f"best on {metric:18}: {best['name']}")
corner = [r["name"] for r in trained
          if r["ciede2000"] < gray["ciede2000"] and r["colorfulness_ratio"] >= 0.6]
print("in the corner:", ", ".join(corner) or "none")

# %% [markdown]
# How to read those lines:
#
# - **L1 only** (all epochs warm-up) should be among the most faithful variants and the
#   dullest: its colors are the per-pixel median of what it has seen. The adversarial epochs buy color and pay for
#   it in CIEDE2000: each hue the discriminator asks for is right sometimes and wrong
#   sometimes, and a wrong hue costs more than no hue. Moving the warm-up from all epochs
#   to half and to none walks along that trade-off (the middle and right panels).
# - **colorgan's default** trains on L1 alone (`warmup_epochs` = `epochs`): on the anime
#   characters every adversarial epoch measured while the default was chosen moved the
#   held-out CIEDE2000 away from the truth (the numbers are in the comment at `warmup_epochs`
#   in `colorhelpers/training/config.py`). The "+ GAN" line says what half the epochs spent
#   adversarial change in this run, and the next cell whether that change is larger than
#   the default's own spread. L1 epochs also cost less time than adversarial ones (the
#   table's last column).
# - **The blog post's recipe** can be colorful, but a critic that never sees L cannot tell
#   whether a color fits the drawing, and a head that cannot output negative a or b has
#   no greens and no blues; its line against the gray answer says what that cost here.
# - **The noise channel**: notebook 06 measures how much the generator uses it; its line
#   says whether it changed the scores.
# - **pix2pix's widths**: the generator's layers double up to 256 filters instead of
#   stopping at 128 (`generator_max_filters`). Three times the weights (at 128 px, 21 MB
#   against 6.8 MB as float16): its lines say whether they bought anything on these characters.
# - **A pretrained encoder** is not in this table: notebook 07 compares it with training
#   from scratch at the same budget.
#
# With the test fixture (two epochs at 32 px) none of this shows; the plots only have to
# draw. Which differences stand out of the default's own epoch-to-epoch spread:

# %%
for row in trained:
    if row is not default:
        gap = row["ciede2000"] - default["ciede2000"]
        verdict = "beyond" if abs(gap) > spread else "within"
        print(f"{row['name']:32} CIEDE2000 {gap:+.2f} against the default: {verdict} its spread of {spread:.2f}")

# %% [markdown]
# ## What was tried before the default recipe cleared the bar
#
# colorgan's first recipe (15 adversarial epochs, no warm-up, Keras' default batch norm)
# lost to the gray answer on CIEDE2000 and AuC. These are the runs that found out why and
# fixed it, in order, all on the held-out split of the clip-art cartoons colorgan bundled
# before its characters (`data/cartoons`), measured on the same 2-core CPU; each is reproducible with the `TrainConfig` fields named (the first two also
# need `colorhelpers.models.BATCH_NORM_MOMENTUM = 0.99`, the Keras default). This notebook
# does not train them again: their numbers are a record, as measured at the time. The gray
# answer and the final default are in the table above, computed.
#
# | run | PSNR | CIEDE2000 | AuC | colorful | what it showed |
# | --- | ---: | ---: | ---: | ---: | --- |
# | gray answer (ab = 0) | (table) | (table) | (table) | 0 | the bar |
# | first recipe, 15 adversarial epochs, momentum 0.99 | 20.14 | 8.30 | 0.892 | 0.31 | loses on CIEDE2000 and AuC, swings between gray-safe and colorful-but-wrong from epoch to epoch |
# | L1 only, 15 epochs (`warmup_epochs=15, epochs=15`), momentum 0.99 | 20.07 | 8.01 | 0.893 | 0.17 | the GAN is not the culprit: held-out CIEDE2000 jumped between 7.0 and 16.7 from epoch to epoch while the training loss fell smoothly |
# | the same weights, batch statistics instead of moving ones | 20.81 | 5.91 | 0.912 | 0.55 | the moving statistics are: they lag behind a short run's weights |
# | L1 only, 15 epochs, momentum 0.9 | 20.70 | 5.89 | 0.911 | 0.49 | beats the gray answer, steadily; too dull |
# | the same with instance norm instead of batch norm | 20.62 | 6.40 | 0.907 | 0.46 | no running statistics at all, but a worse fit: batch norm kept |
# | 15 warm-up + 15 adversarial epochs, no decay | 20.61 | 6.09 | 0.913 | 0.67 | beats the gray answer and is colorful at epoch 30, but CIEDE2000 ranged 5.45-9.59 over epochs 16-30: luck |
# | the same with the learning rates decaying over the last 10 epochs | (table) | (table) | (table) | (table) | steady over the last epochs: **the default** (its per-epoch scores are in its `metrics.csv`, plotted by notebook 05) |
#
# That last row was the default on the cartoons. On the anime characters, colorgan's data
# now, the adversarial half did not pay for itself (see the default's line above), so the
# default became L1 throughout.
#
# What was not needed on the cartoons: reweighting the loss against the white backgrounds
# that dominate them (with the fixed batch norm the backgrounds stay white), a larger
# network, or more epochs.
#
# ## Summary
#
# * A fair comparison trains every variant on the same images for the same epochs and
#   scores it on the same held-out images; `run_variants` does that and reads finished
#   runs instead of training them again.
# * The gray answer is the first bar: PSNR, AuC and CIEDE2000 reward caution, so a
#   colorizer must beat it on those while staying colorful.
# * The warm-up length walks along the trade-off between faithful and colorful; the
#   comparisons print what each ingredient bought in this run, and the default run's own
#   spread over its last epochs says which differences are larger than chance.
#
# ## Exercises
#
# 1. Add a variant with `decay_epochs=0` to `variants` and run the notebook again. Only
#    the new run trains; where does it land on the trade-off plot?
# 2. Add a variant with `l1_weight=10`. Does a weaker L1 term buy color, and at what cost
#    in CIEDE2000?
# 3. Which variants are at least 0.8 as colorful as the truth, and which of those still
#    beat the gray answer on CIEDE2000? What does that say about the gray-answer bar?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

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
#   rewards, and why plain PSNR and AuC favor dull colors (rebalanced AuC and the
#   colorfulness gap do not);
# - how the run from notebook 04 improved per epoch, against the trivial "gray" answer;
# - how to browse every epoch's output with widgets, and compare two epochs side by side;
# - what the saturation control trades, measured; where the model fails, and why;
# - how to colorize an image larger than the model, or not square, without blurring or
#   distorting it; the model shipped with the package.
#
# **Parts taught:** `colorhelpers.scoring` (`metrics`, `plotting`), `colorhelpers.evaluation`
# (`trained`, `browser`, `diagnostics`) and the road for colorizing, `colorhelpers.colorize`
# (`grid`, `road`), shown with `show_source` where they are taught.
#
# **Run time:** measured, not typed in: the last cell prints how long this notebook took,
# on how many CPU cores and GPUs. Needs the run written by notebook 04 (the same data and
# recipe; `settings.run_dir` finds it by both).

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator, draws
# figures as PNG and returns the settings; then the run notebook 04 trained is opened.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source, shown_path

settings = notebook_setup()

from colorhelpers import colorize, evaluation
from colorhelpers.color import join_color, luma
from colorhelpers.colorize import shapes
from colorhelpers.data import decode_rgb, eval_batches, find_images, load_images
from colorhelpers.evaluation import diagnostics
from colorhelpers.scoring import judge, metrics, plot_metrics, show_image_table, show_images, twosample

run = evaluation.open_run(settings.run_dir)
heldout_paths = find_images(settings.heldout_dir)
print(f"run {run.root.name}: {len(run.read_metrics())} epochs trained, generators kept of epochs"
      f" {run.saved_epochs()}, held-out colors kept of {len(run.previewed_epochs())} epochs;"
      f" {len(heldout_paths)} held-out images")

# %% [markdown]
# The widgets, NumPy, PIL and TensorFlow for resizing, and Matplotlib:

# %%
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from ipywidgets import Dropdown, FloatSlider, SelectionSlider, interact
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
# ## Why plain PSNR and AuC favor dull colors
#
# The first three reward a cautious, desaturated answer: predicting ab = 0 everywhere (the
# *gray answer*) is never far wrong. Two reasons. Most pixels of a drawing are white
# background, skin or outline, colors close to gray, so a gray guess is right on most of
# the picture. And the error of a wrong guess grows with its distance from the truth: when
# hair could be red or blue, gray is half as far from either as the wrong one of them. PSNR
# and AuC average over pixels, so the few pixels of hair and clothes, which decide whether
# a colorization looks right, hardly count.
#
# Two more numbers do not let dullness hide. Zhang et al. (2016) *rebalance* the AuC: each
# pixel weighs inversely to how common its true color is (colors binned in 10 × 10 ab
# squares), so that every color counts as much as white and skin. And the *colorfulness gap*
# is the mean over images of |colorfulness of output − colorfulness of truth|: unlike the
# ratio of the means, a dull image and a garish one cannot cancel out.

# %%
show_source(metrics.rebalanced_auc)

# %% [markdown]
# One red pixel among three gray ones, answered with gray: plain AuC hardly notices, the
# rebalanced one halves the red pixel's share of the verdict.

# %% tags=["nbval-check-output"]
truth = np.zeros((1, 2, 2, 3))
truth[0, 0, 0, 1:] = 60.0
gray_guess = np.zeros_like(truth)
print(f"plain AuC {metrics.ab_auc(gray_guess, truth)[0]:.3f}, "
      f"rebalanced AuC {metrics.rebalanced_auc(metrics.auc_counts(gray_guess, truth)):.3f}")

# %% [markdown]
# Every plot below shows the gray answer as a baseline. Its scores on the held-out images:

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
# `python -m colorhelpers evaluate` prints as JSON, with the rebalanced AuC and the
# colorfulness gap, which metrics.csv does not keep:

# %%
scores = evaluation.evaluate_run(run, settings.heldout_dir)
print({name: round(value, 3) for name, value in scores.items()})
print(f"rebalanced AuC {scores['auc_rebalanced']:.3f} against the gray answer's "
      f"{gray_answer['auc_rebalanced']:.3f} (plain: {scores['auc']:.3f} against {gray_answer['auc']:.3f})")

# %% [markdown]
# ## Browsing epochs
#
# Move the slider to see how a held-out image's colors developed over training, and pick
# another image from the list; the saturation slider scales the colors as `colorize
# --saturation` does (measured below). `EpochBrowser` keeps each epoch's predictions once
# computed, so going back is instant. (The widgets need a live kernel; on a static page
# you see the last epoch.)
#
# A run keeps the generator of only a few epochs (the two newest and every tenth), but the
# held-out images' colors of every epoch (its *previews*, of the first 64 held-out images:
# `colorhelpers.training.callbacks.PREVIEW_IMAGES`). An epoch without its generator can only be
# shown from a preview, so the browser takes the images the previews hold
# (`previewed_paths`), and then offers every epoch:

# %%
shown = evaluation.previewed_paths(run, heldout_paths)
browser = evaluation.EpochBrowser(run, shown)
print(f"{len(shown)} of {len(heldout_paths)} held-out images; epochs {browser.epochs}")
images = Dropdown(options=[(name, i) for i, name in enumerate(browser.names)], description="image")
_ = interact(browser.show, epoch=SelectionSlider(options=browser.epochs, value=browser.epochs[-1]),
             image=images, saturation=FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1))

# %% [markdown]
# And two epochs side by side, with the truth on the right:

# %%
epochs = browser.epochs
_ = interact(browser.compare,
             epoch_a=SelectionSlider(options=epochs, value=epochs[0], description="epoch A"),
             epoch_b=SelectionSlider(options=epochs, value=epochs[-1], description="epoch B"),
             image=Dropdown(options=images.options, description="image"))

# %% [markdown]
# ## Saturation: faithful against colorful
#
# `colorize --saturation S` multiplies the predicted a and b by S before they are joined
# with the input's lightness: 0 gives the gray answer, 1 the network's own colors, above 1
# bolder ones. Rather than argue which is best, score the last epoch at several:

# %%
show_source(diagnostics.saturation_sweep)

# %%
heldout_list = list(heldout)  # scored once per saturation
generator, epoch = evaluation.load_generator(run)
sweep = diagnostics.saturation_sweep(generator, heldout_list, [0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0])
_ = diagnostics.plot_saturation_sweep(sweep)
plt.show()

# %% [markdown]
# Read off the sweep: the saturation with the lowest CIEDE2000, the one with the best
# PSNR, and the range that beats the gray answer on CIEDE2000:

# %%
best_de = min(sweep, key=lambda r: r["ciede2000"])
best_db = max(sweep, key=lambda r: r["psnr"])
beats_gray = [r["saturation"] for r in sweep if r["ciede2000"] < sweep[0]["ciede2000"]]
print(f"lowest CIEDE2000 at saturation {best_de['saturation']:g} "
      f"(colorfulness ratio {best_de['colorfulness_ratio']:.2f}); best PSNR at {best_db['saturation']:g}")
print(f"saturations that beat the gray answer on CIEDE2000: {beats_gray or 'none'}")
for r in sweep:
    print(f"saturation {r['saturation']:4g}: colorfulness gap {r['colorfulness_gap']:5.1f}, "
          f"rebalanced AuC {r['auc_rebalanced']:.3f}")

# %% [markdown]
# ## A machine judge: does it look hand-colored?
#
# PSNR and CIEDE2000 compare each picture with its one true coloring, so a plausible blue
# shirt that was red in the original costs more than a dull brown one. Another question is
# whether the colors *look* hand-colored at all. A classifier two-sample test (Lopez-Paz and
# Oquab 2017) asks it of a machine: a small critic, trained afresh for each verdict and
# apart from any GAN, learns to tell real patches from the model's on half of the held-out
# pictures, and is scored on patches of the other half. Its accuracy is the verdict: 50 %
# means the two cannot be told apart, 100 % that every patch gives the model away. Each seed
# draws its own split, patches and critic; the spread over seeds says how firm the verdict is.

# %%
show_source(twosample.critic_accuracy, start="train, test = ")

# %% [markdown]
# The answers it judges, all on the held-out pictures' own lightness: the truth itself (the
# critic must be at chance: a check of the test), the truth mirrored (other hand-colored
# patches at the same places), the gray answer, and the run's colors at saturation 1 and 2.

# %%
real = np.asarray(load_images(heldout_paths, run.read_config().image_size))  # uint8, as the model sees them
seeds = (0,) if settings.fixture else (0, 1, 2)
verdicts = {name: judge(real, fake, seeds=seeds, patch=min(32, real.shape[1]))
            for name, fake in diagnostics.judged_answers(generator, real).items()}
for name, verdict in verdicts.items():
    print(f"{name:22} {verdict}")

# %% [markdown]
# What the verdicts say, next to CIEDE2000 at the same saturations (from the sweep above):

# %%
at = {r["saturation"]: r for r in sweep}
for saturation in (1.0, 2.0):
    verdict = verdicts[f"model, saturation {saturation:g}"]
    print(f"saturation {saturation:g}: the critic tells the colors from the truth's in {verdict.mean:.0%}"
          f" of patches (gray answer {verdicts['gray answer'].mean:.0%}); CIEDE2000 {at[saturation]['ciede2000']:.2f}")
closer = verdicts["model, saturation 2"].mean < verdicts["model, saturation 1"].mean
print(f"bolder colors {'fool the critic more often' if closer else 'do not fool the critic more often'},"
      f" while CIEDE2000 {'rises' if at[2.0]['ciede2000'] > at[1.0]['ciede2000'] else 'falls'}")

# %% [markdown]
# ## Where it fails
#
# Averages hide the pictures that go wrong. `worst_images` finds the held-out images with
# the highest CIEDE2000 and describes each mistake from its pixels: among the pixels that
# are visibly wrong (CIEDE2000 above 10), which true color was painted as which.

# %%
show_source(diagnostics.Failure.why)

# %%
l_all = np.concatenate([batch[0] for batch in heldout_list])
ab_all = np.concatenate([batch[1] for batch in heldout_list])
failures = diagnostics.worst_images(generator, l_all, ab_all, count=4)
for failure in failures:
    print(f"{heldout_paths[failure.index].name}: {failure.why()}")

# %% [markdown]
# The four, as gray input, output and truth:

# %%
rows = diagnostics.failure_pictures(generator, l_all, ab_all, failures)
_ = show_image_table(rows, ["gray input", "colorgan", "truth"],
                     [heldout_paths[f.index].name.rsplit(".", 1)[0] for f in failures], width=2.2)
plt.show()

# %% [markdown]
# ## Where it fails on anime it never saw
#
# The held-out characters are GearHead portraits like the training set, so they flatter the
# model. `python -m bench.testsets` builds test-only folders of anime art from other artists
# (Ren'Py's close-up faces and full-body sprites, MIT; never trained or tuned on, not in the
# repository). The same diagnosis on them shows the failures a reader's own pictures will
# meet. Here `against_gray=True` ranks the images by how far they are behind the gray
# answer, not by their own error: the hardest pictures, which any answer colors badly, are
# not the network's failures. The cell prints the figures when the folders exist.

# %%
testsets = settings.train_dir.parent.parent / "testsets"
never_seen = [testsets / name for name in ("anime-faces", "vn-sprites")]
never_seen = [folder for folder in never_seen if folder.is_dir() and not settings.fixture]
rows, row_titles = [], []
for folder in never_seen:
    paths = find_images(folder)
    batches = list(eval_batches(paths, run.read_config().image_size))
    l_seen = np.concatenate([batch[0] for batch in batches])
    ab_seen = np.concatenate([batch[1] for batch in batches])
    ranked = diagnostics.worst_images(generator, l_seen, ab_seen, count=len(paths), against_gray=True)
    ours, gray = np.mean([f.ciede2000 for f in ranked]), np.mean([f.gray_ciede2000 for f in ranked])
    worse = sum(f.ciede2000 > f.gray_ciede2000 for f in ranked)
    print(f"{folder.name}: {len(paths)} images, CIEDE2000 {ours:.2f} against gray's {gray:.2f} "
          f"({'closer to' if ours < gray else 'further from'} the truth); worse than gray on "
          f"{worse} of {len(paths)}")
    for failure in ranked[:2]:
        row_titles.append(f"{folder.name} #{len(row_titles) + 1}")
        print(f"  #{len(row_titles)} {paths[failure.index].name}: {failure.why()}")
    rows += diagnostics.failure_pictures(generator, l_seen, ab_seen, ranked[:2])
if rows:
    _ = show_image_table(rows, ["gray input", "colorgan", "truth"], row_titles, width=2.2)
    plt.show()
else:
    print(f"{shown_path(testsets)} not found (or fixture mode): run python -m bench.testsets to see them")

# %% [markdown]
# ## Colorizing an image larger than the model
#
# The model works at its training size. The blog post colorized a resized copy and then
# resized the *whole RGB result* back up, so every edge of the drawing came out blurred.
# colorgan's one road for colorizing (`colorhelpers.colorize`, which the command line, the
# widgets and the benchmarks all use) instead predicts only ab, on a small working grid:

# %%
show_source(colorize.road._analyser, start="@tf.function")

# %% [markdown]
# and then upsamples ab (color varies slowly, so little is lost) and joins it with the input's
# own full-resolution lightness, putting the input's luma back exactly:

# %%
show_source(join_color)

# %% [markdown]
# To see the difference we need an image with more pixels than the model has. The bundled
# characters were all stored at the model's own size (128 px) when the dataset was built, and blowing
# one up would only invent pixels (the sharp result would just be sharply interpolated).
# So we make a bigger image from real pixels only: four held-out characters side by side, at
# their native size, in a 2 × 2 mosaic. The model sees it shrunk to its size.

# %%
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
ours = colorize.colorize_rgb(generator, mosaic, size)
shrunk = tf.image.resize(mosaic, [size, size], method="area", antialias=True)
small = colorize.colorize_rgb(generator, shrunk, size)
blog_way = np.asarray(Image.fromarray(small).resize(ours.shape[1::-1], Image.BICUBIC))

# %% [markdown]
# How much of the input's detail survives? Compare the luma (the gray version) of each
# result with the input's:

# %%
def luma_psnr(rgb_uint8: np.ndarray) -> float:
    error = luma(rgb_uint8 / 255.0).numpy() - luma(mosaic).numpy()
    return 10 * np.log10(1 / max(np.mean(error**2), 1e-10))


print(f"full-resolution L (ours):  {luma_psnr(ours):.1f} dB")
print(f"resized RGB (blog post):   {luma_psnr(blog_way):.1f} dB")

# %% [markdown]
# One character of the mosaic at its native resolution, both ways:

# %%
crop = slice(0, side)
gray_input = np.repeat(luma(mosaic[crop, crop]).numpy()[..., None], 3, axis=-1)
_ = show_images([gray_input, ours[crop, crop], blog_way[crop, crop]],
                ["gray input", "ours: full-resolution L", "blog post: resized RGB"], width=4)
plt.show()

# %% [markdown]
# ## Tall and wide images
#
# Sprites are tall. Squashing one into the model's square would make the network see thin,
# stretched characters it never trained on. The generator is all convolutions, so it can
# run on any size whose sides are multiples of its own: `predict_on_grid` shrinks the image
# until its *shorter* side is the model's size, keeping its proportions, mirrors the edges
# out to the next multiple, and crops the prediction back.

# %%
show_source(colorize.grid.predict_on_grid)

# %% [markdown]
# Test pictures with a known truth: pairs of held-out characters side by side (wide), one
# above the other (tall), and one above white paper (tall, like a sprite). Each is
# colorized with its proportions kept (`fit="aspect"`, the default) and squashed
# (`"squash"`, colorgan before release 0.3); the output keeps the input's size either way.

# %%
show_source(shapes.shape_test_images)

# %% [markdown]
# Every held-out pair, each way, against the gray answer (mean CIEDE2000, lower is
# closer), and how many pictures each way wins:

# %%
square = [np.asarray(decode_rgb(str(path))) for path in heldout_paths]
shape_scores = {}
for kind, pictures in shapes.shape_test_images(square).items():
    shape_scores[kind] = shapes.compare_fits(generator, pictures, size)
    ciede = {way: s[:, 0] for way, s in shape_scores[kind].items()}
    wins = int(np.sum(ciede["aspect"] < ciede["squash"]))
    print(f"{kind:27} gray answer {ciede['gray answer'].mean():5.2f}, proportions kept"
          f" {ciede['aspect'].mean():5.2f}, squashed {ciede['squash'].mean():5.2f};"
          f" kept closer on {wins} of {len(ciede['aspect'])}")

# %% [markdown]
# One tall picture of each kind, both ways, and the truth:

# %%
tall = shapes.shape_test_images(square[:2])["tall (one on white)"][0]
fitted = {fit: colorize.colorize_rgb(generator, tall, size, fit=fit) for fit in colorize.FITS}
_ = show_images([*fitted.values(), (tall * 255).round().astype(np.uint8)], [*fitted, "truth"], width=2.5)
plt.show()

# %% [markdown]
# What the numbers say, per kind of picture:

# %%
for kind, scores in shape_scores.items():
    kept, squashed = scores["aspect"][:, 0].mean(), scores["squash"][:, 0].mean()
    print(f"{kind}: {'proportions kept' if kept < squashed else 'squashed'} is closer to the truth"
          f" by {abs(kept - squashed):.2f}")

# %% [markdown]
# Squashing distorts a picture the most when one side is much longer than the other and the
# character fills it, as a sprite does; two characters stacked are two squares, each of
# which only loses half its width. `python -m bench.shapes` runs the same measurement on
# any folder (`docs/results.md` has its table for other sets). The same functions run behind
# `python -m colorhelpers colorize --input FILE_OR_DIR --output DIR`, which handles any
# image size and aspect ratio, color or gray input.
#
# ## The model shipped with the package
#
# `colorize` without `--run` uses `colorhelpers/shipped`: the same recipe trained by `make
# train` on the same training images as this notebook's run (into `runs/anime`). Its
# held-out scores against the gray answer's, and the figures `colorize` needs:

# %%
shipped = evaluation.open_run(evaluation.SHIPPED_RUN)
shipped_scores = evaluation.evaluate_run(shipped, settings.heldout_dir)
for name in ("psnr", "ciede2000", "auc", "auc_rebalanced", "colorfulness_ratio"):
    print(f"{name:19} shipped {shipped_scores[name]:7.3f}   gray answer {gray_answer[name]:7.3f}")
weights = shipped.generator_weights(shipped_scores["epoch"])
print(f"shipped generator: {weights.name}, {weights.stat().st_size / 1e6:.1f} MB (float16)")

# %% [markdown]
# ## Summary
#
# - PSNR, CIEDE2000 and AuC reward fidelity, and the gray answer already scores well on
#   them; colorfulness rewards boldness. Judge a colorizer on all four, against the gray
#   answer.
# - `metrics.csv` holds the scores of every epoch; `plot_metrics` draws them, and
#   `EpochBrowser` shows any epoch's pictures on demand.
# - Plain PSNR and AuC favor dull answers; the rebalanced AuC and the colorfulness gap do
#   not. The saturation sweep shows the trade-off in numbers, and `worst_images` says what
#   went wrong where it went wrong, on the held-out characters and on anime art from other
#   artists.
# - the road (`colorize_rgb` for one image) predicts only the colors on a working grid, with the image's own
#   proportions, and keeps the input's full-resolution lightness, so a large or tall image
#   comes out as sharp and as undistorted as it went in.
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
# 3. Run `saturation_sweep` on `data/unseen-characters` (built by `python
#    data/build_characters.py --unseen`, a style the model never saw). Does the best
#    saturation move?
# 4. Compute CIE76, the plain distance in Lab, on the held-out images for the last epoch
#    and compare it with CIEDE2000. Which one is larger, and on which colors do they
#    disagree most?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

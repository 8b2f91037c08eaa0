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
# # 09 · Color it your way: point hints, scribbles and a reference image
#
# **What you will learn**
#
# * why colors predicted from gray alone are a guess: the same gray has many right answers;
# * how to measure user hints without users: Zhang et al. (2017)'s simulated hints;
# * three ways to make a result follow a few colors: hints as extra inputs of the generator,
#   edge-aware propagation by optimization on L (Levin, Lischinski and Weiss 2004), and
#   their combination, the network's colors as the prior and the hints as constraints;
# * a reference image (the same character, elsewhere in the frame and mirrored) as a global hint;
# * a widget: click the gray image to place a color, the result follows.
#
# **Part taught:** `colorhelpers.hints` (`points`, `propagation`, `reference`, `guide`, `sweep`,
# `widget`), with `colorhelpers.models.hint_network`, shown with `show_source` where they are taught.
#
# **Run time:** measured, not typed in: the fine-tuning cell prints how long the hint
# networks took (read from disk if trained before), and the last cell how long this notebook
# took, on how many CPU cores and GPUs. Needs the run of notebook 04 (the same data and
# recipe; `settings.run_dir` finds it by both).

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator, draws
# figures as PNG and returns the settings.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source, shown_path

settings = notebook_setup()

# %% [markdown]
# The run of notebook 04 colors automatically; everything below starts from its generator.
# (The test fixture trains its own tiny run here when there is none yet.)

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import skimage.color
from scipy import ndimage

from colorhelpers import hints
from colorhelpers.data import find_images
from colorhelpers.evaluation import load_generator, open_run
from colorhelpers.hints import propagation, reference
from colorhelpers.hints import sweep as hint_sweep
from colorhelpers.models import hint_network
from colorhelpers.scoring import colorfulness, show_images

if settings.fixture and not settings.run_dir.exists():
    from colorhelpers.training import train

    train(settings.train_paths(), find_images(settings.heldout_dir), settings.run_dir,
          settings.config, verbose=0)
run = open_run(settings.run_dir)
generator, epoch = load_generator(run)
size = run.read_config().image_size
heldout_paths = find_images(settings.heldout_dir)
truths = hint_sweep.load_truths(heldout_paths, size)
print(f"epoch {epoch} of {run.root.name}, {size} px; {len(truths)} held-out images")

# %% [markdown]
# ## The same gray, many right answers
#
# A gray drawing says where the regions are and how light each is, not which hue it has:
# a mid-gray shirt may be red, green or blue, all at the same lightness. The network learned
# the average answer of its training images, which is often dull or wrong. First, how far
# the automatic colors are from the truth, compared with leaving the picture gray:

# %%
gray = np.stack([hint_sweep.gray_output(t) for t in truths])
automatic = np.stack([hints.HintColorizer(generator, size, t / 255.0).colorize() for t in truths])
scores = {"gray": hint_sweep.score(gray, truths), "automatic": hint_sweep.score(automatic, truths)}
for name, s in scores.items():
    print(f"{name:10s} PSNR {s['psnr']:.2f} dB, CIEDE2000 {s['ciede2000']:.2f}, AuC {s['auc']:.3f}")
better = scores["automatic"]["ciede2000"] < scores["gray"]["ciede2000"]
print("the automatic colors are", "closer to" if better else "further from", "the truth than gray")

# %% [markdown]
# Three equally valid answers for one gray picture: one click each, of a different hue, on
# the same spot, inside the most colorful region of the most colorful held-out picture
# (where the truth's chroma, averaged over 9x9 pixels, is highest, so the click lands
# inside a region rather than on a line; how a click spreads is the subject below).

# %%
example = int(np.argmax(colorfulness(truths / 255.0)))  # the most colorful held-out picture
truth = truths[example]
colorizer = hints.HintColorizer(generator, size, truth / 255.0)
chroma = np.hypot(*np.moveaxis(skimage.color.rgb2lab(truth)[..., 1:], -1, 0))
y, x = np.unravel_index(np.argmax(ndimage.uniform_filter(chroma, 9)), chroma.shape)
print(f"the click: x {x}, y {y}, where the truth's lightness is {skimage.color.rgb2lab(truth)[y, x, 0]:.0f}")
variants = [colorizer.colorize(hints.Hints(np.array([y]), np.array([x]), np.array([rgb], np.uint8)))
            for rgb in ([200, 40, 40], [40, 160, 60], [50, 80, 210])]
show_images([gray[example], automatic[example], *variants, truth],
            ["gray input", "automatic", "red click", "green click", "blue click", "truth"])
plt.show()

# %% [markdown]
# ## Simulated hints
#
# To measure hints without asking people to click, Zhang et al. (2017) simulate them from
# the truth: k points at colored pixels, drawn with probability proportional to chroma
# (a user clicks where there is color), each carrying the truth's mean color over its 3x3
# neighbourhood. `simulate_hints` does that, seeded, so every method below is measured on the
# same hints:

# %%
show_source(hints.simulate_hints)

# %% [markdown]
# Ten simulated hints on the example, drawn as dots on the gray input:

# %%
from colorhelpers.hints import HintWidget  # noqa: E402  (its dots are what the widget draws)

ten = hints.simulate_hints(truth, 10, np.random.default_rng(0))
print(ten.to_points()[:3], "...")
dots = gray[example].copy()
for y, x, rgb in zip(ten.ys, ten.xs, ten.rgb):
    dots[max(0, y - 1):y + 2, max(0, x - 1):x + 2] = rgb
show_images([dots, truth], ["10 simulated hints", "truth"])
plt.show()

# %% [markdown]
# Hint files for the command line use the same points, in the input's pixels:
# `python -m colorhelpers colorize --run RUN --input cat.png --hints cat.json --output out/`
# with `cat.json` holding `[{"x": 12, "y": 40, "color": "#d04a3a"}]`, or an RGBA scribble
# `cat.png` of the input's size whose opaque pixels are the hints. `read_hints` checks
# every point and names the file and the problem when one is wrong:

# %%
show_source(hints.points.parse_points)

# %% [markdown]
# ## Approach 1: edge-aware propagation (Levin, Lischinski and Weiss 2004)
#
# Neighbouring pixels of similar lightness should get similar colors. The affinity of two
# neighbours in a 3x3 window falls quickly with their difference in L, so color flows
# freely inside a flat region and hardly at all across an ink line:

# %%
show_source(propagation.edges)

# %% [markdown]
# Summed into a graph Laplacian, D - W (each pixel's total affinity on the diagonal, minus
# its affinity to each neighbour), they give the smoothness term of the energy below:

# %%
show_source(propagation.laplacian)

# %% [markdown]
# One quadratic energy then balances three wishes: smooth color where L is smooth, the hint
# colors at the hints (a strong pull) and the prior everywhere (a weak pull): either gray
# (ab = 0: propagation alone) or the network's automatic colors (the combination).
# Minimising it is one sparse linear system:

# %%
show_source(propagation.Propagator.solve)

# %% [markdown]
# A check you can see: two flat regions split by a dark line, one hint on the left. The left
# side takes the color, the right keeps the prior (gray):

# %%
lightness = np.full((32, 32), 80.0)
lightness[:, 16:] = 75.0
lightness[:, 15:17] = 10.0
solver = propagation.Propagator(lightness)
weight, hint_ab = np.zeros((32, 32)), np.zeros((32, 32, 2))
weight[10, 5], hint_ab[10, 5] = solver.hint_weight, [0.5, -0.3]
spread = solver.solve(weight, hint_ab, prior_ab=None)
print("left region ab:", spread[:, :14].mean((0, 1)).round(3), " right region ab:",
      spread[:, 18:].mean((0, 1)).round(3))

# %% [markdown]
# The Laplacian depends only on L, so the widget builds it once per image. After a click,
# a few new hints are a low-rank change of the hint-free system; the Woodbury identity turns
# the update into one triangular solve and a k x k system (`bench/hints.py` times it):

# %%
show_source(propagation.Propagator._low_rank_solve)

# %% [markdown]
# The same on a real picture, on the working grid the automatic colors use: the hint colors are constraints, the
# prior fills the rest, and the result is joined with the input's full-resolution L exactly
# as the automatic colorizer does:

# %%
show_source(hints.HintGuide.ab)

# %%
gray_prior = hints.HintColorizer(generator, size, truth / 255.0, prior="gray")
show_images([dots, gray_prior.colorize(ten), colorizer.colorize(ten), truth],
            ["10 hints", "propagation (gray prior)", "network prior + hints", "truth"])
plt.show()

# %% [markdown]
# What we tried for the propagation weights, on 12 training images (not the held-out ones),
# 10 hints each: the edge sensitivity sigma (in L units) and the pull of the prior. A small
# sigma stops color at weaker edges; a strong prior keeps hints from filling their regions.

# %%
tuning_truths = hint_sweep.load_truths(settings.train_paths()[::36][:12], size)
tried = {}
for sigma, prior_weight in [(1.0, 1e-4), (2.0, 1e-4), (4.0, 1e-4), (8.0, 1e-4), (2.0, 1e-3)]:
    rows = hint_sweep.hint_sweep(generator, tuning_truths, counts=(10,), sigma=sigma, prior_weight=prior_weight)
    s = rows["network + propagation"][10]
    tried[sigma, prior_weight] = s["ciede2000"]
    print(f"sigma {sigma:3.1f}, prior weight {prior_weight:g}: PSNR {s['psnr']:.2f} dB, "
          f"CIEDE2000 {s['ciede2000']:.2f}")
best_sigma, best_prior_weight = min(tried, key=tried.get)
print(f"lowest CIEDE2000 here: sigma {best_sigma}, prior weight {best_prior_weight:g}; "
      f"defaults: sigma {propagation.SIGMA_L}, prior weight {propagation.PRIOR_WEIGHT:g}")

# %% [markdown]
# ## Approach 2: hints as extra generator inputs (Zhang et al. 2017)
#
# The generator gets three more input channels: the hint ab and a mask of where hints are.
# Trained naively (from scratch, L1 only, small data) such a network learned to ignore its
# hints: PSNR moved by 0.2 dB with 20 hints. What we tried so that hints carry, all in
# `colorhelpers.models.hint_network`: a warm start from the automatic generator (the new channels'
# weights start at zero, so without hints it *is* the automatic model), simulated hints
# drawn like the protocol's (chroma-weighted, 0 to 24 per image, new every step), and an L1
# loss weighted ten times more near each hint:

# %%
show_source(hint_network.simulate_hint_channels)

# %%
show_source(hint_network.train_hint_generator, start="@tf.function", end="return loss")

# %% [markdown]
# Two fine-tuned versions (each read from disk if trained before; the cell prints how long
# it took): the recipe above, and the same with the hint channels multiplied by 10 on the
# way in and twice the learning rate, so that the zero-started hint weights learn faster
# than the rest can drift. Six epochs each, a budget like that of the variant studies of
# notebooks 06-08. (The test fixture skips the fine-tuning: 0 epochs.)

# %%
hint_dir = settings.run_dir.with_name(settings.run_dir.name + "-hints")
hint_epochs = 0 if settings.fixture else 6
train_paths = settings.train_paths()
started = time.perf_counter()
hint_networks = {
    "hint network": hint_network.train_hint_generator(
        train_paths, generator, hint_dir / "hint_generator.weights.h5", size, epochs=hint_epochs,
        batch_size=settings.config.batch_size),
    "hint network, inputs x10": hint_network.train_hint_generator(
        train_paths, generator, hint_dir / "hint_generator_scaled.weights.h5", size, epochs=hint_epochs,
        batch_size=settings.config.batch_size, learning_rate=2e-4, hint_scale=10.0),
}
print(f"{len(hint_networks)} hint networks, {hint_epochs} epochs of fine-tuning each,"
      f" trained or read in {(time.perf_counter() - started) / 60:.1f} minutes")

# %% [markdown]
# ## The measured sweep
#
# Zhang et al.'s protocol on the held-out images: k = 0, 1, 2, 5, 10 and 20 simulated hints
# per image (seeded), the four metrics for each method, with the gray answer and the
# automatic colors as baselines. (Scored at the model's size, as metrics.csv is.)

# %%
methods = ("propagation", "network + propagation")
table = hint_sweep.hint_sweep(generator, truths, methods=methods)
for name, network in hint_networks.items():
    table[name] = hint_sweep.hint_sweep(generator, truths, methods=("hint network",),
                                        hint_generator=network)["hint network"]
hint_sweep.print_table(table)

# %%
hint_sweep.plot_sweep(table, f"held-out split of {settings.heldout_dir.parent.name}")
plt.show()

# %% [markdown]
# The default is chosen by these numbers: with no hints, the output must stay the automatic
# one, so only methods that keep it qualify; among the rest, the lowest mean CIEDE2000 over
# all k wins. The per-k winners, and what 10 hints buy over the gray answer, are printed too:

# %%
candidates = [m for m in table if m not in ("gray", "automatic")]
keeps_automatic = [m for m in candidates if table[m][0] == table["automatic"][0]]
mean_ciede = {m: np.mean([table[m][k]["ciede2000"] for k in table[m]]) for m in candidates}
for m in candidates:
    print(f"{m:26s} mean CIEDE2000 over k {mean_ciede[m]:.2f}"
          + ("  (keeps the automatic output at k = 0)" if m in keeps_automatic else ""))
default = min(keeps_automatic, key=mean_ciede.get)
print("default by the numbers:", default)
for k in hint_sweep.HINT_COUNTS:
    print(f"  k = {k:2d}: lowest CIEDE2000 {min(candidates, key=lambda m: table[m][k]['ciede2000'])}")
gray10, ours10 = table["gray"][10], table[default][10]
ratio, gain = ours10["ciede2000"] / gray10["ciede2000"], ours10["psnr"] - gray10["psnr"]
print(f"{default}, 10 hints: CIEDE2000 {ratio:.0%} of the gray answer's, PSNR {gain:+.2f} dB over it")
same = all(abs(table[default][0][m] - table["automatic"][0][m]) < 1e-9 for m in ours10)
print(f"with no hints it gives the automatic output (all four metrics equal): {same}")
for name in hint_networks:
    moved = table[name][20]["psnr"] - table[name][0]["psnr"]
    print(f"{name}: 20 hints move PSNR by {moved:+.2f} dB (propagation with the network prior: "
          f"{table['network + propagation'][20]['psnr'] - table['network + propagation'][0]['psnr']:+.2f} dB)")

# %% [markdown]
# ## On images we did not tune on
#
# The same sweep on character avatars drawn by other artists: the DiceBear characters the
# repository bundles in `data/characters` (its README has their licences). The anime model
# never trained on them, and no setting of this notebook was chosen on them. Every fourth
# picture of their held-out folder, to keep the sweep short:

# %%
extra_dir = settings.train_dir.parents[1] / "characters" / "heldout"
if not settings.fixture:
    extra_truths = hint_sweep.load_truths(find_images(extra_dir)[::4], size)
    print(f"{len(extra_truths)} pictures of {shown_path(extra_dir)}")
    extra = hint_sweep.hint_sweep(generator, extra_truths, methods=methods)
    for name, network in hint_networks.items():
        extra[name] = hint_sweep.hint_sweep(generator, extra_truths, methods=("hint network",),
                                            hint_generator=network)["hint network"]
    hint_sweep.print_table(extra)
    hint_sweep.plot_sweep(extra, f"{extra_dir.name} (not tuned on)")
    plt.show()
    e_gray, e_ours = extra["gray"][10], extra[default][10]
    print(f"{default}, 10 hints: CIEDE2000 {e_ours['ciede2000'] / e_gray['ciede2000']:.0%} of gray's, "
          f"PSNR {e_ours['psnr'] - e_gray['psnr']:+.2f} dB")
    auto_worse = extra["automatic"][0]["ciede2000"] > e_gray["ciede2000"]
    print("here the automatic colors are", "further from" if auto_worse else "closer to",
          "the truth than gray; lowest CIEDE2000 with 10 hints:",
          min(candidates, key=lambda m: extra[m][10]["ciede2000"]))
else:
    print("fixture mode: the sweep on data/characters runs on the full data only")

# %% [markdown]
# ## A reference image
#
# A color picture of the same character guides the result, even though it is not aligned:
# both pictures are cut into regions bounded by lines, and each region of the input takes
# the color of the reference region most like it (lightness first, then size and place).
# Those colors become soft hints; local hints, which are hard, win in their regions. The
# reference's regions (`reference_regions`: their features and median colors) are found
# once, so that a reference guiding many frames of a clip costs only the matching:

# %%
show_source(reference.reference_hints)

# %% [markdown]
# The test: each held-out picture's own colors, mirrored and moved, as its reference, so
# that copying pixels would be wrong:

# %%
ref_scores = hint_sweep.reference_test(generator, truths)
for name, s in ref_scores.items():
    print(f"{name:10s} PSNR {s['psnr']:.2f} dB, CIEDE2000 {s['ciede2000']:.2f}, AuC {s['auc']:.3f}, "
          f"colorfulness {s['colorfulness_ratio']:.2f}")
ratio = ref_scores["reference"]["ciede2000"] / ref_scores["gray"]["ciede2000"]
print(f"same-character reference: CIEDE2000 {ratio:.0%} of the gray answer's")

# %%
ref_image = reference.shifted_mirror(truth)
guided = colorizer.colorize(None, colorizer.reference(ref_image))
show_images([gray[example], ref_image, guided, truth], ["gray input", "reference", "result", "truth"])
plt.show()

# %% [markdown]
# ## The widget
#
# Click the gray image to place the color of the picker; the result updates (the status
# line says how long it took). Undo and Clear edit the hints; the dropdown picks a
# reference image. The logic is `HintWidget`'s, tested without a browser;
# tests/test_browser_hints.py clicks it in JupyterLab.

# %%
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from IPython.display import display  # noqa: E402
from PIL import Image  # noqa: E402

mirrored = Path(tempfile.mkdtemp()) / "mirrored.png"
Image.fromarray(ref_image).save(mirrored)
choices = {"this picture, mirrored and moved": mirrored,
           **{p.stem: p for p in heldout_paths if p != heldout_paths[example]}}
widget = HintWidget(generator, size, truth / 255.0, references=choices)
display(widget.view)

# %% [markdown]
# ## Summary
#
# * Colors from gray alone are a guess; a few user colors settle it. Zhang et al.'s
#   simulated hints measure that without users, on held-out images and on a folder never
#   tuned on.
# * Edge-aware propagation on L spreads each hint over its region and stops at lines. With
#   the network's automatic colors as the prior, unhinted regions keep the network's colors
#   and no hints gives exactly today's output; that combination is the default the sweep
#   chose, and the lines under the sweep say what 10 hints buy over the gray answer.
# * A hint network at this scale barely listens to its hints; scaling its hint inputs up
#   (faster learning of the zero-started weights) made them carry further, and the sweep
#   prints how far, next to propagation.
# * A reference image helps through regions matched by lightness, size and place, and
#   local hints win in their regions.
#
# ## Exercises
#
# 1. Set `sigma=4.0` (the default before the tuning above) in `hint_sweep.hint_sweep(...)` on
#    the held-out images. Which metrics move, and does it change the default the sweep chooses?
# 2. Train the hint network with `near_weight=0` (plain L1) and compare its sweep with the
#    weighted one: how much of its gain came from the weighting?
# 3. Use the hint network's output as the prior of the propagation (both approaches at
#    once). Does it beat "network + propagation" at 1-2 hints?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

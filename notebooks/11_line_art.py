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
# # 11 · Line art: black lines on white in, a colored character out
#
# **What you will learn**
#
# * why keeping the input's lightness is right for a gray render and wrong for line art,
#   seen on the sRGB gamut;
# * how to make training pairs from color pictures: line art drawn from each one in several
#   styles, and a network that predicts L as well as a and b;
# * why a drawing larger than the model shrinks keeping its ink, not by averaging;
# * hints on line art: a color fills the region its lines close, as a flat-fill tool does;
# * a clip from one colored keyframe: every region takes the color of the region it came from;
# * how `colorize --kind auto` tells line art from a gray picture.
#
# **Part taught:** `colorhelpers.data.lines` (the training pairs), the line-art branch of
# `colorhelpers.colorize.road` and `grid.shrink`, and `colorhelpers.lineart` (`regions`, `kind`,
# `matching`, `paintbucket`).
#
# **Run time:** printed by the last cell. The training cell reuses a finished run of the same
# data and recipe (`make train-lineart` trains one); training one from nothing takes about as
# long as notebook 04's.

# %% [markdown]
# Set-up, as in every notebook: quiet TensorFlow, seed everything, say what data this runs on.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from skimage.color import lab2xyz, rgb2lab

from colorhelpers.colorize import Colorizer, road
from colorhelpers.colorize.road import full_resolution, read_still
from colorhelpers.data import find_images, lines
from colorhelpers.data.pipeline import eval_batches
from colorhelpers.evaluation import load_generator, open_run
from colorhelpers.hints import Hints, simulate_hints
from colorhelpers.lineart import LineArtGuide, choose_kind, line_regions
from colorhelpers.lineart.flat_clips import flat_clip, from_keys, heldout_characters
from colorhelpers.lineart.matching import match
from colorhelpers.lineart.paintbucket import PaintBucketGuide, Painted, PaintingColorizer
from colorhelpers.scoring import colorfulness, metrics, plot_metrics, show_images
from colorhelpers.scoring.regions import paintbucket_scores

heldout_paths = find_images(settings.heldout_dir)
truths = [read_still(p) for p in heldout_paths]

# %% [markdown]
# ## Why the gray mode cannot color a drawing
#
# The gray mode keeps the input's L and predicts only a and b. For a gray render that is the
# right split: the lightness is known, only the color is missing. A line drawing's lightness
# is the paper's, nearly L = 100 everywhere, and at that lightness sRGB holds almost no color:
# the widest chroma (distance from gray in the a-b plane) that still converts to a valid sRGB
# pixel shrinks to nothing as L reaches 100. (Checked before any clipping: Lab to XYZ to
# linear sRGB, inside the gamut when all three channels are within [0, 1].)

# %%
hues = np.linspace(0, 2 * np.pi, 360, endpoint=False)
chromas = np.linspace(0, 130, 261)


#: CIE XYZ (D65) to linear sRGB.
XYZ_TO_LINEAR_RGB = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]])


def widest_chroma(lightness: float) -> tuple[float, float]:
    """The largest chroma inside the sRGB gamut at this L: for the best hue, and the median hue."""
    a = np.cos(hues)[:, None] * chromas[None]
    b = np.sin(hues)[:, None] * chromas[None]
    with warnings.catch_warnings():  # lab2xyz warns about the impossible colors we probe for
        warnings.simplefilter("ignore")
        xyz = lab2xyz(np.stack([np.full_like(a, lightness), a, b], -1))
    linear = xyz @ XYZ_TO_LINEAR_RGB.T  # before any clipping: outside [0, 1] means no such pixel
    inside = np.all((linear >= -1e-6) & (linear <= 1 + 1e-6), axis=-1)
    per_hue = np.max(np.where(inside, chromas[None], 0), axis=1)
    return float(per_hue.max()), float(np.median(per_hue))


levels = [50, 60, 70, 80, 90, 95, 98, 100]
widest = {L: widest_chroma(L) for L in levels}
plt.plot(levels, [w[0] for w in widest.values()], marker="o", label="best hue (yellow near the top)")
plt.plot(levels, [w[1] for w in widest.values()], marker="o", label="median hue")
plt.xlabel("L (lightness)")
plt.ylabel("widest chroma in sRGB")
plt.title("the color room left at each lightness")
plt.legend()
plt.show()
print(f"median hue: {widest[50][1]:.0f} chroma units at L = 50, {widest[90][1]:.0f} at L = 90, "
      f"{widest[98][1]:.0f} at L = 98, {widest[100][1]:.0f} at L = 100: paper white keeps no color")

# %% [markdown]
# ## Line art from color pictures, in several styles
#
# There is no bundled line art, and there need not be: lines can be drawn from each color
# picture's lightness. One extractor alone would teach the network that extractor's quirks
# (its line weight, where it breaks a stroke), so training draws each image in one of five
# styles, picked at random per image and step. The main one is XDoG, a difference of two
# Gaussian blurs that is zero on flat areas and dips on the dark side of edges:

# %%
show_source(lines.xdog)

# %% [markdown]
# One held-out character in each style, and, last, lines drawn a way no training style
# draws them (Canny edges of the color picture): the drawings the scores below also use,
# to check that the model learned drawings rather than its own extractors.

# %%
truth = truths[0]
l_norm = full_resolution(truth[None])[0]
drawn = {style: lines.line_art(l_norm, style, tf.constant([0, 1], tf.int64))[0].numpy()
         for style in lines.LINE_STYLES}
pictures = [np.repeat(np.round((x[..., 0] + 1) * 127.5).astype(np.uint8)[..., None], 3, -1)
            for x in drawn.values()]
show_images([truth, *pictures, lines.unseen_line_art(truth)], ["truth", *drawn, "unseen (Canny)"], width=2.2)
plt.show()

# %% [markdown]
# A training pair is then (line art, the picture's Lab): what it learns has three channels, so
# the generator's last layer has three (`build_generator(outputs=3)`), and the L1 loss covers
# L as well as a and b. `training_pairs` makes a batch of them, its styles drawn from the
# run's seed and the step number, so a resumed run repeats exactly the pairs it would have seen:

# %%
show_source(lines.training_pairs)

# %% [markdown]
# ## Training the line-art model
#
# The recipe is the default one of notebook 04 with two fields changed, `LINEART_RECIPE`:
# `kind="lineart"`, and a moving average of the generator's weights (Polyak averaging, Adam's
# `use_ema`). Why the average: predicting lightness makes the held-out score jumpy. Without
# it, the held-out CIEDE2000 of epochs 21-30 of the full run (the line-art model shipped
# before this recipe) went from 17.9 to 28.5 and back, so which epoch shipped was luck; every epoch's files come from the average of about the last
# 100 steps instead (`callbacks.AveragedGenerator`), while training goes on from the weights
# themselves:

# %%
from colorhelpers.training.callbacks import AveragedGenerator  # noqa: E402

show_source(AveragedGenerator)

# %% [markdown]
# The run directory is named by the data and the recipe, so a finished run of the same is reused.

# %%
from colorhelpers.training import LINEART_RECIPE, describe_schedule, train  # noqa: E402

print(LINEART_RECIPE)
config = settings.config.replace(**LINEART_RECIPE)
run_dir = settings.run_for(config)
print(describe_schedule(config))
rows = train(settings.train_paths(), heldout_paths, run_dir, config, verbose=0)
run = open_run(run_dir)
generator, epoch = load_generator(run)
print(f"epoch {epoch}: held-out CIEDE2000 {rows[-1]['ciede2000']:.2f} on XDoG line art of held-out characters")
last = [row["ciede2000"] for row in rows[-10:]]
print(f"epochs {len(rows) - len(last) + 1}-{len(rows)}: from {min(last):.2f} to {max(last):.2f}")

# %% [markdown]
# The held-out scores per epoch, with the all-white fill (the line art itself, what the gray
# mode gives back) as the dashed baseline:

# %%
heldout = eval_batches(heldout_paths, config.image_size).map(lines.eval_pairs)
white = metrics.evaluate_generator(None, heldout)
plot_metrics(rows, white)
plt.show()
print(f"last epoch CIEDE2000 {rows[-1]['ciede2000']:.2f} against the white fill's {white['ciede2000']:.2f}")

# %% [markdown]
# ## On the road: the network's lightness, never lighter than the drawing
#
# Colorizing goes down the same road as a gray picture (`colorhelpers.colorize.road`). The one
# change is in the analysis: a model that predicts three channels brings its own lightness,
# and the lightness shown is the smaller of the prediction and the drawing's, so every line
# stays where it was drawn and as dark:

# %%
show_source(road._analyser)

# %% [markdown]
# ## A drawing larger than the model: shrink it, keep the ink
#
# The network learned from 128 px drawings whose lines are full ink. A larger drawing has to
# shrink to the network's size first, and averaging pixels, which is right for a gray picture,
# turns a 1 px line of a 256 px drawing into a gray half as dark: the network would read a
# faint pencil stroke where the artist inked a line. So a drawing shrinks keeping its ink
# (`keep_ink`, on by default for a line-art model): every block of pixels first becomes its
# darkest one, then the area average does the rest. It was chosen on training portraits at
# 256 and 512 px with hints (`bench.lineart --size`), where it helped at every hint ratio.
# Line art is colored with hints more than without (the automatic colors of a drawing are a
# guess, as in notebook 09), and without hints the effect depends on the trained model, so
# the cell below measures this notebook's own model both ways.

# %%
from colorhelpers.colorize import grid  # noqa: E402

show_source(grid.shrink)

# %% [markdown]
# Held-out characters drawn in the unseen style at twice their size, colored down the whole
# road with 10 simulated hints each (notebook 09's protocol, filled by region as below) and
# with none, once with the drawing averaged down (`keep_ink=False`) and once with its ink
# kept (the default): what the network sees of one, and how far the colors land from the
# truth at that size.

# %%
def doubled(picture: np.ndarray) -> np.ndarray:
    """A picture upsampled to twice its size, as uint8 RGB."""
    height, width = picture.shape[:2]
    return tf.image.resize(picture, (2 * height, 2 * width), "lanczos3").numpy().clip(0, 255).astype(np.uint8)


big_truths = [doubled(t) for t in truths]
big_drawings = [lines.unseen_line_art(t) for t in big_truths]
first = full_resolution(big_drawings[0][None])[0]
big_hints = [simulate_hints(t, 10, np.random.default_rng(i)) for i, t in enumerate(big_truths)]
seen, error = {}, {}
for keep_ink in (False, True):
    name = "ink kept" if keep_ink else "averaged"
    seen[name] = grid.shrink(first, config.image_size, config.image_size, keep_ink)[0, ..., 0].numpy()
    shrinking = Colorizer(generator, config.image_size, keep_ink=keep_ink)
    for hinted in (False, True):
        colored = [shrinking.still(d, LineArtGuide(h, fill="regions") if hinted else None)
                   for d, h in zip(big_drawings, big_hints)]
        error[name, hinted] = np.mean([metrics.ciede2000(rgb2lab(c[None] / 255.0), rgb2lab(t[None] / 255.0))
                                       for c, t in zip(colored, big_truths)])
show_images([np.repeat((seen[name][..., None] + 1) / 2, 3, -1) for name in seen],
            [f"network input, {name}" for name in seen], width=3)
plt.show()
for name in seen:
    print(f"{name}: {np.mean(seen[name] <= 0):.1%} of the pixels the network sees are at least half ink; "
          f"CIEDE2000 with 10 hints {error[name, True]:.2f}, without hints {error[name, False]:.2f}")
for hinted, label in ((True, "with 10 hints"), (False, "without hints")):
    better = "keeping the ink" if error["ink kept", hinted] < error["averaged", hinted] else "averaging"
    print(f"on drawings twice the model's size, {label}, {better} gives the closer colors")

# %% [markdown]
# Held-out characters drawn in the trained style (XDoG) and in the unseen one, colored with
# no hints at all: line art, its colors, the truth.

# %%
colorizer = Colorizer(generator, config.image_size)
shown = truths[:: max(1, len(truths) // 3)][:3]


def as_line_art(picture: np.ndarray, style: str) -> np.ndarray:
    """uint8 RGB line art of a picture, in a training style or the unseen one."""
    if style == "unseen":
        return lines.unseen_line_art(picture)
    drawn = lines.line_art(full_resolution(picture[None])[0], style)[0].numpy()
    return np.repeat(np.round((drawn[..., 0] + 1) * 127.5).astype(np.uint8)[..., None], 3, -1)


for style in ("xdog", "unseen"):
    row = []
    for picture in shown:
        drawing = as_line_art(picture, style)
        row += [drawing, colorizer.still(drawing), picture]
    show_images(row, ["line art", "colors", "truth"] * len(shown), width=1.8)
    plt.show()

# %% [markdown]
# ## Hints fill the regions the lines close
#
# Without hints the network guesses colors a drawing does not show (which hair color?), so
# on line art the user's colors are most of the information. On a gray picture colorgan
# spreads a hint along similar lightness (notebook 09); on a drawing nearly everything is the
# same white, and what bounds a color is the ink. So the paper is cut into the regions the
# lines close (lines thickened a pixel first, so a small break in a stroke does not let the
# color out), and every pixel joins its nearest region:

# %%
show_source(line_regions)

# %%
drawing = as_line_art(truth, "xdog")
labels, count = line_regions(full_resolution(drawing[None])[0][0].numpy())
palette = np.random.default_rng(0).integers(60, 255, (count + 1, 3)).astype(np.uint8)
show_images([drawing, palette[labels]], ["line art", f"{count} regions"], width=3)
plt.show()

# %% [markdown]
# A region that holds a hint takes the hint's color: its a and b, and its lightness, flat as a
# painter's fill (`shading` would add some of the network's shading on top, the prediction
# minus its mean over the region; `regions.SHADING` records why it is 0). Regions without a
# hint keep the network's colors, propagated from the hints as on a gray picture:

# %%
show_source(LineArtGuide.__call__)

# %% [markdown]
# Measured on every held-out character, with 10 hints each (the protocol of notebook 09:
# points drawn where the truth is colorful, each with the truth's color there), and 0 hints
# for the automatic colors; the two ways to spread hints side by side, and the white fill:

# %%
def score(style: str, hint_count: int, fill: str) -> float:
    """Mean CIEDE2000 over the held-out characters drawn in `style`."""
    rng = np.random.default_rng(0)
    errors = []
    for picture in truths:
        drawing = as_line_art(picture, style)
        hints = simulate_hints(picture, hint_count, rng) if hint_count else Hints.none()
        out = colorizer.still(drawing, LineArtGuide(hints, fill=fill) if hint_count else None)
        errors.append(metrics.ciede2000(rgb2lab(out / 255.0)[None], rgb2lab(picture / 255.0)[None])[0])
    return float(np.mean(errors))


table = {}
for style in ("xdog", "unseen"):
    white_fill = float(np.mean([metrics.ciede2000(rgb2lab(as_line_art(p, style) / 255.0)[None],
                                                  rgb2lab(p / 255.0)[None])[0] for p in truths]))
    table[style] = {"white fill": white_fill, "automatic": score(style, 0, "regions"),
                    "10 hints, propagated": score(style, 10, "propagate"),
                    "10 hints, regions": score(style, 10, "regions")}
print(f"{'CIEDE2000 (lower is better)':28s}" + "".join(f"{s:>12s}" for s in table))
for name in table["xdog"]:
    print(f"{name:28s}" + "".join(f"{table[s][name]:12.2f}" for s in table))
for style, row in table.items():
    best = min(("10 hints, propagated", "10 hints, regions"), key=row.get)
    print(f"{style}: best with hints is '{best}', at {row[best] / row['white fill']:.0%} of the white fill's error")

# %% [markdown]
# The colorfulness of the automatic colors tells whether the model paints or leaves the page
# nearly white (1 would be as colorful as the truth):

# %%
auto = np.stack([colorizer.still(as_line_art(p, "xdog")) for p in truths]) / 255.0
ratio = float(np.mean(colorfulness(auto)) / np.mean(colorfulness(np.stack(truths) / 255.0)))
print(f"automatic colors on line art: colorfulness {ratio:.2f} of the truth's")

# %% [markdown]
# ## A clip from one colored keyframe, region by region
#
# Anime is finished this way: an artist colors one frame of a shot, and every closed region of
# every other frame is filled with one flat color, the one its region had in the colored frame
# ("paint-bucket" colorization; BasicPBC, Dai et al. 2024, learns the matching). colorgan matches
# without learning: each frame's regions are closed by its lines (a small ball eroding the paper
# closes small gaps, as trapped-ball filling does), every pixel of a region follows the optical
# flow into the colored frame, and the region takes the color of the region most of its pixels
# land in. A region that lands nowhere with a clear majority is filled with the network's color
# there, and reported:

# %%
show_source(match)

# %% [markdown]
# A test clip with known motion: a held-out character's region keys give every part one flat
# color, the outlines and the borders between parts are the lines, and a window pans over it,
# so the truth of every frame is known. BasicPBC's scores: the share of regions (of at least
# 10 pixels) whose most common color is the true one, the share of pixels with the true color
# (background left out), and CIEDE2000 off the lines. Side by side, pasting the keyframe's
# colors unmoved, and pasting them along the clip's true motion, which is all the keyframe can
# tell (the pan shows what frame 0 never did):

# %%
name = heldout_characters()[0]
clip = flat_clip(name, *from_keys(name), frames=12)
key = Painted.keyframe(full_resolution(clip.frames[0][None])[0][0, ..., 0].numpy(), clip.truth[0])
guide = PaintBucketGuide({0: key})
bucket = list(PaintingColorizer.of(colorizer).frames(clip.frames, guide))
methods = {"paint bucket": bucket,
           "keyframe unmoved": [np.where(clip.lines[t][..., None], clip.frames[t], clip.truth[0]) for t in range(12)],
           "true-motion paste": [clip.true_paste(0, t) for t in range(12)]}
scores = {m: [paintbucket_scores(out[t], clip.truth[t], clip.lines[t]) for t in range(1, 12)] for m, out in methods.items()}
print(f"{name}, 11 frames after the keyframe   region acc   pixel acc   CIEDE2000")
for m, rows in scores.items():
    mean = {k: np.mean([r[k] for r in rows]) for k in rows[0]}
    print(f"{m:36s}{mean['region_accuracy']:>10.1%}{mean['pixel_accuracy']:>12.1%}{mean['ciede2000']:>12.2f}")
ratio = np.mean([r["region_accuracy"] for r in scores["paint bucket"]]) / np.mean(
    [r["region_accuracy"] for r in scores["true-motion paste"]])
print(f"the paint bucket gets {ratio:.2f}x the regions right that the true-motion paste does")

# %% [markdown]
# The last frame: the drawing, its fill, the regions no keyframe region vouched for (white: the
# network filled them, and `colorize` writes this mask beside the clip as `<name>.unmatched.gif`),
# and the truth:

# %%
last = len(clip.frames) - 1
mask = np.repeat(guide.unmatched_mask(last, clip.lines[last].shape)[..., None] * np.uint8(255), 3, -1)
show_images([clip.frames[last], bucket[last], mask, clip.truth[last]],
            ["line art", "from keyframe 0", "unmatched", "truth"], width=3)
plt.show()

# %% [markdown]
# ## Line art or a gray picture? `--kind auto`
#
# A drawing is mostly paper, with few mid-grays and hardly any color; a gray render has
# broad areas of mid-gray. `colorize --kind auto` looks at exactly that, and says what it
# found, so you can overrule it with `--kind gray` or `--kind lineart`:

# %%
show_source(lines.looks_like_line_art)

# %%
gray_render = np.repeat(np.round((l_norm[0, ..., 0].numpy() + 1) * 127.5).astype(np.uint8)[..., None], 3, -1)
for name, picture in {"XDoG line art": drawing, "unseen line art": lines.unseen_line_art(truth),
                      "gray render": gray_render, "color picture": truth}.items():
    kind, why = choose_kind(picture, "auto")
    print(f"{name:16s} -> {kind:8s} ({why})")

# %% [markdown]
# ## Place hints yourself
#
# The hint widget of notebook 09 takes the line-art guide: click on the drawing to drop the
# chosen color, and the region it falls in fills. (In a live notebook; a static page shows
# the widget's first state.)

# %%
from IPython.display import display  # noqa: E402

from colorhelpers.hints.widget import HintWidget  # noqa: E402

widget = HintWidget(generator, config.image_size, drawing / 255.0, guide=LineArtGuide)
widget.add(truth.shape[1] // 2, truth.shape[0] // 4, "#7a4a2a")
display(widget.view)

# %% [markdown]
# From the command line, the same:
#
# ```
# python -m colorhelpers colorize --input drawing.png --kind lineart --hints hints.json --output out/
# ```

# %%
print(elapsed())

# %% [markdown]
# ## Summary
#
# * Keeping the input's lightness is right for gray renders and wrong for line art: at the
#   paper's lightness sRGB holds no color, so the line-art model predicts L, a and b.
# * Training pairs come from the color pictures themselves, lines drawn in five styles so that
#   the model learns drawings, not one extractor; it is scored on a style it never saw too.
# * On the road the shown lightness is the smaller of the prediction and the drawing's: the
#   lines stay as drawn.
# * A drawing larger than the model shrinks keeping its ink, so the network sees lines as dark
#   as those it learned from; the lines printed in that section say what that changes here,
#   with hints and without.
# * Hints fill the regions the lines close, flat; the table above says how that compares with
#   propagating them as on a gray picture.
# * A line-art clip follows one colored keyframe region by region, along the optical flow;
#   what the keyframe never showed is the network's, and is shown as a mask.
#
# ## Exercises
#
# 1. Train with `LINE_STYLES` cut to XDoG alone (a copy of `training_pairs` with one style)
#    and score both line-art styles again: how much of the unseen style's score was the mix?
# 2. Change `gap` in `LineArtGuide` to 0 and to 2 on a drawing with broken strokes: where do
#    colors leak, and where do small regions disappear?
# 3. Let a hinted region keep some of the network's shading (`shading=0.5`, `1`): which scores
#    move, on which line style, and how do the pictures look?

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
# # 12 · Manga pages and palettes: one character, the same colors everywhere
#
# **What you will learn**
#
# * why a page colored as one picture loses its faces, and how finding the panels (gutters
#   and borders, with OpenCV) lets each panel reach the network at its working resolution;
# * what a printed screentone does to a colorizer that keeps the input's lightness, and
#   descreening: finding the dot screen in the Fourier spectrum, averaging it into gray tones;
# * a palette book: a character's regions and colors kept in a small JSON file, applied to
#   any input as the reference guide is, and several palettes on one page;
# * consistency: the same drawing at two zooms on one page, measured at the same pixels, and
#   finding a repeated drawing (ORB keypoints, RANSAC, ECC alignment) to color it alike.
#
# **Part taught:** `colorhelpers.pages` (`panels`, `screentone`, `repeats`, `page`, `testpages`) and
# `colorhelpers.hints.palette`, on the one road (`colorhelpers.colorize.road`).
#
# **Run time:** measured, not typed in: the last cell prints how long this notebook took.
# It colors with the model shipped with the package (what `colorize` uses), so it trains nothing.

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator, draws
# figures as PNG and returns the settings.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

# %% [markdown]
# The shipped gray model colors every page here, as `colorize --kind manga` does.

# %%
import json
import time

import cv2
import matplotlib.pyplot as plt
import numpy as np
from skimage.color import rgb2lab

from colorhelpers.data import find_images
from colorhelpers.hints import HintGuide
from colorhelpers.hints.palette import merged, palette_from_picture, swatch_picture
from colorhelpers.hints.reference import regions, shifted_mirror
from colorhelpers.lineart import Models, choose_kind
from colorhelpers.pages import colorize_page, descreen, find_panels, find_screen
from colorhelpers.pages.page import page_gray
from colorhelpers.pages.repeats import find_repeat, find_repeats, shared_weight
from colorhelpers.pages.testpages import build_page, consistency, gray_page, page_scores, screentone
from colorhelpers.scoring import show_images

colorizer, epoch, run_root = Models().get("manga")
print(f"epoch {epoch} of {run_root.name}, {colorizer.size} px")

# %% [markdown]
# ## A test page whose colors are known
#
# Two held-out characters (never trained on) make a 1200x1800 page of three bordered panels:
# the first character whole (A), its face larger (B: the same source pixels at another zoom),
# the second with a speech balloon (C). The gray answer (the truth's lightness, no color) is
# what every score is compared with; the screened page prints it as black dots, as a
# printed manga does.

# %%
heldout = find_images(settings.heldout_dir)
first = next(p for p in heldout if p.stem.endswith("_00"))
second = next(p for p in heldout if p.stem.endswith("_00") and p != first)
rgb = {p: cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB) for p in (first, second)}
page = build_page(rgb[first], rgb[second])
gray = gray_page(page.truth)
toned = screentone(gray)
show_images([page.truth, gray, toned], ["truth", "gray page", "screened page"], width=4)
plt.show()

# %% [markdown]
# ## Panels
#
# Everything darker than paper is ink; each outer outline of ink whose box covers at least
# 2 % of the page is a panel, and boxes inside another (the balloon) belong to it:

# %%
show_source(find_panels)

# %%
panels = find_panels(page_gray(gray))
boxes = gray.copy()
for panel in panels:
    cv2.rectangle(boxes, (panel.left, panel.top), (panel.right, panel.bottom), (220, 40, 40), 12)
print(f"{len(panels)} panels:", [(p.left, p.top, p.right, p.bottom) for p in panels])
show_images([boxes], ["panels found"], width=4)
plt.show()

# %% [markdown]
# ## Screentone
#
# Pure black and pure white hold no color (CIELab's gamut closes at both ends), so the road,
# which keeps the input's lightness, can only leave the dots black and white. A regular
# screen is a bright spot in the page's Fourier spectrum, away from the middle: its height
# above its neighbourhood says whether the page is screened, and where it is gives the period.

# %%
for name, picture in (("gray page", gray), ("screened page", toned)):
    strength, period = find_screen(page_gray(picture))
    print(f"{name}: spot {strength:.1f} above its neighbourhood, period {period:.1f} px")

# %% [markdown]
# Three ways to turn the dots back into tones, scored by PSNR against the digital gray inside
# the panels: a median filter, and Gaussian low-passes of a third and a half of the period,
# and how many flat regions (what a palette is matched on) panel A keeps at the working grid.

# %%
truth_gray, toned_gray = page_gray(gray), page_gray(toned)
period = find_screen(toned_gray)[1]
ways = {"digital gray": truth_gray, "dots as they are": toned_gray, "median 5 px": cv2.medianBlur(toned_gray, 5),
        "Gaussian, period/3": cv2.GaussianBlur(toned_gray, (0, 0), period / 3),
        "Gaussian, period/2": descreen(toned_gray, period)}
panel_a = panels[-1] if len(panels) == 1 else min(panels, key=lambda p: (p.top, p.left))
for name, way in ways.items():
    psnr = 10 * np.log10(255 ** 2 / max(np.mean((way[page.inside].astype(float) - truth_gray[page.inside]) ** 2), 1e-9))
    crop = way[panel_a.slices()]
    grid = cv2.resize(crop, (round(crop.shape[1] * 128 / min(crop.shape)), round(crop.shape[0] * 128 / min(crop.shape))),
                      interpolation=cv2.INTER_AREA)
    count = regions(rgb2lab(np.repeat(grid[..., None], 3, -1))[..., 0])[1]
    print(f"{name:20s} {psnr:5.1f} dB, {count:3d} flat regions in panel A")

# %% [markdown]
# A close look at the face in panel B, before and after (the Gaussian of half the period is
# what `descreen` does: it keeps the flat regions):

# %%
crop = (slice(800, 1100), slice(100, 400))
show_images([gray[crop], toned[crop], np.repeat(descreen(toned_gray, period)[crop][..., None], 3, -1)],
            ["digital gray", "screened", "descreened"], width=3)
plt.show()

# %% [markdown]
# ## Whole page or panel by panel
#
# Colored as one picture, the page reaches the network at 128 px on its short side: a face
# is a few dozen pixels. Panel by panel, each panel gets the network's working resolution,
# and the gutters stay as they were. Scores are on the panels' insides: CIEDE2000 and the
# chroma error (the output's colors on the truth's lightness, fair to the screened page) as
# shares of the gray answer's, the colorfulness as a share of the truth's, and consistency
# (CIEDE2000 between panels A and B at the same source pixels) beside the truth's own.
# "panels alone" colors each panel on its own; "panels" (what `--kind manga` does) also colors
# a drawing that repeats on the page alike, as the next section shows.

# %%
answer = page_scores(gray, page)
own = consistency(page.truth, page)
palettes = [palette_from_picture(shifted_mirror(rgb[p]), p.stem.rsplit("_", 1)[0]) for p in (first, second)]
outputs, rows = {}, []
for version, picture in (("gray", gray), ("screened", toned)):
    outputs[version, "whole"] = colorizer.still(picture)
    outputs[version, "panels alone"] = colorize_page(colorizer, picture, copy_repeats=False).rgb
    outputs[version, "panels"] = colorize_page(colorizer, picture).rgb
    outputs[version, "palettes"] = colorize_page(colorizer, picture, lambda h: HintGuide(palette=merged(palettes))).rgb
for (version, method), out in outputs.items():
    s = page_scores(out, page)
    rows.append((version, method, s["ciede2000"] / answer["ciede2000"], s["chroma"] / answer["chroma"],
                 s["colorfulness"], s["consistency"]))
print(f"{'page':9s} {'colored':12s} {'CIEDE2000':>10s} {'chroma':>7s} {'colorful':>9s} {'consistency':>12s}")
for row in rows:
    print(f"{row[0]:9s} {row[1]:12s} {row[2]:10.2f} {row[3]:7.2f} {row[4]:9.2f} {row[5]:12.2f}")
print(f"the truth's own consistency (resampling alone): {own:.2f}")

# %%
show_images([outputs["gray", "whole"], outputs["gray", "panels"], outputs["screened", "panels"]],
            ["gray page, whole", "gray page, panel by panel", "screened page, panel by panel"], width=4)
plt.show()

# %% [markdown]
# ## A drawing repeated
#
# Panel B repeats part of panel A, larger. Colored on their own, the two copies reach the
# network at different scales and come out in different colors. ORB keypoints (corners
# described so that they match at another scale and turn) are matched between two panels,
# and one similarity transform (shift, turn, zoom) is fitted through them with RANSAC; two
# different drawings leave too few keypoints agreeing with any one transform:

# %%
show_source(find_repeat)

# %% [markdown]
# The panel showing the drawing larger gives its colors (more of its detail reached the
# network); ECC image alignment then brings the keypoints' fit from about a third of a
# pixel to a few hundredths, and the copied colors fade in over a few pixels where the
# panels stop agreeing. Points of the copy also go to the panel as hints (notebook 09), so
# the copied colors carry on through the regions they reach (the top of the hair above a
# copied face) rather than meeting the panel's own colors in the middle of one:

# %%
grays = [page_gray(gray)[p.slices()] for p in panels]
for target, repeat in find_repeats(grays).items():
    weight = shared_weight(grays[target], grays[repeat.source], repeat.matrix)
    print(f"panel {target + 1} repeats panel {repeat.source + 1}, drawn {repeat.zoom:.2f}x larger there; "
          f"they agree on {np.mean(weight == 1):.0%} of panel {target + 1}")
for version in ("gray", "screened"):
    alone, copied = (next(r[5] for r in rows if r[:2] == (version, m)) for m in ("panels alone", "panels"))
    print(f"{version} page: consistency {alone:.2f} alone, {copied:.2f} copied ({alone / copied:.0f}x closer); "
          f"the truth's own {own:.2f}")

# %% [markdown]
# The road keeps each panel's own lightness. On the screened page that is the descreened
# gray, each panel's dots averaged at its own scale; the descreened page without any color
# shows how far apart the two copies are in lightness alone:

# %%
descreened = np.repeat(descreen(toned_gray, period)[..., None], 3, -1)
print(f"consistency of the descreened gray page, no color: {consistency(descreened, page):.2f}")

# %% [markdown]
# Panel A's face, each panel alone and copied, beside panel B:

# %%
(left, top), (right, bottom) = page.map_a.min(0).astype(int), page.map_a.max(0).astype(int)
face = (slice(top, bottom), slice(left, right))
panel_b = min(panels, key=lambda p: (-p.top, p.left))
show_images([outputs["gray", "panels alone"][face], outputs["gray", "panels"][face],
             outputs["gray", "panels"][panel_b.slices()]],
            ["panel A alone", "panel A copied", "panel B"], width=3)
plt.show()

# %% [markdown]
# ## The palette book
#
# A palette is what a reference picture gives the region matching of notebook 09, written
# down once: each flat region's gray, size and place (which find it in another picture), and
# its color, with a guessed name for the reader. Here each character's palette comes from
# its picture mirrored and moved (another framing, not aligned with the page). `python -m
# colorhelpers palette --from ref.png --name NAME` writes the same as `palettes/NAME.json`
# and a swatch `palettes/NAME.png`.

# %%
print(json.dumps(json.loads(palettes[0].to_json())["regions"][:3], indent=1))
show_images([swatch_picture(p) for p in palettes], [p.name for p in palettes], width=3)
plt.show()

# %% [markdown]
# With both palettes guiding the whole page (`colorize --palette A --palette B`), each region
# of each panel takes the best-fitting region of either palette, as it would a reference's:

# %%
show_images([outputs["gray", "palettes"], outputs["screened", "palettes"], page.truth],
            ["gray page, palettes", "screened page, palettes", "truth"], width=4)
best = {v: min((r for r in rows if r[0] == v), key=lambda r: r[2]) for v in ("gray", "screened")}
for version, row in best.items():
    print(f"{version} page: closest to the truth colored {row[1]!r}, CIEDE2000 {row[2]:.0%} of the gray answer's")

# %% [markdown]
# ## What `--kind auto` decides
#
# `colorize --kind auto` tells line art (by its histogram, notebook 11) from pages (several
# panels or a dot screen) and from single pictures, and says why:

# %%
for name, picture in (("gray page", gray), ("screened page", toned), ("one character", rgb[first])):
    kind, why = choose_kind(picture, "auto", pages=True)
    print(f"{name}: {kind} ({why})")

# %% [markdown]
# And the time for one 1200x1800 page on this machine, automatic and with palettes:

# %%
for label, guide in (("automatic", None), ("palettes", lambda h: HintGuide(palette=merged(palettes)))):
    start = time.perf_counter()
    colorize_page(colorizer, toned, guide)
    print(f"screened page, {label}: {time.perf_counter() - start:.1f} s")

# %% [markdown]
# ## Summary
#
# * A page colored whole gives each face a few dozen of the network's pixels; panel by
#   panel, each panel is colored at the model's working resolution and the gutters, lines
#   and lettering keep their gray (the table above).
# * A dot screen is one bright spot in the spectrum; a Gaussian of half its period turns the
#   dots into tones the network can color, and keeps the flat regions palettes are matched on.
# * A drawing repeated on a page (a zoom, a panel drawn again) is found by its keypoints and
#   colored alike; different poses are not repeats, and a palette is what keeps them alike.
# * A palette keeps a character's colors as a file to read and edit; on a page with several
#   characters, each region takes the best-fitting palette.
#
# ## Exercises
#
# 1. Keep the dots: join the colors of the descreened page with the screened page's own
#    lightness. What happens to the chroma error, and why (think of the gamut at L = 0 and 100)?
# 2. Edit a palette's hair color in its JSON and color the page again. Which panels follow?
# 3. Print the page at another screen angle (`screentone(gray, angle=15)`) and period: does
#    `find_screen` still find it?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

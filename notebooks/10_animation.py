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
# # 10 · Animation: GIFs and video clips, colored steadily
#
# **What you will learn**
#
# * why coloring the frames of a clip one by one flickers, measured on clips whose motion
#   and true colors are known;
# * optical flow on the gray frames (OpenCV's DIS), a reliability check (forward-backward
#   consistency, new content at the edges, lightness that changed), and blending the
#   previous colors carried along the flow with the network's new guess;
# * how much to carry, chosen by measurement; a reference image or hints that color a whole clip;
# * reading and writing GIFs and videos a frame at a time, and what happens to a broken one.
#
# **Part taught:** `colorhelpers.clips` (`motion`, `flow`), with clips on the road
# (`colorhelpers.colorize.media`, `road`), shown with `show_source` where they are taught.
#
# **Run time:** measured, not typed in: the last cell prints how long this notebook took, on
# how many CPU cores and GPUs (much of the work is the flow, the scores and the files, which
# a GPU does not speed up). Needs the run of notebook 04 (the same data and recipe;
# `settings.run_dir` finds it by both).

# %% [markdown]
# Set-up: one call quiets TensorFlow's start-up log, seeds every random generator, draws
# figures as PNG and returns the settings.

# %%
from colorhelpers.tutorial import elapsed, notebook_setup, show_source

settings = notebook_setup()

# %% [markdown]
# Everything below colors with the generator of notebook 04's run. (The test fixture
# trains its own tiny run here when there is none yet.)

# %%
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from PIL import Image

from colorhelpers.clips import flow, motion
from colorhelpers.colorize import Colorizer, WorkingGrid, colorize_path, colorize_rgb, media, road
from colorhelpers.data import find_images
from colorhelpers.evaluation import load_generator, open_run
from colorhelpers.hints import HintGuide
from colorhelpers.scoring import show_images

if settings.fixture and not settings.run_dir.exists():
    from colorhelpers.training import train

    train(settings.train_paths(), find_images(settings.heldout_dir), settings.run_dir,
          settings.config, verbose=0)
run = open_run(settings.run_dir)
generator, epoch = load_generator(run)
size = run.read_config().image_size
colorizer = Colorizer(generator, size)  # the road every still and clip takes
heldout_paths, train_paths = find_images(settings.heldout_dir), settings.train_paths()
print(f"epoch {epoch} of {run.root.name}, {size} px")

# %% [markdown]
# ## A clip whose truth is known
#
# Real clips come without their true colors, so we make clips from color pictures: a
# camera window pans over a held-out picture and zooms in by 2 % a frame, and half-way
# the middle of the picture changes (another picture's pixels there, like a character whose
# expression changes). The window of every frame is known, so for every pixel we know where
# it was in the frame before:

# %%
show_source(motion.MovingClip.previous_position)

# %% [markdown]
# The clip (24 frames, 128 px square; smaller in the test fixture), a few of its frames:

# %%
side, count = (128, 24) if not settings.fixture else (48, 10)


def picture(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def zoom_clip(path: Path, other: Path) -> motion.MovingClip:
    return motion.moving_clip(picture(path), count, side, side, pan=(0.7, 1.3), zoom=0.98, change=picture(other))


clip = zoom_clip(heldout_paths[1], heldout_paths[2])
shown = [0, count // 2 - 1, count // 2, count - 1]
show_images([clip.truth[t] for t in shown], [f"truth, frame {t}" for t in shown])
plt.show()

# %% [markdown]
# ## Per-frame coloring flickers
#
# Color each frame on its own, as `colorize` does with a still. Two scores: CIEDE2000
# against the truth (how right), and the **warping error**, the mean ab distance between
# consecutive frames after undoing the known motion (how steady; Lai et al. 2018). The
# truth's own warping error is not quite 0 here only because zooming resamples the pixels:

# %%
show_source(motion.warping_error)

# %%
per_frame = [colorize_rgb(generator, f / 255.0, size) for f in clip.gray]
scores = {"truth": (motion.warping_error(clip.truth, clip), 0.0),
          "gray": (motion.warping_error(clip.gray, clip), motion.mean_ciede2000(clip.gray, clip.truth)),
          "per-frame": (motion.warping_error(per_frame, clip), motion.mean_ciede2000(per_frame, clip.truth))}
for name, (warp, de) in scores.items():
    print(f"{name:10s} warping error {warp:5.2f}   CIEDE2000 {de:5.2f}")
print(f"per-frame colors move {scores['per-frame'][0]:.2f} ab units from one frame to the next, "
      f"{scores['per-frame'][0] / max(scores['truth'][0], 1e-6):.1f}x the truth's resampling noise")

# %% [markdown]
# One point of the picture, followed through the clip: its `a` (green-red) as the truth
# has it, and as each frame's coloring painted it. The truth's own line is not flat: the
# zoom resamples the picture every frame, which moves a small region's color a little. How
# far each line moves before the change, printed under the plot, says whether per-frame
# coloring wanders more than that.

# %%
from skimage.color import rgb2lab  # noqa: E402  (only for this plot)


def follow(frames: list[np.ndarray], x: float, y: float) -> list[float]:
    """a of the source point that sits at (x, y) in frame 0, in every frame (known motion)."""
    out = []
    for t, frame in enumerate(frames):
        sx, sy = clip.centers[0] + (np.array([x, y]) - (side - 1) / 2)
        fx, fy = (np.array([sx, sy]) - clip.centers[t]) / clip.scales[t] + (side - 1) / 2
        out.append(float(rgb2lab(frame / 255.0)[int(round(fy)), int(round(fx)), 1]))
    return out


point = (side * 0.45, side * 0.6)
followed = {name: follow(frames, *point) for name, frames in {"truth": clip.truth, "per-frame": per_frame}.items()}
for name, values in followed.items():
    plt.plot(values, label=name)
plt.xlabel("frame")
plt.ylabel("a at one point of the picture")
plt.legend()
plt.show()
for name, values in followed.items():
    before = values[: count // 2]
    print(f"{name:10s} a moves by {np.ptp(before):5.2f} over the frames before the change"
          f" (from {min(before):.1f} to {max(before):.1f})")

# %% [markdown]
# ## Step 1: flow on the gray frames
#
# The motion is not known in a real clip, but the gray frames show it: OpenCV's DIS optical
# flow (Kroeger et al. 2016) says, for every pixel of a frame, where it was in the frame
# before. Computed both ways, the flow is trusted where going back and then forth returns
# to the same pixel (Sundaram et al. 2010) or where it comes from a flat neighbourhood (a
# guessed flow inside a flat area carries the same color), where it comes from inside the
# earlier frame, and where its lightness lies within that of the 3x3 neighbourhood it came
# from: a changed face does not, a sharp line resampled half a pixel off does.

# %%
show_source(flow.FlowTracker.track)

# %% [markdown]
# The reliability at the change (frame `count // 2`): dark where the picture changed and at
# the edges the zoom has not shown before; everything else may carry its colors forward.

# %%
import cv2  # noqa: E402

gray = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in clip.gray]
reliability = {t: flow.FlowTracker().track(gray[t - 1], gray[t])[2] for t in (1, count // 2)}
show_images([clip.gray[count // 2], reliability[1], reliability[count // 2]],
            [f"gray, frame {count // 2}", "reliability, frame 1", f"reliability, frame {count // 2}"])
plt.show()
print(f"trusted share: {reliability[1].mean():.0%} at frame 1, {reliability[count // 2].mean():.0%} at the change")

# %% [markdown]
# ## Step 2: blend the carried colors with the new guess
#
# Each frame's output is the previous output warped along the flow, mixed with the
# network's prediction for this frame: `carry` x reliability of the past, the rest new.
# Where the flow is not trusted, the new prediction is all there is:

# %%
show_source(flow.Steadier.step)

# %% [markdown]
# On colorgan's one road for colorizing (`colorhelpers.colorize`), a clip is a stream of
# frames: the network runs on batches of them (faster per frame than one at a time), and a
# *guide* turns each frame's predicted colors into the colors shown, on the same working
# grid the network predicts on. `SteadyGuide` is the guide of a clip:

# %%
show_source(flow.SteadyGuide.__call__)

# %% [markdown]
# and the road joins the guided colors with each frame's own full-resolution L:

# %%
show_source(road.Colorizer.frames)

# %%
steady = list(colorizer.frames(clip.gray, flow.SteadyGuide()))
scores["clip"] = (motion.warping_error(steady, clip), motion.mean_ciede2000(steady, clip.truth))
for name in ("per-frame", "clip"):
    print(f"{name:10s} warping error {scores[name][0]:5.2f}   CIEDE2000 {scores[name][1]:5.2f}")
print(f"clip coloring: warping error {scores['clip'][0] / scores['per-frame'][0]:.0%} of per-frame coloring's,"
      f" CIEDE2000 {scores['clip'][1] / scores['per-frame'][1] - 1:+.1%} against it")

# %% [markdown]
# The point followed above, now with clip coloring: steadier, and still the network's colors.

# %%
for name, frames in {"truth": clip.truth, "per-frame": per_frame, "clip": steady}.items():
    plt.plot(follow(frames, *point), label=name)
plt.xlabel("frame")
plt.ylabel("a at one point of the picture")
plt.legend()
plt.show()

# %% [markdown]
# ## How much to carry: measured
#
# `carry` trades steadiness for fresh guesses: 0 is per-frame coloring, 1 keeps colors
# wherever the flow holds, even wrong ones. `python -m bench.clips` chose it on clips made
# from 12 *training* cartoons of `data/cartoons` (pan-only clips, and zoom clips like the
# one above), never on
# held-out pictures. A small version of that sweep, on this notebook's training pictures:

# %%
sweep_paths = train_paths[::3][: 6 if not settings.fixture else 2]
carries = [0.0, 0.8, 0.9, 0.95, 1.0]
sweep = {c: [] for c in carries}
for i, path in enumerate(sweep_paths):
    for kind in ("pan", "zoom"):
        c = (motion.moving_clip(picture(path), count, side, side * 3 // 4) if kind == "pan"
             else zoom_clip(path, sweep_paths[(i + 1) % len(sweep_paths)]))
        h, w = c.gray[0].shape[:2]
        for carry in carries:
            out = list(colorizer.frames(c.gray, flow.SteadyGuide(carry=carry)))
            sweep[carry].append((kind, motion.warping_error(out, c), motion.mean_ciede2000(out, c.truth)))


def mean_score(carry: float, kind: str) -> np.ndarray:
    return np.mean([s[1:] for s in sweep[carry] if s[0] == kind], axis=0)


print("carry   pan: warp  CIEDE2000   zoom: warp  CIEDE2000")
for carry in carries:
    (pw, pd), (zw, zd) = mean_score(carry, "pan"), mean_score(carry, "zoom")
    print(f"{carry:5.2f}   {pw:9.2f} {pd:10.2f}   {zw:10.2f} {zd:10.2f}")

# %% [markdown]
# The rule: the largest carry whose CIEDE2000 stays within half the allowed 5 % of per-frame
# coloring's on both kinds of clip. On the bench's 12 training cartoons that is 0.9, the
# default; on a handful of other pictures, as here, it can come out one step either side:

# %%
base = {kind: mean_score(0.0, kind)[1] for kind in ("pan", "zoom")}
fine = [c for c in carries if all(mean_score(c, k)[1] <= 1.025 * base[k] for k in base)]
print(f"carry within the rule on these clips: {fine}; largest: {max(fine)}; default: {flow.CARRY}")

# %% [markdown]
# ## A reference colors the whole clip
#
# With hints or a reference (here the clip's first frame in color), the first frame is colored as notebook 09 colors a still, and those colors are then
# carried with `carry` 1: kept wherever the flow holds. What the flow cannot carry (new
# content at the edges, the changed middle) is filled by spreading the carried colors
# edge-aware, with the network's colors as the prior:

# %%
show_source(flow.spread_carried)

# %%
guided = list(colorizer.frames(clip.gray, flow.SteadyGuide(first=HintGuide(reference_rgb=clip.truth[0]))))
scores["reference"] = (motion.warping_error(guided, clip), motion.mean_ciede2000(guided, clip.truth))
pan_clip = motion.moving_clip(picture(heldout_paths[1]), count, side, side * 3 // 4)
pan_guided = list(colorizer.frames(pan_clip.gray, flow.SteadyGuide(first=HintGuide(reference_rgb=pan_clip.truth[0]))))
pan_gray = motion.mean_ciede2000(pan_clip.gray, pan_clip.truth)
for name, (warp, de, gray_de) in {
        "zoom + change": (*scores["reference"], scores["gray"][1]),
        "pan": (motion.warping_error(pan_guided, pan_clip), motion.mean_ciede2000(pan_guided, pan_clip.truth),
                pan_gray)}.items():
    print(f"{name:14s} with the reference: warping error {warp:.2f}, CIEDE2000 {de:.2f} "
          f"= {de / gray_de:.0%} of the gray answer's")

# %% [markdown]
# ## Keyframes: color one frame by hand, and the shot follows
#
# A reference is a loose global hint: its colors are matched to the frame by region, so even
# the frame it was made from comes out only roughly right. And wherever the flow's reliability
# is below 1, each step above mixes the network's guess back in: carried colors drift toward
# it, frame after frame. The way animation is colored in practice is the opposite: a
# *keyframe* is reproduced (its colors on the clip's own lightness), and its colors are
# carried forward *and* backward to the neighbouring keyframes, *anchored*: a pixel keeps the
# color the flow brought it, never re-blended. What the flow cannot vouch for is a
# confidence, the product of every step's reliability since the keyframe. Where it is low,
# the trusted colors around are spread edge-aware into it (the network's colors pull only
# weakly); matching the keyframe's regions there, as a reference does, measured further from
# the truth (`bench/keyframes.py`), so only a frame where nothing is trusted any more takes
# the keyframe's matched regions, and a shot without a keyframe the network's colors. Each pair of
# frames gets its flow once (the backward pass takes the forward pass's pair, swapped), and
# only while something trusted is being carried; the decisions, mostly sparse solves, run
# on two threads:

# %%
from colorhelpers.clips import keyframes  # noqa: E402

show_source(keyframes.KeyframeColorizer._decide)

# %% [markdown]
# The same zoom clip, colored four ways through the files, as the command line does: the
# automatic clip colors, the first frame as a reference, the first frame as a keyframe, and
# the first and last frames as keyframes. CIEDE2000 against the truth, frame by frame:

# %%
key_work = Path(tempfile.mkdtemp(prefix="colorgan-keyframes-"))
key_gif = key_work / "zoom.gif"
Image.fromarray(clip.gray[0]).save(key_gif, save_all=True, append_images=[Image.fromarray(f) for f in clip.gray[1:]],
                                   duration=120, loop=0)
key_info = media.probe(key_gif)
grid = WorkingGrid.of(key_info.height, key_info.width, size).shape


def keyed(frames: tuple[int, ...]) -> list[np.ndarray]:
    anchors = {f: keyframes.keyframe_anchor(f, clip.truth[f], grid) for f in frames}
    out = keyframes.KeyframeColorizer(colorizer, anchors).colorize(key_info, key_work / f"{len(frames)}.gif")
    return [f for f, _ in media.read_frames(media.probe(out))]


versions = {"gray": clip.gray, "automatic": steady, "reference": guided,
            "one keyframe": keyed((0,)), "two keyframes": keyed((0, count - 1))}
per_frame_de = {name: [motion.mean_ciede2000([f], [t]) for f, t in zip(frames, clip.truth)]
                for name, frames in versions.items()}
for name, values in per_frame_de.items():
    plt.plot(values, label=name, linestyle="--" if name == "gray" else "-")
plt.xlabel("frame")
plt.ylabel("CIEDE2000 against the truth")
plt.legend()
plt.show()
gray_mean = np.mean(per_frame_de["gray"])
for name in ("reference", "one keyframe", "two keyframes"):
    values = per_frame_de[name]
    print(f"{name:14s} frame 0 {values[0]:5.2f}, mean {np.mean(values):5.2f} ({np.mean(values) / gray_mean:.0%} of "
          f"gray's), last frame {values[-1]:5.2f} ({values[-1] / per_frame_de['gray'][-1]:.0%})")

# %% [markdown]
# The reference starts rough and drifts; a keyframe starts at its own colors, and stays
# close where the flow holds. Where it does not (the zoom's new edges, the changed middle), the
# carried colors around are spread in: right where the new content continues what was there,
# a guess where it is another picture, which is why the error still grows toward the end; a
# second keyframe at the end carries its colors backward over that stretch.

# %% [markdown]
# ## Before and after, frame by frame
#
# Move the slider: gray input, per-frame coloring, clip coloring, with the reference, with a
# keyframe, truth.
# (The slider swaps the picture of an image widget rather than redrawing a figure through
# `interact`, as notebook 05 does: swapping one picture is cheaper for a clip of many frames.)

# %%
browser = motion.FrameBrowser({"gray": clip.gray, "per-frame": per_frame, "clip": steady, "reference": guided,
                               "keyframe": versions["one keyframe"], "truth": clip.truth})
display(browser.widget(frame=count // 2))

# %% [markdown]
# ## Files: GIFs and videos, a frame at a time
#
# `python -m colorhelpers colorize --input clip.gif --output out/` writes `out/clip.gif`
# (MP4, AVI, WebM the same way, via OpenCV) with the same frames, size and timing.
# Frames are read, colored and written as they come, a batch at a time. A GIF frame has at
# most 256 colors, on a palette stored with the frame: the writer puts each frame on the
# previous frame's palette while that fits it (a mean error of at most
# `media.PALETTE_ERROR` levels), and makes a new one when it does not, or when the frame has
# 256 colors or fewer (a gray frame), which then come back exactly. Steady colors thus stay
# on one palette, which flickers less than a new palette every frame. The output stays under
# a temporary name until it is complete:

# %%
show_source(road.colorize_path, start="info = probe(path)")

# %% [markdown]
# The clip as a GIF, colored through the files as the command line does it; shown inline
# at half size and every other frame, to keep this page small:

# %%
from IPython.display import Image as ShowGif  # noqa: E402

work = Path(tempfile.mkdtemp(prefix="colorgan-clips-"))
gif = work / "zoom.gif"
Image.fromarray(clip.gray[0]).save(gif, save_all=True, append_images=[Image.fromarray(f) for f in clip.gray[1:]],
                                   duration=120, loop=0)
out = colorize_path(colorizer, gif, work / "colored", flow.SteadyGuide())
info = media.probe(out)
print(f"{out.name}: {info.frames} frames, {info.width}x{info.height}, {out.stat().st_size / 1000:.0f} KB")
small = [Image.fromarray(f).resize((side // 2, side // 2), Image.LANCZOS)
         for f, _ in list(media.read_frames(info))[::2]]
preview = work / "preview.gif"
small[0].save(preview, save_all=True, append_images=small[1:], duration=240, loop=0)
display(ShowGif(data=preview.read_bytes(), format="gif"))

# %% [markdown]
# A file that is not a readable clip is one `ClipError` naming it (on the command line: one
# line, exit status 2; inside a folder it is skipped with a warning):

# %%
broken = work / "broken.mp4"
broken.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
try:
    media.probe(broken)
except media.ClipError as err:
    print("ClipError:", str(err).replace(str(work), "..."))

# %% [markdown]
# ## Speed
#
# Per-frame coloring of 256x256 frames against clip coloring (the flow adds a few
# milliseconds a frame, batching the network saves more). `python -m bench.clips` measures
# this with repeats, and with the files read and written; here one pass each:

# %%
fast_clip = motion.moving_clip(picture(train_paths[0]), 48, 256, 256)
rates = {}
for name, colorize in {"per-frame": lambda: [colorize_rgb(generator, f / 255.0, size) for f in fast_clip.gray],
                       "clip": lambda: list(colorizer.frames(fast_clip.gray, flow.SteadyGuide()))
                       }.items():
    colorize()  # the first pass traces the graphs
    start = time.perf_counter()
    colorize()
    rates[name] = 48 / (time.perf_counter() - start)
print(", ".join(f"{k} {v:.0f} frames/s" for k, v in rates.items()),
      f"(clip coloring {rates['clip'] / rates['per-frame']:.2f}x per-frame's)")

# %% [markdown]
# ## Summary
#
# * Per-frame coloring of a moving picture flickers: the network's guess for one point
#   changes from frame to frame although its true color does not.
# * Optical flow on the gray frames says where each pixel was; a forward-backward check,
#   the frame's edges and the lightness say where to trust it. Carrying 90 % of the previous
#   colors along trusted flow, and taking the new guess elsewhere, cut the warping error
#   well below half of per-frame coloring's at about the same CIEDE2000 (the numbers above,
#   and the full sweep in `python -m bench.clips`).
# * With a reference or hints, the first frame's colors are kept along the flow (carry 1)
#   and spread edge-aware into what is new.
# * A keyframe is reproduced, and its colors are carried forward and backward, anchored
#   (never re-blended), with a confidence; cuts stop every carry. Two keyframes bracket a shot.
# * GIFs and videos are read and written a frame at a time, so a clip's length never
#   costs memory; a broken clip is one line.
#
# ## Exercises
#
# 1. Set `flow.SIGMA_L` to 4 and to 40 and rerun the clip with the change: which
#    score moves, and where do you see it in the reliability picture?
# 2. Replace DIS by Farneback's flow (`cv2.calcOpticalFlowFarneback`) in a subclass of
#    `FlowTracker`. Is it better on the zoom clips, and how much slower?
# 3. Give `spread_carried` a reference as well: new content takes the reference's matched
#    region colors (`reference.reference_hints`) instead of the network's. Does the
#    reference's CIEDE2000 on the zoom clips come closer to half of the gray answer's?

# %% [markdown]
# How long this notebook took, measured from its set-up cell:

# %%
print(elapsed())

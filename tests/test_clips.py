"""Clips: GIF and video in and out frame by frame, steady colors along the flow, bad clips, the CLI."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import FIXTURE
from PIL import Image, ImageSequence
from skimage.color import rgb2lab

from colorhelpers import cli
from colorhelpers.clips import flow, motion
from colorhelpers.clips.flow import SteadyGuide, spread_carried
from colorhelpers.colorize import media
from colorhelpers.colorize.road import BATCH, BATCH_PIXELS, Colorizer, Colors, colorize_rgb
from colorhelpers.models import build_generator
from colorhelpers.training import RunDirectory, TrainConfig
from colorhelpers.training.recipe import generator_for

REPO = Path(__file__).resolve().parent.parent
#: The measuring tools the issue names, in the shared/ folder beside the checkout (absent elsewhere).
CHECKS = REPO.parent / "shared" / "checks"
TINY = TrainConfig(image_size=32, generator_filters=8, encoder_weights="random")


def picture(name: str = "heldout/f_mullins_00.png", side: int = 64) -> np.ndarray:
    """A fixture picture at `side` px: the clips below move a window of about that size over
    it, so most of the drawing is in every frame (the default is a detailed one: DIS's flow
    along a known shift is off by 0.1 px and reliable on 96 % of it)."""
    path = FIXTURE / name
    return np.asarray(Image.open(path).convert("RGB").resize((side, side), Image.LANCZOS))


def save_gif(path: Path, frames: list[np.ndarray], durations: list[int] | int = 80) -> Path:
    images = [Image.fromarray(f) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return path


def save_video(path: Path, frames: list[np.ndarray], fps: float = 12.5) -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


@pytest.fixture(scope="module")
def pan() -> motion.MovingClip:
    return motion.moving_clip(picture(), frames=12, height=64, width=48)


@pytest.fixture(scope="module")
def generator():
    return build_generator(32, 8)


# --- motion: clips with known motion and their scores --------------------------------------

def test_a_pan_clip_is_exact_crops_and_its_truth_does_not_flicker(pan):
    # Exact crops 1 px right and 2 px down a frame, as make_clip.py cuts them.
    assert np.array_equal(pan.truth[3][:-6, :-3], pan.truth[0][6:, 3:])
    assert motion.warping_error(pan.truth, pan) == 0.0
    assert motion.mean_ciede2000(pan.truth, pan.truth) == 0.0
    assert motion.warping_error(pan.gray, pan) == 0.0


def test_warping_error_sees_flicker(pan):
    rng = np.random.default_rng(0)
    tinted = [np.clip(t.astype(int) + rng.integers(-30, 30, 3), 0, 255).astype(np.uint8) for t in pan.truth]
    assert motion.warping_error(tinted, pan) > 3.0


def test_zoom_clip_motion_is_known():
    clip = motion.moving_clip(picture(), 10, 64, 64, pan=(0.5, 1.0), zoom=0.97)
    assert motion.warping_error(clip.truth, clip) < 1.5  # only resampling; a wrong motion gives far more
    still = motion.moving_clip(picture(), 10, 64, 64, pan=(0.5, 1.0), zoom=1.0)
    assert motion.warping_error(clip.truth, still) > motion.warping_error(clip.truth, clip) + 0.5


def test_a_change_swaps_a_middle_disc_or_with_no_radius_the_whole_picture():
    blue = np.full((64, 64, 3), (20, 30, 200), np.uint8)
    disc = motion.moving_clip(picture(), 8, 40, 32, change=blue)
    whole = motion.moving_clip(picture(), 8, 40, 32, change=blue, change_radius=None)
    assert np.array_equal(disc.truth[3], whole.truth[3])  # before the change, the same frames
    swapped = (disc.truth[4] == (20, 30, 200)).all(-1)
    assert swapped[20, 16] and not swapped[0, 0] and 0.1 < swapped.mean() < 0.5  # a disc in the middle
    assert (whole.truth[4] == (20, 30, 200)).all()  # every pixel of the other picture


# --- reading and writing clips --------------------------------------------------------------

def test_gif_round_trip_keeps_frames_size_timing_and_loop(tmp_path, pan):
    durations = [40, 80, 120] * 4
    source = save_gif(tmp_path / "in.gif", pan.gray, durations)
    info = media.probe(source)
    assert (info.width, info.height, info.frames, info.loop, info.is_gif) == (48, 64, 12, 0, True)
    with media.ClipWriter(tmp_path / "out.gif", info) as writer:
        for rgb, duration in media.read_frames(info):
            writer.write(rgb, duration)
    with Image.open(tmp_path / "out.gif") as image:
        frames = [(np.asarray(f.convert("RGB")), f.info["duration"]) for f in ImageSequence.Iterator(image)]
        assert image.info["loop"] == 0
    assert [d for _, d in frames] == durations
    assert all(np.array_equal(f, g) for (f, _), g in zip(frames, pan.gray))  # gray: <= 256 colors, exact
    assert not list(tmp_path.glob(".*partial*"))


def test_color_gif_frames_come_back_close(tmp_path, pan):
    info = media.ClipInfo(tmp_path / "x.gif", 48, 64, 12, loop=0)
    with media.ClipWriter(tmp_path / "color.gif", info) as writer:
        for frame in pan.truth:
            writer.write(frame, 80)
    back = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(Image.open(tmp_path / "color.gif"))]
    assert len(back) == 12
    assert max(np.abs(a.astype(int) - b).mean() for a, b in zip(back, pan.truth)) < 3.0


def test_video_round_trip_keeps_frames_size_and_rate(tmp_path, pan):
    info = media.probe(save_video(tmp_path / "in.mp4", pan.truth, fps=12.5))
    assert (info.width, info.height, info.frames, info.fps, info.is_gif) == (48, 64, 12, 12.5, False)
    with media.ClipWriter(tmp_path / "out.mp4", info) as writer:
        for rgb, duration in media.read_frames(info):
            assert duration is None
            writer.write(rgb)
    again = media.probe(tmp_path / "out.mp4")
    assert (again.width, again.height, again.frames, again.fps) == (48, 64, 12, 12.5)


def test_is_clip(tmp_path, pan):
    assert media.is_clip(save_gif(tmp_path / "a.gif", pan.gray[:2]))
    assert not media.is_clip(save_gif(tmp_path / "still.gif", pan.gray[:1]))
    assert media.is_clip(save_gif(tmp_path / "a.gif", pan.gray[:3]).rename(tmp_path / "named.png"))  # content
    assert media.is_clip(tmp_path / "anything.MP4")  # videos by extension: probe judges them
    (tmp_path / "junk.gif").write_bytes(b"GIF89a garbage")
    assert not media.is_clip(tmp_path / "junk.gif")
    assert not media.is_clip(FIXTURE / "heldout" / sorted(p.name for p in (FIXTURE / "heldout").iterdir())[0])


@pytest.mark.parametrize("case", ["random bytes", "empty", "no frames"])
def test_unreadable_videos_are_one_clip_error(tmp_path, case):
    path = tmp_path / "bad.mp4"
    if case == "random bytes":
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    elif case == "empty":
        path.write_bytes(b"")
    else:
        cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (32, 32)).release()
    with pytest.raises(media.ClipError, match="bad.mp4") as error:
        media.probe(path)
    assert "\n" not in str(error.value)


def test_a_gif_damaged_half_way_names_the_frame(tmp_path, pan):
    data = save_gif(tmp_path / "whole.gif", pan.truth).read_bytes()
    (tmp_path / "cut.gif").write_bytes(data[: len(data) * 2 // 3])
    info = media.probe(tmp_path / "cut.gif")
    with pytest.raises(media.ClipError, match=r"cut.gif: frame \d+"):
        list(media.read_frames(info))


def test_frames_over_the_budget_are_refused(tmp_path, pan, monkeypatch):
    monkeypatch.setattr(media, "MAX_FRAME_PIXELS", 40 * 40)
    for path in (save_gif(tmp_path / "big.gif", pan.gray[:2]), save_video(tmp_path / "big.mp4", pan.gray)):
        with pytest.raises(media.ClipError, match="too large"):
            media.probe(path)


def test_a_long_gif_is_streamed(tmp_path):
    """10,000 frames: reading and coloring hold a batch, not the clip."""
    count = 10_000
    path = tmp_path / "long.gif"
    with media.ClipWriter(path, media.ClipInfo(path, 16, 16, count, loop=0)) as writer:
        for i in range(count):
            writer.write(np.full((16, 16, 3), i % 251, np.uint8), 20)
    info = media.probe(path)
    assert info.frames == count
    tracemalloc.start()
    seen = sum(1 for _ in media.read_frames(info))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seen == count
    assert peak < 2_000_000, f"{peak} bytes held while reading {count} frames of 768 bytes"


def test_colorizing_reads_at_most_one_batch_ahead(generator):
    pulled = []

    def endless():
        for i in itertools.count():
            pulled.append(i)
            yield np.full((32, 32, 3), i % 256, np.uint8)

    out = list(itertools.islice(Colorizer(generator, 32).frames(endless(), SteadyGuide()), 3))
    assert len(out) == 3 and out[0].shape == (32, 32, 3)
    assert len(pulled) <= max(1, min(BATCH, BATCH_PIXELS // (32 * 32)))


# --- the method: flow, reliability, blending -------------------------------------------------

def test_flow_follows_a_known_shift_and_distrusts_new_content(pan):
    gray = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in pan.gray]
    map_x, map_y, reliability = flow.FlowTracker().track(gray[0], gray[1])
    inner = (slice(8, -8), slice(8, -8))
    true_x, true_y = pan.previous_position(1)
    assert np.abs(map_x - true_x)[inner].mean() < 0.5 and np.abs(map_y - true_y)[inner].mean() < 0.5
    assert reliability[inner].mean() > 0.8
    assert reliability[-2:].mean() < 0.2  # the bottom rows entered the window: nothing carries them


def test_a_line_moved_half_a_pixel_keeps_its_trust_and_a_changed_patch_loses_it():
    # Drawn at twice the size and shrunk: a sharp dark line on paper, then the same moved by
    # half a pixel (its resampled lightness changes by up to half the ink's contrast).
    big = np.full((64, 128), 235, np.uint8)
    big[:, 60:64] = 20
    before = cv2.resize(big, (64, 32), interpolation=cv2.INTER_AREA)
    after = cv2.resize(np.roll(big, 1, axis=1), (64, 32), interpolation=cv2.INTER_AREA)
    _, _, reliability = flow.FlowTracker().track(before, after)
    assert np.abs(after.astype(int) - before).max() > 40
    assert reliability[8:-8, 26:38].min() > 0.5
    changed = after.copy()
    changed[10:22, 6:18] = 120  # a new, mid-gray patch on the paper
    _, _, reliability = flow.FlowTracker().track(before, changed)
    assert reliability[12:20, 8:16].max() < 0.2


def test_carry_zero_is_per_frame_coloring(generator, pan):
    square = motion.moving_clip(picture(), frames=9, height=32, width=32)
    ours = list(Colorizer(generator, 32).frames(square.gray, SteadyGuide(carry=0.0)))
    theirs = [colorize_rgb(generator, f / 255.0, 32) for f in square.gray]
    assert len(ours) == 9
    assert max(np.abs(a.astype(int) - b).max() for a, b in zip(ours, theirs)) <= 1


def test_steady_colors_flicker_less_and_keep_the_luma(generator, pan):
    per_frame = list(Colorizer(generator, 32).frames(pan.gray, SteadyGuide(carry=0.0)))
    steady = list(Colorizer(generator, 32).frames(pan.gray, SteadyGuide()))
    assert motion.warping_error(steady, pan) < 0.6 * motion.warping_error(per_frame, pan)
    luma = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in steady]
    assert max(np.abs(a.astype(int) - g[..., 0]).max() for a, g in zip(luma, pan.gray)) <= 2


def test_a_guide_colors_the_whole_clip(generator, pan):
    def red(frame):
        ab = np.zeros((*frame.grid.shape, 2), np.float32)
        ab[..., 0] = 0.5  # a = 55: every frame should stay reddish, not the network's colors
        return Colors(ab)

    out = list(Colorizer(generator, 32).frames(pan.gray, SteadyGuide(first=red)))
    lab = [rgb2lab(f / 255.0)[8:-8, 8:-8] for f in out]
    # Where the lightness leaves room for color, every frame stays red (a = 55 asked for).
    a = [float(np.median(x[..., 1][(x[..., 0] > 20) & (x[..., 0] < 90)])) for x in lab]
    assert min(a) > 25, a


def test_spread_carried_fills_new_pixels_from_their_region():
    gray = np.full((16, 16), 200, np.uint8)
    gray[:, 8] = 20  # a line splits two regions
    carried = np.zeros((16, 16, 2), np.float32)
    carried[:, :8, 0], carried[:, 9:, 1] = 0.4, -0.4
    reliability = np.ones((16, 16), np.float32)
    reliability[12:] = 0.0  # the bottom rows are new
    network = np.full((16, 16, 2), 0.9, np.float32)
    filled = spread_carried(gray, carried, reliability, network)
    assert np.abs(filled[14, 2] - [0.4, 0.0]).max() < 0.05
    assert np.abs(filled[14, 13] - [0.0, -0.4]).max() < 0.05


# --- the command line -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    run = RunDirectory(tmp_path_factory.mktemp("run"))
    run.config_file.write_text(TINY.to_json())
    run.generator_weights(1).parent.mkdir(parents=True)
    generator_for(TINY).save_weights(run.generator_weights(1))
    return run.root


def colorize(*args) -> int:
    saved = warnings.showwarning
    try:
        return cli.main(["colorize", *map(str, args)])
    finally:
        warnings.showwarning = saved


def test_cli_colors_gif_and_video_into_the_same_format(tmp_path, tiny_run, pan, capfd):
    gif = save_gif(tmp_path / "walk.gif", pan.gray, [60, 100] * 6)
    video = save_video(tmp_path / "walk.mp4", pan.gray)
    for source in (gif, video):
        assert colorize("--run", tiny_run, "--input", source, "--output", tmp_path / "out") == 0
    with Image.open(tmp_path / "out" / "walk.gif") as image:
        assert [f.info["duration"] for f in ImageSequence.Iterator(image)] == [60, 100] * 6
        assert image.size == (48, 64)
    info = media.probe(tmp_path / "out" / "walk.mp4")
    assert (info.frames, info.width, info.height, info.fps) == (12, 48, 64, 12.5)
    assert "frame" in capfd.readouterr().out  # the progress bar counts frames


def test_cli_reference_and_hints_color_a_clip(tmp_path, tiny_run, pan):
    gif = save_gif(tmp_path / "walk.gif", pan.gray)
    Image.fromarray(pan.truth[0]).save(tmp_path / "first.png")
    (tmp_path / "walk.json").write_text('[{"x": 10, "y": 20, "color": "#d04a3a"}]')
    assert colorize("--run", tiny_run, "--input", gif, "--reference", tmp_path / "first.png",
                    "--hints", tmp_path / "walk.json", "--output", tmp_path / "out") == 0
    assert media.probe(tmp_path / "out" / "walk.gif").frames == 12
    (tmp_path / "bad.json").write_text('[{"x": 100, "y": 20, "color": "#d04a3a"}]')
    assert colorize("--run", tiny_run, "--input", gif, "--hints", tmp_path / "bad.json",
                    "--output", tmp_path / "out2") == cli.EXIT_USAGE


def test_cli_skips_a_broken_clip_in_a_folder(tmp_path, tiny_run, pan, capfd):
    folder = tmp_path / "in"
    folder.mkdir()
    save_gif(folder / "walk.gif", pan.gray)
    Image.fromarray(pan.truth[0]).save(folder / "still.png")
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(3000))
    assert colorize("--run", tiny_run, "--input", folder, "--output", tmp_path / "out") == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["still.png", "walk.gif"]
    err = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "broken.mp4" in err[0] and err[0].startswith("warning: skipping"), err


def test_cli_broken_video_alone_is_one_line_no_traceback(tmp_path, tiny_run, capfd):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert colorize("--run", tiny_run, "--input", broken, "--output", tmp_path / "out") == cli.EXIT_USAGE
    # Captured at the file descriptor: FFmpeg's own log would show here too.
    lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert lines == [f"colorgan colorize: error: {broken}: not an image, nor a video OpenCV can read"], lines


@pytest.mark.skipif(not (CHECKS / "clip_eval.py").exists(), reason="needs shared/checks/clip_eval.py")
def test_clip_eval_agrees_with_motion_scores(tmp_path, generator, pan):
    out = list(Colorizer(generator, 32).frames(pan.gray, SteadyGuide()))
    (tmp_path / "truth").mkdir()
    (tmp_path / "out").mkdir()
    for i, (t, o) in enumerate(zip(pan.truth, out)):
        Image.fromarray(t).save(tmp_path / "truth" / f"{i:02d}.png")
        Image.fromarray(o).save(tmp_path / "out" / f"{i:02d}.png")
    (tmp_path / "motion.json").write_text('{"frames": 12, "dx": 1, "dy": 2, "width": 48, "height": 64, '
                                          '"duration_ms": 80}')
    result = subprocess.run([sys.executable, CHECKS / "clip_eval.py", tmp_path, tmp_path / "out"],
                            capture_output=True, text=True, check=True)
    scores = json.loads(result.stdout)
    assert scores["warp"] == pytest.approx(motion.warping_error(out, pan), abs=2e-3)
    assert scores["de"] == pytest.approx(motion.mean_ciede2000(out, pan.truth), abs=2e-3)


def test_frame_browser_slider_changes_the_picture(pan):
    browser = motion.FrameBrowser({"gray": pan.gray, "truth": pan.truth})
    strip = browser.strip(5)
    assert strip.shape == (64, 96, 3)
    assert np.array_equal(strip[:, :48], pan.gray[5]) and np.array_equal(strip[:, 48:], pan.truth[5])
    slider, label, picture = browser.widget(5).children
    assert (slider.max, label.value, picture.value) == (11, "gray | truth", browser.png(5))
    slider.value = 9
    assert picture.value == browser.png(9) != browser.png(5)

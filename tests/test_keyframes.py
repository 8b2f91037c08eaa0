"""Keyframes: a hand-colored frame reproduced and carried both ways, cuts, hints on frames, the CLI."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import FIXTURE
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab

from colorhelpers.clips import flow, motion
from colorhelpers.clips.color import read_keyframes
from colorhelpers.clips.keyframes import SPREAD_SIGMA_L, KeyframeColorizer, keyframe_anchor
from colorhelpers.colorize import ClipError, Colorizer, WorkingGrid, probe
from colorhelpers.colorize.media import read_frames
from colorhelpers.hints import Hints
from colorhelpers.training import RunDirectory, TrainConfig
from colorhelpers.training.recipe import generator_for

TINY = TrainConfig(image_size=32, generator_filters=8, encoder_weights="random")


def save_gif(path: Path, frames: list[np.ndarray]) -> Path:
    images = [Image.fromarray(f) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=80, loop=0)
    return path


def de(a: np.ndarray, b: np.ndarray) -> float:
    return float(deltaE_ciede2000(rgb2lab(a / 255.0), rgb2lab(b / 255.0)).mean())


@pytest.fixture(scope="module")
def colorizer() -> Colorizer:
    keras.utils.set_random_seed(0)
    return Colorizer(generator_for(TINY, any_size=True), TINY.image_size)


@pytest.fixture(scope="module")
def pan() -> motion.MovingClip:
    picture = np.asarray(Image.open(sorted((FIXTURE / "heldout").glob("*.png"))[0]).convert("RGB"))
    # The shorter side is the model's size, so the working grid is the clip's own size.
    return motion.moving_clip(picture, frames=12, height=40, width=32)


def keyed(colorizer, clip, keyframes, tmp_path, hints=None) -> tuple[list[np.ndarray], KeyframeColorizer]:
    gif = save_gif(tmp_path / "clip.gif", clip.gray)
    info = probe(gif)
    grid = WorkingGrid.of(info.height, info.width, colorizer.size).shape
    anchors = {k: keyframe_anchor(k, clip.truth[k], grid) for k in keyframes}
    anchors.update(hints or {})
    keyframes_ = KeyframeColorizer(colorizer, anchors)
    out = keyframes_.colorize(info, tmp_path / "out.gif")
    return [f for f, _ in read_frames(probe(out))], keyframes_


def test_a_keyframe_is_reproduced_and_carried_forward_without_fading(colorizer, pan, tmp_path):
    out, _ = keyed(colorizer, pan, [0], tmp_path)
    automatic = [colorizer.still(f) for f in pan.gray]
    assert len(out) == len(pan.truth)
    assert de(out[0], pan.truth[0]) < 2.0  # the keyframe itself, on the clip's own lightness
    # The untrained network's colors are far from the truth; the carried keyframe stays close
    # to the end of the clip, where a per-frame blend would have faded into them.
    assert de(out[-1], pan.truth[-1]) < 0.5 * de(automatic[-1], pan.truth[-1])
    assert motion.warping_error(out, pan) < 2.0


def test_a_last_keyframe_is_carried_backward(colorizer, pan, tmp_path):
    out, _ = keyed(colorizer, pan, [len(pan.truth) - 1], tmp_path)
    automatic = colorizer.still(pan.gray[0])
    assert de(out[0], pan.truth[0]) < 0.5 * de(automatic, pan.truth[0])


def test_two_keyframes_do_at_least_as_well_as_one(colorizer, pan, tmp_path):
    one, _ = keyed(colorizer, pan, [0], tmp_path)
    two, _ = keyed(colorizer, pan, [0, len(pan.truth) - 1], tmp_path)
    assert motion.mean_ciede2000(two, pan.truth) <= motion.mean_ciede2000(one, pan.truth) + 0.05


def test_a_cut_stops_the_keyframe_colors(colorizer, pan, tmp_path):
    other = motion.moving_clip(np.full((80, 80, 3), (20, 30, 200), np.uint8), frames=6, height=40, width=32)
    clip = motion.MovingClip(pan.gray + other.gray, pan.truth + other.truth, pan.centers, pan.scales)
    out, keyframes = keyed(colorizer, clip, [0], tmp_path)
    assert keyframes.cuts == [len(pan.gray)]
    # Frames after the cut are the network's own colors, not the keyframe's carried on.
    assert np.abs(out[-1].astype(int) - colorizer.still(other.gray[-1]).astype(int)).mean() < 3
    assert not flow.is_cut(pan.gray[0][..., 0], pan.gray[1][..., 0])


def test_hints_on_a_later_frame_are_carried_both_ways(colorizer, pan, tmp_path):
    h, w = pan.gray[0].shape[:2]
    red = Hints(np.array([h // 2]), np.array([w // 2]), np.array([[220, 20, 20]], np.uint8))
    out, keyframes = keyed(colorizer, pan, [], tmp_path, hints={6: red})
    (tmp_path / "plain").mkdir()
    plain, _ = keyed(colorizer, pan, [], tmp_path / "plain")
    assert keyframes.anchors[6].mask.any()
    for t in (5, 6, 7):
        redder = lambda f: (f[..., 0].astype(int) - f[..., 1]).mean()  # noqa: E731
        assert redder(out[t]) > redder(plain[t])


class CountingTracker(flow.FlowTracker):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def flows(self, previous, current):
        self.calls += 1
        return super().flows(previous, current)


class Recomputing(flow.FlowTracker):
    def track(self, previous, current, flows=None):
        return super().track(previous, current)


@pytest.mark.parametrize("keyframes", [[0], [0, -1]])
def test_each_pair_of_frames_gets_its_flow_once_and_only_where_colors_are_carried(
        colorizer, pan, tmp_path, keyframes):
    gif = save_gif(tmp_path / "clip.gif", pan.gray)
    info = probe(gif)
    grid = WorkingGrid.of(info.height, info.width, colorizer.size).shape
    last = len(pan.gray) - 1
    anchors = {k % (last + 1): keyframe_anchor(k % (last + 1), pan.truth[k], grid) for k in keyframes}
    counted = CountingTracker()
    out = KeyframeColorizer(colorizer, anchors, counted).colorize(info, tmp_path / "counted.gif")
    # The backward pass reuses the forward pass's flows (swapped): one DIS pair per step.
    assert counted.calls == last
    # Flows computed afresh for every step, both passes, give the same frames but for a few
    # pixels (the stored flows are float16, so a threshold may fall the other way).
    again = KeyframeColorizer(colorizer, anchors, Recomputing()).colorize(info, tmp_path / "again.gif")
    for (a, _), (b, _) in zip(read_frames(probe(out)), read_frames(probe(again))):
        assert (np.abs(a.astype(int) - b.astype(int)).max(-1) > 2).mean() < 0.02


def test_untrusted_pixels_take_the_spread_carried_colors_and_a_frame_with_nothing_trusted_the_keyframes(
        colorizer, pan, tmp_path):
    from colorhelpers.clips.flow import lightness
    from colorhelpers.hints.propagation import fill

    _, keyframes_ = keyed(colorizer, pan, [0], tmp_path)
    frame = colorizer.analyse(np.stack(pan.gray))[6]
    h, w = frame.gray.shape
    prior, carried = np.full((h, w, 2), 0.1), np.full((h, w, 2), -0.2)
    untrusted = np.zeros((h, w))
    nothing = keyframes_._decide(6, frame.gray, (carried, untrusted), (carried, untrusted), prior)
    assert np.abs(nothing - prior).max() > 0.05  # the keyframe's matched regions guide it
    half = untrusted.copy()
    half[:, : w // 2] = 1.0
    some = keyframes_._decide(6, frame.gray, (carried, half), (carried, untrusted), prior)
    np.testing.assert_allclose(some[:, : w // 2], carried[:, : w // 2], atol=1e-6)  # anchored
    # The rest is the carried colors spread over the prior, with no pull from matched regions.
    spread = fill(lightness(frame.gray), half > 0, carried, np.zeros((h, w)), np.zeros((h, w, 2)), prior,
                  sigma=SPREAD_SIGMA_L)
    np.testing.assert_allclose(some, spread, atol=1e-6)


def test_one_keyframe_colorizer_colors_two_clips_as_two_fresh_ones_would(colorizer, pan, tmp_path):
    first, keyframes_ = keyed(colorizer, pan, [0], tmp_path)
    again = keyframes_.colorize(probe(tmp_path / "clip.gif"), tmp_path / "again.gif")
    # The clip's length and cuts are the second clip's, not added to the first's.
    assert keyframes_.frames == len(pan.gray)
    for (a, _), b in zip(read_frames(probe(again)), first):
        assert np.array_equal(a, b)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_freed_blocks_go_back_to_the_system_under_glibc():
    from colorhelpers.clips.store import return_freed_memory

    assert return_freed_memory() is True


def test_frame_store_keeps_each_frame_and_zeros_what_was_left_out(tmp_path):
    from colorhelpers.clips.store import FrameStore

    store = FrameStore(tmp_path, (3, 4), {"gray": (np.uint8, ()), "ab": (np.float16, (2,))})
    for t in range(3):
        store.append(gray=np.full((3, 4), t, np.uint8), ab=None if t == 1 else np.full((3, 4, 2), t / 2))
    store.write("ab", 2, np.full((3, 4, 2), -0.25))
    assert [int(store.read("gray", t)[0, 0]) for t in range(3)] == [0, 1, 2]
    assert store.read("ab", 1).dtype == np.float32 and not store.read("ab", 1).any()
    assert store.read("ab", 2)[1, 2, 1] == -0.25 and store.read("ab", 0).shape == (3, 4, 2)
    store.close()


def test_read_keyframes_checks_names_sizes_and_files(tmp_path, pan):
    gif = save_gif(tmp_path / "clip.gif", pan.gray)
    info = probe(gif)
    folder = tmp_path / "keys"
    folder.mkdir()
    Image.fromarray(pan.truth[3]).save(folder / "3.png")
    keyframes = read_keyframes(folder, [], info)
    assert list(keyframes) == [3] and keyframes[3].shape == (40, 32, 3) and keyframes[3].dtype == np.uint8
    Image.fromarray(pan.truth[0][:32]).save(tmp_path / "small.png")
    (tmp_path / "broken.png").write_bytes(b"not a png")
    cases = (("0:" + str(tmp_path / "small.png"), "is 32x32"), ("first.png", "FRAME:IMAGE"),
             ("0:" + str(tmp_path / "broken.png"), "broken.png"),
             ("x:" + str(folder / "3.png"), "frame number"))
    for spec, words in cases:
        with pytest.raises(ClipError, match=words):
            read_keyframes(None, [spec], info)


def test_cli_keyframes_and_errors(tmp_path, pan):
    run = RunDirectory(tmp_path / "run")
    generator = generator_for(TINY)
    run.config_file.parent.mkdir(parents=True)
    run.config_file.write_text(TINY.to_json())
    run.generator_weights(1).parent.mkdir(parents=True)
    generator.save_weights(run.generator_weights(1))
    gif = save_gif(tmp_path / "clip.gif", pan.gray)
    keys = tmp_path / "keys"
    keys.mkdir()
    Image.fromarray(pan.truth[0]).save(keys / "0.png")
    base = [sys.executable, "-m", "colorhelpers", "colorize", "--run", str(run.root), "--input", str(gif)]
    done = subprocess.run(base + ["--keyframes", str(keys), "--output", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "cuts found at frames: none" in done.stdout
    out = [f for f, _ in read_frames(probe(tmp_path / "out" / "clip.gif"))]
    assert de(out[0], pan.truth[0]) < 2.0
    hints = tmp_path / "hints.json"
    hints.write_text(json.dumps([{"x": 3, "y": 3, "color": "#ff0000", "frame": 4}]))
    done = subprocess.run(base + ["--hints", str(hints), "--output", str(tmp_path / "hinted")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "1 keyframe(s) or hinted frame(s)" in done.stdout, done.stderr
    for extra, words in ((["--keyframe", f"99:{keys / '0.png'}"], "frame 99"),
                         (["--keyframe", f"0:{tmp_path / 'missing.png'}"], "missing.png"),
                         (["--keyframes", str(keys), "--reference", str(keys / "0.png")], "as a keyframe")):
        done = subprocess.run(base + extra + ["--output", str(tmp_path / "bad")], capture_output=True,
                              text=True)
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert not (tmp_path / "bad").exists(), "a refused command leaves no output folder behind"


def test_the_benchmarks_expression_clips_pair_a_character_with_its_own_other_expression(tmp_path):
    from bench.keyframes import expression_partner

    for name in ("demo_eileen_concerned", "demo_eileen_happy", "demo_lucy_mad", "demo_lucy_happy",
                 "demo_sylvie_normal", "demo_sylvie_blue_smile", "demo_logo_base"):
        Image.new("RGB", (4, 4)).save(tmp_path / f"{name}.png")
    assert expression_partner(tmp_path / "demo_eileen_concerned.png").name == "demo_eileen_happy.png"
    assert expression_partner(tmp_path / "demo_lucy_mad.png").name == "demo_lucy_happy.png"
    assert expression_partner(tmp_path / "demo_logo_base.png") is None  # one picture of its kind
    assert expression_partner(tmp_path / "demo_sylvie_normal.png") is None  # "sylvie_blue" is another

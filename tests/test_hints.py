"""User hints: reading and checking hint files, simulated hints, propagation, reference, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import colorful_array
from PIL import Image

from colorhelpers.colorize.grid import WorkingGrid
from colorhelpers.hints import (
    Hints,
    HintsError,
    Propagator,
    read_hints,
    reference_hints,
    shifted_mirror,
    simulate_hints,
)
from colorhelpers.hints.guide import hint_grid
from colorhelpers.hints.points import parse_points
from colorhelpers.hints.reference import regions

REPO = Path(__file__).resolve().parent.parent
#: The measuring tool the issue names, in the shared/ folder beside the checkout (absent elsewhere).
MAKE_HINTS = REPO.parent / "shared" / "checks" / "make_hints.py"


def two_regions(size: int = 32) -> np.ndarray:
    """Lightness [size, size]: two flat halves (L 80 and 75) split by a dark vertical line."""
    lightness = np.full((size, size), 80.0)
    lightness[:, size // 2:] = 75.0
    lightness[:, size // 2 - 1:size // 2 + 1] = 10.0
    return lightness


# --- reading hint files -------------------------------------------------------------------------

def test_points_are_read(tmp_path):
    path = tmp_path / "h.json"
    path.write_text(json.dumps([{"x": 3, "y": 5, "color": "#d04a3A"}, {"x": 0, "y": 0, "color": "#000000"}]))
    hints = read_hints(path, width=10, height=8)
    assert len(hints) == 2
    assert (hints.ys.tolist(), hints.xs.tolist()) == ([5, 0], [3, 0])
    assert hints.rgb[0].tolist() == [0xD0, 0x4A, 0x3A]
    assert hints.to_points()[0] == {"x": 3, "y": 5, "color": "#d04a3a"}


@pytest.mark.parametrize("text, problem", [
    ("{not json", "not JSON"),
    ('{"x": 1}', "expected a JSON list"),
    ('[{"x": 1, "y": 2}]', "point 0 is not"),
    ('[{"x": 1.5, "y": 2, "color": "#ffffff"}]', "whole pixel numbers"),
    ('[{"x": 10, "y": 2, "color": "#ffffff"}]', "outside the 10x8 image"),
    ('[{"x": 1, "y": -1, "color": "#ffffff"}]', "outside the 10x8 image"),
    ('[{"x": 1, "y": 2, "color": "reddish"}]', "is not #rrggbb"),
    ('[{"x": 1, "y": 2, "color": "#fff"}]', "is not #rrggbb"),
])
def test_bad_points_name_the_file_and_problem(tmp_path, text, problem):
    path = tmp_path / "bad hints.json"
    path.write_text(text)
    with pytest.raises(HintsError) as err:
        read_hints(path, width=10, height=8)
    assert str(err.value).startswith(str(path)) and problem in str(err.value)


def test_scribble_opaque_pixels_are_hints(tmp_path):
    scribble = np.zeros((8, 10, 4), np.uint8)
    scribble[2, 3] = [255, 0, 0, 255]
    scribble[4, 6] = [0, 0, 255, 200]
    scribble[5, 5] = [0, 255, 0, 20]  # nearly transparent: not a hint
    Image.fromarray(scribble, "RGBA").save(tmp_path / "s.png")
    hints = read_hints(tmp_path / "s.png", width=10, height=8)
    assert sorted(zip(hints.ys.tolist(), hints.xs.tolist())) == [(2, 3), (4, 6)]
    assert {tuple(c) for c in hints.rgb.tolist()} == {(255, 0, 0), (0, 0, 255)}


@pytest.mark.parametrize("name, make, problem", [
    ("small.png", lambda p: Image.new("RGBA", (7, 5)).save(p), "scribble is 7x5, the input image is 10x8"),
    ("fake.png", lambda p: p.write_text("no image"), "not a readable PNG"),
    ("hints.txt", lambda p: p.write_text("[]"), ".json list of points or a .png scribble"),
    ("binary.json", lambda p: p.write_bytes(b"\xff\xfe\x00"), "not JSON"),
])
def test_bad_files_name_the_file_and_problem(tmp_path, name, make, problem):
    make(tmp_path / name)
    with pytest.raises(HintsError, match=problem) as err:
        read_hints(tmp_path / name, width=10, height=8)
    assert name in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(HintsError, match="no such hints file"):
        read_hints(tmp_path / "nope.json", 4, 4)


def test_parse_points_accepts_empty_list():
    assert len(parse_points("[]", "x.json", 4, 4)) == 0


# --- simulated hints ------------------------------------------------------------------------------

@pytest.mark.skipif(not MAKE_HINTS.exists(), reason="needs shared/checks/make_hints.py")
def test_simulated_hints_follow_make_hints_exactly(tmp_path):
    """The same points and colors as the protocol's reference script, for the same seed."""
    (tmp_path / "in").mkdir()
    truth = colorful_array(40, 3, height=30)
    Image.fromarray(truth).save(tmp_path / "in" / "a.png")
    subprocess.run([sys.executable, str(MAKE_HINTS), str(tmp_path / "in"), str(tmp_path / "out"), "10",
                    "--seed", "7"], check=True, capture_output=True)
    expected = json.loads((tmp_path / "out" / "a.json").read_text())
    assert simulate_hints(truth, 10, np.random.default_rng(7)).to_points() == expected


def test_simulated_hints_prefer_colored_pixels():
    truth = np.full((40, 40, 3), 128, np.uint8)
    truth[5:15, 5:15] = [220, 30, 30]  # the only colored patch: 1/16 of the image
    hints = simulate_hints(truth, 20, np.random.default_rng(0))
    inside = ((hints.ys >= 5) & (hints.ys < 15) & (hints.xs >= 5) & (hints.xs < 15)).mean()
    assert inside > 0.9
    assert len(simulate_hints(truth, 0, np.random.default_rng(0))) == 0


def test_hint_grid_maps_input_pixels_to_the_working_grid():
    hints = Hints(np.array([0, 255]), np.array([511, 0]), np.array([[255, 0, 0], [255, 0, 0]], np.uint8))
    # The working grid keeps the input's proportions: 256 x 512 at size 128 is 128 x 256.
    grid = WorkingGrid.of(256, 512, 128)
    assert grid.shape == (128, 256)
    coverage, ab = hint_grid(hints, grid)
    assert coverage.shape == (128, 256) and ab.shape == (128, 256, 2)
    assert coverage[0, 255] == 1 and coverage[127, 0] == 1 and coverage.sum() == 2
    assert ab[0, 255, 0] > 0.5  # red: a strongly positive a*
    # Squashed to the model's square, as before release 0.3.
    coverage, ab = hint_grid(hints, WorkingGrid.of(256, 512, 128, fit="squash"))
    assert coverage.shape == (128, 128)
    assert coverage[0, 127] == 1 and coverage[127, 0] == 1 and coverage.sum() == 2
    assert ab[0, 127, 0] > 0.5
    # A small model's grid is never coarser than the input brought to FINE_SIDE a side.
    assert WorkingGrid.of(64, 128, 16).shape == (64, 128)


# --- propagation ---------------------------------------------------------------------------------

def test_propagation_stops_at_a_line():
    lightness = two_regions()
    propagator = Propagator(lightness)
    weight = np.zeros(lightness.shape)
    ab = np.zeros((*lightness.shape, 2))
    weight[10, 5] = propagator.hint_weight
    ab[10, 5] = [0.5, -0.3]
    result = propagator.solve(weight, ab, prior_ab=None)
    left, right = result[:, :12], result[:, 20:]
    assert np.allclose(result[10, 5], [0.5, -0.3], atol=0.02)  # the hint is honoured
    assert np.abs(left - [0.5, -0.3]).max() < 0.1  # its side takes the color, far corners too
    assert np.abs(right).max() < 0.05  # the other side does not


def test_propagation_keeps_the_prior_away_from_hints():
    lightness = two_regions()
    prior = np.zeros((*lightness.shape, 2))
    prior[..., 1] = 0.2
    propagator = Propagator(lightness)
    weight = np.zeros(lightness.shape)
    weight[5, 5] = propagator.hint_weight
    ab = np.zeros((*lightness.shape, 2))
    ab[5, 5] = [0.4, 0.4]
    result = propagator.solve(weight, ab, prior)
    assert np.allclose(result[:, 20:], prior[:, 20:], atol=0.02)
    assert result[20, 5, 0] > 0.35


def test_no_hints_returns_the_prior():
    prior = np.random.default_rng(0).uniform(-0.3, 0.3, (32, 32, 2))
    out = Propagator(two_regions()).solve(np.zeros((32, 32)), np.zeros((32, 32, 2)), prior)
    assert np.allclose(out, prior, atol=1e-6)


# --- reference image --------------------------------------------------------------------------------

def test_regions_are_split_by_lines():
    labels, count = regions(two_regions())
    assert count == 2
    assert labels[5, 3] != labels[5, 28] and labels[5, 3] > 0 and labels[5, 16] == 0


def reference_pair(size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """A picture (red left region, blue right one, a dark line between) and its mirrored reference."""
    rgb = np.zeros((size, size, 3), np.uint8)
    rgb[:, : size // 2] = [230, 60, 60]
    rgb[:, size // 2:] = [60, 60, 230]
    rgb[:, size // 2 - 1:size // 2 + 1] = [20, 20, 20]
    return rgb, shifted_mirror(rgb, shift=0.1)


def test_reference_gives_each_region_the_matching_color():
    from skimage.color import rgb2lab

    rgb, ref = reference_pair()
    lab = rgb2lab(rgb / 255.0)
    reference = reference_hints(lab[..., 0], ref)
    assert reference.weight[5, 3] > 0
    # Matched by lightness (red is lighter than blue here), not by place: the mirror swapped them.
    assert np.allclose(reference.ab[5, 3] * 110, lab[5, 3, 1:], atol=5)
    assert np.allclose(reference.ab[5, 28] * 110, lab[5, 28, 1:], atol=5)


def test_local_hints_win_over_the_reference():
    from colorhelpers.hints import HintColorizer
    from colorhelpers.training import TrainConfig
    from colorhelpers.training.recipe import generator_for

    rgb, ref = reference_pair()
    generator = generator_for(TrainConfig(image_size=32, encoder_weights="random"))
    colorizer = HintColorizer(generator, 32, rgb / 255.0)
    reference = reference_hints(colorizer.lightness, ref)
    green = Hints(np.array([10]), np.array([5]), np.array([[40, 200, 40]], np.uint8))
    out = colorizer.colorize(green, reference).astype(int)
    only_reference = colorizer.colorize(None, reference).astype(int)
    assert out[20, 5, 1] > out[20, 5, 0] + 40  # the hinted region is green, not the reference's red
    assert only_reference[20, 5, 0] > only_reference[20, 5, 1] + 40  # ...which it is without the hint
    assert np.abs(out[:, 20:] - only_reference[:, 20:]).max() <= 3  # the other region keeps the reference


# --- command line ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, fixture_train, fixture_heldout):
    from colorhelpers.training import TrainConfig, train

    run = tmp_path_factory.mktemp("hints") / "run"
    config = TrainConfig(image_size=32, batch_size=8, epochs=1, warmup_epochs=1, decay_epochs=1,
                         sample_count=2, encoder_weights="random")
    train(fixture_train[:8], fixture_heldout[:2], run, config, verbose=0)
    return run


def colorize(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "colorhelpers", "colorize", *args], capture_output=True,
                          text=True, cwd=REPO, env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


def test_cli_hints_file_and_folder(tiny_run, tmp_path, fixture_heldout):
    image = fixture_heldout[0]
    width, height = Image.open(image).size
    hints = [{"x": width // 2, "y": height // 2, "color": "#00ff00"}]
    (tmp_path / "h.json").write_text(json.dumps(hints))
    single = colorize("--run", str(tiny_run), "--input", str(image), "--hints", str(tmp_path / "h.json"),
                      "--output", str(tmp_path / "one"))
    assert single.returncode == 0, single.stderr
    out = np.asarray(Image.open(tmp_path / "one" / f"{image.stem}.png").convert("RGB"), int)
    pixel = out[height // 2, width // 2]
    assert pixel[1] > pixel[0] and pixel[1] > pixel[2]  # green where the hint is

    folder = tmp_path / "hints"
    folder.mkdir()
    (folder / f"{image.stem}.json").write_text(json.dumps(hints))
    many = colorize("--run", str(tiny_run), "--input", str(image.parent), "--hints", str(folder),
                    "--reference", str(fixture_heldout[1]), "--output", str(tmp_path / "many"))
    assert many.returncode == 0, many.stderr
    assert len(list((tmp_path / "many").glob("*.png"))) == len(list(image.parent.glob("*.png")))


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not JSON"),
    ('[{"x": 99999, "y": 3, "color": "#ff0000"}]', "outside"),
    ('[{"x": 3, "y": 3, "color": "reddish"}]', "not #rrggbb"),
    (None, "scribble is 7x5"),
])
def test_cli_bad_hints_one_line_exit_2(tiny_run, tmp_path, fixture_heldout, content, problem):
    path = tmp_path / ("bad.png" if content is None else "bad.json")
    if content is None:
        Image.new("RGBA", (7, 5)).save(path)
    else:
        path.write_text(content)
    result = colorize("--run", str(tiny_run), "--input", str(fixture_heldout[0]), "--hints", str(path),
                      "--output", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and problem in lines[0]


def test_cli_folder_input_needs_a_hints_folder(tiny_run, tmp_path, fixture_heldout):
    (tmp_path / "h.json").write_text("[]")
    result = colorize("--run", str(tiny_run), "--input", str(fixture_heldout[0].parent), "--hints",
                      str(tmp_path / "h.json"), "--output", str(tmp_path / "out"))
    assert result.returncode == 2 and "must be a folder" in result.stderr


def test_low_rank_update_equals_the_direct_solve():
    """A few clicks take the Woodbury shortcut; it must agree with a full solve."""
    import colorhelpers.hints.propagation as propagation

    rng = np.random.default_rng(0)
    lightness = two_regions() + rng.uniform(0, 3, (32, 32))
    weight = np.zeros((32, 32))
    weight[rng.integers(0, 32, 5), rng.integers(0, 32, 5)] = 100.0
    ab = rng.uniform(-0.5, 0.5, (32, 32, 2))
    prior = rng.uniform(-0.2, 0.2, (32, 32, 2))
    fast = Propagator(lightness).solve(weight, ab, prior)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(propagation, "MAX_LOW_RANK", 0)
        direct = Propagator(lightness).solve(weight, ab, prior)
    assert np.allclose(fast, direct, atol=1e-5)


def test_widget_callbacks_place_undo_and_clear_hints():
    """The widget's logic without a browser: a click adds a hint of the picked color, undo/clear remove it."""
    pytest.importorskip("ipyevents")
    from colorhelpers.hints import HintWidget
    from colorhelpers.training import TrainConfig
    from colorhelpers.training.recipe import generator_for

    rgb, _ = reference_pair()
    widget = HintWidget(generator_for(TrainConfig(image_size=32, encoder_weights="random")), 32, rgb / 255.0)
    automatic = widget.result()
    widget.color.value = "#00ff00"
    widget.on_click({"dataX": 5, "dataY": 10})
    widget.on_click({"dataX": 500, "dataY": 10})  # outside the image: ignored
    assert widget.points == [{"x": 5, "y": 10, "color": "#00ff00"}]
    assert "1 hint(s)" in widget.status.value
    green = widget.result().astype(int)
    assert green[10, 5, 1] > green[10, 5, 0] + 40
    widget.undo()
    assert not widget.points and np.array_equal(widget.result(), automatic)
    widget.add(1, 1, "red")
    widget.clear()
    assert not widget.points


def test_hint_network_starts_as_the_automatic_one_and_trains(tmp_path, fixture_train):
    import tensorflow as tf

    from colorhelpers.models.hint_network import (
        build_hint_generator,
        hint_generator_like,
        simulate_hint_channels,
        train_hint_generator,
    )
    from colorhelpers.training import TrainConfig
    from colorhelpers.training.recipe import generator_for

    automatic = generator_for(TrainConfig(image_size=32, encoder_weights="random"))
    trained = train_hint_generator(fixture_train[:8], automatic, tmp_path / "h.weights.h5", 32, epochs=1,
                                   batch_size=4, hint_scale=10.0)
    assert (tmp_path / "h.weights.h5").exists()
    fresh = hint_generator_like(automatic, 32, hint_scale=10.0)
    assert fresh.count_params() > build_hint_generator(32, 8).count_params()
    from colorhelpers.models.hint_network import warm_start

    warm_start(fresh, automatic)
    l_norm = tf.random.uniform([2, 32, 32, 1], -1, 1)
    no_hints = tf.zeros([2, 32, 32, 3])
    before = fresh([l_norm, no_hints], training=False)
    assert np.allclose(before, automatic(l_norm, training=False), atol=1e-5)
    assert not np.allclose(trained([l_norm, no_hints], training=False), before)
    ab = tf.random.uniform([4, 32, 32, 2], -0.5, 0.5)
    channels = simulate_hint_channels(ab, max_hints=20).numpy()
    mask = channels[..., 2]
    assert set(np.unique(mask)) <= {0.0, 1.0} and mask.sum(axis=(1, 2)).max() <= 60
    assert np.all(channels[..., :2][mask == 0] == 0)


def test_hint_pixels_take_their_color_exactly():
    """At full resolution each hint pixel shows its own color (on the input's luma), not a blend."""
    from colorhelpers.hints import HintColorizer
    from colorhelpers.training import TrainConfig
    from colorhelpers.training.recipe import generator_for

    rgb = np.full((96, 96, 3), 200, np.uint8)
    generator = generator_for(TrainConfig(image_size=32, encoder_weights="random"))
    out = HintColorizer(generator, 32, rgb / 255.0).colorize(
        Hints(np.array([40, 41]), np.array([10, 11]), np.array([[220, 190, 170], [170, 200, 220]], np.uint8)))
    assert out[40, 10, 0] > out[40, 10, 2] + 30 and out[41, 11, 2] > out[41, 11, 0] + 30


def test_fill_solves_the_whole_energy_with_the_fixed_pixels_as_boundary():
    from colorhelpers.hints.propagation import PRIOR_WEIGHT, fill, laplacian

    rng = np.random.default_rng(3)
    lightness = np.repeat(np.linspace(20, 90, 12)[None], 10, 0) + rng.normal(0, 3, (10, 12))
    fixed = rng.random((10, 12)) < 0.6
    fixed_ab, soft_ab, prior = (rng.normal(0, 0.3, (10, 12, 2)) for _ in range(3))
    soft = np.where(rng.random((10, 12)) < 0.5, 0.05, 0.0)
    out = fill(lightness, fixed, fixed_ab, soft, soft_ab, prior)
    assert np.array_equal(out[fixed], fixed_ab[fixed].astype(np.float32))
    # The free pixels' rows of (Lap + S + P) u = S c + P q hold for the whole image.
    system = laplacian(lightness).toarray() + np.diag(soft.ravel() + PRIOR_WEIGHT)
    rhs = soft.reshape(-1, 1) * soft_ab.reshape(-1, 2) + PRIOR_WEIGHT * prior.reshape(-1, 2)
    residual = system @ out.reshape(-1, 2).astype(np.float64) - rhs
    assert np.abs(residual[~fixed.ravel()]).max() < 1e-5


def test_reference_test_uses_the_propagation_weights_given(monkeypatch):
    """bench/hint_gain.py compares weights through `reference_test`: each image's colorizer gets them."""
    from colorhelpers.hints import sweep

    seen = []

    class Recorder:
        def __init__(self, generator, size, rgb, **weights):
            seen.append(weights)

        def reference(self, rgb):
            return None

        def colorize(self, hints=None, reference=None):
            return np.zeros((8, 8, 3), np.uint8)

    monkeypatch.setattr(sweep, "HintColorizer", Recorder)
    sweep.reference_test(None, np.full((2, 8, 8, 3), 120, np.uint8), prior_weight=1e-5)
    assert seen == [{"prior_weight": 1e-5}] * 2

"""Line art: training pairs, detection, regions closed by lines, a line-art run, the command line."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import FIXTURE
from PIL import Image

from colorhelpers.cli import main
from colorhelpers.colorize import Colorizer
from colorhelpers.colorize.road import full_resolution, read_still
from colorhelpers.data.lines import LINE_STYLES, line_art, looks_like_line_art, training_pairs
from colorhelpers.data.pipeline import eval_batches
from colorhelpers.evaluation import load_generator, open_run, ship_run
from colorhelpers.hints import Hints
from colorhelpers.lineart import LineArtGuide, choose_kind, line_regions
from colorhelpers.training import LINEART_RECIPE, TrainConfig
from colorhelpers.training.loop import train
from colorhelpers.training.runs import RunDirectory

TINY = TrainConfig(image_size=16, batch_size=8, epochs=1, generator_filters=4, discriminator_filters=4,
                   sample_count=2, **LINEART_RECIPE)


@pytest.fixture(scope="module")
def heldout_l(fixture_heldout):
    return next(iter(eval_batches(fixture_heldout, 128, 8)))  # the images' own size


def to_rgb(l_norm: np.ndarray) -> np.ndarray:
    gray = np.round((np.asarray(l_norm)[..., 0] + 1) * 127.5).astype(np.uint8)
    return np.repeat(gray[..., None], 3, -1)


@pytest.mark.parametrize("style", LINE_STYLES)
def test_every_style_is_mostly_paper_with_dark_lines(style, heldout_l):
    l_norm, _ = heldout_l
    lines = line_art(l_norm, style, tf.constant([3, 4], tf.int64)).numpy()
    assert lines.shape == l_norm.shape and lines.min() >= -1.0 and lines.max() <= 1.0
    assert np.mean(lines > 0.7) > 0.6, "line art is mostly white paper"
    assert lines.min() < -0.1, "and has ink"
    detected = [looks_like_line_art(to_rgb(image))[0] for image in lines]
    # Clean lines are always told from gray pictures; heavily inked styles nearly always.
    assert all(detected) if style in ("xdog", "thin", "pencil") else np.mean(detected) >= 0.75


def test_gray_renders_and_color_pictures_are_not_line_art(heldout_l, fixture_heldout):
    l_norm, _ = heldout_l
    assert not any(looks_like_line_art(to_rgb(image))[0] for image in l_norm.numpy())
    assert not looks_like_line_art(read_still(fixture_heldout[0]))[0]
    assert choose_kind(to_rgb(l_norm[0]), "auto")[0] == "gray"


def test_training_pairs_mix_styles_and_repeat_with_the_seed(heldout_l):
    l_norm, ab = heldout_l
    lines, lab = training_pairs(l_norm, ab, tf.constant([0, 7], tf.int64))
    again, _ = training_pairs(l_norm, ab, tf.constant([0, 7], tf.int64))
    other, _ = training_pairs(l_norm, ab, tf.constant([0, 8], tf.int64))
    np.testing.assert_array_equal(lines.numpy(), again.numpy())
    assert not np.array_equal(lines.numpy(), other.numpy())
    np.testing.assert_array_equal(lab.numpy(), np.concatenate([l_norm, ab], -1))
    seed = tf.constant([0, 7], tf.int64)
    styles = {s: line_art(l_norm, s, seed).numpy() for s in LINE_STYLES if s != "pencil"}
    matched = {s for i in range(len(l_norm)) for s, x in styles.items() if np.array_equal(lines[i], x[i])}
    assert len(matched) >= 2, "a batch mixes styles"


def drawing(gap: bool = False) -> np.ndarray:
    """Scaled L of two boxes side by side drawn in black on white; `gap` opens the middle line."""
    light = np.ones((40, 80), np.float32)
    light[5:35, [5, 40, 75]] = -1.0
    light[[5, 34], 5:76] = -1.0
    if gap:
        light[18, 40] = 1.0  # a one-pixel break in the middle line
    return light


@pytest.mark.parametrize("gap", [False, True])
def test_regions_are_closed_by_the_lines(gap):
    labels, count = line_regions(drawing(gap), gap=1)
    left, right, outside = labels[20, 20], labels[20, 60], labels[2, 2]
    assert len({left, right, outside}) == 3, "the box on the left, the one on the right, the paper around"
    assert labels.min() >= 1 and labels.max() == count


@pytest.fixture(scope="module")
def lineart_run(fixture_train, fixture_heldout, tmp_path_factory):
    root = tmp_path_factory.mktemp("lineart-run")
    rows = train(fixture_train, fixture_heldout, root, TINY, verbose=0)
    return RunDirectory(root), rows


def test_train_kind_lineart_starts_from_the_lineart_recipe(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--data", str(FIXTURE), "--out", str(out), "--kind", "lineart", "--epochs", "1",
                 "--size", "16", "--batch", "8"]) == 0
    config = RunDirectory(out).read_config()
    assert {name: getattr(config, name) for name in LINEART_RECIPE} == LINEART_RECIPE
    assert "moving average (momentum 0.99)" in capsys.readouterr().out


def test_a_lineart_run_predicts_lab_and_is_scored_on_line_art(lineart_run):
    run, rows = lineart_run
    assert run.read_config().kind == "lineart"
    assert np.isfinite(rows[-1]["ciede2000"]) and rows[-1]["ciede2000"] > 0
    generator, _ = load_generator(open_run(run.root))
    assert generator.output_shape[-1] == 3
    grid = np.asarray(Image.open(run.samples(1)))
    assert grid.shape[0] > 16 and grid.ndim == 3


def test_lines_stay_as_dark_as_drawn_and_hints_fill_their_region(lineart_run):
    run, _ = lineart_run
    generator, _ = load_generator(open_run(run.root))
    colorizer = Colorizer(generator, TINY.image_size)
    page = to_rgb(drawing()[..., None])
    auto = colorizer.still(page)
    ink = page[..., 0] < 80
    assert auto[ink].mean() < 80, "the lines come back dark"
    red = Hints(np.array([20]), np.array([20]), np.array([[200, 40, 40]], np.uint8))
    hinted = colorizer.still(page, LineArtGuide(red))
    left = hinted[10:30, 10:36].reshape(-1, 3).mean(0)
    right = hinted[10:30, 45:70].reshape(-1, 3).mean(0)
    assert left[0] > left[1] + 60, f"the hinted box is red: {left}"
    assert abs(right[0] - right[1]) < abs(left[0] - left[1]) / 2, f"the other box is not: {right}"
    assert hinted[ink].mean() < 80
    drawn_l = full_resolution(page[None])[0][0].numpy()
    frame = colorizer.analyse(page[None])[0]
    assert np.all(frame.l_full.numpy() <= drawn_l + 1e-5), "never lighter than the drawing"


def seen_by(channels: int) -> keras.Model:
    """A stand-in generator whose every output channel is its input: its colors are what it saw."""
    drawing = keras.Input((None, None, 1))
    return keras.Model(drawing, keras.layers.Concatenate()([drawing] * channels))


@pytest.mark.parametrize("scale", [2, 3])
def test_a_drawing_larger_than_the_model_reaches_a_lineart_network_with_its_lines_black(scale):
    page = np.full((32 * scale, 48 * scale, 3), 255, np.uint8)
    page[:, 41] = 0  # a 1 px line: averaged down it would be a light gray
    darkest = {channels: Colorizer(seen_by(channels), 32).analyse(page[None])[0].prior_ab.min()
               for channels in (3, 2)}
    assert darkest[3] == pytest.approx(-1.0), "a line-art model sees the line as full ink"
    assert darkest[2] > 1.0 - 2.0 / scale - 0.05, "a gray model sees the picture averaged"


def test_hints_on_line_art_propagate_with_the_line_art_roads_own_sigma(lineart_run):
    from colorhelpers.hints import HintGuide
    from colorhelpers.lineart.regions import PROPAGATION_SIGMA_L

    run, _ = lineart_run
    generator, _ = load_generator(open_run(run.root))
    colorizer = Colorizer(generator, TINY.image_size)
    page = to_rgb(drawing()[..., None])
    red = Hints(np.array([20]), np.array([20]), np.array([[200, 40, 40]], np.uint8))
    propagated = colorizer.still(page, LineArtGuide(red, fill="propagate"))
    own = colorizer.still(page, HintGuide(red, weights={"sigma": PROPAGATION_SIGMA_L}))
    gray_roads = colorizer.still(page, HintGuide(red))  # the gray road's sigma spreads otherwise
    assert np.array_equal(propagated, own)
    assert np.abs(propagated.astype(int) - gray_roads).max() > 0


def test_ship_puts_a_lineart_run_in_its_own_place(lineart_run, tmp_path, monkeypatch):
    import colorhelpers.evaluation.trained as trained

    monkeypatch.setattr(trained, "SHIPPED_LINEART_RUN", tmp_path / "lineart")
    monkeypatch.setattr(trained, "SHIPPED_RUN", tmp_path / "gray")
    ship_run(lineart_run[0])
    assert open_run(tmp_path / "lineart").read_config().kind == "lineart"
    assert not (tmp_path / "gray").exists()


@pytest.fixture(scope="module")
def drawings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drawings")
    Image.fromarray(to_rgb(drawing()[..., None])).save(folder / "boxes.png")
    Image.fromarray(to_rgb(drawing(gap=True)[..., None])).resize((160, 80)).save(folder / "wide.png")
    return folder


def test_cli_colors_line_art_with_hints_and_says_what_auto_chose(lineart_run, drawings, tmp_path, capsys):
    run = str(lineart_run[0].root)
    hints = tmp_path / "h.json"
    hints.write_text(json.dumps([{"x": 20, "y": 20, "color": "#d04a3a"}]))
    assert main(["colorize", "--input", str(drawings), "--kind", "lineart", "--run", run,
                 "--output", str(tmp_path / "all")]) == 0
    assert Image.open(tmp_path / "all" / "wide.png").size == (160, 80)
    assert main(["colorize", "--input", str(drawings / "boxes.png"), "--kind", "lineart", "--run", run,
                 "--hints", str(hints), "--output", str(tmp_path / "hinted")]) == 0
    red = np.asarray(Image.open(tmp_path / "hinted" / "boxes.png"))[10:30, 10:36].reshape(-1, 3).mean(0)
    assert red[0] > red[1] + 60
    reference = tmp_path / "reference.png"
    Image.fromarray(np.full((40, 80, 3), (40, 160, 60), np.uint8)).save(reference)
    assert main(["colorize", "--input", str(drawings), "--kind", "lineart", "--run", run,
                 "--reference", str(reference), "--output", str(tmp_path / "referenced")]) == 0
    assert sorted(p.name for p in (tmp_path / "referenced").iterdir()) == ["boxes.png", "wide.png"]
    capsys.readouterr()
    assert main(["colorize", "--input", str(drawings / "boxes.png"), "--kind", "auto", "--run", run,
                 "--output", str(tmp_path / "auto")]) == 0
    assert "colored as line art" in capsys.readouterr().out


def test_cli_refuses_a_run_of_the_other_kind(lineart_run, drawings, tmp_path, capsys):
    code = main(["colorize", "--input", str(drawings), "--kind", "gray", "--run", str(lineart_run[0].root),
                 "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "colors line art, not a gray picture" in err and "Traceback" not in err
    assert not list((tmp_path / "out").glob("*"))


def test_cli_refuses_a_bad_kind(drawings, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["colorize", "--input", str(drawings), "--kind", "bogus", "--output", str(tmp_path / "out")])
    assert exit_.value.code == 2 and "invalid choice: 'bogus'" in capsys.readouterr().err


def test_the_fills_shading_default_is_read_when_a_guide_is_made(monkeypatch):
    """bench.lineart --shading compares settings by setting `regions.SHADING` before colorize runs."""
    from colorhelpers.lineart import regions

    assert LineArtGuide().shading == regions.SHADING
    monkeypatch.setattr(regions, "SHADING", 0.5)
    assert LineArtGuide().shading == 0.5

"""Paint-bucket line art: trapped-ball regions, matching along the motion, the keyframe road
for line-art clips with its mask of unmatched regions, and BasicPBC's scores."""

from __future__ import annotations

import zipfile

import cv2
import keras
import numpy as np
import pytest
from PIL import Image

from colorhelpers.cli import main
from colorhelpers.clips import motion
from colorhelpers.colorize import Colorizer
from colorhelpers.colorize.media import probe, read_frames
from colorhelpers.colorize.road import full_resolution
from colorhelpers.hints import Hints
from colorhelpers.lineart.layers import composite, read_ora, split_layers, write_ora
from colorhelpers.lineart.matching import TRUST, Regions, match
from colorhelpers.lineart.paintbucket import PaintBucketGuide, Painted, PaintingColorizer, unmatched_path
from colorhelpers.lineart.regions import paper_regions
from colorhelpers.scoring.regions import paintbucket_scores
from colorhelpers.training import LINEART_RECIPE, RunDirectory, TrainConfig
from colorhelpers.training.recipe import generator_for

TINY = TrainConfig(image_size=32, generator_filters=8, encoder_weights="random", **LINEART_RECIPE)
COLORS = [(214, 110, 120), (70, 96, 168), (246, 214, 190), (52, 140, 96), (196, 200, 210)]


def picture() -> tuple[np.ndarray, np.ndarray]:
    """(line art, flat truth) uint8 RGB: shapes drawn in black, each filled with its color."""
    flat = np.full((150, 170, 3), 255, np.uint8)
    shapes = [((40, 40), 22), ((105, 50), 30), ((70, 110), 26), ((130, 115), 18), ((40, 120), 12)]
    for (x, y), r in shapes:
        cv2.circle(flat, (x, y), r, COLORS[len(COLORS) - 1 - shapes.index(((x, y), r))], -1)
    lines = np.zeros(flat.shape[:2], np.uint8)
    for (x, y), r in shapes:
        cv2.circle(lines, (x, y), r, 1, 2)
    flat[lines > 0] = 0
    return np.where(lines[..., None] > 0, 0, 255).astype(np.uint8).repeat(3, -1), flat


@pytest.fixture(scope="module")
def clip() -> tuple[motion.MovingClip, motion.MovingClip]:
    art, flat = picture()
    return (motion.moving_clip(art, frames=6, height=96, width=112, pan=(3, 4)),
            motion.moving_clip(flat, frames=6, height=96, width=112, pan=(3, 4)))


def scaled_l(rgb: np.ndarray) -> np.ndarray:
    return full_resolution(rgb[None])[0][0, ..., 0].numpy()


def test_trapped_ball_regions_close_small_gaps_and_keep_narrow_strips():
    light = np.ones((40, 90), np.float32)
    light[5:35, [5, 40, 46, 85]] = -1.0  # two boxes and a strip 5 px wide between them
    light[[5, 34], 5:86] = -1.0
    light[18, 40] = 1.0  # a one-pixel break in a line
    labels, count = paper_regions(light, gap=1)
    left, strip, right, outside = labels[20, 20], labels[20, 43], labels[20, 60], labels[2, 2]
    assert len({left, strip, right, outside}) == 4 and 0 not in {left, strip, right, outside}
    assert (labels[light < 0] == 0).all() and labels.max() == count
    labels, _ = paper_regions(light, gap=0)
    assert labels[20, 20] == labels[20, 43], "without the ball the break joins the box and the strip"


def test_regions_match_their_moved_selves(clip):
    art, _ = clip
    first, later = Regions.of(scaled_l(art.truth[0])), Regions.of(scaled_l(art.truth[3]))
    best, trust = match(later, first)
    x, y = art.previous_position(1)  # one step of the pan: (3, 4) px
    dx, dy = 3 * round(float(x[0, 0])), 3 * round(float(y[0, 0]))
    for label in range(1, later.count + 1):
        ys, xs = np.nonzero(later.labels == label)
        if len(ys) < 50 or trust[label] == 0:
            continue
        inside = (ys + dy < first.labels.shape[0]) & (xs + dx < first.labels.shape[1])
        truth = np.bincount(first.labels[ys[inside] + dy, xs[inside] + dx]).argmax()
        assert best[label] == truth and trust[label] >= TRUST


def test_scores_count_regions_and_pixels():
    art, flat = picture()
    lines = art[..., 0] == 0
    perfect = paintbucket_scores(flat, flat, lines)
    assert perfect == {"region_accuracy": 1.0, "pixel_accuracy": 1.0, "ciede2000": 0.0}
    wrong = flat.copy()
    wrong[(flat == COLORS[0]).all(-1)] = (0, 255, 0)
    scores = paintbucket_scores(wrong, flat, lines)
    assert 0.5 < scores["region_accuracy"] < 1.0
    assert scores["pixel_accuracy"] < 1.0 and scores["ciede2000"] > 0.5


@pytest.fixture(scope="module")
def colorizer() -> Colorizer:
    keras.utils.set_random_seed(0)
    return Colorizer(generator_for(TINY, any_size=True), TINY.image_size)


def test_the_guide_fills_from_a_keyframe_keeps_the_lines_and_reports_what_it_could_not_match(colorizer, clip):
    art, flat = clip
    key = Painted.keyframe(scaled_l(art.truth[0]), flat.truth[0])
    guide = PaintBucketGuide({0: key})
    out = list(PaintingColorizer.of(colorizer).frames(art.truth, guide))
    shape = art.truth[0].shape[:2]
    assert not guide.unmatched_mask(0, shape).any(), "a keyframe's own regions are all matched"
    for t in range(6):
        lines = art.truth[t][..., 0] == 0
        assert (out[t][lines] == 0).all(), "lines stay as drawn"
        matched = ~lines & ~guide.unmatched_mask(t, shape)
        np.testing.assert_array_equal(out[t][matched], flat.truth[t][matched])
    # What the pan reveals at the bottom right was never in the keyframe.
    revealed = guide.unmatched_mask(5, shape)
    assert revealed[-20:].any() and not revealed[:30].any()


def test_cli_colors_a_line_art_clip_from_a_keyframe_and_writes_the_mask_beside_it(tmp_path, clip, capsys):
    art, flat = clip
    run = RunDirectory(tmp_path / "run")
    run.config_file.parent.mkdir(parents=True)
    run.config_file.write_text(TINY.to_json())
    run.generator_weights(1).parent.mkdir(parents=True)
    generator_for(TINY).save_weights(run.generator_weights(1))
    images = [Image.fromarray(f) for f in art.truth]
    images[0].save(tmp_path / "clip.gif", save_all=True, append_images=images[1:], duration=80, loop=0)
    Image.fromarray(flat.truth[0]).save(tmp_path / "key.png")
    assert main(["colorize", "--run", str(run.root), "--kind", "lineart",
                 "--input", str(tmp_path / "clip.gif"), "--keyframe", f"0:{tmp_path / 'key.png'}", "--layers",
                 "--output", str(tmp_path / "out")]) == 0
    assert "colored 6 frames of clip.gif from 1 keyframe(s)" in capsys.readouterr().out
    out = [f for f, _ in read_frames(probe(tmp_path / "out" / "clip.gif"))]
    masks = [f for f, _ in read_frames(probe(unmatched_path(tmp_path / "out" / "clip.gif")))]
    assert len(out) == len(masks) == 6
    np.testing.assert_array_equal(out[0], np.where(art.truth[0] == 0, 0, flat.truth[0]))
    assert masks[0].max() == 0 and masks[5].max() == 255
    layers = sorted((tmp_path / "out" / "clip.layers").iterdir())
    assert [p.name for p in layers] == [f"{t:04d}.ora" for t in range(6)]
    np.testing.assert_array_equal(read_ora(layers[0])["flats"][art.truth[0][..., 0] > 0],
                                  flat.truth[0][art.truth[0][..., 0] > 0])


def test_layers_are_an_openraster_file_that_reads_back(tmp_path):
    art, flat = picture()
    shaded = flat.copy()
    shaded[:, ::4] = (shaded[:, ::4] * 0.8).astype(np.uint8)  # hatching over a quarter of each region
    path = write_ora(tmp_path / "picture.ora", split_layers(art, shaded))
    with zipfile.ZipFile(path) as ora:
        first = ora.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert "mergedimage.png" in ora.namelist()
    layers = read_ora(path)
    assert list(layers) == ["lines", "shading", "flats"]
    paper = art[..., 0] > 0
    np.testing.assert_array_equal(layers["flats"][paper], flat[paper])
    assert (layers["lines"][..., 3][~paper] == 255).all() and (layers["lines"][..., 3][paper] == 0).all()
    hatched = paper & (np.arange(170) % 4 == 0)
    assert layers["shading"][hatched].max() < 215 and (layers["shading"][paper & ~hatched] == 255).all()
    assert np.abs(composite(layers).astype(int) - shaded)[paper].max() <= 2


def test_a_hint_on_a_frame_recolors_its_region_there_and_after(colorizer, clip):
    art, flat = clip
    key = Painted.keyframe(scaled_l(art.truth[0]), flat.truth[0])
    y, x = 40, 50  # inside a circle in frame 2
    assert art.truth[2][y, x, 0] == 255 and flat.truth[2][y, x, 0] != 255
    hints = {2: Hints(np.array([y]), np.array([x]), np.array([[0, 200, 0]], np.uint8))}
    out = list(PaintingColorizer.of(colorizer).frames(art.truth[:4], PaintBucketGuide({0: key}, hints)))
    assert tuple(out[1][y, x]) == tuple(flat.truth[1][y, x]), "before the hint, the keyframe's color"
    assert tuple(out[2][y, x]) == (0, 200, 0)
    x3, y3 = x - 3, y - 4  # the same point of the picture one frame later (the pan moves 3, 4)
    assert tuple(out[3][y3, x3]) == (0, 200, 0), "the hinted color is passed on"

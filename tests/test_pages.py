"""Manga pages and palettes: panels, screentone, the palette book, and `colorize --kind manga --palette`."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from PIL import Image

from colorhelpers import cli
from colorhelpers.data import DataError
from colorhelpers.hints import HintGuide
from colorhelpers.hints.palette import (
    merged,
    palette_from_picture,
    read_palette,
    swatch_picture,
    write_palette,
)
from colorhelpers.hints.reference import shifted_mirror
from colorhelpers.lineart import Models, choose_kind
from colorhelpers.pages import colorize_page, descreen, find_panels, find_screen
from colorhelpers.pages.page import page_gray
from colorhelpers.pages.repeats import find_repeats, shared_weight
from colorhelpers.pages.screentone import SCREENED
from colorhelpers.pages.testpages import PANELS, build_page, consistency, gray_page, page_scores, screentone
from tests.conftest import FIXTURE


def character(name: str) -> np.ndarray:
    return np.asarray(Image.open(FIXTURE / "heldout" / name).convert("RGB"))


NAMES = sorted(p.name for p in (FIXTURE / "heldout").glob("*.png"))


@pytest.fixture(scope="module")
def page():
    """A third of a full test page (400x600): small enough for fast tests."""
    return build_page(character(NAMES[0]), character(NAMES[-1]), scale=1 / 3)


@pytest.fixture(scope="module")
def colorizer():
    return Models().get("manga")[0]


def test_the_panels_of_a_page_are_found_and_a_page_without_gutters_is_one(page):
    found = find_panels(page_gray(page.truth))
    expected = [(round(left / 3), round(top / 3)) for left, top, _, _ in PANELS]
    assert len(found) == 3 and all(abs(p.left - x) <= 2 and abs(p.top - y) <= 2
                                   for p, (x, y) in zip(sorted(found, key=lambda p: (p.left, p.top)),
                                                        sorted(expected)))
    full = np.full((300, 200), 90, np.uint8)
    assert [(p.top, p.bottom, p.left, p.right) for p in find_panels(full)] == [(0, 300, 0, 200)]


def test_a_dot_screen_is_found_with_its_period_and_descreened_toward_the_digital_gray(page):
    gray = page_gray(gray_page(page.truth))
    toned = page_gray(screentone(gray_page(page.truth), period=5))
    strength, period = find_screen(toned)
    assert strength > SCREENED > find_screen(gray)[0]
    assert period == pytest.approx(5, abs=0.3)
    error = [np.mean((x[page.inside].astype(float) - gray[page.inside]) ** 2)
             for x in (toned, descreen(toned))]
    assert error[1] < error[0] / 6


def test_auto_tells_pages_from_single_pictures_only_where_pages_are_offered(page):
    assert choose_kind(page.truth, "auto", pages=True)[0] == "manga"
    assert choose_kind(page.truth, "auto")[0] == "gray"  # the web app colors single pictures
    assert choose_kind(character("f_mullins_00.png"), "auto", pages=True)[0] == "gray"


def test_a_palette_names_regions_round_trips_and_refuses_bad_files(tmp_path):
    palette = palette_from_picture(character("f_mullins_00.png"), "mullins", "f_mullins_00.png")
    assert len(palette.swatches) >= 4 and "skin" in {s.name for s in palette.swatches}
    path, swatch = write_palette(palette, tmp_path)
    assert read_palette("mullins", tmp_path) == palette == read_palette(path)
    assert Image.open(swatch).size[::-1] == swatch_picture(palette).shape[:2]
    bad = tmp_path / "bad.json"
    for text in ("{", '{"regions": [{"name": "hair"}]}', json.dumps({"regions": [{
            "name": "x", "color": "red", "lightness": 1, "area": 1, "height": 1, "offset": 0}]})):
        bad.write_text(text)
        with pytest.raises(DataError, match="bad.json"):
            read_palette(bad)
    with pytest.raises(DataError, match="no palette file"):
        read_palette("nobody", tmp_path)


def test_palettes_bring_a_page_closer_to_its_colors_than_automatic(page, colorizer):
    small = page
    gray = gray_page(small.truth)
    palettes = [palette_from_picture(shifted_mirror(character(n)), n) for n in (NAMES[0], NAMES[-1])]
    automatic = colorize_page(colorizer, gray)
    guided = colorize_page(colorizer, gray, lambda hints: HintGuide(palette=merged(palettes)))
    assert len(automatic.panels) == 3 and not automatic.screened
    assert page_scores(guided.rgb, small)["ciede2000"] < page_scores(automatic.rgb, small)["ciede2000"]
    # Lines, lettering and gutters keep their gray.
    assert np.abs(page_gray(guided.rgb).astype(int) - page_gray(gray)).mean() < 2
    assert consistency(small.truth, small) < consistency(guided.rgb, small)


def test_a_panel_repeating_another_is_found_and_colored_like_it(page, colorizer):
    gray = gray_page(page.truth)
    grays = [page_gray(gray)[p.slices()] for p in find_panels(page_gray(gray))]
    repeats = find_repeats(grays)
    # Panel B (the face enlarged) gives its colors to panel A; panel C (another character) neither.
    (target, repeat), = repeats.items()
    true_zoom = np.ptp(page.map_b[:, 0]) / np.ptp(page.map_a[:, 0])
    assert grays[target].shape[1] > grays[repeat.source].shape[1]
    assert repeat.zoom == pytest.approx(true_zoom, rel=0.02)
    weight = shared_weight(grays[target], grays[repeat.source], repeat.matrix)
    assert 0.05 < (weight == 1).mean() < 0.6
    assert find_repeats([grays[0], np.fliplr(grays[2])]) == {}
    copied = colorize_page(colorizer, gray)
    assert copied.repeats.keys() == {target} and "repeats panel" in copied.describe()
    # Without the copy (each panel on its own), the two zooms disagree far more.
    alone = colorize_page(colorizer, gray, copy_repeats=False)
    assert consistency(copied.rgb, page) < consistency(alone.rgb, page) / 3
    assert consistency(copied.rgb, page) < 3 * consistency(page.truth, page)


def run_cli(*args) -> int:
    saved = warnings.showwarning
    try:
        return cli.main([*map(str, args)])
    finally:
        warnings.showwarning = saved


def test_cli_makes_a_palette_and_colors_a_screened_page_with_it(tmp_path, page, capsys):
    reference = tmp_path / "ref.png"
    Image.fromarray(shifted_mirror(character("f_mullins_00.png"))).save(reference)
    assert run_cli("palette", "--from", reference, "--name", "mullins", "--folder", tmp_path / "pal") == 0
    assert (tmp_path / "pal" / "mullins.png").is_file()
    Image.fromarray(screentone(gray_page(page.truth), period=5)).save(tmp_path / "page.png")
    status = run_cli("colorize", "--input", tmp_path / "page.png", "--output", tmp_path / "out",
                     "--kind", "auto",
                     "--palette", tmp_path / "pal" / "mullins.json")
    out = capsys.readouterr().out
    assert status == 0 and "a manga page" in out and "screentone descreened" in out
    assert np.asarray(Image.open(tmp_path / "out" / "page.png")).shape == (600, 400, 3)
    assert run_cli("colorize", "--input", tmp_path / "page.png", "--output", tmp_path / "o2",
                   "--palette", "nobody") == 2
    assert "no palette file" in capsys.readouterr().err and not (tmp_path / "o2").exists()
    assert run_cli("palette", "--from", reference, "--name", "../x") == 2

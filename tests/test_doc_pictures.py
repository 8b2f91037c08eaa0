"""Every picture of README.md and docs/ that the shipped models draw is what today's code draws.

bench/doc_pictures.py redraws each one through the README's own `colorize` commands
(`make pictures`); these tests draw them again into a temporary folder and compare.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import REPO
from PIL import Image

from bench import doc_pictures


@pytest.mark.parametrize("name", doc_pictures.PICTURES)
def test_the_committed_picture_is_what_today_s_code_draws(name):
    assert doc_pictures.differs(name) is None


def test_every_picture_the_docs_show_is_drawn_by_a_command():
    """The pictures doc_pictures does not draw are the ones its docstring names another command for."""
    # lineart-drawing.png is an input of the README's commands
    others = {"lineart.png", "anime-faces.png", "gan-gallery.png", "widgets-epoch-slider.png",
              "hints-widget.png", "app.png", "lineart-drawing.png"}
    assert {p.name for p in (REPO / "docs").glob("*.png")} == set(doc_pictures.PICTURES) | others
    for name in others - {"lineart-drawing.png"}:
        assert name in doc_pictures.__doc__ or name.replace(".png", "") in doc_pictures.__doc__


def test_a_changed_picture_is_reported(tmp_path):
    shutil.copy(REPO / "docs" / "sample-gray.png", tmp_path)
    assert doc_pictures.differs("sample-gray.png", tmp_path) is None
    pixels = np.asarray(Image.open(tmp_path / "sample-gray.png").convert("RGB")).copy()
    pixels[:2, :2] += 1  # one level: rounding, allowed
    Image.fromarray(pixels).save(tmp_path / "sample-gray.png")
    assert doc_pictures.differs("sample-gray.png", tmp_path) is None
    pixels[:2, :2] += 2
    Image.fromarray(pixels).save(tmp_path / "sample-gray.png")
    problem = doc_pictures.differs("sample-gray.png", tmp_path)
    assert problem is not None and "4 pixels differ" in problem, problem
    (tmp_path / "sample-gray.png").unlink()
    assert "missing" in doc_pictures.differs("sample-gray.png", tmp_path)

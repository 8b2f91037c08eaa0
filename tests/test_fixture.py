"""data/fixture, the tests' tiny data set: a slice of data/anime, the default data.

Its files are byte-identical copies of data/anime's, under the same names and on the same
side of the split, chosen by data/build_fixture.py (which rebuilds it).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE, ANIME = REPO / "data" / "fixture", REPO / "data" / "anime"
SPLITS = ("train", "heldout")


def _builder():
    spec = importlib.util.spec_from_file_location("build_fixture", REPO / "data" / "build_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def files(root: Path, split: str) -> list[Path]:
    return sorted(p for p in (root / split).iterdir() if p.is_file())


def test_fixture_has_the_layout_of_the_default_data():
    assert sorted(p.name for p in FIXTURE.iterdir() if p.is_dir()) == sorted(SPLITS)
    assert [len(files(FIXTURE, split)) for split in SPLITS] == [24, 8]
    assert all(p.suffix == ".png" for split in SPLITS for p in files(FIXTURE, split))


@pytest.mark.parametrize("split", SPLITS)
def test_fixture_files_are_byte_identical_copies_from_the_same_side(split):
    for path in files(FIXTURE, split):
        source = ANIME / split / path.name
        assert source.is_file(), f"{split}/{path.name} is not in data/anime/{split}"
        assert path.read_bytes() == source.read_bytes(), f"{split}/{path.name} differs from data/anime's"


def test_fixture_keeps_the_identity_split():
    builder = _builder()
    sides = {split: {builder.identity(p.name) for p in files(FIXTURE, split)} for split in SPLITS}
    assert not sides["train"] & sides["heldout"]
    assert len(sides["train"]) == 24 and len(sides["heldout"]) == 8  # one image per identity


def test_fixture_is_what_the_builder_chooses_and_small():
    chosen = {split: [p.name for p in files(FIXTURE, split)] for split in SPLITS}
    assert _builder().fixture_files(ANIME) == chosen
    assert sum(p.stat().st_size for split in SPLITS for p in files(FIXTURE, split)) < 600_000

"""Shared fixtures: the repository's fixture data (data/fixture, 24 + 8 PNGs of data/anime) and
folders of synthetic images."""

from __future__ import annotations

import io
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "data" / "fixture"


def colorful_array(size: int, seed: int, height: int | None = None) -> np.ndarray:
    """A smooth, saturated uint8 RGB image (gradients compress well and are never gray)."""
    height = height or size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:size].astype(np.float64)
    phase = rng.uniform(0, 2 * np.pi, 3)
    freq = rng.uniform(0.5, 2.0, 3)
    channels = [
        0.5 + 0.5 * np.sin(freq[c] * 2 * np.pi * (x / size + (c + 1) * y / height) + phase[c])
        for c in range(3)
    ]
    return (np.stack(channels, -1) * 255).round().astype(np.uint8)


def save(image: Image.Image, path: Path, **kwargs) -> Path:
    image.save(path, **kwargs)
    return path


@pytest.fixture(scope="session")
def fixture_train() -> list[Path]:
    return sorted((FIXTURE / "train").glob("*.png"))


@pytest.fixture(scope="session")
def fixture_heldout() -> list[Path]:
    return sorted((FIXTURE / "heldout").glob("*.png"))


@pytest.fixture(scope="session")
def image_zoo(tmp_path_factory) -> dict[str, Path]:
    """One folder holding every kind of file `find_images` must judge, keyed by role."""
    folder = tmp_path_factory.mktemp("zoo")
    files: dict[str, Path] = {}
    rgb = Image.fromarray(colorful_array(32, 0))

    files["good_jpg"] = save(rgb, folder / "good.jpg", quality=95)
    files["good_png"] = save(Image.fromarray(colorful_array(32, 1)), folder / "good.png")

    good_jpeg = io.BytesIO()
    rgb.save(good_jpeg, "JPEG")
    header = good_jpeg.getvalue()[:20]  # SOI + APP0 (JFIF) marker: identifies as a JPEG
    garbage = np.random.default_rng(5).integers(0, 256, 2000, dtype=np.uint8).tobytes()
    files["corrupt_jpg"] = folder / "corrupt.jpg"
    files["corrupt_jpg"].write_bytes(header + garbage)

    good_png = io.BytesIO()
    Image.fromarray(colorful_array(64, 2)).save(good_png, "PNG")
    files["truncated_png"] = folder / "truncated.png"
    files["truncated_png"].write_bytes(good_png.getvalue()[: len(good_png.getvalue()) // 3])

    files["text_jpg"] = folder / "notes.jpg"
    files["text_jpg"].write_text("These are my notes, not a picture.\n")
    files["empty_png"] = folder / "empty.png"
    files["empty_png"].write_bytes(b"")
    files["tiny_png"] = save(Image.new("RGB", (1, 1), (255, 0, 0)), folder / "tiny.png")
    files["gray_jpg"] = save(Image.fromarray(colorful_array(32, 3)).convert("L"), folder / "gray.jpg")
    ramp = np.linspace(0, 65535, 32 * 32).reshape(32, 32).astype(np.uint16)
    files["gray16_png"] = save(Image.fromarray(ramp), folder / "gray16.png")
    files["cmyk_jpg"] = save(rgb.convert("CMYK"), folder / "cmyk.jpg", quality=95)
    rgba = np.dstack([colorful_array(32, 4), np.full((32, 32), 128, np.uint8)])
    files["rgba_png"] = save(Image.fromarray(rgba, "RGBA"), folder / "rgba.png")
    files["palette_png"] = save(
        Image.fromarray(colorful_array(32, 5)).convert("P", palette=Image.Palette.ADAPTIVE),
        folder / "palette.png",
    )
    files["large_jpg"] = save(
        Image.fromarray(colorful_array(300, 6, height=200)).resize((3000, 2000)),
        folder / "large.jpg",
        quality=80,
    )
    files["webp"] = save(Image.fromarray(colorful_array(32, 7)), folder / "image.webp")
    return files


#: Roles in `image_zoo` that `find_images` must keep (color images TensorFlow can decode).
ZOO_KEPT = {"good_jpg", "good_png", "cmyk_jpg", "rgba_png", "palette_png", "large_jpg"}
#: Usable but already gray: kept only with require_color=False.
ZOO_GRAY = {"gray_jpg", "gray16_png"}


@pytest.fixture(scope="session")
def color_folder(tmp_path_factory):
    """A factory: a flat folder of `count` distinct colorful 16 px PNGs."""

    def make(count: int, name: str = "flat") -> Path:
        folder = tmp_path_factory.mktemp(name)
        for i in range(count):
            array = colorful_array(16, 100 + i)
            # Distinct overall brightness per image, so images can be told apart by their L sum.
            array = np.clip(array.astype(np.int16) // 2 + 4 * i, 0, 255).astype(np.uint8)
            Image.fromarray(array).save(folder / f"img_{i:02d}.png")
        return folder

    return make



def pytest_xdist_make_scheduler(config, log):
    """`make test` runs two pytest-xdist workers. Tests go out a module at a time, except that
    every notebook goes to one worker, in order (they share the runs notebook 04 trains, and
    nbval runs a notebook's cells in one kernel), and both browser tests (each starts a
    JupyterLab) to one worker."""
    from xdist.scheduler import LoadScopeScheduling

    class NotebooksTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path.endswith(".ipynb"):
                return "notebooks"
            return "browser" if "test_browser" in path else path

    return NotebooksTogether(config, log)

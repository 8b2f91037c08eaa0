"""colorhelpers.colorize.media's GIF palettes, as notebook 10 and the module's docstring say:
a frame keeps the previous frame's palette while it fits, and gets a new one when it does
not, or when it has 256 colors or fewer (then exactly its own colors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import FIXTURE
from PIL import Image

from colorhelpers.colorize import media


def color_tables(data: bytes) -> list[bytes | None]:
    """The local color table of every frame of a GIF file (None for a frame without one)."""
    pos = 13 + (3 * 2 ** ((data[10] & 7) + 1) if data[10] & 0x80 else 0)  # header, global table
    tables = []
    while data[pos] != 0x3B:  # the trailer
        if data[pos] == 0x21:  # an extension: its label, then sub-blocks
            pos += 2
        else:  # 0x2C, an image: descriptor, local table, LZW code size, then sub-blocks
            packed, pos = data[pos + 9], pos + 10
            size = 3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0
            tables.append(data[pos:pos + size] if size else None)
            pos += size + 1
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    return tables


def test_steady_frames_share_a_palette_and_a_gray_one_gets_its_own(tmp_path: Path):
    picture = np.asarray(Image.open(sorted((FIXTURE / "heldout").glob("*.png"))[0]).convert("RGB"))
    noise = np.random.default_rng(0).integers(0, 256, picture.shape, dtype=np.uint8)
    gray = np.full_like(picture, 128)
    frames = [np.roll(picture, i, axis=1) for i in range(4)] + [noise, gray]
    path = tmp_path / "clip.gif"
    with media.ClipWriter(path, media.ClipInfo(path, picture.shape[1], picture.shape[0], len(frames),
                                               loop=0)) as writer:
        for frame in frames:
            writer.write(frame, 80)
    tables = color_tables(path.read_bytes())
    assert len(tables) == len(frames) and all(t is not None for t in tables)
    assert len(set(tables[:4])) == 1  # a moving picture keeps its first palette
    assert tables[4] != tables[3]  # noise does not fit it: a new palette
    assert tables[5] not in tables[:5]  # the gray frame: its own
    with Image.open(path) as image:
        image.seek(5)
        assert np.array_equal(np.asarray(image.convert("RGB")), gray)  # exactly
        image.seek(1)
        error = np.abs(np.asarray(image.convert("RGB"), np.int16) - frames[1]).mean()
        assert error <= media.PALETTE_ERROR

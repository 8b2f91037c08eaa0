"""The web app without a browser: upload checks, sessions kept apart, hints JSON round trip, handlers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorhelpers.app import handlers, uploads
from colorhelpers.app.session import Session
from colorhelpers.hints.points import HintsError, read_hints

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "docs" / "sample-gray.png"


@pytest.fixture(scope="module")
def models():
    from colorhelpers.lineart.kind import Models

    return Models()


def test_a_text_file_named_png_is_refused_by_its_content(tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("not a picture\n")
    with pytest.raises(uploads.UploadError, match=r"notes\.png: not a picture"):
        uploads.check_picture(fake)


def test_an_empty_file_and_a_video_named_png_are_refused(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(uploads.UploadError, match="empty"):
        uploads.check_picture(tmp_path / "empty.png")
    (tmp_path / "clip.png").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    with pytest.raises(uploads.UploadError, match="a video"):
        uploads.check_picture(tmp_path / "clip.png")


def test_limits_on_bytes_pixels_and_frames(tmp_path):
    still = tmp_path / "big.png"
    Image.fromarray(np.full((64, 80, 3), 128, np.uint8)).save(still)
    with pytest.raises(uploads.UploadError, match="MB is more than the app takes"):
        uploads.check_picture(still, max_bytes=10)
    with pytest.raises(uploads.UploadError, match="5,120 pixels, more than the app takes"):
        uploads.check_picture(still, max_pixels=5000)
    frames = [Image.fromarray(np.full((16, 16, 3), 40 * i, np.uint8)) for i in range(4)]
    gif = tmp_path / "anim.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    with pytest.raises(uploads.UploadError, match="4 frames, more than the app takes"):
        uploads.check_picture(gif, max_frames=3)
    with pytest.raises(uploads.UploadError, match="animated GIF"):
        uploads.check_picture(gif)


def test_a_good_picture_passes_whatever_its_name(tmp_path):
    renamed = tmp_path / "picture.txt"
    renamed.write_bytes(SAMPLE.read_bytes())
    picture = uploads.check_picture(renamed, "mine.txt")
    assert picture.name == "mine.txt" and picture.rgb.shape == (128, 128, 3) and picture.rgb.dtype == np.uint8


def test_hints_files_are_checked_like_hints(tmp_path):
    bad = tmp_path / "hints.json"
    bad.write_text(json.dumps([{"x": 500, "y": 1, "color": "#ffffff"}]))
    with pytest.raises(HintsError, match="outside the 128x128 image"):
        uploads.check_hints(bad, 128, 128)
    bad.write_text("[" * 100)
    with pytest.raises(HintsError, match="not JSON"):
        uploads.check_hints(bad, 128, 128)


def test_hints_json_round_trip_and_two_sessions_apart(models, tmp_path):
    rgb = uploads.check_picture(SAMPLE).rgb
    one = Session.open(models, "a.png", rgb, "gray", 1.0, tmp_path)
    two = Session.open(models, "b.png", rgb, "gray", 1.0, tmp_path)
    automatic = one.result()
    one.add_point(64, 100, "#3A6FD0")
    one.add_point(500, 500, "#000000")  # outside the picture: ignored
    assert two.points == [] and len(one.points) == 1
    hinted = one.result()
    assert not np.array_equal(hinted, automatic)
    np.testing.assert_array_equal(two.result(), automatic)  # the other tab is untouched

    png, hints_file = one.write_downloads(hinted)
    assert png.parent == hints_file.parent == one.folder and one.folder.parent == tmp_path
    read = read_hints(hints_file, 128, 128)  # as `colorize --hints` reads it
    assert read.to_points() == [{"x": 64, "y": 100, "color": "#3a6fd0"}]
    two.set_points(uploads.check_hints(hints_file, *two.size))  # loaded into another tab
    np.testing.assert_array_equal(two.result(), hinted)
    np.testing.assert_array_equal(np.asarray(Image.open(png)), hinted)

    one.close()
    assert not one.folder.exists()


def test_handlers_refuse_in_one_line_and_keep_the_session(models, tmp_path):
    view = handlers.open_picture(models, tmp_path, None, str(SAMPLE), "auto", 1.0)
    assert "colored as a gray picture (detected:" in view.status
    fake = tmp_path / "fake.png"
    fake.write_text("hello")
    refused = handlers.open_picture(models, tmp_path, view.session, str(fake), "auto", 1.0)
    assert refused.session is handlers.KEEP and handlers.ERROR_CLASS in refused.status
    assert "fake.png: not a picture" in refused.status and "Traceback" not in refused.status
    assert view.session.folder.exists()  # the open picture stays
    hinted = handlers.add_point(view.session, 10, 10, "#d04a3a")
    assert "#d04a3a at (10, 10)" in hinted.swatches
    assert handlers.undo(view.session).swatches == handlers.swatches([])
    assert handlers.ERROR_CLASS in handlers.undo(None).status  # nothing open yet: a message

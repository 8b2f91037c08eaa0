"""bench.gan_tradeoff: the saturation that matches a colorfulness, and the page's table of it."""

from __future__ import annotations

import numpy as np
import pytest

from bench import gan_tradeoff, tables
from colorhelpers.color.lab import l_ab_to_rgb, rgb_to_l_ab
from colorhelpers.data import load_images
from colorhelpers.scoring.metrics import evaluate_generator


@pytest.fixture(scope="module")
def batches(fixture_heldout):
    real = np.asarray(load_images(fixture_heldout, 32), np.float32) / 255.0
    l_norm, ab = (np.asarray(t) for t in rgb_to_l_ab(real))
    return [(l_norm, ab)]


def muted_truth(batches):
    """A 'model' that answers half the truth's colors: the knob at 2 gives them back."""
    truth = {id(l_norm): ab for l_norm, ab in batches}
    return lambda l_norm, training=False: 0.5 * truth[id(l_norm)]


def test_the_matched_saturation_paints_as_colorfully_as_asked(batches):
    model = muted_truth(batches)
    wanted = evaluate_generator(model, batches, saturation=1.5)["colorfulness_ratio"]
    (l_norm, ab), = batches
    found = gan_tradeoff.matched_saturation(l_norm, 0.5 * ab, ab, wanted)
    assert found == pytest.approx(1.5, abs=0.02)
    ratio = evaluate_generator(model, batches, saturation=found)["colorfulness_ratio"]
    assert ratio == pytest.approx(wanted, abs=0.01)


def test_a_colorfulness_out_of_reach_gets_the_highest_saturation(batches):
    (l_norm, ab), = batches
    assert gan_tradeoff.matched_saturation(l_norm, 0.5 * ab, ab, 50.0, high=3.0) == 3.0


def test_an_answer_scores_predictions_as_evaluate_generator_does(batches):
    (l_norm, ab), = batches
    real = (np.asarray(l_ab_to_rgb(l_norm, ab)) * 255).round().astype(np.uint8)
    scored = gan_tradeoff.answer(0.5 * ab, l_norm, ab, real, 1.5, seeds=[0])
    expected = evaluate_generator(muted_truth(batches), batches, saturation=1.5)
    for name in ("psnr", "ciede2000", "colorfulness_ratio"):
        assert scored[name] == pytest.approx(expected[name], rel=1e-5), name


def test_the_table_names_the_run_and_every_answer():
    row = {"saturation": 1.2, "psnr": 20.0, "ciede2000": 11.5, "colorfulness_ratio": 0.7, "judge": 0.9,
           "judge_std": 0.01}
    data = {"run_name": "GAN: + 5 adversarial epochs",
            "folders": {"data/anime/heldout": {"images": 60, "answers": {"gray answer": row, "run": row}}}}
    table = tables.tradeoff_table(data)
    assert "| held-out anime characters (60) | GAN: + 5 adversarial epochs | 1.20 |" in table
    assert "| gray answer |" in table and "90.0 ± 1.0" in table
    assert differences_line(data).startswith("data/anime/heldout: at colorfulness 0.70")


def differences_line(data):
    answers = data["folders"]["data/anime/heldout"]["answers"]
    folders = {"data/anime/heldout": {"answers": {**answers, "L1 only, same colorfulness": answers["run"]}}}
    return gan_tradeoff.differences(folders)[0]

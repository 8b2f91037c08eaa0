"""colorhelpers.scoring.metrics: each metric against its definition, and evaluate_generator end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest
from skimage import color

from colorhelpers.data import eval_batches
from colorhelpers.scoring import (
    ab_auc,
    auc_counts,
    ciede2000,
    colorfulness,
    evaluate_generator,
    predict_ab,
    psnr,
    rebalanced_auc,
)


def random_lab(shape, seed):
    rgb = np.random.default_rng(seed).random((*shape, 3))
    return color.rgb2lab(rgb)


def test_psnr_identical_images_is_very_high():
    rgb = np.random.default_rng(0).random((2, 4, 4, 3))
    assert np.all(psnr(rgb, rgb) >= 90.0)


def test_psnr_matches_its_definition():
    pred = np.zeros((1, 2, 2, 3))
    true = np.zeros((1, 2, 2, 3))
    true[0, 0, 0, 0] = 1.0  # one channel of one pixel fully wrong
    true[0, 1, 1] = 0.5
    mse = (1.0 + 3 * 0.25) / 12
    np.testing.assert_allclose(psnr(pred, true), [10 * math.log10(1 / mse)])
    # Per image, and worse images score lower.
    pair = psnr(np.stack([pred[0], pred[0]]), np.stack([true[0], true[0] * 0.5]))
    assert pair.shape == (2,) and pair[0] < pair[1]


def test_ciede2000_zero_for_identical_and_matches_skimage():
    lab_a = random_lab((2, 5, 5), seed=1)
    lab_b = random_lab((2, 5, 5), seed=2)
    np.testing.assert_allclose(ciede2000(lab_a, lab_a), 0.0, atol=1e-9)
    expected = color.deltaE_ciede2000(lab_b, lab_a, channel_axis=-1).mean(axis=(1, 2))
    np.testing.assert_allclose(ciede2000(lab_a, lab_b), expected, rtol=1e-6)
    assert np.all(ciede2000(lab_a, lab_b) > 1.0)


def slow_auc(lab_pred, lab_true):
    scores = []
    for pred, true in zip(lab_pred, lab_true):
        errors = [
            math.hypot(p[1] - t[1], p[2] - t[2])
            for p, t in zip(pred.reshape(-1, 3), true.reshape(-1, 3))
        ]
        fractions = [sum(e <= t for e in errors) / len(errors) for t in range(151)]
        scores.append(sum(fractions) / len(fractions))
    return np.array(scores)


def test_ab_auc_is_one_for_identical_and_matches_a_direct_loop():
    lab_true = random_lab((2, 4, 4), seed=3)
    np.testing.assert_allclose(ab_auc(lab_true, lab_true), 1.0)
    lab_pred = random_lab((2, 4, 4), seed=4)
    lab_pred[..., 0] = 0.0  # L is ignored by the AuC
    np.testing.assert_allclose(ab_auc(lab_pred, lab_true), slow_auc(lab_pred, lab_true), atol=1e-12)


def test_ab_auc_decreases_as_ab_error_grows():
    lab_true = random_lab((1, 6, 6), seed=5)
    scores = []
    for shift in (0.0, 5.0, 20.0, 60.0, 200.0):
        lab_pred = lab_true.copy()
        lab_pred[..., 1] += shift
        scores.append(float(ab_auc(lab_pred, lab_true)[0]))
    assert scores[0] == 1.0
    assert all(a > b for a, b in zip(scores, scores[1:])), scores
    assert scores[-1] == 0.0  # beyond the last threshold, nothing counts


def test_colorfulness_gray_dull_and_saturated():
    rng = np.random.default_rng(6)
    gray = np.repeat(rng.random((1, 8, 8, 1)), 3, axis=-1)
    np.testing.assert_allclose(colorfulness(gray), 0.0, atol=1e-9)
    saturated = rng.random((1, 8, 8, 3))
    dull = 0.5 + 0.1 * (saturated - 0.5)
    assert colorfulness(saturated)[0] > colorfulness(dull)[0] > 0.0


@pytest.fixture(scope="module")
def heldout_batches(fixture_heldout):
    return [(lum.numpy(), ab.numpy()) for lum, ab in eval_batches(fixture_heldout, 32, batch_size=4)]


def test_gray_answer_has_no_colorfulness(heldout_batches):
    scores = evaluate_generator(None, heldout_batches)
    assert set(scores) == {"psnr", "ciede2000", "auc", "colorfulness_ratio", "auc_rebalanced",
                           "colorfulness_gap"}
    # Not exactly 0: with the sRGB matrix and D65 white that scikit-image also uses,
    # Lab (L, 0, 0) decodes to R, G, B differing by up to 0.01 of an 8-bit level
    # (inv(M) @ white = [1.00001, 0.99999, 1.00008]), a ratio of ~1e-4.
    assert abs(scores["colorfulness_ratio"]) < 1e-3
    assert all(math.isfinite(v) for v in scores.values())
    assert 0.0 < scores["auc"] < 1.0 and scores["ciede2000"] > 0.0 and scores["psnr"] > 0.0


class TrueAnswer:
    """A stand-in generator that returns the true ab of whatever L it is given."""

    def __init__(self, batches):
        self.answers = {lum.tobytes(): ab for lum, ab in batches}
        self.calls = []

    def __call__(self, l_norm, training=None):
        self.calls.append(training)
        return self.answers[np.asarray(l_norm, np.float32).tobytes()]


def test_perfect_generator_scores_perfectly(heldout_batches):
    stub = TrueAnswer(heldout_batches)
    scores = evaluate_generator(stub, heldout_batches)
    assert stub.calls and all(training is False for training in stub.calls)  # inference mode
    assert scores["auc"] == pytest.approx(1.0)
    assert scores["ciede2000"] == pytest.approx(0.0, abs=1e-6)
    assert scores["colorfulness_ratio"] == pytest.approx(1.0)
    assert scores["psnr"] >= 90.0
    assert scores["auc_rebalanced"] == pytest.approx(1.0) and scores["colorfulness_gap"] < 1e-6
    gray = evaluate_generator(None, heldout_batches)
    assert gray["auc"] < scores["auc"] and gray["psnr"] < scores["psnr"]
    # Gray is close to the common near-white pixels: rebalancing counts every color alike.
    assert gray["auc_rebalanced"] < gray["auc"]
    assert gray["colorfulness_gap"] > 1.0


def test_rebalanced_auc_equals_plain_auc_within_one_color_bin():
    lab_true = random_lab((2, 6, 6), seed=3)
    lab_true[..., 1:] = [20.0, -15.0]  # every pixel in one ab bin
    lab_pred = lab_true + np.random.default_rng(4).normal(0, 8, lab_true.shape)
    assert rebalanced_auc(auc_counts(lab_pred, lab_true)) == pytest.approx(ab_auc(lab_pred, lab_true).mean())


def test_rebalanced_auc_weighs_a_rare_color_like_a_common_one():
    lab_true = np.zeros((1, 10, 10, 3))
    lab_true[0, 0, 0, 1:] = [50.0, 50.0]  # 1 red pixel among 99 gray ones
    wrong_on_rare = lab_true.copy()
    wrong_on_rare[0, 0, 0, 1:] = 0.0
    wrong_on_common = lab_true.copy()
    wrong_on_common[0, 1:5, :, 1:] = [50.0, 50.0]  # 40 gray pixels painted red
    plain = [ab_auc(p, lab_true)[0] for p in (wrong_on_rare, wrong_on_common)]
    rebalanced = [rebalanced_auc(auc_counts(p, lab_true)) for p in (wrong_on_rare, wrong_on_common)]
    assert plain[0] > plain[1] and rebalanced[0] < rebalanced[1]


def test_predict_ab_returns_float32_numpy(heldout_batches):
    l_norm, ab = heldout_batches[0]
    out = predict_ab(TrueAnswer(heldout_batches), l_norm)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_array_equal(out, ab)

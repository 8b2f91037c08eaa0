"""The machine judge (colorhelpers.scoring.twosample): a fresh critic's held-out accuracy is about
50 % when both sets are hand-colored, clearly more for the gray answer, on data/fixture's 8
held-out images at 64 px; the split is by image and a seed repeats its verdict."""

from __future__ import annotations

import numpy as np
import pytest

from colorhelpers.color import l_ab_to_rgb, rgb_to_l_ab
from colorhelpers.data import load_images
from colorhelpers.scoring import JudgeResult, judge, split_images, to_uint8, twosample
from colorhelpers.scoring.twosample import paired_patches, to_lab_scaled

SIZE, PATCH = 64, 16
#: Tiny data, so fewer patches and a smaller patch than the judge's defaults (512 test patches).
SMALL = {"patch": PATCH, "per_image": 64}
#: How far from 50 % the mean of three seeds may stray when both sets are real, in units of
#: one seed's coin-flip standard deviation (0.5 / sqrt(test patches), 2.2 points here).
#: Patches of one image are alike, which widens one seed's spread beyond that (about 1.5x
#: measured: seeds 48.2, 54.5, 49.2 %); averaging three seeds narrows it again, so 3 leaves
#: room for both while a critic that wins on anything but color would stray further.
NULL_TOLERANCE = 3.0


@pytest.fixture(scope="module")
def truth(fixture_heldout) -> np.ndarray:
    return np.asarray(load_images(fixture_heldout, SIZE))


@pytest.fixture(scope="module")
def gray(truth) -> np.ndarray:
    l_norm, ab = rgb_to_l_ab(truth.astype(np.float32) / 255.0)
    return to_uint8(l_ab_to_rgb(l_norm, np.zeros_like(ab)).numpy())


@pytest.fixture(scope="module")
def gray_verdict(truth, gray) -> JudgeResult:
    return judge(truth, gray, seeds=(0, 1, 2), **SMALL)


def test_split_is_by_image_disjoint_and_seeded():
    for count in (2, 8, 60):
        for seed in range(5):
            train, test = split_images(count, seed)
            assert not set(train) & set(test)
            assert sorted([*train, *test]) == list(range(count))
            assert len(train) and len(test)
            again = split_images(count, seed)
            assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    assert len({tuple(split_images(60, seed)[1]) for seed in range(5)}) == 5  # seeds differ
    with pytest.raises(ValueError, match="at least 2"):
        split_images(1, 0)


def test_the_critic_is_tested_on_images_it_never_trained_on(truth, monkeypatch):
    # Every seed cuts its training patches, then its test patches: the two sets of images
    # they come from must be disjoint and together all of them.
    cut = []
    monkeypatch.setattr(twosample, "paired_patches",
                        lambda real, fake, images, *args: cut.append(images) or paired_patches(
                            real, fake, images, *args))
    judge(truth, truth, seeds=(0, 1), steps=1, **SMALL)
    assert len(cut) == 4
    for train, test in (cut[0:2], cut[2:4]):
        assert not set(train) & set(test) and sorted([*train, *test]) == list(range(len(truth)))


def test_patches_are_cut_at_the_same_places_in_both_sets(truth):
    lab = to_lab_scaled(truth)
    x, y = paired_patches(lab, lab, np.array([1, 5]), 10, PATCH, np.random.default_rng(0))
    assert x.shape == (40, PATCH, PATCH, 3) and y.tolist() == [0.0] * 20 + [1.0] * 20
    assert np.array_equal(x[:20], x[20:])


def test_rounding_cannot_give_either_set_away(truth):
    # The same pictures as floats, moved by less than half a uint8 level: rounded the same way
    # as the uint8 set, every pair of patches is identical, so exactly half are right.
    noise = np.random.default_rng(0).uniform(-0.4, 0.4, truth.shape) / 255.0
    nudged = truth / 255.0 + noise
    assert np.array_equal(to_lab_scaled(truth), to_lab_scaled(nudged))
    assert judge(truth, nudged, seeds=(0,), steps=50, **SMALL).mean == 0.5


def test_truth_against_other_truth_is_chance(truth):
    # Mirrored pictures: other hand-colored patches at the same positions (a real contest).
    result = judge(truth, truth[:, :, ::-1], seeds=(0, 1, 2), **SMALL)
    assert abs(result.mean - 0.5) <= NULL_TOLERANCE * result.chance_sd, result


def test_gray_answer_is_caught(gray_verdict):
    assert gray_verdict.test_patches == 2 * 4 * SMALL["per_image"]  # half of 8 images tested
    assert gray_verdict.mean >= 0.5 + 6 * gray_verdict.chance_sd, gray_verdict
    assert min(gray_verdict.accuracies) > 0.5 + NULL_TOLERANCE * gray_verdict.chance_sd, gray_verdict


def test_a_seed_repeats_its_verdict(truth, gray, gray_verdict):
    again = judge(truth, gray, seeds=(1,), **SMALL)
    assert again.accuracies == gray_verdict.accuracies[1:2]
    assert len(set(gray_verdict.accuracies)) > 1  # while other seeds give other verdicts


def test_result_reads_as_a_verdict():
    result = JudgeResult(seeds=(0, 1), accuracies=(0.6, 0.7), test_patches=400, seconds=1.0)
    assert result.mean == pytest.approx(0.65) and result.spread == (0.6, 0.7)
    assert result.chance_sd == pytest.approx(0.025)
    assert str(result).startswith("65.0% ± 7.1% (seeds 60.0%, 70.0%; 400 test patches")


def test_mismatched_sets_are_refused(truth):
    with pytest.raises(ValueError, match="one shape"):
        judge(truth, truth[:-1])
    with pytest.raises(ValueError, match="smaller than"):
        judge(truth, truth, patch=SIZE + 1)

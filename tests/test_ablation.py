"""colorhelpers.evaluation.ablation: the variants of notebook 08, trained once and tabulated."""

from __future__ import annotations

import dataclasses

import matplotlib
import numpy as np
import pytest

from colorhelpers.data import eval_batches
from colorhelpers.evaluation import Variant, ablation_variants, format_table, run_variants
from colorhelpers.evaluation.ablation import SCORES, run_of, side_by_side
from colorhelpers.scoring import evaluate_generator, plot_tradeoff
from colorhelpers.training import TrainConfig

matplotlib.use("Agg")

TINY = TrainConfig(image_size=16, batch_size=8, epochs=1, generator_filters=4,
                   discriminator_filters=4, sample_count=2)


def changed_fields(config: TrainConfig, default: TrainConfig) -> set[str]:
    return {f.name for f in dataclasses.fields(TrainConfig)
            if getattr(config, f.name) != getattr(default, f.name)}


def test_each_variant_changes_only_its_ingredient(tmp_path):
    default = TrainConfig(warmup_epochs=10, epochs=20)
    variants = {v.name: v for v in ablation_variants(default, default_run=tmp_path)}
    assert variants["gray answer (ab = 0)"].config is None
    assert variants["colorgan default"].config == default
    assert variants["colorgan default"].run_dir == tmp_path
    assert changed_fields(variants["blog post's recipe"].config, default) == {
        "conditional_discriminator", "generator_head", "warmup_epochs"}
    assert changed_fields(variants["without warm-up"].config, default) == {"warmup_epochs"}
    assert variants["L1 only (no GAN)"].config.warmup_epochs == default.epochs
    assert changed_fields(variants["+ noise channel"].config, default) == {"noise_channel"}
    assert changed_fields(variants["pix2pix's widths"].config, default) == {"generator_max_filters"}
    assert variants["pix2pix's widths"].config.generator_max_filters == 8 * default.generator_filters
    trained = [v for v in variants.values() if v.config is not None]
    assert len({run_of(v, tmp_path).root for v in trained}) == len(trained)  # one folder each


def test_an_l1_only_default_gets_the_gan_as_its_variant():
    default = TrainConfig(warmup_epochs=20, epochs=20)
    variants = {v.name: v for v in ablation_variants(default)}
    assert "L1 only (no GAN)" not in variants
    assert variants["+ GAN (second half adversarial)"].config.warmup_epochs == 10
    assert len({v.config for v in variants.values()}) == len(variants)  # no variant is the default twice


@pytest.fixture(scope="module")
def study(tmp_path_factory, fixture_train, fixture_heldout):
    root = tmp_path_factory.mktemp("variants")
    variants = [Variant("gray answer (ab = 0)", None), Variant("tiny", TINY),
                Variant("tiny, no warm-up", TINY.replace(warmup_epochs=0, epochs=2))]
    table = run_variants(variants, fixture_train, fixture_heldout, root)
    return root, variants, table


def test_run_variants_trains_each_variant_into_its_folder(study, fixture_heldout):
    root, variants, table = study
    assert [row["name"] for row in table] == [v.name for v in variants]
    assert run_of(variants[1], root).generator_weights(1).is_file()
    assert run_of(variants[2], root).generator_weights(2).is_file()
    gray = evaluate_generator(None, eval_batches(fixture_heldout, TINY.image_size))
    assert {k: table[0][k] for k in SCORES} == pytest.approx({k: gray[k] for k in SCORES})
    assert table[0]["minutes"] == 0 and table[0]["config"] is None
    for row in table[1:]:
        assert all(np.isfinite(row[k]) for k in SCORES) and row["minutes"] > 0
    assert table[2]["config"] == TINY.replace(warmup_epochs=0, epochs=2)
    assert "tiny, no warm-up" in format_table(table)


def test_finished_variants_are_read_not_trained_again(study, fixture_train, fixture_heldout):
    root, variants, table = study
    weights = run_of(variants[1], root).generator_weights(1)
    stamp = weights.stat().st_mtime_ns
    again = run_variants(variants, fixture_train, fixture_heldout, root)
    assert weights.stat().st_mtime_ns == stamp
    assert [{k: r[k] for k in SCORES} for r in again] == [{k: r[k] for k in SCORES} for r in table]


def test_a_variant_folder_is_named_by_its_recipe(tmp_path):
    tiny, other = Variant("tiny", TINY), Variant("tiny", TINY.replace(epochs=3))
    assert run_of(tiny, tmp_path).root.parent == tmp_path
    assert run_of(tiny, tmp_path).root.name.startswith("gray-")
    assert run_of(tiny, tmp_path) == run_of(Variant("tiny", TrainConfig.from_json(TINY.to_json())), tmp_path)
    # Another name for the same recipe is the same run: notebooks 04, 06, 07 and 08 share runs.
    assert run_of(Variant("the default, as 06 calls it", TINY), tmp_path) == run_of(tiny, tmp_path)
    assert run_of(tiny, tmp_path) != run_of(other, tmp_path)  # another recipe: never the same run
    assert run_of(Variant("tiny", TINY, tmp_path / "mine"), tmp_path).root == tmp_path / "mine"


def test_side_by_side_has_a_column_per_variant_and_the_truth(study, fixture_heldout):
    root, variants, _ = study
    l_norm, ab_true = next(iter(eval_batches(fixture_heldout[:3], TINY.image_size, 3)))
    grid = side_by_side(variants, root, np.asarray(l_norm), np.asarray(ab_true))
    gap, size = 2, TINY.image_size
    assert grid.shape == (3 * size + 2 * gap, 4 * size + 3 * gap, 3) and grid.dtype == np.uint8
    # The gray answer's column is gray (R = G = B, up to rounding); the truth's is not.
    gray_column = grid[:size, :size].astype(int)
    assert np.abs(gray_column - gray_column.mean(axis=-1, keepdims=True)).max() <= 1
    truth = grid[:size, -size:].astype(int)
    assert np.abs(truth - truth.mean(axis=-1, keepdims=True)).max() > 5


def test_plot_tradeoff_draws_every_variant_and_the_sweep(study):
    _, _, table = study
    fig = plot_tradeoff(table[1:], table[0], sweep=[(0, table[2]), (1, table[1])])
    scatter, sweep_axis = fig.axes[:2]
    labels = {text.get_text() for text in scatter.texts}
    assert labels == {"tiny", "tiny, no warm-up"}
    assert len(sweep_axis.lines[0].get_xdata()) == 2

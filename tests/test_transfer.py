"""Transfer (notebook 07): a run whose U-Net encoder starts from another run's, named by it."""

from __future__ import annotations

import numpy as np
import pytest

from colorhelpers.training import RunDirectory, RunError, TrainConfig, train
from colorhelpers.training.config import at_budget
from colorhelpers.training.recipe import dtype_policy, encoder_layers, generator_for, start_encoder_from
from colorhelpers.training.runs import run_key

TINY = TrainConfig(image_size=16, batch_size=8, epochs=1, warmup_epochs=1, generator_filters=4,
                   discriminator_filters=4, sample_count=2)


@pytest.fixture(scope="module")
def source(tmp_path_factory, fixture_train, fixture_heldout):
    """A finished tiny run to take an encoder from, in a folder beside the runs that use it."""
    root = tmp_path_factory.mktemp("runs") / "other-data" / run_key(TINY)
    train(fixture_train, fixture_heldout, root, TINY, verbose=0)
    return root


def saved_generator(run_dir) -> object:
    run = RunDirectory(run_dir)
    with dtype_policy("float16"):
        generator = generator_for(run.read_config())
    generator.load_weights(run.generator_weights(run.saved_epochs()[-1]))
    return generator


def test_the_encoder_is_copied_and_the_decoder_is_not(source):
    fresh = generator_for(TINY)
    before = [w.copy() for w in fresh.get_weights()]
    copied = start_encoder_from(fresh, source)
    trained = saved_generator(source)
    encoder = encoder_layers(fresh)
    assert 0 < len(encoder) < len(fresh.layers) and copied > 0
    for mine, theirs in zip(encoder, encoder_layers(trained)):
        for a, b in zip(mine.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(a, b.astype(np.float32))
    decoder = fresh.layers[len(encoder):]
    decoder_weights = [w for layer in decoder for w in layer.get_weights()]
    assert decoder_weights and all(any(np.array_equal(w, b) for b in before) for w in decoder_weights)
    assert copied == sum(w.size for layer in encoder for w in layer.get_weights())


def test_a_missing_or_other_shaped_source_is_refused(source, tmp_path):
    with pytest.raises(RunError, match="no trained run"):
        start_encoder_from(generator_for(TINY), tmp_path / "nothing")
    with pytest.raises(RunError, match="another shape"):
        start_encoder_from(generator_for(TINY.replace(generator_filters=8)), source)


def test_a_run_with_encoder_from_starts_from_it_and_says_so(source, fixture_train, fixture_heldout):
    fine_tuned = TINY.replace(encoder_from=f"../other-data/{source.name}", learning_rate=0.0)
    assert run_key(fine_tuned) != run_key(TINY)  # its own run, named by where its encoder came from
    run_dir = source.parent.parent / "anime" / run_key(fine_tuned)
    train(fixture_train, fixture_heldout, run_dir, fine_tuned, verbose=0)
    assert RunDirectory(run_dir).read_config().encoder_from == fine_tuned.encoder_from
    # With a learning rate of 0 the encoder's convolutions stay as they were copied.
    mine_layers, their_layers = (encoder_layers(saved_generator(root)) for root in (run_dir, source))
    for mine, theirs in zip([la for la in mine_layers if la.get_weights()],
                            [la for la in their_layers if la.get_weights()]):
        np.testing.assert_allclose(mine.get_weights()[0], theirs.get_weights()[0], atol=1e-3)


def test_a_recipe_without_encoder_from_keeps_its_hash():
    assert "encoder_from" not in TINY.to_json()
    assert "encoder_from" in TINY.replace(encoder_from="../x/y").to_json()


def test_a_smaller_budget_keeps_the_schedule_shares():
    full = TrainConfig(epochs=30, warmup_epochs=30, decay_epochs=10)
    small = at_budget(full, 10, 64)
    assert (small.epochs, small.warmup_epochs, small.decay_epochs, small.image_size) == (10, 10, 3, 64)
    assert at_budget(full.replace(warmup_epochs=15), 10, 64).warmup_epochs == 5

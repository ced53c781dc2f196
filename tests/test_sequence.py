"""Latent sequences: honest splits, the original's sequence model exactly, memory, baselines and
held-out NLL."""

import dataclasses

import keras
import numpy as np
import pytest

from dancenet import mdn, sequence
from dancenet.profiles import PROFILES

CI = PROFILES["ci"]


def wave(length: int = 400, dimensions: int = CI.latent_dim, seed: int = 0) -> np.ndarray:
    """A smooth periodic trajectory with a little noise: a stand-in for a dance's latent codes."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)[:, None]
    phases = rng.uniform(0, 2 * np.pi, dimensions)
    noise = 0.05 * rng.normal(size=(length, dimensions))
    return (np.sin(2 * np.pi * t / 25 + phases) * 2 + 5 + noise).astype(np.float32)


def test_prepare_splits_in_time_and_standardizes_on_the_training_part_only():
    latents = wave(100)
    latents[80:] += 100.0  # a held-out part far away: it must not leak into the statistics
    split = sequence.prepare(latents)
    assert len(split.train) == 80 and len(split.held_out) == 20
    np.testing.assert_allclose(split.scaler.mean, latents[:80].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(split.train.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(split.train.std(axis=0), 1, atol=1e-3)
    assert (split.held_out.mean(axis=0) > 20).all()
    np.testing.assert_allclose(split.scaler.inverse(split.held_out), latents[80:], rtol=1e-5)
    np.testing.assert_array_equal(split.whole, np.concatenate([split.train, split.held_out]))


def test_prepare_refuses_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        sequence.prepare(np.full((10, 3), np.nan))
    with pytest.raises(ValueError, match=r"\(T, D\)"):
        sequence.prepare(np.zeros(10))
    with pytest.raises(ValueError, match="held_out"):
        sequence.prepare(np.zeros((10, 3)), held_out=0)
    with pytest.raises(ValueError, match="nothing to train on"):
        sequence.prepare(np.zeros((2, 3)))


def test_windows_and_pairs_target_the_next_step():
    seq = np.arange(30, dtype=np.float32)[:, None] * [1, -1]
    inputs, targets = sequence.training_windows(seq, length=8, stride=4)
    assert inputs.shape == targets.shape == (6, 8, 2)
    np.testing.assert_array_equal(targets[:, :-1], inputs[:, 1:])
    np.testing.assert_array_equal(inputs[1, :, 0], np.arange(4, 12))
    assert targets[-1, -1, 0] <= 29
    current, following = sequence.pairs(seq)
    np.testing.assert_array_equal(following[:, 0], current[:, 0] + 1)
    with pytest.raises(ValueError, match="too short"):
        sequence.training_windows(seq, length=30)


def test_original_model_has_the_original_parameter_count():
    model = sequence.build_original_model("gpu")
    assert model.count_params() == 12_198_336
    assert tuple(model.output.shape) == (None, 24 * (2 * 128 + 1))
    assert [layer.units for layer in model.layers if isinstance(layer, keras.layers.LSTM)] == [512] * 3


def test_models_shapes_in_the_small_profiles():
    original = sequence.build_original_model(CI)
    windowed = sequence.build_sequence_model(CI)
    # the same stack, and a carry per dimension
    assert windowed.count_params() == original.count_params() + CI.latent_dim
    size = mdn.output_size(CI.latent_dim, CI.mixtures)
    assert windowed(np.zeros((3, 7, CI.latent_dim), np.float32)).shape == (3, 7, size)
    assert original(np.zeros((3, CI.latent_dim), np.float32)).shape == (3, size)
    uncentered = sequence.build_sequence_model(CI, centered=False)
    assert uncentered.count_params() == original.count_params()
    twin = sequence.stateful_twin(uncentered)
    codes = np.ones((1, 3, CI.latent_dim), np.float32)
    steps = [keras.ops.convert_to_numpy(twin(codes[:, t : t + 1])) for t in range(3)]
    np.testing.assert_allclose(
        np.concatenate(steps, axis=1), keras.ops.convert_to_numpy(uncentered(codes)), atol=1e-5
    )


def test_the_original_model_has_no_memory_and_ours_has():
    """The original's missing memory, demonstrated: the same current code after different histories
    gives the same prediction from the original's model, and different ones from the model with memory."""
    keras.utils.set_random_seed(0)
    original, windowed = sequence.build_original_model(CI), sequence.build_sequence_model(CI)
    rng = np.random.default_rng(1)
    now = rng.normal(size=(1, 1, CI.latent_dim)).astype(np.float32)
    histories = [
        np.concatenate([rng.normal(size=(1, 10, CI.latent_dim)), now], axis=1).astype(np.float32)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(original(now[:, 0]), original(now[:, 0]))
    first, second = (keras.ops.convert_to_numpy(windowed(h))[:, -1] for h in histories)
    assert np.abs(first - second).max() > 1e-3


def test_stateful_twin_reproduces_the_windowed_model_step_by_step():
    keras.utils.set_random_seed(2)
    model = sequence.build_sequence_model(CI)
    twin = sequence.stateful_twin(model, batch_size=2)
    codes = np.random.default_rng(3).normal(size=(2, 12, CI.latent_dim)).astype(np.float32)
    expected = keras.ops.convert_to_numpy(model(codes))
    for _ in range(2):  # and again after a reset
        sequence.reset(twin)
        steps = [keras.ops.convert_to_numpy(twin(codes[:, t : t + 1])) for t in range(12)]
        np.testing.assert_allclose(np.concatenate(steps, axis=1), expected, atol=1e-5)
    model.get_layer("lstm1").cell.kernel.assign(model.get_layer("lstm1").cell.kernel * 0)  # shared weights
    sequence.reset(twin)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(twin(codes[:, :1])),
        keras.ops.convert_to_numpy(model(codes[:, :1])),
        atol=1e-5,
    )
    with pytest.raises(ValueError, match="not a windowed"):
        sequence.stateful_twin(sequence.build_original_model(CI))


def test_stand_still_and_linear_baselines():
    split = sequence.prepare(wave(400))
    still = sequence.StandStill.fit(split.train)
    np.testing.assert_allclose(still.std, np.diff(split.train, axis=0).std(axis=0), rtol=1e-5)
    linear = sequence.LinearAutoregressive.fit(split.train, order=2)
    # a sampled sine obeys x_{t+1} = 2cos(ω)x_t − x_{t−1} exactly: order 2 finds it
    still_nll = sequence.held_out_nll(still, split).mean()
    linear_nll = sequence.held_out_nll(linear, split).mean()
    assert linear_nll < still_nll - 1.0
    assert sequence.held_out_nll(linear, split).shape == (len(split.held_out),)
    with pytest.raises(ValueError, match="order"):
        sequence.LinearAutoregressive.fit(split.train, order=0)


def test_a_linear_dance_follows_its_predictions_and_adds_tempered_noise():
    split = sequence.prepare(wave(400))
    linear = sequence.LinearAutoregressive.fit(split.train, order=2)
    warm_up = np.stack([split.train[:10], split.train[50:60]])
    cold = linear.generate(warm_up, 30, temperature=0.0)
    assert cold.shape == (2, 30, split.train.shape[1])
    history = list(warm_up[1])
    for code in cold[1]:  # at τ = 0 each code is the prediction from the two before it
        np.testing.assert_allclose(code, linear.predict(np.array(history[-2:]))[-1], atol=1e-4)
        history.append(code)
    warm = linear.generate(warm_up, 2000, temperature=0.5, seed=1)
    noise = warm[:, 2:] - np.stack([linear.predict(d)[:-1] for d in warm])
    np.testing.assert_allclose(noise.std(axis=(0, 1)), linear.std * np.sqrt(0.5), rtol=0.1)
    np.testing.assert_array_equal(warm, linear.generate(warm_up, 2000, temperature=0.5, seed=1))
    with pytest.raises(ValueError, match="W ≥ 2"):
        linear.generate(warm_up[:, :1], 5)


def test_gaussian_nll_matches_the_formula():
    value = sequence.gaussian_nll(np.array([[1.0, 3.0]]), np.array([[0.0, 3.0]]), np.array([1.0, 2.0]))
    expected = np.mean([0.5 + 0.5 * np.log(2 * np.pi), np.log(2.0) + 0.5 * np.log(2 * np.pi)])
    np.testing.assert_allclose(value, [expected])


def test_training_beats_stand_still_and_scores_only_held_out_codes():
    profile = dataclasses.replace(CI, latent_dim=4, sequence_epochs=40)
    split = sequence.prepare(wave(480, dimensions=4))
    model, history = sequence.train_sequence_model(
        split, profile, window=24, learning_rate=3e-3, progress=False
    )
    assert history.history["loss"][-1] < history.history["loss"][0]
    ours = sequence.held_out_nll(model, split, context=24)
    assert ours.shape == (len(split.held_out),) and np.isfinite(ours).all()
    still = sequence.held_out_nll(sequence.StandStill.fit(split.train), split)
    assert ours.mean() < still.mean() - 0.5  # about −0.7 against 0.06 nats per dimension
    original, _ = sequence.train_original_model(split, profile, epochs=2, progress=False)
    assert np.isfinite(sequence.held_out_nll(original, split)).all()


# ----------------------------------------------------------------------------- music


def test_with_next_music_pairs_each_code_with_the_next_frame_s_music():
    codes = np.arange(10, dtype=np.float32).reshape(5, 2)
    music = np.arange(100, 105, dtype=np.float32)[:, None]
    joined = sequence.with_next_music(codes, music)
    np.testing.assert_array_equal(joined[:, :2], codes)
    np.testing.assert_array_equal(joined[:, 2], [101, 102, 103, 104, 104])
    (inputs, heard), targets = sequence.music_training_windows(codes, music, length=3, stride=1)
    assert inputs.shape == (2, 3, 2) and heard.shape == (2, 3, 1) and targets.shape == (2, 3, 2)
    np.testing.assert_array_equal(heard[0, :, 0], [101, 102, 103])  # the music of each target's frame
    np.testing.assert_array_equal(targets[0], codes[1:4])
    with pytest.raises(ValueError, match="4 frames of music features for 5 codes"):
        sequence.with_next_music(codes, music[:4])
    with pytest.raises(ValueError, match="one per code"):
        sequence.prepare(np.zeros((20, 2)), music_features=np.zeros((19, 1)))


def test_the_music_switch_adds_one_input_and_nothing_else():
    deaf = sequence.build_sequence_model(CI)
    hearing = sequence.build_sequence_model(CI, music_width=5)
    assert sequence.music_width(deaf) == 0 and sequence.music_width(hearing) == 5
    assert [tuple(i.shape) for i in hearing.inputs] == [(None, None, CI.latent_dim), (None, None, 5)]
    # the same layers; only the first LSTM's input weights grow, by 5 rows of 4 gates
    extra = hearing.count_params() - deaf.count_params()
    assert extra == 5 * 4 * CI.lstm_units
    assert {layer.name for layer in hearing.layers} - {layer.name for layer in deaf.layers} == {
        "music",
        "with_music",
    }
    with pytest.raises(ValueError, match="reads music"):
        sequence.stateful_twin(hearing)


def test_a_model_that_hears_predicts_what_only_the_music_tells():
    # each code is the music of its own frame plus a little noise, and the music is random: only a
    # model that reads the music of the frame it predicts can know the next code
    rng = np.random.default_rng(0)
    heard = rng.normal(size=(480, 2)).astype(np.float32)
    codes = heard + 0.05 * rng.normal(size=heard.shape).astype(np.float32)
    split = sequence.prepare(codes, music_features=heard)
    profile = dataclasses.replace(CI, latent_dim=2, sequence_epochs=30)
    options = {"window": 24, "learning_rate": 3e-3, "input_noise": 0.0, "progress": False}
    hearing, _ = sequence.train_sequence_model(split, profile, hears_music=True, **options)
    deaf, _ = sequence.train_sequence_model(split, profile, **options)
    with_music = sequence.held_out_nll(hearing, split, context=24).mean()
    without = sequence.held_out_nll(deaf, split, context=24).mean()
    assert without > 1.2  # about the entropy of a standard normal: 1.42 nats
    assert with_music < without - 0.5  # 0.53 against 1.30 after 30 epochs (a model fed the
    # music of the frame it reads, not the one it predicts, would be as deaf as the other)
    with pytest.raises(ValueError, match="no music features"):
        sequence.train_sequence_model(sequence.prepare(codes), profile, hears_music=True, **options)
    with pytest.raises(ValueError, match="reads music, and this latent sequence has none"):
        sequence.held_out_nll(hearing, sequence.prepare(codes), context=24)


def test_stretched_plays_a_sequence_faster_or_slower_by_interpolation():
    ramp = np.arange(11, dtype=np.float32)[:, None] * [1.0, -2.0]
    faster = sequence.stretched(ramp, 2.0)
    np.testing.assert_allclose(faster[:, 0], [0, 2, 4, 6, 8, 10])
    slower = sequence.stretched(ramp, 0.8)
    assert len(slower) == 13 and slower[-1, 0] == pytest.approx(9.6)
    np.testing.assert_allclose(slower[:, 1], -2 * slower[:, 0], rtol=1e-6)  # a straight line stays one
    np.testing.assert_allclose(sequence.stretched(ramp, 1.0), ramp)
    with pytest.raises(ValueError, match="rate must be positive"):
        sequence.stretched(ramp, 0.0)
    with pytest.raises(ValueError, match="train with hears_music=True"):
        sequence.train_sequence_model(sequence.prepare(wave(200, dimensions=2)), CI, tempo_rates=(0.9, 1.0))

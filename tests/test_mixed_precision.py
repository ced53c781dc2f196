"""Mixed precision, as the gpu profile trains: float16 maths, float32 weights, outputs and losses,
and results within tolerance of float32 training. Run on the CPU here (slowly, and only to check
the numbers); BENCHMARKS.md says what it is worth on a GPU."""

from dataclasses import replace

import keras
import numpy as np
import pytest

from dancenet import sequence, vae
from dancenet.profiles import get_profile


def _profile(mixed: bool):
    return replace(get_profile("ci"), mixed_precision=mixed)


@pytest.fixture(scope="module")
def silhouettes():
    """300 ellipses that move and breathe: something a small VAE can learn in a few epochs."""
    rng = np.random.default_rng(0)
    h, w = get_profile("ci").image_size
    y, x = np.mgrid[:h, :w]
    t = np.arange(300)
    cx, cy = w / 2 + 15 * np.sin(t / 9), h / 2 + 4 * np.cos(t / 7)
    ry, rx = 14 + 4 * np.sin(t / 5), 6 + 2 * rng.random(300)
    inside = ((x - cx[:, None, None]) / rx[:, None, None]) ** 2 + (
        (y - cy[:, None, None]) / ry[:, None, None]
    ) ** 2
    return (inside < 1).astype(np.float32)[..., None]


@pytest.fixture(scope="module")
def vaes(silhouettes):
    return {
        mixed: vae.train_vae(silhouettes, _profile(mixed), epochs=10, seed=3, progress=False)
        for mixed in (False, True)
    }


def test_mixed_precision_computes_in_float16_and_keeps_weights_outputs_and_losses_in_float32(vaes):
    model, history = vaes[True]
    assert keras.config.dtype_policy().name == "float32"  # the global policy is put back
    assert model.encoder.get_layer("conv1").dtype_policy.name == "mixed_float16"
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert all(v.dtype == "float32" for v in model.trainable_variables)
    codes = np.zeros((2, get_profile("ci").latent_dim), np.float32)
    assert keras.ops.convert_to_numpy(model.decoder(codes)).dtype == np.float32
    assert all(np.isfinite(history.history[name]).all() for name in ("loss", "val_loss"))
    plain, _ = vaes[False]
    assert plain.encoder.get_layer("conv1").dtype_policy.name == "float32"
    assert not isinstance(plain.optimizer, keras.optimizers.LossScaleOptimizer)


def test_mixed_precision_trains_the_vae_as_well_as_float32(vaes, silhouettes):
    (plain, plain_history), (mixed, mixed_history) = vaes[False], vaes[True]
    first, last = plain_history.history["val_loss"][0], plain_history.history["val_loss"][-1]
    assert last < 0.5 * first  # it learned something worth comparing
    # the loss scale starts at 2^15 and halves on every step whose float16 gradients overflow
    # (a skipped step): at most 15 steps, which a real training of thousands does not notice
    assert 0 < plain.optimizer.iterations - mixed.optimizer.iterations <= 15
    assert mixed_history.history["val_loss"][-1] == pytest.approx(last, rel=0.1)
    _, held_out = vae.split(silhouettes)
    plain_iou = vae.reconstruction_iou(plain, held_out).mean()
    assert plain_iou > 0.5
    assert vae.reconstruction_iou(mixed, held_out).mean() == pytest.approx(plain_iou, abs=0.03)


@pytest.fixture(scope="module")
def sequence_models():
    rng = np.random.default_rng(1)
    d = get_profile("ci").latent_dim
    t = np.arange(400)[:, None]
    codes = np.sin(t / (3 + np.arange(d)) + rng.random(d) * 6) + 0.05 * rng.standard_normal((400, d))
    data = sequence.prepare(codes.astype(np.float32))
    trained = {
        mixed: sequence.train_sequence_model(data, _profile(mixed), epochs=3, seed=2, progress=False)
        for mixed in (False, True)
    }
    return trained, data


def test_mixed_precision_trains_the_sequence_model_as_well_as_float32(sequence_models):
    trained, data = sequence_models
    nll = {}
    for mixed, (model, history) in trained.items():
        assert np.isfinite(history.history["loss"]).all()
        assert keras.ops.convert_to_numpy(model(data.train[None, :20])).dtype == np.float32
        nll[mixed] = float(sequence.held_out_nll(model, data).mean())
    assert nll[True] == pytest.approx(nll[False], abs=0.05 + 0.05 * abs(nll[False]))


@pytest.mark.filterwarnings("error:Skipping variable loading:UserWarning")
def test_a_saved_mixed_precision_model_loads_as_it_was_trained(tmp_path, sequence_models):
    """As the cache keeps the gpu profile's models: the dtype policies come back, and loading says
    nothing about the loss scale's optimizer state, which a model loaded to dance never needs."""
    from dancenet.artifacts import TrainedModel

    (model, history), data = sequence_models[0][True], sequence_models[1]
    TrainedModel(model, {}, {"held_out_nll": 0.0}).save(tmp_path, history.history)
    loaded = TrainedModel.load(tmp_path).model
    assert loaded.get_layer("lstm1").dtype_policy.name == "mixed_float16"
    window = data.train[None, :20]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(window)), keras.ops.convert_to_numpy(model(window)), atol=1e-5
    )

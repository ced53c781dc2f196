"""The VAE: the original's architecture exactly, the reparameterization trick, the ELBO, safe saving."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from dancenet import background, stage, vae
from dancenet.profiles import PROFILES


def test_original_encoder_and_decoder_have_the_original_parameter_counts():
    assert vae.build_encoder("gpu").count_params() == 1_724_128
    assert vae.build_decoder("gpu").count_params() == 1_744_545


def test_original_encoder_shapes_step_by_step():
    encoder = vae.build_encoder("gpu")
    shapes = [tuple(layer.output.shape[1:]) for layer in encoder.layers[1:8]]
    assert shapes == [
        (120, 208, 128),
        (60, 104, 128),
        (60, 104, 64),
        (30, 52, 64),
        (30, 52, 32),
        (15, 26, 32),
        (12480,),
    ]
    z_mean, z_log_var, z = encoder.outputs
    assert tuple(z_mean.shape[1:]) == tuple(z_log_var.shape[1:]) == tuple(z.shape[1:]) == (128,)


def test_original_decoder_applies_a_dense_layer_at_every_position():
    decoder = vae.build_decoder("gpu")
    per_position = decoder.layers[3]
    assert isinstance(per_position, keras.layers.Dense)
    assert tuple(per_position.output.shape[1:]) == (15, 26, 128)
    assert per_position.count_params() == 32 * 128 + 128
    assert tuple(decoder.output.shape[1:]) == (120, 208, 1)


@pytest.mark.parametrize("name", ["ci", "cpu"])
def test_smaller_profiles_round_trip_their_image_size(name):
    profile = PROFILES[name]
    model = vae.build_vae(profile)
    images = np.zeros((2, *profile.image_size, 1), np.float32)
    reconstruction, z_mean, _ = model(images)
    assert reconstruction.shape == images.shape and z_mean.shape == (2, profile.latent_dim)
    assert model.count_params() < 1_724_128 + 1_744_545


def test_sizes_not_divisible_by_8_are_refused():
    with pytest.raises(ValueError, match="divisible by 8"):
        dataclasses.replace(PROFILES["ci"], image_size=(50, 80))


def test_gradients_flow_through_sampling_to_mean_and_log_variance():
    layer = vae.Sampling(seed=3)
    z_mean = tf.Variable(tf.zeros((4, 5)))
    z_log_var = tf.Variable(tf.zeros((4, 5)))
    with tf.GradientTape() as tape:
        z = layer([z_mean, z_log_var])
        loss = tf.reduce_sum(z**2)
    grad_mean, grad_log_var = tape.gradient(loss, [z_mean, z_log_var])
    assert grad_mean is not None and grad_log_var is not None
    assert float(tf.reduce_sum(tf.abs(grad_mean))) > 0 and float(tf.reduce_sum(tf.abs(grad_log_var))) > 0
    # d/dμ Σz² = 2z exactly, because z = μ + σε is a plain function of μ
    np.testing.assert_allclose(grad_mean.numpy(), 2 * z.numpy(), rtol=1e-5)


def test_sampling_statistics_match_mean_and_variance():
    layer = vae.Sampling(seed=5)
    z_mean = np.full((20000, 2), [1.5, -2.0], np.float32)
    z_log_var = np.full((20000, 2), np.log([0.25, 4.0]), np.float32)
    z = keras.ops.convert_to_numpy(layer([z_mean, z_log_var]))
    np.testing.assert_allclose(z.mean(axis=0), [1.5, -2.0], atol=0.05)
    np.testing.assert_allclose(z.var(axis=0), [0.25, 4.0], rtol=0.05)


def test_closed_form_kl_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mu, log_var = rng.normal(size=3).astype(np.float32), rng.normal(size=3).astype(np.float32)
    closed = keras.ops.convert_to_numpy(vae.kl_divergence(mu, log_var))
    sigma = np.exp(0.5 * log_var)
    z = mu + sigma * rng.standard_normal((400_000, 3))
    log_q = -0.5 * (((z - mu) / sigma) ** 2 + log_var + np.log(2 * np.pi))
    log_p = -0.5 * (z**2 + np.log(2 * np.pi))
    monte_carlo = (log_q - log_p).mean(axis=0)
    np.testing.assert_allclose(closed, monte_carlo, atol=0.02)


def test_reconstruction_loss_is_summed_binary_cross_entropy():
    images = np.array([[[[1.0], [0.0]]]], np.float32)
    predicted = np.array([[[[0.8], [0.3]]]], np.float32)
    expected = -(np.log(0.8) + np.log(0.7))
    assert float(vae.reconstruction_loss(images, predicted)[0]) == pytest.approx(expected, rel=1e-5)


@pytest.fixture(scope="module")
def stage_silhouettes():
    clip = stage.render_clip(240, seed=7, progress=False)
    return background.silhouette_images(clip.masks, PROFILES["ci"].image_size)


def test_loss_falls_on_a_stage_clip(stage_silhouettes):
    keras.utils.set_random_seed(0)
    model = vae.build_vae("ci", seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(stage_silhouettes, epochs=4, batch_size=32, shuffle=True, verbose=0).history
    assert history["loss"][-1] < 0.7 * history["loss"][0]
    assert set(history) >= {"loss", "reconstruction", "kl"}


def test_beta_zero_trains_on_reconstruction_alone(stage_silhouettes):
    model = vae.build_vae("ci", beta=0.0, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(stage_silhouettes[:64], epochs=1, batch_size=64, verbose=0).history
    assert history["loss"][0] == pytest.approx(history["reconstruction"][0], rel=1e-5)


def test_free_bits_raise_the_loss_of_a_collapsed_posterior():
    images = np.zeros((8, *PROFILES["ci"].image_size, 1), np.float32)
    plain = vae.build_vae("ci", seed=1)
    floored = vae.build_vae("ci", free_bits=0.5, seed=1)
    floored.set_weights(plain.get_weights())
    prediction = plain(images)
    floored_loss = float(floored.compute_loss(images, None, prediction))
    assert floored_loss > float(plain.compute_loss(images, None, prediction))


def test_bad_beta_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        vae.build_vae("ci", beta=-1.0)


def test_save_and_load_in_safe_mode_gives_identical_outputs(tmp_path, stage_silhouettes):
    model = vae.build_vae("ci", beta=0.5, free_bits=0.1, seed=2)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3))
    model.fit(stage_silhouettes[:64], epochs=1, batch_size=32, verbose=0)
    path = tmp_path / "vae.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(loaded, vae.VAE) and loaded.free_bits == 0.1
    assert float(keras.ops.convert_to_numpy(loaded.beta)) == 0.5
    np.testing.assert_array_equal(model.encode(stage_silhouettes[:8]), loaded.encode(stage_silhouettes[:8]))
    latents = np.random.default_rng(0).normal(size=(4, PROFILES["ci"].latent_dim)).astype(np.float32)
    np.testing.assert_array_equal(model.decode(latents), loaded.decode(latents))


def test_the_originals_lambda_sampling_is_refused_in_safe_mode(tmp_path):
    """The original sampled with a Lambda layer, which safe mode refuses to load; our Sampling layer loads."""
    inputs = keras.Input((4,))
    outputs = keras.layers.Lambda(lambda t: t + keras.random.normal(keras.ops.shape(t)))(inputs)
    path = tmp_path / "lambda.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(ValueError, match="(?i)lambda"):
        keras.saving.load_model(path, safe_mode=True)


def test_split_is_chronological_and_checks_its_input():
    images = np.arange(20, dtype=np.float32).reshape(20, 1, 1, 1)
    train, held = vae.split(images, held_out=0.2)
    assert train[:, 0, 0, 0].tolist() == list(range(16)) and held[:, 0, 0, 0].tolist() == [16, 17, 18, 19]
    with pytest.raises(ValueError, match="NaN"):
        vae.split(np.full((4, 8, 8, 1), np.nan, np.float32))
    with pytest.raises(ValueError, match=r"\(N, H, W, 1\)"):
        vae.split(np.zeros((4, 8, 8), np.float32))
    with pytest.raises(ValueError, match="held_out"):
        vae.split(np.zeros((4, 8, 8, 1), np.float32), held_out=1.5)


def test_train_vae_with_warmup_and_reconstruction_iou(stage_silhouettes):
    model, history = vae.train_vae(
        stage_silhouettes, "ci", epochs=3, batch_size=32, warmup_epochs=3, progress=False
    )
    assert float(keras.ops.convert_to_numpy(model.beta)) == pytest.approx(1.0)
    assert {"val_loss", "val_reconstruction", "val_kl"} <= set(history.history)
    scores = vae.reconstruction_iou(model, stage_silhouettes[:16])
    assert scores.shape == (16,) and ((scores >= 0) & (scores <= 1)).all()
    perfect = vae.reconstruction_iou(_Identity(), stage_silhouettes[:4])
    np.testing.assert_array_equal(perfect, 1.0)


class _Identity:
    """A stand-in 'VAE' whose reconstruction is its input: reconstruction IoU must be exactly 1."""

    def encode(self, images):
        return images

    def decode(self, latents):
        return latents


def test_train_vae_refuses_the_wrong_size(stage_silhouettes):
    with pytest.raises(ValueError, match="expects 64×104"):
        vae.train_vae(stage_silhouettes, "cpu", epochs=1, progress=False)


def test_plain_autoencoder_is_deterministic_learns_and_round_trips(tmp_path, stage_silhouettes):
    model, history = vae.train_autoencoder(stage_silhouettes, "ci", epochs=4, batch_size=32, progress=False)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    assert set(history.history) >= {"reconstruction", "val_reconstruction"}
    assert "kl" not in history.history and len(model.encoder.outputs) == 1
    codes = model.encode(stage_silhouettes[:8])
    assert codes.shape == (8, PROFILES["ci"].latent_dim)
    np.testing.assert_array_equal(model(stage_silhouettes[:8]), model(stage_silhouettes[:8]))
    path = tmp_path / "autoencoder.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert type(loaded) is vae.Autoencoder
    np.testing.assert_array_equal(loaded.decode(codes), model.decode(codes))


def test_nearest_silhouette_iou_finds_the_best_match(stage_silhouettes):
    real = stage_silhouettes[:50]
    np.testing.assert_allclose(vae.nearest_silhouette_iou(real[::7], real), 1.0)
    blank = np.zeros((2, *real.shape[1:]), np.float32)
    np.testing.assert_array_equal(vae.nearest_silhouette_iou(blank, real), 0.0)
    shifted = np.roll(real[:5], 3, axis=2)
    expected = [max(float(background.iou(s[..., 0] > 0.5, r[..., 0] > 0.5)) for r in real) for s in shifted]
    np.testing.assert_allclose(vae.nearest_silhouette_iou(shifted, real, batch_size=2), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="differ in size"):
        vae.nearest_silhouette_iou(real[:, :8], real)


def test_nearest_silhouette_iou_never_rewards_an_empty_frame(stage_silhouettes):
    real = np.concatenate([np.zeros((3, *stage_silhouettes.shape[1:]), np.float32), stage_silhouettes[:20]])
    blank = np.zeros((2, *real.shape[1:]), np.float32)
    # with an empty real frame in the set, an empty-union IoU of 1 would make black output perfect
    np.testing.assert_array_equal(vae.nearest_silhouette_iou(blank, real), 0.0)
    np.testing.assert_allclose(vae.nearest_silhouette_iou(real[3:8], real), 1.0)
    with pytest.raises(ValueError, match="all 3 real silhouettes are empty"):
        vae.nearest_silhouette_iou(blank, real[:3])


def test_kl_per_dimension_sums_to_the_models_kl_term(stage_silhouettes):
    model = vae.build_vae("ci", seed=4)
    images = stage_silhouettes[:40]
    per_dimension = vae.kl_per_dimension(model, images, batch_size=16)
    assert per_dimension.shape == (PROFILES["ci"].latent_dim,) and (per_dimension >= 0).all()
    _, z_mean, z_log_var = model(images)
    total = keras.ops.convert_to_numpy(keras.ops.sum(vae.kl_divergence(z_mean, z_log_var), axis=1)).mean()
    assert per_dimension.sum() == pytest.approx(float(total), rel=1e-4)

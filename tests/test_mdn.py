"""The MDN head: its likelihood against independent references, stability, temperature, saving."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from dancenet import mdn


def random_parameters(rng, shape, dimensions, components, scale_range=(0.5, 2.0)):
    """Parameters in the module's layout, with scales drawn uniformly from ``scale_range``."""
    means = rng.normal(size=(*shape, components * dimensions))
    scales = rng.uniform(*scale_range, size=(*shape, components * dimensions))
    logits = rng.normal(size=(*shape, components))
    return np.concatenate([means, scales, logits], axis=-1)


def reference_nll(targets, params, dimensions, components):
    """−log Σ_k π_k Π_d N(x_d; μ_kd, σ_kd) with the densities computed directly, one example at a time."""
    flat_targets = targets.reshape(-1, dimensions)
    flat_params = params.reshape(-1, components * (2 * dimensions + 1))
    result = []
    for x, p in zip(flat_targets, flat_params):
        mu = p[: components * dimensions].reshape(components, dimensions)
        sigma = p[components * dimensions : 2 * components * dimensions].reshape(components, dimensions)
        weights = np.exp(p[-components:]) / np.exp(p[-components:]).sum()
        density = sum(
            weights[k]
            * math.prod(
                math.exp(-0.5 * ((x[d] - mu[k, d]) / sigma[k, d]) ** 2)
                / (math.sqrt(2 * math.pi) * sigma[k, d])
                for d in range(dimensions)
            )
            for k in range(components)
        )
        result.append(-math.log(density))
    return np.array(result).reshape(targets.shape[:-1])


def component_probabilities(params, dimensions, components, temperature=1.0):
    """Mixture weights ``softmax(logits / τ)``, ``(..., K)``."""
    return mdn.tempered_mixture(params, dimensions, components, temperature)[2]


def mixture_variance(params, dimensions, components, temperature=1.0):
    """Per-dimension variance of the tempered mixture, ``Σ_k π_k (σ_k² + (μ_k − mean)²)``: the
    spread within components plus that between them, ``(..., D)``."""
    means, scales, weights = mdn.tempered_mixture(params, dimensions, components, temperature)
    mean = mdn.mixture_mean(params, dimensions, components, temperature)
    return np.einsum("...k,...kd->...d", weights, scales**2 + (means - mean[..., None, :]) ** 2)


def test_split_parameters_follows_the_documented_layout():
    dimensions, components = 2, 3
    params = np.arange(mdn.output_size(dimensions, components), dtype=float)
    means, scales, logits = mdn.split_parameters(params, dimensions, components)
    np.testing.assert_array_equal(means, [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(scales, [[6, 7], [8, 9], [10, 11]])
    np.testing.assert_array_equal(logits, [12, 13, 14])
    batch = np.stack([params, params + 100])[:, None, :]  # (batch 2, time 1, 15), as a tensor
    tensor_means, _, tensor_logits = mdn.split_parameters(tf.constant(batch), dimensions, components)
    assert tensor_means.shape == (2, 1, 3, 2) and tensor_logits.shape == (2, 1, 3)
    np.testing.assert_array_equal(tensor_means[1, 0].numpy(), means + 100)


@pytest.mark.parametrize("dimensions, components", [(1, 1), (1, 3), (2, 4), (5, 2)])
@pytest.mark.parametrize("leading", [(7,), (3, 4)], ids=["rank2", "rank3"])
def test_nll_matches_a_direct_numpy_reference(dimensions, components, leading):
    rng = np.random.default_rng(dimensions * 10 + components)
    params = random_parameters(rng, leading, dimensions, components)
    targets = rng.normal(size=(*leading, dimensions))
    nll = mdn.negative_log_likelihood(targets, params, dimensions, components)
    assert nll.shape == leading
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(nll), reference_nll(targets, params, dimensions, components), rtol=1e-10
    )


@pytest.mark.parametrize("leading", [(16,), (4, 5)], ids=["rank2", "rank3"])
def test_nll_matches_the_keras_mdn_layer_package(leading):
    """keras-mdn-layer ≥ 1.0 uses the same layout with its scales given directly, as ours are."""
    keras_mdn_layer = pytest.importorskip("keras_mdn_layer")
    dimensions, components = 3, 5
    rng = np.random.default_rng(11)
    params = random_parameters(rng, leading, dimensions, components).astype(np.float32)
    targets = rng.normal(size=(*leading, dimensions)).astype(np.float32)
    theirs = keras_mdn_layer.get_mixture_loss_func(dimensions, components)(targets, params)
    ours = mdn.MDNLoss(dimensions, components)(targets, params)
    np.testing.assert_allclose(float(ours), float(theirs), rtol=1e-5)


def test_loss_is_the_mean_nll_and_serializes():
    rng = np.random.default_rng(2)
    params = random_parameters(rng, (4, 6), 2, 3).astype(np.float32)
    targets = rng.normal(size=(4, 6, 2)).astype(np.float32)
    loss = mdn.MDNLoss(2, 3)
    expected = reference_nll(targets.astype(float), params.astype(float), 2, 3).mean()
    np.testing.assert_allclose(float(loss(targets, params)), expected, rtol=1e-5)
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(restored, mdn.MDNLoss) and (restored.dimensions, restored.components) == (2, 3)


def test_nll_is_finite_and_exact_for_far_targets_at_the_scale_floor():
    dimensions, components, floor = 4, 3, 1e-3
    means = np.repeat(np.arange(components, dtype=float), dimensions)  # component k sits at k
    logits = np.array([0.5, -1.0, 2.0])
    params = np.concatenate([means, np.full(components * dimensions, floor), logits])
    targets = np.array([[1e4] * dimensions, [-1e4] * dimensions])
    params = np.stack([params, params])
    nll = mdn.negative_log_likelihood(
        targets.astype(np.float32), params.astype(np.float32), dimensions, components
    ).numpy()
    # the nearest component outweighs the others by exp(−10¹⁰): the mixture is that component alone
    log_weights = logits - np.log(np.exp(logits).sum())
    expected = [
        -log_weights[k]
        + 0.5 * dimensions * ((x - k) / floor) ** 2
        + dimensions * (math.log(floor) + 0.5 * math.log(2 * math.pi))
        for x, k in ((1e4, 2), (-1e4, 0))
    ]
    assert np.exp(-min(expected)) == 0.0  # the density itself underflows even in float64
    np.testing.assert_allclose(nll, expected, rtol=1e-5)


def test_gradients_are_finite_for_far_targets_at_the_scale_floor():
    dimensions, components = 3, 2
    layer = mdn.MDN(dimensions, components)
    layer.build((None, 4))
    bias = np.zeros(mdn.output_size(dimensions, components), np.float32)
    bias[dimensions * components : 2 * dimensions * components] = -80.0  # softplus underflows to 0
    layer.bias.assign(bias)
    features = tf.constant(np.random.default_rng(0).normal(size=(5, 4)) * 1e-3, tf.float32)
    targets = tf.constant(np.full((5, dimensions), 1e4), tf.float32) * [[1.0], [-1.0], [1.0], [-1.0], [1.0]]
    with tf.GradientTape() as tape:
        params = layer(features)
        loss = tf.reduce_mean(mdn.negative_log_likelihood(targets, params, dimensions, components))
    np.testing.assert_allclose(params[:, dimensions * components : 2 * dimensions * components], 1e-3)
    gradients = tape.gradient(loss, layer.trainable_weights)
    assert np.isfinite(loss.numpy()) and loss.numpy() > 1e13
    for gradient in gradients:
        assert np.isfinite(gradient.numpy()).all() and np.abs(gradient.numpy()).max() > 0


def test_mixture_mean_and_variance_of_a_worked_example():
    params = np.array([-1.0, 1.0, 0.5, 0.5, 0.0, 0.0])  # ½N(−1, 0.5²) + ½N(1, 0.5²)
    np.testing.assert_allclose(mdn.mixture_mean(params, 1, 2), [0.0], atol=1e-15)
    np.testing.assert_allclose(mixture_variance(params, 1, 2), [0.25 + 1.0])
    # at τ = 0.5 the components keep equal weights and their variances halve
    np.testing.assert_allclose(mixture_variance(params, 1, 2, temperature=0.5), [0.125 + 1.0])


@pytest.mark.parametrize("temperature", [1.0, 0.5])
def test_sample_moments_match_the_exact_mixture_moments(temperature):
    dimensions, components, n = 2, 3, 100_000
    params = random_parameters(np.random.default_rng(5), (2,), dimensions, components)
    draws = mdn.sample(
        np.broadcast_to(params[:, None], (2, n, params.shape[-1])), dimensions, components, temperature, rng=6
    )
    assert draws.shape == (2, n, dimensions)
    mean, variance = draws.mean(axis=1), draws.var(axis=1)
    # five standard errors of the sample mean and of the sample variance
    mean_error = 5 * np.sqrt(variance / n)
    variance_error = 5 * np.sqrt(((draws - mean[:, None]) ** 2).var(axis=1) / n)
    assert (np.abs(mean - mdn.mixture_mean(params, dimensions, components, temperature)) < mean_error).all()
    assert (
        np.abs(variance - mixture_variance(params, dimensions, components, temperature)) < variance_error
    ).all()


@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_component_frequencies_are_softmax_of_logits_over_temperature(temperature):
    logits = np.array([0.0, 1.0, 2.0])
    params = np.concatenate([[-100.0, 0.0, 100.0], [1.0, 1.0, 1.0], logits])
    n = 200_000
    draws = mdn.sample(np.broadcast_to(params, (n, 9)), 1, 3, temperature, rng=3)[:, 0]
    frequencies = np.bincount(np.round(draws / 100).astype(int) + 1, minlength=3) / n
    expected = np.exp(logits / temperature) / np.exp(logits / temperature).sum()
    np.testing.assert_allclose(component_probabilities(params, 1, 3, temperature), expected)
    assert (np.abs(frequencies - expected) < 5 * np.sqrt(expected * (1 - expected) / n)).all()


def test_lower_temperature_sharpens_the_component_choice():
    params = np.concatenate([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    weights = [component_probabilities(params, 1, 2, t)[1] for t in (2.0, 1.0, 0.5, 0.1)]
    assert weights == sorted(weights) and weights[-1] > 0.9999


def test_temperature_scales_the_variance_of_a_single_component():
    sigma, temperature, n = np.array([0.5, 1.0, 2.0]), 0.3, 200_000
    params = np.concatenate([[1.0, -2.0, 3.0], sigma, [0.0]])
    draws = mdn.sample(np.broadcast_to(params, (n, 7)), 3, 1, temperature, rng=4)
    expected = temperature * sigma**2
    assert (np.abs(draws.var(axis=0) - expected) < 5 * expected * np.sqrt(2 / n)).all()


def test_temperature_zero_returns_the_most_likely_components_mean_deterministically():
    dimensions, components = 3, 4
    params = random_parameters(np.random.default_rng(8), (6,), dimensions, components)
    means, _, logits = mdn.split_parameters(params, dimensions, components)
    first = mdn.sample(params, dimensions, components, temperature=0, rng=1)
    second = mdn.sample(params, dimensions, components, temperature=0, rng=2)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, means[np.arange(6), np.argmax(logits, axis=-1)])


def test_sampling_is_reproducible_from_a_seed():
    params = random_parameters(np.random.default_rng(9), (4,), 2, 3)
    np.testing.assert_array_equal(mdn.sample(params, 2, 3, rng=7), mdn.sample(params, 2, 3, rng=7))
    assert not np.array_equal(mdn.sample(params, 2, 3, rng=7), mdn.sample(params, 2, 3, rng=8))
    assert mdn.sample(params[0], 2, 3, rng=np.random.default_rng(7)).shape == (2,)


def test_layer_shapes_and_parameter_count():
    features, dimensions, components = 6, 3, 4
    layer = mdn.MDN(dimensions, components)
    size = components * (2 * dimensions + 1)
    assert layer(np.zeros((5, features), np.float32)).shape == (5, size)
    assert layer(np.zeros((2, 7, features), np.float32)).shape == (2, 7, size)
    assert layer.compute_output_shape((None, 7, features)) == (None, 7, size)
    assert layer.count_params() == (features + 1) * size
    original_head = mdn.MDN(128, 24)  # the original's head on its Dense 1000: 6168 outputs
    original_head.build((None, 1000))
    assert original_head.size == 6168 and original_head.count_params() == 1001 * 6168 == 6_174_168


def test_layer_scales_never_fall_below_the_floor():
    layer = mdn.MDN(2, 3, scale_floor=0.01)
    features = np.random.default_rng(1).normal(size=(256, 5)).astype(np.float32) * 100
    _, scales, _ = mdn.split_parameters(layer(features).numpy(), 2, 3)
    assert scales.min() >= 0.01 and np.isclose(scales.min(), 0.01)


def test_a_model_with_the_head_round_trips_through_keras_safe_mode(tmp_path):
    inputs = keras.Input((None, 4))
    outputs = mdn.MDN(2, 3, scale_floor=0.05, name="mdn")(keras.layers.LSTM(8, return_sequences=True)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss=mdn.MDNLoss(2, 3))
    model.train_on_batch(np.zeros((1, 3, 4)), np.zeros((1, 3, 2)))  # builds the optimizer's state
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    features = np.random.default_rng(0).normal(size=(2, 5, 4)).astype(np.float32)
    np.testing.assert_array_equal(restored(features).numpy(), model(features).numpy())
    assert restored.get_layer("mdn").get_config()["scale_floor"] == 0.05
    assert isinstance(restored.loss, mdn.MDNLoss) and restored.loss.components == 3


def test_a_tiny_model_learns_a_bimodal_target():
    """y = ±√x: the best single Gaussian has NLL ≈ 0.9 nats; two components can go far below."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(4096, 1)).astype(np.float32)
    y = (rng.choice([-1, 1], size=x.shape) * np.sqrt(x) + rng.normal(0, 0.05, x.shape)).astype(np.float32)
    unimodal = np.mean(0.5 * np.log(2 * np.pi * np.e * (x + 0.05**2)))  # N(0, x + noise²) per x
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(32, activation="tanh"), mdn.MDN(1, 2)])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=mdn.MDNLoss(1, 2))
    history = model.fit(x, y, batch_size=256, epochs=20, verbose=0).history["loss"]
    assert history[-1] < history[0] - 1.0
    assert history[-1] < unimodal - 1.0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mdn.MDN(0, 3), "dimensions must be a positive integer"),
        (lambda: mdn.MDN(2, 0), "components must be a positive integer"),
        (lambda: mdn.MDN(2, 3, scale_floor=0), "scale_floor"),
        (lambda: mdn.MDNLoss(2, 1.5), "components must be a positive integer"),
        (lambda: mdn.split_parameters(np.zeros((4, 14)), 2, 3), r"K·\(2D\+1\) = 15 .* got shape \(4, 14\)"),
        (lambda: mdn.negative_log_likelihood(np.zeros((4, 2)), np.zeros((4, 16)), 2, 3), "= 15"),
        (
            lambda: mdn.negative_log_likelihood(np.zeros((4, 3)), np.ones((4, 15)), 2, 3),
            r"shape \(\.\.\., 2\)",
        ),
        (
            lambda: mdn.negative_log_likelihood(np.full((4, 2), np.nan), np.ones((4, 15)), 2, 3),
            "targets contain NaN",
        ),
        (
            lambda: mdn.negative_log_likelihood(np.zeros((4, 2)), np.full((4, 15), np.nan), 2, 3),
            "parameters contain NaN",
        ),
        (
            lambda: mdn.negative_log_likelihood(np.zeros((4, 2)), np.zeros((4, 15)), 2, 3),
            "scales must be positive",
        ),
        (lambda: mdn.sample(np.full((4, 15), np.nan), 2, 3), "parameters contain NaN"),
        (
            lambda: mdn.sample(np.ones((4, 15)), 2, 3, temperature=-0.1),
            "temperature must be a finite number ≥ 0",
        ),
        (lambda: mdn.sample(np.ones((4, 15)), 2, 3, temperature=float("nan")), "temperature"),
        (lambda: mdn.mixture_mean(np.ones((4, 15)), 3, 2), "= 14"),
    ],
)
def test_bad_inputs_are_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_sample_tensor_follows_the_same_temperature_rule():
    rng = np.random.default_rng(5)
    dimensions, components = 2, 3
    one = random_parameters(rng, (1,), dimensions, components).astype(np.float32)
    batch = tf.constant(np.repeat(one, 100_000, axis=0))
    for tau in (1.0, 0.4):
        draws = mdn.sample_tensor(batch, dimensions, components, tau, tf.constant([1, 2])).numpy()
        mean = mdn.mixture_mean(one, dimensions, components, tau)[0]
        variance = mixture_variance(one, dimensions, components, tau)[0]
        assert (np.abs(draws.mean(axis=0) - mean) < 5 * np.sqrt(variance / len(draws))).all()
        np.testing.assert_allclose(draws.var(axis=0), variance, rtol=0.03)
    cold = mdn.sample_tensor(batch[:4], dimensions, components, 0.0, tf.constant([3, 4])).numpy()
    np.testing.assert_allclose(cold, mdn.sample(one.repeat(4, 0), dimensions, components, 0.0), rtol=1e-6)
    again = [
        mdn.sample_tensor(batch[:8], dimensions, components, 1.0, tf.constant([7, 7])).numpy()
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*again)
    other = mdn.sample_tensor(batch[:8], dimensions, components, 1.0, tf.constant([7, 8])).numpy()
    assert not np.allclose(other, again[0])


def test_the_mse_toy_fit_reaches_the_conditional_mean_not_a_straight_line():
    # chapter 6's claim: squared error learns E[y | x], which here is far from linear
    x, y = mdn.inverse_problem(1000, seed=2024)
    bins = np.linspace(x.min(), x.max(), 21)
    which = np.digitize(x[:, 0], bins) - 1
    full = [b for b in range(20) if (which == b).sum() >= 20]
    centres = ((bins[:-1] + bins[1:]) / 2)[full, None].astype(np.float32)
    conditional_mean = np.array([y[which == b, 0].mean() for b in full])
    predicted = mdn.fit_toy(x, y, components=None).predict(centres, verbose=0)[:, 0]
    line = np.polyval(np.polyfit(centres[:, 0], conditional_mean, 1), centres[:, 0])
    assert np.abs(predicted - conditional_mean).max() < 0.12
    assert np.abs(conditional_mean - line).max() > 0.15  # the test means something: E[y | x] bends

"""Both gradient estimators are unbiased; the reparameterized one has lower variance."""

import numpy as np
import pytest
import tensorflow as tf

from dancenet import estimators


def quadratic(z):
    return (z - 2.0) ** 2  # E[f] = (μ − 2)² + σ², so ∇ = (2(μ − 2), 2σ)


@pytest.mark.parametrize(
    "estimator", [estimators.score_function_gradients, estimators.reparameterized_gradients]
)
def test_estimates_are_unbiased(estimator):
    mu, sigma = 0.5, 1.5
    estimates = estimator(quadratic, mu, sigma, samples=50, repeats=4000, seed=1)
    assert estimates.shape == (4000, 2)
    standard_error = estimates.std(axis=0) / np.sqrt(len(estimates))
    error = np.abs(estimates.mean(axis=0) - [2 * (mu - 2), 2 * sigma])
    np.testing.assert_array_less(error, 4 * standard_error)


def test_reparameterization_has_lower_variance_and_it_shrinks_with_samples():
    score = estimators.score_function_gradients(quadratic, 0.5, 1.5, samples=10, repeats=2000, seed=2)
    reparam = estimators.reparameterized_gradients(quadratic, 0.5, 1.5, samples=10, repeats=2000, seed=2)
    assert (reparam.var(axis=0) * 5 < score.var(axis=0)).all()
    more = estimators.reparameterized_gradients(quadratic, 0.5, 1.5, samples=100, repeats=2000, seed=3)
    np.testing.assert_allclose(more.var(axis=0) * 10, reparam.var(axis=0), rtol=0.2)  # variance ∝ 1/samples


def test_reparameterized_gradient_of_a_linear_function_is_exact():
    estimates = estimators.reparameterized_gradients(
        lambda z: 3.0 * z, 1.0, 2.0, samples=5, repeats=10, seed=0
    )
    np.testing.assert_allclose(estimates[:, 0], 3.0)
    assert abs(estimates[:, 1].mean()) < 3.0  # 3·mean(ε): noisy but centred on 0


def test_score_function_needs_no_gradient_of_f():
    step = lambda z: (z > 0).astype(float)  # noqa: E731 — not differentiable; E[f] = Φ(μ/σ)
    estimates = estimators.score_function_gradients(step, 0.0, 1.0, samples=1000, repeats=200, seed=4)
    np.testing.assert_allclose(estimates[:, 0].mean(), 1 / np.sqrt(2 * np.pi), atol=0.01)
    with tf.GradientTape() as tape:  # the reparameterization sees a zero gradient through a step
        mu = tf.Variable(0.0)
        value = tf.reduce_mean(tf.cast(mu + tf.random.normal((100,)) > 0, tf.float32))
    assert tape.gradient(value, mu) is None


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="σ > 0"):
        estimators.score_function_gradients(quadratic, 0.0, 0.0, samples=5)
    with pytest.raises(ValueError, match="at least 1"):
        estimators.reparameterized_gradients(quadratic, 0.0, 1.0, samples=0)

"""Two ways to estimate the gradient of an expectation, for chapter 5's comparison.

We want ∇ E_{z~N(μ, σ²)}[f(z)] with respect to μ and σ, from samples of z.

- The **score-function** estimator (REINFORCE) averages ``f(z) · ∇ log N(z; μ, σ²)``. It needs
  only values of ``f``, so it works for any ``f``, but its variance is large.
- The **reparameterization** estimator writes ``z = μ + σ·ε`` with ``ε ~ N(0, 1)`` and
  differentiates ``f(μ + σ·ε)`` by the chain rule. It needs a differentiable ``f``, and has far
  lower variance — which is why VAEs use it.

Both return ``repeats`` independent estimates, each from ``samples`` draws, so their spread can
be measured: columns are the gradient with respect to μ and to σ.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .checks import check_positive_int


def _check(mu: float, sigma: float, samples: int, repeats: int) -> None:
    if not np.isfinite(mu) or not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"need a finite μ and σ > 0, got μ={mu}, σ={sigma}")
    check_positive_int(samples, "samples")
    check_positive_int(repeats, "repeats")


def score_function_gradients(
    f, mu: float, sigma: float, samples: int, repeats: int = 1, seed: int | None = None
) -> np.ndarray:
    """``(repeats, 2)`` score-function estimates of ∇_(μ, σ) E[f(z)]; ``f`` maps a NumPy array
    elementwise and is never differentiated."""
    _check(mu, sigma, samples, repeats)
    z = np.random.default_rng(seed).normal(mu, sigma, size=(repeats, samples))
    values = np.asarray(f(z), np.float64)
    score_mu = (z - mu) / sigma**2  # ∂/∂μ log N(z; μ, σ²)
    score_sigma = ((z - mu) ** 2 - sigma**2) / sigma**3  # ∂/∂σ log N(z; μ, σ²)
    return np.stack([(values * score_mu).mean(axis=1), (values * score_sigma).mean(axis=1)], axis=1)


def reparameterized_gradients(
    f, mu: float, sigma: float, samples: int, repeats: int = 1, seed: int | None = None
) -> np.ndarray:
    """``(repeats, 2)`` reparameterization estimates of ∇_(μ, σ) E[f(z)], by automatic
    differentiation of ``f(μ + σ·ε)``; ``f`` must be written with TensorFlow or ``keras.ops``."""
    _check(mu, sigma, samples, repeats)
    epsilon = tf.constant(np.random.default_rng(seed).normal(size=(repeats, samples)))
    mus = tf.Variable(tf.fill((repeats, 1), tf.constant(mu, tf.float64)))
    sigmas = tf.Variable(tf.fill((repeats, 1), tf.constant(sigma, tf.float64)))
    with tf.GradientTape() as tape:
        # each repeat has its own copy of μ and σ, so one backward pass gives every estimate
        estimates = tf.reduce_mean(f(mus + sigmas * epsilon), axis=1)
        total = tf.reduce_sum(estimates)
    grad_mu, grad_sigma = tape.gradient(total, [mus, sigmas])
    return np.concatenate([grad_mu.numpy(), grad_sigma.numpy()], axis=1)

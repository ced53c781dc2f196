"""Mixture density networks: a whole distribution over the next latent vector, not one guess.

Trained with mean squared error, a network predicts the average of every pose that could come next;
when the dancer may turn left or right, that average is a pose nobody dances. An MDN head outputs
a mixture of K diagonal Gaussians over D dimensions instead, and learns by its likelihood.

The parameters of one mixture are one flat vector of ``K·(2D + 1)`` numbers::

    [ μ_1 … μ_K | σ_1 … σ_K | logit_1 … logit_K ]
      K·D means   K·D scales  K mixture logits

where each component's D means (and D scales) are contiguous. Means and logits are linear, scales
positive. It is the original DanceNet's layout, and the ``keras-mdn-layer`` package's.

- :class:`MDN` is the head, :func:`negative_log_likelihood` and :class:`MDNLoss` train it.
- :func:`tempered_mixture` defines temperature, once; :func:`sample` draws with it.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from .checks import check_positive_int
from .training import train

PACKAGE = "dancenet"
LOG_2PI = math.log(2.0 * math.pi)
#: the name of a model's MDN head, by which code that runs the model's layers finds it
MDN_LAYER = "mdn"


def output_size(dimensions: int, components: int) -> int:
    """Length of the flat parameter vector of K components over D dimensions: ``K·(2D + 1)``."""
    dimensions = check_positive_int(dimensions, "dimensions")
    return check_positive_int(components, "components") * (2 * dimensions + 1)


def split_parameters(params, dimensions: int, components: int):
    """``(means (..., K, D), scales (..., K, D), logits (..., K))`` from parameters ``(..., K·(2D+1))``.

    NumPy in, NumPy out; tensors in, tensors out.
    """
    expected = output_size(dimensions, components)
    if not hasattr(params, "shape"):
        params = np.asarray(params)
    if len(params.shape) == 0 or params.shape[-1] not in (expected, None):
        raise ValueError(
            f"expected a last axis of K·(2D+1) = {expected} parameters for "
            f"D={dimensions}, K={components}, got shape {tuple(params.shape)}"
        )
    split = dimensions * components
    numpy = isinstance(params, np.ndarray)
    leading = params.shape[:-1] if numpy else ops.shape(params)[:-1]
    reshape = np.reshape if numpy else ops.reshape
    return (
        reshape(params[..., :split], (*leading, components, dimensions)),
        reshape(params[..., split : 2 * split], (*leading, components, dimensions)),
        params[..., 2 * split :],
    )


def _known_values(x):
    """``x`` as NumPy when its values exist now (NumPy, eager tensors), ``None`` while a compiled
    training step is being traced: there the value checks cannot run."""
    if isinstance(x, np.ndarray):
        return x
    try:
        return np.asarray(x.numpy())
    except (AttributeError, NotImplementedError, TypeError, ValueError):
        return None


def _checked(params, dimensions: int, components: int):
    """Means, scales, logits of parameters that are finite and have positive scales."""
    means, scales, logits = split_parameters(params, dimensions, components)
    values = _known_values(params)
    if values is not None:
        if not np.isfinite(values).all():
            raise ValueError("MDN parameters contain NaN or infinity")
        smallest = values[..., dimensions * components : 2 * dimensions * components].min()
        if smallest <= 0:
            raise ValueError(f"MDN scales must be positive, the smallest is {smallest}")
    return means, scales, logits


def _tensor(x):
    x = x if ops.is_tensor(x) or isinstance(x, keras.KerasTensor) else ops.convert_to_tensor(x)
    return x if "float" in str(x.dtype) else ops.cast(x, keras.backend.floatx())


def negative_log_likelihood(targets, params, dimensions: int, components: int):
    """``−log p(x)`` in nats of each target ``(..., D)`` under its mixture ``(..., K·(2D+1))``,
    shape ``(...,)``.

    Computed in log space: ``log N(x; μ_k, σ_k) = −½ Σ_d ((x_d − μ_kd)/σ_kd)² − Σ_d log σ_kd − (D/2)·log 2π``
    per component, plus ``log softmax(logits)_k``, then log-sum-exp over k. The density of a target
    10⁷ scales away, ``exp(−5·10¹³)``, is zero in floating point; its logarithm is not, so far-off
    targets and tiny scales give a large finite loss with finite gradients instead of inf or NaN.
    """
    params = _tensor(params)
    targets = ops.cast(_tensor(targets), params.dtype)
    means, scales, logits = _checked(params, dimensions, components)
    if tuple(targets.shape[-1:]) != (dimensions,) or len(targets.shape) != len(params.shape):
        raise ValueError(
            f"targets must have shape (..., {dimensions}), as many axes as the "
            f"parameters {tuple(params.shape)}, got {tuple(targets.shape)}"
        )
    known = _known_values(targets)
    if known is not None and not np.isfinite(known).all():
        raise ValueError("MDN targets contain NaN or infinity")
    z = (ops.expand_dims(targets, -2) - means) / scales
    log_densities = (
        -0.5 * ops.sum(ops.square(z), axis=-1)
        - ops.sum(ops.log(scales), axis=-1)
        - 0.5 * dimensions * LOG_2PI
    )
    return -ops.logsumexp(log_densities + ops.log_softmax(logits, axis=-1), axis=-1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class MDN(layers.Layer):
    """Features ``(..., F)`` → mixture parameters ``(..., K·(2D+1))``, at every leading position.

    One affine map, ``(F + 1)·K·(2D + 1)`` weights like the original's three Dense heads together;
    scales are ``softplus + scale_floor``. The floor stops a component from shrinking onto a single
    training point, where its likelihood, and the loss, would run off to infinity.
    """

    def __init__(self, dimensions: int, components: int, scale_floor: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        self.size = output_size(dimensions, components)
        if not (isinstance(scale_floor, (int, float)) and 0 < scale_floor < math.inf):
            raise ValueError(f"scale_floor must be a positive number, got {scale_floor!r}")
        self.dimensions, self.components = int(dimensions), int(components)
        self.scale_floor = float(scale_floor)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.size), name="kernel", initializer="glorot_uniform"
        )
        self.bias = self.add_weight(shape=(self.size,), name="bias", initializer="zeros")

    def call(self, features):
        raw = ops.matmul(features, self.kernel) + self.bias
        split = self.dimensions * self.components
        scales = ops.softplus(raw[..., split : 2 * split]) + self.scale_floor
        return ops.concatenate([raw[..., :split], scales, raw[..., 2 * split :]], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.size)

    def get_config(self):
        return {
            **super().get_config(),
            "dimensions": self.dimensions,
            "components": self.components,
            "scale_floor": self.scale_floor,
        }


@keras.saving.register_keras_serializable(package=PACKAGE)
class MDNLoss(keras.losses.Loss):
    """The mean negative log-likelihood over examples (and time steps): ``loss=MDNLoss(D, K)``."""

    def __init__(self, dimensions: int, components: int, name: str = "mdn_nll", **kwargs):
        super().__init__(name=name, **kwargs)
        output_size(dimensions, components)
        self.dimensions, self.components = int(dimensions), int(components)

    def call(self, y_true, y_pred):
        return negative_log_likelihood(y_true, y_pred, self.dimensions, self.components)

    def get_config(self):
        return {**super().get_config(), "dimensions": self.dimensions, "components": self.components}


def tempered_mixture(params, dimensions: int, components: int, temperature: float = 1.0):
    """The mixture :func:`sample` draws from at temperature τ: NumPy ``(means, scales, weights)``.

    The course's one definition of temperature: a component is chosen with probabilities
    ``softmax(logits / τ)``, and its standard deviations are multiplied by ``√τ`` (its variances by
    τ). τ = 1 is the model as trained; τ < 1 favours the likely components and tightens each; τ → 0
    leaves the mean of the most likely component (τ = 0 is allowed: one-hot weights, zero scales).
    """
    if not isinstance(temperature, (int, float, np.number)) or not 0 <= temperature < math.inf:
        raise ValueError(f"temperature must be a finite number ≥ 0, got {temperature!r}")
    params = np.asarray(params, np.float64)
    means, scales, logits = _checked(params, dimensions, components)
    if temperature == 0:
        weights = np.eye(components)[np.argmax(logits, axis=-1)]
    else:  # shift before dividing: at tiny τ, logits / τ alone would overflow
        weights = np.exp((logits - logits.max(axis=-1, keepdims=True)) / temperature)
        weights /= weights.sum(axis=-1, keepdims=True)
    return means, scales * math.sqrt(temperature), weights


def mixture_mean(params, dimensions: int, components: int, temperature: float = 1.0):
    """Exact mean of the (tempered) mixture, ``Σ_k π_k μ_k``, NumPy ``(..., D)``."""
    means, _, weights = tempered_mixture(params, dimensions, components, temperature)
    return np.einsum("...k,...kd->...d", weights, means)


def sample(params, dimensions: int, components: int, temperature: float = 1.0, rng=None):
    """One draw from each mixture ``(..., K·(2D+1))`` at temperature τ (see :func:`tempered_mixture`),
    NumPy ``(..., D)``. ``rng``: a seed or a ``numpy.random.Generator``."""
    means, scales, weights = tempered_mixture(params, dimensions, components, temperature)
    rng = np.random.default_rng(rng)
    cumulative = np.cumsum(weights, axis=-1)
    cumulative /= cumulative[..., -1:]  # ends at exactly 1 > u: the index below stays < K
    u = rng.random((*weights.shape[:-1], 1))
    chosen = np.sum(cumulative <= u, axis=-1)[..., None, None]
    mean = np.take_along_axis(means, chosen, axis=-2)[..., 0, :]
    scale = np.take_along_axis(scales, chosen, axis=-2)[..., 0, :]
    return mean + scale * rng.standard_normal(mean.shape)


def sample_tensor(params, dimensions: int, components: int, temperature, seed):
    """:func:`sample` for compiled TensorFlow loops: the same temperature rule, on a batch of
    parameters ``(B, K·(2D+1))``, drawing with a stateless ``seed`` (two integers) so that a loop
    can pass a different, reproducible seed at every step. Returns ``(B, D)``."""
    import tensorflow as tf  # stateless random ops: keras.random has no per-call seed splitting

    means, scales, logits = split_parameters(params, dimensions, components)
    temperature = tf.cast(temperature, params.dtype)
    choice_seed, noise_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    drawn = tf.random.stateless_categorical(
        logits / tf.maximum(temperature, 1e-6), 1, choice_seed, dtype=tf.int32
    )[:, 0]
    chosen = tf.where(temperature > 0, drawn, tf.argmax(logits, axis=-1, output_type=tf.int32))
    mean = tf.gather(means, chosen, batch_dims=1)
    scale = tf.gather(scales, chosen, batch_dims=1) * tf.sqrt(temperature)
    return mean + scale * tf.random.stateless_normal(tf.shape(mean), noise_seed, dtype=params.dtype)


# ----------------------------------------------------------------------------- a toy problem


def inverse_problem(count: int = 1000, seed: int | None = 0):
    """Chapter 6's toy, after Bishop (1994): ``x = y + 0.3·sin(2πy) + noise`` for ``y`` uniform in
    [0, 1]. Predicting ``y`` from ``x`` has up to three right answers for one ``x``. Returns
    ``(x, y)``, each ``(count, 1)``."""
    rng = np.random.default_rng(seed)
    y = rng.uniform(0, 1, (count, 1))
    x = y + 0.3 * np.sin(2 * np.pi * y) + rng.uniform(-0.1, 0.1, (count, 1))
    return x.astype(np.float32), y.astype(np.float32)


def fit_toy(x, y, components: int | None, epochs: int = 150, hidden: int = 32, seed: int = 0) -> keras.Model:
    """A small network (two tanh layers) fitted to ``y`` given ``x``: with an MDN head of
    ``components`` Gaussians and its likelihood, or — ``components=None`` — one output and mean
    squared error. ``x`` is standardized first (a ``Normalization`` layer with the data's mean and
    variance): on raw inputs the tanh units start nearly linear, and the MSE fit stays a straight
    line instead of reaching the conditional mean."""
    x, y = np.asarray(x, np.float32), np.asarray(y, np.float32)

    def build():
        inputs = keras.Input((x.shape[1],))
        standardized = layers.Normalization(mean=x.mean(axis=0), variance=x.var(axis=0))(inputs)
        features = layers.Dense(hidden, activation="tanh")(
            layers.Dense(hidden, activation="tanh")(standardized)
        )
        if components is None:
            return keras.Model(inputs, layers.Dense(y.shape[1])(features), name="mse_regression")
        return keras.Model(
            inputs, MDN(y.shape[1], components, name=MDN_LAYER)(features), name=f"mdn_{components}"
        )

    loss = "mse" if components is None else MDNLoss(y.shape[1], components)
    model, _ = train(
        build,
        lambda: (x, y, None),
        epochs=epochs,
        optimizer=keras.optimizers.Adam,
        learning_rate=1e-2,
        loss=loss,
        batch_size=100,
        seed=seed,
        progress=False,
    )
    return model

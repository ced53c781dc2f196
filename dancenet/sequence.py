"""Sequence models over the latent codes of a dance: what comes next, as a distribution.

- :func:`prepare` splits the ``z_mean`` sequence chronologically (the last 20 % held out) and
  standardizes it with statistics of the training part only (the original fit its scaler on
  everything, flaw 3); :func:`windows` and :func:`pairs` cut it into training examples.
- :func:`build_seed_model` is the original: three LSTMs that see **one** time step, whose state is
  reset on every call (flaw 1: no memory), a Dense layer and an MDN head.
- :func:`build_sequence_model` is the same stack trained on windows, with the loss at every step;
  :func:`stateful_twin` runs it one step at a time, carrying the LSTM state, with the same weights.
- :class:`StandStill` and :class:`LinearAutoregressive` are the baselines every model must beat.
- Every model is scored by its **held-out NLL**: the mean negative log-likelihood per latent
  dimension, in nats, of each held-out next code (:func:`held_out_nll`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from . import mdn
from .profiles import Profile, get_profile

#: fraction of the sequence, at its end, that no model or scaler ever trains on
HELD_OUT = 0.2
#: steps per training window of the model with memory (64 codes ≈ 4 s of the stage video)
WINDOW = 64
#: the original's dropout between the LSTMs
DROPOUT = 0.4
#: standard deviation of the noise added to the input codes while training the model with memory
#: (standardized units): generation feeds it its own samples, never exactly a real dance
INPUT_NOISE = 0.2
#: epochs without improvement on the validation codes before training stops
PATIENCE = 8


def check_sequence(latents, name: str = "latent sequence", dtype=np.float32) -> np.ndarray:
    """``latents`` as an array ``(T, D)``, T ≥ 2, all finite — or a ``ValueError`` saying which."""
    latents = np.asarray(latents, dtype)
    if latents.ndim != 2 or len(latents) < 2:
        raise ValueError(f"expected a {name} of shape (T, D) with T ≥ 2, got {latents.shape}")
    if not np.isfinite(latents).all():
        raise ValueError(f"the {name} contains NaN or infinity")
    return latents


@dataclass(frozen=True)
class Standardizer:
    """Per-dimension ``(z − mean) / std``, fit on training codes only."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, latents) -> Standardizer:
        latents = check_sequence(latents, "training sequence")
        return cls(latents.mean(axis=0), np.maximum(latents.std(axis=0), 1e-6))

    def transform(self, latents) -> np.ndarray:
        return ((np.asarray(latents, np.float32) - self.mean) / self.std).astype(np.float32)

    def inverse(self, standardized) -> np.ndarray:
        return (np.asarray(standardized, np.float32) * self.std + self.mean).astype(np.float32)


@dataclass(frozen=True)
class LatentSequence:
    """A standardized latent sequence, split in time: ``train`` comes first, ``held_out`` after."""

    train: np.ndarray
    held_out: np.ndarray
    scaler: Standardizer

    @property
    def whole(self) -> np.ndarray:
        """Both parts in video order (for context that reaches back into the training part)."""
        return np.concatenate([self.train, self.held_out])


def prepare(latents, held_out: float = HELD_OUT) -> LatentSequence:
    """The ``z_mean`` sequence ``(T, D)`` split chronologically and standardized on its first part."""
    latents = check_sequence(latents)
    if not 0 < held_out < 1:
        raise ValueError(f"held_out must be between 0 and 1, got {held_out}")
    cut = len(latents) - max(1, round(held_out * len(latents)))
    if cut < 2:
        raise ValueError(f"a sequence of {len(latents)} codes leaves nothing to train on")
    scaler = Standardizer.fit(latents[:cut])
    return LatentSequence(scaler.transform(latents[:cut]), scaler.transform(latents[cut:]), scaler)


def pairs(sequence) -> tuple[np.ndarray, np.ndarray]:
    """``(z_t, z_{t+1})`` for every step: the seed model's training examples."""
    sequence = check_sequence(sequence)
    return sequence[:-1], sequence[1:]


def windows(sequence, length: int = WINDOW, stride: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping windows ``(n, length, D)`` of the sequence and, for each, the same window one
    step later (the target at every step is the next code)."""
    sequence = check_sequence(sequence)
    stride = stride or max(1, length // 8)
    if length < 1 or stride < 1:
        raise ValueError(f"window length and stride must be at least 1, got {length} and {stride}")
    if len(sequence) < length + 1:
        raise ValueError(f"a sequence of {len(sequence)} codes is too short for windows of {length}")
    starts = np.arange(0, len(sequence) - length, stride)
    index = starts[:, None] + np.arange(length)
    return sequence[index], sequence[index + 1]


# ----------------------------------------------------------------------------- models

def _head(profile: Profile, x):
    x = layers.Dense(profile.dense_units, activation="relu", name="dense")(x)
    return mdn.MDN(profile.latent_dim, profile.mixtures, name="mdn")(x)


@keras.saving.register_keras_serializable(package="dancenet")
class AddCurrentCode(layers.Layer):
    """Adds ``carry ⊙ current code`` to every component's mean, so the network before it predicts
    the *step* to the next code rather than the whole next code, most of which is the current one.

    ``carry`` is learned per dimension, starting at 1. A real dance is pulled back towards its usual
    poses (its codes' lag-1 autocorrelations are below 1); with ``carry`` fixed at 1 the model has to
    learn that pull inside the LSTMs, and generated dances drift off like a random walk when it
    does not.
    """

    def __init__(self, dimensions: int, components: int, **kwargs):
        super().__init__(**kwargs)
        self.dimensions, self.components = int(dimensions), int(components)

    def build(self, input_shapes):
        self.carry = self.add_weight(shape=(self.dimensions,), initializer="ones", name="carry")

    def call(self, inputs):
        params, codes = inputs
        split = self.dimensions * self.components
        repeats = [1] * (len(codes.shape) - 1) + [self.components]
        means = params[..., :split] + keras.ops.tile(codes * self.carry, repeats)
        return keras.ops.concatenate([means, params[..., split:]], axis=-1)

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        return {**super().get_config(), "dimensions": self.dimensions, "components": self.components}


def build_seed_model(profile: Profile | str | None = None) -> keras.Model:
    """The original sequence model: one code in, a mixture over the next code out.

    The code is reshaped into a sequence of length 1, so the LSTMs start from a zero state on every
    call and never see more than the current step. 12,198,336 parameters in the ``gpu`` profile.
    """
    profile = get_profile(profile)
    code = keras.Input((profile.latent_dim,), name="z")
    x = layers.Reshape((1, profile.latent_dim), name="reshape")(code)
    for i in range(1, profile.lstm_layers + 1):
        x = layers.LSTM(profile.lstm_units, return_sequences=i < profile.lstm_layers, name=f"lstm{i}")(x)
        x = layers.Dropout(DROPOUT, name=f"dropout{i}")(x)
    return keras.Model(code, _head(profile, x), name="seed_sequence_model")


def build_sequence_model(profile: Profile | str | None = None, centred: bool = True) -> keras.Model:
    """The model with memory: the same stack over whole sequences ``(batch, time, D)``, a mixture
    over the next code at every step, centred on the current code (:class:`AddCurrentCode`), or —
    ``centred=False`` — on nothing, predicting the next code outright as the seed model does."""
    profile = get_profile(profile)
    codes = keras.Input((None, profile.latent_dim), name="z")
    x = layers.GaussianNoise(INPUT_NOISE, name="input_noise")(codes)  # active in training only
    for i in range(1, profile.lstm_layers + 1):
        x = layers.LSTM(profile.lstm_units, return_sequences=True, name=f"lstm{i}")(x)
        x = layers.Dropout(DROPOUT, name=f"dropout{i}")(x)
    params = _head(profile, x)
    if centred:
        params = AddCurrentCode(profile.latent_dim, profile.mixtures, name="add_current_code")([params, codes])
    return keras.Model(codes, params, name="sequence_model")


def stateful_twin(model: keras.Model, batch_size: int = 1) -> keras.Model:
    """A one-step-at-a-time copy of :func:`build_sequence_model`'s model that **shares its weights**
    (the same LSTM cells and head layers) and keeps each LSTM's state between calls.

    Feed ``(batch_size, 1, D)`` per call; :func:`reset` starts new sequences.
    """
    lstms = [layer for layer in model.layers if isinstance(layer, layers.LSTM)]
    if not lstms or not all(layer.return_sequences for layer in lstms):
        raise ValueError(f"{model.name} is not a windowed sequence model (see build_sequence_model)")
    codes = keras.Input(batch_shape=(batch_size, 1, model.input.shape[-1]), name="z")
    x = codes
    for lstm in lstms:
        x = layers.RNN(lstm.cell, return_sequences=True, stateful=True, name=f"{lstm.name}_stateful")(x)
    x = model.get_layer("mdn")(model.get_layer("dense")(x))
    if any(layer.name == "add_current_code" for layer in model.layers):
        x = model.get_layer("add_current_code")([x, codes])
    return keras.Model(codes, x, name=f"{model.name}_stateful")


def reset(model: keras.Model) -> None:
    """Zero the state of every stateful recurrent layer of ``model``."""
    for layer in model.layers:
        if isinstance(layer, layers.RNN) and layer.stateful:
            layer.reset_state()


# ----------------------------------------------------------------------------- training

def _fit(build, inputs, targets, validation, profile: Profile, epochs, batch_size, learning_rate,
         strategy, seed, verbose):
    keras.utils.set_random_seed(seed)
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                      loss=mdn.MDNLoss(profile.latent_dim, profile.mixtures))
    # keep the weights of the epoch with the best validation loss (the original kept the last
    # checkpoint that improved on *training* loss: flaw 3)
    best = keras.callbacks.EarlyStopping("val_loss", patience=PATIENCE, restore_best_weights=True)
    history = model.fit(inputs, targets, validation_data=validation, epochs=epochs, batch_size=batch_size,
                        shuffle=True, callbacks=[best], verbose=verbose)
    return model, history


def _validation_cut(sequence: LatentSequence, fraction: float = 0.1) -> int:
    return len(sequence.train) - max(2, round(fraction * len(sequence.train)))


def train_seed_model(sequence: LatentSequence, profile: Profile | str | None = None,
                     epochs: int | None = None, batch_size: int = 64, learning_rate: float = 5e-4,
                     strategy=None, seed: int = 0, verbose="auto"):
    """The seed model trained on ``(z_t, z_{t+1})`` pairs of the training part (Adam 5e-4, as the
    original); the last 10 % of the training part chooses the best epoch."""
    profile = get_profile(profile)
    cut = _validation_cut(sequence)
    return _fit(lambda: build_seed_model(profile), *pairs(sequence.train[:cut]),
                pairs(sequence.train[cut - 1:]), profile, epochs or profile.sequence_epochs,
                batch_size, learning_rate, strategy, seed, verbose)


def train_sequence_model(sequence: LatentSequence, profile: Profile | str | None = None,
                         epochs: int | None = None, window: int = WINDOW, batch_size: int = 32,
                         learning_rate: float = 1e-3, centred: bool = True, strategy=None, seed: int = 0,
                         verbose="auto"):
    """The model with memory trained on overlapping windows of the training part, the loss at
    every step; the last 10 % of the training part (as windows) chooses the best epoch."""
    profile = get_profile(profile)
    cut = _validation_cut(sequence)
    validation = sequence.train[cut - 1:]
    return _fit(lambda: build_sequence_model(profile, centred), *windows(sequence.train[:cut], window),
                windows(validation, min(window, len(validation) - 1), stride=max(1, window // 4)),
                profile, epochs or profile.sequence_epochs, batch_size, learning_rate, strategy, seed,
                verbose)


# ----------------------------------------------------------------------------- baselines

def gaussian_nll(targets, means, std) -> np.ndarray:
    """Per-target NLL per dimension (nats) under independent Gaussians ``N(means, std²)``."""
    z = (np.asarray(targets, np.float64) - means) / std
    return np.mean(0.5 * z**2 + np.log(std) + 0.5 * math.log(2 * math.pi), axis=-1)


@dataclass(frozen=True)
class StandStill:
    """Next code = this code, plus Gaussian noise with the spread of one step in the training part."""

    std: np.ndarray

    @classmethod
    def fit(cls, train) -> StandStill:
        steps = np.diff(check_sequence(train, "training sequence"), axis=0)
        return cls(np.maximum(steps.std(axis=0), 1e-6))

    def predict(self, previous) -> np.ndarray:
        return np.asarray(previous, np.float32)

    def nll(self, previous, targets) -> np.ndarray:
        return gaussian_nll(targets, self.predict(previous), self.std)


@dataclass(frozen=True)
class LinearAutoregressive:
    """Next code = a linear function of the last ``order`` codes (ridge least squares), plus
    Gaussian noise with the spread of the training residuals."""

    weights: np.ndarray
    std: np.ndarray
    order: int

    @staticmethod
    def _features(history, order: int) -> np.ndarray:
        history = np.asarray(history, np.float64)
        lagged = [history[order - 1 - lag:len(history) - lag] for lag in range(order)]
        return np.concatenate([*lagged, np.ones((len(lagged[0]), 1))], axis=1)

    @classmethod
    def fit(cls, train, order: int = 2, ridge: float = 1e-2) -> LinearAutoregressive:
        train = check_sequence(train, "training sequence")
        if order < 1 or len(train) <= order + 1:
            raise ValueError(f"order must be ≥ 1 and below the sequence length - 1, got {order}")
        features, targets = cls._features(train[:-1], order), train[order:]
        gram = features.T @ features + ridge * np.eye(features.shape[1])
        weights = np.linalg.solve(gram, features.T @ targets)
        residuals = targets - features @ weights
        return cls(weights, np.maximum(residuals.std(axis=0), 1e-6), order)

    def predict(self, history) -> np.ndarray:
        """The next code after each run of ``order`` codes in ``history`` ``(T, D)``: ``(T − order + 1, D)``."""
        return (self._features(history, self.order) @ self.weights).astype(np.float32)

    def nll(self, history, targets) -> np.ndarray:
        return gaussian_nll(targets, self.predict(history)[:len(targets)], self.std)


# ----------------------------------------------------------------------------- evaluation

def held_out_nll(model, sequence: LatentSequence, context: int = WINDOW, batch_size: int = 256) -> np.ndarray:
    """NLL per dimension (nats) of every held-out code given the codes before it, ``(len(held_out),)``.

    ``model`` is a baseline, the seed model (which sees only the previous code) or a windowed model
    (which sees the ``context`` codes before each target, reaching back into the training part).
    """
    whole = sequence.whole
    first = len(sequence.train)
    targets = sequence.held_out
    if isinstance(model, StandStill):
        return model.nll(whole[first - 1:-1], targets)
    if isinstance(model, LinearAutoregressive):
        return model.nll(whole[first - model.order:-1], targets)
    dimensions = whole.shape[1]
    components = model.get_layer("mdn").components
    if len(model.input.shape) == 2:  # the seed model: one previous code
        params = mixture_parameters(model, whole[first - 1:-1], batch_size)
    else:
        context = min(context, first)
        index = np.arange(first, len(whole))[:, None] - context + np.arange(context)
        params = mixture_parameters(model, whole[index], batch_size)[:, -1]
    nll = mdn.negative_log_likelihood(targets, params, dimensions, components)
    return keras.ops.convert_to_numpy(nll) / dimensions


def mixture_parameters(model: keras.Model, inputs, batch_size: int = 256) -> np.ndarray:
    """The model's MDN parameters for ``inputs``, as NumPy, by direct calls in batches (``predict``
    would retrace for every new input shape)."""
    inputs = np.asarray(inputs, np.float32)
    return np.concatenate([keras.ops.convert_to_numpy(model(inputs[i:i + batch_size], training=False))
                           for i in range(0, len(inputs), batch_size)])

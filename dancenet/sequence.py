"""Sequence models over the latent codes of a dance: what comes next, as a distribution.

- :func:`prepare` splits the ``z_mean`` sequence chronologically (the last 20 % held out) and
  standardizes it with statistics of the training part only (the original fit its scaler on
  every code, those it was later judged on included); :func:`training_windows` and :func:`pairs` cut it
  into training examples.
- :func:`build_original_model` is the original's sequence model: three LSTMs that see **one** time
  step, whose state is reset on every call (so it has no memory at all), a Dense layer and an MDN
  head.
- :func:`build_sequence_model` is the same stack trained on windows, with the loss at every step;
  :func:`stateful_twin` runs it one step at a time, carrying the LSTM state, with the same weights.
  One setting, ``music_width``, makes it a **music-conditioned** model (chapter 9): beside each code it
  reads the music of the frame it predicts (:func:`dancenet.music.beat_features`).
- :class:`StandStill` and :class:`LinearAutoregressive` are the baselines every model must beat.
- Every model is scored by its **held-out NLL**: the mean negative log-likelihood per latent
  dimension, in nats, of each held-out next code (:func:`held_out_nll`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from . import mdn
from .checks import check_positive_int, check_sequence
from .profiles import Profile, get_profile
from .training import held_out_start, in_batches, train

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
#: chapter 7's ablation: how each of our changes to the original is switched on, one row after
#: another — windows (memory) alone, then centring the mixture on the current code, then input
#: noise; ``"memory"``, with all three, is ours
ABLATION = {
    "windows": {"centered": False, "input_noise": 0.0},
    "centered": {"centered": True, "input_noise": 0.0},
    "memory": {"centered": True, "input_noise": INPUT_NOISE},
}
#: the tempo rates a music-conditioned model trains at (:func:`stretched`): the stage's dance and
#: music as they are, 15 % slower and 15 % faster
TEMPO_RATES = (0.85, 1.0, 1.15)
#: chapter 9's ablation: the music-conditioned model trained on the one tempo of the stage video,
#: then at :data:`TEMPO_RATES` (``"music"``, ours); both are ``"memory"`` models that hear the music
MUSIC_ABLATION = {
    "music-one-tempo": {"tempo_rates": (1.0,)},
    "music": {"tempo_rates": TEMPO_RATES},
}
#: names of the head's layers, shared by every sequence model (and looked up by name to run a
#: model one step at a time)
DENSE_LAYER = "dense"
ADD_CURRENT_CODE_LAYER = "add_current_code"


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
    """A standardized latent sequence for training (``train``) and scoring (``held_out``).

    Either one dance split in time, ``held_out`` right after ``train`` (:func:`prepare`), or two
    dances (:func:`prepare_dances`): then ``lead_in``, the held-out dance's first codes, is the
    context before its first scored code and is itself never scored. ``music_features``, where the
    dance has music, holds the music features of every code's frame, ``(T, F)``.
    """

    train: np.ndarray
    held_out: np.ndarray
    scaler: Standardizer
    music_features: np.ndarray | None = None
    lead_in: np.ndarray | None = None

    @property
    def whole(self) -> np.ndarray:
        """The held-out codes and the context before them, in order: the training part then the
        held-out one for a split dance, the lead-in then the rest for a held-out dance."""
        before = self.train if self.lead_in is None else self.lead_in
        return np.concatenate([before, self.held_out])


def prepare(latents, held_out: float = HELD_OUT, music_features=None) -> LatentSequence:
    """The ``z_mean`` sequence ``(T, D)`` split chronologically and standardized on its first part;
    ``music_features`` (optional) holds the music features of each code's frame, ``(T, F)``."""
    latents = check_sequence(latents)
    cut = held_out_start(len(latents), held_out)
    if cut < 2:
        raise ValueError(f"a sequence of {len(latents)} codes leaves nothing to train on")
    if music_features is not None:
        music_features = check_sequence(music_features, "music feature sequence")
        if len(music_features) != len(latents):
            raise ValueError(
                f"{len(music_features)} frames of music features for {len(latents)} codes: one per code"
            )
    scaler = Standardizer.fit(latents[:cut])
    return LatentSequence(
        scaler.transform(latents[:cut]), scaler.transform(latents[cut:]), scaler, music_features
    )


def prepare_dances(train, held_out, lead_in: int = WINDOW) -> LatentSequence:
    """Two dances' codes ``(T, D)``: one to train on, another, unseen, to score on, both standardized
    on the first. The held-out dance's first ``lead_in`` codes are context only (never scored)."""
    train = check_sequence(train)
    held_out = check_sequence(held_out, "held-out sequence")
    if held_out.shape[1] != train.shape[1]:
        raise ValueError(
            f"held-out codes have {held_out.shape[1]} dimensions, the training codes {train.shape[1]}"
        )
    if len(held_out) < lead_in + 2:
        raise ValueError(f"a held-out dance of {len(held_out)} codes is too short for a lead-in of {lead_in}")
    scaler = Standardizer.fit(train)
    scaled = scaler.transform(held_out)
    return LatentSequence(scaler.transform(train), scaled[lead_in:], scaler, lead_in=scaled[:lead_in])


def pairs(codes) -> tuple[np.ndarray, np.ndarray]:
    """``(z_t, z_{t+1})`` for every step: the training examples of the original's sequence model."""
    codes = check_sequence(codes)
    return codes[:-1], codes[1:]


def training_windows(codes, length: int = WINDOW, stride: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping windows ``(n, length, D)`` of ``codes`` and, for each, the same window one
    step later (the target at every step is the next code)."""
    codes = check_sequence(codes)
    length = check_positive_int(length, "window length")
    stride = check_positive_int(stride or max(1, length // 8), "stride")
    if len(codes) < length + 1:
        raise ValueError(f"a sequence of {len(codes)} codes is too short for windows of {length}")
    starts = np.arange(0, len(codes) - length, stride)
    index = starts[:, None] + np.arange(length)
    return codes[index], codes[index + 1]


def with_next_music(codes, music_features) -> np.ndarray:
    """Each code beside the music of the *next* frame, ``(T, D + F)``: what a music-conditioned model
    reads to predict that frame (the music is known ahead; the dance is not). The last code has no
    next frame and keeps its own music."""
    codes, heard = check_sequence(codes), check_sequence(music_features, "music feature sequence")
    if len(codes) != len(heard):
        raise ValueError(f"{len(heard)} frames of music features for {len(codes)} codes")
    return np.concatenate([codes, np.concatenate([heard[1:], heard[-1:]])], axis=1)


def music_training_windows(codes, music_features, length: int = WINDOW, stride: int | None = None):
    """:func:`training_windows` for a music-conditioned model: ``((codes, next music), next codes)``."""
    dimensions = np.shape(codes)[1]
    inputs, targets = training_windows(with_next_music(codes, music_features), length, stride)
    return (inputs[..., :dimensions], inputs[..., dimensions:]), targets[..., :dimensions]


def stretched(series, rate: float) -> np.ndarray:
    """``series`` ``(T, F)`` played ``rate`` times as fast, by linear interpolation between frames:
    a dance and its music at another tempo (``rate`` 1.15: 15 % faster, fewer frames)."""
    series = check_sequence(series)
    if not rate > 0:
        raise ValueError(f"rate must be positive, got {rate!r}")
    times = np.arange(0, len(series) - 1 + 1e-9, rate)
    below = np.minimum(times.astype(int), len(series) - 2)
    weight = (times - below)[:, None]
    return ((1 - weight) * series[below] + weight * series[below + 1]).astype(np.float32)


def minimum_codes(window: int = WINDOW, held_out: float = HELD_OUT) -> int:
    """The fewest codes (frames) :func:`prepare` and :func:`train_sequence_model` can learn from:
    after the held-out part and the validation part, one window and its next code must remain."""
    window = check_positive_int(window, "window length")
    count = window + 1
    while _validation_cut(held_out_start(count, held_out)) < window + 1:
        count += 1
    return count


# ----------------------------------------------------------------------------- models


def _head(profile: Profile, x):
    x = layers.Dense(profile.dense_units, activation="relu", name=DENSE_LAYER)(x)
    # float32 even in mixed precision: the likelihood needs the means and scales exact
    return mdn.MDN(profile.latent_dim, profile.mixtures, name=mdn.MDN_LAYER, dtype="float32")(x)


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


def build_original_model(profile: Profile | str | None = None) -> keras.Model:
    """The original's sequence model: one code in, a mixture over the next code out.

    The code is reshaped into a sequence of length 1, so the LSTMs start from a zero state on every
    call and never see more than the current step. 12,198,336 parameters in the ``gpu`` profile.
    """
    profile = get_profile(profile)
    code = keras.Input((profile.latent_dim,), name="z")
    x = layers.Reshape((1, profile.latent_dim), name="reshape")(code)
    for i in range(1, profile.lstm_layers + 1):
        x = layers.LSTM(profile.lstm_units, return_sequences=i < profile.lstm_layers, name=f"lstm{i}")(x)
        x = layers.Dropout(DROPOUT, name=f"dropout{i}")(x)
    return keras.Model(code, _head(profile, x), name="original_sequence_model")


def build_sequence_model(
    profile: Profile | str | None = None,
    centered: bool = True,
    input_noise: float = INPUT_NOISE,
    music_width: int = 0,
) -> keras.Model:
    """The model with memory: the same stack over whole sequences ``(batch, time, D)``, a mixture
    over the next code at every step, centered on the current code (:class:`AddCurrentCode`), or —
    ``centered=False`` — on nothing, predicting the next code outright as the original does.
    ``input_noise`` (standardized units, training only; 0 for none) is added to the codes read.

    ``music_width`` > 0 conditions it on music: a second input ``(batch, time, music_width)`` of
    features of the frame each step predicts (:func:`with_next_music`) is joined to the codes before
    the LSTMs."""
    profile = get_profile(profile)
    codes = keras.Input((None, profile.latent_dim), name="z")
    x = layers.GaussianNoise(input_noise, name="input_noise")(codes)  # active in training only
    inputs = codes
    if music_width:
        heard = keras.Input((None, check_positive_int(music_width, "music features")), name="music")
        x = layers.Concatenate(name="with_music")([x, heard])
        inputs = [codes, heard]
    for i in range(1, profile.lstm_layers + 1):
        x = layers.LSTM(profile.lstm_units, return_sequences=True, name=f"lstm{i}")(x)
        x = layers.Dropout(DROPOUT, name=f"dropout{i}")(x)
    params = _head(profile, x)
    if centered:
        add_current_code = AddCurrentCode(
            profile.latent_dim, profile.mixtures, name=ADD_CURRENT_CODE_LAYER, dtype="float32"
        )
        params = add_current_code([params, codes])
    return keras.Model(inputs, params, name="music_sequence_model" if music_width else "sequence_model")


def reads_windows(model: keras.Model) -> bool:
    """Whether ``model`` reads windows of codes ``(batch, time, D)``, as the model with memory does,
    rather than one code ``(batch, D)``, as the original's does."""
    return len(model.inputs[0].shape) == 3


def music_width(model: keras.Model) -> int:
    """How many music features ``model`` reads beside each code: 0 for an unconditioned model."""
    return int(model.inputs[1].shape[-1]) if len(model.inputs) > 1 else 0


def lstms(model: keras.Model) -> list[layers.LSTM]:
    """The model's LSTM layers, from input to output."""
    return [layer for layer in model.layers if isinstance(layer, layers.LSTM)]


def head_parameters(model: keras.Model, features, codes):
    """The mixture parameters that ``model``'s head (its Dense and MDN layers, then
    :class:`AddCurrentCode` where the model has one) gives for the last LSTM's ``features`` and the
    current ``codes``: for running a model's own layers one step at a time."""
    params = model.get_layer(mdn.MDN_LAYER)(model.get_layer(DENSE_LAYER)(features))
    if any(layer.name == ADD_CURRENT_CODE_LAYER for layer in model.layers):
        params = model.get_layer(ADD_CURRENT_CODE_LAYER)([params, codes])
    return params


def stateful_twin(model: keras.Model, batch_size: int = 1) -> keras.Model:
    """A one-step-at-a-time copy of :func:`build_sequence_model`'s model that **shares its weights**
    (the same LSTM cells and head layers) and keeps each LSTM's state between calls.

    Feed ``(batch_size, 1, D)`` per call; :func:`reset` starts new sequences.
    """
    recurrent = lstms(model)
    if not recurrent or not all(layer.return_sequences for layer in recurrent):
        raise ValueError(f"{model.name} is not a windowed sequence model (see build_sequence_model)")
    if music_width(model):
        raise ValueError(f"{model.name} reads music: run it with dancenet.choreography.Choreographer")
    codes = keras.Input(batch_shape=(batch_size, 1, model.input.shape[-1]), name="z")
    x = codes
    for lstm in recurrent:
        x = layers.RNN(lstm.cell, return_sequences=True, stateful=True, name=f"{lstm.name}_stateful")(x)
    return keras.Model(codes, head_parameters(model, x, codes), name=f"{model.name}_stateful")


def reset(model: keras.Model) -> None:
    """Zero the state of every stateful recurrent layer of ``model``."""
    for layer in model.layers:
        if isinstance(layer, layers.RNN) and layer.stateful:
            layer.reset_state()


# ----------------------------------------------------------------------------- training


def _train(build, data, profile: Profile, epochs, batch_size, learning_rate, strategy, seed, progress):
    # keep the weights of the epoch with the best validation loss (the original kept the last
    # checkpoint that improved on its *training* loss, with no codes held out to judge it by)
    return train(
        build,
        data,
        epochs=epochs or profile.sequence_epochs,
        optimizer=keras.optimizers.Adam,
        learning_rate=learning_rate,
        loss=mdn.MDNLoss(profile.latent_dim, profile.mixtures),
        batch_size=batch_size,
        patience=PATIENCE,
        strategy=strategy,
        mixed_precision=profile.mixed_precision,
        seed=seed,
        progress=progress,
    )


def _validation_cut(train_count: int, fraction: float = 0.1) -> int:
    return held_out_start(train_count, fraction, at_least=2)


def train_original_model(
    latent_sequence: LatentSequence,
    profile: Profile | str | None = None,
    epochs: int | None = None,
    batch_size: int = 64,
    learning_rate: float = 5e-4,
    strategy=None,
    seed: int = 0,
    progress: bool = True,
):
    """The original's sequence model trained on ``(z_t, z_{t+1})`` pairs of the training part (Adam
    5e-4, as the original); the last 10 % of the training part chooses the best epoch."""
    profile = get_profile(profile)
    train = latent_sequence.train
    cut = _validation_cut(len(train))

    def datasets():
        return *pairs(train[:cut]), pairs(train[cut - 1 :])

    return _train(
        lambda: build_original_model(profile),
        datasets,
        profile,
        epochs,
        batch_size,
        learning_rate,
        strategy,
        seed,
        progress,
    )


def train_sequence_model(
    latent_sequence: LatentSequence,
    profile: Profile | str | None = None,
    epochs: int | None = None,
    window: int = WINDOW,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    centered: bool = True,
    input_noise: float = INPUT_NOISE,
    hears_music: bool = False,
    tempo_rates: tuple = (1.0,),
    strategy=None,
    seed: int = 0,
    progress: bool = True,
):
    """The model with memory trained on overlapping windows of the training part, the loss at
    every step; the last 10 % of the training part (as windows) chooses the best epoch.
    ``centered`` and ``input_noise`` are :func:`build_sequence_model`'s (see :data:`ABLATION`);
    ``hears_music`` conditions it on the sequence's music features, and
    ``tempo_rates`` adds the training part :func:`stretched` to each of those tempo rates, the
    codes and their music together, so that a model learns to follow the beat it hears rather than
    the one tempo it was shown."""
    profile = get_profile(profile)
    train = latent_sequence.train
    cut = _validation_cut(len(train))
    if hears_music and latent_sequence.music_features is None:
        raise ValueError(
            "this latent sequence has no music features to condition on (prepare(..., music_features=))"
        )
    heard = latent_sequence.music_features[: len(train)] if hears_music else None

    def cut_windows(start, stop, length, stride=None):
        if hears_music:
            return music_training_windows(train[start:stop], heard[start:stop], length, stride)
        return training_windows(train[start:stop], length, stride)

    def training_part():
        parts = [cut_windows(0, cut, window)]
        if any(rate != 1.0 for rate in tempo_rates):
            if not hears_music:
                raise ValueError("tempo_rates stretch a dance with its music: train with hears_music=True")
            joined = np.concatenate([train[:cut], heard[:cut]], axis=1)
            dimensions = train.shape[1]
            for rate in (rate for rate in tempo_rates if rate != 1.0):
                faster = stretched(joined, rate)
                parts.append(music_training_windows(faster[:, :dimensions], faster[:, dimensions:], window))
        if not hears_music:
            return parts[0]
        inputs, targets = zip(*parts)
        codes, heard_windows = (np.concatenate(part) for part in zip(*inputs))
        return (codes, heard_windows), np.concatenate(targets)

    def datasets():
        validation = len(train) - (cut - 1)
        return (
            *training_part(),
            cut_windows(cut - 1, None, min(window, validation - 1), stride=max(1, window // 4)),
        )

    return _train(
        lambda: build_sequence_model(profile, centered, input_noise, heard.shape[1] if hears_music else 0),
        datasets,
        profile,
        epochs,
        batch_size,
        learning_rate,
        strategy,
        seed,
        progress,
    )


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
        lagged = [history[order - 1 - lag : len(history) - lag] for lag in range(order)]
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
        """The next code after each run of ``order`` codes in ``history`` ``(T, D)``:
        ``(T − order + 1, D)``."""
        return (self._features(history, self.order) @ self.weights).astype(np.float32)

    def nll(self, history, targets) -> np.ndarray:
        return gaussian_nll(targets, self.predict(history)[: len(targets)], self.std)

    def generate(self, warm_up, length: int, temperature: float = 1.0, seed: int = 0) -> np.ndarray:
        """``(dancers, length, D)`` codes following each warm-up ``(dancers, W, D)`` (or ``(W, D)``):
        each code the prediction from the last ``order`` codes plus Gaussian noise of the residual
        spread × √τ (the temperature rule of :func:`dancenet.mdn.tempered_mixture` for a single
        Gaussian). The baseline's dance, to judge beside the sequence models'."""
        warm_up = np.asarray(warm_up, np.float64)
        warm_up = warm_up[None] if warm_up.ndim == 2 else warm_up
        if warm_up.ndim != 3 or warm_up.shape[1] < self.order or warm_up.shape[2] != len(self.std):
            raise ValueError(
                f"warm-up codes must be (W, {len(self.std)}) or (dancers, W, {len(self.std)}) with "
                f"W ≥ {self.order}, got {np.shape(warm_up)}"
            )
        check_positive_int(length, "length")
        if not 0 <= temperature < np.inf:
            raise ValueError(f"temperature must be a finite number ≥ 0, got {temperature}")
        rng = np.random.default_rng(seed)
        history, codes = warm_up[:, -self.order :], []
        for _ in range(length):
            lagged = [history[:, self.order - 1 - lag] for lag in range(self.order)]
            code = np.concatenate([*lagged, np.ones((len(history), 1))], axis=1) @ self.weights
            code = code + rng.standard_normal(code.shape) * self.std * math.sqrt(temperature)
            codes.append(code)
            history = np.concatenate([history[:, 1:], code[:, None]], axis=1)
        return np.stack(codes, axis=1).astype(np.float32)


# ----------------------------------------------------------------------------- evaluation


def held_out_nll(
    model, latent_sequence: LatentSequence, context: int = WINDOW, batch_size: int = 256
) -> np.ndarray:
    """NLL per dimension (nats) of every held-out code given the codes before it, ``(len(held_out),)``.

    ``model`` is a baseline, the original's sequence model (which sees only the previous code) or a
    windowed model (which sees the ``context`` codes before each target, reaching back into the
    training part, or into the held-out dance's lead-in).
    """
    whole = latent_sequence.whole
    targets = latent_sequence.held_out
    first = len(whole) - len(targets)
    if isinstance(model, StandStill):
        return model.nll(whole[first - 1 : -1], targets)
    if isinstance(model, LinearAutoregressive):
        return model.nll(whole[first - model.order : -1], targets)
    dimensions = whole.shape[1]
    components = model.get_layer(mdn.MDN_LAYER).components
    if not reads_windows(model):  # the original's: one previous code
        params = mixture_parameters(model, whole[first - 1 : -1], batch_size)
    else:
        context = min(context, first)
        index = np.arange(first, len(whole))[:, None] - context + np.arange(context)
        if music_width(model):
            if latent_sequence.music_features is None:
                raise ValueError(f"{model.name} reads music, and this latent sequence has none")
            whole = with_next_music(whole, latent_sequence.music_features)
        params = mixture_parameters(model, whole[index], batch_size)[:, -1]
    nll = mdn.negative_log_likelihood(targets, params, dimensions, components)
    return keras.ops.convert_to_numpy(nll) / dimensions


def mixture_parameters(model: keras.Model, inputs, batch_size: int = 256) -> np.ndarray:
    """The model's MDN parameters for ``inputs``, as NumPy, by direct calls in batches (``predict``
    would retrace for every new input shape). A music-conditioned model takes each code and its
    next frame's music side by side in one array (:func:`with_next_music`)."""
    if music_width(model):
        dimensions = model.inputs[0].shape[-1]
        return in_batches(
            lambda batch: model([batch[..., :dimensions], batch[..., dimensions:]], training=False),
            inputs,
            batch_size,
        )
    return in_batches(lambda batch: model(batch, training=False), inputs, batch_size)

"""Training, done one way for every model of the course, and calling a model in batches.

- :func:`train` builds a model, compiles it, seeds every random generator and fits it, quietly:
  Keras prints nothing and :class:`ProgressBar` shows one bar over the epochs instead of a log
  line per epoch (which a notebook would otherwise keep, eighty lines of it, in its outputs).
- :func:`held_out_start` is where a chronological split puts its held-out part.
- :func:`in_batches` calls a model (or any function) on an array batch by batch.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import keras
import numpy as np
import tensorflow as tf
from keras import ops
from tqdm.auto import tqdm

from .checks import check_positive_int


def held_out_start(count: int, fraction: float, at_least: int = 1) -> int:
    """The index where the last ``fraction`` of ``count`` items in time order begins: what comes
    from there on is held out (at least ``at_least`` items), what comes before is trained on."""
    if not 0 < fraction < 1:
        raise ValueError(f"held_out must be between 0 and 1, got {fraction}")
    return count - max(at_least, round(fraction * count))


def in_batches(function, inputs, batch_size: int = 256) -> np.ndarray:
    """``function`` applied to ``inputs`` (as float32) ``batch_size`` rows at a time, the outputs
    joined, as NumPy.

    For a Keras model, direct calls rather than ``predict``: predict retraces for every new batch
    shape, which a widget decoding one code at a time would hit on every slider move.
    """
    inputs = np.asarray(inputs, np.float32)
    return np.concatenate(
        [
            ops.convert_to_numpy(function(inputs[start : start + batch_size]))
            for start in range(0, max(len(inputs), 1), batch_size)
        ]
    )


class ProgressBar(keras.callbacks.Callback):
    """One ``tqdm`` bar over the epochs of a training, with the latest ``loss`` and ``val_loss``.

    The bar closes when training ends, also when early stopping ends it before the last epoch.
    """

    def __init__(self, description: str = "training"):
        super().__init__()
        self.description = description
        self.bar = None

    def on_train_begin(self, logs=None):
        self.bar = tqdm(total=self.params["epochs"], desc=self.description, unit="epoch")

    def on_epoch_end(self, epoch, logs=None):
        latest = {name: f"{logs[name]:.4g}" for name in ("loss", "val_loss") if name in (logs or {})}
        self.bar.set_postfix(latest, refresh=False)
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.bar.close()


@contextmanager
def _dtype_policy(mixed_precision: bool):
    """Keras' global dtype policy set to ``mixed_float16`` while a model is built, if asked."""
    previous = keras.config.dtype_policy()
    if mixed_precision:
        keras.config.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


@contextmanager
def _tensorflow_errors_only():
    """TensorFlow's Python log at ERROR level for a while: every new model traces its own training
    step, which is not the accidental retracing TensorFlow warns about."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def train(
    build: Callable[[], keras.Model],
    data: Callable[[], tuple],
    *,
    epochs: int,
    optimizer: Callable[[float], keras.optimizers.Optimizer],
    learning_rate: float,
    loss=None,
    batch_size: int | None = None,
    patience: int | None = None,
    callbacks=(),
    strategy=None,
    mixed_precision: bool = False,
    seed: int = 0,
    progress: bool = True,
):
    """The model ``build()`` makes, trained on ``data()``, and its Keras history.

    ``data()`` returns ``(inputs, targets, validation)`` — ``targets`` is ``None`` and
    ``batch_size`` too for a ``tf.data`` pipeline, ``validation`` may be ``None``. It is called
    once the random seeds are set (Python, NumPy, TensorFlow and Keras, from ``seed``), so a
    pipeline's shuffling follows ``seed`` as the initial weights do. The model is built and
    compiled with ``optimizer(learning_rate)`` and ``loss`` inside ``strategy``'s scope (any
    ``tf.distribute.Strategy``; default: the current one). Arrays are shuffled every epoch (a
    pipeline shuffles itself, if it should). With ``patience``, training stops after that many
    epochs without a lower ``val_loss`` and keeps the weights of the best epoch. Keras prints
    nothing; ``progress`` shows one bar over the epochs.

    With ``mixed_precision`` the model is built under Keras' ``mixed_float16`` policy: layers
    compute in float16 and keep float32 weights, Keras scales the loss so that small gradients
    survive float16, and the models' output layers and losses stay in float32.
    """
    check_positive_int(epochs, "epochs")
    if batch_size is not None:
        check_positive_int(batch_size, "batch size")
    keras.utils.set_random_seed(seed)
    with (strategy or tf.distribute.get_strategy()).scope(), _dtype_policy(mixed_precision):
        model = build()
        model.compile(optimizer=optimizer(learning_rate), loss=loss)
    inputs, targets, validation = data()
    callbacks = list(callbacks)
    if patience is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping("val_loss", patience=patience, restore_best_weights=True)
        )
    if progress:
        callbacks.append(ProgressBar(f"training {model.name}"))
    with _tensorflow_errors_only():
        history = model.fit(
            inputs,
            targets,
            validation_data=validation,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=not isinstance(inputs, tf.data.Dataset),
            callbacks=callbacks,
            verbose=0,
        )
    return model, history

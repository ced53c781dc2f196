"""Choreography: generate new dances and export them.

- :class:`Choreographer` runs a trained sequence model autoregressively — warm up on real codes,
  then sample the next code from the MDN at temperature τ and feed it back — as **one compiled
  TensorFlow loop** over all steps, for several dancers at once. The original called
  ``model.predict`` once per frame and fed back codes on the wrong scale; here every code stays
  standardized inside the loop and is turned back into VAE units only to decode.
- The measures of a dance live apart from generation, in :mod:`dancenet.measures`.
- Export: :func:`silhouette_frames`, :func:`grid` (videos side by side are
  :func:`dancenet.plotting.side_by_side`), :func:`write_gif` and :func:`write_mp4`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from . import mdn, sequence, video
from .checks import check_positive_int

#: the temperature the command line and chapters 8 and 9 generate at (chosen in chapter 8 by the
#: measures; for a dance to music, chapter 9 finds it gives the best beat alignment too)
DEFAULT_TEMPERATURE = 0.5


# ----------------------------------------------------------------------------- generation


class Choreographer:
    """Autoregressive sampling from a sequence model, compiled once, batched over dancers.

    ``model`` is a windowed model from :func:`dancenet.sequence.build_sequence_model` (with or
    without music) or the original's one-step model from
    :func:`dancenet.sequence.build_original_model` (no state: each step sees only the last code).
    A windowed model was trained on ``context`` codes at a time, starting from a zero state;
    generation keeps it there: every ``context // 2`` steps the LSTM state is rebuilt from zero
    over the last ``context`` codes, instead of being carried for thousands of steps into states
    it never saw in training.
    """

    def __init__(self, model: keras.Model, context: int = 64):
        if context < 2:
            raise ValueError(f"context must be at least 2 codes, got {context}")
        self.model, self.context = model, int(context)
        head = model.get_layer(mdn.MDN_LAYER)
        self.dimensions, self.components = head.dimensions, head.components
        self.music_width = sequence.music_width(model)
        self.stateful = sequence.reads_windows(model)
        self.cells = [layer.cell for layer in sequence.lstms(model)]
        # one trace for every batch, warm-up and dance length (a new shape would otherwise retrace)
        scalar, code = tf.TensorSpec([], tf.int32), tf.TensorSpec([self.dimensions], tf.float32)
        signature = [
            tf.TensorSpec([None, None, self.dimensions + self.music_width], tf.float32),
            tf.TensorSpec([None, self.music_width], tf.float32),
            scalar,
            tf.TensorSpec([], tf.float32),
            scalar,
            code,
            code,
        ]
        self._loop = tf.function(self._generate, input_signature=signature)

    def _step(self, inputs, states):
        """Mixture parameters for the code after ``inputs`` ``(B, D + music_width)`` (a code and the next
        frame's music), and the new LSTM states."""
        code = inputs[:, : self.dimensions]
        if not self.stateful:
            return self.model(code, training=False), states
        x, new_states = inputs, []
        for cell, state in zip(self.cells, states):
            x, state = cell(x, state, training=False)
            new_states.append(state)
        return sequence.head_parameters(self.model, x, code), new_states

    def _warm(self, history):
        """The parameters after running the model over ``history`` ``(B, T, D + music_width)`` from a
        zero state."""
        batch, length = tf.shape(history)[0], tf.shape(history)[1]
        states = [cell.get_initial_state(batch_size=batch) for cell in self.cells]
        params = tf.zeros((batch, mdn.output_size(self.dimensions, self.components)), history.dtype)
        first = 0 if self.stateful else length - 1  # the original's model needs only the last code
        for t in tf.range(first, length):
            params, states = self._step(history[:, t], states)
        return params, states

    def _generate(self, history, upcoming, length, temperature, seed, feedback_scale, feedback_offset):
        refresh = self.context // 2
        batch = tf.shape(history)[0]
        params, states = self._warm(history)
        codes = tf.TensorArray(history.dtype, size=length)
        for t in tf.range(length):
            if self.stateful and t > 0 and t % refresh == 0:
                params, states = self._warm(history)
            code = mdn.sample_tensor(
                params, self.dimensions, self.components, temperature, tf.stack([seed, t])
            )
            codes = codes.write(t, code)
            heard = tf.broadcast_to(upcoming[t][None], (batch, self.music_width))
            fed = tf.concat([code * feedback_scale + feedback_offset, heard], axis=1)
            history = tf.concat([history[:, 1:], fed[:, None]], axis=1)
            params, states = self._step(fed, states)
        return tf.transpose(codes.stack(), [1, 0, 2])

    def generate(
        self,
        warm_up,
        length: int,
        temperature: float = 1.0,
        seed: int = 0,
        unscaled_feedback=None,
        music_features=None,
        warm_up_music_features=None,
    ) -> np.ndarray:
        """``(dancers, length, D)`` standardized codes following each warm-up sequence.

        ``warm_up``: standardized real codes, ``(W, D)`` for one dancer or ``(dancers, W, D)``
        (the last ``context`` are used). Temperature as defined in
        :func:`dancenet.mdn.tempered_mixture`; the same ``seed`` gives the same dance.

        A music-conditioned model also needs the music: ``warm_up_music_features`` ``(W, F)``, the
        features of the warm-up codes' frames, and ``music_features`` ``(length, F)``, those of the
        frames to dance (:func:`dancenet.music.beat_features`); every dancer hears the same music.

        ``unscaled_feedback``: ``None`` feeds each sampled code back as it is, in the standardized
        units the model was trained on. Given the sequence's scaler
        (:class:`dancenet.sequence.Standardizer`), each code is fed back *unscaled* —
        ``scaler.inverse(code)``, in the VAE's units — as the original did
        (flaw 2 in the appendix on the original); only to reproduce it.
        """
        warm_up = np.asarray(warm_up, np.float32)
        if warm_up.ndim == 2:
            warm_up = warm_up[None]
        if warm_up.ndim != 3 or warm_up.shape[-1] != self.dimensions or warm_up.shape[1] < 1:
            raise ValueError(
                f"warm-up codes must be (W, {self.dimensions}) or "
                f"(dancers, W, {self.dimensions}) with W ≥ 1, got {warm_up.shape}"
            )
        if not np.isfinite(warm_up).all():
            raise ValueError("warm-up codes contain NaN or infinity")
        length = check_positive_int(length, "length")
        if not 0 <= temperature < np.inf:
            raise ValueError(f"temperature must be a finite number ≥ 0, got {temperature}")
        heard = self._music_rows(warm_up.shape[1], length, warm_up_music_features, music_features)
        warm_up = warm_up[:, -self.context :]
        heard = heard[-(warm_up.shape[1] + length) :]
        # each code is read beside the music of the frame after it (dancenet.sequence.with_next_music)
        next_music = np.broadcast_to(
            heard[None, 1 : warm_up.shape[1] + 1], (*warm_up.shape[:2], self.music_width)
        )
        history = np.concatenate([warm_up, next_music], axis=2)
        upcoming = np.concatenate([heard[warm_up.shape[1] + 1 :], heard[-1:]])
        scale, offset = np.ones(self.dimensions, np.float32), np.zeros(self.dimensions, np.float32)
        if unscaled_feedback is not None:
            scale, offset = unscaled_feedback.std, unscaled_feedback.mean
        codes = self._loop(
            tf.constant(history),
            tf.constant(upcoming),
            tf.constant(length),
            tf.constant(float(temperature)),
            tf.constant(int(seed)),
            tf.constant(np.asarray(scale, np.float32).reshape(self.dimensions)),
            tf.constant(np.asarray(offset, np.float32).reshape(self.dimensions)),
        )
        return codes.numpy()

    def _music_rows(
        self, warm_up_length: int, length: int, warm_up_music_features, music_features
    ) -> np.ndarray:
        """The music of the warm-up and of the dance, one row per frame ``(W + length, F)``."""
        if not self.music_width:
            if music_features is not None or warm_up_music_features is not None:
                raise ValueError(f"{self.model.name} does not read music: generate without it")
            return np.zeros((warm_up_length + length, 0), np.float32)
        parts = []
        wanted = (
            ("warm_up_music_features", warm_up_music_features, warm_up_length),
            ("music_features", music_features, length),
        )
        for name, features, frames in wanted:
            features = None if features is None else np.asarray(features, np.float32)
            if features is None or features.shape != (frames, self.music_width):
                got = "nothing" if features is None else features.shape
                raise ValueError(
                    f"{self.model.name} dances to music: {name} must be ({frames}, {self.music_width}), "
                    f"one row of music features per frame, got {got}"
                )
            if not np.isfinite(features).all():
                raise ValueError(f"{name} contains NaN or infinity")
            parts.append(features)
        return np.concatenate(parts)


@dataclass(frozen=True)
class Dancer:
    """A trained dancer: everything needed to dance and to show the dance, in one object.

    ``model`` is a trained sequence model; ``latent_sequence`` the latent sequence it learned from (its
    scaler, and the real codes a dance warms up on, with the music they were danced to where the
    model hears music); ``vae`` the VAE whose decoder turns codes into silhouettes; ``fps`` the
    frame rate of the codes. :meth:`dance` generates, :meth:`decode` shows. Each conditioning
    signal is a named argument of :meth:`dance` with a width of its own (``music_width``): the
    next signal is one more such field, never a column joined onto the codes by the caller.
    """

    model: keras.Model
    latent_sequence: sequence.LatentSequence
    vae: keras.Model
    fps: float
    #: how many real codes a dance warms up on (the last of the training part): the model's window
    warm_up: int = sequence.WINDOW

    @cached_property
    def choreographer(self) -> Choreographer:
        return Choreographer(self.model)

    @property
    def scaler(self) -> sequence.Standardizer:
        return self.latent_sequence.scaler

    @property
    def music_width(self) -> int:
        """Music features the model hears beside each code (0: it dances deaf)."""
        return self.choreographer.music_width

    def dance(
        self,
        length: int | None = None,
        *,
        music_features=None,
        dancers: int = 1,
        temperature: float = DEFAULT_TEMPERATURE,
        seed: int = 0,
        warm_up: int | None = None,
    ) -> np.ndarray:
        """``(dancers, length, D)`` standardized codes, warmed up on the last ``warm_up`` real
        training codes (default: :attr:`warm_up`), sampled at ``temperature`` (the same ``seed``
        gives the same dance).

        ``music_features`` ``(length, F)``, the features of the song's frames
        (:func:`dancenet.music.song_features`), is what a dancer with music dances to, and it sets
        the length. A deaf dancer given them dances as long, without hearing them — the
        comparison chapter 9 makes.
        """
        train = self.latent_sequence.train
        cut = len(train)
        start = cut - min(self.warm_up if warm_up is None else check_positive_int(warm_up, "warm_up"), cut)
        warm = np.repeat(train[None, start:], check_positive_int(dancers, "dancers"), axis=0)
        if music_features is not None:
            music_features = np.asarray(music_features, np.float32)
            length = len(music_features) if length is None else length
            if length != len(music_features):
                raise ValueError(f"length {length} and {len(music_features)} frames of music features differ")
        elif self.music_width:
            raise ValueError("this dancer dances to music: give music_features (music.song_features)")
        if length is None:
            raise ValueError("give the dance's length, or music_features to dance to")
        if not self.music_width:
            return self.choreographer.generate(warm, length, temperature, seed)
        heard = self.latent_sequence.music_features
        if heard is None:
            raise ValueError(
                "the latent sequence has no music for the warm-up: prepare(..., music_features=)"
            )
        return self.choreographer.generate(
            warm,
            length,
            temperature,
            seed,
            music_features=music_features,
            warm_up_music_features=heard[start:cut],
        )

    def decode(self, codes) -> np.ndarray:
        """Silhouettes ``(T, H, W, 1)`` in [0, 1] for standardized codes ``(T, D)``: un-standardized
        with the sequence's scaler, then decoded by the VAE."""
        return self.vae.decode(self.scaler.inverse(codes))


def generate_with_predict(
    model: keras.Model, warm_up, length: int, temperature: float = 1.0, seed: int = 0
) -> np.ndarray:
    """The original's way: one ``model.predict`` call per frame, sampling in NumPy in between.

    ``model`` is a stateful twin (:func:`dancenet.sequence.stateful_twin`) with batch size 1, so
    the dance is the same kind as :class:`Choreographer`'s; only the loop differs. For benchmarks.
    """
    head = model.get_layer(mdn.MDN_LAYER)
    rng = np.random.default_rng(seed)
    sequence.reset(model)
    for code in np.asarray(warm_up, np.float32):
        params = model.predict(code[None, None], verbose=0)[0, 0]
    codes = []
    for _ in range(length):
        code = mdn.sample(params, head.dimensions, head.components, temperature, rng).astype(np.float32)
        codes.append(code)
        params = model.predict(code[None, None], verbose=0)[0, 0]
    return np.array(codes)


# ----------------------------------------------------------------------------- export


def silhouette_frames(images) -> np.ndarray:
    """Decoder outputs ``(N, H, W, 1)`` in [0, 1] as ``uint8`` grayscale frames ``(N, H, W)``."""
    images = np.asarray(images, np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"expected silhouettes (N, H, W) or (N, H, W, 1), got {images.shape}")
    return video.to_uint8(images)


def grid(clips, columns: int = 2, gap: int = 4) -> np.ndarray:
    """Several videos of the same shape ``(N, H, W)`` tiled in rows of ``columns``."""
    from .plotting import side_by_side  # plotting brings Matplotlib, which generating a dance never needs

    clips = [np.asarray(c, np.uint8) for c in clips]
    clips += [np.zeros_like(clips[0])] * (-len(clips) % columns)
    rows = [side_by_side(*clips[i : i + columns], gap=gap, axis=2) for i in range(0, len(clips), columns)]
    return side_by_side(*rows, gap=gap, axis=1)


def mark_beats(frames, beat_times, fps: float, height: int = 3) -> np.ndarray:
    """Grayscale frames ``(N, H, W)`` with a white bar along the bottom on the frame nearest each
    music beat (seconds), so a silent animation shows where the beats fall."""
    frames = _grayscale_frames(frames).copy()
    on_beat = np.round(np.asarray(beat_times, float) * fps).astype(int)
    on_beat = on_beat[(on_beat >= 0) & (on_beat < len(frames))]
    frames[on_beat, -height:] = 255
    return frames


def _grayscale_frames(frames) -> np.ndarray:
    frames = np.asarray(frames, np.uint8)
    if frames.ndim != 3 or len(frames) == 0:
        raise ValueError(f"expected grayscale frames (N, H, W), got {frames.shape}")
    return frames


def gif_bytes(frames, fps: float) -> bytes:
    """Grayscale frames ``(N, H, W)`` as a looping animated GIF at ``fps``, in memory (a widget
    ``Image`` shows it animated, in a notebook and in the static book alike)."""
    import io

    from PIL import Image

    frames = _grayscale_frames(frames)
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    pictures = [Image.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer, format="GIF", save_all=True, append_images=pictures[1:], duration=round(1000 / fps), loop=0
    )
    return buffer.getvalue()


def write_gif(frames, path, fps: float) -> Path:
    """An animated GIF of grayscale frames ``(N, H, W)``, looping, at ``fps``; written atomically."""
    data = gif_bytes(frames, fps)
    with video.atomic_path(path) as partial:
        partial.write_bytes(data)
    return Path(path)


def write_mp4(frames, path, fps: float, audio=None) -> Path:
    """An MP4 of grayscale frames ``(N, H, W)`` at ``fps`` (via :func:`dancenet.video.write_video`),
    with the sound file ``audio`` as its soundtrack if given."""
    frames = _grayscale_frames(frames)
    return video.write_video(path, np.repeat(frames[..., None], 3, axis=-1), fps, audio=audio)

"""Profiles: one course, three compute budgets.

A profile fixes every size and count that decides how long the course takes to run:

- ``ci``  — the smoke run maintainers use under nbval (the whole course in minutes on 2 CPU cores);
- ``cpu`` — a learner's laptop, and the outputs committed with the notebooks;
- ``gpu`` — Colab with a GPU: the original DanceNet architecture, exactly, at 120×208.

``DANCENET_PROFILE=ci|cpu|gpu`` chooses one; unset, the course picks ``gpu`` when TensorFlow sees
a GPU and ``cpu`` otherwise.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import numpy as np

ENV_VAR = "DANCENET_PROFILE"


def check_positive_int(value, name: str) -> int:
    """``value`` as an ``int`` when it is a whole number ≥ 1, or a ``ValueError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer (at least 1), got {value!r}")
    return int(value)


def check_image_size(size) -> tuple[int, int]:
    """``(height, width)`` as ints, or a ``ValueError`` when the model cannot take that size.

    The encoder halves the image three times and the decoder doubles it back, so both sides must be
    divisible by 8 for the reconstruction to come out the same size as the input.
    """
    try:
        height, width = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"image size must be (height, width), got {size!r}") from None
    if height <= 0 or width <= 0 or height % 8 or width % 8:
        raise ValueError(
            f"image size {height}×{width} is not usable: height and width must be positive and "
            f"divisible by 8 (the encoder pools by 2 three times), e.g. 120×208 or 64×104"
        )
    return height, width


@dataclass(frozen=True)
class Profile:
    """The sizes and counts one run of the course uses."""

    name: str
    description: str
    #: height and width of the silhouettes the VAE sees; both divisible by 8 (three 2× poolings)
    image_size: tuple[int, int]
    #: frames of synthetic stage video rendered for training (at 30 fps)
    stage_frames: int
    #: keep every n-th frame of the video (the original kept every 3rd of a long video)
    frame_stride: int
    #: VAE: latent size, convolution filters per block, epochs, batch size
    latent_dim: int
    encoder_filters: tuple[int, int, int]
    vae_epochs: int
    vae_batch_size: int
    #: sequence model: LSTM width and depth, dense width, mixture components, epochs
    lstm_units: int
    lstm_layers: int
    dense_units: int
    mixtures: int
    sequence_epochs: int
    #: frames of the video the stage is rendered at (the original's frame size)
    video_size: tuple[int, int] = field(default=(120, 208))
    #: train the VAE and the sequence models in mixed precision (float16 maths, float32 weights
    #: and losses): what a GPU's tensor cores are for; on a CPU it is slower, not faster
    mixed_precision: bool = False

    def __post_init__(self):
        check_image_size(self.image_size)

    def settings(self) -> dict:
        """The profile as plain data, for cache keys and metadata."""
        return asdict(self)

    def __str__(self) -> str:
        h, w = self.image_size
        return (
            f"profile {self.name!r}: {self.description}; images {h}×{w}, "
            f"{self.stage_frames} stage frames (stride {self.frame_stride})"
        )


class ProfileView:
    """A profile that shows only some of its fields: what a cached artifact's recipe is handed.

    A recipe declares the fields it reads, and those go into its cache key; reading any other field
    fails at once, so a key can never miss a setting that decides the artifact's content.
    """

    def __init__(self, profile: Profile, fields):
        self._profile, self._fields = profile, frozenset(fields)

    def __getattr__(self, name: str):
        if name.startswith("_") or name in self._fields:
            return getattr(self._profile, name)
        raise AttributeError(
            f"this recipe reads profile.{name}, which it does not declare; add {name!r} to its fields "
            f"in dancenet.artifacts so that the cache key follows it"
        )

    def __repr__(self) -> str:
        return f"ProfileView({self._profile.name!r}, fields={sorted(self._fields)})"


PROFILES: dict[str, Profile] = {
    "ci": Profile(
        name="ci",
        description="smoke run for continuous integration",
        image_size=(48, 80),
        stage_frames=360,
        frame_stride=2,
        latent_dim=16,
        encoder_filters=(16, 8, 8),
        vae_epochs=2,
        vae_batch_size=32,
        lstm_units=32,
        lstm_layers=2,
        dense_units=64,
        mixtures=3,
        sequence_epochs=2,
    ),
    "cpu": Profile(
        name="cpu",
        description="a laptop CPU; the outputs committed with the book",
        image_size=(64, 104),
        stage_frames=6000,
        frame_stride=2,
        latent_dim=32,
        encoder_filters=(32, 32, 16),
        vae_epochs=40,
        vae_batch_size=32,
        lstm_units=256,
        lstm_layers=3,
        dense_units=256,
        mixtures=8,
        sequence_epochs=60,
    ),
    "gpu": Profile(
        name="gpu",
        description="a GPU (Colab): the original DanceNet architecture, exactly",
        image_size=(120, 208),
        stage_frames=60000,
        frame_stride=3,
        latent_dim=128,
        encoder_filters=(128, 64, 32),
        vae_epochs=50,
        vae_batch_size=100,
        lstm_units=512,
        lstm_layers=3,
        dense_units=1000,
        mixtures=24,
        sequence_epochs=50,
        mixed_precision=True,
    ),
}


#: a line of TensorFlow's C++ log (``I0000 00:00:1795524884.904483 6512 port.cc:153] …``), or the
#: line absl prints before its first message
_TENSORFLOW_LOG = re.compile(
    r"^([IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\]"
    r"|WARNING: All log messages before absl|To enable the following instructions)"
)


@contextmanager
def _without_tensorflow_log():
    """Keep TensorFlow's C++ start-up log off the terminal and out of notebook outputs.

    TensorFlow writes it straight to file descriptor 2 (no Python logging to configure, and
    ``TF_CPP_MIN_LOG_LEVEL`` does not reach the lines printed before absl starts), so while the block
    runs, descriptor 2 goes to a temporary file; afterwards every line that is not TensorFlow's log
    is written on to ``sys.stderr``.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            other = [
                line
                for line in captured.read().decode(errors="replace").splitlines(keepends=True)
                if not _TENSORFLOW_LOG.match(line)
            ]
            if other:
                sys.stderr.write("".join(other))


def _log_kernel_choices(tf) -> None:
    """Run, once, the op whose first use makes oneDNN log its kernel choice on CPUs without
    AVX-512 (the gradient of ``repeat``, which the decoder's upsampling uses), so that the line
    lands here, in the quiet block, and not in the middle of a chapter's training."""
    x = tf.zeros((1, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.repeat(x, 2, axis=0)
    tape.gradient(y, x)


def gpus() -> list[str]:
    """The names of the GPUs TensorFlow sees.

    Imports TensorFlow and starts its devices (only when called), without their start-up log.
    """
    with _without_tensorflow_log():
        import tensorflow as tf

        found = tf.config.list_physical_devices("GPU")
        _log_kernel_choices(tf)
    return [tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name) for gpu in found]


def gpu_available() -> bool:
    """Whether TensorFlow sees a GPU."""
    return bool(gpus())


def device_summary() -> str:
    """One line on what TensorFlow computes with, printed at the top of every chapter.

    Asking starts TensorFlow's devices, so their start-up log lands in the setup cell instead of
    in whichever later cell happens to compute first.
    """
    names = gpus()
    if not names:
        return "TensorFlow sees no GPU: the chapter computes on the CPU"
    return f"TensorFlow sees {len(names)} GPU{'s' if len(names) > 1 else ''}: {', '.join(names)}"


def get_profile(name: str | Profile | ProfileView | None = None) -> Profile:
    """The profile called ``name``; without a name, the one the environment selects.

    A :class:`Profile` (or :class:`ProfileView`) passed in is returned as it is, so every function
    can take either.

    ``DANCENET_PROFILE`` wins when set; otherwise ``gpu`` when a GPU is visible, else ``cpu``.
    """
    if isinstance(name, (Profile, ProfileView)):
        return name
    if name is None:
        name = os.environ.get(ENV_VAR, "").strip()
        if not name:
            return PROFILES["gpu" if gpu_available() else "cpu"]
        source = f"{ENV_VAR}={name!r}"
    else:
        source = repr(name)
    try:
        return PROFILES[name.strip().lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown profile {source}: choose one of {', '.join(PROFILES)}") from None

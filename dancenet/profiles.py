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
from dataclasses import asdict, dataclass, field

from .checks import check_image_size

ENV_VAR = "DANCENET_PROFILE"


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
    #: frames of the long dance the sequence models learn from (rendered, never filmed: see
    #: :mod:`dancenet.long_dance`); the held-out dance is as long as the stage video
    dance_frames: int
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
        dance_frames=1200,
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
        dance_frames=60000,
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
        dance_frames=600000,
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
            from .devices import gpu_available

            return PROFILES["gpu" if gpu_available() else "cpu"]
        source = f"{ENV_VAR}={name!r}"
    else:
        source = repr(name)
    try:
        return PROFILES[name.strip().lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown profile {source}: choose one of {', '.join(PROFILES)}") from None

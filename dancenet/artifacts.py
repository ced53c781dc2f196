"""The cache that lets any chapter get what earlier chapters produce.

Each chapter runs on its own in a fresh kernel (a Colab reader may open chapter 5 first). When it
needs the stage video or the silhouettes, it asks this module: the artifact is loaded from the
cache if an identical one was made before, and built (with a progress bar) otherwise.

- The cache lives in ``$DANCENET_CACHE``, or ``~/.cache/dancenet`` when that is unset.
- An artifact's folder name holds the profile and a hash of everything that decides its content:
  its settings, the library version and the source code of the modules that make it. Change any of
  them and the old entry is simply never asked for again.
- Writes are atomic: an artifact is built in a hidden temporary folder and renamed into place only
  when complete, so an interrupted run never leaves something half-written that would load.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from . import __version__, background, stage, video
from .profiles import Profile, get_profile

CACHE_ENV = "DANCENET_CACHE"
#: the seed of the course's stage video: one dancer, one stage, one choreography for every chapter.
#: Chosen (among seeds 0–23) so that no single brightness threshold separates dancer from stage,
#: which is the situation chapter 2 is about; with many other seeds the dancer is simply brighter.
STAGE_SEED = 8

T = TypeVar("T")


class CacheError(RuntimeError):
    """A cached artifact exists but cannot be read."""


def cache_dir() -> Path:
    """The folder that holds every artifact (created on first use)."""
    root = os.environ.get(CACHE_ENV, "").strip()
    path = Path(root).expanduser() if root else Path.home() / ".cache" / "dancenet"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _source_hash(modules) -> str:
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def cache_key(settings: dict, modules=()) -> str:
    """A short hash of the settings, the library version and the producing modules' source."""
    payload = json.dumps({"settings": settings, "version": __version__,
                          "source": _source_hash(modules)}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def cached(name: str, profile: Profile, settings: dict, build: Callable[[Path], None],
           load: Callable[[Path], T], modules=()) -> T:
    """The artifact ``name`` for ``settings``: loaded if cached, else built by ``build(folder)``.

    ``load(folder)`` reads a finished artifact; when it fails, a :class:`CacheError` names the
    folder to delete rather than silently rebuilding over something the reader may want to inspect.
    """
    settings = {"profile": profile.name, **settings}
    folder = cache_dir() / f"{name}-{profile.name}-{cache_key(settings, modules)}"
    if not folder.exists():
        _build_atomically(folder, settings, build)
    try:
        return load(folder)
    except Exception as error:
        raise CacheError(f"the cached {name} in {folder} cannot be read ({error}); delete that "
                         f"folder, or call dancenet.artifacts.clear(), and run again") from error


def _build_atomically(folder: Path, settings: dict, build: Callable[[Path], None]) -> None:
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        build(partial)
        (partial / "settings.json").write_text(json.dumps(settings, indent=2, default=str))
        try:
            os.rename(partial, folder)
        except OSError:
            if not folder.exists():  # lost a race with another process: theirs is as good
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def clear(name: str | None = None) -> int:
    """Delete cached artifacts (all, or those called ``name``), leftovers included; returns how many."""
    removed = 0
    for path in cache_dir().iterdir():
        if path.is_dir() and (name is None or path.name.lstrip(".").startswith(f"{name}-")):
            shutil.rmtree(path)
            removed += 1
    return removed


# ----------------------------------------------------------------------------- the stage video

def stage_video(profile: Profile | str | None = None, progress: bool = True) -> stage.StageRecording:
    """The course's synthetic dance video for a profile, with its ground truth (chapter 1)."""
    profile = get_profile(profile)
    height, width = profile.video_size
    settings = {"n_frames": profile.stage_frames, "seed": STAGE_SEED,
                "stage": stage.StageSettings(height=height, width=width)}

    def build(folder: Path) -> None:
        stage.write_stage_video(folder, profile.stage_frames, seed=STAGE_SEED,
                                settings=settings["stage"], progress=progress)

    return cached("stage", profile, settings, build, stage.StageRecording.load,
                  modules=(stage, video))


# ----------------------------------------------------------------------------- silhouettes

@dataclass(frozen=True)
class Silhouettes:
    """Training silhouettes at the profile's image size, and where they came from."""

    #: ``float32 (N, H, W, 1)`` in [0, 1]; 1 = dancer
    images: np.ndarray
    #: index of each silhouette's frame in the source video
    frame_indices: np.ndarray
    #: per-frame mask IoU against the ground truth (stage video only; empty otherwise)
    iou: np.ndarray
    method: str
    source: str

    @classmethod
    def load(cls, folder: Path) -> Silhouettes:
        with np.load(folder / "silhouettes.npz") as data:
            images = data["images"].astype(np.float32) / 255.0
            return cls(images=images, frame_indices=data["frame_indices"], iou=data["iou"],
                       method=str(data["method"]), source=str(data["source"]))


def _video_identity(path) -> dict:
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"video file not found: {path}")
    stat = path.stat()
    return {"path": str(path), "bytes": stat.st_size, "modified_ns": stat.st_mtime_ns}


def silhouettes(profile: Profile | str | None = None, video_path=None, method: str = "median",
                progress: bool = True) -> Silhouettes:
    """The silhouettes the VAE trains on (chapter 2's output).

    From the stage video by default; pass ``video_path`` to use your own dance video instead. The
    frames are read every ``profile.frame_stride``-th, cropped and resized to the profile's video
    size, segmented with ``method`` and shrunk to the profile's image size.
    """
    profile = get_profile(profile)
    if method not in background.METHODS:
        raise ValueError(f"unknown background-removal method {method!r}: "
                         f"choose one of {', '.join(background.METHODS)}")
    recording = None if video_path is not None else stage_video(profile, progress)
    source = video_path if video_path is not None else recording.video_path
    settings = {"method": method, "source": _video_identity(source)}

    def build(folder: Path) -> None:
        frames = video.read_frames(source, stride=profile.frame_stride, size=profile.video_size,
                                   progress=progress)
        masks = background.remove_background(frames, method)
        indices = np.arange(len(frames)) * profile.frame_stride
        scores = (background.iou(masks, recording.masks[indices]) if recording is not None
                  else np.zeros(0))
        images = background.silhouettes(masks, profile.image_size)
        np.savez_compressed(folder / "silhouettes.npz", images=np.round(images * 255).astype(np.uint8),
                            frame_indices=indices, iou=scores, method=method,
                            source="stage" if recording is not None else str(source))

    return cached("silhouettes", profile, settings, build, Silhouettes.load,
                  modules=(background, video, stage))


# ----------------------------------------------------------------------------- trained models

@dataclass(frozen=True)
class TrainedModel:
    """A model trained on the profile's silhouettes, with its training history and held-out score."""

    model: object
    #: per-epoch losses (``loss``, ``reconstruction``, for a VAE ``kl``, and their ``val_`` twins)
    history: dict
    #: mean reconstruction IoU on the held-out frames (the last 10 % of the video)
    held_out_iou: float

    @classmethod
    def load(cls, folder: Path) -> TrainedModel:
        model, metrics = _load_model(folder)
        return cls(model, metrics["history"], metrics["held_out_iou"])


def _save_model(folder: Path, model, history, **scores) -> None:
    model.save(folder / "model.keras")
    metrics = {"history": {k: [float(v) for v in vs] for k, vs in history.history.items()}, **scores}
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=1))


def _load_model(folder: Path):
    import keras

    metrics = json.loads((folder / "metrics.json").read_text())
    return keras.saving.load_model(folder / "model.keras", safe_mode=True), metrics


def _source(video_path) -> dict:
    """What identifies the training video in a cache key: nothing for the stage (so its keys stay
    as they were), the file's path, size and time for a video of your own."""
    return {} if video_path is None else {"source": _video_identity(video_path)}


def _trained(kind: str, train, profile: Profile, epochs: int, progress: bool, video_path=None) -> TrainedModel:
    from . import vae

    settings = {"method": "median", "epochs": epochs, "batch_size": profile.vae_batch_size,
                "architecture": [profile.image_size, profile.latent_dim, profile.encoder_filters],
                "seed": STAGE_SEED, **_source(video_path)}

    def build(folder: Path) -> None:
        images = silhouettes(profile, video_path, progress=progress).images
        model, history = train(images, profile, epochs=epochs, verbose=2 if progress else 0)  # a line per epoch
        _, held_out = vae.split(images)
        _save_model(folder, model, history, held_out_iou=float(vae.reconstruction_iou(model, held_out).mean()))

    return cached(kind, profile, settings, build, TrainedModel.load, modules=(vae, background, video, stage))


def trained_vae(profile: Profile | str | None = None, progress: bool = True, video_path=None) -> TrainedModel:
    """The profile's VAE (chapter 5's output): loaded if cached, else trained with a progress bar.
    On the stage video, or on ``video_path`` when given."""
    from . import vae

    profile = get_profile(profile)
    return _trained("vae", vae.train_vae, profile, profile.vae_epochs, progress, video_path)


def trained_autoencoder(profile: Profile | str | None = None, progress: bool = True) -> TrainedModel:
    """Chapter 4's plain autoencoder, trained half as many epochs as the VAE (it is a baseline)."""
    from . import vae

    profile = get_profile(profile)
    return _trained("autoencoder", vae.train_autoencoder, profile, max(1, profile.vae_epochs // 2),
                    progress)


def latents(profile: Profile | str | None = None, progress: bool = True, video_path=None) -> np.ndarray:
    """``z_mean`` of every silhouette, in video order, ``(N, latent_dim)`` — what chapters 6–8 model."""
    from . import vae

    profile = get_profile(profile)

    def build(folder: Path) -> None:
        model = trained_vae(profile, progress, video_path).model
        images = silhouettes(profile, video_path, progress=progress).images
        np.save(folder / "latents.npy", model.encode(images).astype(np.float32))

    return cached("latents", profile, {"seed": STAGE_SEED, "epochs": profile.vae_epochs, **_source(video_path)}, build,
                  lambda folder: np.load(folder / "latents.npy"), modules=(vae, background, video, stage))


# ----------------------------------------------------------------------------- sequence models

@dataclass(frozen=True)
class TrainedSequenceModel:
    """A sequence model trained on the profile's latent sequence, with its history and score."""

    model: object
    #: per-epoch ``loss`` and ``val_loss`` (mean NLL per code, in nats)
    history: dict
    #: mean NLL per latent dimension of the held-out codes (the last 20 %), in nats
    held_out_nll: float

    @classmethod
    def load(cls, folder: Path) -> TrainedSequenceModel:
        model, metrics = _load_model(folder)
        return cls(model, metrics["history"], metrics["held_out_nll"])


def latent_sequence(profile: Profile | str | None = None, progress: bool = True, video_path=None):
    """The profile's latent sequence split and standardized for the sequence models (chapter 7)."""
    from . import sequence

    return sequence.prepare(latents(profile, progress, video_path))


def trained_sequence_model(profile: Profile | str | None = None, kind: str = "memory",
                           progress: bool = True, video_path=None) -> TrainedSequenceModel:
    """Chapter 7's sequence models: ``"memory"`` (windowed LSTMs, ours) or ``"seed"`` (the
    original's one-step model), trained on the latent sequence or loaded from the cache."""
    from . import mdn, sequence, vae

    trainers = {"memory": sequence.train_sequence_model, "seed": sequence.train_seed_model}
    if kind not in trainers:
        raise ValueError(f"unknown sequence model {kind!r}: choose one of {', '.join(trainers)}")
    profile = get_profile(profile)
    settings = {"kind": kind, "epochs": profile.sequence_epochs, "seed": STAGE_SEED,
                "architecture": [profile.latent_dim, profile.lstm_units, profile.lstm_layers,
                                 profile.dense_units, profile.mixtures], **_source(video_path)}

    def build(folder: Path) -> None:
        data = latent_sequence(profile, progress, video_path)
        model, history = trainers[kind](data, profile, verbose=2 if progress else 0)
        _save_model(folder, model, history, held_out_nll=float(sequence.held_out_nll(model, data).mean()))

    return cached(f"sequence-{kind}", profile, settings, build, TrainedSequenceModel.load,
                  modules=(sequence, mdn, vae, background, video, stage))

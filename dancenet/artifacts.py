"""The recipes that let any chapter get what earlier chapters produce.

Each chapter runs on its own in a fresh kernel (a Colab reader may open chapter 5 first). When it
needs the stage video, the silhouettes or a trained model, it asks a :class:`Pipeline` bound to a
profile and a video (the course's stage video unless you give your own): the artifact is loaded
from the cache if an identical one was made before, and built (with a progress bar) otherwise::

    pipeline = Pipeline("cpu")                   # or Pipeline("cpu", video="my_dance.mp4")
    pipeline.silhouettes.images                  # chapter 2's output
    pipeline.vae.model                           # chapter 5's VAE
    pipeline.long_dance.codes                    # the long dance the sequence models learn from
    pipeline.sequence_model("memory").model      # chapter 7's sequence model
    pipeline.music_model().model                 # chapter 9's music-conditioned model

Each artifact's recipe is declared once, with :func:`recipe` on the function that builds it: the
profile fields it reads, the artifacts it is made from, its own settings and the modules whose code
makes it. The cache (:mod:`dancenet.cache`) builds each key from those, so a change upstream
reaches everything downstream. CONTRIBUTING.md shows how to add one.
"""

from __future__ import annotations

import importlib
import json
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property, partial
from pathlib import Path

import numpy as np

from . import background, framing, long_dance, stage, video
from .cache import Artifact
from .framing import FramingSettings
from .profiles import Profile, get_profile

#: the random seed of the course's stage video: one dancer, one stage, one routine for every chapter.
#: Chosen (among seeds 0–23) so that no single brightness threshold separates dancer from stage,
#: which is the situation chapter 2 is about; with many other seeds the dancer is simply brighter.
STAGE_SEED = 8

#: the random seeds of the long dance the sequence models learn from and of the held-out dance they
#: are scored on: two more routines, neither the stage video's, danced by the stage video's dancer
DANCE_SEED, HELD_OUT_SEED = 9, 10

#: the random seed every training starts from
TRAINING_SEED = 0

#: the sequence models: ours, with memory, the original's, and the steps between them that chapter
#: 7's ablation measures (:data:`dancenet.sequence.ABLATION`)
SEQUENCE_KINDS = ("memory", "original", "windows", "centered")

#: chapter 9's music-conditioned models: ours, trained at three tempi, and the step before it, at the
#: stage's one tempo (:data:`dancenet.sequence.MUSIC_ABLATION`)
MUSIC_KINDS = ("music", "music-one-tempo")


@dataclass(frozen=True)
class DanceMusic:
    """The music a dance was danced to, as chapter 9's models hear it: its tracked beats and tempo,
    and the music features (:func:`dancenet.music.beat_features`) of every latent code's frame."""

    beats: np.ndarray  # (B,) seconds, tracked
    tempo: float  # beats per minute
    features: np.ndarray  # (N, F) float32, one row per latent code
    fps: float  # frames per second of the codes
    source: str  # the sound file

    @classmethod
    def load(cls, folder: Path) -> DanceMusic:
        with np.load(folder / "music.npz") as data:
            return cls(
                data["beats"], float(data["tempo"]), data["features"], float(data["fps"]), str(data["source"])
            )


@dataclass(frozen=True)
class Silhouettes:
    """The dancer's silhouettes at the profile's image size, framed and whole, and where they came from.

    ``images`` are *framed* (:mod:`dancenet.framing`): a window that follows the dancer, so every
    silhouette shows the body at one place and one size — what the VAE trains on. ``whole`` are the
    same frames' masks shrunk whole, the dancer wherever they stand on the stage: what the
    original trained on, kept for the comparison in chapter 5.
    """

    #: framed silhouettes, ``float32 (M, H, W, 1)`` in [0, 1], 1 = dancer: one per frame with a dancer
    images: np.ndarray
    #: index in the source video of each framed silhouette
    frame_indices: np.ndarray
    #: whole-frame silhouettes of every frame read, ``float32 (N, H, W, 1)``
    whole: np.ndarray
    #: index in the source video of each whole-frame silhouette
    whole_indices: np.ndarray
    #: ``(N, 3)`` the smoothed track that framed them: centre x, centre y, body height (frame units)
    track: np.ndarray
    #: ``(N, 3)`` the track as found in each frame, NaN where no dancer was found
    raw_track: np.ndarray
    #: per-frame mask IoU of the whole-frame masks against the ground truth (stage video only)
    iou: np.ndarray
    method: str
    source: str

    @property
    def dropped(self) -> int:
        """How many frames read had no dancer in them, and so no framed silhouette."""
        return len(self.whole) - len(self.images)

    def training_images(self, framed: bool = True) -> np.ndarray:
        """What a model learns from: the framed silhouettes, or (``framed=False``) the whole frames."""
        return self.images if framed else self.whole

    @classmethod
    def load(cls, folder: Path) -> Silhouettes:
        with np.load(folder / "silhouettes.npz") as data:
            return cls(
                images=data["images"].astype(np.float32) / 255.0,
                frame_indices=data["frame_indices"],
                whole=data["whole"].astype(np.float32) / 255.0,
                whole_indices=data["whole_indices"],
                track=data["track"],
                raw_track=data["raw_track"],
                iou=data["iou"],
                method=str(data["method"]),
                source=str(data["source"]),
            )


@dataclass(frozen=True)
class TrainedModel:
    """A trained model with its per-epoch history and its held-out scores.

    A VAE or autoencoder has ``held_out_iou`` (mean reconstruction IoU of the last 10 % of the
    frames); a sequence model has ``held_out_nll`` (mean NLL per latent dimension of the last 20 %
    of the codes, in nats); the move judge has ``held_out_accuracy`` (the share of the last 20 % of
    the real windows it judges right).
    """

    model: object
    #: per-epoch losses (``loss`` and the model's own terms, with their ``val_`` twins)
    history: dict
    scores: dict

    @property
    def held_out_iou(self) -> float:
        return self._score("held_out_iou")

    @property
    def held_out_nll(self) -> float:
        return self._score("held_out_nll")

    @property
    def held_out_accuracy(self) -> float:
        return self._score("held_out_accuracy")

    def _score(self, name: str) -> float:
        if name not in self.scores:
            raise AttributeError(f"this model has no {name} (its scores: {', '.join(self.scores)})")
        return self.scores[name]

    def save(self, folder: Path, history) -> None:
        self.model.save(folder / "model.keras")
        history = {k: [float(v) for v in vs] for k, vs in history.items()}
        (folder / "metrics.json").write_text(
            json.dumps({"history": history, "scores": self.scores}, indent=1)
        )

    @classmethod
    def load(cls, folder: Path) -> TrainedModel:
        import keras

        metrics = json.loads((folder / "metrics.json").read_text())
        with warnings.catch_warnings():
            # a model trained in mixed precision (the gpu profile) comes back with a plain optimizer,
            # which cannot take the saved loss scale's state; the course only uses loaded models to
            # predict, never to train on, so that state is not needed
            warnings.filterwarnings("ignore", "Skipping variable loading for optimizer", UserWarning)
            model = keras.saving.load_model(folder / "model.keras", safe_mode=True)
        return cls(model, metrics["history"], metrics["scores"])


def _video_identity(path) -> dict:
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"video file not found: {path}")
    stat = path.stat()
    return {"path": str(path), "bytes": stat.st_size, "modified_ns": stat.st_mtime_ns}


@dataclass(frozen=True)
class Recipe:
    """How one artifact is made, declared once (:func:`recipe`).

    ``fields``: the profile fields the build reads (it is handed a view that refuses others);
    ``inputs(pipeline)``: the names of the artifacts it is made from; ``settings(pipeline)``: its
    own settings; ``modules``: the ``dancenet`` modules whose code makes it; ``build(pipeline,
    folder, profile, inputs)`` writes it, ``inputs`` mapping each input's name to its artifact;
    ``load(folder)`` reads it back. The cache key follows all of these (:mod:`dancenet.cache`).
    """

    name: str
    fields: tuple[str, ...]
    inputs: Callable[[Pipeline], tuple[str, ...]]
    settings: Callable[[Pipeline], dict]
    modules: tuple[str, ...]
    build: Callable
    load: Callable[[Path], object]


#: every recipe, by artifact name, in the order the course makes them
RECIPES: dict[str, Recipe] = {}


def recipe(
    name: str,
    *,
    load: Callable[[Path], object],
    fields: tuple[str, ...] = (),
    inputs=(),
    settings=lambda pipeline: {},
    modules: tuple[str, ...] = (),
):
    """Declare the build function it decorates as the recipe for artifact ``name``. ``inputs`` is a
    tuple of artifact names, or a function of the pipeline that returns one (a video of your own
    has no stage)."""

    def declare(build):
        needs = inputs if callable(inputs) else (lambda pipeline: tuple(inputs))
        RECIPES[name] = Recipe(name, tuple(fields), needs, settings, tuple(modules), build, load)
        return build

    return declare


class Pipeline:
    """What the course makes from one video under one profile, each piece cached: the front door
    every chapter uses.

    ``video`` is a dance video of your own; without it, the course's synthetic stage video.
    ``method`` is the background-removal method of the silhouettes, ``framing`` how the dancer is
    tracked and framed. The models learn from framed silhouettes; ``framed=False`` trains them on
    whole frames instead, as the original did (chapter 5 compares the two). Each property builds
    its artifact on first use (with progress bars unless ``progress=False``) and keeps it.
    """

    def __init__(
        self,
        profile: Profile | str | None = None,
        video=None,
        method: str = "median",
        progress: bool = True,
        framed: bool = True,
        framing: FramingSettings | None = None,
    ):
        if method not in background.METHODS:
            raise ValueError(
                f"unknown background-removal method {method!r}: choose one of {', '.join(background.METHODS)}"
            )
        framing = FramingSettings() if framing is None else framing
        if not isinstance(framing, FramingSettings):
            raise ValueError(f"framing must be a FramingSettings, got {type(framing).__name__}")
        self.profile = get_profile(profile)
        self.video = None if video is None else Path(video)
        self.source = None if video is None else _video_identity(video)
        self.method = method
        self.progress = progress
        self.framed = bool(framed)
        self.framing = framing
        self._artifacts: dict[str, Artifact] = {}
        self._loaded: dict[str, object] = {}

    def __repr__(self) -> str:
        source = self.video if self.video is not None else "the stage video"
        whole = "" if self.framed else ", framed=False"
        return f"Pipeline({self.profile.name!r}, {source}, method={self.method!r}{whole})"

    def artifact(self, name: str) -> Artifact:
        """The artifact ``name`` (one of :data:`RECIPES`), bound to this pipeline."""
        if name not in self._artifacts:
            if name not in RECIPES:
                raise ValueError(f"unknown artifact {name!r}: choose one of {', '.join(RECIPES)}")
            made = RECIPES[name]
            inputs = {n: self.artifact(n) for n in made.inputs(self)}
            self._artifacts[name] = Artifact(
                name,
                self.profile,
                made.fields,
                lambda folder, profile: made.build(self, folder, profile, inputs),
                made.load,
                settings=made.settings(self),
                modules=tuple(importlib.import_module(f"dancenet.{m}") for m in made.modules),
                inputs=tuple(inputs.values()),
            )
        return self._artifacts[name]

    def get(self, name: str):
        """The artifact ``name``, loaded (or built, then loaded) once and kept."""
        if name not in self._loaded:
            self._loaded[name] = self.artifact(name).get()
        return self._loaded[name]

    # ------------------------------------------------------------------- what the chapters use

    @property
    def stage(self) -> stage.StageRecording:
        """The course's synthetic dance video, with its ground truth (chapter 1)."""
        return self.get("stage")

    @property
    def silhouettes(self) -> Silhouettes:
        """The dancer's silhouettes, framed and whole (chapter 2's output)."""
        return self.get("silhouettes")

    @property
    def vae(self) -> TrainedModel:
        """The profile's VAE (chapter 5's output)."""
        return self.get("vae")

    @property
    def autoencoder(self) -> TrainedModel:
        """Chapter 4's plain autoencoder, trained half as many epochs as the VAE (a baseline)."""
        return self.get("autoencoder")

    @property
    def training_images(self) -> np.ndarray:
        """What the models learn from: the framed silhouettes (whole frames if ``framed=False``)."""
        return self.silhouettes.training_images(self.framed)

    @property
    def latents(self) -> np.ndarray:
        """``z_mean`` of every training image in video order, ``(N, latent_dim)``: what chapters 6–8 model."""
        return self.get("latents")

    @property
    def long_dance(self):
        """The long dance the sequence models learn from, as codes with their truth (chapter 7):
        :data:`DANCE_SEED`'s routine, ten times the stage video in length (:mod:`dancenet.long_dance`)."""
        self._needs_stage("long dance")
        return self.get("dance")

    @property
    def held_out_dance(self):
        """The dance the sequence models are scored on, as codes with their truth: another routine
        (:data:`HELD_OUT_SEED`), as long as the stage video, that no model has seen."""
        self._needs_stage("held-out dance")
        return self.get("held-out-dance")

    def _needs_stage(self, what: str) -> None:
        if self.video is not None:
            raise ValueError(
                f"the {what} is rendered on the course's stage; a video of your own has only itself: "
                "its sequence models learn from its first 80 % and are scored on the rest (latent_sequence)"
            )

    @cached_property
    def latent_sequence(self):
        """The codes the sequence models learn from and are scored on, standardized (chapter 7): the
        long dance and the held-out dance on the stage; a video of your own split in time."""
        from . import sequence

        if self.video is None:
            return sequence.prepare_dances(self.long_dance.codes, self.held_out_dance.codes)
        return sequence.prepare(self.latents)

    @property
    def dance_music(self) -> DanceMusic:
        """The dance's music, tracked, with a row of music features per latent code (chapter 9): the
        stage's soundtrack, or the soundtrack of your own video (an AudioError if it has none)."""
        return self.get("music")

    @cached_property
    def music_sequence(self):
        """:attr:`latent_sequence` with the music features of every code beside it (chapter 9)."""
        from . import sequence

        return sequence.prepare(self.latents, music_features=self.dance_music.features)

    def sequence_model(self, kind: str = "memory") -> TrainedModel:
        """Chapter 7's sequence models: ``"memory"`` (windowed stacked LSTMs, ours),
        ``"original"`` (the original's one-step model), or a step of the ablation between them:
        ``"windows"`` (windows alone), ``"centered"`` (windows, mixture centred on the current code)."""
        if kind not in SEQUENCE_KINDS:
            raise ValueError(f"unknown sequence model {kind!r}: choose one of {', '.join(SEQUENCE_KINDS)}")
        return self.get(f"sequence-{kind}")

    def music_model(self, kind: str = "music") -> TrainedModel:
        """Chapter 9's music-conditioned sequence models — ours, ``"memory"`` hearing the music:
        ``"music"``, trained at three tempi, or ``"music-one-tempo"``, at the stage's tempo only."""
        if kind not in MUSIC_KINDS:
            raise ValueError(f"unknown music model {kind!r}: choose one of {', '.join(MUSIC_KINDS)}")
        return self.get(f"sequence-{kind}")

    @property
    def move_judge(self) -> TrainedModel:
        """Chapter 8's move judge, trained on the framed stage silhouettes and the stage's move labels."""
        if self.video is not None:
            raise ValueError(
                "the move judge learns from the stage's move labels, and a video of your own has none: "
                "judge dances with the judge of the stage video (Pipeline(profile).move_judge)"
            )
        return self.get("judge")

    @cached_property
    def fps(self) -> float:
        """Frames per second of the silhouettes and codes: the video's rate over the profile's stride."""
        path = self.video
        if path is None:  # the stage's video, rendered first if it is not cached
            folder = self.artifact("stage").folder
            path = folder / stage.VIDEO_NAME if folder.exists() else self.stage.video_path
        return video.video_info(path).fps / self.profile.frame_stride

    def dancer(self, kind: str = "memory"):
        """A trained :class:`dancenet.choreography.Dancer`: chapter 7's sequence model ``kind``
        (:meth:`sequence_model`) or chapter 9's music model (:meth:`music_model`), with the VAE, the
        latent sequence it learned from and the frame rate — everything needed to dance."""
        from .choreography import Dancer

        if kind in MUSIC_KINDS:
            return Dancer(self.music_model(kind).model, self.music_sequence, self.vae.model, self.fps)
        return Dancer(self.sequence_model(kind).model, self.latent_sequence, self.vae.model, self.fps)

    def code_frames(self, silhouettes: Silhouettes) -> np.ndarray:
        """The video frame of each latent code: those with a dancer, or all read (``framed=False``)."""
        return silhouettes.frame_indices if self.framed else silhouettes.whole_indices


# ----------------------------------------------------------------------------- the recipes

#: the profile fields a model trained on silhouettes reads (the VAE, and chapter 4's autoencoder)
SILHOUETTE_MODEL_FIELDS = (
    "image_size",
    "latent_dim",
    "encoder_filters",
    "vae_epochs",
    "vae_batch_size",
    "mixed_precision",
)
#: the profile fields a sequence model reads
SEQUENCE_MODEL_FIELDS = (
    "latent_dim",
    "lstm_units",
    "lstm_layers",
    "dense_units",
    "mixtures",
    "sequence_epochs",
    "mixed_precision",
)


def _with_stage(*names: str):
    """Inputs ``names``, and the stage recording when the pipeline has no video of its own."""
    return lambda pipeline: names + (("stage",) if pipeline.video is None else ())


@recipe(
    "stage",
    load=stage.StageRecording.load,
    fields=("stage_frames", "video_size"),
    settings=lambda pipeline: {"seed": STAGE_SEED},
    modules=("stage", "video"),
)
def _stage(pipeline, folder: Path, profile, inputs) -> None:
    height, width = profile.video_size
    stage.write_stage_video(
        folder,
        profile.stage_frames,
        seed=STAGE_SEED,
        settings=stage.StageSettings(height=height, width=width),
        progress=pipeline.progress,
    )


@recipe(
    "silhouettes",
    load=Silhouettes.load,
    fields=("frame_stride", "video_size", "image_size"),
    inputs=_with_stage(),
    settings=lambda pipeline: {
        "method": pipeline.method,
        "source": pipeline.source or "stage",
        "framing": asdict(pipeline.framing),
    },
    modules=("background", "framing", "video"),
)
def _silhouettes(pipeline, folder: Path, profile, inputs) -> None:
    truth = inputs["stage"].get() if "stage" in inputs else None
    path = truth.video_path if truth is not None else pipeline.video
    frames = video.read_frames(
        path, stride=profile.frame_stride, size=profile.video_size, progress=pipeline.progress
    )
    masks = background.framing_masks(frames, pipeline.method)
    whole = np.stack([background.largest_component(mask) for mask in masks])
    indices = np.arange(len(frames)) * profile.frame_stride
    scores = background.iou(whole, truth.masks[indices]) if truth is not None else np.zeros(0)
    framed = framing.frame_dancer(masks, profile.image_size, pipeline.framing, progress=pipeline.progress)
    np.savez_compressed(
        folder / "silhouettes.npz",
        images=video.to_uint8(framed.images),
        frame_indices=indices[framed.found],
        whole=video.to_uint8(background.silhouette_images(whole, profile.image_size)),
        whole_indices=indices,
        track=framed.track,
        raw_track=framed.raw,
        iou=scores,
        method=pipeline.method,
        source="stage" if truth is not None else str(path),
    )


def _trained_on_silhouettes(train, epochs):
    """The build of a model trained on silhouettes: ``train`` (a :mod:`dancenet.vae` trainer) for
    ``epochs(profile)`` epochs, scored on the held-out last 10 %."""

    def build(pipeline, folder: Path, profile, inputs) -> None:
        from . import vae

        images = inputs["silhouettes"].get().training_images(pipeline.framed)
        model, history = getattr(vae, train)(
            images, profile, epochs=epochs(profile), seed=TRAINING_SEED, progress=pipeline.progress
        )
        _, held_out = vae.split(images)
        score = float(vae.reconstruction_iou(model, held_out).mean())
        TrainedModel(model, {}, {"held_out_iou": score}).save(folder, history.history)

    return build


for _name, _train, _epochs in (
    ("vae", "train_vae", lambda profile: profile.vae_epochs),
    ("autoencoder", "train_autoencoder", lambda profile: max(1, profile.vae_epochs // 2)),
):
    recipe(
        _name,
        load=TrainedModel.load,
        fields=SILHOUETTE_MODEL_FIELDS,
        inputs=("silhouettes",),
        settings=lambda pipeline: {"seed": TRAINING_SEED, "framed": pipeline.framed},
        modules=("vae",),
    )(_trained_on_silhouettes(_train, _epochs))


@recipe(
    "latents",
    load=lambda folder: np.load(folder / "latents.npy"),
    inputs=("vae", "silhouettes"),
    settings=lambda pipeline: {"framed": pipeline.framed},
    modules=("vae",),
)
def _latents(pipeline, folder: Path, profile, inputs) -> None:
    images = inputs["silhouettes"].get().training_images(pipeline.framed)
    codes = inputs["vae"].get().model.encode(images)
    np.save(folder / "latents.npy", codes.astype(np.float32))


def _dance(seed: int, frames):
    """The build of a rendered dance's codes: routine ``seed``, ``frames(profile)`` frames long."""

    def build(pipeline, folder: Path, profile, inputs) -> None:
        dance = long_dance.dance_codes(
            inputs["vae"].get().model.encode,
            frames(profile),
            seed,
            STAGE_SEED,
            video_size=profile.video_size,
            image_size=profile.image_size,
            stride=profile.frame_stride,
            progress=pipeline.progress,
        )
        dance.save(folder)

    return build


for _name, _seed, _frames, _length in (
    ("dance", DANCE_SEED, lambda profile: profile.dance_frames, "dance_frames"),
    ("held-out-dance", HELD_OUT_SEED, lambda profile: profile.stage_frames, "stage_frames"),
):
    recipe(
        _name,
        load=long_dance.DanceCodes.load,
        fields=(_length, "frame_stride", "video_size", "image_size"),
        inputs=("vae",),
        settings=lambda pipeline, seed=_seed: {"seed": seed, "dancer": STAGE_SEED},
        modules=("long_dance", "stage", "framing"),
    )(_dance(_seed, _frames))


def long_dance_epochs(profile) -> int:
    """Epochs over the long dance: as many training steps as the profile's ``sequence_epochs`` over
    the stage video's codes would take. The same compute as a model of the video's own codes,
    spent on ten times the choreography (cpu: 6 epochs, gpu: 5)."""
    return max(1, round(profile.sequence_epochs * profile.stage_frames / profile.dance_frames))


def _sequence_inputs(pipeline) -> tuple[str, ...]:
    """A sequence model learns from the long dance on the stage, from the video's own codes otherwise."""
    return ("dance", "held-out-dance") if pipeline.video is None else ("latents",)


def _sequence(kind: str):
    """The build of chapter 7's sequence model ``kind``, or chapter 9's music model ``kind``."""

    def build(pipeline, folder: Path, profile, inputs) -> None:
        from . import sequence

        heard = inputs["music"].get().features if "music" in inputs else None
        epochs = None  # the profile's
        if "dance" in inputs:
            codes = (inputs[name].get().codes for name in ("dance", "held-out-dance"))
            latent_sequence = sequence.prepare_dances(*codes)
            epochs = long_dance_epochs(profile)
        else:
            latent_sequence = sequence.prepare(inputs["latents"].get(), music_features=heard)
        if kind == "original":
            train = sequence.train_original_model
        elif kind in MUSIC_KINDS:
            ours = {**sequence.ABLATION["memory"], **sequence.MUSIC_ABLATION[kind]}
            train = partial(sequence.train_sequence_model, **ours, hears_music=True)
        else:
            train = partial(sequence.train_sequence_model, **sequence.ABLATION[kind])
        model, history = train(
            latent_sequence, profile, epochs=epochs, seed=TRAINING_SEED, progress=pipeline.progress
        )
        score = float(sequence.held_out_nll(model, latent_sequence).mean())
        TrainedModel(model, {}, {"held_out_nll": score}).save(folder, history.history)

    return build


for _kind in SEQUENCE_KINDS:
    recipe(
        f"sequence-{_kind}",
        load=TrainedModel.load,
        fields=SEQUENCE_MODEL_FIELDS + ("stage_frames", "dance_frames"),
        inputs=_sequence_inputs,
        settings=lambda pipeline: {"seed": TRAINING_SEED},
        modules=("sequence",),
    )(_sequence(_kind))


@recipe(
    "judge",
    load=TrainedModel.load,
    fields=("image_size",),
    inputs=("silhouettes", "stage"),
    settings=lambda pipeline: {"seed": TRAINING_SEED},
    modules=("judges",),
)
def _judge(pipeline, folder: Path, profile, inputs) -> None:
    from . import judges

    framed = inputs["silhouettes"].get()
    labels = inputs["stage"].get().labels[framed.frame_indices]
    data = judges.judge_data(framed.images, labels, framed.frame_indices)
    model, history = judges.train_move_judge(data, seed=TRAINING_SEED, progress=pipeline.progress)
    true, judged = judges.held_out_moves(model, data)
    score = float((true == judged).mean())
    TrainedModel(model, {}, {"held_out_accuracy": score}).save(folder, history.history)


@recipe(
    "music",
    load=DanceMusic.load,
    fields=("frame_stride",),
    inputs=_with_stage("silhouettes"),
    settings=lambda pipeline: {"source": pipeline.source or "stage", "framed": pipeline.framed},
    modules=("music",),
)
def _music(pipeline, folder: Path, profile, inputs) -> None:
    from . import music

    recording = inputs["stage"].get() if "stage" in inputs else None
    source = recording.audio_path if recording is not None else pipeline.video
    samples = music.read_audio(source)  # a video without a soundtrack stops here
    framed = inputs["silhouettes"].get()
    fps = video.video_info(recording.video_path if recording is not None else pipeline.video).fps
    # the features of every frame read (one in frame_stride), then of those with a code
    beats, every = music.song_features(samples, fps / profile.frame_stride, len(framed.whole_indices))
    np.savez_compressed(
        folder / "music.npz",
        beats=beats.times,
        tempo=beats.tempo,
        features=every[pipeline.code_frames(framed) // profile.frame_stride],
        fps=fps / profile.frame_stride,
        source=str(source),
    )


for _kind in MUSIC_KINDS:
    recipe(
        f"sequence-{_kind}",
        load=TrainedModel.load,
        fields=SEQUENCE_MODEL_FIELDS,
        inputs=("latents", "music"),
        settings=lambda pipeline: {"seed": TRAINING_SEED},
        modules=("sequence",),
    )(_sequence(_kind))

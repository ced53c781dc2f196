"""Clips and recordings: a rendered routine in memory (:class:`StageClip`) or on disk
(:class:`StageRecording`), with its ground truth and the settings that made it, and the dancer's
true track (:func:`true_track`), what framing the dancer should find.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..video import write_video
from ._checks import _check_count
from .camera import Stage
from .moves import MOVES
from .phrases import COMBINATION_NAMES, SECTIONS
from .pose import POSE_FIELDS
from .routine import Routine, plan_routine
from .scenery import StageSettings
from .soundtrack import Soundtrack, compose, write_wav


@dataclass(frozen=True, eq=False)
class StageClip:
    """A rendered dance in memory: frames with their true masks, poses and move labels, the
    passers-by's pixels, the music it is danced to, and the phrase structure per frame."""

    frames: np.ndarray  # (N, H, W, 3) uint8 RGB
    masks: np.ndarray  # (N, H, W) bool, the dancer's visible pixels
    poses: np.ndarray  # (N, P) float32
    labels: np.ndarray  # (N,) int16, index into MOVES
    fps: float
    meta: dict
    others: np.ndarray  # (N, H, W) bool, the passers-by's visible pixels (all False without walkers)
    soundtrack: Soundtrack  # the music, on the routine's beat clock
    combinations: np.ndarray  # (N,) int16, index into COMBINATION_NAMES
    counts: np.ndarray  # (N,) int8, the count within the phrase of eight, 1..8
    sections: np.ndarray  # (N,) int8, index into SECTIONS


def _meta(stage: Stage, dance: Routine, n_frames: int) -> dict:
    return {
        "seed": stage.seed,
        "settings": asdict(stage.settings),
        "fps": dance.fps,
        "bpm": dance.bpm,
        "n_frames": n_frames,
        "moves": list(MOVES),
        "combinations": list(COMBINATION_NAMES),
        "sections": list(SECTIONS),
        "pose_fields": list(POSE_FIELDS),
        "segments": [list(segment) for segment in dance.segments],
        "body": asdict(stage.body),
        "outfit": asdict(stage.outfit),
        "contrast": stage.contrast,
        **_walkers_meta(stage, n_frames),
    }


def _walkers_meta(stage: Stage, n_frames: int) -> dict:
    """The passers-by, if any: each one's body and outfit, and the crossings seen in the clip."""
    if not stage.walkers:
        return {}
    walkers = [{"body": asdict(w.body), "outfit": asdict(w.outfit), "crossings": []} for w in stage.walkers]
    for c in stage.crossings(n_frames):
        walkers[c.walker]["crossings"].append(
            {
                "start": c.start,
                "end": c.end,
                "direction": c.direction,
                "height": c.height,
                "floor_y": c.floor_y,
            }
        )
    return {"walkers": walkers}


def _render(n_frames, seed, settings, fps, progress) -> tuple[StageClip, Routine]:
    n_frames = _check_count(n_frames)
    stage = Stage(settings, seed)
    dance = plan_routine(n_frames, fps=fps, seed=seed)
    frames, masks, others = stage.render_scene(dance.poses, progress=progress)
    meta = _meta(stage, dance, n_frames)
    duration = n_frames / dance.fps
    music = compose(dance.clock, duration, seed, dance.sections_by_beat(int(dance.clock(duration)) + 1))
    clip = StageClip(
        frames,
        masks,
        dance.poses,
        dance.labels,
        dance.fps,
        meta,
        others,
        music,
        dance.combinations,
        dance.counts,
        dance.sections,
    )
    return clip, dance


def render_clip(
    n_frames: int,
    seed: int = 0,
    settings: StageSettings = StageSettings(),
    fps: float = 30.0,
    progress: bool = True,
) -> StageClip:
    """``n_frames`` of a dancer dancing a random routine on a stage, all set by ``seed``."""
    return _render(n_frames, seed, settings, fps, progress)[0]


VIDEO_NAME, AUDIO_NAME, TRUTH_NAME, META_NAME = "stage.mp4", "stage.wav", "truth.npz", "meta.json"


@dataclass(frozen=True, eq=False)
class StageRecording:
    """A stage clip on disk: ``stage.mp4`` (with its music as the soundtrack), the music alone in
    ``stage.wav``, the ground truth in ``truth.npz`` (with the time of every beat and the phrase
    structure per frame), ``meta.json``."""

    directory: Path
    video_path: Path
    audio_path: Path
    masks: np.ndarray  # (N, H, W) bool, the dancer's visible pixels
    poses: np.ndarray  # (N, P) float32
    labels: np.ndarray  # (N,) int16
    phase: np.ndarray  # (N,) float32
    meta: dict
    others: np.ndarray  # (N, H, W) bool, the passers-by's visible pixels (all False without walkers)
    beats: np.ndarray  # (B,) float64, the time in seconds of every beat of the music
    combinations: np.ndarray  # (N,) int16, index into COMBINATION_NAMES
    counts: np.ndarray  # (N,) int8, the count within the phrase of eight, 1..8
    sections: np.ndarray  # (N,) int8, index into SECTIONS

    @classmethod
    def load(cls, directory) -> StageRecording:
        """The recording in ``directory``; a missing or unreadable file raises ValueError naming it.
        A recording made before passers-by existed has no ``others``: it loads as all False."""
        directory = Path(directory)
        video_path, audio_path = directory / VIDEO_NAME, directory / AUDIO_NAME
        for path, what in ((video_path, "video"), (audio_path, "music")):
            if not path.is_file():
                raise ValueError(f"stage recording is missing its {what}: {path}")
        meta_path, truth_path = directory / META_NAME, directory / TRUTH_NAME
        try:
            meta = json.loads(meta_path.read_text())
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot read {meta_path}: {error}") from None
        try:
            with np.load(truth_path) as truth:
                shape = tuple(int(v) for v in truth["mask_shape"])
                masks = _unpack(truth["masks"], shape)
                others = _unpack(truth["others"], shape) if "others" in truth.files else np.zeros(shape, bool)
                poses, labels, phase, beats = (truth[k] for k in ("poses", "labels", "phase", "beats"))
                if "combinations" not in truth.files:
                    raise ValueError("it predates phrases (no combinations); render the stage again")
                phrases = [truth[k] for k in ("combinations", "counts", "sections")]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"cannot read {truth_path}: {error}") from None
        if len({len(a) for a in (masks, poses, labels, phase, *phrases)}) != 1:
            raise ValueError(f"cannot read {truth_path}: its arrays disagree in length")
        return cls(
            directory, video_path, audio_path, masks, poses, labels, phase, meta, others, beats, *phrases
        )


def _unpack(bits: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Boolean masks of ``shape`` from their packed bits, as ``truth.npz`` stores them."""
    return np.unpackbits(bits, count=int(np.prod(shape))).reshape(shape).astype(bool)


def write_stage_video(
    directory,
    n_frames: int,
    seed: int = 0,
    settings: StageSettings = StageSettings(),
    fps: float = 30.0,
    progress: bool = True,
) -> StageRecording:
    """Render a stage clip into ``directory``: the video with its music, the music alone, the
    ground truth and what made it."""
    directory = Path(directory)
    clip, dance = _render(n_frames, seed, settings, fps, progress)
    directory.mkdir(parents=True, exist_ok=True)
    audio_path = write_wav(directory / AUDIO_NAME, clip.soundtrack)
    video_path = write_video(directory / VIDEO_NAME, clip.frames, fps=clip.fps, audio=audio_path)
    np.savez_compressed(
        directory / TRUTH_NAME,
        masks=np.packbits(clip.masks),
        others=np.packbits(clip.others),
        mask_shape=np.array(clip.masks.shape),
        poses=clip.poses,
        labels=clip.labels,
        phase=dance.phase,
        beats=clip.soundtrack.beats,
        combinations=clip.combinations,
        counts=clip.counts,
        sections=clip.sections,
    )
    (directory / META_NAME).write_text(json.dumps(clip.meta, indent=1))
    return StageRecording(
        directory,
        video_path,
        audio_path,
        clip.masks,
        clip.poses,
        clip.labels,
        dance.phase,
        clip.meta,
        clip.others,
        clip.soundtrack.beats,
        clip.combinations,
        clip.counts,
        clip.sections,
    )


def true_track(masks) -> np.ndarray:
    """The dancer's true track ``(N, 3)`` float32 from true masks ``(N, H, W)``: per frame the centre
    x, the centre y and the body height, as fractions of the frame's width and height, NaN where
    the mask is empty -- what :func:`dancenet.framing.track_dancer` should find.

    As there, coordinates are pixel edges (pixel ``j`` spans ``[j, j + 1)``), the centre's x is the
    mask's centroid and its y the middle of the bounding box, and the height is the box's.
    """
    masks = _check_masks(masks)
    n, height, width = masks.shape
    rows, columns = masks.any(axis=2), masks.sum(axis=1, dtype=np.int64)
    area = columns.sum(axis=1)
    seen = area > 0
    top = np.argmax(rows, axis=1)
    bottom = height - np.argmax(rows[:, ::-1], axis=1)  # one past the lowest row
    x = (columns @ np.arange(width, dtype=np.float64)) / np.maximum(area, 1) + 0.5
    track = np.column_stack([x / width, (top + bottom) / 2 / height, (bottom - top) / height])
    track[~seen] = np.nan
    return track.astype(np.float32)


def _check_masks(masks) -> np.ndarray:
    masks = np.asarray(masks)
    if masks.ndim != 3 or 0 in masks.shape:
        raise ValueError(f"masks must be a non-empty array of shape (N, H, W), got shape {masks.shape}")
    if masks.dtype != bool:
        if not (np.issubdtype(masks.dtype, np.number) and np.isin(masks, (0, 1)).all()):
            raise ValueError(f"masks must be boolean (or 0 and 1), got values of type {masks.dtype}")
        masks = masks.astype(bool)
    return masks

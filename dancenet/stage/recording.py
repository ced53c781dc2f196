"""Clips and recordings: a rendered routine in memory (:class:`StageClip`) or on disk
(:class:`StageRecording`), with its ground truth and the settings that made it.
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
from .pose import POSE_FIELDS
from .routine import Routine, plan_routine
from .scenery import StageSettings


@dataclass(frozen=True, eq=False)
class StageClip:
    """A rendered dance in memory: frames with their true masks, poses and move labels."""

    frames: np.ndarray  # (N, H, W, 3) uint8 RGB
    masks: np.ndarray  # (N, H, W) bool
    poses: np.ndarray  # (N, P) float32
    labels: np.ndarray  # (N,) int16, index into MOVES
    fps: float
    meta: dict


def _meta(stage: Stage, dance: Routine, n_frames: int) -> dict:
    return {
        "seed": stage.seed,
        "settings": asdict(stage.settings),
        "fps": dance.fps,
        "bpm": dance.bpm,
        "n_frames": n_frames,
        "moves": list(MOVES),
        "pose_fields": list(POSE_FIELDS),
        "segments": [list(segment) for segment in dance.segments],
        "body": asdict(stage.body),
        "outfit": asdict(stage.outfit),
        "contrast": stage.contrast,
    }


def _render(n_frames, seed, settings, fps, progress) -> tuple[StageClip, Routine]:
    n_frames = _check_count(n_frames)
    stage = Stage(settings, seed)
    dance = plan_routine(n_frames, fps=fps, seed=seed)
    frames, masks = stage.render_sequence(dance.poses, progress=progress)
    clip = StageClip(frames, masks, dance.poses, dance.labels, dance.fps, _meta(stage, dance, n_frames))
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


VIDEO_NAME, TRUTH_NAME, META_NAME = "stage.mp4", "truth.npz", "meta.json"


@dataclass(frozen=True, eq=False)
class StageRecording:
    """A stage clip on disk: ``stage.mp4``, the ground truth in ``truth.npz``, ``meta.json``."""

    directory: Path
    video_path: Path
    masks: np.ndarray  # (N, H, W) bool
    poses: np.ndarray  # (N, P) float32
    labels: np.ndarray  # (N,) int16
    phase: np.ndarray  # (N,) float32
    meta: dict

    @classmethod
    def load(cls, directory) -> StageRecording:
        """The recording in ``directory``; a missing or unreadable file raises ValueError naming it."""
        directory = Path(directory)
        video_path = directory / VIDEO_NAME
        if not video_path.is_file():
            raise ValueError(f"stage recording is missing its video: {video_path}")
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
                masks = np.unpackbits(truth["masks"], count=int(np.prod(shape))).reshape(shape).astype(bool)
                poses, labels, phase = truth["poses"], truth["labels"], truth["phase"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"cannot read {truth_path}: {error}") from None
        if not len(masks) == len(poses) == len(labels) == len(phase):
            raise ValueError(f"cannot read {truth_path}: its arrays disagree in length")
        return cls(directory, video_path, masks, poses, labels, phase, meta)


def write_stage_video(
    directory,
    n_frames: int,
    seed: int = 0,
    settings: StageSettings = StageSettings(),
    fps: float = 30.0,
    progress: bool = True,
) -> StageRecording:
    """Render a stage clip into ``directory``: the video, its ground truth and what made it."""
    directory = Path(directory)
    clip, dance = _render(n_frames, seed, settings, fps, progress)
    directory.mkdir(parents=True, exist_ok=True)
    video_path = write_video(directory / VIDEO_NAME, clip.frames, fps=clip.fps)
    np.savez_compressed(
        directory / TRUTH_NAME,
        masks=np.packbits(clip.masks),
        mask_shape=np.array(clip.masks.shape),
        poses=clip.poses,
        labels=clip.labels,
        phase=dance.phase,
    )
    (directory / META_NAME).write_text(json.dumps(clip.meta, indent=1))
    return StageRecording(directory, video_path, clip.masks, clip.poses, clip.labels, dance.phase, clip.meta)

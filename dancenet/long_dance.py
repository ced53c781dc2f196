"""The long dance: far more choreography than the VAE needs, as latent codes for the sequence models.

A VAE learns what one pose looks like, and a few thousand frames teach it that. A sequence model
learns which pose follows which, across combinations, phrases and songs, and needs many times more.
The stage can dance as long as we like, so the sequence models learn from a long routine of their
own (:func:`dance_codes`), and are judged on another routine with another seed that none of them
has seen: a held-out dance, not the tail of the training video. The dancer is the same in all
three (its body is the stage video's), so the VAE encodes poses it has learned to draw.

Neither is filmed: the dancer's true masks are rendered a chunk at a time, framed on the dancer's
true track as chapter 2 frames extracted silhouettes, and encoded by the trained VAE, so a long
dance costs memory for its packed masks only (about 3 KB a frame), never for its video.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from . import framing, stage
from .checks import check_positive_int

#: frames rendered at once: about 25 MB of masks at the original's frame size
CHUNK = 1000
#: the truth kept for each code, beside the codes themselves
_TRUTH = ("labels", "combinations", "counts", "sections")


@dataclass(frozen=True, eq=False)
class DanceCodes:
    """A stage routine as the sequence models see it: one ``z_mean`` code per kept frame, with the
    routine's truth at that frame and the time of every beat of its music."""

    codes: np.ndarray  # (N, D) float32
    labels: np.ndarray  # (N,) int16, the move (index into stage.MOVES)
    combinations: np.ndarray  # (N,) int16, index into stage.COMBINATION_NAMES
    counts: np.ndarray  # (N,) int8, the count within the phrase of eight, 1..8
    sections: np.ndarray  # (N,) int8, index into stage.SECTIONS
    beats: np.ndarray  # (B,) float64, seconds
    fps: float  # codes per second
    bpm: float
    seed: int

    def save(self, folder: Path) -> None:
        np.savez_compressed(
            Path(folder) / "dance.npz", **{f.name: getattr(self, f.name) for f in fields(self)}
        )

    @classmethod
    def load(cls, folder: Path) -> DanceCodes:
        with np.load(Path(folder) / "dance.npz") as saved:
            values = {f.name: saved[f.name] for f in fields(cls)}
        for name in ("fps", "bpm"):
            values[name] = float(values[name])
        values["seed"] = int(values["seed"])
        return cls(**values)

    @property
    def seconds(self) -> float:
        return len(self.codes) / self.fps


def framed_masks(
    n_frames: int,
    seed: int,
    dancer_seed: int,
    video_size=(120, 208),
    image_size=(64, 64),
    stride: int = 1,
    settings: framing.FramingSettings | None = None,
    fps: float = 30.0,
    progress: bool = True,
):
    """The true masks of routine ``seed`` danced by the dancer of stage ``dancer_seed`` (its body),
    framed to ``image_size``, every ``stride``-th of ``n_frames``, chunk by chunk: ``(routine, kept
    frame indices, batches)``, where ``batches`` yields float32 images ``(n, h, w, 1)`` in [0, 1] in
    order, :data:`CHUNK` frames' worth at a time."""
    n_frames = check_positive_int(n_frames, "n_frames")
    settings = framing.FramingSettings() if settings is None else settings
    stride = check_positive_int(stride, "stride")
    routine = stage.plan_routine(n_frames, fps=fps, seed=seed)
    camera = stage.Stage(stage.StageSettings(height=video_size[0], width=video_size[1]), dancer_seed)
    kept = np.arange(0, n_frames, stride)
    packed, tracks = [], []
    for first in tqdm(range(0, len(kept), CHUNK), desc="rendering the long dance", disable=not progress):
        frames = kept[first : first + CHUNK]
        _, masks, _ = camera.render_scene(routine.poses[frames], start=int(frames[0]))
        tracks.append(stage.true_track(masks))
        packed.append(np.packbits(masks, axis=-1))
    track = framing.smooth_track(np.concatenate(tracks), settings)
    width = video_size[1]

    def batches():
        done = 0
        for bits in packed:
            masks = np.unpackbits(bits, axis=-1, count=width).astype(bool)
            yield framing.dancer_crops(masks, track[done : done + len(masks)], image_size, settings.margin)
            done += len(masks)

    return routine, kept, batches()


def dance_codes(
    encode,
    n_frames: int,
    seed: int,
    dancer_seed: int,
    video_size=(120, 208),
    image_size=(64, 64),
    stride: int = 1,
    fps: float = 30.0,
    progress: bool = True,
) -> DanceCodes:
    """The codes of a fresh routine ``seed`` of ``n_frames`` frames (every ``stride``-th kept), danced
    by the dancer the VAE learned (stage ``dancer_seed``): ``encode`` (a VAE's ``encode``, images →
    ``z_mean``) applied to its framed true masks."""
    routine, kept, batches = framed_masks(
        n_frames, seed, dancer_seed, video_size, image_size, stride, fps=fps, progress=progress
    )
    codes = np.concatenate([np.asarray(encode(images), np.float32) for images in batches])
    truth = {name: getattr(routine, name)[kept] for name in _TRUTH}
    beats = routine.clock.beat_times(n_frames / fps)
    return DanceCodes(codes, **truth, beats=beats, fps=fps / stride, bpm=routine.bpm, seed=seed)

"""The stage's music: a drum groove and a small melody played on the routine's own beat clock.

A dance is danced to something. The stage's dancer follows a beat clock with human timing (tempo
wobble, swing), and the soundtrack is played on that same clock, so the time of every beat is known
exactly — ground truth that beat tracking (chapter 9) can be checked against, as real recordings
never allow. Kick and snare on every beat, the snare louder on the second and fourth of each bar,
a soft hi-hat on the off-beats, and an arpeggio over a four-bar chord progression chosen by the
seed. A crash cymbal opens every phrase of eight counts, so a listener hears where the dancer's
combinations start; the chorus plays its melody an octave higher, and the bridge holds its chords.
Deterministic for a seed, and fast: each drum is one short waveform, added in at each hit.

Every beat carries a broadband hit (the snare): with the snare only on the backbeat, librosa's
tracker halved fast tempi; with nothing broadband on the beat, it locked onto the hi-hat's
off-beats.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..video import atomic_path
from ._checks import _TAG_MUSIC, _check_seed
from .phrases import BAR, COUNTS, SECTIONS
from .pose import TAU
from .routine import BeatClock

#: samples per second of the stage's music (enough for drums and a melody; what librosa uses)
SAMPLE_RATE = 22050
#: A minor pentatonic over two octaves (Hz): every chord and melody note is drawn from it
_SCALE = 110.0 * 2 ** (np.array([0, 3, 5, 7, 10, 12, 15, 17, 19, 22, 24]) / 12)


@dataclass(frozen=True, eq=False)
class Soundtrack:
    """Music in memory: mono samples in [-1, 1] and the exact time of every beat."""

    samples: np.ndarray  # (S,) float32
    sample_rate: int
    beats: np.ndarray  # (B,) float64, seconds

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def _decay(seconds: float, time_constant: float) -> np.ndarray:
    return np.exp(-np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE / time_constant)


def _kick() -> np.ndarray:
    """A pitch drop from 150 to 50 Hz under a fast decay: the thump on every beat."""
    t = np.arange(round(0.3 * SAMPLE_RATE)) / SAMPLE_RATE
    frequency = 50 + 100 * np.exp(-t / 0.03)
    return np.sin(TAU * np.cumsum(frequency) / SAMPLE_RATE) * _decay(0.3, 0.12)


def _snare(rng) -> np.ndarray:
    noise = rng.uniform(-1, 1, round(0.2 * SAMPLE_RATE))
    tone = np.sin(TAU * 190 * np.arange(len(noise)) / SAMPLE_RATE)
    return 0.7 * noise * _decay(0.2, 0.05) + 0.3 * tone * _decay(0.2, 0.04)


def _hihat(rng) -> np.ndarray:
    noise = np.diff(rng.uniform(-1, 1, round(0.06 * SAMPLE_RATE) + 1))  # differencing keeps the highs
    return noise * _decay(0.06, 0.012)


def _crash(rng) -> np.ndarray:
    """Bright noise with a long tail: the cymbal that opens each phrase of eight."""
    noise = np.diff(rng.uniform(-1, 1, round(1.2 * SAMPLE_RATE) + 1))
    return noise * _decay(1.2, 0.35)


def _note(frequency: float, seconds: float, time_constant: float = 0.2) -> np.ndarray:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    tone = np.sin(TAU * frequency * t) + 0.3 * np.sin(2 * TAU * frequency * t)
    attack = np.minimum(t / 0.01, 1.0)  # 10 ms, so a note starts without a click
    return tone * attack * np.exp(-t / time_constant)


def _add(track: np.ndarray, sound: np.ndarray, at: float, gain: float) -> None:
    start = round(at * SAMPLE_RATE)
    piece = sound[: max(len(track) - start, 0)]
    track[start : start + len(piece)] += gain * piece


def compose(clock: BeatClock, duration: float, seed: int = 0, sections=None) -> Soundtrack:
    """``duration`` seconds of music on ``clock``'s beats, the chords and drum sounds set by ``seed``.

    ``sections`` gives the song's section (an index into SECTIONS) for each beat 0, 1, 2, …, as
    :meth:`.routine.Routine.sections_by_beat` does; without it the whole song is a verse.
    """
    seed = _check_seed(seed)
    if not duration > 0:
        raise ValueError(f"duration must be positive, got {duration!r}")
    rng = np.random.default_rng([_TAG_MUSIC, seed])
    roots = rng.choice(5, size=BAR, replace=True)  # a four-bar progression, one chord a bar
    kick, snare, hihat, crash = _kick(), _snare(rng), _hihat(rng), _crash(rng)
    beats = clock.beat_times(duration)
    offbeats = clock.times_of(np.arange(len(beats)) + 0.5, duration + 1.0)
    section_of = _sections(sections, len(beats))
    track = np.zeros(round(duration * SAMPLE_RATE))
    for k, (at, offbeat) in enumerate(zip(beats, offbeats)):
        _add(track, kick, at, 0.9)
        _add(track, snare, at, 0.3 if k % BAR in (1, 3) else 0.15)
        _add(track, hihat, offbeat, 0.05)
        if k % COUNTS == 0:
            _add(track, crash, at, 0.12)
        chord = roots[(k // BAR) % BAR]
        section = SECTIONS[section_of[k]]
        if section == "bridge":
            if k % BAR == 0:
                bar = 60.0 / clock.bpm * BAR
                _add(track, _note(_SCALE[chord], bar, time_constant=bar), at, 0.2)
        else:
            octave = 2.0 if section == "chorus" else 1.0
            _add(track, _note(octave * _SCALE[chord + 2 * (k % 3)], offbeat - at + 0.25), at, 0.25)
    track *= 0.8 / max(np.abs(track).max(), 1e-9)
    return Soundtrack(track.astype(np.float32), SAMPLE_RATE, beats)


def _sections(sections, n_beats: int) -> np.ndarray:
    """The section of each of ``n_beats`` beats, checked; all verse when not given."""
    if sections is None:
        return np.zeros(n_beats, np.int64)
    sections = np.asarray(sections)
    if sections.ndim != 1 or len(sections) < n_beats:
        raise ValueError(f"sections must give one section per beat ({n_beats}), got shape {sections.shape}")
    if not np.isin(sections, range(len(SECTIONS))).all():
        raise ValueError(f"sections must be indices into {SECTIONS}")
    return sections.astype(np.int64)


def write_wav(path, soundtrack: Soundtrack) -> Path:
    """The soundtrack as a 16-bit mono WAV file; it appears only once complete."""
    path = Path(path)
    pcm = np.round(np.clip(soundtrack.samples, -1, 1) * 32767).astype("<i2")
    with atomic_path(path) as partial, wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(soundtrack.sample_rate)
        out.writeframes(pcm.tobytes())
    return path

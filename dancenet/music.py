"""Music as a signal: reading audio, its onset envelope, tempo and beats, and per-frame beat features.

A dance is danced to something, and to condition a dance on music (chapter 9) the music must be
turned into numbers at the video's frame rate. The steps, each a function here:

- :func:`read_audio`: any sound file (WAV, FLAC, OGG, MP3, or the soundtrack of a video) as mono
  samples at :data:`SAMPLE_RATE`, with a clear error for a file that is missing, unreadable,
  silent or too short;
- :func:`onset_envelope`: how sharply the sound's spectrum rises at each moment — peaks where
  a drum is hit or a note starts (librosa's spectral flux on a mel spectrogram);
- :func:`track_beats`: the beat times, by librosa's dynamic-programming tracker (Ellis 2007), and
  the tempo, from a straight line fitted through them — at a tempo given, or found among
  :data:`TEMPO_RANGE` and checked for being twice or half the music's own;
- :func:`beat_features`: per video frame, where it falls in its beat (as sine and cosine, so the
  end of one beat is close to the start of the next) and the onset strength there;
  :func:`song_features` goes from samples to beats and features in one call.

The stage's music (:mod:`dancenet.stage.soundtrack`) has exactly known beats, against which
:func:`beat_f_measure` scores a tracker, as music-information-retrieval benchmarks do.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: samples per second everything here works at (librosa's default; the stage's music is made at it)
SAMPLE_RATE = 22050
#: samples between two frames of the onset envelope: 256 at 22,050 Hz is 11.6 ms
HOP = 256
#: the shortest music that can be tracked: a few beats at a slow tempo
MIN_SECONDS = 4.0
#: peak level below which a recording counts as silent (about −60 dB of full scale)
SILENCE = 1e-3
#: the tolerance within which a tracked beat counts as a hit (the usual ±70 ms of beat-tracking
#: evaluations)
HIT_WINDOW = 0.07
#: the tempi (beats per minute) a tracker looks among when it is not told the tempo: those of
#: ``dancenet song``, every one equally likely
TEMPO_RANGE = (40.0, 240.0)
#: the onsets of an off-beat reach at most about 45 % of a beat's in the stage's music, those of a
#: beat at least about 70 % of its neighbour's (a backbeat): a place between the two is a beat of
#: its own above this share of a beat's strength, and an off-beat below it
OFFBEAT_SHARE = 0.6


class AudioError(ValueError):
    """A sound file that exists but cannot be used (unreadable, silent, too short, or without a beat)."""


@dataclass(frozen=True)
class Beats:
    """The beats of a piece of music: their times in seconds and the tempo they keep."""

    times: np.ndarray  # (B,) float64, seconds
    tempo: float  # beats per minute

    @property
    def period(self) -> float:
        return 60.0 / self.tempo


def read_audio(path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The sound of ``path`` as mono float32 samples at ``sample_rate``.

    Sound files are read by librosa (through soundfile); anything else — a video's soundtrack, an
    MP4 or M4A — is first decoded by the FFmpeg that imageio-ffmpeg ships. Raises
    ``FileNotFoundError`` for a missing file and :class:`AudioError` for one that holds no
    readable sound, is silent, is shorter than :data:`MIN_SECONDS` or holds NaN.
    """
    import librosa
    import soundfile

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"audio file not found: {path}")
    if not path.is_file():
        raise AudioError(f"not a file: {path}")
    try:
        soundfile.info(str(path))
    except Exception:  # not a format soundfile reads: FFmpeg decodes videos, AAC, and the rest
        samples = _decode_with_ffmpeg(path, sample_rate)
    else:
        try:
            samples, _ = librosa.load(path, sr=sample_rate, mono=True)
        except Exception as error:
            raise AudioError(f"could not read sound from {path}: {error}") from None
    return _checked(samples, sample_rate, path)


def _decode_with_ffmpeg(path: Path, sample_rate: int) -> np.ndarray:
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "sound.wav"
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(path),
            "-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "wav", str(wav),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True)
        if result.returncode != 0 or not wav.is_file():
            message = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no sound stream"]
            raise AudioError(f"could not read sound from {path}: {message[0]}")
        import soundfile

        samples, _ = soundfile.read(wav, dtype="float32")
    return samples


def _checked(samples, sample_rate: int, source) -> np.ndarray:
    samples = np.asarray(samples, np.float32)
    if samples.ndim != 1:
        raise AudioError(f"{source}: expected mono samples, got shape {samples.shape}")
    if not np.isfinite(samples).all():
        raise AudioError(f"{source}: the sound holds NaN or infinite samples")
    if len(samples) < MIN_SECONDS * sample_rate:
        raise AudioError(
            f"{source} lasts {len(samples) / sample_rate:.1f} s; music must last at least "
            f"{MIN_SECONDS:g} s to find its beat"
        )
    if np.abs(samples).max() < SILENCE:
        raise AudioError(f"{source} is silent: no sound above {20 * np.log10(SILENCE):.0f} dB of full scale")
    return samples


def onset_envelope(samples, sample_rate: int = SAMPLE_RATE) -> tuple[np.ndarray, np.ndarray]:
    """``(times, strength)``: the onset strength every :data:`HOP` samples, scaled to peak at 1.

    The strength is librosa's spectral flux: how much louder each mel band has become since a
    moment before, summed over the bands that grew. A drum hit or a new note is a sharp peak.
    """
    import librosa

    samples = _checked(samples, sample_rate, "the music")
    strength = librosa.onset.onset_strength(y=samples, sr=sample_rate, hop_length=HOP)
    times = librosa.times_like(strength, sr=sample_rate, hop_length=HOP)
    return times, (strength / max(float(strength.max()), 1e-9)).astype(np.float32)


def track_beats(samples, sample_rate: int = SAMPLE_RATE, tempo: float | None = None) -> Beats:
    """The beats of ``samples``: librosa's beat tracker on the onset envelope, and the tempo.

    Give ``tempo`` (beats per minute) when it is known — a song made at that tempo — and the tracker
    only places the beats. Without it, the tempo is found among :data:`TEMPO_RANGE`, every tempo
    there equally likely: librosa's default belief, centred on 120 bpm, pulls a slow song to twice
    its tempo. A tracker can still land an octave off (every off-beat taken for a beat, or every
    other beat missed), so :func:`_metrical_level` checks where the strong onsets fall and tracks
    again at half or twice the tempo where they say so.

    The tracker's own tempo estimate comes in steps (one onset frame more or less per beat is
    several per cent at 120 bpm), so the tempo returned is taken from the beats it found instead:
    the slope of a straight line through beat time against beat number, which averages those steps
    away.
    """
    import librosa
    import scipy.stats

    low, high = TEMPO_RANGE
    if tempo is not None and not low <= tempo <= high:
        raise ValueError(f"tempo must lie in {low:g}–{high:g} bpm, got {tempo!r}")
    times, strength = onset_envelope(samples, sample_rate)

    def track(**how) -> tuple[float, np.ndarray]:
        bpm, frames = librosa.beat.beat_track(onset_envelope=strength, sr=sample_rate, hop_length=HOP, **how)
        return float(np.atleast_1d(bpm)[0]), np.asarray(frames, int)

    if tempo is not None:
        _, frames = track(bpm=float(tempo))
    else:
        estimate, frames = track(prior=scipy.stats.uniform(low, high - low))
        factor = _metrical_level(strength, frames)
        if factor != 1:  # kept within the range: 79.5 bpm found for a song at 40 is tracked at 40
            _, frames = track(bpm=float(np.clip(factor * estimate, low, high)))
    beats = times[frames] if len(frames) else np.zeros(0)
    if len(beats) < 4:
        raise AudioError("no steady beat found in the music: it needs at least four beats a tracker can hear")
    slope = np.polyfit(np.arange(len(beats)), beats, 1)[0]
    return Beats(np.asarray(beats, np.float64), float(60.0 / slope))


def _metrical_level(strength: np.ndarray, frames: np.ndarray) -> float:
    """Whether beats tracked at ``frames`` of the onset envelope keep the music's own tempo (1),
    twice it (0.5: every other tracked beat is much weaker — an off-beat), or half of it (2: half-way
    between two tracked beats the onsets are nearly as strong — a beat was skipped).

    Weaker and nearly as strong are measured against :data:`OFFBEAT_SHARE`, by the median of the
    strongest onset within two frames (±23 ms) of each place."""
    if len(frames) < 8:
        return 1.0

    def peak(at) -> float:
        return float(np.median([strength[max(f - 2, 0) : f + 3].max() for f in at]))

    even, odd = peak(frames[::2]), peak(frames[1::2])
    if min(even, odd) < OFFBEAT_SHARE * max(even, odd):
        return 0.5
    if peak((frames[:-1] + frames[1:]) // 2) >= OFFBEAT_SHARE * peak(frames):
        return 2.0
    return 1.0


def beat_f_measure(reference, estimated, window: float = HIT_WINDOW) -> float:
    """F-measure of ``estimated`` beat times against ``reference`` ones: each reference beat may be
    matched by one estimated beat within ``window`` seconds; precision and recall are the matched
    shares of each, and F their harmonic mean (1 is every beat found and nothing else)."""
    reference, estimated = np.sort(np.asarray(reference, float)), np.sort(np.asarray(estimated, float))
    if len(reference) == 0 or len(estimated) == 0:
        return 0.0
    used, hits = np.zeros(len(estimated), bool), 0
    for beat in reference:  # greedy nearest match; beats are far apart compared with the window
        distance = np.where(used, np.inf, np.abs(estimated - beat))
        nearest = int(np.argmin(distance))
        if distance[nearest] <= window:
            used[nearest], hits = True, hits + 1
    if hits == 0:
        return 0.0
    precision, recall = hits / len(estimated), hits / len(reference)
    return float(2 * precision * recall / (precision + recall))


#: the per-frame music features, in order
FEATURES = (
    "beat phase (sin)",
    "beat phase (cos)",
    "half-beat phase (sin)",
    "half-beat phase (cos)",
    "onset strength",
)


def beat_phase(beat_times, frame_times) -> np.ndarray:
    """Where each of ``frame_times`` falls in its beat, in [0, 1): 0 on a beat, 0.5 half-way.

    Before the first beat and after the last, the beat period of the nearest two beats goes on."""
    beat_times = np.asarray(beat_times, float)
    if len(beat_times) < 2:
        raise ValueError("beat phase needs at least two beat times")
    frame_times = np.asarray(frame_times, float)
    index = np.clip(np.searchsorted(beat_times, frame_times, side="right") - 1, 0, len(beat_times) - 2)
    start, end = beat_times[index], beat_times[index + 1]
    return ((frame_times - start) / (end - start)) % 1.0


def beat_features(
    beats: Beats, onsets: tuple[np.ndarray, np.ndarray], n_frames: int, fps: float
) -> np.ndarray:
    """The music at each of ``n_frames`` video frames at ``fps``: ``(n_frames, 5)`` float32 (see
    :data:`FEATURES`) — the beat phase as sine and cosine, the same at twice the rate (a dancer
    arrives on the beat and often half-way to the next too), and the onset strength (its peak
    over the frame)."""
    if n_frames < 1 or not fps > 0:
        raise ValueError(f"need a positive frame count and frame rate, got {n_frames} frames at {fps} fps")
    frame_times = np.arange(n_frames) / fps
    phase = beat_phase(beats.times, frame_times)
    times, strength = onsets
    # the strongest onset within each frame, so a drum hit between two frames is not lost
    edges = np.searchsorted(times, np.append(frame_times, n_frames / fps))
    peak = np.array([strength[a:b].max() if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:])])
    angle = 2 * np.pi * phase
    return np.column_stack([np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle), peak]).astype(
        np.float32
    )


def song_features(
    samples,
    fps: float,
    n_frames: int | None = None,
    sample_rate: int = SAMPLE_RATE,
    tempo: float | None = None,
) -> tuple[Beats, np.ndarray]:
    """A song's tracked beats, and its music features (:func:`beat_features`) for ``n_frames`` frames
    of a dance at ``fps`` — by default as many as the song lasts. Give ``tempo`` (bpm) where it is
    known: :func:`track_beats` then only places the beats."""
    beats, onsets = track_beats(samples, sample_rate, tempo), onset_envelope(samples, sample_rate)
    n_frames = int(len(samples) / sample_rate * fps) if n_frames is None else n_frames
    return beats, beat_features(beats, onsets, n_frames, fps)

"""The stage's music: beats where the routine's clock says, a groove a listener (or a tracker) can
hear them in, the same music for the same seed, and a WAV file beside the video and inside it."""

import subprocess
import wave

import imageio_ffmpeg
import numpy as np
import pytest

from dancenet import stage
from dancenet.stage import SAMPLE_RATE, BeatClock, compose, plan_routine, write_wav


@pytest.fixture(scope="module")
def routine():
    return plan_routine(900, seed=8)


@pytest.fixture(scope="module")
def music(routine):
    return compose(routine.clock, 30.0, seed=8)


def test_beats_fall_where_the_clock_reads_whole_beats(routine, music):
    assert music.duration == pytest.approx(30.0) and music.sample_rate == SAMPLE_RATE
    np.testing.assert_allclose(routine.clock(music.beats), np.arange(len(music.beats)), atol=1e-6)
    assert music.beats[0] == pytest.approx(0.0, abs=1e-9) and music.beats[-1] < 30.0
    assert routine.clock(30.0) < len(music.beats)  # no beat left out at the end
    gaps = np.diff(music.beats)
    assert gaps.mean() == pytest.approx(60 / routine.bpm, rel=0.02)
    assert gaps.std() > 0  # human timing: the tempo wobbles


def test_the_dancer_changes_move_on_the_music_s_beats(routine, music):
    frames = np.array([start for start, *_ in routine.segments[1:]])
    beat_frames = np.round(music.beats * routine.fps)
    assert np.abs(frames[:, None] - beat_frames[None]).min(axis=1).max() <= 1


def test_each_beat_is_heard(music):
    """Loudness (RMS over 10 ms) rises sharply within 20 ms after every beat, and not in between."""
    hop = SAMPLE_RATE // 100
    rms = np.sqrt(np.mean(music.samples[: len(music.samples) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    onset = np.maximum(np.diff(rms), 0)
    window = (music.beats * SAMPLE_RATE / hop).astype(int)
    at_beats = [onset[w - 1 : w + 2].max() for w in window[1:-1]]
    between = [onset[w + 8 : next_w - 2].max() for w, next_w in zip(window[1:-2], window[2:-1])]
    assert min(at_beats) > 2 * np.median(between)


def test_the_same_seed_gives_the_same_music_and_another_seed_other_chords():
    clock = BeatClock(120.0, 0.0, 8.0, 0.0, 0.0)
    first = compose(clock, 8.0, seed=1)
    np.testing.assert_array_equal(first.samples, compose(clock, 8.0, seed=1).samples)
    assert not np.allclose(first.samples, compose(clock, 8.0, seed=2).samples)
    np.testing.assert_allclose(first.beats, np.arange(16) * 0.5, atol=1e-9)  # a steady clock
    assert np.abs(first.samples).max() == pytest.approx(0.8, abs=1e-6)


def test_bad_arguments_are_named():
    clock = BeatClock(120.0, 0.0, 8.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="duration"):
        compose(clock, 0.0)
    with pytest.raises(ValueError, match="seed"):
        compose(clock, 1.0, seed=-1)


def test_wav_round_trip(tmp_path, music):
    path = write_wav(tmp_path / "music.wav", music)
    with wave.open(str(path)) as sound:
        assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 2, SAMPLE_RATE)
        pcm = np.frombuffer(sound.readframes(sound.getnframes()), "<i2")
    np.testing.assert_allclose(pcm / 32767, music.samples, atol=1 / 32767)
    assert [p.name for p in tmp_path.iterdir()] == ["music.wav"]


def test_the_stage_video_carries_its_music(tmp_path):
    recording = stage.write_stage_video(
        tmp_path / "rec", 60, seed=3, settings=stage.StageSettings(height=64, width=112), progress=False
    )
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(recording.video_path)],
        capture_output=True,
    )
    streams = probe.stderr.decode()
    assert "Video: h264" in streams and "Audio: aac" in streams
    with wave.open(str(recording.audio_path)) as sound:
        assert sound.getnframes() == round(2.0 * SAMPLE_RATE)


def test_sections_change_the_music_and_a_crash_opens_each_phrase():
    """A chorus sounds different from a verse on the same beats; a bad section list is refused."""
    clock = BeatClock(120.0, 0.0, 8.0, 0.0, 0.0)
    verse = compose(clock, 8.0, seed=1)
    chorus = compose(clock, 8.0, seed=1, sections=np.full(16, stage.SECTIONS.index("chorus")))
    assert not np.allclose(verse.samples, chorus.samples)
    hop = SAMPLE_RATE // 100
    high = np.abs(np.diff(verse.samples))[: 16 * SAMPLE_RATE // 2]
    energy = high[: len(high) // hop * hop].reshape(-1, hop).mean(axis=1)
    beat_windows = (verse.beats[:16] * 100).astype(int)
    phrase_starts = energy[beat_windows[::8] + 5]  # 50 ms after beats 1 and 9: the crash rings
    others = energy[np.delete(beat_windows, [0, 8]) + 5]
    assert phrase_starts.min() > 1.3 * np.median(others)
    with pytest.raises(ValueError, match="sections"):
        compose(clock, 8.0, sections=np.zeros(3, int))
    with pytest.raises(ValueError, match="sections"):
        compose(clock, 8.0, sections=np.full(16, 7))

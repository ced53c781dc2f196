"""The command line, end to end on a tiny stage video in the ci profile, and its bad-input paths."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dancenet import cli, video
from dancenet.choreography import DEFAULT_TEMPERATURE

ROOT = Path(__file__).resolve().parents[1]
#: a line of TensorFlow's C++ log, as dancenet.devices recognises one
TENSORFLOW_LOG = re.compile(
    r"^([IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ |\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] )\S+:\d+\]",
    re.MULTILINE,
)


def run(*args):
    return subprocess.run([sys.executable, "-m", "dancenet", *args], capture_output=True, text=True)


def test_help_explains_each_step():
    result = run("dance", "--help")
    assert result.returncode == 0
    for step in ("1.", "2.", "3.", "4.", "5.", "--temperature", "--profile"):
        assert step in result.stdout
    assert "3 the dance came out empty (nothing\nwritten)" in result.stdout


def _framed_stage_silhouettes(stage_clip):
    from dancenet import framing

    return framing.frame_dancer(stage_clip.masks[:120], (48, 80)).images


def test_the_dance_check_passes_real_silhouettes(stage_clip):
    from dancenet import background

    framed = _framed_stage_silhouettes(stage_clip)
    assert cli.figure_frames(framed).all()
    cli.check_dance(framed, "ci")  # healthy frames pass, whatever the profile
    whole = background.silhouette_images(stage_clip.masks[:120], (48, 80))  # the dancer unframed
    assert cli.figure_frames(whole).mean() > 0.9
    cli.check_dance(whole)
    cli.check_dance((framed[..., 0] * 255).astype(np.uint8))  # frames as written


def test_the_dance_check_stops_a_mostly_empty_dance(stage_clip):
    framed = _framed_stage_silhouettes(stage_clip)[:40].copy()
    framed[:25] *= 0.4  # gray ghosts below one half: no figure
    assert cli.figure_frames(framed).sum() == 15
    with pytest.raises(
        cli.EmptyDanceError, match=r"15 of its 40 frames show a figure .* --profile cpu \(this"
    ):
        cli.check_dance(framed, "ci")
    with pytest.raises(cli.EmptyDanceError, match="closer or larger"):
        cli.check_dance(np.zeros((10, 48, 80, 1), np.float32), "cpu")
    cli.check_dance(framed[10:])  # 15 of 30 frames is half: enough
    with pytest.raises(ValueError, match="N ≥ 1"):
        cli.figure_frames(np.zeros((0, 48, 80)))


@pytest.fixture(scope="module")
def tiny_stage(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stage")
    assert cli.main(["stage", "--out", str(folder), "--frames", "300", "--seed", "3"]) == 0
    return folder / "stage.mp4"


def test_stage_films_a_small_dancer_among_passers_by(tmp_path):
    folder = tmp_path / "hard"
    assert (
        cli.main(
            ["stage", "--out", str(folder), "--frames", "60", "--dancer-height", "0.2", "--walkers", "2"]
        )
        == 0
    )
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["settings"]["dancer_height"] == 0.2 and meta["settings"]["walkers"] == 2


def test_stage_bad_settings_are_a_clear_error(tmp_path, capsys):
    assert cli.main(["stage", "--out", str(tmp_path / "x"), "--frames", "10", "--dancer-height", "1.5"]) == 1
    assert "dancenet stage: error: StageSettings.dancer_height" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_stage_writes_a_video_with_its_ground_truth(tiny_stage):
    assert video.video_info(tiny_stage).frame_count == 300
    assert all((tiny_stage.parent / name).exists() for name in ("truth.npz", "meta.json", "stage.wav"))


def test_dance_end_to_end_in_the_ci_profile(tiny_stage, tmp_path, capsys, monkeypatch):
    out, gif = tmp_path / "dance.mp4", tmp_path / "dance.gif"
    arguments = [
        "dance",
        "--video",
        str(tiny_stage),
        "--out",
        str(out),
        "--gif",
        str(gif),
        "--profile",
        "ci",
        "--frames",
        "40",
        "--temperature",
        "0.5",
        "--seed",
        "1",
    ]
    # ci's models are barely trained: every generated frame comes out black, which is a failure
    assert cli.main(arguments) == cli.EXIT_EMPTY
    printed, errors = capsys.readouterr()
    assert "models barely trained" in printed and "--profile cpu" in printed
    assert "done" not in printed and "step 5" not in printed and "Traceback" not in errors
    last = errors.splitlines()[-1]  # above it, the steps' progress bars
    assert last.startswith("dancenet dance: the dance came out empty: 0 of its 40 frames show a figure")
    assert "longer video" in last and "closer or larger" in last and "--profile cpu" in last
    assert not out.exists() and not gif.exists()  # nothing half-done is written
    monkeypatch.setattr(cli, "FIGURE_FRAMES", 0.0)  # accept the empty dance, to test the writing
    status = cli.main(arguments)
    assert status == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert all(f"step {n}" in printed for n in range(1, 6))
    assert "the dancer is in 150 of the 150 frames read (one in 2); 0 dropped" in printed
    frames = video.read_frames(out, progress=False)
    assert len(frames) == 40 and frames.shape[1:3] == (48, 80)
    assert video.video_info(out).fps == pytest.approx(15)  # 30 fps, every 2nd frame in ci
    with Image.open(gif) as picture:
        assert picture.n_frames == 40
    again = tmp_path / "again.mp4"  # everything cached now: the same seed gives the same dance
    assert (
        cli.main([str(again) if a == str(out) else a for a in arguments if a not in ("--gif", str(gif))]) == 0
    )
    np.testing.assert_array_equal(video.read_frames(again, progress=False), frames)


@pytest.fixture(scope="module")
def short_stage(tmp_path_factory):
    """Four seconds of dancing: 60 frames read in the ci profile, fewer than a dance needs."""
    folder = tmp_path_factory.mktemp("short")
    assert cli.main(["stage", "--out", str(folder), "--frames", "120", "--seed", "3"]) == 0
    return folder / "stage.mp4"


@pytest.fixture(scope="module")
def empty_stage(tiny_stage, tmp_path_factory):
    """The stage without a dancer: one frame of the stage video, held for four seconds."""
    frame = video.read_frames(tiny_stage, max_frames=1, progress=False)[0]
    return video.write_video(tmp_path_factory.mktemp("still") / "still.mp4", np.repeat(frame[None], 120, 0))


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--video", "missing.mp4"], "not found"),
        (["--video", "{empty}"], "empty.mp4"),
        (["--video", "{stage}", "--frames", "0"], "--frames"),
        (["--video", "{stage}", "--out", "dance.avi"], ".mp4"),
        (["--video", "{short}"], "60 usable frames, and a dance needs at least 90 — 6.0 seconds of video"),
        (["--video", "{still}"], "no dancer found in any of the 60 frames"),
    ],
)
def test_dance_bad_input_is_a_clear_error(
    arguments, message, tiny_stage, short_stage, empty_stage, tmp_path, capsys
):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    arguments = [
        a.format(empty=empty, stage=tiny_stage, short=short_stage, still=empty_stage) for a in arguments
    ]
    if "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "dance.mp4")]
    assert cli.main(["dance", "--profile", "ci", *arguments]) == 1
    error = capsys.readouterr().err
    assert "dancenet dance: error:" in error and message in error and "Traceback" not in error
    assert not (tmp_path / "dance.mp4").exists()


def test_unknown_profile_is_refused_by_the_parser():
    result = run("dance", "--video", "x.mp4", "--out", "d.mp4", "--profile", "laptop")
    assert result.returncode == 2 and "invalid choice: 'laptop'" in result.stderr


def test_the_own_video_appendix_runs_as_printed(tiny_stage, tmp_path, monkeypatch):
    # book/own_video.md's step-by-step snippet, on the tiny stage video in place of my_dance.mp4
    text = (ROOT / "book" / "own_video.md").read_text()
    snippet = text.split("```python\n", 1)[1].split("```", 1)[0]
    assert '"my_dance.mp4"' in snippet and "fps=15" not in snippet
    monkeypatch.setenv("DANCENET_PROFILE", "ci")
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(snippet.replace('"my_dance.mp4"', repr(str(tiny_stage))), "own_video.md", "exec"), scope)
    written = video.video_info(tmp_path / "dance.mp4")
    assert written.frame_count == 300
    assert written.fps == pytest.approx(video.video_info(tiny_stage).fps / scope["profile"].frame_stride)


# ----------------------------------------------------------------------------- dancing to music


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    """Eight seconds of the stage's kind of music at 100 bpm."""
    path = tmp_path_factory.mktemp("song") / "song.wav"
    assert cli.main(["song", "--out", str(path), "--bpm", "100", "--seconds", "8"]) == 0
    return path


def test_song_writes_music_at_the_tempo_asked(song):
    from dancenet import music

    samples = music.read_audio(song)
    assert len(samples) == pytest.approx(8 * music.SAMPLE_RATE, abs=1)
    assert music.track_beats(samples).tempo == pytest.approx(100, rel=0.02)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--bpm", "20"], "--bpm must lie in 40–240"),
        (["--seconds", "2"], "--seconds in 4–600"),
        (["--out", "{tmp}/song.mp3"], "--out must end in .wav"),
    ],
)
def test_song_bad_settings_are_a_clear_error(arguments, message, tmp_path, capsys):
    arguments = [a.format(tmp=tmp_path) for a in arguments]
    if "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "song.wav")]
    assert cli.main(["song", *arguments]) == 1
    error = capsys.readouterr().err
    assert "dancenet song: error:" in error and message in error
    assert not list(tmp_path.iterdir())


def test_dance_to_music_lasts_as_long_as_the_song_and_carries_it(
    tiny_stage, song, tmp_path, capsys, monkeypatch
):
    from dancenet import music

    monkeypatch.setattr(cli, "FIGURE_FRAMES", 0.0)  # ci's barely trained dance may come out empty
    out = tmp_path / "dance.mp4"
    arguments = ["dance", "--video", str(tiny_stage), "--music", str(song), "--out", str(out)]
    assert cli.main([*arguments, "--profile", "ci"]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "beats tracked at" in printed and "step 4: dancing 120 frames (8.0 s) to song.wav" in printed
    assert "music: song.wav, tempo tracked at" in printed and "give its tempo: --bpm" in printed
    assert "with song.wav as the soundtrack" in printed and "no soundtrack" not in printed
    assert len(video.read_frames(out, progress=False)) == 120  # 8 s at 15 fps
    # the MP4's soundtrack is the song: the same beats
    beats = music.track_beats(music.read_audio(out))
    assert music.beat_f_measure(music.track_beats(music.read_audio(song)).times, beats.times) > 0.9


def test_dance_to_music_from_a_silent_video_is_an_error_naming_the_stage_option(
    tiny_stage, song, tmp_path, capsys
):
    silent = video.write_video(tmp_path / "silent.mp4", video.read_frames(tiny_stage, progress=False), 30.0)
    out = tmp_path / "dance.mp4"
    arguments = ["dance", "--video", str(silent), "--music", str(song), "--out", str(out), "--profile", "ci"]
    assert cli.main(arguments) == 1
    captured = capsys.readouterr()
    assert (
        "silent.mp4 has no soundtrack" in captured.err and "use --stage in place of --video" in captured.err
    )
    assert "step 1" not in captured.out and not out.exists()


def test_the_stage_dancer_dances_to_a_song_in_a_fresh_process_without_a_tensorflow_line(song, tmp_path):
    """As a user meets it in a terminal: nothing of TensorFlow's log on stdout or stderr."""
    out = tmp_path / "dance.mp4"
    env = {**os.environ, "DANCENET_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "dancenet", "dance", "--stage", "--music", str(song), "--out", str(out)]
        + ["--profile", "ci"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    # ci's models are barely trained: the dance comes out empty, and the user hears it
    assert result.returncode == cli.EXIT_EMPTY, result.stderr[-3000:]
    for stream in (result.stdout, result.stderr):
        assert not TENSORFLOW_LOG.search(stream), stream[-3000:]
        assert "cuInit" not in stream and "oneDNN" not in stream and "absl" not in stream
        assert "Traceback" not in stream
    assert "the course's stage dancer (--stage)" in result.stdout and "models barely trained" in result.stdout
    assert f"temperature {DEFAULT_TEMPERATURE}" in result.stdout  # the default, named
    assert "done" not in result.stdout and not out.exists()
    assert "the dance came out empty: 0 of its 120 frames" in result.stderr.splitlines()[-1]


def test_help_answers_without_importing_tensorflow():
    script = (
        "import sys\nfrom dancenet import cli\n"
        "for argv in ([], ['dance']):\n"
        "    try:\n        cli.main([*argv, '--help'])\n    except SystemExit:\n        pass\n"
        "assert not {'tensorflow', 'keras', 'cv2'} & set(sys.modules), sorted(sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "steps of `dance`" in result.stdout and result.stderr == ""


def test_ctrl_c_prints_one_line_exits_130_and_writes_nothing(tiny_stage, tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(video, "video_info", interrupted)
    out = tmp_path / "dance.mp4"
    assert cli.main(["dance", "--video", str(tiny_stage), "--out", str(out), "--profile", "ci"]) == 130
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "dancenet dance: interrupted" in error and "Traceback" not in error
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_an_unwritable_out_folder_is_named_before_any_work(tiny_stage, tmp_path, monkeypatch, capsys):
    locked = tmp_path / "locked"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    arguments = ["dance", "--video", str(tiny_stage), "--out", str(locked / "dance.mp4"), "--profile", "ci"]
    assert cli.main(arguments) == 1
    captured = capsys.readouterr()
    assert f"permission denied: {locked}" in captured.err and "Traceback" not in captured.err
    assert "step 1" not in captured.out


def test_a_read_only_cache_is_named_with_what_to_do(tiny_stage, tmp_path, monkeypatch, capsys):
    from dancenet import cache

    def read_only():
        raise PermissionError(13, "Permission denied", "/read-only/cache")

    monkeypatch.setattr(cache, "cache_dir", read_only)
    arguments = ["dance", "--video", str(tiny_stage), "--out", str(tmp_path / "d.mp4"), "--profile", "ci"]
    assert cli.main(arguments) == 1
    error = capsys.readouterr().err
    assert "dancenet dance: error: permission denied: /read-only/cache" in error and "DANCENET_CACHE" in error
    assert "Traceback" not in error


def test_dance_help_offers_the_song_s_tempo(capsys):
    with pytest.raises(SystemExit):
        cli.main(["dance", "--help"])
    assert "--bpm BPM" in capsys.readouterr().out


@pytest.mark.parametrize("arguments", [["--bpm", "100"], ["--music", "{song}", "--bpm", "300"]])
def test_dance_bpm_needs_music_and_a_tempo_in_range(arguments, song, tmp_path, capsys):
    out = tmp_path / "dance.mp4"
    arguments = [a.format(song=song) for a in arguments]
    assert cli.main(["dance", "--stage", *arguments, "--out", str(out), "--profile", "ci"]) == 1
    captured = capsys.readouterr()
    assert "--bpm gives the tempo of --music and must lie in 40–240" in captured.err
    assert "step 1" not in captured.out and not out.exists()


@pytest.fixture(scope="module")
def silent_song(tmp_path_factory):
    import soundfile

    path = tmp_path_factory.mktemp("quiet") / "silence.wav"
    soundfile.write(path, np.zeros(22050 * 6, np.float32), 22050)
    return path


@pytest.mark.parametrize(
    "music, message",
    [
        ("{tmp}/missing.wav", "audio file not found"),
        ("{tmp}/noise.wav", "could not read sound"),
        ("{silent}", "silent"),
        ("{short}", "music must last at least 4 s"),
        ("{tone}", "no steady beat found in the music"),
    ],
)
def test_dance_to_bad_music_is_a_clear_error_before_any_work(
    music, message, tiny_stage, silent_song, tmp_path, capsys
):
    import soundfile

    (tmp_path / "noise.wav").write_bytes(b"RIFF, but not a sound")
    short = tmp_path / "short.wav"
    soundfile.write(short, np.random.default_rng(0).uniform(-0.5, 0.5, 22050).astype(np.float32), 22050)
    tone = tmp_path / "tone.wav"  # a held note: sound, but no beat
    soundfile.write(tone, 0.3 * np.sin(2 * np.pi * 440 * np.arange(6 * 22050) / 22050), 22050)
    music = music.format(tmp=tmp_path, silent=silent_song, short=short, tone=tone)
    out = tmp_path / "dance.mp4"
    arguments = ["dance", "--video", str(tiny_stage), "--music", music, "--out", str(out), "--profile", "ci"]
    assert cli.main(arguments) == 1
    captured = capsys.readouterr()
    assert "dancenet dance: error:" in captured.err and message in captured.err
    assert "Traceback" not in captured.err and "step 1" not in captured.out  # stopped before any training
    assert not out.exists()

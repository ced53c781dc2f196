import numpy as np
import pytest

from dancenet import video
from dancenet.video import VideoError


@pytest.fixture
def gradient_frames():
    """Ten 60×100 frames whose brightness encodes the frame index."""
    x = np.linspace(0, 40, 100, dtype=np.float32)
    base = np.broadcast_to(x[None, :, None] + [0, 5, 10], (60, 100, 3)).astype(np.uint8)
    return np.stack([base + np.uint8(20 * i) for i in range(10)])


def test_write_then_read_round_trip(tmp_path, gradient_frames):
    path = video.write_video(tmp_path / "clip.mp4", gradient_frames, fps=25)
    info = video.video_info(path)
    assert (info.height, info.width, round(info.fps)) == (60, 100, 25)
    frames = video.read_frames(path, progress=False)
    assert frames.shape == gradient_frames.shape and frames.dtype == np.uint8
    # lossy codec: brightness order survives, pixels stay close
    assert np.abs(frames.astype(int) - gradient_frames).mean() < 4
    assert np.all(np.diff(frames.mean(axis=(1, 2, 3))) > 10)


def test_rgb_order_is_preserved(tmp_path):
    red = np.zeros((4, 64, 64, 3), np.uint8)
    red[..., 0] = 220
    frames = video.read_frames(video.write_video(tmp_path / "red.mp4", red), progress=False)
    assert frames[..., 0].mean() > 180 and frames[..., 2].mean() < 40


def test_stride_and_max_frames(tmp_path, gradient_frames):
    path = video.write_video(tmp_path / "clip.mp4", gradient_frames)
    every_third = video.read_frames(path, stride=3, progress=False)
    assert len(every_third) == 4  # frames 0, 3, 6, 9
    full = video.read_frames(path, progress=False)
    np.testing.assert_array_equal(every_third, full[::3])
    assert len(video.read_frames(path, max_frames=2, progress=False)) == 2


def test_size_crops_to_aspect_then_resizes():
    image = np.zeros((100, 300, 3), np.uint8)
    image[:, 100:200] = 255  # a white centre third
    out = video.resize(image, (48, 80))
    assert out.shape == (48, 80, 3)
    # 300 px wide cropped to 100·80/48 ≈ 167 px: the white third becomes the middle ~60 %
    white_columns = (out[..., 0] > 128).all(axis=0).sum()
    assert 40 <= white_columns <= 56


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="video file not found"):
        video.read_frames(tmp_path / "nope.mp4")


def test_unreadable_file(tmp_path):
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is not a video")
    with pytest.raises(VideoError, match="could not open|no frames"):
        video.read_frames(bogus, progress=False)


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoError):
        video.read_frames(empty, progress=False)


def test_directory_is_not_a_video(tmp_path):
    with pytest.raises(VideoError, match="not a file"):
        video.read_frames(tmp_path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stride": 0}, "stride"),
        ({"stride": 1.5}, "stride"),
        ({"max_frames": 0}, "max_frames"),
        ({"size": (0, 10)}, "size"),
    ],
)
def test_bad_arguments(tmp_path, gradient_frames, kwargs, message):
    path = video.write_video(tmp_path / "clip.mp4", gradient_frames)
    with pytest.raises(ValueError, match=message):
        video.read_frames(path, progress=False, **kwargs)


def test_write_rejects_bad_frames(tmp_path):
    with pytest.raises(ValueError, match="RGB frames"):
        video.write_video(tmp_path / "x.mp4", np.zeros((3, 10, 10), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        video.write_video(tmp_path / "x.mp4", np.zeros((3, 16, 16, 3), np.float32))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch, gradient_frames):
    original = video._frame_bytes

    def interrupt_after_three(frames):
        for n, data in enumerate(original(frames)):
            if n == 3:
                raise KeyboardInterrupt
            yield data

    monkeypatch.setattr(video, "_frame_bytes", interrupt_after_three)
    with pytest.raises(KeyboardInterrupt):
        video.write_video(tmp_path / "clip.mp4", gradient_frames)
    assert list(tmp_path.iterdir()) == []


def test_written_files_get_ordinary_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        frames = np.zeros((3, 16, 16, 3), np.uint8)
        path = video.write_video(tmp_path / "clip.mp4", frames, fps=10)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def _streams(path) -> str:
    """What FFmpeg reports of a file's streams (its banner lines for ``-i``)."""
    import subprocess

    import imageio_ffmpeg

    run = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True
    )
    return run.stderr.decode()


def test_written_video_is_h264_yuv420p_with_the_index_first(tmp_path, gradient_frames):
    path = video.write_video(tmp_path / "clip.mp4", gradient_frames, fps=25)
    streams = _streams(path)
    assert "Video: h264" in streams and "yuv420p" in streams and "Audio" not in streams
    data = path.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")  # faststart: a browser can start playing at once


def test_the_same_frames_give_the_same_file(tmp_path, gradient_frames):
    first = video.write_video(tmp_path / "a.mp4", gradient_frames).read_bytes()
    assert video.write_video(tmp_path / "b.mp4", gradient_frames).read_bytes() == first


def test_odd_sizes_gain_one_edge_row_and_column(tmp_path):
    frames = np.full((5, 33, 51, 3), 128, np.uint8)
    path = video.write_video(tmp_path / "odd.mp4", frames)
    info = video.video_info(path)
    assert (info.height, info.width) == (34, 52)
    assert np.abs(video.read_frames(path, progress=False).astype(int) - 128).max() <= 3


def test_audio_becomes_the_soundtrack(tmp_path, gradient_frames):
    import wave

    sound = tmp_path / "tone.wav"
    with wave.open(str(sound), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(22050)
        t = np.arange(22050 * 2) / 22050
        out.writeframes((0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes())
    path = video.write_video(tmp_path / "clip.mp4", gradient_frames, fps=10, audio=sound)
    streams = _streams(path)
    assert "Video: h264" in streams and "Audio: aac" in streams
    assert len(video.read_frames(path, progress=False)) == len(gradient_frames)


def test_bad_audio_is_named_and_leaves_nothing(tmp_path, gradient_frames):
    with pytest.raises(FileNotFoundError, match="audio file not found"):
        video.write_video(tmp_path / "clip.mp4", gradient_frames, audio=tmp_path / "missing.wav")
    noise = tmp_path / "noise.wav"
    noise.write_bytes(b"not a sound file at all")
    with pytest.raises(VideoError, match="could not write .*clip.mp4: FFmpeg says"):
        video.write_video(tmp_path / "clip.mp4", gradient_frames, audio=noise)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noise.wav"]

"""Video as frames: reading any video file, writing one, and resizing to the model's input size.

Frames are NumPy arrays of shape ``(N, H, W, 3)``, dtype ``uint8``, in **RGB** order (OpenCV works
in BGR; we convert at the file boundary so the rest of the course never has to think about it).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
from tqdm.auto import tqdm

# Our errors say what went wrong with a file; FFmpeg's console messages would only add noise.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


#: Rec. 601 luma weights: the brightness of an RGB pixel, as the stage and background removal see it
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def to_uint8(images) -> np.ndarray:
    """Images in [0, 1] (a float silhouette, a decoded frame) as ``uint8`` 0–255, rounded and clipped."""
    return np.round(np.clip(np.asarray(images, np.float32), 0.0, 1.0) * 255).astype(np.uint8)


class VideoError(ValueError):
    """A video file that exists but cannot be used (unreadable, unsupported, or empty)."""


@dataclass(frozen=True)
class VideoInfo:
    """What a video file says about itself (the frame count is the container's estimate)."""

    path: Path
    fps: float
    frame_count: int
    height: int
    width: int


def _open(path) -> tuple[Path, cv2.VideoCapture]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"video file not found: {path}")
    if not path.is_file():
        raise VideoError(f"not a file: {path}")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise VideoError(f"could not open {path}: unreadable or not a video format OpenCV can decode")
    return path, capture


def video_info(path) -> VideoInfo:
    """Frame rate, frame count and frame size of a video file."""
    path, capture = _open(path)
    try:
        info = VideoInfo(
            path=path,
            fps=float(capture.get(cv2.CAP_PROP_FPS)) or 30.0,
            frame_count=int(capture.get(cv2.CAP_PROP_FRAME_COUNT)),
            height=int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            width=int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
        )
    finally:
        capture.release()
    if info.height == 0 or info.width == 0:
        raise VideoError(f"{path} has no video stream")
    return info


def read_frames(
    path,
    stride: int = 1,
    size: tuple[int, int] | None = None,
    max_frames: int | None = None,
    progress: bool = True,
) -> np.ndarray:
    """Every ``stride``-th frame of a video as an RGB array ``(N, H, W, 3)``.

    ``size=(height, width)`` crops each frame to that aspect ratio (centered) and resizes it, so a
    phone video and the synthetic stage come out the same shape. Raises ``FileNotFoundError`` for a
    missing file and ``VideoError`` for one that cannot be decoded or holds no frames.
    """
    if int(stride) != stride or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    if max_frames is not None and max_frames < 1:
        raise ValueError(f"max_frames must be positive, got {max_frames!r}")
    if size is not None:
        _check_size(size)
    path, capture = _open(path)
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    expected = -(-total // stride) if total > 0 else None
    if expected is not None and max_frames is not None:
        expected = min(expected, max_frames)
    frames = []
    try:
        with tqdm(total=expected, desc=f"reading {path.name}", unit="frame", disable=not progress) as bar:
            index = 0
            while max_frames is None or len(frames) < max_frames:
                # grab() skips decoding work for frames the stride drops
                if not capture.grab():
                    break
                if index % stride == 0:
                    ok, bgr = capture.retrieve()
                    if not ok:
                        break
                    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                    frames.append(resize(rgb, size) if size is not None else rgb)
                    bar.update(1)
                index += 1
    finally:
        capture.release()
    if not frames:
        raise VideoError(f"{path} contains no frames that could be decoded")
    return np.stack(frames)


def _check_size(size) -> tuple[int, int]:
    try:
        height, width = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (height, width), got {size!r}") from None
    if height < 1 or width < 1:
        raise ValueError(f"size must be positive, got {size!r}")
    return height, width


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """One image center-cropped to the aspect ratio of ``size=(height, width)`` and resized to it.

    Area interpolation averages the pixels that fall into each output pixel, which is what
    downscaling needs to avoid aliasing.
    """
    height, width = _check_size(size)
    h, w = image.shape[:2]
    if h * width > w * height:  # too tall for the target aspect: crop rows
        keep = round(w * height / width)
        top = (h - keep) // 2
        image = image[top : top + keep]
    elif h * width < w * height:  # too wide: crop columns
        keep = round(h * width / height)
        left = (w - keep) // 2
        image = image[:, left : left + keep]
    if image.shape[:2] == (height, width):
        return image.copy()
    shrinking = image.shape[0] >= height and image.shape[1] >= width
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def resize_frames(frames: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """:func:`resize` applied to every frame of ``(N, H, W[, C])``."""
    frames = np.asarray(frames)
    if frames.ndim not in (3, 4) or len(frames) == 0:
        raise ValueError(f"expected a non-empty stack of frames (N, H, W[, C]), got shape {frames.shape}")
    return np.stack([resize(frame, size) for frame in frames])


#: what browsers, phones and Colab play: H.264 in yuv420p, the index at the front so playback
#: starts before the whole file has arrived (``faststart``); one encoder thread, so the same frames
#: give the same file on every machine (the stage video's pixels decide what every model learns)
_H264 = ["-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p", "-threads", "1"]


def write_video(path, frames: np.ndarray, fps: float = 30.0, audio=None) -> Path:
    """Write RGB frames ``(N, H, W, 3)`` as an H.264 MP4 that plays in any browser; the file
    appears only once complete.

    The encoder is the FFmpeg that ``imageio-ffmpeg`` ships (OpenCV's wheels have no H.264
    encoder). ``audio``, the path of a sound file (a WAV, say), becomes the video's soundtrack (AAC);
    the video ends with the shorter of the two. A frame of odd height or width gains one copy of
    its last row or column (yuv420p needs even sizes). The file is written under a temporary name
    beside ``path`` and renamed into place, so an interrupted write never leaves a truncated video.
    """
    path = Path(path)
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
        raise ValueError(f"expected RGB frames of shape (N, H, W, 3), got {frames.shape}")
    if frames.dtype != np.uint8:
        raise ValueError(f"expected uint8 frames, got {frames.dtype}")
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    if audio is not None and not Path(audio).is_file():
        raise FileNotFoundError(f"audio file not found: {audio}")
    height, width = frames.shape[1:3]
    sound = [] if audio is None else ["-i", str(audio), "-map", "0:v:0", "-map", "1:a:0"]
    sound_out = [] if audio is None else ["-c:a", "aac", "-b:a", "160k", "-shortest"]
    with atomic_path(path) as partial, tempfile.TemporaryFile() as log:
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-nostdin", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width + width % 2}x{height + height % 2}",
            "-r", str(Fraction(float(fps)).limit_denominator(100000)), "-i", "-", *sound,
            *_H264, *sound_out, "-movflags", "+faststart", "-f", "mp4", str(partial),
        ]  # fmt: skip
        encoder = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=log)
        try:
            try:
                for data in _frame_bytes(frames):
                    encoder.stdin.write(data)
                encoder.stdin.close()
            except BrokenPipeError:
                pass  # the encoder stopped early: its exit status and message say why
            encoder.wait()
        finally:
            if encoder.poll() is None:  # interrupted: stop the encoder; atomic_path drops the file
                encoder.kill()
                encoder.wait()
        if encoder.returncode != 0:
            log.seek(0)
            message = log.read().decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise VideoError(f"could not write {path}: FFmpeg says: {message[0]}")
    return path


def _frame_bytes(frames: np.ndarray):
    """Each frame's pixels as the encoder reads them, padded to even height and width."""
    height, width = frames.shape[1:3]
    pad = ((0, height % 2), (0, width % 2), (0, 0))
    for frame in frames:
        yield np.pad(frame, pad, mode="edge").tobytes() if height % 2 or width % 2 else frame.tobytes()


@contextmanager
def atomic_path(path):
    """A temporary path beside ``path`` to write to; renamed to ``path`` only if the block
    finishes, deleted otherwise — an interrupted write never leaves a truncated file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield Path(partial)
        os.chmod(partial, 0o666 & ~umask)  # mkstemp makes it private; the result is an ordinary file
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)

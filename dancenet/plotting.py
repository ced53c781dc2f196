"""Figures shared by the chapters: one style, frame grids, mask overlays, pictures side by side
and animations."""

from __future__ import annotations

import html
import re

import cv2
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation as mpl_animation

from .video import to_uint8

#: colours of a mask comparison: dancer found, background taken for dancer, dancer missed
HIT, FALSE_ALARM, MISS = (40, 170, 80), (230, 60, 50), (40, 110, 230)


#: the widest a figure should be, in inches: the book shows figures at its column's width (about
#: 690 px), so at 110 dpi a 9-inch figure's 10-point text is shown at about 10 px
FIGURE_WIDTH = 9.0


def use_style() -> None:
    """The course's figure style: clean axes, readable fonts, crisp pixels."""
    plt.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "font.size": 10,
            "axes.titlesize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.25,
            "image.interpolation": "nearest",
            "figure.autolayout": False,
        }
    )


def _as_display(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    return image, ("gray" if image.ndim == 2 else None)


def frame_grid(images, titles=None, ncols: int = 6, size: float = 1.9, suptitle: str | None = None):
    """A grid of images (RGB, grayscale or masks) with optional titles; returns the figure.

    The grid is at most :data:`FIGURE_WIDTH` inches wide (``size`` shrinks to fit), so that its
    titles stay legible where the book shows it at the column's width.
    """
    images = list(images)
    if not images:
        raise ValueError("frame_grid needs at least one image")
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    size = min(size, FIGURE_WIDTH / ncols)
    height, width = np.asarray(images[0]).shape[:2]
    title_room = 0.3 if titles is not None else 0.05
    figure_height = nrows * (size * height / width + title_room) + 0.3 * bool(suptitle)
    fig, axes = plt.subplots(
        nrows, ncols, squeeze=False, layout="constrained", figsize=(ncols * size, figure_height)
    )
    for ax in axes.flat:
        ax.axis("off")
    for i, image in enumerate(images):
        ax = axes.flat[i]
        shown, cmap = _as_display(image)
        ax.imshow(shown, cmap=cmap, vmin=0, vmax=1 if shown.dtype != np.uint8 else 255)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def overlay(frame: np.ndarray, mask: np.ndarray, color=(255, 60, 60), alpha: float = 0.55) -> np.ndarray:
    """The frame with the mask's pixels tinted in ``color``."""
    out = np.asarray(frame, np.float32).copy()
    mask = np.asarray(mask, bool)
    out[mask] = (1 - alpha) * out[mask] + alpha * np.asarray(color, np.float32)
    return out.astype(np.uint8)


def mask_comparison(frame: np.ndarray, predicted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """The frame dimmed, with correct dancer pixels green, false alarms red and misses blue."""
    out = (np.asarray(frame, np.float32) * 0.45).astype(np.uint8)
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    out[predicted & truth] = HIT
    out[predicted & ~truth] = FALSE_ALARM
    out[~predicted & truth] = MISS
    return out


def side_by_side(*images, gap: int = 4, axis: int = 1) -> np.ndarray:
    """``uint8`` images next to each other along ``axis``, with a white ``gap`` between them.

    Axis 1, the default, puts pictures ``(H, W[, C])`` side by side; axis 2 does the same for
    videos ``(N, H, W)``, and axis 1 stacks videos from top to bottom. Every other size must agree.
    """
    images = [np.asarray(image) for image in images]
    if len({tuple(np.delete(image.shape, axis)) for image in images}) != 1:
        raise ValueError(
            f"images must share every size but that of axis {axis}, which they are joined "
            f"along (videos side by side must share length and height), got "
            f"{[image.shape for image in images]}"
        )
    shape = list(images[0].shape)
    shape[axis] = gap
    spacer = np.full(shape, 255, np.uint8)
    parts = [images[0]]
    for image in images[1:]:
        parts += [spacer, image]
    return np.concatenate(parts, axis=axis)


def upscale(image: np.ndarray, factor: int = 2) -> np.ndarray:
    """An image enlarged by pixel repetition (keeps the pixels honest)."""
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8:
        image = to_uint8(image)
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)


def png_bytes(image: np.ndarray, factor: int = 2) -> bytes:
    """An RGB or grayscale image encoded as PNG (for ``ipywidgets.Image``)."""
    image = upscale(image, factor)
    if image.ndim == 3 and image.shape[-1] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"could not encode an image of shape {image.shape} as PNG")
    return data.tobytes()


def animation(frames, *, alt: str, fps: float = 30.0, scale: float = 2.0, title: str | None = None):
    """An animation player for a stack of frames that works in the static book, offline.

    Matplotlib's JavaScript player, with ``alt`` describing the frames for screen readers and
    its buttons drawn with text symbols instead of an icon font fetched from a CDN.
    """
    from IPython.display import HTML

    frames = np.asarray(frames)
    if len(frames) == 0:
        raise ValueError("animation needs at least one frame")
    if not alt.strip():
        raise ValueError("animation needs an alt text that describes it")
    height, width = frames.shape[1:3]
    band = 16 if title else 0  # pixels above the frames for the title, so it never covers the dancer
    fig = plt.figure(figsize=(scale * width / 100, scale * (height + band) / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, height / (height + band)))
    ax.axis("off")
    shown, cmap = _as_display(frames[0])
    artist = ax.imshow(shown, cmap=cmap, vmin=0, vmax=255 if shown.dtype == np.uint8 else 1)
    if title:
        fig.text(0.02, 1 - band / 2 / (height + band), title, fontsize=8, va="center")

    def draw(i):
        artist.set_data(_as_display(frames[i])[0])
        return (artist,)

    movie = mpl_animation.FuncAnimation(fig, draw, frames=len(frames), interval=1000 / fps, blit=True)
    with plt.rc_context({"animation.frame_format": "jpeg"}):  # a tenth of the size of PNG frames
        player = movie.to_jshtml(fps=fps, default_mode="loop")
    plt.close(fig)
    return HTML(_offline_player(player, alt))


# Matplotlib's player buttons, as symbols every system font has (DejaVu included)
_BUTTON_SYMBOLS = {
    "fa-minus": "\u2212",
    "fa-fast-backward": "\u275a\u25c0\u25c0",
    "fa-step-backward": "\u275a\u25c0",
    "fa-play fa-flip-horizontal": "\u25c0",
    "fa-pause": "\u275a\u275a",
    "fa-play": "\u25b6",
    "fa-step-forward": "\u25b6\u275a",
    "fa-fast-forward": "\u25b6\u25b6\u275a",
    "fa-plus": "+",
}


def _offline_player(player: str, alt: str) -> str:
    """Matplotlib's ``to_jshtml`` player without its CDN stylesheet, with alt text on the frames."""
    player = re.sub(r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">', "", player)
    player = re.sub(
        r'<i class="fa ([a-z -]+)"></i>',
        lambda icon: f'<span aria-hidden="true">{_BUTTON_SYMBOLS[icon.group(1)]}</span>',
        player,
    )
    return player.replace("<img id=", f'<img alt="{html.escape(alt)}" id=', 1)


#: the narrowest a video player is shown: narrower, its own controls (play, time, volume) crowd out
PLAYER_MIN_WIDTH = 320


def video_player_html(data: bytes, size: tuple[int, int], min_width: int = PLAYER_MIN_WIDTH) -> str:
    """An HTML5 player for MP4 ``data`` whose frames are ``size = (height, width)``: shown at the
    smallest whole multiple of that size at least ``min_width`` wide, pixels kept sharp
    (``image-rendering: pixelated``), looping, with its controls."""
    import base64
    import math

    height, width = size
    if height < 1 or width < 1:
        raise ValueError(f"a video's frames have a size, got {size}")
    factor = max(1, math.ceil(min_width / width))
    source = base64.b64encode(data).decode("ascii")
    return (
        f'<video controls loop width="{width * factor}" height="{height * factor}" '
        f'style="image-rendering: pixelated">\n'
        f' <source src="data:video/mp4;base64,{source}" type="video/mp4">\n'
        "Your browser does not support the video tag.\n</video>"
    )


def video_player(path, min_width: int = PLAYER_MIN_WIDTH):
    """An MP4 file embedded in the page as a player at least ``min_width`` pixels wide
    (:func:`video_player_html`): a 64×104 dance is shown 4× as large, not at a size its own
    controls do not fit in."""
    from pathlib import Path

    from IPython.display import HTML

    from .video import video_info

    info = video_info(path)
    return HTML(video_player_html(Path(path).read_bytes(), (info.height, info.width), min_width))


def figure_png(fig) -> bytes:
    """A Matplotlib figure as PNG bytes (for ``ipywidgets.Image``)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def routine_timeline(routine, beats: int = 96):
    """The first ``beats`` beats of a routine's structure, one row each: the song's sections, the
    combinations (hatched where one is danced again on the other side) and the moves (coloured as
    the legend says), with a line on every bar and a dark one at the start of every eight."""
    from matplotlib.patches import Patch

    from . import stage

    steps = [s for s in routine.steps if s.start < beats]
    ends = [s.start for s in steps[1:]] + [steps[-1].start + steps[-1].beats]
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.4), layout="constrained")
    colours = _move_colours()
    rows = {"section": 3, "combination": 2, "move": 1}

    def span(first, last, row, colour, label="", hatch=None):
        ax.barh(rows[row], last - first, left=first, height=0.8, color=colour, edgecolor="white", hatch=hatch)
        if label:
            box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0}
            centre = (first + min(last, beats)) / 2
            ax.text(centre, rows[row], label, ha="center", va="center", fontsize=7, zorder=5, bbox=box)

    for step, stop in zip(steps, ends):
        span(step.start, stop, "move", colours[step.move])
    for (_, _, combination, repeat), first, last in _runs_of(
        steps, ends, lambda s: (s.song, s.section, s.combination, s.repeat)
    ):
        name = stage.COMBINATION_NAMES[combination].replace("_", " ")
        span(first, last, "combination", "0.85", "mirrored" if repeat else name, "///" if repeat else None)
    for (_, section), first, last in _runs_of(steps, ends, lambda s: (s.song, s.section)):
        span(first, last, "section", ("#f2d0a4", "#a8d5ba", "#c3b1e1")[section], stage.SECTIONS[section])
    for beat in range(0, beats + 1, stage.BAR):
        ax.axvline(beat, color="0.2" if beat % stage.COUNTS == 0 else "0.6", lw=0.8, zorder=3)
    ax.set(xlim=(0, beats), ylim=(0.4, 3.6), xlabel="beat", xticks=range(0, beats + 1, stage.COUNTS))
    ax.set_yticks(list(rows.values()), list(rows))
    ax.grid(False)
    danced = sorted({s.move for s in steps})
    handles = [Patch(color=colours[m], label=stage.MOVES[m].replace("_", " ")) for m in danced]
    handles.append(Patch(facecolor="0.85", hatch="///", edgecolor="white", label="mirrored repeat"))
    fig.legend(handles=handles, loc="outside lower center", ncols=6, fontsize=7, frameon=False)
    return fig


def _move_colours() -> list:
    """Fourteen colours that tell the moves apart: tab10's, then four of Dark2's."""
    dark = plt.get_cmap("Dark2").colors
    return list(plt.get_cmap("tab10").colors) + [dark[0], dark[2], dark[5], dark[6]]


def _runs_of(steps, ends, key):
    """``[(key, first beat, last beat)]`` for the runs of consecutive steps that share ``key``."""
    runs = []
    for step, stop in zip(steps, ends):
        if runs and runs[-1][0] == key(step):
            runs[-1][2] = stop
        else:
            runs.append([key(step), step.start, stop])
    return [tuple(run) for run in runs]

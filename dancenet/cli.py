"""``dancenet`` on the command line: a stage video, or a new dance from any dance video.

    dancenet stage --out stage/                       # render the synthetic stage video
    dancenet dance --video my_dance.mp4 --out dance.mp4 --gif dance.gif
    dancenet song --out song.wav --bpm 100            # music of the stage's kind, at any tempo
    dancenet dance --video my_dance.mp4 --music song.wav --out dance.mp4   # a dance to a song

``dance`` runs the whole course on one video, reusing everything already in the cache:

1. frames → silhouettes framed on the dancer (background removal and framing, chapter 2),
2. silhouettes → a trained VAE (chapters 3–5) → one latent code per frame,
3. codes → a trained stacked-LSTM + MDN sequence model (chapters 6–7),
4. the model, warmed up on real frames, generates new codes; the VAE decodes them (chapter 8),
5. the silhouettes are written as MP4 (and GIF) at the source frame rate.

With ``--music``, step 3 trains chapter 9's music-conditioned model on the video's own soundtrack
(a video without one is an error: ``--stage`` in place of ``--video`` learns from the course's
stage dancer and its music), and step 4 dances as long as the song, to its beats; the MP4 carries
the song as its soundtrack.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import __version__

EPILOG = """steps of `dance` (each cached under $DANCENET_CACHE, so a second run skips to step 4):
  1. read the video (every n-th frame, per profile), remove the background (median method),
     track the dancer and crop a window on them (frames without a dancer are dropped)
  2. train the VAE on the silhouettes and encode every frame (z_mean)
  3. train the sequence model (3 stacked LSTMs + mixture density head) on the codes
  4. warm up on real codes, sample --frames new codes at --temperature, decode them
  5. write --out (MP4) and --gif, at the video's frame rate divided by the profile's stride
with --music song.wav: step 3 learns the dance with the music it was danced to (the video's
soundtrack; a video without one stops with an error: --stage learns from the course's stage
dancer and its music), step 4 dances as long as the song, to its tracked beats (placed at
the tempo --bpm gives, if given), and --out carries the song as its soundtrack

after step 4 the dance is checked: a frame shows a figure when at least 1% of its pixels are
silhouette; when fewer than half the generated frames do, the dance came out empty, nothing is
written (no --out, no --gif) and the command says what to try and exits with status 3

exit status: 0 done; 1 bad input or an error (named); 3 the dance came out empty (nothing
written); 130 interrupted
"""

#: a generated frame shows a figure when at least this fraction of its pixels is silhouette
FIGURE_FILL = 0.01
#: a dance is written only when at least this fraction of its frames shows a figure
FIGURE_FRAMES = 0.5
#: the exit status of a dance that came out empty
EXIT_EMPTY = 3


class EmptyDanceError(Exception):
    """The generated dance is (nearly) empty: too few frames show a figure to be worth writing."""


def _parser() -> argparse.ArgumentParser:
    from .profiles import PROFILES  # plain data: the help never imports TensorFlow

    parser = argparse.ArgumentParser(
        prog="dancenet",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dancenet {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    stage = commands.add_parser(
        "stage",
        help="render the synthetic stage video (with ground truth)",
        description="Render the course's synthetic dancer into a folder: "
        "stage.mp4 (with its music as the soundtrack), stage.wav (the music), truth.npz (masks, poses, "
        "moves, beat times) and meta.json.",
    )
    stage.add_argument("--out", type=Path, required=True, help="folder to write into")
    stage.add_argument("--frames", type=int, default=1800, help="frames at 30 fps (default 1800 = 1 minute)")
    stage.add_argument("--seed", type=int, default=8, help="random seed of the dancer and the stage")
    stage.add_argument(
        "--dancer-height",
        type=float,
        help="film the dancer smaller, as from far away: standing height as a fraction of the frame "
        "height, above 0.05 and at most 1 (default: about 0.82)",
    )
    stage.add_argument("--walkers", type=int, default=0, help="passers-by crossing the stage (default 0)")

    dance = commands.add_parser(
        "dance",
        help="generate a new dance from a dance video",
        description="Learn a dancer from a video and generate a new dance.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dancer = dance.add_mutually_exclusive_group(required=True)
    dancer.add_argument("--video", type=Path, help="a dance video (any format OpenCV reads)")
    dancer.add_argument(
        "--stage",
        action="store_true",
        help="learn from the course's stage dancer (its video, and its music with --music) instead",
    )
    dance.add_argument("--out", type=Path, required=True, help="the generated dance, an .mp4 file")
    dance.add_argument("--gif", type=Path, help="also write the dance as an animated GIF")
    dance.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help="model sizes and training budget "
        "(default: $DANCENET_PROFILE, else gpu when a GPU is visible, else cpu)",
    )
    dance.add_argument(
        "--music",
        type=Path,
        help="a song (WAV, FLAC, OGG, MP3 or a video's soundtrack) to dance to: the dance lasts as "
        "long as the song and carries it as its soundtrack",
    )
    dance.add_argument(
        "--bpm",
        type=float,
        help="with --music: the song's tempo in beats per minute, 40 to 240, when you know it; "
        "the beats are then placed at that tempo (default: found in the song — printed, and a "
        "tracker can hear a slow song at twice its tempo or a fast one at half)",
    )
    dance.add_argument(
        "--frames", type=int, default=300, help="frames to generate (default 300; --music: the song's length)"
    )
    dance.add_argument(
        "--temperature",
        type=float,
        help="sampling temperature: 0 = always the likeliest move, 1 = the model as "
        "trained, >1 = wilder (default: the one chapter 8 chooses, printed in step 4)",
    )
    dance.add_argument("--seed", type=int, default=0, help="random seed of the generated dance")

    song = commands.add_parser(
        "song",
        help="compose music of the stage's kind at a tempo of your choice",
        description="Write a WAV of drums and a small melody at a given tempo, with human timing "
        "(the music the stage's dancer dances to), to try `dancenet dance --music` with.",
    )
    song.add_argument("--out", type=Path, required=True, help="the song, a .wav file")
    song.add_argument("--bpm", type=float, default=100.0, help="beats per minute, 40 to 240 (default 100)")
    song.add_argument("--seconds", type=float, default=30.0, help="length in seconds, 4 to 600 (default 30)")
    song.add_argument("--seed", type=int, default=1, help="random seed of the chords and the timing")
    return parser


def _stage(args) -> None:
    from . import stage

    settings = stage.StageSettings(dancer_height=args.dancer_height, walkers=args.walkers)
    recording = stage.write_stage_video(args.out, args.frames, seed=args.seed, settings=settings)
    print(f"wrote {recording.video_path} ({args.frames} frames) and its ground truth")


def _song(args) -> None:
    import numpy as np

    from . import stage

    if args.out.suffix.lower() != ".wav":
        raise ValueError("--out must end in .wav")
    if not 40 <= args.bpm <= 240 or not 4 <= args.seconds <= 600:
        raise ValueError(
            f"--bpm must lie in 40–240 and --seconds in 4–600, got {args.bpm:g}, {args.seconds:g}"
        )
    clock = stage.BeatClock.random(args.bpm, np.random.default_rng(args.seed))
    stage.write_wav(args.out, stage.compose(clock, args.seconds, args.seed))
    print(f"wrote {args.out}: {args.seconds:g} s at {args.bpm:g} bpm")


def _dance(args) -> None:
    from . import music, video
    from .artifacts import Pipeline
    from .choreography import DEFAULT_TEMPERATURE

    if args.out.suffix.lower() != ".mp4" or (args.gif and args.gif.suffix.lower() != ".gif"):
        raise ValueError("--out must end in .mp4 and --gif in .gif")
    if args.bpm is not None and (args.music is None or not 40 <= args.bpm <= 240):
        raise ValueError(f"--bpm gives the tempo of --music and must lie in 40–240, got {args.bpm:g}")
    for path in filter(None, (args.out, args.gif)):
        _check_writable(path)
    song = music.read_audio(args.music) if args.music else None  # a bad song stops before any training
    if args.video is not None:
        info = video.video_info(args.video)  # fails early, with a clear message, on an unreadable video
        if song is not None:
            _check_soundtrack(args.video)
    pipeline = Pipeline(args.profile, video=args.video)
    print(pipeline.profile)
    _print_smoke_note(pipeline.profile)
    if args.video is None:
        print("the course's stage dancer (--stage): rendering its video when it is not cached")
        info = video.video_info(pipeline.stage.video_path)
    print(f"video: {info.frame_count} frames of {info.width}×{info.height} at {info.fps:g} fps")
    beats = features = None
    if song is not None:  # a song without a beat stops here, before any training
        beats, features = music.song_features(song, pipeline.fps, tempo=args.bpm)
        if args.bpm is None:
            print(
                f"music: {args.music.name}, tempo tracked at {beats.tempo:.1f} bpm (if the song is at "
                f"half or twice that, give its tempo: --bpm)"
            )
        else:
            told = f"told --bpm {args.bpm:g}"
            print(f"music: {args.music.name}, beats tracked at {beats.tempo:.1f} bpm ({told})")
    temperature = DEFAULT_TEMPERATURE if args.temperature is None else args.temperature
    print("step 1: silhouettes framed on the dancer")
    _check_long_enough(pipeline.silhouettes, info.fps, pipeline.profile.frame_stride)
    print("step 2: VAE and latent codes")
    pipeline.vae  # noqa: B018
    if song is None:
        print("step 3: sequence model")
        dancer = pipeline.dancer("memory")
        print(f"step 4: generating {args.frames} frames at temperature {temperature}")
    else:
        print("step 3: the music the dance was danced to, and the music-conditioned sequence model")
        heard = pipeline.dance_music
        print(f"  {len(heard.beats)} beats tracked at {heard.tempo:.1f} bpm")
        dancer = pipeline.dancer("music")
        print(
            f"step 4: dancing {len(features)} frames ({len(song) / music.SAMPLE_RATE:.1f} s) to "
            f"{args.music.name}, {len(beats.times)} beats at {beats.tempo:.1f} bpm, "
            f"temperature {temperature}"
        )
    codes = dancer.dance(
        None if song is not None else args.frames,
        music_features=features,
        temperature=temperature,
        seed=args.seed,
    )[0]
    silhouettes = dancer.decode(codes)
    check_dance(silhouettes, pipeline.profile)
    _write(args, silhouettes, dancer.fps, audio=args.music)


def _print_smoke_note(profile) -> None:
    from .smoke import smoke_note

    if note := smoke_note(profile):
        print(note)


def figure_frames(silhouettes, fill: float = FIGURE_FILL):
    """Which frames of a dance show a figure: a bool per frame, true where at least ``fill`` of its
    pixels are silhouette (above one half). ``silhouettes`` are decoder outputs ``(N, H, W[, 1])``
    in [0, 1], or ``uint8`` frames."""
    import numpy as np

    images = np.asarray(silhouettes)
    images = images.astype(np.float32) / 255 if images.dtype == np.uint8 else images.astype(np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"expected silhouettes (N, H, W) or (N, H, W, 1) with N ≥ 1, got {images.shape}")
    return (images > 0.5).mean(axis=(1, 2)) >= fill


def check_dance(silhouettes, profile=None) -> None:
    """Stop with an :class:`EmptyDanceError` that says what to try when fewer than
    :data:`FIGURE_FRAMES` of the dance's frames show a figure (:func:`figure_frames`)."""
    from .smoke import REAL_PROFILE, is_smoke_profile

    shown = figure_frames(silhouettes)
    if shown.mean() >= FIGURE_FRAMES:
        return
    smoke = profile is not None and is_smoke_profile(profile)
    advice = (
        f"--profile {REAL_PROFILE} (this profile barely trains its models)"
        if smoke
        else f"--profile {REAL_PROFILE} or gpu if you used a smaller one"
    )
    raise EmptyDanceError(
        f"the dance came out empty: {int(shown.sum())} of its {len(shown)} frames show a figure "
        f"(at least {FIGURE_FILL:.0%} of the frame), and at least {FIGURE_FRAMES:.0%} must; nothing "
        f"was written. The models did not learn the dancer: try a longer video, one where the dancer "
        f"is closer or larger in the frame, or {advice}."
    )


def _check_writable(path: Path) -> None:
    """Stop before any work when ``path`` cannot be written: its folder is made, or a
    :class:`PermissionError` names it."""
    folder = path.expanduser().resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise PermissionError(errno.EACCES, "cannot write there", str(folder))


def _check_soundtrack(path: Path) -> None:
    """A video to learn a dance to music from must have a soundtrack: never switch dancers silently."""
    from . import music

    try:
        music.read_audio(path)
    except music.AudioError as error:
        raise ValueError(
            f"{path.name} has no soundtrack to learn the beat from ({error}). To dance the course's "
            f"stage dancer to the song instead, use --stage in place of --video"
        ) from None


def _write(args, silhouettes, fps: float, audio=None) -> None:
    from . import choreography

    frames = choreography.silhouette_frames(silhouettes)
    print(f"step 5: writing {args.out}" + (f" and {args.gif}" if args.gif else ""))
    choreography.write_mp4(frames, args.out, fps, audio=audio)
    if args.gif:
        choreography.write_gif(frames, args.gif, fps)
    soundtrack = f", with {audio.name} as the soundtrack" if audio else ""
    print(f"done: {len(frames)} frames at {fps:g} fps{soundtrack}")


def _check_long_enough(silhouettes, fps: float, stride: int) -> None:
    """Say how many frames had a dancer; stop, with what is missing, when they are too few to learn from."""
    from .sequence import minimum_codes

    found, read = len(silhouettes.images), len(silhouettes.whole)
    print(f"  the dancer is in {found} of the {read} frames read (one in {stride}); {read - found} dropped")
    needed = minimum_codes()
    if found < needed:
        seconds = needed * stride / fps
        raise ValueError(
            f"too little dancing to learn from: {found} usable frames, and a dance needs at least "
            f"{needed} — {seconds:.1f} seconds of video with the dancer in view (at {fps:g} fps, "
            f"reading one frame in {stride}). Use a longer clip, or one where the dancer stays in view."
        )


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 on success, 1 on bad input,
    :data:`EXIT_EMPTY` when the dance came out empty, 130 when interrupted)."""
    args = _parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ log, once started
    try:
        from .cache import CacheError

        if getattr(args, "frames", 1) < 1:
            raise ValueError(f"--frames must be at least 1, got {args.frames}")
        if args.command == "dance":
            from .devices import start_tensorflow

            start_tensorflow()  # its start-up log captured, never on the terminal
        {"stage": _stage, "dance": _dance, "song": _song}[args.command](args)
    except EmptyDanceError as error:
        print(f"dancenet {args.command}: {error}", file=sys.stderr)
        return EXIT_EMPTY
    except KeyboardInterrupt:
        print(
            f"dancenet {args.command}: interrupted; every finished step stays cached, nothing "
            "half-written was kept",
            file=sys.stderr,
        )
        return 130
    except (ValueError, CacheError) as error:  # VideoError and AudioError are ValueErrors
        print(f"dancenet {args.command}: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a missing file, a folder that cannot be written, a full disk
        print(f"dancenet {args.command}: error: {_os_error(error)}", file=sys.stderr)
        return 1
    return 0


def _os_error(error: OSError) -> str:
    what = error.strerror or str(error)
    if error.filename is None:
        return what
    if isinstance(error, PermissionError):
        return (
            f"permission denied: {error.filename} ({what}); choose an --out you can write to, "
            "or point DANCENET_CACHE at a folder you can write to"
        )
    return f"{what}: {error.filename}"

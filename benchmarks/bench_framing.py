"""What framing the dancer buys: the same course trained on framed and on whole-frame silhouettes.

Part 1, the course's stage video (``cpu`` profile unless ``--profile``): for each pipeline, the
VAE's held-out reconstruction IoU; the ghost rate (as defined in the book's measures) of 200
interpolation midpoints and 200 samples from the prior, and the prior samples' median IoU with
the nearest non-empty real silhouette; the ghost rate of four generated dances of 1,000 frames at
the default temperature, warmed up as chapter 8 does.

Part 2, a hard stage video (a dancer 20 % of the frame high, two passers-by): how often the
track is on the dancer (against the stage's ground truth), how many frames were dropped, and the
whole ``dancenet dance`` command on it — the share of non-empty frames and the ghost rate of the
MP4 it writes — framed, and (``--before``) with whole-frame silhouettes as the original.

Everything is cached (``$DANCENET_CACHE``): after ``make notebooks`` in the same profile, part 1
reuses the chapters' models. Run: python benchmarks/bench_framing.py [--profile cpu] [--before] [--part 1|2]
"""

import argparse
import dataclasses
import os
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from _machine import machine  # noqa: E402

from dancenet import choreography, cli, framing, judges, sequence, stage, vae, video  # noqa: E402
from dancenet.artifacts import STAGE_SEED, Pipeline  # noqa: E402

SAMPLES, DANCERS, LENGTH = 200, 4, 1000
HARD = stage.StageSettings(dancer_height=0.2, walkers=2)


def latent_space(pipeline: Pipeline) -> dict:
    """Held-out IoU, ghost rates of midpoints and prior samples, and their nearest-real IoU."""
    model, real = pipeline.vae.model, pipeline.training_images
    train, _ = vae.split(real)
    rng = np.random.default_rng(0)
    codes = model.encode(train)
    pairs = rng.choice(len(train), size=(SAMPLES, 2))
    midpoints = model.decode((codes[pairs[:, 0]] + codes[pairs[:, 1]]) / 2)
    prior = model.decode(rng.standard_normal((SAMPLES, codes.shape[1])).astype(np.float32))
    return {
        "held-out IoU": pipeline.vae.held_out_iou,
        "midpoint ghosts": judges.ghost_rate(midpoints, train),
        "prior ghosts": judges.ghost_rate(prior, train),
        "prior nearest-real IoU": float(np.median(vae.nearest_silhouette_iou(prior, train))),
    }


def generated_ghosts(pipeline: Pipeline) -> float:
    """Ghost rate of four dances of 1,000 frames at the default temperature (chapter 8's set-up)."""
    dancer = pipeline.dancer("memory")
    data = dancer.latent_sequence
    starts = np.linspace(0, len(data.train) - sequence.WINDOW, DANCERS).astype(int)
    warm_ups = np.stack([data.train[s : s + sequence.WINDOW] for s in starts])
    dances = dancer.choreographer.generate(warm_ups, LENGTH, choreography.DEFAULT_TEMPERATURE, seed=1)
    frames = np.concatenate([dancer.decode(d) for d in dances])
    return judges.ghost_rate(frames, pipeline.training_images)


def hard_video(profile, folder: Path) -> stage.StageRecording:
    height, width = profile.video_size
    settings = dataclasses.replace(HARD, height=height, width=width)
    return stage.write_stage_video(folder, profile.stage_frames, seed=STAGE_SEED, settings=settings)


def dance_command(recording, profile: str, framed: bool, out: Path) -> dict:
    """Run ``dancenet dance`` (framed) or its whole-frame twin; measure the MP4 it writes."""
    pipeline = Pipeline(profile, video=recording.video_path, framed=framed)
    if framed:
        status = cli.main(
            ["dance", "--video", str(recording.video_path), "--out", str(out)] + ["--profile", profile]
        )
        if status != 0:
            raise SystemExit(f"dancenet dance failed with status {status}")
        frames = video.read_frames(out, progress=False).mean(axis=-1) / 255.0
    else:  # the same steps as the command, on whole frames
        dancer = pipeline.dancer("memory")
        frames = dancer.decode(dancer.dance(300, seed=0)[0])[..., 0]
    sil = pipeline.silhouettes
    truth = recording.masks[sil.whole_indices]
    return {
        "non-empty frames": float(((frames > 0.5).sum(axis=(1, 2)) > 0).mean()),
        "ghost rate": judges.ghost_rate(frames, pipeline.training_images),
        "track on dancer": float(framing.track_on_dancer(sil.track, truth).mean()),
        "found": float(np.isfinite(sil.raw_track).all(axis=1).mean()),
        "dropped": sil.dropped,
        "held-out IoU": pipeline.vae.held_out_iou,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--before", action="store_true", help="also run part 2 on whole frames")
    parser.add_argument("--part", type=int, choices=(1, 2), help="run only this part")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"{date.today()} — {machine()} — profile {args.profile}\n")

    if args.part != 2:
        stage_video(args.profile)
    if args.part != 1:
        hard_footage(args.profile, args.before)
    print(f"\n{time.perf_counter() - started:.0f} s")


def stage_video(profile: str) -> None:
    print("part 1: the stage video")
    rows = {}
    for name, framed in (("whole frames", False), ("framed", True)):
        pipeline = Pipeline(profile, framed=framed)
        rows[name] = {**latent_space(pipeline), "generated ghosts": generated_ghosts(pipeline)}
    columns = list(rows["framed"])
    print("| silhouettes | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |")


def hard_footage(profile_name: str, before: bool) -> None:
    print("\npart 2: a dancer 20 % of the frame high, two passers-by")
    with tempfile.TemporaryDirectory() as scratch:
        profile = Pipeline(profile_name).profile
        recording = hard_video(profile, Path(scratch) / "hard")
        results = {
            "framed (dancenet dance)": dance_command(recording, profile_name, True, Path(scratch) / "d.mp4")
        }
        if before:
            results["whole frames"] = dance_command(recording, profile_name, False, Path(scratch) / "w.mp4")
    columns = list(results["framed (dancenet dance)"])
    print("| silhouettes | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, row in results.items():
        print(
            f"| {name} | "
            + " | ".join(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in columns)
            + " |"
        )


if __name__ == "__main__":
    main()

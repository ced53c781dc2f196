"""The move judge and what it says of generated dances (``cpu`` profile unless ``--profile``).

First the judge itself: training time, epochs, held-out accuracy (the last 20 % of the stage
video's framed silhouettes, in time order) and which moves that part holds; then its accuracy on
a fresh stage video it never saw (another routine, dancer and stage: seed 21), move by move, read
as a video of your own would be — through background removal and framing. Then four dancers of
1,000 frames from each generator, warmed up as chapter 8 does — ours and the original's model at
the course's temperature, the original as it was (τ = 0.01, each code fed back unscaled) and a
linear model of the last two codes — judged beside the real dance: the real held-out silhouettes
in two halves and the held-out codes decoded by the VAE. The Fréchet judge distance compares every
set with the training part's silhouettes, on equal numbers of windows. Then the exact transition
references: what the routine's own chain and a random order of its moves score per change. Last,
one dancer of ours for 10,000 frames: does it ever freeze or loop?

Everything is cached (``$DANCENET_CACHE``). Run: python benchmarks/bench_judges.py [--profile cpu]
"""

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from _machine import machine  # noqa: E402

from dancenet import choreography, judges, measures, sequence, stage  # noqa: E402
from dancenet.artifacts import Pipeline  # noqa: E402

DANCERS, LENGTH = 4, 1000
FRESH_SEED = 21
LONG_DANCE = 10_000


def fresh_accuracy(pipeline: Pipeline, judge) -> dict:
    """The judge's accuracy per move on a fresh stage video, framed by the course's own pipeline."""
    profile = pipeline.profile
    height, width = profile.video_size
    settings = stage.StageSettings(height=height, width=width)
    with tempfile.TemporaryDirectory() as scratch:
        recording = stage.write_stage_video(
            Path(scratch) / "fresh", profile.stage_frames, seed=FRESH_SEED, settings=settings
        )
        silhouettes = Pipeline(profile, video=recording.video_path).silhouettes
        labels = recording.labels[silhouettes.frame_indices]
    true, judged = judges.judged_clip(judge, silhouettes.images, labels, silhouettes.frame_indices)
    return {stage.MOVES[m]: float((judged[true == m] == m).mean()) for m in np.unique(true)} | {
        "all": float((true == judged).mean()),
        "windows": len(true),
    }


def the_judge(pipeline: Pipeline):
    """The trained judge, with its training time (0 when it came from the cache) and its data."""
    started = time.perf_counter()
    trained = pipeline.move_judge
    seconds = time.perf_counter() - started
    silhouettes = pipeline.silhouettes
    labels = pipeline.stage.labels[silhouettes.frame_indices]
    data = judges.judge_data(silhouettes.images, labels, silhouettes.frame_indices)
    return trained, seconds, data


def dances(pipeline: Pipeline) -> dict:
    """Four dances of 1,000 frames from each generator, decoded: ``{name: [frames (T, H, W), …]}``."""
    data = pipeline.latent_sequence
    starts = np.linspace(0, len(data.train) - sequence.WINDOW, DANCERS).astype(int)
    warm_ups = np.stack([data.train[s : s + sequence.WINDOW] for s in starts])
    tau = choreography.DEFAULT_TEMPERATURE
    ours = choreography.Choreographer(pipeline.sequence_model("memory").model)
    original = choreography.Choreographer(pipeline.sequence_model("original").model)
    linear = sequence.LinearAutoregressive.fit(data.train, order=2)
    codes = {
        "original as it was (τ = 0.01, fed back unscaled)": original.generate(
            warm_ups, LENGTH, 0.01, seed=1, unscaled_feedback=data.scaler
        ),
        f"original model, τ = {tau}": original.generate(warm_ups, LENGTH, tau, seed=1),
        f"linear, last two codes, τ = {tau}": linear.generate(warm_ups, LENGTH, tau, seed=1),
        f"ours, τ = {tau}": ours.generate(warm_ups, LENGTH, tau, seed=1),
    }
    decode = pipeline.vae.model.decode
    return {name: [decode(data.scaler.inverse(d))[..., 0] for d in group] for name, group in codes.items()}


def long_dance(pipeline: Pipeline) -> dict:
    """Freezes and loops of one dancer of ours over :data:`LONG_DANCE` frames at the course's τ."""
    data = pipeline.latent_sequence
    ours = choreography.Choreographer(pipeline.sequence_model("memory").model)
    codes = ours.generate(data.train[: sequence.WINDOW], LONG_DANCE, choreography.DEFAULT_TEMPERATURE, seed=3)
    row = measures.report({"long": codes}, data.held_out, reference=data.train)["long"]
    return {key: row[key] for key in ("motion energy", "frozen windows", "longest repeat (frames)", "loops")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="cpu")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"{date.today()} — {machine()} — profile {args.profile}\n")
    pipeline = Pipeline(args.profile)

    trained, seconds, data = the_judge(pipeline)
    true, judged = judges.held_out_moves(trained.model, data)
    present = [stage.MOVES[m] for m in np.unique(true)]
    print(
        f"move judge: {seconds:.0f} s to train (0 = cached), {len(trained.history['loss'])} epochs, "
        f"held-out accuracy {trained.held_out_accuracy:.3f} on {len(true)} windows "
        f"of {len(present)} of the {len(stage.MOVES)} moves ({', '.join(present)})\n"
    )

    fresh = fresh_accuracy(pipeline, trained.model)
    overall, windows = fresh.pop("all"), fresh.pop("windows")
    print(f"on a fresh stage video (seed {FRESH_SEED}): {overall:.3f} of {windows} windows")
    print("| move | " + " | ".join(fresh) + " |\n" + "|---" * (len(fresh) + 1) + "|")
    print("| accuracy | " + " | ".join(f"{v:.2f}" for v in fresh.values()) + " |\n")

    images = pipeline.silhouettes.images[..., 0]
    cut = data.starts["held_out"].min()  # where the held-out part begins
    held_out = images[cut:]
    half = len(held_out) // 2
    sequences = pipeline.latent_sequence
    real = {
        "real held-out silhouettes (two halves)": [held_out[:half], held_out[half:]],
        "real held-out codes, decoded": [
            pipeline.vae.model.decode(sequences.scaler.inverse(sequences.held_out))[..., 0]
        ],
    }
    sets = {**real, **dances(pipeline)}
    fps = pipeline.stage.meta["fps"] / pipeline.profile.frame_stride
    rows = judges.judge_dances(trained.model, sets, images[:cut], fps, pipeline.stage.meta["bpm"])
    columns = ["move TV", "changes", "forbidden", "log_probability", "median duration", "confidence", "FJD"]
    print("| dances | " + " | ".join(columns) + " | ghost rate |")
    print("|---" * (len(columns) + 2) + "|")
    for name, row in rows.items():
        ghosts = judges.ghost_rate(np.concatenate(sets[name]), images)
        cells = [f"{row[c]:.3g}" if isinstance(row[c], float) else str(row[c]) for c in columns]
        print(f"| {name} | " + " | ".join(cells) + f" | {ghosts:.3f} |")
    print("\nexact transition references:", judges.transition_references())
    print(f"\nours, one dancer of {LONG_DANCE:,} frames:", long_dance(pipeline))
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

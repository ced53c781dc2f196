"""Beat tracking on the stage's music, against its exactly known beats, the beat alignment of
the real stage dance, and that of generated dances to new songs at tempi the models never danced to
(issue 16's bars: tempo within 2 %, beat F-measure >= 0.9; the model with music at least the real
dance's own score - 0.02, and clearly above the model without music).

Run: python benchmarks/bench_music.py [--seeds 40] [--seconds 60] [--profile cpu]
"""

import argparse
import time
from datetime import date

import numpy as np
from _machine import machine

from dancenet import choreography, judges, music, stage
from dancenet.artifacts import STAGE_SEED, Pipeline


def tracking(seeds: int, seconds: float) -> None:
    print(f"\n## beat tracking, {seconds:g} s of the stage's music for each of stage seeds 0-{seeds - 1}")
    errors, scores, times = [], [], []
    for seed in range(seeds):
        routine = stage.plan_routine(round(seconds * 30), seed=seed)
        truth = stage.compose(routine.clock, seconds, seed)
        start = time.perf_counter()
        beats = music.track_beats(truth.samples)
        times.append(time.perf_counter() - start)
        errors.append(abs(beats.tempo / routine.bpm - 1))
        scores.append(music.beat_f_measure(truth.beats, beats.times))
    errors, scores = np.array(errors), np.array(scores)
    print(
        f"tempo error: worst {errors.max():.2%}, median {np.median(errors):.2%}; "
        f"within 2 %: {(errors <= 0.02).sum()} of {seeds}"
    )
    print(
        f"beat F-measure: worst {scores.min():.3f}, mean {scores.mean():.3f}; "
        f">= 0.9: {(scores >= 0.9).sum()} of {seeds}"
    )
    print(
        f"tracking time per {seconds:g} s: median {1000 * np.median(times[1:]):.0f} ms "
        f"(the first, {1000 * times[0]:.0f} ms, compiles librosa's code)"
    )


def alignment(profile: str) -> None:
    """The real stage dance's beat alignment (its codes at the profile's frame rate), beside the
    same music moved half a beat and beats at random times: the floor a dance must clear."""
    pipeline = Pipeline(profile, progress=False)
    recording, codes = pipeline.artifact("stage").get(), pipeline.latents
    frames = pipeline.silhouettes.frame_indices
    fps = recording.meta["fps"] / (frames[1] - frames[0])
    beats = recording.beats - frames[0] / recording.meta["fps"]
    half = np.diff(recording.beats).mean() / 2
    rng = np.random.default_rng(0)
    print(
        f"\n## beat alignment of the real stage dance "
        f"({profile}: {len(codes)} codes at {fps:g} fps, seed {STAGE_SEED})"
    )
    print(f"music beats as played: {judges.beat_alignment(beats, codes, fps):.3f}")
    print(f"moved half a beat:     {judges.beat_alignment(beats + half, codes, fps):.3f}")
    random_beats = np.sort(rng.uniform(0, len(codes) / fps, len(beats)))
    print(f"at random times:       {judges.beat_alignment(random_beats, codes, fps):.3f}")
    print(f"motion beats per music beat: {len(judges.motion_beats(codes, fps)) / len(beats):.2f}")


def dances(profile: str, tempi=(90, 100, 135, 150), song_seeds=(1, 2, 3), dancers=8, seconds=40.0) -> None:
    """Eight dancers of each model to each of several new songs (chapter 9's comparison, widened):
    the mean beat alignment per tempo, against the songs' true beats, and the ghost rate of the
    decoded dances."""
    pipeline = Pipeline(profile, progress=False)
    data, fps = pipeline.music_sequence, pipeline.dance_music.fps
    real_images = pipeline.training_images
    real = judges.beat_alignment(pipeline.dance_music.beats - len(data.train) / fps, data.held_out, fps)
    models = {
        "with music, three tempi": pipeline.dancer("music"),
        "with music, one tempo": pipeline.dancer("music-one-tempo"),
        "without music": pipeline.dancer("memory"),
    }
    tau = choreography.DEFAULT_TEMPERATURE
    print(
        f"\n## beat alignment of generated dances ({profile}, τ = {tau}, {dancers} dancers × "
        f"{seconds:g} s per song, song seeds {', '.join(map(str, song_seeds))})"
    )
    print(f"the real held-out dance, its own music ({pipeline.dance_music.tempo:.2f} bpm): {real:.3f}")
    print("beat alignment, then ghost rate")
    print("tempo (bpm)  " + "  ".join(f"{name:>23}" for name in models))
    for bpm in tempi:
        scores, ghosts = {name: [] for name in models}, {name: [] for name in models}
        for seed in song_seeds:
            song = stage.compose(stage.BeatClock.random(bpm, np.random.default_rng(seed)), seconds, seed)
            _, features = music.song_features(song.samples, fps)
            for name, dancer in models.items():
                generated = dancer.dance(music_features=features, dancers=dancers, temperature=tau, seed=seed)
                scores[name] += [judges.beat_alignment(song.beats, codes, fps) for codes in generated]
                frames = np.concatenate([dancer.decode(codes) for codes in generated])
                ghosts[name].append(judges.ghost_rate(frames, real_images))
        print(f"{bpm:>11}  " + "  ".join(f"{np.mean(s):>23.3f}" for s in scores.values()))
        print(f"{'':>11}  " + "  ".join(f"{np.mean(g):>23.2%}" for g in ghosts.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--profile", default="cpu", help="whose cached (or trained) codes to align")
    args = parser.parse_args()
    print(f"# music, {date.today()}, {machine()}")
    tracking(args.seeds, args.seconds)
    alignment(args.profile)
    dances(args.profile)


if __name__ == "__main__":
    main()

"""Does a generated dance have the routine's structure? (``cpu`` profile unless ``--profile``.)

Twenty dances of two minutes (long enough for a chorus to return) from each generator: ours and
the original's model, each at the course's temperature and at τ = 1 (sampled as trained), warmed
up on the last codes of the long dance they learned from. Their frames (decoded by the VAE) are
read by the move judge, and the judged moves by the structure judges (:mod:`dancenet.structure`):
changes on bar lines (the bar grid's phase free, as no generated dance hears music and the judge
reads a clip's move a little late), bigram and trigram total variation against the routine's, the
share of moves inside whole known combinations, and the share of combinations that return.

Beside them, the real floor: twenty fresh routines as long (seeds 1000-1019, none trained on),
rendered, encoded and decoded through the same VAE and read by the same judge; and its controls
(a Markov resampling of each real dance's judged moves, a shuffle, a frozen dancer). Every figure
is a mean over the twenty dances with a 95 % bootstrap interval over dances.

Everything trained is cached (``$DANCENET_CACHE``). Run: python benchmarks/bench_structure.py
"""

import argparse
import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from _machine import machine  # noqa: E402

from dancenet import choreography, structure  # noqa: E402
from dancenet.artifacts import STAGE_SEED, Pipeline  # noqa: E402

DANCERS, SECONDS = 20, 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu")
    args = parser.parse_args()
    pipeline = Pipeline(args.profile, progress=False)
    vae, judge = pipeline.vae.model, pipeline.move_judge.model
    fps, bpm = pipeline.long_dance.fps, pipeline.long_dance.bpm
    length = round(SECONDS * fps)
    print(
        f"{machine()}, {date.today()}, profile {args.profile}: "
        f"{DANCERS} dances of {SECONDS:g} s ({length} codes)"
    )

    started = time.perf_counter()
    reals = structure.fresh_dances(vae.encode, DANCERS, length, STAGE_SEED, pipeline.profile)
    rows = {"real (fresh routines)": [], "real, true moves": []}
    real_runs = []
    for dance in reals:
        runs = structure.judged_runs(judge, vae.decode(dance.codes), fps)
        real_runs.append(runs)
        rows["real (fresh routines)"].append(structure.structure_measures(runs, fps, dance.bpm))
        true = structure.runs_of(dance.labels)
        rows["real, true moves"].append(structure.structure_measures(true, fps, dance.bpm))
    for k, runs in enumerate(real_runs):
        for name, control in structure.controls(runs, seed=k).items():
            rows.setdefault(f"control: {name}", []).append(structure.structure_measures(control, fps, bpm))
    print(f"real dances and controls: {time.perf_counter() - started:.0f} s")

    for kind in ("memory", "original"):
        dancer = pipeline.dancer(kind)
        for temperature in (choreography.DEFAULT_TEMPERATURE, 1.0):
            started = time.perf_counter()
            codes = dancer.dance(length, dancers=DANCERS, temperature=temperature, seed=0)
            name = f"{'ours' if kind == 'memory' else 'original'} τ={temperature:g}"
            rows[name] = [
                structure.structure_measures(structure.judged_runs(judge, dancer.decode(c), fps), fps, bpm)
                for c in codes
            ]
            print(f"{name}: {time.perf_counter() - started:.0f} s")
    print(structure.structure_table(rows))


if __name__ == "__main__":
    main()

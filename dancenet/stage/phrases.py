"""Phrases: how the routine strings moves together, the way a choreographer counts a dance.

Dancers count in eights: a phrase is eight counts (beats), two bars of four, and moves change on
bar lines. Moves are danced in **combinations**, fixed sequences of two to four moves that fill 8
or 16 counts, and a combination is often danced again at once **on the other side** (mirrored).
The routine follows a **song form**: verses of combinations chosen one after another, a chorus
whose combination comes back every time the chorus does, and a bridge. A long routine dances one
song after another, each with its own chorus.

What comes next therefore depends on more than the current move: where the dancer is in the
combination, whether it was already mirrored, which section this is, and what the chorus was.
That is what a sequence model's memory can learn, and what :mod:`.memory` measures exactly.

Every choice is drawn from an explicit distribution (:func:`_choices`), so each step also carries
the true chance of its move given everything the routine had decided before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .moves import MOVE_BEATS, MOVES

#: beats in a bar: moves start on bar lines
BAR = 4
#: counts in a phrase ("five, six, seven, eight"): the music marks the start of each
COUNTS = 8

#: the combinations: name → the moves danced, each with its length in bars (1 or 2)
COMBINATIONS = {
    "warm_up": (("idle_bounce", 1), ("arm_wave", 1)),
    "power": (("jumping_jack", 1), ("squat_pulse", 1)),
    "wave_roll": (("arm_wave", 1), ("body_roll", 1)),
    "spin": (("turn", 1), ("high_clap", 1)),
    "kick_turn": (("side_kick", 1), ("turn", 1)),
    "march_clap": (("march", 1), ("high_clap", 1)),
    "grapevine": (("step_touch", 1), ("hip_sway", 1), ("step_touch", 1), ("disco_point", 1)),
    "kicks": (("front_kick", 1), ("march", 1), ("side_kick", 2)),
    "disco": (("disco_point", 1), ("hip_sway", 1), ("body_roll", 1), ("turn", 1)),
    "windmills": (("windmill", 2), ("squat_pulse", 1), ("jumping_jack", 1)),
    "cheer": (("high_clap", 1), ("jumping_jack", 1), ("march", 1), ("idle_bounce", 1)),
    "groove": (("hip_sway", 1), ("step_touch", 1), ("body_roll", 1), ("windmill", 1)),
}
COMBINATION_NAMES = tuple(COMBINATIONS)

#: the sections of a song, and the order one song dances them in
SECTIONS = ("verse", "chorus", "bridge")
SONG_FORM = ("verse", "chorus", "verse", "chorus", "bridge", "chorus")
#: counts in a verse and in a bridge; a chorus is its combination danced and then mirrored
VERSE_COUNTS, BRIDGE_COUNTS = 32, 16
#: the chance that a combination danced in a verse or a bridge is danced again, mirrored, at once
MIRROR_REPEAT = 0.6

#: which combinations tend to follow which (weight 3 against 1 for the others): a choreographer's
#: habits, so that even the order of combinations is not uniform
_FAVOURITES = {
    "warm_up": ("grapevine", "power"),
    "power": ("wave_roll", "cheer"),
    "wave_roll": ("spin", "kicks"),
    "spin": ("groove", "march_clap"),
    "kick_turn": ("warm_up", "disco"),
    "march_clap": ("windmills", "wave_roll"),
    "grapevine": ("kick_turn", "power"),
    "kicks": ("warm_up", "groove"),
    "disco": ("march_clap", "windmills"),
    "windmills": ("disco", "warm_up"),
    "cheer": ("wave_roll", "spin"),
    "groove": ("cheer", "kicks"),
}


def combination_moves(combination) -> tuple[int, ...]:
    """The move labels of a combination (by name or index), in the order danced."""
    name = COMBINATION_NAMES[combination] if isinstance(combination, (int, np.integer)) else combination
    return tuple(MOVES.index(move) for move, _ in COMBINATIONS[name])


def combination_counts(combination) -> int:
    """How many counts (beats) a combination fills: 8 or 16."""
    name = COMBINATION_NAMES[combination] if isinstance(combination, (int, np.integer)) else combination
    return BAR * sum(bars for _, bars in COMBINATIONS[name])


def combination_chain() -> np.ndarray:
    """``(C, C)`` weights of combination ``j`` following combination ``i`` in a verse or bridge,
    before the rules of :func:`_choices` (no combination twice in a row except as its mirror
    repeat, no move danced twice across the join) remove some and the rest are normalized."""
    names = COMBINATION_NAMES
    weights = np.ones((len(names), len(names)))
    for name, favourites in _FAVOURITES.items():
        for favourite in favourites:
            weights[names.index(name), names.index(favourite)] = 3.0
    np.fill_diagonal(weights, 0.0)
    return weights


@dataclass(frozen=True)
class Step:
    """One move of the routine: from beat ``start`` for ``beats`` beats (a whole number of bars).

    ``chance`` is the true probability ``(M,)`` of each move at this step given everything the
    routine had decided before it: one move for a step inside a combination, a spread where a
    new combination (or a mirror repeat) is chosen.
    """

    start: int
    beats: int
    move: int
    mirror: bool
    amplitude: float
    combination: int
    repeat: bool  # the combination danced again, on the other side
    section: int  # index into SECTIONS
    song: int
    chance: np.ndarray


@dataclass(frozen=True)
class _Danced:
    """A combination as danced: which, on which side, how big, and whether it is the repeat."""

    combination: int
    mirror: bool
    amplitude: float
    repeat: bool


def _first(c: int) -> int:
    return combination_moves(c)[0]


def _last(c: int) -> int:
    return combination_moves(c)[-1]


def _choices(previous: _Danced | None, remaining: int, chorus: int, in_section: bool) -> list:
    """Every way to continue a verse or bridge with ``remaining`` counts left: ``[(probability,
    combination, repeat)]``. The previous combination (if in this section, not itself a repeat, and
    it fits) is danced again mirrored with probability :data:`MIRROR_REPEAT`; otherwise a new one
    follows it by :func:`combination_chain`, among those that fit, are not the chorus, do not start
    with the move just danced, and do not end on the chorus's first move."""
    chain = combination_chain()
    options = []
    rest = 1.0
    repeatable = previous is not None and in_section and not previous.repeat
    if repeatable and combination_counts(previous.combination) <= remaining:
        options.append((MIRROR_REPEAT, previous.combination, True))
        rest = 1.0 - MIRROR_REPEAT
    row = chain[previous.combination] if previous is not None else np.ones(len(COMBINATION_NAMES))
    weights = np.array(
        [
            row[c]
            * (c != chorus)
            * (combination_counts(c) <= remaining)
            * (previous is None or _first(c) != _last(previous.combination))
            * (_last(c) != _first(chorus))
            for c in range(len(COMBINATION_NAMES))
        ]
    )
    if weights.sum() == 0:
        return [(1.0, c, r) for _, c, r in options]
    options += [(rest * w / weights.sum(), c, False) for c, w in enumerate(weights) if w > 0]
    return options


def _chorus_choices(previous_chorus: int | None) -> np.ndarray:
    """The chance of each combination being a new song's chorus: any 16-count combination other
    than the last song's chorus, each as likely."""
    weights = np.array([combination_counts(c) == 2 * COUNTS for c in range(len(COMBINATION_NAMES))], float)
    if previous_chorus is not None:
        weights[previous_chorus] = 0.0
    return weights / weights.sum()


def _move_chance(options) -> np.ndarray:
    """The chance ``(M,)`` of each first move, over the combinations that may come next."""
    chance = np.zeros(len(MOVES))
    for probability, combination, _ in options:
        chance[_first(combination)] += probability
    return chance


def plan_steps(n_beats: float, rng) -> list[Step]:
    """Steps from beat 0 until ``n_beats`` is covered: songs in :data:`SONG_FORM`, sections filled
    with combinations, every choice drawn from ``rng`` by the distributions of :func:`_choices`."""
    steps: list[Step] = []
    previous: _Danced | None = None
    chorus_before: int | None = None
    song = 0
    beat = 0
    while beat <= n_beats:
        chorus_chance = _chorus_choices(chorus_before)
        chorus = int(rng.choice(len(chorus_chance), p=chorus_chance))
        for section_name in SONG_FORM:
            section = SECTIONS.index(section_name)
            danced_here = False
            if section_name == "chorus":
                side, amplitude = bool(rng.random() < 0.5), float(rng.uniform(0.75, 1.1))
                for repeat in (False, True):
                    previous = _Danced(chorus, side ^ repeat, amplitude, repeat)
                    beat = _dance(steps, previous, beat, section, song, _certain(_first(chorus)))
                continue
            remaining = VERSE_COUNTS if section_name == "verse" else BRIDGE_COUNTS
            while remaining > 0:
                options = _choices(previous, remaining, chorus, in_section=bool(danced_here))
                pick = rng.choice(len(options), p=np.array([p for p, _, _ in options]))
                _, combination, repeat = options[pick]
                if repeat:
                    danced = _Danced(combination, not previous.mirror, previous.amplitude, True)
                else:
                    danced = _Danced(
                        combination, bool(rng.random() < 0.5), float(rng.uniform(0.75, 1.1)), False
                    )
                beat = _dance(steps, danced, beat, section, song, _move_chance(options))
                danced_here = True
                previous = danced
                remaining -= combination_counts(combination)
            if beat > n_beats:
                break
        if beat > n_beats:
            break
        chorus_before = chorus
        song += 1
    return [step for step in steps if step.start <= n_beats]


def _certain(move: int) -> np.ndarray:
    chance = np.zeros(len(MOVES))
    chance[move] = 1.0
    return chance


def _dance(steps: list, danced: _Danced, beat: int, section: int, song: int, first_chance) -> int:
    """Append the steps of one danced combination from ``beat``; the beat after it."""
    name = COMBINATION_NAMES[danced.combination]
    for k, (move_name, bars) in enumerate(COMBINATIONS[name]):
        move = MOVES.index(move_name)
        beats = bars * BAR
        assert beats % MOVE_BEATS[move] == 0  # a whole number of the move's cycles
        chance = first_chance if k == 0 else _certain(move)
        steps.append(
            Step(
                beat,
                beats,
                move,
                danced.mirror,
                danced.amplitude,
                danced.combination,
                danced.repeat,
                section,
                song,
                chance,
            )
        )
        beat += beats
    return beat

"""The long dance: a routine's true masks framed chunk by chunk, encoded, with its truth beside the codes;
two dances prepared as training and held-out sequences."""

import numpy as np
import pytest

from dancenet import long_dance, sequence, stage


def mean_pixels(images):
    """A stand-in encoder: each image's mean and its top half's mean."""
    half = images.shape[1] // 2
    return np.column_stack([images.mean(axis=(1, 2, 3)), images[:, :half].mean(axis=(1, 2, 3))])


def small(**changes):
    return dict(video_size=(48, 80), image_size=(24, 40), stride=2, **changes)


def test_framed_masks_come_in_order_and_chunks_change_nothing(monkeypatch):
    routine, kept, batches = long_dance.framed_masks(300, seed=3, dancer_seed=8, progress=False, **small())
    whole = np.concatenate(list(batches))
    assert len(routine.labels) == 300 and np.array_equal(kept, np.arange(0, 300, 2))
    assert whole.shape == (150, 24, 40, 1) and whole.dtype == np.float32
    assert whole.min() >= 0 and whole.max() <= 1 and (whole.mean(axis=(1, 2, 3)) > 0.02).all()  # a dancer
    monkeypatch.setattr(long_dance, "CHUNK", 40)
    _, _, batches = long_dance.framed_masks(300, seed=3, dancer_seed=8, progress=False, **small())
    chunked = list(batches)
    assert [len(b) for b in chunked] == [40, 40, 40, 30]
    np.testing.assert_array_equal(np.concatenate(chunked), whole)


def test_dance_codes_carry_the_routine_s_truth(tmp_path):
    dance = long_dance.dance_codes(mean_pixels, 600, seed=4, dancer_seed=8, progress=False, **small())
    routine = stage.plan_routine(600, seed=4)
    assert dance.codes.shape == (300, 2) and dance.fps == 15.0 and dance.seconds == pytest.approx(20.0)
    np.testing.assert_array_equal(dance.labels, routine.labels[::2])
    np.testing.assert_array_equal(dance.counts, routine.counts[::2])
    assert dance.bpm == routine.bpm and dance.seed == 4
    np.testing.assert_allclose(dance.beats, routine.clock.beat_times(20.0))
    dance.save(tmp_path)
    again = long_dance.DanceCodes.load(tmp_path)
    np.testing.assert_array_equal(again.codes, dance.codes)
    assert again.fps == dance.fps and again.seed == 4 and again.sections.dtype == np.int8


def test_the_dancer_is_the_stage_video_s_whatever_the_routine():
    """The same pose by the same dancer frames the same, whichever routine it is in."""
    _, _, a = long_dance.framed_masks(60, seed=1, dancer_seed=8, progress=False, **small())
    _, _, b = long_dance.framed_masks(60, seed=1, dancer_seed=9, progress=False, **small())
    assert not np.array_equal(next(a), next(b))  # another seed's dancer has another body


def test_two_dances_prepare_as_training_and_held_out():
    rng = np.random.default_rng(0)
    train, held_out = rng.normal(2.0, 3.0, (500, 4)), rng.normal(2.0, 3.0, (200, 4))
    data = sequence.prepare_dances(train, held_out, lead_in=64)
    assert data.train.shape == (500, 4) and data.held_out.shape == (136, 4) and data.lead_in.shape == (64, 4)
    np.testing.assert_allclose(data.train.mean(axis=0), 0, atol=1e-5)  # standardized on the training dance
    np.testing.assert_allclose(data.scaler.inverse(data.whole), held_out, atol=1e-4)
    with pytest.raises(ValueError, match="too short"):
        sequence.prepare_dances(train, held_out[:50])
    with pytest.raises(ValueError, match="dimensions"):
        sequence.prepare_dances(train, held_out[:, :3])


def test_held_out_nll_scores_only_after_the_lead_in():
    rng = np.random.default_rng(1)
    codes = np.cumsum(rng.normal(0, 0.1, (400, 3)), axis=0)
    data = sequence.prepare_dances(codes[:300], codes[300:], lead_in=20)
    nll = sequence.held_out_nll(sequence.StandStill.fit(data.train), data)
    assert nll.shape == (80,) and np.isfinite(nll).all()

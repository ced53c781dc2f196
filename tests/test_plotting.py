"""The animation player works offline and describes itself."""

import re

import numpy as np
import pytest

from dancenet import plotting


@pytest.fixture(scope="module")
def player() -> str:
    frames = np.zeros((5, 24, 16), dtype=np.uint8)
    frames[np.arange(5), np.arange(5) * 4, :] = 255
    return plotting.animation(frames, alt='a bar moving "down"', fps=5).data


def test_player_loads_nothing_from_the_network(player):
    assert not re.search(r'(href|src)="https?://', player)
    assert "font-awesome" not in player and 'class="fa ' not in player


def test_every_button_has_a_symbol_and_a_name(player):
    buttons = re.findall(r"<button[^>]*>\s*(.*?)</button>", player, flags=re.S)
    assert len(buttons) == 9
    assert all(re.fullmatch(r'<span aria-hidden="true">[^<]+</span>', button) for button in buttons)
    assert player.count("aria-label=") >= 9


def test_frames_carry_the_alt_text_escaped(player):
    assert re.search(r'<img alt="a bar moving &quot;down&quot;" id="_anim_img', player)


def test_all_frames_are_in_the_player(player):
    assert player.count("data:image/jpeg;base64,") == 5


@pytest.mark.parametrize("frames, alt", [(np.zeros((0, 8, 8)), "empty"), (np.zeros((2, 8, 8)), "  ")])
def test_bad_input_is_refused(frames, alt):
    with pytest.raises(ValueError, match="frame|alt"):
        plotting.animation(frames, alt=alt)


def test_side_by_side_puts_pictures_next_to_each_other_with_a_white_gap():
    left, right = np.zeros((6, 5, 3), np.uint8), np.full((6, 2, 3), 9, np.uint8)
    joined = plotting.side_by_side(left, right)
    assert joined.shape == (6, 11, 3) and joined.dtype == np.uint8
    assert (joined[:, :5] == 0).all() and (joined[:, 5:9] == 255).all() and (joined[:, 9:] == 9).all()
    assert plotting.side_by_side(left).shape == left.shape
    with pytest.raises(ValueError, match="share every size"):
        plotting.side_by_side(left, right[:5])


def test_upscale_repeats_pixels_and_rounds_floats_to_uint8():
    image = np.array([[0.0, 0.5], [0.999, 1.2]], np.float32)
    big = plotting.upscale(image, 2)
    assert big.shape == (4, 4) and big.dtype == np.uint8
    np.testing.assert_array_equal(big[::2, ::2], [[0, 128], [255, 255]])


def first_frame(player: str) -> np.ndarray:
    import base64

    import cv2

    data = re.search(r'data:image/jpeg;base64,([^"]+)"', player).group(1).replace("\\\n", "")
    return cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_GRAYSCALE)


def test_a_title_sits_in_a_band_above_the_frames_never_on_them():
    white = np.full((3, 40, 60), 255, np.uint8)
    titled = first_frame(plotting.animation(white, alt="white", title="four dancers, τ = 0.5").data)
    plain = first_frame(plotting.animation(white, alt="white").data)
    assert plain.shape == (80, 120)
    assert titled.shape[1] == 120 and titled.shape[0] > 80
    frames_part, band = titled[-80:], titled[:-80]
    assert frames_part.min() > 200, "the title covers the frames"
    assert band.min() < 100, "no title drawn above the frames"


def test_a_frame_grid_stays_narrow_enough_to_read_in_the_column():
    import matplotlib.pyplot as plt

    fig = plotting.frame_grid([np.zeros((20, 10))] * 12, [f"frame {i}" for i in range(12)], ncols=12, size=2)
    assert fig.get_size_inches()[0] <= plotting.FIGURE_WIDTH + 1e-9
    plt.close(fig)


def test_routine_timeline_draws_sections_combinations_and_moves():
    """Every move danced in the first 96 beats is in the legend, each in its own colour, and
    nothing is drawn past the last beat shown."""
    import matplotlib.pyplot as plt

    from dancenet import stage

    routine = stage.plan_routine(1800, seed=8)
    fig = plotting.routine_timeline(routine, beats=96)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["section", "combination", "move"]
    assert ax.get_xlim() == (0, 96)
    danced = {stage.MOVES[s.move].replace("_", " ") for s in routine.steps if s.start < 96}
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    assert legend == danced | {"mirrored repeat"}
    colours = [tuple(h.get_facecolor()) for h in fig.legends[0].legend_handles[:-1]]
    assert len(set(colours)) == len(colours)
    plt.close(fig)

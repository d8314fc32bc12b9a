"""lstmcourse.diagrams: every diagram renders, says what it should, and is laid out cleanly."""
import itertools
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

from lstmcourse import diagrams  # noqa: E402
from lstmcourse._setup import PLOT_STYLE  # noqa: E402

#: Valid ``steps`` of the diagrams that take it.
STEPS = {"unrolled_rnn": range(2, 6), "bptt_graph": range(2, 5), "stacked_rnn": range(2, 6),
         "bidirectional_rnn": range(2, 4)}
#: Every diagram with every valid argument: (name, kwargs).
VARIANTS = [(name, {}) for name in diagrams.DIAGRAMS] + [
    (name, {"steps": steps}) for name, values in STEPS.items() for steps in values]

#: Strings each diagram must draw (in mathtext where they are maths).
EXPECTED = {
    "unrolled_rnn": [r"$x_t$", r"$h_t$", r"$h_{t-1}$", r"$h_0$", r"$x_1$", r"$x_4$", r"$h_4$", r"$\tanh$", "W", "U",
                     "unroll", "kernel (input, units)", "recurrent_kernel (units, units)",
                     r"$h_t = \tanh(x_t W + h_{t-1} U + b)$"],
    "bptt_graph": [r"$L_1$", r"$L_3$", r"$h_0$", r"$h_3$", r"$x_3$", r"$g_1$", r"$\partial L_3/\partial h_3$",
                   r"$\delta_3 U^\top$", r"$\delta_1$", "forward pass", "gradients (backward)",
                   r"$\partial L/\partial W = \sum_t\, x_t^\top \delta_t", r"h_{t-1}^\top \delta_t",
                   r"\mathrm{diag}(1 - h_k^2)\, U^\top", r"(\partial L_3/\partial h_3)\,J_3\,J_2$",
                   "sums over the steps"],
    "lstm_cell": [r"$C_{t-1}$", r"$C_t$", r"$h_{t-1}$", r"$h_t$", r"$x_t$", r"$\sigma$", r"$\tanh$", r"$\odot$", "+",
                  "forget", "input", "candidate", "output", r"$f_t$", r"$i_t$", r"$\tilde C_t$", r"$o_t$",
                  "order i, f, c, o", "kernel (input, 4·units)", "recurrent_kernel (units, 4·units)",
                  "cell state"],
    "gru_cell": [r"$h_{t-1}$", r"$h_t$", r"$x_t$", r"$\sigma$", r"$\tanh$", r"$\odot$", "+", r"$1-$", "update",
                 "reset", "candidate", r"$z_t$", r"$r_t$", r"$\tilde h_t$", r"$1-z_t$",
                 r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t$", "order z, r, h", "reset_after=True",
                 "kernel (input, 3·units)"],
    "stacked_rnn": ["layer 1", "layer 2", "LSTM", r"$h^{(1)}_0$", r"$h^{(2)}_0$", r"$h^{(1)}_4$", r"$h^{(2)}_4$",
                    "return_sequences=True", "return_sequences=False", "(batch, T, features)", "(batch, T, units₁)",
                    "(batch, units₂)", "only the last step", r"$W^{(1)}, U^{(1)}, b^{(1)}$"],
    "bidirectional_rnn": ["forward", "backward", r"$\overrightarrow{h}_0$", r"$\overrightarrow{h}_3$",
                          r"$\overleftarrow{h}_1$", r"$\overleftarrow{h}_4$", r"$x_1$", r"$y_3$", "merge",
                          'merge_mode="concat"', 'merge_mode="sum"', "(batch, T, 2·units)", "(batch, T, units)",
                          r"$y_t = [\overrightarrow{h}_t, \overleftarrow{h}_t]$",
                          r"$y_t = \overrightarrow{h}_t + \overleftarrow{h}_t$"],
    "cell_comparison": ["SimpleRNN", "LSTM", "GRU", "states carried", "gates", "weight blocks", "parameters",
                        "input i, forget f, output o", "update z, reset r", r"$h_t$ and $C_t$",
                        r"$4\,u\,(n + u + 1)$", r"$3\,u\,(n + u + 1) + 3u$", "1 : 3 : 4", "i", "f", "c", "o", "z",
                        "r", "h", "merge into the GRU's z"],
}


def texts(fig):
    """The non-empty strings drawn on a diagram, with their Text artists."""
    return [t for t in fig.texts + fig.axes[0].texts if t.get_visible() and t.get_text().strip()]


def text_strings(fig):
    return [t.get_text() for t in texts(fig)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("name", list(diagrams.DIAGRAMS))
def test_renders_to_png_without_warnings(name, tmp_path):
    path = tmp_path / f"{name}.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = diagrams.DIAGRAMS[name]()
        fig.savefig(path, dpi=100)
    assert not [str(w.message) for w in caught], "e.g. 'Glyph ... missing from font'"
    assert isinstance(fig, Figure)
    image = matplotlib.image.imread(path)
    width, height = fig.get_size_inches()
    assert width == 10 and image.shape[:2] == (round(height * 100), 1000)
    assert image[..., :3].std() > 0.05, "the picture is not blank"


@pytest.mark.parametrize("name", list(diagrams.DIAGRAMS))
def test_title_and_labels(name):
    fig = diagrams.DIAGRAMS[name]()
    assert fig.get_suptitle()
    strings = text_strings(fig)
    joined = "\n".join(strings)
    missing = [s for s in EXPECTED[name] if s not in strings and s not in joined]
    assert not missing, f"{name} does not draw {missing}"


@pytest.mark.parametrize("name", list(diagrams.DIAGRAMS))
def test_custom_title(name):
    assert diagrams.DIAGRAMS[name](title="Look here").get_suptitle() == "Look here"


@pytest.mark.parametrize("name,steps", [(name, s) for name, values in STEPS.items() for s in values])
def test_steps_draw_one_column_per_step(name, steps):
    strings = text_strings(diagrams.DIAGRAMS[name](steps=steps))
    assert f"$x_{steps}$" in strings and f"$x_{steps + 1}$" not in strings
    assert sum(s == "$x_1$" for s in strings) == 1


@pytest.mark.parametrize("name,kwargs", VARIANTS, ids=[f"{n}-{k}" for n, k in VARIANTS])
def test_layout_text_inside_and_not_overlapping(name, kwargs):
    fig = diagrams.DIAGRAMS[name](**kwargs)
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    boxes = []
    for t in texts(fig):
        box = t.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, \
            f"{t.get_text()!r} is clipped by the figure edge"
        boxes.append((t.get_text(), box.expanded(1, 1).padded(-1)))
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"
    # a text is either inside a box (its label) or clear of it, never half on its edge
    shapes = [p.get_window_extent(renderer) for p in fig.axes[0].patches
              if p.get_zorder() >= 3 and not isinstance(p, FancyArrowPatch)]
    for (text, box), shape in itertools.product(boxes, shapes):
        inside = shape.x0 <= box.x0 and box.x1 <= shape.x1 and shape.y0 <= box.y0 and box.y1 <= shape.y1
        assert inside or not box.overlaps(shape), f"{text!r} runs over the edge of {shape}"


def _gap(a, b):
    """Distance in pixels between two boxes along the axis that separates them (< 0: overlap)."""
    return max(a.x0 - b.x1, b.x0 - a.x1, a.y0 - b.y1, b.y0 - a.y1)


@pytest.mark.parametrize("name,kwargs", VARIANTS, ids=[f"{n}-{k}" for n, k in VARIANTS])
def test_layout_boxes_and_nodes_keep_apart(name, kwargs):
    """No two boxes or nodes overlap, and those joined by arrows keep a visible gap (0.15 in)."""
    fig = diagrams.DIAGRAMS[name](**kwargs)
    renderer = fig.canvas.get_renderer()
    shapes = [(p, p.get_window_extent(renderer)) for p in fig.axes[0].patches
              if p.get_zorder() >= 3 and not isinstance(p, FancyArrowPatch)]
    assert len(shapes) >= 5
    for (patch_a, a), (patch_b, b) in itertools.combinations(shapes, 2):
        assert _gap(a, b) >= -1, f"{a} overlaps {b}"
        if not isinstance(patch_a, Rectangle) and not isinstance(patch_b, Rectangle):  # bars may touch
            assert _gap(a, b) >= 15, f"{a} and {b} are too close"


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("name", list(diagrams.DIAGRAMS))
def test_deterministic_and_independent_of_the_notebook_style(name):
    first = _pixels(diagrams.DIAGRAMS[name]())
    np.testing.assert_array_equal(first, _pixels(diagrams.DIAGRAMS[name]()))
    with matplotlib.rc_context({**PLOT_STYLE, "font.size": 20, "font.family": "serif", "lines.linewidth": 5}):
        styled = _pixels(diagrams.DIAGRAMS[name]())
    np.testing.assert_array_equal(first, styled)


@pytest.mark.parametrize("name", list(STEPS))
@pytest.mark.parametrize("steps", [1, 7, 2.5, True, "3"])
def test_bad_steps_raise_a_clear_error(name, steps):
    with pytest.raises(ValueError, match=r"`steps` must be an integer from 2 to \d\. Received: steps="):
        diagrams.DIAGRAMS[name](steps=steps)


def test_stacked_rnn_cell_name():
    assert text_strings(diagrams.stacked_rnn(cell="GRU")).count("GRU") == 2 * 4
    with pytest.raises(TypeError, match=r"`cell` must be a non-empty string. Received: cell=''"):
        diagrams.stacked_rnn(cell="")


@pytest.mark.parametrize("name", list(diagrams.DIAGRAMS))
def test_chinese_diagram_renders_every_glyph_and_no_english_words(name, tmp_path, caplog):
    """language="zh_CN": every label translated (formulas, shapes, keyword arguments and model
    names stay), drawn in the shipped CJK subset without a missing glyph."""
    from lstmcourse import i18n

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = diagrams.DIAGRAMS[name](language="zh_CN")
        fig.savefig(tmp_path / f"{name}.png", dpi=100)
    assert not [str(w.message) for w in caught]
    assert "does not have a glyph" not in caplog.text
    strings = text_strings(fig) + [fig.get_suptitle()]
    assert any("\u4e00" <= ch <= "\u9fff" for s in strings for ch in s)
    left = {s: i18n.english_words(s) for s in strings if i18n.english_words(s)}
    assert not left, f"untranslated: {left}"
    english = diagrams.DIAGRAMS[name]()
    assert text_strings(english) == [t.get_text() for t in texts(english)] and english.get_suptitle().isascii()

"""Diagrams of the course's networks, drawn by code with Matplotlib.

Each function returns a new Matplotlib ``Figure``; in a notebook it shows up by itself
(or call ``plt.show()``). One data unit is one inch, the figures are 10 inches wide, and
all of them share one style:

==================  ===========================================================
colour              meaning
==================  ===========================================================
blue box            an input ``x_t``
green box / line    the hidden state ``h``
yellow line         the LSTM's cell state ``C`` (the conveyor belt)
pink box ``σ``      a gate: a sigmoid of ``x_t W_g + h_{t-1} U_g + b_g``
purple box ``tanh`` a candidate (or the RNN step itself)
white circle        an element-wise operation: ``⊙`` product, ``+`` sum
red arrow           a gradient flowing backwards
orange letters      the weights, shared by every time step
==================  ===========================================================

The notation is the course's: row vectors and Keras's weight layout, so a step computes
``x_t W + h_{t-1} U + b`` with ``W`` the ``kernel`` and ``U`` the ``recurrent_kernel``.

================================  ===============================================
function                          what it shows
================================  ===============================================
:func:`unrolled_rnn`              the RNN folded and unrolled, one W, U, b
:func:`bptt_graph`                forward and backward (gradient) paths of BPTT
:func:`lstm_cell`                 the LSTM cell: conveyor belt, gates, ⊙ and +
:func:`gru_cell`                  the GRU cell: update and reset gates, the z mix
:func:`stacked_rnn`               two layers unrolled, ``return_sequences``
:func:`bidirectional_rnn`         forward and backward chains, both merges
:func:`cell_comparison`           SimpleRNN, LSTM and GRU side by side
================================  ===============================================

Every diagram takes ``language=``: ``"en"`` or ``"zh_CN"`` (default: the current language of
:mod:`lstmcourse.i18n`). In Chinese every label the catalogue knows is drawn translated, in the
shipped CJK subset font (DejaVu Sans as the fallback); formulas stay as they are, in DejaVu's
mathtext, as in English. ``diagrams.lstm_cell(language="zh_CN")``.
"""
import functools
import numbers
from typing import NamedTuple

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import patheffects
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from lstmcourse import i18n

#: Fill and edge colours of the shared style, by role.
COLORS = {
    "input": ("#dbe9f6", "#3b6ea5"),
    "hidden": ("#dcefd6", "#3c7a3c"),
    "cell": ("#fff2cc", "#c98b00"),
    "sigmoid": ("#f9d9dc", "#b03a48"),
    "tanh": ("#e8ddf4", "#6a4c93"),
    "loss": ("#eeeeee", "#555555"),
    "op": ("#ffffff", "#333333"),
    "frame": ("#f6f6f6", "#9a9a9a"),
    "forward": ("#d6e6f5", "#2c5d8f"),
    "backward": ("#fde3c8", "#c05f00"),
}
INK = "#222222"        # forward arrows and text
GRADIENT = "#c0392b"   # backward arrows
WEIGHTS = "#d35400"    # shared weights W, U, b
NOTE = "#555555"       # explanatory notes

_RC = {"font.family": "DejaVu Sans", "mathtext.fontset": "dejavusans", "font.size": 11,
       "text.usetex": False, "axes.grid": False}
_WIDTH = 10.0


# -- drawing primitives -----------------------------------------------------------------
class _Shape(NamedTuple):
    """Centre and half sizes of a drawn box or node, for attaching arrows."""
    x: float
    y: float
    w: float
    h: float

    @property
    def top(self):
        return (self.x, self.y + self.h)

    @property
    def bottom(self):
        return (self.x, self.y - self.h)

    @property
    def left(self):
        return (self.x - self.w, self.y)

    @property
    def right(self):
        return (self.x + self.w, self.y)


def _styled(function):
    """Draw inside the course's diagram style, whatever the notebook's rcParams are, in a language.

    Adds the keyword ``language`` (``"en"`` or ``"zh_CN"``; default: :func:`lstmcourse.i18n.language`),
    and records on the figure how to draw it again in another language
    (``fig._lstmcourse_redraw(language=...)``, used for the Chinese edition's twin figures).
    """
    @functools.wraps(function)
    def wrapper(*args, language=None, **kwargs):
        language = i18n.language() if language is None else i18n._normalize(language)
        rc = dict(_RC)
        if language != "en":
            rc["font.family"] = i18n.cjk_family(_RC["font.family"])
        with matplotlib.rc_context(rc), i18n.using(language):
            fig = function(*args, **kwargs)
        fig._lstmcourse_redraw = functools.partial(wrapper, *args, **kwargs)
        return fig
    return wrapper


def _canvas(height, title):
    """A 10-inch-wide figure with one axis in inches and the title on top."""
    fig = plt.figure(figsize=(_WIDTH, height), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, _WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    fig.suptitle(i18n.gettext(title), y=1 - 0.12 / height, va="top", fontsize=14, fontweight="bold", color=INK)
    return fig, ax


def _text(ax, xy, text, color=INK, size=11, ha="center", va="center", **kwargs):
    """Draw ``text``, translated into the current language when the catalogue has it."""
    return ax.text(*xy, i18n.gettext(text), color=color, fontsize=size, ha=ha, va=va, zorder=6, **kwargs)


def _box(ax, xy, text, kind, size=(0.8, 0.5), fontsize=12, note=None, note_color=None):
    """A rounded box coloured by ``kind`` with ``text`` in it (and a small ``note`` below)."""
    (x, y), (w, h) = xy, size
    face, edge = COLORS[kind]
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.07",
                                facecolor=face, edgecolor=edge, linewidth=1.5, zorder=4))
    if note is None:
        _text(ax, (x, y), text, size=fontsize)
    else:
        _text(ax, (x, y + 0.11), text, size=fontsize)
        _text(ax, (x, y - 0.2), note, color=note_color or edge, size=9 if note_color is None else 10)
    return _Shape(x, y, w / 2, h / 2)


def _node(ax, xy, symbol, radius=0.2, fontsize=14):
    """A white circle holding an element-wise operation (⊙, +, 1−)."""
    face, edge = COLORS["op"]
    ax.add_patch(Circle(xy, radius, facecolor=face, edgecolor=edge, linewidth=1.5, zorder=4))
    _text(ax, xy, symbol, size=fontsize)
    return _Shape(xy[0], xy[1], radius, radius)


def _dot(ax, xy, color=INK):
    """A junction: the line splits here."""
    ax.add_patch(Circle(xy, 0.045, color=color, zorder=5))


def _arrow(ax, *points, color=INK, lw=1.6, ls="-", halo=False, head=True, zorder=2):
    """A polyline through ``points`` with an arrow head at the last one.

    ``halo`` draws a white margin around the line, so lines it crosses show a gap: they
    pass underneath.
    """
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    line = list(points[:-1]) + [(x1 - 0.05 * ux, y1 - 0.05 * uy) if head else (x1, y1)]
    effects = [patheffects.Stroke(linewidth=lw + 6, foreground="white"), patheffects.Normal()] if halo else None
    xs, ys = zip(*line)
    ax.plot(xs, ys, color=color, lw=lw, ls=ls, solid_capstyle="butt", zorder=zorder + (0.5 if halo else 0),
            path_effects=effects)
    if head:
        ax.add_patch(FancyArrowPatch((x1 - 0.1 * ux, y1 - 0.1 * uy), (x1, y1), arrowstyle="-|>", mutation_scale=14,
                                     color=color, lw=lw, shrinkA=0, shrinkB=0, zorder=zorder + 1))


def _check_steps(steps, low, high):
    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool) or not low <= steps <= high:
        raise ValueError(f"`steps` must be an integer from {low} to {high}. Received: steps={steps!r}")


def _columns(steps, first, last):
    """x positions of ``steps`` (at least 2) evenly spaced time steps."""
    return [first + (last - first) * k / (steps - 1) for k in range(steps)]


# -- the diagrams -------------------------------------------------------------------------
@_styled
def unrolled_rnn(steps=4, title=None):
    """The tanh RNN folded (a loop) and unrolled over ``steps`` steps with shared weights.

    Every copy of the cell uses the same ``W`` (``kernel``), ``U`` (``recurrent_kernel``)
    and ``b``: the number of parameters does not depend on the sequence length.

    Args:
        steps: Number of time steps drawn, 2 to 5. Default: 4.
        title: Figure title. Default: a title naming the idea.

    Returns:
        A new Matplotlib ``Figure``.

    Example:

    >>> fig = unrolled_rnn(steps=3)
    >>> fig.get_suptitle()
    'The unrolled RNN: one cell, the same W, U, b at every step'
    >>> plt.close(fig)
    """
    _check_steps(steps, 2, 5)
    fig, ax = _canvas(4.9, title or "The unrolled RNN: one cell, the same W, U, b at every step")
    y_x, y_cell, y_h = 1.35, 2.55, 3.75

    # folded: one cell and a loop that feeds h back in at the next step
    cell = _box(ax, (0.95, y_cell), r"$\tanh$", "tanh", size=(0.9, 0.65), fontsize=13)
    x_in = _box(ax, (0.95, y_x), r"$x_t$", "input", size=(0.6, 0.45))
    h_out = _box(ax, (0.95, y_h), r"$h_t$", "hidden", size=(0.6, 0.45))
    _arrow(ax, x_in.top, cell.bottom)
    _arrow(ax, cell.top, h_out.bottom)
    _text(ax, (0.85, (y_x + y_cell) / 2 - 0.05), "W", color=WEIGHTS, ha="right", fontweight="bold")
    loop_x, loop_y = cell.x + cell.w + 0.35, cell.y - cell.h - 0.3
    _arrow(ax, (cell.x + cell.w, cell.y), (loop_x, cell.y), (loop_x, loop_y), (cell.x + 0.3, loop_y),
           (cell.x + 0.3, cell.y - cell.h))
    _text(ax, (loop_x + 0.1, cell.y - 0.45), "U", color=WEIGHTS, ha="left", fontweight="bold")
    _text(ax, (loop_x + 0.1, cell.y + 0.2), r"$h_{t-1}$", ha="left", size=10)

    # the "unroll" arrow
    ax.add_patch(FancyArrowPatch((2.4, y_cell), (3.0, y_cell), arrowstyle="simple,head_width=0.9,head_length=0.7",
                                 mutation_scale=18, color="#bbbbbb", zorder=2))
    _text(ax, (2.7, y_cell + 0.35), "unroll", color=NOTE, size=10)

    # unrolled: h_0 → cell → cell → ...
    xs = _columns(steps, 4.8, min(9.3, 4.8 + 1.6 * (steps - 1)))
    previous = _box(ax, (3.6, y_cell), r"$h_0$", "hidden", size=(0.55, 0.45))
    for t, x in enumerate(xs, start=1):
        cell = _box(ax, (x, y_cell), r"$\tanh$", "tanh", size=(0.8, 0.6), fontsize=13)
        x_in = _box(ax, (x, y_x), f"$x_{t}$", "input", size=(0.55, 0.45))
        h_out = _box(ax, (x, y_h), f"$h_{t}$", "hidden", size=(0.55, 0.45))
        _arrow(ax, x_in.top, cell.bottom)
        _arrow(ax, cell.top, h_out.bottom)
        _arrow(ax, previous.right, cell.left)
        _text(ax, (x - 0.08, (y_x + y_cell) / 2 - 0.05), "W", color=WEIGHTS, ha="right", fontweight="bold")
        _text(ax, ((previous.right[0] + cell.left[0]) / 2, y_cell + 0.18), "U", color=WEIGHTS, fontweight="bold")
        previous = cell

    _text(ax, (5.0, 0.62), r"$h_t = \tanh(x_t W + h_{t-1} U + b)$     with the same W, U, b at every step",
          size=12)
    _text(ax, (5.0, 0.25), "W: kernel (input, units)    U: recurrent_kernel (units, units)    b: bias (units,)",
          color=WEIGHTS, size=10)
    return fig


def _chain_example(steps):
    """``∂L_T/∂h_1 = (∂L_T/∂h_T) J_T ⋯ J_2`` written out for ``steps`` = T steps, in mathtext."""
    jacobians = r"\,".join(f"J_{k}" for k in range(steps, 1, -1))
    return rf"$\partial L_{steps}/\partial h_1 = (\partial L_{steps}/\partial h_{steps})\,{jacobians}$"


@_styled
def bptt_graph(steps=3, title=None):
    """The computational graph of backpropagation through time, forward and backward.

    Black arrows are the forward pass ``h_t = tanh(x_t W + h_{t-1} U + b)`` with a loss
    ``L_t`` at every step; red arrows carry the gradient ``g_t = ∂L/∂h_t`` backwards:
    down from each loss, and from ``h_t`` to ``h_{t-1}`` through ``δ_t Uᵀ``. Because
    ``W``, ``U``, ``b`` are shared, their gradients are sums over the steps.

    Args:
        steps: Number of time steps drawn, 2 to 4. Default: 3.
        title: Figure title. Default: a title naming the idea.

    Returns:
        A new Matplotlib ``Figure``.

    Example:

    >>> fig = bptt_graph()
    >>> fig.get_suptitle()
    'Backpropagation through time: forward pass and gradient paths'
    >>> plt.close(fig)
    """
    _check_steps(steps, 2, 4)
    fig, ax = _canvas(6.1, title or "Backpropagation through time: forward pass and gradient paths")
    y_x, y_h, y_loss = 2.0, 3.35, 4.75
    xs = _columns(steps, 2.35, min(6.55, 2.35 + 2.2 * (steps - 1)))

    previous = _box(ax, (0.75, y_h), r"$h_0$", "hidden", size=(0.6, 0.62), fontsize=13)
    for t, x in enumerate(xs, start=1):
        h = _box(ax, (x, y_h), f"$h_{t}$", "hidden", size=(0.7, 0.62), fontsize=13, note=f"$g_{t}$",
                 note_color=GRADIENT)
        x_in = _box(ax, (x - 0.25, y_x), f"$x_{t}$", "input", size=(0.5, 0.42))
        loss = _box(ax, (x, y_loss), f"$L_{t}$", "loss", size=(0.6, 0.45))
        # forward (black): x_t → h_t, h_{t-1} → h_t, h_t → L_t
        _arrow(ax, x_in.top, (x_in.x, h.y - h.h))
        _arrow(ax, (previous.x + previous.w, y_h + 0.12), (h.x - h.w, y_h + 0.12))
        _text(ax, ((previous.x + previous.w + h.x - h.w) / 2, y_h + 0.32), "U", color=WEIGHTS, fontweight="bold")
        _text(ax, (x_in.x - 0.1, (y_x + y_h) / 2), "W", color=WEIGHTS, fontweight="bold", ha="right")
        _arrow(ax, (x - 0.15, h.y + h.h), (x - 0.15, loss.y - loss.h))
        # backward (red): L_t → h_t, h_t → h_{t-1}, and δ_t down to the weight gradients
        _arrow(ax, (x + 0.15, loss.y - loss.h), (x + 0.15, h.y + h.h), color=GRADIENT)
        _text(ax, (x + 0.25, (y_h + y_loss) / 2), rf"$\partial L_{t}/\partial h_{t}$", color=GRADIENT,
              size=10, ha="left")
        _arrow(ax, (h.x - h.w, y_h - 0.12), (previous.x + previous.w, y_h - 0.12), color=GRADIENT)
        _text(ax, ((previous.x + previous.w + h.x - h.w) / 2, y_h - 0.36), rf"$\delta_{t} U^\top$",
              color=GRADIENT, size=10)
        _arrow(ax, (x + 0.2, h.y - h.h), (x + 0.2, 1.12), color=GRADIENT, ls=(0, (3, 2)), lw=1.3)
        _text(ax, (x + 0.28, y_x - 0.2), rf"$\delta_{t}$", color=GRADIENT, size=10, ha="left")
        previous = h

    # the sums over time of the shared weights' gradients
    ax.add_patch(FancyBboxPatch((0.3, 0.3), 7.0, 0.82, boxstyle="round,pad=0,rounding_size=0.07",
                                facecolor="#fbeeee", edgecolor=GRADIENT, linewidth=1.2, zorder=1))
    _text(ax, (3.8, 0.9), "shared weights: their gradients are sums over the steps", color=GRADIENT, size=10)
    _text(ax, (3.8, 0.55), r"$\partial L/\partial W = \sum_t\, x_t^\top \delta_t \qquad "
                           r"\partial L/\partial U = \sum_t\, h_{t-1}^\top \delta_t \qquad "
                           r"\partial L/\partial b = \sum_t\, \delta_t$", size=12)

    # legend and the rules, on the right
    x0 = 7.6
    _arrow(ax, (x0, 5.0), (x0 + 0.5, 5.0))
    _text(ax, (x0 + 0.65, 5.0), "forward pass", ha="left", size=10)
    _arrow(ax, (x0 + 0.5, 4.65), (x0, 4.65), color=GRADIENT)
    _text(ax, (x0 + 0.65, 4.65), "gradients (backward)", ha="left", size=10, color=GRADIENT)
    rules = [
        (4.15, r"$L = L_1 + \cdots + L_T$", INK),
        (3.75, r"$g_t = \partial L / \partial h_t$  (all paths)", GRADIENT),
        (3.35, r"$\delta_t = g_t \odot (1 - h_t^2)$", GRADIENT),
        (2.95, r"$g_{t-1} = \partial L_{t-1}/\partial h_{t-1} + \delta_t U^\top$", GRADIENT),
        (2.35, _chain_example(steps), GRADIENT),
        (1.8, r"$J_k = \partial h_k/\partial h_{k-1} = \mathrm{diag}(1 - h_k^2)\, U^\top$", GRADIENT),
        (1.45, "row vectors: the latest step's", NOTE),
        (1.2, "Jacobian comes first", NOTE),
    ]
    for y, line, color in rules:
        _text(ax, (x0, y), line, color=color, size=10, ha="left")
    return fig


@_styled
def lstm_cell(title=None):
    """The LSTM cell after colah's drawing: the conveyor belt on top, four gates below.

    The cell state ``C`` runs along the top and meets only a ``⊙`` (the forget gate
    scales it) and a ``+`` (the input gate adds the candidate). Below, four boxes read
    ``[x_t, h_{t-1}]``: ``σ`` for the forget, input and output gates, ``tanh`` for the
    candidate. Keras stores their blocks in the order i, f, c, o.

    Args:
        title: Figure title. Default: a title naming the idea.

    Returns:
        A new Matplotlib ``Figure``.

    Example:

    >>> fig = lstm_cell()
    >>> fig.get_suptitle()
    'The LSTM cell: a conveyor belt C and four gates'
    >>> plt.close(fig)
    """
    fig, ax = _canvas(6.6, title or "The LSTM cell: a conveyor belt C and four gates")
    y_bus, y_gate, y_mid, y_belt = 1.75, 2.75, 3.85, 4.85
    face, edge = COLORS["frame"]
    ax.add_patch(FancyBboxPatch((1.3, 1.25), 7.3, 4.25, boxstyle="round,pad=0,rounding_size=0.2",
                                facecolor=face, edgecolor=edge, linewidth=1.2, zorder=0))

    # the conveyor belt: C_{t-1} → ⊙ (forget) → + (input) → C_t
    forget_x, plus_x, out_x = 2.6, 5.0, 7.55
    belt = COLORS["cell"][1]
    times_f = _node(ax, (forget_x, y_belt), r"$\odot$")
    plus = _node(ax, (plus_x, y_belt), "+")
    ax.plot([0.3, times_f.x - times_f.w], [y_belt] * 2, color=belt, lw=3.5, zorder=2)
    ax.plot([times_f.x + times_f.w, plus.x - plus.w], [y_belt] * 2, color=belt, lw=3.5, zorder=2)
    _arrow(ax, (plus.x + plus.w, y_belt), (9.75, y_belt), color=belt, lw=3.5)
    _text(ax, (0.3, y_belt + 0.25), r"$C_{t-1}$", ha="left", size=13)
    _text(ax, (9.75, y_belt + 0.25), r"$C_t$", ha="right", size=13)
    _text(ax, (6.3, y_belt + 0.35), "cell state: only ⊙ and +, no weight matrix", color=belt, size=9.5)

    # inputs: h_{t-1} from the left, x_t from below, joined into one bus [x_t, h_{t-1}]
    gates = [(forget_x, r"$\sigma$", "sigmoid", "forget"), (3.8, r"$\sigma$", "sigmoid", "input"),
             (plus_x, r"$\tanh$", "tanh", "candidate"), (6.35, r"$\sigma$", "sigmoid", "output")]
    ax.plot([0.3, 1.9], [y_bus] * 2, color=COLORS["hidden"][1], lw=2, zorder=2)
    ax.plot([1.9, gates[-1][0]], [y_bus] * 2, color=INK, lw=1.6, zorder=2)
    _text(ax, (0.3, y_bus + 0.22), r"$h_{t-1}$", ha="left", size=13)
    _arrow(ax, (1.9, 0.95), (1.9, y_bus - 0.05))
    _dot(ax, (1.9, y_bus))
    _text(ax, (1.9, 0.78), r"$x_t$", size=13)
    _text(ax, (2.0, y_bus - 0.25), r"$[x_t, h_{t-1}]$", size=9.5, ha="left", color=NOTE)
    boxes = []
    for x, symbol, kind, name in gates:
        boxes.append(_box(ax, (x, y_gate), symbol, kind, size=(1.0, 0.75), fontsize=14, note=name))
        _dot(ax, (x, y_bus))
        _arrow(ax, (x, y_bus), boxes[-1].bottom)
    f_box, i_box, c_box, o_box = boxes

    # forget: f_t ⊙ C_{t-1};  input: i_t ⊙ C̃_t added onto the belt
    _arrow(ax, f_box.top, times_f.bottom)
    _text(ax, (forget_x - 0.1, (y_gate + y_belt) / 2 - 0.1), r"$f_t$", ha="right", size=12)
    times_i = _node(ax, (plus_x, y_mid), r"$\odot$")
    _arrow(ax, i_box.top, (i_box.x, y_mid), times_i.left)
    _text(ax, (i_box.x - 0.1, y_mid - 0.4), r"$i_t$", ha="right", size=12)
    _arrow(ax, c_box.top, times_i.bottom)
    _text(ax, (plus_x + 0.1, y_mid - 0.4), r"$\tilde C_t$", ha="left", size=12)
    _arrow(ax, times_i.top, plus.bottom)

    # output: h_t = o_t ⊙ tanh(C_t)
    squash = _box(ax, (out_x, y_mid), r"$\tanh$", "tanh", size=(0.75, 0.45), fontsize=12)
    _dot(ax, (out_x, y_belt), color=belt)
    _arrow(ax, (out_x, y_belt), squash.top, color=belt, lw=2)
    times_o = _node(ax, (out_x, y_gate), r"$\odot$")
    _arrow(ax, squash.bottom, times_o.top)
    _arrow(ax, o_box.right, times_o.left)
    _text(ax, ((o_box.x + o_box.w + times_o.x - times_o.w) / 2, y_gate + 0.2), r"$o_t$", size=12)
    _arrow(ax, times_o.bottom, (out_x, y_bus), (9.75, y_bus), lw=2, color=COLORS["hidden"][1])
    _text(ax, (9.75, y_bus + 0.25), r"$h_t$", ha="right", size=13)
    _text(ax, (9.75, y_bus - 0.25), "output and next state", ha="right", size=9.5, color=NOTE)

    _text(ax, (2.45, 0.85), "each box: σ or tanh of its own block,  " r"$x_t W_g + h_{t-1} U_g + b_g$",
          ha="left", size=10)
    _text(ax, (2.45, 0.45), "Keras: kernel (input, 4·units), recurrent_kernel (units, 4·units), "
                            "bias (4·units), blocks in the order i, f, c, o", ha="left", size=9.5, color=WEIGHTS)
    return fig


@_styled
def gru_cell(title=None):
    """The GRU cell: the update gate z mixes the old state with a candidate h̃.

    The hidden state runs along the top: ``h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h̃_t``
    (Keras's convention). The reset gate ``r_t`` decides how much of ``h_{t-1}`` the
    candidate sees. Keras stores the blocks in the order z, r, h.

    Args:
        title: Figure title. Default: a title naming the idea.

    Returns:
        A new Matplotlib ``Figure``.

    Example:

    >>> fig = gru_cell()
    >>> fig.get_suptitle()
    'The GRU cell: one state h, an update gate z and a reset gate r'
    >>> plt.close(fig)
    """
    fig, ax = _canvas(6.9, title or "The GRU cell: one state h, an update gate z and a reset gate r")
    y_bus, y_gate, y_split, y_mid, y_top = 2.05, 2.85, 3.5, 4.25, 5.2
    face, edge = COLORS["frame"]
    ax.add_patch(FancyBboxPatch((1.3, 1.55), 7.3, 4.25, boxstyle="round,pad=0,rounding_size=0.2",
                                facecolor=face, edgecolor=edge, linewidth=1.2, zorder=0))
    state = COLORS["hidden"][1]
    reset_x, cand_x, update_x, mix_x = 3.2, 4.55, 5.9, 7.3

    # the state line: h_{t-1} → ⊙ z → + → h_t
    times_z = _node(ax, (update_x, y_top), r"$\odot$")
    plus = _node(ax, (mix_x, y_top), "+")
    ax.plot([0.3, times_z.x - times_z.w], [y_top] * 2, color=state, lw=3, zorder=2)
    ax.plot([times_z.x + times_z.w, plus.x - plus.w], [y_top] * 2, color=state, lw=3, zorder=2)
    _arrow(ax, (plus.x + plus.w, y_top), (9.75, y_top), color=state, lw=3)
    _text(ax, (0.3, y_top + 0.25), r"$h_{t-1}$", ha="left", size=13)
    _text(ax, (9.75, y_top + 0.25), r"$h_t$", ha="right", size=13)

    # the bus [x_t, h_{t-1}] feeding both gates, and x_t tapped for the candidate
    _dot(ax, (1.8, y_top), color=state)
    _arrow(ax, (1.8, y_top), (1.8, y_bus), (2.3, y_bus), head=False, color=state, lw=2)
    _arrow(ax, (2.3, y_bus), (update_x, y_bus), head=False)
    _arrow(ax, (2.3, 1.3), (2.3, y_bus - 0.05))
    _dot(ax, (2.3, y_bus))
    _text(ax, (2.15, 1.45), r"$x_t$", size=13, ha="right")
    r_box = _box(ax, (reset_x, y_gate), r"$\sigma$", "sigmoid", size=(1.0, 0.75), fontsize=14, note="reset")
    z_box = _box(ax, (update_x, y_gate), r"$\sigma$", "sigmoid", size=(1.0, 0.75), fontsize=14, note="update")
    for box in (r_box, z_box):
        _dot(ax, (box.x, y_bus))
        _arrow(ax, (box.x, y_bus), box.bottom)

    # reset: r_t ⊙ h_{t-1} goes into the candidate, with x_t
    times_r = _node(ax, (reset_x, y_mid), r"$\odot$")
    _dot(ax, (reset_x, y_top), color=state)
    _arrow(ax, (reset_x, y_top), times_r.top, color=state)
    _arrow(ax, r_box.top, times_r.bottom)
    _text(ax, (reset_x - 0.1, (y_gate + y_mid) / 2 + 0.05), r"$r_t$", ha="right", size=12)
    cand = _box(ax, (cand_x, y_mid), r"$\tanh$", "tanh", size=(0.95, 0.7), fontsize=13, note="candidate")
    _arrow(ax, times_r.right, cand.left)
    _dot(ax, (cand_x, y_bus))
    _arrow(ax, (cand_x, y_bus), cand.bottom)
    _text(ax, (cand_x + 0.1, y_gate - 0.3), r"$x_t$", ha="left", size=11)

    # update: z_t ⊙ h_{t-1} on the state line, (1 − z_t) ⊙ h̃_t added to it
    times_h = _node(ax, (mix_x, y_mid), r"$\odot$")
    _arrow(ax, cand.right, times_h.left)
    _text(ax, (cand_x + cand.w + 0.3, y_mid + 0.22), r"$\tilde h_t$", size=12)
    _arrow(ax, z_box.top, times_z.bottom, halo=True)
    _text(ax, (update_x - 0.1, (y_mid + y_top) / 2), r"$z_t$", ha="right", size=12)
    one_minus = _node(ax, (mix_x, y_split), r"$1-$", radius=0.24, fontsize=11)
    _dot(ax, (update_x, y_split))
    _arrow(ax, (update_x, y_split), one_minus.left)
    _arrow(ax, one_minus.top, times_h.bottom)
    _text(ax, (mix_x + 0.3, (y_split + y_mid) / 2), r"$1-z_t$", ha="left", size=11)
    _arrow(ax, times_h.top, plus.bottom)

    _text(ax, (5.0, 0.98), r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t$"
                           "   (z = 1 keeps the old state, z = 0 overwrites it)", size=11)
    _text(ax, (5.0, 0.62), r"candidate drawn as in Cho et al.: $\tanh(x_t W_h + (r_t \odot h_{t-1}) U_h + b_h)$;"
                           " Keras's default reset_after=True applies "
                           r"$r_t$ after the product", size=9.5, color=NOTE)
    _text(ax, (5.0, 0.28), "Keras: kernel (input, 3·units), recurrent_kernel (units, 3·units), "
                          "blocks in the order z, r, h", size=9.5, color=WEIGHTS)
    return fig


@_styled
def stacked_rnn(steps=4, cell="LSTM", title=None):
    """Two recurrent layers unrolled over ``steps`` steps, with the shapes between them.

    Layer 1 has ``return_sequences=True``: it hands its whole sequence of states up to
    layer 2. Layer 2 has ``return_sequences=False``: only its last state leaves the
    stack. Each layer has its own weights, shared over time.

    Args:
        steps: Number of time steps drawn, 2 to 5. Default: 4.
        cell: The name written in the cell boxes. Default: ``"LSTM"``.
        title: Figure title. Default: a title naming the idea.

    Returns:
        A new Matplotlib ``Figure``.

    Example:

    >>> fig = stacked_rnn(steps=3, cell="GRU")
    >>> fig.get_suptitle()
    'Two stacked recurrent layers: return_sequences=True in between'
    >>> plt.close(fig)
    """
    _check_steps(steps, 2, 5)
    if not isinstance(cell, str) or not cell:
        raise TypeError(f"`cell` must be a non-empty string. Received: cell={cell!r}")
    fig, ax = _canvas(6.0, title or "Two stacked recurrent layers: return_sequences=True in between")
    y_x, y_1, y_2, y_out = 0.75, 2.15, 3.65, 5.0
    xs = _columns(steps, 2.95, min(7.0, 2.95 + 1.6 * (steps - 1)))
    mono = {"family": "DejaVu Sans Mono", "size": 10}

    rows = [(y_1, 1), (y_2, 2)]
    for y, layer in rows:
        _text(ax, (0.15, y + 0.15), f"layer {layer}", ha="left", size=11, fontweight="bold")
        _text(ax, (0.15, y - 0.17), rf"$W^{{({layer})}}, U^{{({layer})}}, b^{{({layer})}}$", ha="left",
              size=10, color=WEIGHTS)
    states = {layer: _box(ax, (1.85, y), rf"$h^{{({layer})}}_0$", "hidden", size=(0.6, 0.5)) for y, layer in rows}
    for t, x in enumerate(xs, start=1):
        x_in = _box(ax, (x, y_x), f"$x_{t}$", "input", size=(0.55, 0.45))
        below = x_in
        for y, layer in rows:
            box = _box(ax, (x, y), cell, "tanh", size=(0.8, 0.55), fontsize=11)
            _arrow(ax, states[layer].right, box.left)
            _arrow(ax, below.top, box.bottom)
            if layer == 1:
                _text(ax, (x + 0.08, (y_1 + y_2) / 2), rf"$h^{{(1)}}_{t}$", ha="left", size=10)
            states[layer], below = box, box
    top = states[2]
    out = _box(ax, (top.x, y_out), rf"$h^{{(2)}}_{steps}$", "hidden", size=(0.7, 0.5))
    _arrow(ax, top.top, out.bottom)
    _text(ax, (top.x - 0.5, y_out), "only the last step", ha="right", size=10, color=NOTE)

    # shapes and switches, on the right
    x0 = 7.85
    notes = [(y_x, "(batch, T, features)", INK),
             (y_1, "return_sequences=True", WEIGHTS), ((y_1 + y_2) / 2, "(batch, T, units₁)", INK),
             (y_2, "return_sequences=False", WEIGHTS), (y_out, "(batch, units₂)", INK)]
    for y, line, color in notes:
        _text(ax, (x0, y), line, ha="left", color=color, fontfamily=mono["family"], size=mono["size"])
    return fig


@_styled
def bidirectional_rnn(steps=3, title=None):
    """A bidirectional layer: a forward and a backward chain, merged at every step.

    The forward chain reads ``x_1 … x_T``, the backward chain ``x_T … x_1``; their
    states for the same step are merged, by concatenation (Keras's default,
    ``2·units`` features) or by a sum (``units`` features).

    Args:
        steps: Number of time steps drawn, 2 or 3. Default: 3.
        title: Figure title. Default: a title naming the idea.

    Returns:
        A new Matplotlib ``Figure``.

    Example:

    >>> fig = bidirectional_rnn()
    >>> fig.get_suptitle()
    'A bidirectional layer: two chains, merged at every step'
    >>> plt.close(fig)
    """
    _check_steps(steps, 2, 3)
    fig, ax = _canvas(6.0, title or "A bidirectional layer: two chains, merged at every step")
    y_x, y_fork, y_f, y_b, y_merge, y_out = 0.7, 1.25, 2.0, 3.2, 4.35, 5.15
    xs = _columns(steps, 2.95, 6.0)
    f_face, f_edge = COLORS["forward"]
    b_face, b_edge = COLORS["backward"]

    _text(ax, (0.15, y_f + 0.12), "forward", ha="left", size=11, fontweight="bold", color=f_edge)
    _text(ax, (0.15, y_f - 0.18), r"reads $x_1 \ldots x_T$", ha="left", size=9.5, color=f_edge)
    _text(ax, (0.15, y_b + 0.12), "backward", ha="left", size=11, fontweight="bold", color=b_edge)
    _text(ax, (0.15, y_b - 0.18), r"reads $x_T \ldots x_1$", ha="left", size=9.5, color=b_edge)
    forward = _box(ax, (1.6, y_f), r"$\overrightarrow{h}_0$", "forward", size=(0.5, 0.5))
    backward = _box(ax, (xs[-1] + 1.2, y_b), rf"$\overleftarrow{{h}}_{steps + 1}$", "backward", size=(0.55, 0.5))
    cells = []
    for t, x in enumerate(xs, start=1):
        x_in = _box(ax, (x, y_x), f"$x_{t}$", "input", size=(0.55, 0.45))
        f_cell = _box(ax, (x - 0.3, y_f), rf"$\overrightarrow{{h}}_{t}$", "forward", size=(0.8, 0.55))
        b_cell = _box(ax, (x + 0.3, y_b), rf"$\overleftarrow{{h}}_{t}$", "backward", size=(0.8, 0.55))
        merge = _box(ax, (x, y_merge), "merge", "op", size=(0.95, 0.42), fontsize=10)
        out = _box(ax, (x, y_out), f"$y_{t}$", "hidden", size=(0.55, 0.42))
        # x_t forks into both chains; both states go up into the merge
        _arrow(ax, x_in.top, (x, y_fork), head=False)
        _dot(ax, (x, y_fork))
        _arrow(ax, (x, y_fork), (f_cell.x, y_fork), f_cell.bottom)
        _arrow(ax, (x, y_fork), (b_cell.x, y_fork), b_cell.bottom)
        _arrow(ax, f_cell.top, (f_cell.x, merge.y - merge.h), color=f_edge)
        _arrow(ax, b_cell.top, (b_cell.x, merge.y - merge.h), color=b_edge)
        _arrow(ax, merge.top, out.bottom)
        _arrow(ax, forward.right, f_cell.left, color=f_edge, halo=True)
        cells.append(b_cell)
        forward = f_cell
    for b_cell in reversed(cells):
        _arrow(ax, backward.left, b_cell.right, color=b_edge, halo=True)
        backward = b_cell

    # the two merge modes, on the right
    x0, unit = 7.85, 0.45
    _text(ax, (x0, 5.1), 'merge_mode="concat"', ha="left", size=10, fontweight="bold")
    _text(ax, (x0, 4.82), "(the default)", ha="left", size=9.5, color=NOTE)
    ax.add_patch(Rectangle((x0, 4.3), unit, 0.28, facecolor=f_face, edgecolor=f_edge, zorder=3))
    ax.add_patch(Rectangle((x0 + unit, 4.3), unit, 0.28, facecolor=b_face, edgecolor=b_edge, zorder=3))
    _text(ax, (x0, 3.98), r"$y_t = [\overrightarrow{h}_t, \overleftarrow{h}_t]$", ha="left", size=11)
    _text(ax, (x0, 3.6), "(batch, T, 2·units)", ha="left", size=10)
    _text(ax, (x0, 3.05), 'merge_mode="sum"', ha="left", size=10, fontweight="bold")
    ax.add_patch(Rectangle((x0, 2.55), unit, 0.28, facecolor="#efe6d6", edgecolor=INK, zorder=3))
    _text(ax, (x0, 2.23), r"$y_t = \overrightarrow{h}_t + \overleftarrow{h}_t$", ha="left", size=11)
    _text(ax, (x0, 1.85), "(batch, T, units)", ha="left", size=10)
    for k, line in enumerate(["Keras flips the backward", "outputs back in time, so",
                              r"both halves of $y_t$ belong", r"to $x_t$."]):
        _text(ax, (x0, 1.3 - 0.25 * k), line, ha="left", size=9.5, color=NOTE)
    return fig


#: Rows of :func:`cell_comparison`: (row title, SimpleRNN, LSTM, GRU).
_COMPARISON = [
    ("states carried", r"$h_t$", r"$h_t$ and $C_t$", r"$h_t$ (plays both roles)"),
    ("gates", "none", "input i, forget f, output o", "update z, reset r"),
    ("candidate", "the step itself (tanh)", r"$\tilde C_t$ (tanh)", r"$\tilde h_t$ (tanh)"),
    ("state update", r"$h_t = \tanh(x_t W + h_{t-1} U + b)$",
     r"$C_t = f_t \odot C_{t-1} + i_t \odot \tilde C_t$" "\n" r"$h_t = o_t \odot \tanh(C_t)$",
     r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t$"),
    ("parameters\n(n inputs, u units)", r"$u\,(n + u + 1)$", r"$4\,u\,(n + u + 1)$",
     r"$3\,u\,(n + u + 1) + 3u$" "\n" "(reset_after=True)"),
    ("LSTM → GRU", "—", "f and i are tied into one gate;\nC and h become one state",
     "z plays f, 1 − z plays i;\nno output gate"),
]
#: Weight blocks in Keras's order, coloured so that the LSTM gates merged in the GRU match.
_BLOCKS = {
    "SimpleRNN": [("h", "tanh")],
    "LSTM": [("i", "update"), ("f", "update"), ("c", "tanh"), ("o", "unused")],
    "GRU": [("z", "update"), ("r", "reset"), ("h", "tanh")],
}
_BLOCK_COLORS = {"tanh": COLORS["tanh"], "update": COLORS["sigmoid"], "reset": COLORS["input"],
                 "unused": COLORS["loss"]}


@_styled
def cell_comparison(title=None):
    """SimpleRNN, LSTM and GRU side by side: states, gates, weight blocks 1 : 4 : 3.

    A table drawn as a figure. The weight-block row shows each layer's blocks in Keras's
    order, with one colour for the LSTM's input and forget gates and the GRU's update
    gate, which replaces both.

    Args:
        title: Figure title. Default: a title naming the idea.

    Returns:
        A new Matplotlib ``Figure``.

    Example:

    >>> fig = cell_comparison()
    >>> fig.get_suptitle()
    'SimpleRNN, LSTM and GRU side by side'
    >>> plt.close(fig)
    """
    heights = [0.45, 0.45, 0.45, 0.45, 0.85, 0.75, 0.75]   # header, the rows of _COMPARISON
    fig, ax = _canvas(6.9, title or "SimpleRNN, LSTM and GRU side by side")
    columns = [0.1, 1.95, 4.55, 7.3, 9.9]   # left edges of: row titles, RNN, LSTM, GRU; right edge
    y = 6.3

    def row(cells, height, header=False):
        nonlocal y
        ax.plot([columns[0], columns[-1]], [y - height] * 2, color="#cccccc", lw=0.8, zorder=1)
        for k, text in enumerate(cells):
            left, right = columns[k], columns[k + 1]
            _text(ax, ((left + right) / 2 if k else left + 0.05, y - height / 2), text, size=10.5,
                  ha="center" if k else "left", fontweight="bold" if header or k == 0 else "normal",
                  linespacing=1.5)
        y -= height

    row(["", "SimpleRNN", "LSTM", "GRU"], heights[0], header=True)
    for cells, height in zip(_COMPARISON[:4], heights[1:5]):
        row(cells, height)

    # the weight blocks, 1 : 4 : 3 (Keras order), drawn as coloured squares
    height = 0.8
    _text(ax, (columns[0] + 0.05, y - height / 2), "weight blocks\n(Keras order)", size=10.5, ha="left",
          fontweight="bold", linespacing=1.5)
    for k, name in enumerate(["SimpleRNN", "LSTM", "GRU"], start=1):
        blocks = _BLOCKS[name]
        left = (columns[k] + columns[k + 1]) / 2 - 0.27 * len(blocks)
        for j, (letter, role) in enumerate(blocks):
            face, edge = _BLOCK_COLORS[role]
            ax.add_patch(Rectangle((left + 0.54 * j, y - 0.6), 0.48, 0.42, facecolor=face, edgecolor=edge,
                                   lw=1.3, zorder=3))
            _text(ax, (left + 0.54 * j + 0.24, y - 0.39), letter, size=11)
    ax.plot([columns[0], columns[-1]], [y - height] * 2, color="#cccccc", lw=0.8, zorder=1)
    y -= height
    for cells, height in zip(_COMPARISON[4:], heights[5:]):
        row(cells, height)

    _text(ax, (5.0, 0.8), "SimpleRNN : GRU : LSTM = 1 : 3 : 4 blocks, so about 1 : 3 : 4 times the parameters "
                          "for the same n and u", size=10)
    _text(ax, (5.0, 0.5), "same colour, same job: the LSTM's i and f (pink) merge into the GRU's z; "
                          "o (grey) has no GRU counterpart; r (blue) is new", size=9, color=NOTE)
    _text(ax, (5.0, 0.22), "each block: a kernel (n × u), a recurrent_kernel (u × u) and a bias (u); "
                           "the GRU's reset_after=True adds a second bias", size=9, color=NOTE)
    return fig


#: Every diagram by name, for rendering them all at once.
DIAGRAMS = {
    "unrolled_rnn": unrolled_rnn,
    "bptt_graph": bptt_graph,
    "lstm_cell": lstm_cell,
    "gru_cell": gru_cell,
    "stacked_rnn": stacked_rnn,
    "bidirectional_rnn": bidirectional_rnn,
    "cell_comparison": cell_comparison,
}

"""The lab checks: a short success line, or an AssertionError that names the mistake.

One module per job:

    harness        calling an answer (stubs, crashes, inputs changed in place, the answer
                   key refused), comparing it, naming the first plausible mistake it equals;
                   the test cases
    crash_reader   an answer that raised: the failing expression, its arrays and shapes, the
                   likely mistake (re-read without running the answer again)
    probes         when no catalogue entry matches: which part, step, row or relation is wrong
    numpy_checks   labs 01–04's NumPy tasks: the equations and their mistake catalogues; the
                   hidden case drawn from the student's variant
    keras_checks   Keras cells run inside a model against Keras's own layers; models checked
                   layer by layer, accepting equivalent forms (``RNN(SimpleRNNCell)`` for
                   ``SimpleRNN``, ``TimeDistributed(Dense)`` for ``Dense``, an Embedding with
                   unused rows)
    result_checks  reported results; lab 04's race and lab 05's Teddy tagger, trained by the check itself
    lab06_checks   lab 06, "find the bug": each fix checked by its behaviour
    variants       one variant per student: labs 07–09's data, sizes and cases, labs 01–04's
                   hidden NumPy cases
    variant_harness  what labs 07–09 share: calling an answer, the answer-key guard, naming a
                   mistake or the variant an answer was copied from, reading a crash
    lab07_checks   lab 07, generating sequences (temperature, sampling, bits, the loop)
    lab08_checks   lab 08, additive attention (scores, masked softmax, context, layer, decoder)
    lab09_checks   lab 09, forecasting without leakage (windows, scaler, naive and seasonal-naive MAE)
    sandbox        :func:`fresh`: the whole package executed again from disk, isolated from
                   what a notebook can rebind, integrity-checked and self-tested before use

The check functions of labs 01–05 are re-exported here and by :mod:`lstmcourse.checks`,
the import path the labs use; lab 06's, 07's and 08's by :mod:`lstmcourse.lab06_checks`,
``lab07_checks``, ``lab08_checks``, ``lab09_checks``, and the variants by :mod:`lstmcourse.variants` (shims).
The hidden tests of every lab grade with ``lstmcourse._grading.fresh(lab)``, which calls
:func:`sandbox.fresh`.

**Adding a lab's checks** (e.g. lab 10):

1. put them in ``lstmcourse/grading/lab10_checks.py``; import at module level everything
   they use (``from lstmcourse import tasks``, ``import keras``, the harness), never inside a
   function, so that a fresh copy keeps its own fresh copies;
2. add ``"lab10": ("lab10_checks",)`` to :data:`LAB_MODULES`, and, if the labs import it as
   ``lstmcourse.lab10_checks``, a two-line shim like ``lstmcourse/lab06_checks.py``;
3. optionally add a self-test to ``sandbox._SELF_TESTS["lab10"]`` (a function that takes the
   fresh module and raises RuntimeError when a correct answer fails or a wrong one passes);
4. hidden cells call ``importlib.reload(importlib.import_module("lstmcourse._grading"))
   .fresh("lab10").check_...(..., hidden=True)``; add the lab's rebinding attacks to
   ``tests/test_grading_attacks.py``.

    >>> import numpy as np
    >>> from lstmcourse import checks
    >>> def rnn_step(x_t, h_prev, params):
    ...     return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"])
    >>> checks.check_rnn_step(rnn_step)
    ✔ rnn_step: correct (output shape (2, 4)).
    >>> from lstmcourse import reference
    >>> checks.check_rnn_step(reference.rnn_step)
    Traceback (most recent call last):
    ...
    AssertionError: rnn_step calls lstmcourse.reference.rnn.rnn_step, part of the course's answer key. Write the computation yourself (NumPy for the step functions, keras.ops for the cells).
"""
from lstmcourse.grading.keras_checks import (  # noqa: F401
    check_bidirectional_tagger,
    check_lstm_cell_layer,
    check_make_model,
    check_model_shapes,
    check_rnn_cell_layer,
    check_stacked_tagger,
)
from lstmcourse.grading.numpy_checks import (  # noqa: F401
    check_gradient_norms,
    check_gru_step,
    check_lstm_forward,
    check_lstm_step,
    check_numerical_gradient,
    check_rnn_backward,
    check_rnn_forward,
    check_rnn_step,
)
from lstmcourse.grading.result_checks import (  # noqa: F401
    check_accuracy,
    check_adding_comparison,
    check_race,
    check_teddy_tagger,
    race_model,
)

#: The modules of labs 01–05 (``fresh()``) and the labs with a module of their own (``fresh("labNN")``;
#: the first module named is the one ``fresh`` returns).
LAB_MODULES = {None: ("probes", "crash_reader", "harness", "numpy_checks", "keras_checks", "result_checks"), "lab06": ("lab06_checks",),
               "lab07": ("lab07_checks", "variant_harness", "variants"),
               "lab08": ("lab08_checks", "variant_harness", "variants"),
               "lab09": ("lab09_checks", "variant_harness", "variants")}

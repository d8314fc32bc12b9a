"""One variant of a lab per student: their own data, sizes and hidden cases.

Labs 07, 08 and 09 draw everything a check uses (the data a task works on, the sizes of the
arrays, the visible and the hidden test case) from a *variant*, an integer in
``range(N_VARIANTS)``. Which variant a notebook gets is decided here, in this order:

1. ``LSTMCOURSE_VARIANT``: a variant number (0 … 999) set in the environment. A learner
   working alone can set it to try another variant; **nbgrader's autograde ignores it**.
2. The student: under ``nbgrader autograde`` (nbgrader sets ``NBGRADER_EXECUTION=autograde``
   and runs the notebook in ``autograded/<student_id>/<assignment>/``) the student id is
   that folder's name; on a JupyterHub (where nbgrader's exchange uses the hub user as
   the student id) it is ``JUPYTERHUB_USER``; ``LSTMCOURSE_STUDENT`` names a student by hand.
   The variant is ``sha256(course seed + ":" + student id) mod N_VARIANTS``, with the
   course seed from ``LSTMCOURSE_COURSE_SEED`` (default ``"lstmcourse"``): an instructor
   who sets their own seed gives every student a variant nobody outside the course knows.
3. Otherwise variant 0: a learner working alone gets variant 0, the one whose outputs are
   stored in the solutions.

nbgrader exposes no student id to the kernel (no ``NBGRADER_STUDENT_ID``: only
``NBGRADER_EXECUTION``), hence the folder name.

>>> variant_of("alice") == variant_of("alice"), variant_of("alice") == variant_of("bob")
(True, False)
>>> bool(rng(3, "lab07", "data").integers(100) == rng(3, "lab07", "data").integers(100))
True
"""
import hashlib
import os

import numpy as np

from lstmcourse.i18n import N_, gettext

N_VARIANTS = 1000
DEFAULT_VARIANT = 0


def variant_of(student, course_seed=None):
    """The variant of a student id (any string), under a course seed (default: the
    environment's ``LSTMCOURSE_COURSE_SEED``, else ``"lstmcourse"``)."""
    if not isinstance(student, str) or not student:
        raise TypeError(gettext("`student` must be a non-empty string (a student id). Received: "
                                "student={student!r}").format(student=student))
    seed = course_seed if course_seed is not None else os.environ.get("LSTMCOURSE_COURSE_SEED", "lstmcourse")
    digest = hashlib.sha256(f"{seed}:{student}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % N_VARIANTS


def _autograded_student(cwd):
    """``autograded/<student>/<assignment>`` -> ``<student>``, else None."""
    parts = os.path.normpath(cwd).split(os.sep)
    if len(parts) >= 3 and parts[-3] == "autograded":
        return parts[-2]
    return None


def check_variant(variant):
    """``variant`` as an int in ``range(N_VARIANTS)``, or a ValueError/TypeError naming it."""
    if isinstance(variant, bool) or not isinstance(variant, (int, np.integer)):
        raise TypeError(gettext("`variant` must be an integer in 0 ... {last}. Received: variant={variant!r}").format(
            last=N_VARIANTS - 1, variant=variant))
    if not 0 <= int(variant) < N_VARIANTS:
        raise ValueError(gettext("`variant` must be an integer in 0 ... {last}. Received: variant={variant}").format(
            last=N_VARIANTS - 1, variant=variant))
    return int(variant)


def current():
    """The variant of this notebook (see the module's docstring for the order of the rules)."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        student = _autograded_student(os.getcwd())
        if student is None:
            raise RuntimeError(gettext("nbgrader autograde runs a submission in autograded/<student>/<assignment>/, "
                                       "and this notebook is not there (the working folder was changed). Received: "
                                       "cwd={cwd!r}").format(cwd=os.getcwd()))
        return variant_of(student)
    explicit = os.environ.get("LSTMCOURSE_VARIANT")
    if explicit not in (None, ""):
        try:
            return check_variant(int(explicit))
        except ValueError:
            raise ValueError(gettext("LSTMCOURSE_VARIANT must be an integer in 0 ... {last}. Received: "
                                     "LSTMCOURSE_VARIANT={value!r}").format(last=N_VARIANTS - 1,
                                                                             value=explicit)) from None
    student = os.environ.get("LSTMCOURSE_STUDENT") or os.environ.get("JUPYTERHUB_USER")
    return variant_of(student) if student else DEFAULT_VARIANT


def describe(variant):
    """One line for the notebook: which variant, and why."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        line = N_("variant {variant} (the student of this submission)")
    elif os.environ.get("LSTMCOURSE_VARIANT"):
        line = N_("variant {variant} (LSTMCOURSE_VARIANT)")
    elif os.environ.get("LSTMCOURSE_STUDENT") or os.environ.get("JUPYTERHUB_USER"):
        line = N_("variant {variant} (your student id)")
    else:
        line = N_("variant {variant} (the default for a learner working alone; set LSTMCOURSE_VARIANT=1 … 999 for "
                  "another)")
    return gettext(line).format(variant=variant)


def rng(variant, lab, purpose):
    """A NumPy generator for one use (``purpose``) of one lab's variant: the same
    arguments always give the same draws, and different ones independent draws."""
    key = hashlib.sha256(f"{lab}:{purpose}".encode("utf-8")).digest()
    return np.random.default_rng([check_variant(variant), int.from_bytes(key[:4], "big")])


def owner(answer, expected_of, variant, candidates=None):
    """The first other variant whose expected answer ``answer`` equals, or None.

    ``expected_of(v)`` gives variant ``v``'s expected answer (a number or an array); an
    answer of another shape than a variant's is not that variant's.
    """
    try:
        answer = np.asarray(answer, dtype="float64")
    except (TypeError, ValueError):
        return None
    for other in (range(N_VARIANTS) if candidates is None else candidates):
        if other == variant:
            continue
        expected = np.asarray(expected_of(other), dtype="float64")
        if expected.shape == answer.shape and np.all(np.abs(expected - answer) <= 1e-9 + 1e-7 * np.abs(expected)):
            return other
    return None

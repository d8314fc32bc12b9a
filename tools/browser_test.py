"""A real-browser smoke test of the learner's JupyterLab (run by `python3 course.py browser-test`).

It does what a learner does: `course.py lab`'s JupyterLab (learner config, rooted at a fresh
working copy made by the same `learner_copy` as `course.py lab`, here under build/browser/my-work),
opened in headless Chromium (Debian's `chromium`, driven by Playwright for Python), then for
each notebook: open it, Run -> Run All Cells, wait for the kernel, save (Ctrl+S), and check

- errors: no error output, except a lab stub's `NotImplementedError` in exercises/
  (after a stub error JupyterLab aborts the queued cells, so the run resumes below it with
  Run -> Run Selected Cell and All Below, until every code cell has run);
- figures: at least as many images in the page as the stored notebook has image outputs;
- math: every markdown cell whose source has `$...$` shows MathJax output (`mjx-container`)
  and no raw `$...$` text;
- the repository: `git status --porcelain` is the same after the run as before it.

Screenshots and the server log go to build/browser/ (gitignored). Usage (inside .venv, with
playwright importable):

    python tools/browser_test.py --chromium /usr/bin/chromium [NOTEBOOK ...]
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import secrets
import signal
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NOTEBOOKS = ["notebooks/01_rnn_cell.ipynb", "notebooks/03_lstm_gates.ipynb", "exercises/lab01/lab01.ipynb"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
STUB_ERROR = "NotImplementedError"
OPEN_MS = 300_000  # opening a notebook and starting its kernel; 120 s was too short at load 40 on 2 cores


def load_course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def log(msg: str) -> None:
    print(f"[browser-test {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- the repository before and after ---------------------------------------------------------------

def git_state() -> dict[str, str] | None:
    """`git status --porcelain` lines, each with the hash of the file's current content."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    state = {}
    for line in out.splitlines():
        path = ROOT / line[3:].split(" -> ")[-1].strip('"')
        state[line] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return state


# -- the learner's JupyterLab ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """`course.py lab`'s JupyterLab on `root`, on a free port with a token, no browser."""

    def __init__(self, course, root: Path, out: Path):
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.settings = Path(tempfile.mkdtemp(prefix="lstmcourse-lab-settings-"))
        env = course.learner_env(Path(sys.prefix))
        # A learner who has never opened JupyterLab: no user settings, no saved workspaces.
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.settings / "user-settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self.settings / "workspaces")
        cmd = course.jupyterlab_command(Path(sys.executable), [
            "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}"], root=root)
        self.log_file = open(out / "jupyterlab.log", "w")
        log("+ " + " ".join(cmd))
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}; see {self.log_file.name}")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"JupyterLab did not answer within {timeout:.0f} s; see {self.log_file.name}")

    def kernel_state(self, path: str) -> str | None:
        for session in self.api("/api/sessions"):
            if session["path"] == path:
                return session["kernel"]["execution_state"]
        return None

    def shutdown_sessions(self) -> None:
        for session in self.api("/api/sessions"):
            self.api(f"/api/sessions/{session['id']}", method="DELETE")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()
        shutil.rmtree(self.settings, ignore_errors=True)


# -- one notebook in the browser -------------------------------------------------------------------

def stored_images(nb: dict) -> int:
    return sum(1 for cell in nb["cells"] for out in cell.get("outputs", [])
               if {"image/png", "image/svg+xml", "image/jpeg"} & set(out.get("data", {})))


def wait_until_idle(page, lab: Lab, path: str, timeout: float) -> None:
    """The kernel is idle and no cell shows [*] (queued or running), twice in a row."""
    deadline, calm = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        busy = page.locator(".jp-Notebook .jp-InputPrompt", has_text="[*]").count()
        calm = calm + 1 if busy == 0 and lab.kernel_state(path) == "idle" else 0
        if calm >= 3:
            return
        time.sleep(1.0)
    raise TimeoutError(f"{path}: still running after {timeout:.0f} s")


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.get_by_role("menuitem", name=re.compile(f"^{re.escape(item)}")).first.click()


def rendered_math_problems(page, nb: dict) -> list[str]:
    problems = []
    for i, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown" or not MATH.search(re.sub(r"`[^`]*`", "", source)):
            continue
        dom = page.locator(".jp-Notebook .jp-Cell").nth(i)
        dom.scroll_into_view_if_needed()
        try:
            dom.locator("mjx-container").first.wait_for(state="attached", timeout=15_000)
        except Exception:
            problems.append(f"cell {i}: markdown with math shows no MathJax output")
            continue
        raw = dom.evaluate("""el => { const c = el.querySelector('.jp-RenderedMarkdown');
            if (!c) return ''; const k = c.cloneNode(true);
            k.querySelectorAll('code, pre, mjx-container, mjx-assistive-mml').forEach(n => n.remove());
            return k.textContent; }""")
        left = MATH.findall(raw)
        if left:
            problems.append(f"cell {i}: raw math visible: {left[0][:60]!r}")
    return problems


def save_and_read(page, path: Path) -> dict:
    """Save as a learner would (Ctrl+S) and read back what the kernel produced."""
    before = path.stat().st_mtime_ns
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 60
    while path.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name}: Ctrl+S did not save within 60 s")
        time.sleep(0.3)
    time.sleep(0.5)  # let the write finish
    return json.loads(path.read_text(encoding="utf-8"))


def run_notebook(page, lab: Lab, work: Path, rel: str, out: Path, timeout: float) -> dict:
    stored = json.loads((ROOT / rel).read_text(encoding="utf-8"))
    is_lab = rel.startswith("exercises/")
    stem = Path(rel).stem
    t0 = time.monotonic()
    page.goto(f"{lab.base}/lab/workspaces/{stem}/tree/{rel}?reset", wait_until="domcontentloaded")
    page.locator(".jp-Notebook .jp-Cell").nth(len(stored["cells"]) - 1).wait_for(state="attached", timeout=OPEN_MS)
    deadline = time.monotonic() + OPEN_MS / 1000
    while lab.kernel_state(rel) != "idle":
        if time.monotonic() > deadline:
            raise TimeoutError(f"{rel}: kernel not idle {OPEN_MS // 1000} s after opening")
        time.sleep(0.5)
    page.locator(".jp-Notebook").first.click()  # focus the notebook (command mode)
    menu(page, "Run", "Run All Cells")
    time.sleep(2)
    wait_until_idle(page, lab, rel, timeout)
    saved = save_and_read(page, work / rel)
    resumed = 0
    while is_lab:  # after a stub's error JupyterLab aborts the queue: resume below it, as a learner would
        pending = [i for i, c in enumerate(saved["cells"])
                   if c["cell_type"] == "code" and c.get("execution_count") is None]
        if not pending or resumed >= len(saved["cells"]):
            break
        page.locator(".jp-Notebook .jp-Cell").nth(pending[0]).locator(".jp-InputPrompt").first.click()
        menu(page, "Run", "Run Selected Cell and All Below")
        time.sleep(2)
        wait_until_idle(page, lab, rel, timeout)
        saved = save_and_read(page, work / rel)
        resumed += 1
    run_s = time.monotonic() - t0

    problems = []
    for i, cell in enumerate(saved["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell.get("execution_count") is None:
            problems.append(f"cell {i}: never ran")
        for o in cell.get("outputs", []):
            if o["output_type"] == "error" and not (is_lab and o["ename"] == STUB_ERROR):
                problems.append(f"cell {i}: {o['ename']}: {o['evalue'][:200]}")
    stubs = sum(o["output_type"] == "error" for c in saved["cells"] for o in c.get("outputs", []))
    stderr = [f"cell {i}: {''.join(o['text'])[:200]!r}" for i, c in enumerate(saved["cells"])
              for o in c.get("outputs", []) if o.get("name") == "stderr"]  # reported, not a failure
    want = stored_images(stored)
    in_page = page.locator(".jp-Notebook .jp-OutputArea-output img, "
                           ".jp-Notebook .jp-OutputArea-output[data-mime-type='image/svg+xml'] svg").count()
    if in_page < want or stored_images(saved) < want:
        problems.append(f"figures: {in_page} in the page, {stored_images(saved)} saved, {want} stored")
    problems += rendered_math_problems(page, stored)

    # Screenshots: the top, every figure (up to 8), the end.
    shots = []
    page.locator(".jp-Notebook .jp-Cell").first.scroll_into_view_if_needed()
    targets = [page.locator(".jp-Notebook .jp-Cell").first]
    imgs = page.locator(".jp-Notebook .jp-OutputArea-output img")
    targets += [imgs.nth(k) for k in range(min(imgs.count(), 8))]
    targets.append(page.locator(".jp-Notebook .jp-Cell").last)
    for k, target in enumerate(targets):
        target.scroll_into_view_if_needed()
        time.sleep(0.3)
        shot = out / f"{stem}-{k:02d}.png"
        page.screenshot(path=str(shot))
        shots.append(shot.name)
    lab.shutdown_sessions()
    result = {"notebook": rel, "seconds": round(run_s, 1), "figures_in_page": in_page, "figures_stored": want,
              "stub_errors": stubs if is_lab else 0, "resumed": resumed, "stderr": stderr, "problems": problems,
              "screenshots": len(shots)}
    log(f"{rel}: ran in {run_s:.0f} s, figures {in_page} (stored {want}), "
        + (f"{stubs} stub NotImplementedError(s), resumed {resumed}x, " if is_lab else "")
        + ("OK" if not problems else f"{len(problems)} problem(s)"))
    for line in stderr:
        log(f"  stderr (not a failure) {line}")
    for p in problems:
        log(f"  FAIL {rel}: {p}")
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", default=DEFAULT_NOTEBOOKS)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", default=str(ROOT / "build" / "browser"))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per notebook run (default 900)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops JupyterLab and its kernels

    course = load_course()
    out = Path(args.out).resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t_start = time.monotonic()
    before = git_state()
    work = out / "my-work"
    copied, _ = course.learner_copy(dest=work)
    log(f"learner copy: {len(copied)} files in {work}")
    lab = Lab(course, work, out)
    results, failures = [], []
    profile = Path(tempfile.mkdtemp(prefix="lstmcourse-chromium-"))
    try:
        lab.wait_ready(OPEN_MS / 1000)
        log(f"JupyterLab up at {lab.base} ({time.monotonic() - t_start:.0f} s)")
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(profile), executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 1000})
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{lab.base}/lab?token={lab.token}", wait_until="domcontentloaded")  # log in (cookie)
            page.locator(".jp-LabShell, #jp-main-dock-panel").first.wait_for(timeout=OPEN_MS)
            try:  # JupyterLab asks once whether to fetch Jupyter news: a learner offline says No
                page.locator(".jp-toast-button", has_text=re.compile("^No$")).click(timeout=10_000)
            except Exception:
                pass
            for rel in args.notebooks:
                try:
                    results.append(run_notebook(page, lab, work, rel, out, args.timeout))
                except Exception as e:  # record, screenshot, go on with the next notebook
                    page.screenshot(path=str(out / f"{Path(rel).stem}-failure.png"))
                    results.append({"notebook": rel, "problems": [f"{type(e).__name__}: {e}"]})
                    log(f"  FAIL {rel}: {type(e).__name__}: {e}")
            context.close()
    finally:
        lab.stop()
        shutil.rmtree(profile, ignore_errors=True)
    failures += [f"{r['notebook']}: {p}" for r in results for p in r["problems"]]

    after = git_state()
    if before is None:
        log("not a git checkout: repository check skipped")
    else:
        changed = sorted(set(after.items()) - set(before.items()))
        for line, _ in changed:
            failures.append(f"repository changed by the run: {line}")
        log(f"git status: {'unchanged' if not changed else f'{len(changed)} change(s)'}")
    total = time.monotonic() - t_start
    (out / "report.json").write_text(json.dumps({"seconds": round(total, 1), "results": results,
                                                 "failures": failures}, indent=1) + "\n")
    log(f"{'PASSED' if not failures else 'FAILED'} in {total:.0f} s; screenshots and log in {out}")
    for f in failures:
        log(f"  {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

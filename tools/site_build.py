"""Build the course's website into build/site/ (run by `python3 course.py site`, inside .venv-site).

Offline, from the stored outputs (nothing is executed): Sphinx + MyST-NB with sphinx-book-theme,
configured in tools/site/conf.py. Two builds, one per language, each from a source tree assembled here
in build/site-src/LANG/ with the repository's own layout (so every relative link in a notebook works):

    en     notebooks/NN_*.ipynb, glossary, where-next, notation; exercises/labNN (student versions);
           the instructor guide (solutions/README.md, no solution notebook); docs/*.md (maintainers)
    zh-CN  notebooks/zh-CN/NN_*.ipynb, terminology, glossary, where-next and notation (built by
           tools/i18n.py from locale/zh_CN/glossary.po ...); exercises/zh-CN/labNN

build/site/index.html sends a visitor to en/ (with a link to zh-CN/). Colab badges become plain text
links on the site (the badge image lives on colab.research.google.com, which an offline site cannot load).

    python tools/site_build.py [--out build/site]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = ROOT / "tools" / "site"
BADGE = re.compile(r"\[!\[(Open In Colab|在 Colab 中打开)\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]\(([^)]+)\)")
LESSON = re.compile(r"\d\d_[\w-]+\.ipynb")

TEXT = {
    "en": {
        "title": "lstmcourse: recurrent networks in Keras 3",
        "intro": ("An open notebook course on recurrent neural networks with Keras 3 on TensorFlow: from the tanh "
                  "cell to LSTM and GRU, every formula with code that is checked. These pages show each notebook "
                  "with its stored outputs; open one in Colab or download it to run it. "
                  '<a href="../zh-CN/index.html" lang="zh-Hans">中文版</a>'),
        "lessons": "Lessons", "after": "After the lessons", "labs": "Labs (student versions)",
        "teach": "For instructors", "maint": "For maintainers",
        "lab_title": "Lab {n}",
    },
    "zh-CN": {
        "title": "lstmcourse：用 Keras 3 学循环神经网络",
        "intro": ("一门关于循环神经网络的开放笔记本课程（Keras 3，TensorFlow 后端）：从 tanh 单元到 LSTM 和 GRU，"
                  "每个公式都配有经过检验的代码。本网站展示每个笔记本及其保存的输出；要运行，请在 Colab 中打开或下载笔记本。"
                  '<a href="../en/index.html" lang="en">English edition</a>'),
        "lessons": "课程", "after": "学完之后", "labs": "实验（学生版）",
        "teach": "教师指南（英文）", "maint": "维护者文档（英文）",
        "lab_title": "实验 {n}",
    },
}


def load_course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_heading(path: Path) -> str:
    """The first Markdown heading of a notebook or .md file (its title in the site's navigation)."""
    if path.suffix == ".ipynb":
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                         if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    match = re.search(r"^#\s+(.+)$", text, re.M)
    return match.group(1).strip() if match else path.stem


def copy_notebook(src: Path, dest: Path) -> None:
    """Copy a stored notebook for the site: the Colab badge becomes a text link (no external image)."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            new = BADGE.sub(lambda m: f"[{'Open in Colab' if m.group(1).isascii() else m.group(1)}]({m.group(2)})", text)
            if new != text:
                cell["source"] = new
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


def copy_markdown(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    MOVED[dest] = src


MOVED: dict[Path, Path] = {}   # Markdown page in the source tree -> the repository file it came from
MD_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s]+)\)")


def relink(src_root: Path, blob: str) -> None:
    """Links of the Markdown pages, resolved from where each file lives in the repository: to a page of the
    site (relative to where the page now is), else to the file on GitHub at the release tag (`blob`)."""
    for dest, origin in MOVED.items():
        if not dest.is_relative_to(src_root):
            continue
        def fix(match):
            target, _, fragment = match.group(1).partition("#")
            in_repo = os.path.normpath(os.path.join(origin.parent.relative_to(ROOT).as_posix(), target)).replace(os.sep, "/")
            anchor = f"#{fragment}" if fragment else ""
            if (src_root / in_repo).is_file():
                return "](" + os.path.relpath(src_root / in_repo, dest.parent).replace(os.sep, "/") + anchor + ")"
            return f"]({blob}{in_repo}{anchor})"
        text = dest.read_text(encoding="utf-8")
        dest.write_text(MD_LINK.sub(fix, text), encoding="utf-8")


def assemble(lang: str, src: Path) -> dict[str, str]:
    """Fill build/site-src/LANG; return {docname: repository path} of its notebooks."""
    if src.exists():
        shutil.rmtree(src)
    notebooks: dict[str, str] = {}
    lesson_dir = "notebooks" if lang == "en" else "notebooks/zh-CN"
    lab_dir = "exercises" if lang == "en" else "exercises/zh-CN"
    lessons = sorted(p for p in (ROOT / lesson_dir).glob("*.ipynb") if LESSON.fullmatch(p.name))
    labs = sorted((ROOT / lab_dir).glob("lab[0-9][0-9]/lab[0-9][0-9].ipynb"))
    for path in [*lessons, *labs]:
        rel = path.relative_to(ROOT).as_posix()
        copy_notebook(path, src / rel)
        notebooks[rel[:-len(".ipynb")]] = rel
    for name in ("glossary.md", "where_next.md", "notation.md", *(("terminology.md",) if lang == "zh-CN" else ())):
        copy_markdown(ROOT / lesson_dir / name, src / lesson_dir / name)
    copy_markdown(ROOT / "solutions" / "README.md", src / "instructor.md")
    docs = sorted((ROOT / "docs").glob("*.md")) if lang == "en" else []
    for path in docs:
        copy_markdown(path, src / "docs" / path.name)

    t = TEXT[lang]
    def toc(caption: str, entries: list[str]) -> str:
        return "\n".join([f":::{{toctree}}", f":caption: {caption}", ":maxdepth: 1", "", *entries, ":::", ""])
    lab_entries = [f"{t['lab_title'].format(n=p.parent.name[3:])} <{p.relative_to(ROOT).with_suffix('').as_posix()}>"
                   for p in labs]
    after = [f"{lesson_dir}/{name}" for name in ("where_next", "glossary", "notation")]
    if lang == "zh-CN":
        after.insert(0, "notebooks/zh-CN/terminology")
    index = [f"# {t['title']}", "", t["intro"], "",
             toc(t["lessons"], [p.relative_to(ROOT).with_suffix("").as_posix() for p in lessons]),
             toc(t["after"], after), toc(t["labs"], lab_entries), toc(t["teach"], ["instructor"])]
    if docs:
        index.append(toc(t["maint"], [f"docs/{p.stem}" for p in docs]))
    (src / "index.md").write_text("\n".join(index), encoding="utf-8")
    return notebooks


def docnames(src: Path) -> list[str]:
    return sorted(p.relative_to(src).with_suffix("").as_posix() for p in src.rglob("*")
                  if p.suffix in (".md", ".ipynb"))


ROOT_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lstmcourse</title>
<meta http-equiv="refresh" content="0; url=en/index.html"></head>
<body><main><h1>lstmcourse</h1>
<p><a href="en/index.html">English</a> · <a href="zh-CN/index.html" lang="zh-Hans">中文</a></p></main></body></html>
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "site"))
    parser.add_argument("--keep-going", action="store_true", help="report every Sphinx warning, do not stop at the first")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    course = load_course()
    repo, tag = course.course_location()
    import tomllib
    info = {"version": tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"],
            "repository_url": f"https://github.com/{repo}", "colab_prefix": course.colab_prefix(),
            "notebooks": {}, "docs": {}}
    src_root = ROOT / "build" / "site-src"
    for lang in ("en", "zh-CN"):
        info["notebooks"][lang] = assemble(lang, src_root / lang)
        relink(src_root / lang, f"https://github.com/{repo}/blob/{tag}/")
        info["docs"][lang] = docnames(src_root / lang)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    failed = 0
    for lang in ("en", "zh-CN"):
        started = time.monotonic()
        env = dict(os.environ, LSTMCOURSE_SITE_LANG=lang, LSTMCOURSE_SITE_INFO=json.dumps(info))
        cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "-c", str(CONF_DIR),
               "-d", str(ROOT / "build" / "site-doctrees" / lang), str(src_root / lang), str(out / lang)]
        if args.keep_going:
            cmd.insert(cmd.index("-W") + 1, "--keep-going")
        print("+", " ".join(cmd), flush=True)
        code = subprocess.call(cmd, cwd=ROOT, env=env)
        print(f"site: {lang} {'built' if code == 0 else 'FAILED'} ({time.monotonic() - started:.0f} s)", flush=True)
        failed |= code
    (out / "index.html").write_text(ROOT_INDEX, encoding="utf-8")
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve _static/ as is
    pages = sum(1 for _ in out.rglob("*.html"))
    print(f"site: {pages} HTML files in {out}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

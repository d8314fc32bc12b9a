"""Releases (`python3 course.py release VERSION`): the version moves everywhere at once, and every
notebook a badge points to is in the release (the file exists at the path the link names)."""
import re
from pathlib import Path

import pytest

from tests.course_module import load_course

ROOT = Path(__file__).resolve().parents[1]
course = load_course()
REPO, TAG = course.course_location()
BADGE = re.compile(r"https://colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w.-]+)/([^)\s\"'>]+)")


def badge_targets():
    """(file, repo, tag, path) for every Colab link in the files sync-links rewrites and README.zh-CN.md."""
    found = []
    for path in [*course.link_files(ROOT), ROOT / "README.zh-CN.md"]:
        for match in BADGE.finditer(path.read_text(encoding="utf-8")):
            found.append((path.relative_to(ROOT).as_posix(), *match.groups()))
    return found


def test_every_badge_names_a_notebook_of_this_release():
    targets = badge_targets()
    assert len(targets) > 24  # lessons, labs, both languages
    version = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert TAG == f"v{version}", f"release-tag {TAG} is not v + version {version}: run `python3 course.py release`"
    problems = [f"{where}: {repo}@{tag}/{path}" for where, repo, tag, path in targets
                if repo != REPO or tag != TAG or not (ROOT / path).is_file() or not path.endswith(".ipynb")]
    assert not problems, "badges that point outside this release:\n" + "\n".join(problems)
    install = re.compile(r"git\+https://github\.com/([\w.-]+/[\w-]+)@([\w.-]+)")
    for path in course.link_files(ROOT):
        for repo, tag in install.findall(path.read_text(encoding="utf-8")):
            assert (repo, tag) == (REPO, TAG), path


def test_bump_version_texts_moves_every_version():
    pyproject = '[project]\nversion = "0.2.0"\n[tool.lstmcourse]\nrelease-tag = "v0.2.0"\n'
    init = '"""doc"""\n__version__ = "0.2.0"\n'
    new_pyproject, new_init = course.bump_version_texts(pyproject, init, "0.3.0")
    assert 'version = "0.3.0"' in new_pyproject and 'release-tag = "v0.3.0"' in new_pyproject
    assert new_init.endswith('__version__ = "0.3.0"\n') and "0.2.0" not in new_pyproject + new_init


@pytest.mark.parametrize("bad", ["v0.3.0", "0.3", "0.3.0rc1", ""])
def test_bump_version_texts_refuses_a_malformed_version(bad):
    with pytest.raises(ValueError, match=re.escape(f"Received: version={bad!r}")):
        course.bump_version_texts('version = "0.2.0"\nrelease-tag = "v0.2.0"\n', '__version__ = "0.2.0"\n', bad)


def test_changelog_release_moves_every_unreleased_section_under_the_version():
    text = ("# Changelog\n\nintro\n\n## Unreleased — 2026-12-06 (session 3)\n\n- b\n\n"
            "## Unreleased — 2026-11-29 (session 2)\n\n- a\n\n## 0.2.0 — 2026-11-29\n\n- old\n")
    new = course.changelog_release(text, "0.3.0", "2026-12-07")
    assert new.index("## Unreleased\n") < new.index("## 0.3.0 — 2026-12-07 (2026-12-06 (session 3))")
    assert "## 0.3.0, continued (2026-11-29 (session 2))" in new
    assert new.count("## Unreleased") == 1 and "- a" in new and "- b" in new and "## 0.2.0 — 2026-11-29" in new
    with pytest.raises(ValueError, match="Received: version='0.2.0'"):
        course.changelog_release(text, "0.2.0", "2026-12-07")
    with pytest.raises(ValueError, match="no such heading"):
        course.changelog_release("# Changelog\n\n## 0.2.0\n", "0.3.0", "2026-12-07")

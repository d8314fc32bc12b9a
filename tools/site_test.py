"""The website in a real browser (run by `python3 course.py site-test`, inside .venv-site).

Serves build/site/ on 127.0.0.1 and opens every HTML page in headless Chromium (Debian's `chromium`,
driven by Playwright for Python; every request that leaves 127.0.0.1 is blocked and counted as a
failure, so the site is tested as it works offline). On each page it checks

- no console error and no uncaught exception;
- no failed request (blocked, refused, or an HTTP status >= 400);
- no broken internal link: every <a href> inside the site names a file that exists (and an anchor
  that exists in it);
- math rendered: every `.math` element holds MathJax output (`mjx-container`) and no `merror`;
- every image loaded (complete, naturalWidth > 0) and has an alt attribute; a figure (an image in a
  notebook's output) has alt text that describes it: not empty and not a file path or file name (what
  docutils writes when a cell has no `alt` metadata);
- an axe-core audit (axe-playwright-python, which ships axe-core's JavaScript): no violation of
  impact "serious" or "critical" (the others are reported).

A report is written to build/site-test/report.json.

    python tools/site_test.py --chromium /usr/bin/chromium [--site build/site] [PAGE.html ...]
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BLOCKING = ("serious", "critical")

PAGE_FACTS = """() => {
  const imgs = [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0,
                                                 alt: i.getAttribute('alt'), figure: !!i.closest('.cell_output')}));
  const links = [...document.querySelectorAll('a[href]')].map(a => a.href);
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const math = [...document.querySelectorAll('.math')];
  const rendered = math.filter(m => m.querySelector('mjx-container') && !m.querySelector('merror')).length;
  const raw = math.filter(m => !m.querySelector('mjx-container')).slice(0, 3).map(m => m.textContent.slice(0, 80));
  return {imgs, links, ids, math: math.length, rendered, raw};
}"""


FILE_LIKE = re.compile(r"^\S+\.(png|jpe?g|gif|svg|webp|pdf)$|_images/", re.I)  # a file name or the site's path


def figure_alt_ok(alt: str, src: str) -> bool:
    """True if a figure's alt text says something: not blank, not its own file name or a path.

    Example:
        >>> figure_alt_ok("../_images/40a8c06e.png", "http://127.0.0.1:8000/en/_images/40a8c06e.png")
        False
        >>> figure_alt_ok("Validation MSE per epoch for three cells.", "http://127.0.0.1:8000/x.png")
        True
        >>> figure_alt_ok("热图：数字形式的日/月/年（没有空格的中文句子）", "http://127.0.0.1:8000/x.png")
        True
    """
    text = alt.strip()
    name = src.rsplit("/", 1)[-1]
    return bool(text) and not FILE_LIKE.match(text) and name not in text


def log(msg: str) -> None:
    print(f"[site-test {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def wait_for_math(page, timeout_s: float = 30) -> None:
    """Wait until MathJax (if the page loads it) has typeset the page."""
    page.wait_for_function(
        "() => !window.MathJax || (MathJax.startup && MathJax.startup.promise && "
        "(window.__mjDone || (MathJax.startup.promise.then(() => window.__mjDone = true), false)))",
        timeout=timeout_s * 1000)


def check_page(page, axe, base: str, site: Path, rel: str, ids_cache: dict) -> dict:
    problems, notes = [], []
    console, failed = [], []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    page.goto(base + rel, wait_until="load")
    wait_for_math(page)
    facts = page.evaluate(PAGE_FACTS)
    problems += [f"console error: {c}" for c in console]
    problems += [f"failed request: {f}" for f in failed]
    if facts["rendered"] < facts["math"]:
        problems.append(f"math not rendered: {facts['math'] - facts['rendered']} of {facts['math']} (e.g. {facts['raw']})")
    for img in facts["imgs"]:
        if not img["ok"]:
            problems.append(f"image not loaded: {img['src'][:120]}")
        if img["alt"] is None:
            problems.append(f"image without alt attribute: {img['src'][:120]}")
        elif img["figure"] and not figure_alt_ok(img["alt"], img["src"]):
            problems.append(f"figure without alt text (give its cell `# %% alt=\"...\"`): alt={img['alt'][:80]!r}, "
                            f"src {img['src'][:120]}")
    here = base + rel
    for href in sorted(set(facts["links"])):
        if not href.startswith(base):
            continue
        url = urlparse(href)
        target = site / unquote(url.path[len(urlparse(base).path):])
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"broken link: {href[len(base):]} (from {rel})")
        elif url.fragment and target.suffix == ".html" and href.split("#")[0] != here.split("#")[0]:
            ids = ids_cache.get(target)
            if ids is None:
                import re
                ids = ids_cache[target] = set(re.findall(r'id="([^"]+)"', target.read_text(encoding="utf-8")))
            if unquote(url.fragment) not in ids:
                problems.append(f"broken anchor: {href[len(base):]} (from {rel})")
        elif url.fragment and href.split("#")[0] == here.split("#")[0] and unquote(url.fragment) not in facts["ids"]:
            problems.append(f"broken anchor: #{url.fragment} (in {rel})")
    result = axe.run(page)
    violations = result.response["violations"]
    for v in violations:
        line = f"axe {v['impact']}: {v['id']} ({len(v['nodes'])} nodes): {v['help']}"
        (problems if v["impact"] in BLOCKING else notes).append(line)
    return {"page": rel, "problems": problems, "notes": notes, "math": facts["math"], "images": len(facts["imgs"]),
            "violations": [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
                            "targets": [n["target"] for n in v["nodes"][:5]]} for v in violations]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--site", default=str(ROOT / "build" / "site"))
    parser.add_argument("--report", default=str(ROOT / "build" / "site-test" / "report.json"))
    parser.add_argument("pages", nargs="*", help="pages relative to the site (default: every .html file)")
    args = parser.parse_args(argv)
    site = Path(args.site).resolve()
    if not (site / "index.html").is_file():
        sys.exit(f"site-test: no site in {site}: run `python3 course.py site` first")
    pages = args.pages or sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                                 if "_static" not in p.relative_to(site).parts)  # the theme's template macros
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    started = time.monotonic()
    results, ids_cache = [], {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            context = browser.new_context()
            # offline: anything that is not this server is blocked (and reported by requestfailed)
            context.route(lambda url: not url.startswith(base), lambda route: route.abort("blockedbyclient"))
            axe = Axe()
            for rel in pages:
                page = context.new_page()
                t0 = time.monotonic()
                try:
                    result = check_page(page, axe, base, site, rel, ids_cache)
                except Exception as error:  # a page that times out or crashes is a failure, not a stop
                    result = {"page": rel, "problems": [f"{type(error).__name__}: {error}"], "notes": []}
                page.close()
                results.append(result)
                status = "ok" if not result["problems"] else "FAILED"
                log(f"{status:6s} {rel} ({time.monotonic() - t0:.1f} s)"
                    + "".join(f"\n         {line}" for line in result["problems"][:12]))
            browser.close()
    finally:
        server.shutdown()
    report = Path(args.report)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    bad = [r for r in results if r["problems"]]
    notes = sorted({n.split(" (")[0] for r in results for n in r["notes"]})
    if notes:
        log("non-blocking axe findings (minor/moderate): " + "; ".join(notes))
    log(f"{len(results) - len(bad)} of {len(results)} pages passed ({time.monotonic() - started:.0f} s); report: {report}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

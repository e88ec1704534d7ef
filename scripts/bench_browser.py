"""Measure the built course site in a real browser: bytes transferred per page
(first visit, then a second visit with the browser's cache) and Lighthouse's
scores for the home page and a notebook page.

    python scripts/bench_browser.py [--site DIR]    (also run by `make bench`)

Without --site the site is built (`mkdocs build --strict`) into a temporary
folder. It is served on 127.0.0.1 under its published path (for example
/course/). The byte counts come from plain http.server (no compression,
Last-Modified validation only), an upper bound. Lighthouse's targets apply to
the site served as GitHub Pages serves it (gzip, `Cache-Control:
max-age=600`), which is what readers get; the uncompressed scores are printed
beside them for comparison.

Chromium is the browser tests' (CHROMIUM_PATH, chromium on PATH, or
scripts/setup_browser.py's); Lighthouse is
node_modules/.bin/lighthouse (`npm ci`). Targets: performance >= 95,
accessibility, best practices and SEO = 100; one PASS/FAIL line each.
main() returns 1 when a target is missed or a tool is missing, else 0.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlparse

from local_site import (ROOT, CHROMIUM_ARGS, build_site, chromium_executable, serve,
                        site_mount, site_pages)

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def progress(text: str) -> None:
    print(text, flush=True)


def measure_transfers(executable: str, base_url: str, pages: list[str], scratch: Path) -> list[dict]:
    """Per page: bytes the browser received (CDP encodedDataLength) on a visit with an
    empty cache, then on a second visit with the cache that first visit filled."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(scratch / "profile"), executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        page = context.pages[0] if context.pages else context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        tally = {}

        def on_response(event):
            response = event["response"]
            if response["url"].startswith("data:"):
                return
            entry = tally.setdefault(event["requestId"], {"bytes": 0})
            entry["url"] = response["url"]
            entry["status"] = response["status"]
            entry["cached"] = bool(response.get("fromDiskCache") or response.get("fromMemoryCache"))

        def on_finished(event):
            tally.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

        def on_served_from_cache(event):
            tally.setdefault(event["requestId"], {"bytes": 0})["cached"] = True

        tried_hosts = set()
        cdp.on("Network.requestWillBeSent", lambda e: tried_hosts.add(urlparse(e["request"]["url"]).hostname))
        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)
        cdp.on("Network.requestServedFromCache", on_served_from_cache)

        def visit(url: str) -> dict:
            tally.clear()
            tried_hosts.clear()
            page.goto(url, wait_until="networkidle")
            entries = [e for e in tally.values() if "url" in e]
            return {
                "bytes": sum(e.get("bytes", 0) for e in entries),
                "requests": len(entries),
                "from_cache": sum(1 for e in entries if e.get("cached") or
                                  (e.get("status") != 304 and not e.get("bytes"))),
                "not_modified": sum(1 for e in entries if e.get("status") == 304),
                "off_host": sorted(h for h in tried_hosts if h and h != "127.0.0.1"),
            }

        for path in pages:
            url = urljoin(base_url, path)
            cdp.send("Network.clearBrowserCache")
            first = visit(url)
            second = visit(url)
            rows.append({"page": "/" + path, "first": first, "second": second})
            progress(f"  {'/' + path:<46} {first['bytes'] / 1024:>8.1f} KB {first['requests']:>3} req"
                     f"   {second['bytes'] / 1024:>8.1f} KB {second['requests']:>3} req "
                     f"({second['from_cache']} from cache, {second['not_modified']} x 304)")
        context.close()
    return rows


def lighthouse(url: str, executable: str, scratch: Path) -> dict:
    """Lighthouse's four category scores (0-100) for `url`, mobile preset."""
    output = scratch / f"lighthouse-{abs(hash(url))}.json"
    flags = " ".join(CHROMIUM_ARGS)
    env = {**os.environ, "CHROME_PATH": executable}
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={output}",
         f"--chrome-flags={flags}", "--only-categories=performance,accessibility,best-practices,seo"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    if result.returncode or not output.exists():
        raise RuntimeError(f"lighthouse {url} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    report = json.loads(output.read_text())
    scores = {key: round((category["score"] or 0) * 100) for key, category in report["categories"].items()}
    below = []
    for key, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = report["audits"].get(ref["id"], {})
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                below.append(f"{key}: {ref['id']} ({audit.get('displayValue') or audit.get('title')})")
    return {"scores": scores, "below": below}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site folder (default: build one)")
    args = parser.parse_args(argv if argv is not None else [])
    executable = chromium_executable()
    if not executable:
        progress("  FAIL  no Chromium: `python scripts/setup_browser.py` sets one up (or set CHROMIUM_PATH)")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        scratch = Path(folder)
        site = args.site
        if site is None:
            site = scratch / "site"
            progress("Building the site (mkdocs build --strict) ...")
            result = build_site(ROOT, site)
            if result.returncode:
                raise SystemExit(f"mkdocs build --strict failed:\n{result.stdout}{result.stderr}")
        site = site.resolve()
        server, base_url = serve(site, site_mount())
        try:
            pages = site_pages(site)
            progress(f"\nBytes transferred per page (served by http.server at {base_url}):")
            progress(f"  {'page':<46} {'first visit':>19}   {'second visit (browser cache)':>28}")
            rows = measure_transfers(executable, base_url, pages, scratch)
            off_host = sorted({h for r in rows for v in (r["first"], r["second"]) for h in v["off_host"]})
            if off_host:
                progress(f"  note: pages tried to reach {', '.join(off_host)}")
            total_first = sum(r["first"]["bytes"] for r in rows)
            total_second = sum(r["second"]["bytes"] for r in rows)
            progress(f"  {'all pages':<46} {total_first / 1024:>8.1f} KB {'':>7}   {total_second / 1024:>8.1f} KB")

            if not LIGHTHOUSE.exists():
                progress(f"\n  FAIL  {LIGHTHOUSE.relative_to(ROOT)} missing: run `npm ci`")
                return 1
            notebook = next((p for p in pages if p.startswith("notebooks/")), None)
            targets = {"home": ""} | ({"notebook": notebook} if notebook else {})
            gzip_server, gzip_url = serve(site, site_mount(), compress=True)
            runs = [(f"{name} (gzip, as GitHub Pages serves it)", urljoin(gzip_url, path), True)
                    for name, path in targets.items()]
            runs += [(f"{name} (plain http.server, no compression)", urljoin(base_url, path), False)
                     for name, path in targets.items()]
            progress("\nLighthouse 12 (mobile preset, simulated throttling); the targets apply to the "
                     "site served as GitHub Pages serves it (gzip); the uncompressed runs are for comparison:")
            for name, url, counted in runs:
                path = urlparse(url).path
                progress(f"  running Lighthouse on {name}: {path} ...")
                try:
                    outcome = lighthouse(url, executable, scratch)
                except (RuntimeError, subprocess.TimeoutExpired) as error:
                    progress(f"  FAIL  {name}: {error}")
                    failed += counted
                    continue
                scores = outcome["scores"]
                progress("    " + "  ".join(f"{k} {v}" for k, v in scores.items()))
                for key, minimum in TARGETS.items():
                    ok = scores.get(key, 0) >= minimum
                    failed += counted and not ok
                    verdict = ("PASS" if ok else "FAIL") if counted else ("(ok)" if ok else "(below)")
                    progress(f"  {verdict}  {name} {key} {scores.get(key)} "
                             f"{'>=' if minimum < 100 else '='} {minimum}")
                for line in outcome["below"]:
                    progress(f"    not full marks: {line}")
            gzip_server.shutdown()
        finally:
            server.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Recording stand-ins for the commands the workflows' `run:` steps call that
would build the site, run the suite or touch GitHub: `make` and `gh`, and the runner image's `google-chrome`.

The workflow harness (tests/workflow_harness.py) puts small wrappers named
after them first on the steps' PATH; each runs this file with the tool's
name first. Every call is appended to $HARNESS_CALLS (one JSON line: tool,
arguments, working folder), and the behaviour comes from the run's state file
$HARNESS_STATE (JSON), which `gh` also updates (labels, issues):

    {"repository": {"full_name": "o/r", "default_branch": "main", "has_issues": true},
     "make": {"test": 0, "build": 0}, "linkcheck": {"status": 1},
     "labels": [], "issues": [{"number": 7, "title": ..., "state": "open", "labels": [...],
                               "body": ..., "comments": [...]}]}

`make test` and `make build` only answer with the status the state gives.
`make linkcheck` runs the real make on the checked-out Makefile's `linkcheck`
recipe, with the link checker itself replaced by `linkcheck-script` below
(reports written as scripts/linkcheck.py writes them, exit status from the
state): what make does with that status is make's own doing, not assumed here.

`gh` knows only the sub-commands and --jq filters the workflows use; anything
else fails loudly, so a workflow change that needs more shows up as an error.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()


def load_state() -> dict:
    return json.loads(Path(os.environ["HARNESS_STATE"]).read_text())


def save_state(state: dict) -> None:
    Path(os.environ["HARNESS_STATE"]).write_text(json.dumps(state, indent=1))


def record(tool: str, args: list[str]) -> None:
    with open(os.environ["HARNESS_CALLS"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"tool": tool, "args": args, "cwd": os.getcwd()}) + "\n")


def fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code


# --------------------------------------------------------------------------
# make


def make(args: list[str]) -> int:
    state = load_state()
    if not Path("Makefile").is_file():
        return fail("make: *** No targets specified and no makefile found.  Stop.", 2)
    assignments = [a for a in args if "=" in a and not a.startswith("-")]
    targets = [a for a in args if "=" not in a and not a.startswith("-")] or ["help"]
    for target in targets:
        if target in ("test", "build"):
            status = int(state.get("make", {}).get(target, 0))
            print(f"(stand-in) make {target}: status {status}")
            if status:
                return fail(f"make: *** [Makefile] Error {status}", 2)
            if target == "build":
                Path("site").mkdir(exist_ok=True)
                Path("site/index.html").write_text("<!doctype html><title>course</title>\n")
        elif target == "linkcheck":
            if int(state.get("make", {}).get("build", 0)):
                print("(stand-in) make build: failed before the link check")
                return fail("make: *** [Makefile] Error 1", 2)
            Path("site").mkdir(exist_ok=True)
            Path("site/index.html").write_text("<!doctype html><title>course</title>\n")
            script = f"{sys.executable} {HERE} linkcheck-script"
            real = subprocess.run([os.environ["HARNESS_REAL_MAKE"], "-o", "build", "linkcheck",
                                   f"PY={script}", *assignments])
            if real.returncode:
                return real.returncode
        elif target == "claims-due":
            # The real recipe and the real scripts/claims.py, run by this Python
            # (which has the packages the script imports) instead of .venv's;
            # {"claims": {"today": ...}} reviews as of another day, and
            # {"claims": {"python": ...}} names the interpreter (a missing one
            # stands for a review that cannot run).
            claims = state.get("claims", {})
            today = [f"TODAY={claims['today']}"] if claims.get("today") else []
            # INSTALLED= : no .venv to set up (the Makefile's install stamp target).
            real = subprocess.run([os.environ["HARNESS_REAL_MAKE"], "INSTALLED=", "claims-due",
                                   f"PY={claims.get('python', sys.executable)}", *today, *assignments])
            if real.returncode:
                return real.returncode
        else:
            return fail(f"make stand-in: no behaviour for target {target!r}", 2)
    return 0


def linkcheck_script(args: list[str]) -> int:
    """Stands for `python scripts/linkcheck.py`: reports as the script writes them."""
    status = int(load_state().get("linkcheck", {}).get("status", 0))
    if status == 2:
        return fail("linkcheck: scripts/linkcheckerrc: config file not found", 2)
    broken = [{"page": "/chapter-1/", "link": "https://example.org/gone", "status": "404 Not Found",
               "reason": "", "line": 12, "page_url": "https://o.github.io/r/chapter-1/"}] if status else []
    data = {"mode": "external", "passed": not broken, "counts": {"broken": len(broken)}, "broken": broken}
    headline = f"{len(broken)} broken links" if broken else "passed: no broken link"
    rows = "".join(f"| [{b['page']}]({b['page_url']}) line {b['line']} | {b['link']} | {b['status']} | |\n"
                   for b in broken)
    text = f"## Link check (external): {headline}\n\n" + (
        "### Broken (fix these)\n\n| Page | Link | Status | Details |\n| --- | --- | --- | --- |\n" + rows
        if rows else "")
    for variable, content in (("LINKCHECK_JSON_REPORT", json.dumps(data, indent=2)),
                              ("LINKCHECK_MARKDOWN_REPORT", text)):
        if os.environ.get(variable):
            path = Path(os.environ[variable])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    print(f"FAILED: {len(broken)} broken link (listed above)." if broken else "PASSED: no broken link.")
    return status


# --------------------------------------------------------------------------
# gh

JQ = {  # the --jq filters the workflows use, as gh prints their results
    ".[0].number // empty": lambda d: [d[0]["number"]] if d else [],
    ".has_issues": lambda d: [d["has_issues"]],
    ".default_branch": lambda d: [d["default_branch"]],
    '"\\(.has_issues) \\(.default_branch)"': lambda d: [f"{str(d['has_issues']).lower()} {d['default_branch']}"],
}


def printed(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def options(args: list[str]) -> tuple[list[str], dict]:
    positional, named, i = [], {}, 0
    while i < len(args):
        if args[i].startswith("--"):
            named[args[i][2:]] = args[i + 1]
            i += 2
        else:
            positional.append(args[i])
            i += 1
    return positional, named


def token_grants(scope: str, level: str) -> bool:
    token = os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN") or ""
    grants = dict(part.split("=", 1) for part in token.removeprefix("harness-token:").split(";") if "=" in part)
    return grants.get(scope) == "write" or (level == "read" and grants.get(scope) == "read")


def output(value, jq: str | None) -> int:
    if jq is None:
        print(json.dumps(value))
        return 0
    if jq not in JQ:
        return fail(f"gh stand-in: --jq {jq!r} is not one the stand-in knows; add it to JQ", 64)
    for item in JQ[jq](value):
        print(printed(item))
    return 0


def gh(args: list[str]) -> int:
    state = load_state()
    if not (os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN")):
        return fail("gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.", 4)
    repo = state["repository"]
    command, rest = args[:2], args[2:]
    positional, named = options(rest)
    if args[:1] == ["api"]:
        path, named = args[1], options(args[2:])[1]
        if path != f"repos/{repo['full_name']}":
            return fail(f"gh stand-in: no answer for `gh api {path}`", 64)
        return output(repo, named.get("jq"))
    if os.environ.get("GH_REPO") != repo["full_name"]:
        return fail(f"gh: GH_REPO is {os.environ.get('GH_REPO')!r}, expected {repo['full_name']!r}", 1)
    issues = state.setdefault("issues", [])

    def find(number: str):
        match = [i for i in issues if str(i["number"]) == str(number)]
        return match[0] if match else None

    def body() -> str:
        return Path(named["body-file"]).read_text() if "body-file" in named else named.get("body", "")

    def save_and(code: int = 0) -> int:
        save_state(state)
        return code

    write = command[0] in ("label",) or command[1:] != ["list"]
    if not token_grants("issues", "write" if write else "read"):
        return fail("HTTP 403: Resource not accessible by integration (the token has no issues permission)", 1)
    if command == ["label", "create"]:
        name = positional[0]
        if name in state.setdefault("labels", []):
            return fail(f"label with name \"{name}\" already exists; use `--force` to update its color and description")
        state["labels"].append(name)
        return save_and()
    if command[0] == "issue" and not repo.get("has_issues", True):
        return fail(f"the '{repo['full_name']}' repository has disabled issues")
    if command == ["issue", "list"]:
        wanted = named.get("state", "open")
        found = [i for i in sorted(issues, key=lambda i: -i["number"])
                 if (wanted == "all" or i["state"] == wanted)
                 and ("label" not in named or named["label"] in i["labels"])]
        found = found[: int(named.get("limit", 30))]
        fields = named.get("json", "number").split(",")
        return output([{f: i.get(f) for f in fields} for i in found], named.get("jq"))
    if command == ["issue", "create"]:
        number = max([i["number"] for i in issues] + [0]) + 1
        labels = [named["label"]] if "label" in named else []
        missing = [label for label in labels if label not in state.get("labels", [])]
        if missing:
            return fail(f"could not add label: '{missing[0]}' not found")
        issues.append({"number": number, "title": named["title"], "state": "open", "labels": labels,
                       "body": body(), "comments": []})
        print(f"https://github.com/{repo['full_name']}/issues/{number}")
        return save_and()
    if command[0] == "issue" and command[1] in ("edit", "comment", "close"):
        issue = find(positional[0])
        if issue is None:
            return fail(f"GraphQL: Could not resolve to an issue or pull request with the number of {positional[0]}.")
        if command[1] == "edit":
            issue["body"] = body()
        elif command[1] == "comment":
            issue["comments"].append(body())
        else:
            issue["state"] = "closed"
            if "comment" in named:
                issue["comments"].append(named["comment"])
        return save_and()
    return fail(f"gh stand-in: `gh {' '.join(args)}` is not a command the stand-in knows", 64)


def google_chrome(args: list[str]) -> int:
    """The runner image's preinstalled Google Chrome: only asked for its version here."""
    if args != ["--version"]:
        return fail(f"google-chrome stand-in: only --version is known, not {args}", 64)
    print("Google Chrome 140.0.7339.80")
    return 0


def main() -> int:
    tool, args = sys.argv[1], sys.argv[2:]
    record(tool, args)
    tools = {"make": make, "gh": gh, "linkcheck-script": linkcheck_script, "google-chrome": google_chrome}
    return tools[tool](args)


if __name__ == "__main__":
    sys.exit(main())

"""Re-point the course at a fork: its repository, branch and GitHub Pages site.

    python scripts/fork.py OWNER/NAME [--branch BRANCH] [--from OWNER/NAME ...]

What changes:
- mkdocs.yml: `repo_url`, `repo_name` and `extra.course.branch` (line edits
  that keep every comment);
- every notebook's Open-in-Colab badge cell, rewritten from the new setting,
  and so is each student copy's in exercises/ (pointing at the copy itself);
- the workflows' push branch filter marked as following the course's branch
  (`branches: [main] # extra.course.branch ...` in .github/workflows/), so
  pushes to the new branch run the tests and publish the site;
- every absolute link to the old repository or its site, in notebooks/,
  docs/, README.md, mkdocs.yml and .github/: github.com/OLD (blob, tree,
  edit, raw ... on the old branch move to the new branch),
  raw.githubusercontent.com/OLD, Colab's github/OLD, mybinder.org's gh/OLD,
  nbgitpuller's encoded repo=, and the old Pages site (https://OWNER.github.io/NAME/).

"Old" is the repository mkdocs.yml names now, plus any other repository a
notebook's badge names (after merging upstream changes, new notebooks bring
upstream's badge), plus any given with --from.

Every change is computed before any file is written; bad input (a REPO that
is not owner/name, such as a URL or a name ending in .git, or a malformed
BRANCH) changes nothing. Notebooks are written the way nbformat writes them
(indent 1, sorted keys, trailing newline) with their outputs kept. A second
run finds nothing to change.

Afterwards, when the branch is not the one checked out (or does not exist
yet), the next steps are printed: `git switch -c BRANCH`, commit, push, and
make it the repository's default branch on GitHub. Those are not errors.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from course_links import (  # noqa: E402
    BRANCH_LINE,
    COLAB_BADGE_MARKDOWN_RE,
    REPO_URL_LINE,
    Repository,
    colab_badge_markdown,
    configured_repository,
    invalid_branch_reason,
    invalid_slug_reason,
    is_badge_cell,
)

REPO_NAME_LINE = re.compile(r"^repo_name:\s*(\S+)\s*$", re.M)
TEXT_SUFFIXES = {".md", ".markdown", ".html", ".txt", ".yml", ".yaml", ".json", ".toml", ".cfg", ".py", ".j2"}
# Where the end of an owner/name is: not followed by a name character
# (".git" or a full stop ending a sentence are fine).
_END = r"(?=\.git(?![A-Za-z0-9._-])|(?![A-Za-z0-9_-]|\.[A-Za-z0-9_-]))"
# A workflow's push branch filter that follows the course's branch: a flow list
# on one line whose comment names extra.course.branch.
WORKFLOW_BRANCH_FILTER = re.compile(
    r"^(?P<head>[ \t]*branches:[ \t]*)(?P<value>\[.*?\])(?P<tail>[ \t]+#[^\n]*extra\.course\.branch[^\n]*)$",
    re.M)
# What someone may type instead of owner/name: a GitHub URL, an SSH address, a .git ending.
_SLUG_IN = re.compile(r"^(?:(?:https?://)?(?:www\.)?github\.com/|git@github\.com:)?"
                      r"(?P<owner>[^/\s]+)/(?P<name>[^/\s]+?)(?:\.git)?/?$", re.I)


class ForkError(Exception):
    """Input the script refuses; nothing has been written."""


@dataclass
class Change:
    path: Path
    new_text: str
    what: list[str] = field(default_factory=list)


def _ref(branch: str) -> str:
    return re.escape(branch)


def suggested_slug(value: str) -> str | None:
    """The owner/name inside a URL, SSH address or `owner/name.git`, when it differs from `value`."""
    match = _SLUG_IN.match(value.strip())
    if not match:
        return None
    slug = f"{match.group('owner')}/{match.group('name')}"
    return slug if slug != value and not invalid_slug_reason(slug) else None


def workflow_branch_filter(branch: str) -> str:
    """`branch` as a one-item flow list for a workflow's `branches:` filter."""
    if re.fullmatch(r"[A-Za-z0-9._/-]+", branch):
        return f"[{branch}]"
    # Quoted, with the characters GitHub's filter patterns treat specially escaped.
    return "[" + json.dumps(re.sub(r"([*?+!\[\]])", r"\\\1", branch)) + "]"


def link_rules(old: Repository, new: Repository) -> list[tuple[re.Pattern, str]]:
    """(pattern, replacement) pairs that move links from `old` to `new`."""
    o = re.escape(old.slug)
    ob = _ref(old.branch)
    n, nb = new.slug, new.branch
    encoded_old = re.escape(old.slug.replace("/", "%2F"))
    rules = [
        # Links on the old branch move to the new branch ...
        (rf"(https?://github\.com/){o}/(blob|tree|edit|raw|commits|actions|settings)/{ob}(?=[/\s\"')#?]|$)",
         rf"\g<1>{n}/\g<2>/{nb}"),
        (rf"(https?://raw\.githubusercontent\.com/){o}/{ob}(?=/)", rf"\g<1>{n}/{nb}"),
        (rf"(https?://colab\.research\.google\.com/github/){o}/blob/{ob}(?=/)", rf"\g<1>{n}/blob/{nb}"),
        (rf"(https?://mybinder\.org/v2/gh/){o}/{ob}(?=[/?\s\"')#]|$)", rf"\g<1>{n}/{quote(nb, safe='')}"),
        # (Binder links carry a branch with a slash percent-encoded.)
        (rf"(https?://mybinder\.org/v2/gh/){o}/{re.escape(quote(old.branch, safe=''))}(?=[/?\s\"')#]|$)",
         rf"\g<1>{n}/{quote(nb, safe='')}"),
        # ... and every other mention of the repository names the new one.
        (rf"(https?://github\.com/){o}{_END}", rf"\g<1>{n}"),
        (rf"(https?://raw\.githubusercontent\.com/){o}(?=/)", rf"\g<1>{n}"),
        (rf"(https?://colab\.research\.google\.com/github/){o}(?=/)", rf"\g<1>{n}"),
        (rf"(https?://mybinder\.org/v2/gh/){o}(?=/)", rf"\g<1>{n}"),
        (rf"(github\.com%2F){encoded_old}(?![A-Za-z0-9._-])", rf"\g<1>{n.replace('/', '%2F')}"),
        (rf"(git@github\.com:){o}{_END}", rf"\g<1>{n}"),
        # Any other mention of owner/name (workflow conditions, nbviewer, prose).
        (rf"(?<![A-Za-z0-9._-]){o}{_END}", n),
    ]
    old_pages, new_pages = old.pages_url, new.pages_url
    if old_pages != new_pages:
        rules.append((re.escape(old_pages), new_pages))
        rules.append((re.escape(old_pages.rstrip("/")) + r"(?![A-Za-z0-9._/-])", new_pages.rstrip("/")))
    # Slugs and branches are validated: no backslashes reach a replacement.
    return [(re.compile(pattern, re.I), replacement) for pattern, replacement in rules]


def replace_links(text: str, rules) -> tuple[str, int]:
    total = 0
    for pattern, replacement in rules:
        text, count = pattern.subn(replacement, text)
        total += count
    return text, total


def _walk_strings(value, edit):
    """Apply `edit` to every string inside a JSON value; returns the new value."""
    if isinstance(value, str):
        return edit(value)
    if isinstance(value, list):
        return [_walk_strings(item, edit) for item in value]
    if isinstance(value, dict):
        return {key: _walk_strings(item, edit) for key, item in value.items()}
    return value


def nbformat_dumps(notebook: dict) -> str:
    """JSON text as nbformat writes notebooks, so diffs stay minimal."""
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _badge_source(source, badge: str):
    """`badge` in the cell's source shape (a list of lines or a string)."""
    return [badge] if isinstance(source, list) else badge


def counted(number: int, noun: str) -> str:
    """'1 badge', '2 badges'."""
    return f"{number} {noun}{'s' * (number != 1)}"


def plan_notebook(path: Path, root: Path, rules, new: Repository) -> Change | None:
    text = path.read_text(encoding="utf-8")
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise ForkError(f"{path.relative_to(root)}: not valid JSON (line {error.lineno}): {error.msg}") from None
    relative = path.relative_to(root).as_posix()
    badges = 0
    links = 0

    def edit(value: str) -> str:
        nonlocal links
        value, count = replace_links(value, rules)
        links += count
        return value

    cells = notebook.get("cells", [])
    for index, cell in enumerate(cells):
        if is_badge_cell(cell):
            badge = colab_badge_markdown(new, relative)
            if "".join(cell["source"]).strip() != badge:
                cell["source"] = _badge_source(cell["source"], badge)
                badges += 1
        else:
            cells[index] = _walk_strings(cell, edit)
    notebook["cells"] = cells
    new_text = nbformat_dumps(notebook) if (badges or links) else text
    if new_text == text:
        return None
    what = []
    if badges:
        what.append(counted(badges, 'badge'))
    if links:
        what.append(counted(links, 'reference'))
    return Change(path, new_text, what)


def plan_text(path: Path, rules) -> Change | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    new_text, count = replace_links(text, rules)
    if not count or new_text == text:
        return None
    return Change(path, new_text, [counted(count, 'reference')])


def plan_workflow(path: Path, new: Repository, rules) -> Change | None:
    """A workflow: its links, and its push branch filter that follows the course's branch."""
    try:
        original = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    text, links = replace_links(original, rules)
    wanted = workflow_branch_filter(new.branch)
    filters = 0

    def follow(match: re.Match) -> str:
        nonlocal filters
        if match.group("value") == wanted:
            return match.group(0)
        filters += 1
        return match.group("head") + wanted + match.group("tail")

    text = WORKFLOW_BRANCH_FILTER.sub(follow, text)
    if text == original:
        return None
    what = []
    if filters:
        what.append(f"push branch filter now {wanted}")
    if links:
        what.append(counted(links, 'reference'))
    return Change(path, text, what)


def plan_mkdocs_yml(path: Path, new: Repository, rules) -> Change | None:
    text = path.read_text(encoding="utf-8")
    settings = []
    for pattern, value, name in (
        (REPO_URL_LINE, new.url, "repo_url"),
        (REPO_NAME_LINE, new.slug, "repo_name"),
        (BRANCH_LINE, new.branch, "extra.course.branch"),
    ):
        match = pattern.search(text)
        if not match:
            if name == "repo_name":
                continue
            raise ForkError(f"{path.name}: no `{name}` line to edit")
        group = match.lastindex
        if match.group(group).strip("'\"") != value:
            text = text[:match.start(group)] + value + text[match.end(group):]
            settings.append(name)
    text, links = replace_links(text, rules)
    original = path.read_text(encoding="utf-8")
    if text == original:
        return None
    what = []
    if settings:
        what.append(", ".join(settings))
    if links:
        what.append(counted(links, 'other reference'))
    return Change(path, text, what)


def files_to_scan(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder in ("notebooks", "exercises", "docs", ".github"):
        base = root / folder
        if base.is_dir():
            found += [p for p in sorted(base.rglob("*"))
                      if p.is_file() and (p.suffix == ".ipynb" or p.suffix in TEXT_SUFFIXES)
                      and ".ipynb_checkpoints" not in p.parts]
    if (root / "README.md").is_file():
        found.append(root / "README.md")
    return found


def badge_repositories(root: Path) -> set[tuple[str, str]]:
    """(slug, branch) of every repository a notebook's badge cell names.

    Only badge cells count: a notebook may show other repositories' badges as
    examples, and those must stay as they are.
    """
    named = set()
    pattern = re.compile(r"colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/(.+?)/notebooks/")
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except json.JSONDecodeError as error:
            raise ForkError(f"notebooks/{path.name}: not valid JSON (line {error.lineno}): {error.msg}") from None
        for cell in cells:
            if is_badge_cell(cell):
                found = pattern.search(COLAB_BADGE_MARKDOWN_RE.search("".join(cell["source"])).group(1))
                if found:
                    named.add((found.group(1), found.group(2)))
    return named


def plan(root: Path, new: Repository, extra_old: list[str]) -> tuple[Repository, list[Change]]:
    mkdocs_yml = root / "mkdocs.yml"
    try:
        current = configured_repository(mkdocs_yml)
    except ValueError as error:
        raise ForkError(str(error)) from None
    olds = {(current.slug, current.branch)} | badge_repositories(root)
    olds |= {(slug, current.branch) for slug in extra_old}
    olds = {(slug, branch) for slug, branch in olds
            if (slug.lower(), branch) != (new.slug.lower(), new.branch)}
    rules = []
    for slug, branch in sorted(olds):
        if invalid_slug_reason(slug) or invalid_branch_reason(branch):
            continue
        rules += link_rules(Repository(slug, branch), new)
    changes = []
    yml_change = plan_mkdocs_yml(mkdocs_yml, new, rules)
    if yml_change:
        changes.append(yml_change)
    workflows = root / ".github" / "workflows"
    for path in files_to_scan(root):
        if path.suffix == ".ipynb":
            change = plan_notebook(path, root, rules, new)
        elif path.parent == workflows and path.suffix in {".yml", ".yaml"}:
            change = plan_workflow(path, new, rules)
        else:
            change = plan_text(path, rules)
        if change:
            changes.append(change)
    return current, changes


def _git(root: Path, *args: str) -> str | None:
    """git's output (stripped), or None when git is missing or the command fails."""
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def branch_next_steps(root: Path, branch: str) -> list[str]:
    """What to do in git and on GitHub when `branch` is not the branch checked out here.

    Nothing when `root` is not a git work tree or `branch` is checked out and
    is the default branch of `origin` (as far as this clone knows).
    """
    if _git(root, "rev-parse", "--is-inside-work-tree") != "true":
        return []
    steps = []
    current = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    where = f"you are on `{current}`" if current else "no branch is checked out"
    if current != branch:
        if _git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}") is None:
            steps.append(f"Branch `{branch}` does not exist here yet ({where}). Create it with these changes: "
                         f"`git switch -c {branch}`, then `git commit -am \"Point the course at the fork\"` "
                         f"and `git push -u origin {branch}`.")
        else:
            steps.append(f"The course now names branch `{branch}`, but {where}. Switch to it: "
                         f"`git switch {branch}` (these changes come along), then commit and "
                         f"`git push -u origin {branch}`.")
    default = _git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if default and default.removeprefix("origin/") != branch:
        steps.append(f"GitHub publishes the site only from the default branch (origin's is "
                     f"`{default.removeprefix('origin/')}`): on GitHub, make `{branch}` the default in "
                     "Settings > General > Default branch.")
    return steps


def print_next_steps(root: Path, branch: str) -> None:
    for step in branch_next_steps(root, branch):
        print(f"Next: {step}")


def _positional_first(argv: list[str]) -> list[str]:
    """Read the first argument as the positional one even when it starts with "-"
    (`make` passes it first), so a malformed value gets this script's own message."""
    if argv and argv[0] not in ("-h", "--help") and not argv[0].startswith("--"):
        return [*argv[1:], "--", argv[0]]
    return argv


def slug_refusal(label: str, option: str, value: str, default_hint: str = "") -> str | None:
    """Why `value` (given as `label`) is not an owner/name, with the value to use; None if it is one."""
    reason = invalid_slug_reason(value)
    if not reason:
        return None
    suggestion = suggested_slug(value)
    hint = f"use {option}{suggestion}" if suggestion else (f"for example {default_hint}" if default_hint else "")
    return f"{label}: {reason}" + (f" ({hint})" if hint else "")


def main(argv=None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", help="the fork, as owner/name (for example alice/course)")
    parser.add_argument("--branch", help="the fork's branch to publish and link to "
                        "(default: the branch mkdocs.yml names now, extra.course.branch)")
    parser.add_argument("--from", dest="old", action="append", default=[], metavar="OWNER/NAME",
                        help="another repository whose links should move too (repeatable)")
    args = parser.parse_args(_positional_first(sys.argv[1:] if argv is None else list(argv)))

    slug = args.repo.strip()
    refusals = [slug_refusal("REPO", "REPO=", slug, default_hint="REPO=alice/course")]
    refusals += [slug_refusal("--from", "--from ", other) for other in args.old]
    for refusal in filter(None, refusals):
        print(f"fork: {refusal}; nothing was changed.", file=sys.stderr)
        return 2
    try:
        current = configured_repository(root / "mkdocs.yml")
    except ValueError as error:
        print(f"fork: {error}; nothing was changed.", file=sys.stderr)
        return 2
    branch = current.branch if args.branch is None else args.branch
    reason = invalid_branch_reason(branch)
    if reason:
        print(f"fork: BRANCH: {reason}; nothing was changed.", file=sys.stderr)
        return 2
    new = Repository(slug, branch)

    try:
        current, changes = plan(root, new, args.old)
    except ForkError as error:
        print(f"fork: {error}; nothing was changed.", file=sys.stderr)
        return 2
    if not changes:
        print(f"Already points to {new.slug} (branch {new.branch}, site {new.pages_url}): nothing to change.")
        print_next_steps(root, new.branch)
        return 0
    print(f"Re-pointing the course from {current.slug} (branch {current.branch}) "
          f"to {new.slug} (branch {new.branch}, site {new.pages_url}):")
    for change in changes:
        change.path.write_text(change.new_text, encoding="utf-8")
        print(f"  {change.path.relative_to(root).as_posix()}: {'; '.join(change.what)}", flush=True)
    print(f"Changed {counted(len(changes), 'file')}. "
          "Review with `git diff`, then `make build` and `make test`.")
    print_next_steps(root, new.branch)
    return 0


if __name__ == "__main__":
    sys.exit(main())

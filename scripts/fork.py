"""Re-point the course at a fork: its repository, branch and GitHub Pages site.

    python scripts/fork.py OWNER/NAME [--branch BRANCH] [--site-url URL] [--from OWNER/NAME ...]

BRANCH defaults to the branch mkdocs.yml names now (`extra.course.branch`),
so re-running it on a course taught from its own branch keeps that branch;
the report says which branch it used. URL is the site's own address when it
is published on a custom domain (`extra.course.site_url`); without it a
course that stays in the same repository keeps its custom domain, and one
moved to another repository is published on that repository's GitHub Pages.

What changes:
- mkdocs.yml: `repo_url`, `repo_name`, `extra.course.branch` and
  `extra.course.site_url` (mkdocs.yml is read with MkDocs' own YAML loader
  and only those values are rewritten in place, so every comment stays);
- every notebook's Open-in-Colab badge cell, rewritten from the new setting,
  and so is each student copy's in exercises/ (pointing at the copy itself);
- the workflows' push branch filter marked as following the course's branch
  (`branches: [main] # extra.course.branch ...` in .github/workflows/), so
  pushes to the new branch run the tests and publish the site;
- every absolute link to the old repository or its site, in notebooks/,
  exercises/, docs/, README.md, mkdocs.yml and .github/: github.com/OLD (blob, tree,
  edit, raw ... on the old branch move to the new branch),
  raw.githubusercontent.com/OLD, Colab's github/OLD, mybinder.org's gh/OLD,
  nbgitpuller's encoded repo=, and the old site (https://OWNER.github.io/NAME/ or
  its custom domain), with the branch written plainly or percent-encoded.

"Old" is the repository mkdocs.yml names now, plus any other repository a
notebook's badge names (after merging upstream changes, new notebooks bring
upstream's badge), plus any given with --from.

Every change is computed before any file is written; bad input (a REPO that
is not owner/name, such as a URL or a name ending in .git, a malformed
BRANCH or site address, or a mkdocs.yml the course cannot read) changes nothing. Notebooks are written the way nbformat writes them
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
import shlex
from urllib.parse import quote

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from course_links import (  # noqa: E402
    COLAB_BADGE_MARKDOWN_RE,
    Course,
    Repository,
    SettingError,
    colab_badge_markdown,
    configured_course,
    invalid_branch_reason,
    invalid_site_url_reason,
    invalid_slug_reason,
    is_badge_cell,
    normalised_site_url,
    parse_colab_notebook_url,
    url_path,
)
from notebook_rules import UnreadableNotebook, read_notebook_text  # noqa: E402  (the one notebook reader)

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
    """A pattern for `branch` in a URL path: written plainly or percent-encoded."""
    forms = {branch, url_path(branch)}
    return "(?:" + "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True)) + ")"


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
    """(pattern, replacement) pairs that move links from `old` to `new` (its site: site_rules)."""
    o = re.escape(old.slug)
    ob = _ref(old.branch)
    n, nb = new.slug, url_path(new.branch)
    encoded_old = re.escape(old.slug.replace("/", "%2F"))
    rules = [
        # Links on the old branch move to the new branch (percent-encoded as course_links writes it) ...
        (rf"(https?://github\.com/){o}/(blob|tree|edit|raw|commits|actions|settings)/{ob}(?=[/\s\"')#?]|$)",
         rf"\g<1>{n}/\g<2>/{nb}"),
        (rf"(https?://raw\.githubusercontent\.com/){o}/{ob}(?=/)", rf"\g<1>{n}/{nb}"),
        (rf"(https?://colab\.research\.google\.com/github/){o}/blob/{ob}(?=/)", rf"\g<1>{n}/blob/{nb}"),
        (rf"(https?://mybinder\.org/v2/gh/){o}/{ob}(?=[/?\s\"')#]|$)", rf"\g<1>{n}/{nb}"),
        # (Binder links may carry a slash of the branch percent-encoded.)
        (rf"(https?://mybinder\.org/v2/gh/){o}/{re.escape(quote(old.branch, safe=''))}(?=[/?\s\"')#]|$)",
         rf"\g<1>{n}/{nb}"),
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
    # Slugs and branches are validated: no backslashes reach a replacement.
    return [(re.compile(pattern, re.I), replacement) for pattern, replacement in rules]


def site_rules(old_sites: list[str], new_site: str) -> list[tuple[re.Pattern, str]]:
    """(pattern, replacement) pairs that move links from the sites the course was published
    at (GitHub Pages, a custom domain) to `new_site`."""
    rules = []
    for old_site in dict.fromkeys(old_sites):
        if old_site and old_site.lower() != new_site.lower():
            rules.append((re.escape(old_site), new_site))
            rules.append((re.escape(old_site.rstrip("/")) + r"(?![A-Za-z0-9._/-])", new_site.rstrip("/")))
    # Site addresses are validated: no backslashes reach a replacement.
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


def read_notebook(path: Path, root: Path) -> tuple[str, nbformat.NotebookNode]:
    """The notebook's text and its nbformat node; a ForkError naming it (and the line, for
    broken JSON) when it cannot be read."""
    text = path.read_text(encoding="utf-8")
    try:
        return text, read_notebook_text(text)
    except UnreadableNotebook as error:
        raise ForkError(f"{path.relative_to(root).as_posix()}: not a readable notebook: {error}") from None


def counted(number: int, noun: str) -> str:
    """'1 badge', '2 badges'."""
    return f"{number} {noun}{'s' * (number != 1)}"


def plan_notebook(path: Path, root: Path, rules, new: Repository) -> Change | None:
    text, notebook = read_notebook(path, root)
    relative = path.relative_to(root).as_posix()
    badges = 0
    links = 0

    def edit(value: str) -> str:
        nonlocal links
        value, count = replace_links(value, rules)
        links += count
        return value

    for index, cell in enumerate(notebook.cells):
        if is_badge_cell(cell):
            badge = colab_badge_markdown(new, relative)
            if cell.source.strip() != badge:
                cell.source = badge
                badges += 1
        else:
            notebook.cells[index] = nbformat.from_dict(_walk_strings(cell, edit))
    new_text = nbformat.writes(notebook) + "\n" if (badges or links) else text   # as nbformat.write writes
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


# The settings `make fork` writes in mkdocs.yml, as key paths.
SETTINGS = {
    "repo_url": ("repo_url",),
    "repo_name": ("repo_name",),
    "extra.course.branch": ("extra", "course", "branch"),
    "extra.course.site_url": ("extra", "course", "site_url"),
}


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly this text: plain when it can be."""
    try:
        if value and value == value.strip() and yaml.safe_load(value) == value:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)  # a double-quoted YAML scalar


def _child(node, key: str):
    """(key node, value node) of `key` in a YAML mapping node, or None."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None


def setting_nodes(text: str, where: str) -> dict[str, tuple | None]:
    """Where each of SETTINGS sits in mkdocs.yml's text: its (key node, value node), or None."""
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)  # composing resolves no tags
    except yaml.YAMLError as error:
        raise ForkError(f"{where}: not valid YAML: {error}") from None
    found = {}
    for name, keys in SETTINGS.items():
        node, pair = document, None
        for key in keys:
            pair = _child(node, key)
            if pair is None:
                break
            node = pair[1]
        found[name] = pair
    return found


def plan_mkdocs_yml(path: Path, new: Course, rules) -> Change | None:
    """mkdocs.yml with the new settings written in place and its links moved; comments kept."""
    original = path.read_text(encoding="utf-8")
    where = path.name
    nodes = setting_nodes(original, where)
    wanted = {"repo_url": new.repository.url, "repo_name": new.repository.slug,
              "extra.course.branch": new.repository.branch, "extra.course.site_url": new.site_url}
    edits = []      # (start, end, text), applied from the end of the file
    settings = []
    for name, value in wanted.items():
        pair = nodes[name]
        if pair is None:
            if name == "repo_name" or (name == "extra.course.site_url" and not value):
                continue
            if name == "extra.course.site_url":
                # Added under extra.course, right after the branch, at the same indentation.
                branch_key, branch_value = nodes["extra.course.branch"]
                line_end = original.find("\n", branch_value.end_mark.index)
                line_end = len(original) if line_end < 0 else line_end
                edits.append((line_end, line_end,
                              f"\n{' ' * branch_key.start_mark.column}site_url: {yaml_scalar(value)}"))
                settings.append(name)
                continue
            raise ForkError(f"{where}: no `{name}` setting to edit")
        value_node = pair[1]
        if not isinstance(value_node, yaml.ScalarNode):
            raise ForkError(f"{where}: line {value_node.start_mark.line + 1}: `{name}` is not a single value")
        if value_node.value != value:
            edits.append((value_node.start_mark.index, value_node.end_mark.index, yaml_scalar(value)))
            settings.append(name)
    text = original
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    text, links = replace_links(text, rules)
    if text == original:
        return None
    _check_written(path, text, new)
    what = []
    if settings:
        what.append(", ".join(settings))
    if links:
        what.append(counted(links, 'other reference'))
    return Change(path, text, what)


def _check_written(path: Path, text: str, new: Course) -> None:
    """The rewritten mkdocs.yml, read back as MkDocs reads it, names exactly the new course."""
    try:
        got = configured_course(path, text)
    except SettingError as error:
        raise ForkError(f"{path.name}: the rewritten file would not read back: {error}") from None
    if (got.repository, got.site_url) != (new.repository, new.site_url):
        raise ForkError(f"{path.name}: the rewritten file would read back as {got.repository.slug} "
                        f"(branch {got.repository.branch}, site {got.site_url or 'GitHub Pages'})")


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
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        for cell in read_notebook(path, root)[1].cells:
            if is_badge_cell(cell):
                found = parse_colab_notebook_url(COLAB_BADGE_MARKDOWN_RE.search(cell.source).group(1))
                if found:
                    named.add(found[:2])
    return named


def plan(root: Path, new: Course, extra_old: list[str]) -> tuple[Course, list[Change]]:
    mkdocs_yml = root / "mkdocs.yml"
    try:
        current = configured_course(mkdocs_yml)
    except SettingError as error:
        raise ForkError(str(error)) from None
    configured = current.repository
    olds = {(configured.slug, configured.branch)} | badge_repositories(root)
    olds |= {(slug, configured.branch) for slug in extra_old}
    new_site = new.site_url_for(new.repository)
    rules, old_sites = [], []
    for slug, branch in sorted(olds):
        if invalid_slug_reason(slug) or invalid_branch_reason(branch):
            continue
        old = Repository(slug, branch)
        old_sites += [current.site_url_for(old), old.pages_url]
        if (slug.lower(), branch) != (new.repository.slug.lower(), new.repository.branch):
            rules += link_rules(old, new.repository)
    rules += site_rules(old_sites, new_site)  # last: a new address is never rewritten again
    changes = []
    yml_change = plan_mkdocs_yml(mkdocs_yml, new, rules)
    if yml_change:
        changes.append(yml_change)
    workflows = root / ".github" / "workflows"
    for path in files_to_scan(root):
        if path.suffix == ".ipynb":
            change = plan_notebook(path, root, rules, new.repository)
        elif path.parent == workflows and path.suffix in {".yml", ".yaml"}:
            change = plan_workflow(path, new.repository, rules)
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
    ref = shlex.quote(branch)
    if current != branch:
        if _git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}") is None:
            steps.append(f"Branch `{branch}` does not exist here yet ({where}). Create it with these changes: "
                         f"`git switch -c {ref}`, then `git commit -am \"Point the course at the fork\"` "
                         f"and `git push -u origin {ref}`.")
        else:
            steps.append(f"The course now names branch `{branch}`, but {where}. Switch to it: "
                         f"`git switch {ref}` (these changes come along), then commit and "
                         f"`git push -u origin {ref}`.")
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
    parser.add_argument("--site-url", help="the site's address on a custom domain, for example "
                        "https://course.example.org/ (default: kept for the same repository, "
                        "else the new repository's GitHub Pages)")
    parser.add_argument("--from", dest="old", action="append", default=[], metavar="OWNER/NAME",
                        help="another repository whose links should move too (repeatable)")
    args = parser.parse_args(_positional_first(sys.argv[1:] if argv is None else list(argv)))

    def refuse(message: str) -> int:
        print(f"fork: {message}; nothing was changed.", file=sys.stderr)
        return 2

    slug = args.repo.strip()
    refusals = [slug_refusal("REPO", "REPO=", slug, default_hint="REPO=alice/course")]
    refusals += [slug_refusal("--from", "--from ", other) for other in args.old]
    for refusal in filter(None, refusals):
        return refuse(refusal)
    try:
        current = configured_course(root / "mkdocs.yml")
    except SettingError as error:
        return refuse(str(error))
    branch = current.repository.branch if args.branch is None else args.branch
    reason = invalid_branch_reason(branch)
    if reason:
        return refuse(f"BRANCH: {reason}")
    same_repository = slug.lower() == current.repository.slug.lower()
    if args.site_url is not None:
        reason = invalid_site_url_reason(args.site_url.strip())
        if reason or not args.site_url.strip():
            return refuse(f"SITE_URL: {reason or 'it is empty'}")
        site_url = normalised_site_url(args.site_url.strip())
    else:
        site_url = current.site_url if same_repository else ""
    new = Course(Repository(slug, branch), site_url, current.launchers)

    try:
        current, changes = plan(root, new, args.old)
    except ForkError as error:
        return refuse(str(error))
    target = f"{new.repository.slug} (branch {branch}, site {new.site_url_for(new.repository)})"
    kept = (f"Branch: {branch}, the one mkdocs.yml names (BRANCH=... to teach from another)."
            if args.branch is None else "")
    if not changes:
        print(f"Already points to {target}: nothing to change.")
        if kept:
            print(kept)
        print_next_steps(root, branch)
        return 0
    old = current.repository
    print(f"Re-pointing the course from {old.slug} (branch {old.branch}, "
          f"site {current.site_url_for(old)}) to {target}:")
    if kept:
        print(kept)
    for change in changes:   # every file first, then the report: a closed output cannot stop it halfway
        change.path.write_text(change.new_text, encoding="utf-8")
    for change in changes:
        print(f"  {change.path.relative_to(root).as_posix()}: {'; '.join(change.what)}")
    print(f"Changed {counted(len(changes), 'file')}. "
          "Review with `git diff`, then `make build` and `make test`.")
    if current.site_url and not new.site_url:
        print(f"Note: {current.site_url} was {old.slug}'s own domain; the site is now published at "
              f"{new.repository.pages_url}. Give SITE_URL=https://... to publish on your own domain.")
    print_next_steps(root, branch)
    return 0


if __name__ == "__main__":
    sys.exit(main())

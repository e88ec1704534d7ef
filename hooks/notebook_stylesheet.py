"""The shared stylesheet of the notebook pages, trimmed from JupyterLab's CSS.

mkdocs-jupyter inlines about 600 KB of JupyterLab CSS into every notebook
page. The notebook page step (hooks/notebook_page.py) takes those `<style>`
blocks out of the pages and, after the build, writes
assets/stylesheets/notebook.css with `trimmed_stylesheet()`: the rules of that
CSS whose selectors can match the built notebook pages (scoped to the
notebook), the custom properties they use, then the course's own notebook.css
from docs/ (JupyterLab's theme variables mapped to Material's, light and
dark). Styles inside outputs (a DataFrame's `<style scoped>`) stay where they are.
"""
from __future__ import annotations

import re

import tinycss2

STYLESHEET = "assets/stylesheets/notebook.css"
SCOPE = ".jupyter-wrapper"


def names_used_in(element) -> set[str]:
    """Tag names, `.classes` and `[attributes]` of `element` and everything in it."""
    names: set[str] = set()
    for tag in element.traverse():
        if not tag.is_element_node:
            continue
        attributes = tag.attributes
        names.add(tag.tag.lower())
        names.update(f"[{attribute.lower()}]" for attribute in attributes)
        names.update(f".{name}" for name in (attributes.get("class") or "").split())
    return names


def trimmed_stylesheet(css_texts: list[str], used: set[str], own_css: str) -> str:
    """The rules of `css_texts` that can match `used` names, scoped to the
    notebook, with only the custom properties they (or `own_css`) refer to."""
    rules = [rule for text in css_texts for rule in kept_rules(parse(candidate_rules(text, used)), used)]
    needed = properties_needed(rules, own_css)
    lines = [rule_text(selectors, declarations, needed) for selectors, declarations in rules]
    return "".join(line + "\n" for line in lines if line)


# Comments, strings and braces: enough to find where each top-level rule of a stylesheet ends.
_CSS_STRUCTURE = re.compile(r"""/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[{}]""", re.S)
_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
_ARGUMENTS = re.compile(r"\([^()]*\)")


def candidate_rules(text: str, used: set[str]) -> str:
    """`text` without the top-level style rules that cannot match: those where every
    selector names a class not in `used`. A quick pass before tinycss2 parses the
    rest (JupyterLab's 600 KB of CSS is mostly rules for widgets no page shows);
    anything it is unsure of (at-rules, escapes, odd text) is kept for tinycss2."""
    kept, start, depth, brace = [], 0, 0, 0
    for match in _CSS_STRUCTURE.finditer(text):
        token = match.group()
        if token == "{":
            brace = match.start() if depth == 0 else brace
            depth += 1
        elif token == "}" and depth:
            depth -= 1
            if depth == 0:
                if may_match(text[start:brace], used):
                    kept.append(text[start:match.end()])
                start = match.end()
    kept.append(text[start:])
    return "".join(kept)


def may_match(prelude: str, used: set[str]) -> bool:
    """False only when every selector of `prelude` needs a class that is not used."""
    prelude = re.sub(r"/\*.*?\*/", "", prelude, flags=re.S).strip()
    if not prelude or prelude.startswith("@") or any(c in prelude for c in ";\\\"'{}"):
        return True
    while _ARGUMENTS.search(prelude):          # :not(.x), :is(...): their classes are not required
        prelude = _ARGUMENTS.sub("", prelude)
    return any(all(f".{name}" in used for name in _CLASS.findall(selector))
               for selector in prelude.split(","))


def parse(text: str):
    return tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)


def kept_rules(rules, used: set[str]):
    """(selectors, declarations) of the style rules that can match; `@media`
    blocks become their rules wrapped again; @font-face, @keyframes and the
    rest are dropped (the notebook pages animate nothing and use the site's fonts)."""
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [scoped(s) for s in selector_list(rule.prelude) if can_match(s, used)]
            if selectors:
                yield selectors, declarations_of(rule.content)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            inner = list(kept_rules(parse(tinycss2.serialize(rule.content)), used))
            if inner:
                media = tinycss2.serialize(rule.prelude).strip()
                yield [f"@media {media}"], inner


def selector_list(prelude) -> list[list]:
    """The complex selectors of a selector list, as token lists."""
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        else:
            current.append(token)
    selectors.append(current)
    return [s for s in selectors if tinycss2.serialize(s).strip()]


def can_match(selector, used: set[str]) -> bool:
    """Whether every type, class and attribute the selector requires is used.
    Pseudo-classes (:hover, :not(...)) require nothing."""
    required, after = set(), None
    for token in selector:
        if token.type == "ident" and after == ".":
            required.add(f".{token.value}")
        elif token.type == "ident" and after == ":" and token.lower_value == "root":
            required.add("html")                   # never inside a notebook
        elif token.type == "ident" and after not in (":", "::"):
            required.add(token.lower_value)
        elif token.type == "[] block":
            name = next((t for t in token.content if t.type == "ident"), None)
            if name is not None:
                required.add(f"[{name.lower_value}]")
        if token.type == "literal" and token.value in (".", ":", "::"):
            after = "::" if after == ":" and token.value == ":" else token.value
        else:
            after = None
    return required <= used


def scoped(selector) -> str:
    text = " ".join(tinycss2.serialize(selector).split())
    return text if SCOPE in text else f"{SCOPE} {text}"


def declarations_of(content) -> list:
    return [d for d in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
            if d.type == "declaration"]


def properties_needed(rules, own_css: str) -> set[str]:
    """Custom properties referred to by the kept declarations or by `own_css`,
    following references between custom properties."""
    defined: dict[str, list] = {}
    roots: list = [tinycss2.parse_component_value_list(own_css)]
    for declarations in all_declarations(rules):
        if declarations.name.startswith("--"):
            defined.setdefault(declarations.name, []).append(declarations.value)
        else:
            roots.append(declarations.value)
    needed: set[str] = set()
    pending = [name for tokens in roots for name in variables_in(tokens)]
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(v for value in defined.get(name, []) for v in variables_in(value))
    return needed


def all_declarations(rules):
    for selectors, body in rules:
        if selectors[0].startswith("@media"):
            yield from all_declarations(body)
        else:
            yield from body


def variables_in(tokens):
    """Names used in var(--name) anywhere in `tokens`."""
    for token in tokens:
        if token.type == "function" and token.lower_name == "var":
            name = next((t for t in token.arguments if t.type == "ident"), None)
            if name is not None:
                yield name.value
        if token.type in ("function", "() block", "[] block", "{} block"):
            yield from variables_in(token.arguments if token.type == "function" else token.content)


def rule_text(selectors, body, needed: set[str]) -> str:
    if selectors[0].startswith("@media"):
        inner = "".join(rule_text(s, d, needed) for s, d in body)
        return f"{selectors[0]}{{{inner}}}" if inner else ""
    kept = [d for d in body if not d.name.startswith("--") or d.name in needed]
    if not kept:
        return ""
    text = ";".join(
        f"{d.name}:{tinycss2.serialize(d.value).strip()}{'!important' if d.important else ''}"
        for d in kept
    )
    return f"{','.join(selectors)}{{{text}}}"

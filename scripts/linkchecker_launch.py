"""LinkChecker's own command, as scripts/linkcheck.py runs it, with two changes.

    python scripts/linkchecker_launch.py anchors|no-anchors LINKCHECKER-ARGUMENTS...

- LinkChecker keeps the rights of whoever runs it. Started as root, it would
  switch its effective user to `nobody` (os.seteuid, in
  linkcheck/command/linkchecker.py: drop_privileges) before loading its
  plugins, and it imports some modules only later. When LinkChecker or Python
  is installed in a folder `nobody` cannot read (any checkout or interpreter
  in root's home folder, mode 700), its AnchorCheck plugin is then silently
  left out, and a link that needs a module not yet loaded (a domain name with
  accents needs the punycode codec) stops it with an internal error. It only
  reads the local site and requests the links it finds, with the same rights
  as the rest of the test suite.
- With `anchors`, it first loads its plugins as LinkChecker does and exits
  with status 3, printing the reason, when AnchorCheck is not among them.
"""
import contextlib
import os
import sys

# This folder holds linkcheck.py, which would hide LinkChecker's package.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import linkcheck.command.linkchecker as command  # noqa: E402
from linkcheck import plugins  # noqa: E402

PLUGIN_MISSING = 3


def anchor_plugin_problem() -> str | None:
    """Why LinkChecker would not load its AnchorCheck plugin, or None."""
    folder = plugins.__path__[0]
    try:
        with contextlib.redirect_stdout(sys.stderr):  # stdout is for the XML report only
            found = [c.__name__ for c in plugins.get_plugin_classes(plugins.get_plugin_modules([]))]
    except Exception as error:
        found, reason = [], f"loading the plugins failed: {type(error).__name__}: {error}"
    else:
        reason = "it is not among the plugins found there: " + (", ".join(sorted(found)) or "none")
    if "AnchorCheck" in found:
        return None
    try:
        import linkcheck.plugins.anchorcheck  # noqa: F401
    except Exception as error:
        reason = f"importing it fails: {type(error).__name__}: {error}"
    if not os.access(folder, os.R_OK | os.X_OK):
        reason = f"the folder cannot be read by user id {os.geteuid()}"
    return f"LinkChecker cannot load its AnchorCheck plugin from {folder}: {reason}"


if __name__ == "__main__":
    command.drop_privileges = lambda: None
    if sys.argv.pop(1) == "anchors" and (problem := anchor_plugin_problem()):
        print(problem, file=sys.stderr)
        sys.exit(PLUGIN_MISSING)
    sys.argv[0] = "linkchecker"
    sys.exit(command.linkchecker())

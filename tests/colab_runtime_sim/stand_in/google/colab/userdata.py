"""Secrets from Colab's Secrets panel (stand-in for google/colab/userdata.py).

The panel is the simulated runtime's secrets.json: {"NAME": {"value": "...",
"access": true}}; "access": false is a secret this notebook was not given.
"""
from google.colab import _runtime, errors


class NotebookAccessError(Exception):
    """Exception thrown when the current notebook doesn't have access to the requested secret."""

    def __init__(self, key):
        super().__init__(f"Notebook does not have access to secret {key}")


class SecretNotFoundError(errors.Error):
    """Exception thrown when the requested secret is not found."""

    def __init__(self, key):
        super().__init__(f"Secret {key} does not exist.")


def get(key):
    """The value stored under `key` in the Secrets panel; Colab's errors when it is absent or not shared."""
    _runtime.record("userdata.get", key=key)
    entry = _runtime.read_json("secrets.json", {}).get(key)
    if entry is None:
        raise SecretNotFoundError(key)
    if not entry.get("access", False):
        raise NotebookAccessError(key)
    return entry.get("value", "")

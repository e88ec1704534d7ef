"""Colab's common error types (as in google/colab/errors.py)."""


class Error(Exception):
    """Base class for all Colab errors."""


class AuthorizationError(Error):
    """Authorization-related failures."""

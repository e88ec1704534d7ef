"""Placeholder: the notebook pages' launch bar (being written)."""

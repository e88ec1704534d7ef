"""Placeholder: notebook page styles and search (being written)."""

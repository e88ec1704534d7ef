"""Render the notebooks in top-level notebooks/ as pages, without copying them.

Notebooks live once, in notebooks/. This hook adds each one to the site's
files as `notebooks/NAME.ipynb` before mkdocs-jupyter looks at the files, so
the plugin renders them from where they are, with their stored outputs.
"""
from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def course_notebooks() -> list[Path]:
    """The course's notebooks, in name order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


@event_priority(100)  # before mkdocs-jupyter wraps the .ipynb files
def on_files(files, config):
    for notebook in course_notebooks():
        files.append(File(
            f"notebooks/{notebook.name}",
            src_dir=str(NOTEBOOKS.parent),
            dest_dir=config.site_dir,
            use_directory_urls=config.use_directory_urls,
        ))
    return files

"""A stand-in for Google Colab's `google.colab` package, for the course's tests only.

It exists so that the notebooks' Colab-only branches run outside Colab: the
simulated runtime (tests/colab_runtime_sim/) puts this folder on the kernel's
sys.path, so `importlib.util.find_spec("google.colab")` finds it and
`from google.colab import drive, files, userdata` works. The modules follow
the public API of googlecolab/colabtools (names, arguments, return values,
exceptions and their messages) and act on a private folder instead of the
browser, Google Drive and the Secrets panel. It is never installed, never on
the site and never in a notebook.
"""

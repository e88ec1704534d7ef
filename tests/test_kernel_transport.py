"""`make notebooks` reaches its kernel through Unix sockets (IPC), not TCP: nothing listens on the
network, and no kernel warns authors that its connection is unencrypted."""
from __future__ import annotations

import subprocess
import sys

import nbformat


def test_notebooks_run_over_ipc_and_print_no_transport_warning(root, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Transport"),
                nbformat.v4.new_code_cell("from ipykernel.kernelapp import IPKernelApp\n"
                                          "print(IPKernelApp.instance().transport)")]
    path = tmp_path / "transport.ipynb"
    nbformat.write(nb, path)
    result = subprocess.run([sys.executable, str(root / "scripts" / "run_notebooks.py"), str(path)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "transport.ipynb: code cell 1 of 1 (cell 1)" in log, log
    assert nbformat.read(path, as_version=4).cells[1].outputs[0].text == "ipc\n"
    for warning in ("without encryption", "eavesdropping", "Parent appears to have exited"):
        assert warning not in log, log

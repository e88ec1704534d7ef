"""The Colab runtimes the simulation offers: what each one has that a notebook can ask about.

A notebook tells runtimes apart by asking the machine: `nvidia-smi` on PATH
and what it answers, the PCI devices under /sys/bus/pci/devices (TPU chips are
Google's vendor id 0x1ae0), and which frameworks `importlib.util.find_spec`
finds. Each runtime below fixes those answers:

- CPU: Colab's default runtime. No nvidia-smi; torch (CPU build), jax and
  tensorflow installed (notebooks/colab-runtime.txt; a test checks it), no CuPy.
- GPU (T4): the free GPU runtime; nvidia-smi reports one Tesla T4 with
  15360 MiB; CuPy is there too (cupy-cuda12x in Colab's GPU package list).
- TPU (v5e-1): a TPU v5e chip on the PCI bus; JAX, the CPU build of torch and
  torch-xla; no TensorFlow, no CuPy; no nvidia-smi.
- CPU, nvidia-smi without a driver: the tool is installed but no GPU driver
  answers (it prints NVIDIA's message and exits 9), as Colab's CPU and TPU
  machines once shipped it and as on many computers without an NVIDIA GPU.

Frameworks other than CuPy are only *found*: importing one fails with a
message saying the simulation cannot run it. CuPy is a NumPy-backed stand-in
(stand_in_gpu/cupy) because notebook code runs its arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

# (slot, vendor, device): a GCE machine's host bridge, ISA bridge and gVNIC network card.
BASE_PCI = (("0000:00:00.0", "0x8086", "0x1237"), ("0000:00:01.0", "0x8086", "0x7110"),
            ("0000:00:05.0", "0x1ae0", "0x0042"))
TESLA_T4 = ("0000:00:04.0", "0x10de", "0x1eb8")
TPU_V5E = ("0000:00:06.0", "0x1ae0", "0x0063")


@dataclass(frozen=True)
class Runtime:
    name: str
    frameworks: tuple[str, ...]      # importable names find_spec finds
    gpu: str | None                  # None: no nvidia-smi; "T4"; "no-driver"
    pci: tuple[tuple[str, str, str], ...]

    def __str__(self) -> str:
        return f"Colab {self.name}"


CPU = Runtime("CPU", ("torch", "jax", "tensorflow"), None, BASE_PCI)
GPU_T4 = Runtime("GPU (T4)", ("torch", "jax", "tensorflow", "cupy"), "T4", BASE_PCI + (TESLA_T4,))
TPU_V5E_1 = Runtime("TPU (v5e-1)", ("torch", "torch_xla", "jax"), None, BASE_PCI + (TPU_V5E,))
CPU_NVIDIA_SMI_NO_DRIVER = Runtime("CPU, nvidia-smi without a driver", ("torch", "jax", "tensorflow"),
                                   "no-driver", BASE_PCI)

# Every notebook runs on CPU; notebooks that ask about the hardware run on all of them.
HARDWARE_RUNTIMES = (CPU, GPU_T4, TPU_V5E_1, CPU_NVIDIA_SMI_NO_DRIVER)

# Distribution names (as in Colab's package list) of the frameworks above.
DISTRIBUTIONS = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow", "cupy": "cupy-cuda12x",
                 "torch_xla": "torch-xla"}

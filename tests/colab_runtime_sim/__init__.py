"""Simulated Google Colab for the course's tests (never installed, never on the site).

    simulate.py      runs a notebook in every configuration (runtime x opt-in flags), twice,
                     plus a plain run, and computes the Colab-only lines run
    runtimes.py      the runtimes: CPU, GPU (T4), TPU (v5e-1), CPU with a driverless nvidia-smi
    stand_in/        the google.colab stand-in (drive, files, userdata, errors)
    stand_in_gpu/    a NumPy-backed CuPy for the GPU runtime
    bin/nvidia-smi   NVIDIA's tool as a T4 runtime (or a machine without a driver) answers
    tracer/          the in-kernel line recorder
    __main__.py      `python tests/colab_runtime_sim [NOTEBOOK ...]` (make colab-sim)

tests/test_colab_simulated.py runs it in `make test`.
"""

"""A stand-in for CuPy on the simulated GPU runtime (course tests only).

Colab's GPU runtime has CuPy (cupy-cuda12x); this machine has no GPU, so the
arrays live in main memory (NumPy does the arithmetic). What matters for a
notebook's GPU branch is kept: `cupy.ndarray` is its own type, the module
offers NumPy's functions and returns such arrays, `.get()` brings a result
back as a NumPy array, and, as in CuPy, a cupy array is never turned into a
NumPy array implicitly (np.asarray(x), np.allclose(x, ...) raise TypeError),
so a branch that forgets `.get()` fails here as it would on the GPU.
"""
from __future__ import annotations

import numpy as _np

__version__ = "14.0.1"


class ndarray:
    """A GPU array: NumPy data behind CuPy's interface."""

    __array_priority__ = 100

    def __init__(self, data):
        self._data = _np.asarray(data)

    # CuPy refuses implicit conversion to NumPy.
    def __array__(self, *args, **kwargs):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def get(self):
        """Copy to main memory as a numpy.ndarray."""
        return self._data.copy()

    def __getattr__(self, name):  # shape, dtype, ndim, size, T, mean, sum, reshape...
        if name.startswith("__"):  # __array_interface__ & co. would let NumPy convert silently
            raise AttributeError(name)
        return _wrap(getattr(self._data, name))

    def __repr__(self):
        return "array(" + repr(self._data)[6:] if repr(self._data).startswith("array(") else repr(self._data)

    def __len__(self):
        return len(self._data)

    def __getitem__(self, key):
        return _wrap(self._data[_unwrap(key)])

    def __setitem__(self, key, value):
        self._data[_unwrap(key)] = _unwrap(value)

    def __bool__(self):
        return bool(self._data)

    def __float__(self):
        return float(self._data)

    def __int__(self):
        return int(self._data)


def _unwrap(value):
    if isinstance(value, ndarray):
        return value._data
    if isinstance(value, _np.ndarray):
        raise TypeError("Unsupported type <class 'numpy.ndarray'>: mixing NumPy and CuPy arrays "
                        "needs cupy.asarray() first")
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(item) for item in value)
    return value


def _wrap(value):
    if isinstance(value, _np.ndarray):
        return ndarray(value)
    if callable(value) and not isinstance(value, type):
        def call(*args, **kwargs):
            return _wrap(value(*[_unwrap(a) for a in args], **{k: _unwrap(v) for k, v in kwargs.items()}))
        return call
    return value


def _operator(name):
    def method(self, *others):
        return _wrap(getattr(self._data, name)(*[_unwrap(o) for o in others]))
    method.__name__ = name
    return method


for _name in ("add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "floordiv",
              "rfloordiv", "mod", "pow", "rpow", "matmul", "rmatmul", "neg", "pos", "abs",
              "lt", "le", "gt", "ge", "eq", "ne", "and", "or", "xor", "invert"):
    setattr(ndarray, f"__{_name}__", _operator(f"__{_name}__"))


def asarray(a, dtype=None):
    """Copy host data to the (simulated) GPU."""
    return ndarray(_np.array(a._data if isinstance(a, ndarray) else a, dtype=dtype))


array = asarray


def asnumpy(a):
    """Copy a GPU array to main memory."""
    return a.get() if isinstance(a, ndarray) else _np.asarray(a)


def __getattr__(name):
    """NumPy's functions and constants, taking and returning cupy arrays."""
    return _wrap(getattr(_np, name))

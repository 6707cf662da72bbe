import atexit
import os
import shutil
import tempfile

os.environ.setdefault("MPLBACKEND", "Agg")
# A fresh matplotlib cache for this run (and the kernels it starts): a font cache left by
# another checkout or virtual environment can point at files that no longer exist.
os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="mplconfig-")
atexit.register(shutil.rmtree, os.environ["MPLCONFIGDIR"], True)
# One BLAS thread per process: notebooks run in parallel kernels on a small machine, and
# oversubscribed BLAS threads make them many times slower under load.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

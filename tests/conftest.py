import os

os.environ.setdefault("MPLBACKEND", "Agg")
# One BLAS thread per process: notebooks run in parallel kernels on a small machine, and
# oversubscribed BLAS threads make them many times slower under load.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

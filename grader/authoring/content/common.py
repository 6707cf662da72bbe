"""Cells shared by every notebook."""

from ..cells import locked

SETUP_SOURCE = """
import numpy as np
import matplotlib.pyplot as plt
from grader import checks, oracle

%matplotlib inline
"""


def setup_cell():
    """The locked first code cell: numpy, matplotlib and the trusted check helpers."""
    return locked(SETUP_SOURCE, "setup")

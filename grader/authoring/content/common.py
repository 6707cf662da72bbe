"""Cells shared by every notebook."""

from ..cells import locked

SETUP_SOURCE = """
import numpy as np
import matplotlib.pyplot as plt
from backprop_kit import checks

%matplotlib inline
"""


def setup_cell():
    """The locked first code cell: numpy, matplotlib and the student kit's check helpers (messages only)."""
    return locked(SETUP_SOURCE, "setup")

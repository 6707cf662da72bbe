# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: role,grade_id,points,snippet,-all
#     formats: py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# Pieces every notebook may use: a cell `# snippet: name` in a notebook's source stands for the
# snippet cell of that name below (see `authoring/directives.py`). This file is not a notebook itself.

# %% snippet="setup"
import numpy as np
import matplotlib.pyplot as plt
from backprop_kit import checks

# %matplotlib inline

# %% snippet="given_costs"
from dataclasses import dataclass
from typing import Callable

# probabilities are clipped to [LOG_EPS, 1 − LOG_EPS] before taking logs
from solutions.costs import LOG_EPS


from solutions.costs import _n_samples, quadratic_cost, quadratic_cost_gradient, quadratic_output_error, binary_cross_entropy, cross_entropy_output_error, Cost


from solutions.costs import QUADRATIC, CROSS_ENTROPY

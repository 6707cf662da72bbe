"""The student kit: what a released notebook imports besides numpy and matplotlib.

It holds the message helpers of the visible tests (:mod:`backprop_kit.checks`) and nothing
that computes an answer: no σ, no cost, no gradient, no finite differences. It ships with
every release, next to the notebooks, so a notebook needs only numpy, matplotlib and
JupyterLab to run.
"""

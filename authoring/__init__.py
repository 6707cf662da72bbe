"""For course authors: the notebooks' sources and the builder that writes them to ``assignments/``.

``notebooks/NN_name.py`` holds one assignment as a jupytext percent file (open it in JupyterLab
with jupytext, lint it like any Python file). Its reference code is pulled by name from
``solutions`` when the notebook is built, so solution code lives once. Not for students and not
for the grading tool: the sources hold the solutions and the hidden tests, and neither
``grader`` nor a release imports this package.
"""

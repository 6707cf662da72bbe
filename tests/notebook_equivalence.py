"""Cell-by-cell fingerprints of a source notebook and of its release, for the test that the
notebooks built from the sources are today's notebooks apart from the intended text fixes.

The release view is what nbgrader's own ClearSolutions and ClearHiddenTests preprocessors make
of the source, which is the part of ``generate_assignment`` that changes cell text.
"""

import copy
import hashlib
import json

from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

from grader.notebook_cells import nbgrader_meta


def release_view(nb):
    """The notebook as nbgrader's release steps leave its cells' text."""
    nb = copy.deepcopy(nb)
    resources = {}
    for preprocessor in (ClearSolutions(), ClearHiddenTests()):
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def fingerprint(cell):
    """``[id, cell type, SHA-256 of the nbgrader metadata and of the text]`` of one cell."""
    meta = json.dumps(nbgrader_meta(cell), sort_keys=True)
    digest = hashlib.sha256((meta + "\0" + cell.source).encode("utf-8")).hexdigest()
    return [cell.get("id"), cell.cell_type, digest]


def fingerprints(nb):
    """The fingerprints of a source notebook's cells and of its release's cells."""
    return {"source": [fingerprint(c) for c in nb.cells],
            "release": [fingerprint(c) for c in release_view(nb).cells]}

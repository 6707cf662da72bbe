"""A fingerprint of what the tests rely on inside a kernel, to notice student code that
changes it.

The grader runs :data:`PROBE` in the kernel right after the set-up cell and again after
every test cell, and compares the printed fingerprints outside the kernel. A test during
which numpy's comparison functions, the check helpers, a few builtins or IPython's error
display were replaced does not count.
"""

PROBE = r"""
def _grader_probe():
    import builtins, numpy, sys
    from grader import checks, oracle
    shell = get_ipython()
    watched = [numpy.allclose, numpy.isclose, numpy.asarray, numpy.array, numpy.array_equal, numpy.all,
               numpy.any, numpy.abs, numpy.max, numpy.shape, numpy.testing.assert_allclose,
               builtins.isinstance, builtins.print, builtins.abs, builtins.len, builtins.all, builtins.any,
               builtins.float, builtins.max, builtins.min, builtins.sum, builtins.type, builtins.getattr]
    watched += [value for _, value in sorted(vars(checks).items()) if callable(value)]
    watched += [value for _, value in sorted(vars(oracle).items()) if callable(value)]
    watched += [type(shell).showtraceback, type(shell).run_cell, type(shell).run_cell_magic,
                shell.__dict__.get("showtraceback"), shell.__dict__.get("run_cell"),
                shell.__dict__.get("_showtraceback")]
    marks = []
    for value in watched:
        code = getattr(value, "__code__", None)
        marks.append(f"{id(value)}:{hash(code.co_code) if code is not None else 0}")
    sys.__stdout__.flush()
    return "|".join(marks)
print("grader-probe:" + _grader_probe())
del _grader_probe
"""

PREFIX = "grader-probe:"


def fingerprint(cell):
    """The fingerprint printed by a probe cell, or None if it printed none."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and PREFIX in output.get("text", ""):
            return output["text"].split(PREFIX, 1)[1].strip()
    return None

"""`backprop-grader validate` shows, under a failed test, the line of the test cell it failed
at, read from the traceback of the cell's error (grader.validate.failing_line); the exact
output on real notebooks is in tests/test_cli.py."""

import linecache

from grader.checker.outputs import exception_output
from grader.validate import NO_LINE, FailingLine, QuestionResult, failing_line, format_results

TRACEBACK = "Traceback (most recent call last):"
CODE = 'checks.expect_close(sigmoid_prime(0.0), 0.25, "σ\'(0)")'
FRAME = f'  File "<test_sigmoid_prime-4>", line 2, in <module>\n    {CODE}'
MESSAGE = "CheckFailed: σ'(0) is wrong: expected 0.25, got 0.5"


def failed_cell(traceback, printed="", ename="CheckFailed", evalue="σ'(0) is wrong: expected 0.25, got 0.5"):
    outputs = [{"output_type": "stream", "name": "stdout", "text": printed}] if printed else []
    outputs.append({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback})
    return {"cell_type": "code", "source": "", "outputs": outputs,
            "metadata": {"nbgrader": {"grade": True, "grade_id": "test_sigmoid_prime", "points": 6}}}


def test_the_line_of_the_test_cell_and_its_code():
    cell = failed_cell([TRACEBACK, FRAME, MESSAGE])
    assert failing_line(cell, "test_sigmoid_prime") == FailingLine(2, CODE)


def test_the_last_frame_of_the_cell_counts_and_other_files_do_not():
    helper = '  File "<test_sigmoid_prime-4>", line 7, in helper\n    checks.expect(ok, "σ\'")'
    other = '  File "<setup-1>", line 3, in given\n    raise ValueError'
    cell = failed_cell([TRACEBACK, FRAME, helper, other, MESSAGE])
    assert failing_line(cell, "test_sigmoid_prime") == FailingLine(7, 'checks.expect(ok, "σ\'")')


def test_ansi_colours_and_caret_lines_are_ignored():
    coloured = ('\x1b[0;32m  File "<test_sigmoid_prime-4>", line 3, in <module>\x1b[0m\n'
                '    out = sigmoid_prime(z)\n          ^^^^^^^^^^^^^^^^')
    assert failing_line(failed_cell([f"\x1b[31m{TRACEBACK}\x1b[0m", coloured, MESSAGE]), "test_sigmoid_prime") == \
        FailingLine(3, "out = sigmoid_prime(z)")
    no_code = '  File "<test_sigmoid_prime-4>", line 3, in <module>\n    ^^^^'
    assert failing_line(failed_cell([TRACEBACK, no_code, MESSAGE]), "test_sigmoid_prime") == FailingLine(3, "")


def test_a_real_trusted_traceback_is_read():
    """The error output the trusted side makes (grader.checker.outputs.exception_output)."""
    source = "x = 1\nassert x == 2, 'x is wrong'\n"
    filename = "<test_sigmoid_prime-4>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    try:
        exec(compile(source, filename, "exec"), {})
    except AssertionError as error:
        output = exception_output(error, filename)
    cell = failed_cell(output["traceback"], ename=output["ename"], evalue=output["evalue"])
    assert failing_line(cell, "test_sigmoid_prime") == FailingLine(2, "assert x == 2, 'x is wrong'")


def test_text_after_the_frames_is_never_read():
    """The message and notes carry the student's process's text: a frame written there is not one."""
    spoof = '  File "<test_sigmoid_prime-4>", line 99, in <module>\n    print("hidden test source")'
    cell = failed_cell([TRACEBACK, FRAME, MESSAGE + "\n" + spoof, spoof])
    assert failing_line(cell, "test_sigmoid_prime").number == 2
    assert failing_line(failed_cell([MESSAGE, spoof]), "test_sigmoid_prime") == FailingLine(None)


def test_a_hidden_part_failure_says_so():
    cell = failed_cell([TRACEBACK, FRAME, MESSAGE], printed="visible σ' tests passed\n")
    assert failing_line(cell, "test_sigmoid_prime").hidden


def test_no_line_for_a_passed_or_unrun_cell():
    passed = failed_cell([])
    passed["outputs"] = []
    assert failing_line(passed, "test_sigmoid_prime") is None
    unrun = failed_cell(["NotRun: not run"], ename="NotRun", evalue="not run: the notebook exceeded its time limit")
    assert failing_line(unrun, "test_sigmoid_prime") is None


def test_format_results_exact():
    results = [
        QuestionResult("test_sigmoid", 6, 6, ""),
        QuestionResult("test_sigmoid_prime", 0, 6, "test_sigmoid_prime failed a visible test: " + MESSAGE,
                       FailingLine(2, "checks.expect_close(sigmoid_prime(0.0), 0.25)")),
        QuestionResult("test_hidden", 0, 3, "test_hidden passed its visible tests but failed a hidden test: X",
                       FailingLine(14, "checks.expect(False)", hidden=True)),
        QuestionResult("test_no_code", 0, 3, "test_no_code failed a visible test: X", FailingLine(5)),
        QuestionResult("test_no_line", 0, 3, "test_no_line failed a visible test: X", FailingLine(None)),
        QuestionResult("test_not_run", 0, 3, "test_not_run failed: NotRun: not run"),
    ]
    assert format_results(results, hidden=True) == (
        "PASS  test_sigmoid                       6/6\n"
        "FAIL  test_sigmoid_prime                 0/6\n"
        "      test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong: expected 0.25, got 0.5\n"
        "      at line 2 of the test cell: checks.expect_close(sigmoid_prime(0.0), 0.25)\n"
        "FAIL  test_hidden                        0/3\n"
        "      test_hidden passed its visible tests but failed a hidden test: X\n"
        "      at line 14 of the test cell (hidden part): checks.expect(False)\n"
        "FAIL  test_no_code                       0/3\n"
        "      test_no_code failed a visible test: X\n"
        "      at line 5 of the test cell\n"
        "FAIL  test_no_line                       0/3\n"
        "      test_no_line failed a visible test: X\n"
        f"      {NO_LINE}\n"
        "FAIL  test_not_run                       0/3\n"
        "      test_not_run failed: NotRun: not run\n"
        "total 6/24 (hidden tests included)")
    assert NO_LINE == "failing line: not found (the traceback names no line of the test cell)"

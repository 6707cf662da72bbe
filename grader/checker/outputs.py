"""Cell outputs: those the student's process reports (checked before they are kept), and
those of the trusted cells (collected here). Outputs are plain dicts in nbformat's v4
structure (this module runs in grading workers, which do not load nbformat)."""

import traceback

#: MIME types kept from the student's process: text and images. HTML, SVG and JavaScript
#: are dropped, so nothing a submission displays can run in the instructor's browser
#: (formgrader, feedback).
ALLOWED_MIME = ("text/plain", "image/png", "image/jpeg", "text/latex")
MAX_TEXT = 200_000
MAX_IMAGE = 8 * 2**20
#: Error names of cells the grader did not run: the notebook's time or restarts were spent
#: (NOT_RUN), the grading worker died (WORKER_DIED), or it left no record (NOT_EXECUTED).
NOT_RUN, WORKER_DIED, NOT_EXECUTED = "NotRun", "WorkerDied", "NotExecuted"


def _text(value, limit=MAX_TEXT):
    if isinstance(value, list):
        value = "".join(str(v) for v in value)
    return str(value)[:limit]


def _bundle(data):
    if not isinstance(data, dict):
        return {}
    kept = {}
    for mime in ALLOWED_MIME:
        value = data.get(mime)
        if isinstance(value, (str, list)):
            kept[mime] = _text(value, MAX_IMAGE if mime.startswith("image/") else MAX_TEXT)
    return kept


def clean(outputs):
    """The student's outputs, reduced to well-formed nbformat outputs of allowed kinds."""
    kept = []
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream" and output.get("name") in ("stdout", "stderr"):
            kept.append(stream_output(output["name"], _text(output.get("text", ""))))
        elif kind in ("display_data", "execute_result"):
            data = _bundle(output.get("data"))
            if data:
                kept.append({"output_type": "display_data", "data": data, "metadata": {}})
        elif kind == "error":
            tb = output.get("traceback")
            kept.append(error_output(_text(output.get("ename", "Error"), 200), _text(output.get("evalue", ""), 5000),
                                     [_text(line, 2000) for line in tb[:200]] if isinstance(tb, list) else None))
    return kept


def stream_output(name, text):
    """An nbformat stream output."""
    return {"output_type": "stream", "name": name, "text": text}


def error_output(ename, evalue, traceback_lines=None):
    """An nbformat error output."""
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": traceback_lines or [f"{ename}: {evalue}"]}


def exception_output(error, filename):
    """The error output of an exception raised while a trusted cell ran: the frames of the
    cell itself (file ``filename``) and the message, with any notes (a student traceback)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    lines = (["Traceback (most recent call last):"] + traceback.format_list(frames) if frames else [])
    lines += traceback.format_exception_only(error)
    return error_output(type(error).__name__, str(error), [line.rstrip("\n") for line in lines])


class Collector:
    """The outputs of one trusted cell, in order; it is also the cell's stdout and stderr."""

    def __init__(self):
        self._items, self._chars = [], 0

    @property
    def items(self):
        """The outputs as nbformat outputs."""
        return [stream_output(item["name"], "".join(item["text"])) if item.get("output_type") == "stream" else item
                for item in self._items]

    def stream(self, name, text):
        if self._chars >= MAX_TEXT:
            return
        text = text[:MAX_TEXT - self._chars]
        self._chars += len(text)
        last = self._items[-1] if self._items else None
        if last is not None and last.get("output_type") == "stream" and last["name"] == name:
            last["text"].append(text)
        else:
            self._items.append({"output_type": "stream", "name": name, "text": [text]})

    def add(self, output):
        self._items.append(output)

    def extend(self, outputs):
        for output in outputs:
            if output.get("output_type") == "stream":
                self.stream(output["name"], output["text"])
            else:
                self.add(output)

    def writer(self, name):
        """A file-like object whose writes become this cell's ``name`` stream."""
        return _Writer(self, name)


class _Writer:
    def __init__(self, collector, name):
        self.collector, self.name = collector, name

    def write(self, text):
        self.collector.stream(self.name, str(text))
        return len(text)

    def flush(self):
        pass

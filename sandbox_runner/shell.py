"""An IPython shell that runs notebook cells as a Jupyter kernel would and records their
outputs in nbformat's structure (streams, display data, results, errors), without a kernel.

Cells run exactly as the student wrote them: magics, ``display``, the inline matplotlib
backend and the value of a cell's last expression all behave as in JupyterLab.
"""

import sys

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

#: Stream text kept per cell (or per call), as nbgrader's LimitOutput would cut it anyway.
MAX_STREAM_CHARS = 200_000


class Outputs:
    """The outputs of one cell (or one call), in order; consecutive stream text is merged."""

    def __init__(self):
        self._items, self._chars = [], 0

    @property
    def items(self):
        """The outputs as nbformat dicts."""
        return [{**item, "text": "".join(item["text"])} if item["output_type"] == "stream" else item
                for item in self._items]

    def stream(self, name, text):
        if self._chars >= MAX_STREAM_CHARS:
            return
        if self._chars + len(text) > MAX_STREAM_CHARS:
            text = text[:MAX_STREAM_CHARS - self._chars] + "\n… (output truncated)\n"
        self._chars += len(text)
        last = self._items[-1] if self._items else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"].append(text)
        else:
            self._items.append({"output_type": "stream", "name": name, "text": [text]})

    def add(self, output):
        self._items.append(output)

    def clear(self):
        self._items.clear()


class _StreamWriter:
    """sys.stdout / sys.stderr while a cell runs."""

    def __init__(self, shell, name):
        self.shell, self.name = shell, name
        self.encoding, self.errors = "utf-8", "replace"

    def write(self, text):
        text = str(text)
        self.shell.outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        raise OSError("this stream has no file descriptor")


class _Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.shell.outputs.add({"output_type": "display_data", "data": dict(data), "metadata": dict(metadata or {})})

    def clear_output(self, wait=False):
        self.shell.outputs.clear()


class _ResultHook(DisplayHook):
    """The value of a cell's last expression becomes an execute_result."""

    def start_displayhook(self):
        pass

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.shell.outputs.add({"output_type": "execute_result", "execution_count": self.shell.execution_count,
                                "data": dict(format_dict), "metadata": dict(md_dict or {})})

    def finish_displayhook(self):
        pass


class GradingShell(InteractiveShell):
    """InteractiveShell whose outputs go to :attr:`outputs` instead of the terminal."""

    def __init__(self, **kwargs):
        config = Config()
        config.HistoryManager.enabled = False
        config.InteractiveShell.colors = "nocolor"
        super().__init__(config=config, display_pub_class=_Publisher, displayhook_class=_ResultHook, **kwargs)
        self.display_pub.shell = self
        self.outputs = Outputs()

    def enable_gui(self, gui=None):
        """No event loop to integrate: only the inline backend exists here."""

    def _showtraceback(self, etype, evalue, stb):
        self.outputs.add({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                          "evalue": str(evalue), "traceback": list(stb)})

    def capture(self, outputs):
        """A context manager: streams, displays and errors go to ``outputs`` while it is open."""
        return _Capture(self, outputs)

    def run(self, source):
        """Run one cell; return (outputs, ok)."""
        outputs = Outputs()
        with self.capture(outputs):
            result = self.run_cell(source, store_history=True)
        return outputs.items, result.success


class _Capture:
    def __init__(self, shell, outputs):
        self.shell, self.outputs = shell, outputs

    def __enter__(self):
        self.saved = (self.shell.outputs, sys.stdout, sys.stderr)
        self.shell.outputs = self.outputs
        sys.stdout, sys.stderr = _StreamWriter(self.shell, "stdout"), _StreamWriter(self.shell, "stderr")
        return self.outputs

    def __exit__(self, *exc):
        self.shell.outputs, sys.stdout, sys.stderr = self.saved
        return False

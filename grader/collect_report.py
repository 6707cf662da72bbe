"""The account :func:`grader.collect.collect` and :func:`grader.collect.collect_all` give of a
collection: what was placed, what was skipped and why, remarks, and inferred timestamps."""

from dataclasses import dataclass, field


@dataclass
class CollectReport:
    """What :func:`collect` did.

    Attributes
    ----------
    placed : list of (str, Path)
        ``(student, notebook path)`` of every submission written.
    skipped : list of (str, str)
        ``(file, reason)`` of every file that was not placed.
    notes : list of str
        Things worth knowing about placed submissions (renamed notebook, a notebook whose
        cells are another assignment's, invalid JSON, replaced submission, ignored timestamp).
    inferred : list of (str, str, datetime, str)
        ``(student, assignment, timestamp, where it comes from)`` of every placed submission
        whose source gave no timestamp: the naive UTC time written to its ``timestamp.txt``.
    """

    placed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    inferred: list = field(default_factory=list)

    def skip(self, file, reason):
        """Record that ``file`` was not placed, and why."""
        self.skipped.append((str(file), reason))

    def note(self, text):
        """Record a remark about the collection."""
        self.notes.append(text)

    def summary(self):
        """A plain-text account of the collection, one item per line.

        Returns
        -------
        str
        """
        lines = [f"Placed {len(self.placed)} submission(s)."]
        lines += [f"  {student}: {path}" for student, path in self.placed]
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)} file(s):")
            lines += [f"  {file}: {reason}" for file, reason in self.skipped]
        if self.notes:
            lines.append("Notes:")
            lines += [f"  - {text}" for text in self.notes]
        if self.inferred:
            lines.append(f"Timestamps inferred for {len(self.inferred)} submission(s) "
                         "(the source gave none: no timestamp in the file name, no timestamp.txt):")
            lines += [f"  {student}/{assignment}: {stamp.isoformat(' ')} UTC, {origin}"
                      for student, assignment, stamp, origin in self.inferred]
        return "\n".join(lines)

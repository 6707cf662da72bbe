"""For the demo, the tests and the benchmarks: a generated sample class and the catalogues it is made from.

- :mod:`sample_class.catalogue`: the mistakes students really make (each a small change to the
  reference code) and the cheats, with the words the grader's message must use;
- :mod:`sample_class.variants`: correct answers written differently, which must keep full marks;
- :mod:`sample_class.personas`: the demo's students, well-behaved and hostile;
- :mod:`sample_class.submissions`: how their notebooks are made from the reference notebooks;
- :mod:`sample_class.demo`: ``make demo``'s run over all of it.

Nothing here is shipped to students or needed to grade: it is hidden from the student's
sandbox with the grader, and it imports the grader, never the other way round.
"""

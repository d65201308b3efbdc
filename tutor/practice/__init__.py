"""The headless core every front end shares: one cluster session, one practice session.

- :class:`~tutor.practice.cluster_session.ClusterSession` is built from one
  :class:`~tutor.cluster.target.ClusterTarget`: the lazy connection, the capabilities (read once), each
  pack's checker registry, graders, saved runs, the guarded writer, the title rule and the skip rule.
  ``grade``, ``setup``, ``solve``, ``pack test``, the exam runner and the TUI all use it.
- :class:`~tutor.practice.practice_session.PracticeSession` is practice mode without a screen: open an
  exercise, set it up, watch, record verdicts and progress, hint, solution, reset, skip. It mirrors
  :class:`~tutor.exam.session.ExamSession` (the exam's rules) and is what the TUI's lesson screen drives.

Nothing here imports Textual or argparse (``tutor/commands`` turns options into a ``ClusterTarget``).
"""

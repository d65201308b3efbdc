"""Drawing an exam from a pack's pool: random, reproducible from a seed, balanced across topics.

A topic is the lesson a task belongs to (``Exercise.lesson_id``). killer.sh gives everyone the same
questions; here each attempt draws afresh, but a seed reproduces a draw exactly (for a class taking
"the same" exam, or a bug report).

Balance: topics are visited round-robin in a seeded random order, taking one unused task from each
in turn, so no topic gets a second task before every topic with tasks left has one. With 8 tasks
from 5 topics, three topics get two tasks and two get one; which ones is up to the seed.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from tutor.errors import TutorError
from tutor.grading.batch import missing_capabilities
from tutor.model import Exercise


class DrawError(TutorError):
    """The pool cannot give the exam asked for (too few tasks, none the cluster can run)."""


def eligible(pool: Sequence[Exercise], capabilities: Collection[str] | None) -> list[Exercise]:
    """The tasks of ``pool`` the cluster can run (all of them when ``capabilities`` is None)."""
    if capabilities is None:
        return list(pool)
    return [ex for ex in pool if not missing_capabilities(ex, capabilities)]


def draw(
    pool: Sequence[Exercise],
    n: int,
    seed: int,
    capabilities: Collection[str] | None = None,
) -> list[Exercise]:
    """Draw ``n`` tasks from ``pool``, balanced across topics, deterministic for a given seed.

    The order of ``pool`` matters only for ties, and a loaded pack always lists tasks in lesson
    order, so the same pack and seed give the same draw on every machine.

    Args:
        pool: the exam pool (``Pack.exam_pool()``).
        n: how many tasks.
        seed: the random seed; the same seed and pool give the same tasks in the same order.
        capabilities: what the cluster offers; tasks requiring more are left out. None = no filter.

    Returns:
        The tasks in exam order (topics interleaved).

    Raises:
        DrawError: ``n`` < 1 or the (filtered) pool has fewer than ``n`` tasks (the message says how many).
    """
    if n < 1:
        raise DrawError(f"an exam needs at least one task (got --tasks {n})")
    usable = eligible(pool, capabilities)
    if len(usable) < n:
        left_out = len(pool) - len(usable)
        why = f" ({left_out} more need capabilities this cluster lacks)" if left_out else ""
        raise DrawError(f"the exam pool has {len(usable)} usable task(s){why}; asked for {n}")
    rng = random.Random(seed)
    by_topic: dict[str, list[Exercise]] = {}
    for ex in usable:
        by_topic.setdefault(ex.lesson_id, []).append(ex)
    topics = sorted(by_topic)
    rng.shuffle(topics)
    for topic in topics:
        rng.shuffle(by_topic[topic])
    chosen: list[Exercise] = []
    while len(chosen) < n:
        for topic in topics:
            if by_topic[topic] and len(chosen) < n:
                chosen.append(by_topic[topic].pop())
    return chosen

"""tickethelp.gunicorn_worker.Siblings: the connection counts an instance's workers share, and
the rule a worker follows to leave a new connection to a less busy sibling."""

import os
import subprocess

from tickethelp.gunicorn_worker import Siblings


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])  # noqa: S607 - a process that is gone once waited for
    child.wait()
    return child.pid


def test_every_worker_forked_gets_its_own_slot_and_a_gone_worker_s_slot_is_reused():
    # given the counts of an instance with 4 slots
    siblings = Siblings(size=4)

    # when the master forks three workers, the first of which then dies
    first, second, third = siblings.claim(), siblings.claim(), siblings.claim()
    siblings.pids[first] = _dead_pid()
    siblings.pids[second] = os.getpid()  # alive; the third has not published its pid yet

    # then each had a slot of its own, the replacement takes the dead one's slot with its
    # count reset, and a claimed slot whose worker has not started yet is not handed out
    assert len({first, second, third}) == 3
    siblings.conns[first] = 7
    assert siblings.claim() == first
    assert siblings.conns[first] == 0
    assert siblings.claim() == 3
    assert siblings.claim() is None  # more workers than slots: that one does not take part


def test_a_worker_compares_itself_with_live_accepting_siblings_only():
    # given an instance with four workers that published their counts
    siblings = Siblings(size=8)
    for slot, (count, accepting) in enumerate([(3, True), (1, True), (0, False), (2, True)]):
        siblings.claim()
        siblings.publish(slot, count, accepting=accepting)
    siblings.claim()  # a fifth is being forked: no pid, no count yet

    # then each sees the fewest connections among the others that accept, leaving out
    # itself, the stopping worker (its 0 must not draw connections it will never accept)
    # and the one not started
    assert siblings.fewest_elsewhere(0) == 1
    assert siblings.fewest_elsewhere(1) == 2
    assert siblings.fewest_elsewhere(3) == 1


def test_a_lone_worker_has_no_sibling_to_leave_connections_to():
    siblings = Siblings(size=2)
    slot = siblings.claim()
    siblings.publish(slot, 5)

    assert siblings.fewest_elsewhere(slot) is None

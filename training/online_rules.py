"""Pure rules of online learning (no I/O, no clock): what a player heartbeat may credit.

Only time actually watched counts — source and status
-----------------------------------------------------
**Design decision** implementing the plan's requirement that online training hours be real: the
server, not the player, decides what counts. A player sends a heartbeat every ~15 seconds with
its position in the video (whole seconds). A heartbeat credits

* at most the real time since the previous *accepted* heartbeat of the same enrollment, on
  this lesson or any other lesson of the course (``shared_since``): one person watches one thing
  at a time, so two tabs playing at once — the same lesson or two different ones — share one
  clock and never count twice (a trial credited 30 s in 15 s to two lessons played at once),
* at most how far the position moved forward since that heartbeat (a paused player, or one
  that jumped back, credits nothing),
* at most :attr:`HeartbeatRule.max_credit_seconds` per heartbeat (a player that went silent for
  an hour and comes back does not get the hour).

``covered_seconds`` — the part of the video watched from the beginning without skipping — grows
by at most the credited seconds, so it never grows faster than real time (playing at 2× speed
does not halve the course). A heartbeat whose position is more than
:attr:`HeartbeatRule.seek_tolerance_seconds` beyond what the person could have reached
(``covered`` plus what this lesson's player could have played since its previous heartbeat) is
refused as skipping ahead and changes nothing — so a lesson played in a second tab while the
clock went to another one falls behind its position and is soon told to continue from what was
credited (``已连续观看至 …``). All values are integers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class HeartbeatRule:
    """Limits of one heartbeat (seconds)."""

    max_credit_seconds: int = 60
    seek_tolerance_seconds: int = 10


DEFAULT_HEARTBEAT_RULE = HeartbeatRule()


@dataclass(frozen=True)
class HeartbeatOutcome:
    """What one heartbeat does: ``credited`` seconds of playing time, the new ``covered`` and
    ``watched`` seconds; ``refused`` is a Chinese reason when nothing may change."""

    credited: int
    covered: int
    watched: int
    refused: str | None = None


def _clock(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def credit_heartbeat(
    *,
    duration: int,
    covered: int,
    watched: int,
    last_position: int,
    last_beat_at: dt.datetime | None,
    position: int,
    playing: bool,
    at: dt.datetime,
    rule: HeartbeatRule = DEFAULT_HEARTBEAT_RULE,
    shared_since: dt.datetime | None = None,
) -> HeartbeatOutcome:
    """Apply one heartbeat at ``at`` (aware) reporting ``position`` (seconds into a video of
    ``duration`` seconds) to the stored progress (``covered``, ``watched``, ``last_position``,
    ``last_beat_at`` — ``None`` before the first heartbeat). See the module docstring.

    ``shared_since`` (aware, or ``None``) is the latest accepted heartbeat of the same
    enrollment on any of its lessons: the credit is measured from it when it is later than
    ``last_beat_at``, so the credit of one enrollment over all its lessons never exceeds the
    real time that passed.

    The first heartbeat credits nothing (there is no previous one to measure from). ``playing``
    false (paused) credits nothing but is accepted. Raises ``ValueError`` for a negative
    position; a position beyond the end is refused, not clamped.
    """
    if position < 0:
        raise ValueError("播放位置不能为负数")
    if position > duration:
        return HeartbeatOutcome(
            0, covered, watched, f"播放位置 {_clock(position)} 超出视频长度 {_clock(duration)}"
        )
    elapsed = shared_elapsed = 0
    if last_beat_at is not None:
        elapsed = max(0, int((at - last_beat_at).total_seconds()))
        since = last_beat_at if shared_since is None else max(last_beat_at, shared_since)
        shared_elapsed = max(0, int((at - since).total_seconds()))
    # ``played``: what this lesson's own player could have played since its previous heartbeat
    # (bounds skipping ahead); ``credit``: of that, what the enrollment's one clock still allows.
    played = credit = 0
    if playing and last_beat_at is not None and position > last_position:
        played = min(elapsed, position - last_position, rule.max_credit_seconds)
        credit = min(played, shared_elapsed)
    reachable = covered + played + rule.seek_tolerance_seconds
    if position > reachable:
        return HeartbeatOutcome(
            0,
            covered,
            watched,
            f"不能跳过未观看的内容：已连续观看至 {_clock(covered)}，请从该处继续播放",
        )
    new_covered = max(covered, min(position, covered + credit, duration))
    return HeartbeatOutcome(credit, new_covered, watched + credit)

"""The in-process one-minute window of the rate limits (service.ratelimit.LocalWindow)."""

from __future__ import annotations

from service.ratelimit import LocalWindow

T0 = 1_800_000_000.0  # a minute boundary (epoch seconds divisible by 60)


def test_counts_per_key_up_to_the_limit_and_says_when_the_window_ends() -> None:
    window = LocalWindow()
    a, b = ("verify", "10.0.0.1"), ("verify", "10.0.0.2")
    assert [window.hit(a, 3, T0 + 10)[0] for _ in range(4)] == [True, True, True, False]
    assert window.hit(a, 3, T0 + 10) == (False, 50)  # 50 s left of the minute
    assert window.hit(b, 3, T0 + 59.5) == (True, 1)  # another client counts on its own; ≥ 1 s
    assert window.hit(("login", "10.0.0.1"), 3, T0 + 11)[0]  # and another namespace


def test_a_new_minute_starts_every_count_again_and_forgets_the_old_one() -> None:
    window = LocalWindow()
    key = ("verify", "10.0.0.1")
    for _ in range(5):
        window.hit(key, 5, T0 + 30)
    assert not window.hit(key, 5, T0 + 59.9)[0]
    assert window.hit(key, 5, T0 + 60) == (True, 60)
    assert len(window._counts) == 1  # the previous minute's clients are gone

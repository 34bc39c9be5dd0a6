from datetime import UTC, datetime, timedelta, timezone

from matcher.timeutil import assume_utc


def test_naive_is_taken_as_utc():
    assert assume_utc(datetime(2026, 5, 1, 9, 30)) == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    assert assume_utc(datetime(2026, 5, 1, 9, 30)).tzinfo is UTC


def test_aware_and_none_are_kept():
    china = datetime(2026, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert assume_utc(china) is china
    assert assume_utc(None) is None

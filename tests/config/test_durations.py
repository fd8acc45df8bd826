"""Duration parsing: units, bare numbers and rejections."""

from __future__ import annotations

import pytest

from gateway.config.durations import parse_duration


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30.0),
        ("500ms", 0.5),
        ("2m", 120.0),
        ("1h", 3600.0),
        ("1.5s", 1.5),
        (" 10 s ", 10.0),
        ("7", 7.0),
        ("0.25", 0.25),
        (".5s", 0.5),
        (3, 3.0),
        (2.5, 2.5),
        ("0s", 0.0),
    ],
)
def test_valid_durations(value: str | float, seconds: float) -> None:
    assert parse_duration(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["", "s", "10x", "1d", "-1s", "ten seconds", "1s2", "nan", "inf", True, -3])
def test_invalid_durations(value: object) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(value)  # type: ignore[arg-type]

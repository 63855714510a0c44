"""Attendance rules as data, each with its source and the date it took effect.

Tags: [S] from a published source, [M] a platform default a province or institution may change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Rule:
    value: Any
    source: str
    effective: date


# The return-after-three-months health check is a children rule: tuoyu.children.rules.RETURN_HEALTH_CHECK
# (管理规范 第11条; 76号令 第18条), applied by attendance_event_record through return_check_due().

# WS/T 821—2023 7.4.3: a named person follows up absences (缺勤追踪) the same day. The hour after which a
# child neither checked in nor reported absent counts as unexplained is not set nationally: 09:30 [M],
# overridable with the TUOYU_ATTENDANCE_FOLLOW_UP_CUTOFF setting ("HH:MM").
FOLLOW_UP_CUTOFF = Rule(time(9, 30), "WS/T 821—2023 7.4.3 (cut-off time [M])", date(2023, 12, 1))

# How far in the future an event's time may lie (clock skew of phones and tablets) [M], and how far back
# an event may be recorded late (a device that was offline) [M].
FUTURE_TOLERANCE = Rule(timedelta(minutes=5), "[M] clock skew of devices", date(2026, 1, 1))
BACKDATE_LIMIT = Rule(timedelta(days=7), "[M] late entries from offline devices", date(2026, 1, 1))
# Wrong kiosk codes: after this many at one institution's kiosk within the window, codes are refused until
# the window passes. A code has 10^8 values and a centre ~100 guardians, so guessing needs ~10^6 tries;
# this caps it at a few per minute. Short on purpose: a locked kiosk at 7:30 must not stay locked
# (staff can always check children in on the class list). This project's setting, not a standard's.
KIOSK_MAX_WRONG_CODES = Rule(
    10, "[M] this deployment's setting against guessing kiosk codes", date(2026, 1, 1)
)
KIOSK_WRONG_CODE_WINDOW = Rule(timedelta(minutes=2), "[M] this deployment's setting", date(2026, 1, 1))


def follow_up_cutoff() -> time:
    """The cut-off of the day after which an unreported absence is followed up."""
    configured = getattr(settings, "TUOYU_ATTENDANCE_FOLLOW_UP_CUTOFF", "") or ""
    if configured:
        hours, _, minutes = str(configured).partition(":")
        return time(int(hours), int(minutes or 0))
    value: time = FOLLOW_UP_CUTOFF.value
    return value

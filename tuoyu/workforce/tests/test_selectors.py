from datetime import date, timedelta

from django.utils import timezone

from tuoyu.workforce.models import BackgroundCheck, Qualification
from tuoyu.workforce.selectors import employment_findings, institution_staff_counts

from .factories import employ

TODAY = date(2026, 6, 1)


def _codes(findings):
    return {(f.code, f.status) for f in findings}


def _q(person, kind, issued_on, expires_on=None, level=""):
    return Qualification.objects.create(
        person=person, kind=kind, issued_on=issued_on, expires_on=expires_on, level=level
    )


def _check(person, kind, checked_on):
    return BackgroundCheck.objects.create(person=person, kind=kind, checked_on=checked_on, result="clear")


def _findings(job):
    return employment_findings(
        job, job.person.qualifications.all(), job.person.background_checks.all(), TODAY
    )


def test_a_new_caregiver_without_records_misses_certificates_and_the_pre_hire_check(world):
    job = employ(world.institutions["inst_xuanwu"], 1, start_on=date(2026, 5, 1))
    assert _codes(_findings(job)) == {
        ("health_certificate", "missing"),
        ("no_criminal_record", "missing"),
        ("pre_hire_check", "missing"),
    }


def test_a_complete_caregiver_has_nothing_missing(world):
    job = employ(world.institutions["inst_xuanwu"], 2, start_on=date(2026, 1, 10))
    _q(job.person, "health_certificate", date(2026, 1, 1))
    _q(job.person, "no_criminal_record", date(2025, 12, 1))
    _check(job.person, "pre_hire", date(2026, 1, 5))
    assert _findings(job) == []


def test_health_certificate_expiring_within_30_days_and_annual_check_overdue(world):
    job = employ(world.institutions["inst_xuanwu"], 3, start_on=date(2024, 3, 1))
    # Issued 2025-06-20 without an expiry date: valid a year, to 2026-06-20, within 30 days of TODAY.
    _q(job.person, "health_certificate", date(2025, 6, 20))
    _q(job.person, "no_criminal_record", date(2024, 2, 1))
    _check(job.person, "pre_hire", date(2024, 2, 20))
    findings = {f.code: f for f in _findings(job)}
    assert findings["health_certificate"].status == "expiring"
    assert findings["health_certificate"].due_on == date(2026, 6, 20)
    assert findings["annual_check"].status == "overdue"
    assert set(findings) == {"health_certificate", "annual_check"}


def test_expired_certificate_is_reported(world):
    job = employ(world.institutions["inst_xuanwu"], 4, role="security", start_on=date(2026, 1, 1))
    _q(job.person, "security_certificate", date(2020, 1, 1), expires_on=TODAY - timedelta(days=1))
    assert ("security_certificate", "expired") in _codes(_findings(job))


def test_head_needs_junior_college_training_and_three_years(world):
    job = employ(world.institutions["inst_xuanwu"], 5, role="head", start_on=date(2026, 1, 1))
    _q(job.person, "education", date(2010, 7, 1), level="secondary")
    codes = {c for c, _ in _codes(_findings(job))}
    assert {"education", "head_training", "experience"} <= codes
    _q(job.person, "education", date(2014, 7, 1), level="bachelor")
    _q(job.person, "head_training", date(2025, 9, 1))
    job.experience_years = 3
    codes = {c for c, _ in _codes(_findings(job))}
    assert not {"education", "head_training", "experience"} & codes


def test_counts_by_role_and_overdue_checks(world):
    institution = world.institutions["inst_xuanwu"]
    a = employ(institution, 6)
    employ(institution, 7, role="cook", full_time=False)
    _check(a.person, "pre_hire", timezone.localdate() - timedelta(days=10))
    counts = institution_staff_counts(institution)
    assert counts["total"] == 2
    assert counts["full_time"] == 1
    assert counts["role_cook"] == 1
    assert counts["check_overdue"] == 1

"""The dates an institution started and stopped operating: set by the services when the status changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.core.models import AuditLog
from tuoyu.core.tests.factories import make_uscc
from tuoyu.institutions.choices import OperatingStatus
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services import institution_create, institution_update

pytestmark = pytest.mark.usefixtures("english")


def _new(world, **overrides):
    fields = dict(
        name="新建托育园", uscc=make_uscc(78), type="private_run", ownership="private", places=40,
        address="北京东路1号", township=world.regions["meiyuan"],
    )  # fmt: skip
    return institution_create(actor=None, **(fields | overrides))


def test_a_preparing_institution_has_no_dates_until_it_opens_then_closes(world):
    today = timezone.localdate()
    institution = _new(world)
    assert (institution.operating_since, institution.closed_on) == (None, None)
    institution_update(actor=None, institution=institution, status=OperatingStatus.OPERATING)
    assert (institution.operating_since, institution.closed_on) == (today, None)
    institution_update(actor=None, institution=institution, status=OperatingStatus.CLOSED)
    institution.refresh_from_db()
    assert (institution.operating_since, institution.closed_on) == (today, today)
    changes = AuditLog.objects.filter(action="institution.update").order_by("-id").first().detail["changes"]
    assert changes["closed_on"] == ["None", str(today)]


def test_created_operating_starts_today_and_a_given_date_is_kept(world):
    assert _new(world, status=OperatingStatus.OPERATING).operating_since == timezone.localdate()
    given = _new(
        world, uscc=make_uscc(79), status=OperatingStatus.OPERATING, operating_since=dt.date(2019, 9, 1)
    )
    assert given.operating_since == dt.date(2019, 9, 1)


def test_closing_an_undated_operating_institution_dates_its_start_from_its_entry(world):
    institution = world.institutions["inst_xuanwu"]
    Institution.objects.filter(pk=institution.pk).update(created_at=dt.datetime(2020, 3, 1, 9, tzinfo=dt.UTC))
    institution.refresh_from_db()
    institution_update(actor=None, institution=institution, status=OperatingStatus.CLOSED)
    assert institution.operating_since == dt.date(2020, 3, 1)
    assert institution.closed_on == timezone.localdate()


def test_reopening_after_closure_starts_the_dates_afresh(world):
    institution = world.institutions["inst_xuanwu"]
    institution_update(
        actor=None, institution=institution, status=OperatingStatus.CLOSED,
        operating_since=dt.date(2018, 1, 1), closed_on=dt.date(2022, 1, 1),
    )  # fmt: skip
    assert institution.closed_on == dt.date(2022, 1, 1)  # the date given wins over today
    institution_update(actor=None, institution=institution, status=OperatingStatus.OPERATING)
    assert (institution.operating_since, institution.closed_on) == (timezone.localdate(), None)


def test_dates_must_be_in_order_and_not_in_the_future(world):
    institution = world.institutions["inst_xuanwu"]
    with pytest.raises(ValidationError) as caught:
        institution_update(
            actor=None,
            institution=institution,
            operating_since=dt.date(2024, 1, 1),
            closed_on=dt.date(2023, 1, 1),
        )
    assert "cannot close before" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        institution_update(
            actor=None, institution=institution, operating_since=timezone.localdate() + dt.timedelta(days=1)
        )
    assert "future" in str(caught.value)


def test_record_page_shows_the_operating_dates(world):
    institution = world.institutions["inst_xuanwu"]
    Institution.objects.filter(pk=institution.pk).update(operating_since=dt.date(2019, 9, 1))
    client = Client()
    client.force_login(world.user("county_official"))
    client.cookies["django_language"] = "en"
    text = client.get(reverse("portal:gov_institution", args=[institution.pk])).content.decode()
    assert "Operating since" in text and "2019-09-01" in text

"""Complaint pages: the public form, receipt and tracking; the officials' queue and detail (contact
details revealed only on request, audited); the institution's pages never show who complained."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.complaints import rules
from tuoyu.complaints.models import Complaint
from tuoyu.core.models import AuditLog
from tuoyu.supervision.models import Inspection

from .factories import NAME, PHONE, complaint

pytestmark = pytest.mark.django_db


def _client(world, persona=None):
    client = Client()
    client.cookies["django_language"] = "en"
    if persona:
        client.force_login(world.user(persona))
    return client


def _form(**kw):
    return {
        "category": "safety",
        "description": "消防通道堆满杂物，楼梯护栏松动。",
        "occurred_on": timezone.localdate().isoformat(),
        "anonymous": "",
        "contact_name": NAME,
        "contact_phone": PHONE,
        **kw,
    }


# --- Public ----------------------------------------------------------------------------------------


def test_anyone_files_a_complaint_and_sees_the_reference_once(world):
    client = _client(world)
    inst = world.institutions["inst_xuanwu"]
    response = client.post(reverse("complaints:new", args=[inst.pk]), _form())
    assert response.status_code == 302 and response["Location"] == reverse("complaints:submitted")
    c = Complaint.objects.get()
    page = client.get(reverse("complaints:submitted"))
    html = page.content.decode()
    assert c.reference in html
    assert f"?reference={c.reference}" in html
    assert "an inspection of the institution has been opened" in html
    # Shown once: a second visit goes to the tracking page without the reference.
    again = client.get(reverse("complaints:submitted"))
    assert again.status_code == 302 and c.reference not in again["Location"]
    assert Inspection.objects.get().origin == f"complaint {c.reference}"


def test_form_errors_are_shown_and_nothing_is_saved(world):
    client = _client(world)
    inst = world.institutions["inst_xuanwu"]
    response = client.post(reverse("complaints:new", args=[inst.pk]), _form(contact_phone=""))
    assert response.status_code == 422
    assert "Give a phone number, or complain anonymously." in response.content.decode()
    assert not Complaint.objects.exists()


def test_form_is_throttled_per_address(world):
    client = _client(world)
    url = reverse("complaints:new", args=[world.institutions["inst_xuanwu"].pk])
    for _ in range(rules.SUBMIT_MAX_PER_ADDRESS):
        assert client.post(url, _form(category="fees")).status_code == 302
    response = client.post(url, _form(category="fees"))
    assert response.status_code == 429
    assert "Too many complaints" in response.content.decode()
    assert Complaint.objects.count() == rules.SUBMIT_MAX_PER_ADDRESS


def test_no_complaint_form_for_an_unlisted_institution(world):
    inst = world.institutions["inst_xuanwu"]
    type(inst).objects.filter(pk=inst.pk).update(filing_status="pending")
    assert _client(world).get(reverse("complaints:new", args=[inst.pk])).status_code == 404


def test_tracking_shows_status_and_outcome_but_nothing_internal(world):
    c = complaint(world, status="concluded", forwarded=True)
    Complaint.objects.filter(pk=c.pk).update(institution_response="园方内部说明")
    html = (
        _client(world).get(reverse("complaints:track") + f"?reference={c.reference.lower()}").content.decode()
    )
    assert "Concluded" in html and "Substantiated" in html and "经核查属实" in html
    for secret in (NAME, PHONE, "园方内部说明", c.description):
        assert secret not in html


def test_tracking_an_unknown_reference_says_so(world):
    response = _client(world).get(reverse("complaints:track") + "?reference=TS-2026-AAAAAAAAAAAA")
    assert response.status_code == 404
    assert "No complaint has this reference" in response.content.decode()


def test_trust_card_links_to_the_form_and_counts_substantiated(world):
    inst = world.institutions["inst_xuanwu"]
    complaint(world, status="concluded")
    html = _client(world).get(reverse("portal:public_institution", args=[inst.pk])).content.decode()
    assert reverse("complaints:new", args=[inst.pk]) in html
    assert "1 complaint found substantiated in the last 12 months." in html
    assert NAME not in html and "多收伙食费" not in html


# --- Officials -------------------------------------------------------------------------------------


def test_queue_lists_overdue_first_and_filters(world):
    late = complaint(world, category="hygiene")
    Complaint.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    serious = complaint(world, category="injury")
    done = complaint(world, status="concluded")
    client = _client(world, "county_official")
    html = client.get(reverse("complaints:home")).content.decode()
    refs = re.findall(r"TS-\d{4}-[A-Z2-7]{12}", html)
    assert refs[0] == late.reference and serious.reference in refs and done.reference not in refs
    assert 'data-testid="overdue"' in html and 'data-testid="has-inspection"' in html
    only_serious = client.get(reverse("complaints:home") + "?serious=true").content.decode()
    assert serious.reference in only_serious and late.reference not in only_serious
    concluded = client.get(reverse("complaints:home") + "?status=concluded").content.decode()
    assert done.reference in concluded and late.reference not in concluded


def test_queue_query_budget(world, django_assert_max_num_queries):
    for _ in range(5):
        complaint(world)
    client = _client(world, "province_official")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("complaints:home"))
    assert response.content.decode().count('data-testid="queue-row"') == 5


def test_other_county_official_gets_404(world):
    c = complaint(world)
    assert (
        _client(world, "other_county_official").get(reverse("complaints:detail", args=[c.pk])).status_code
        == 404
    )
    html = _client(world, "other_county_official").get(reverse("complaints:home")).content.decode()
    assert c.reference not in html


def test_contact_details_only_on_request_and_each_viewing_audited(world):
    c = complaint(world, category="injury")
    client = _client(world, "county_official")
    url = reverse("complaints:detail", args=[c.pk])
    html = client.get(url).content.decode()
    assert PHONE not in html and 'data-testid="show-contact"' in html
    assert f"complaint {c.reference}" in html  # the opened inspection is linked
    views = AuditLog.objects.filter(action="view", object_id=str(c.pk), object_type="complaints.complaint")
    assert views.count() == 0
    shown = client.get(url + "?contact=1").content.decode()
    assert PHONE in shown and NAME in shown
    assert views.count() == 1 and views.get().actor == world.user("county_official")


def test_viewer_and_observer_never_see_contact_details(world):
    c = complaint(world)
    for persona in ("city_official", "national_observer"):
        html = (
            _client(world, persona)
            .get(reverse("complaints:detail", args=[c.pk]) + "?contact=1")
            .content.decode()
        )
        assert PHONE not in html and NAME not in html, persona
        assert 'data-testid="actions"' not in html
    assert not AuditLog.objects.filter(action="view", object_type="complaints.complaint").exists()


def test_county_official_handles_the_complaint_on_the_page(world):
    c = complaint(world)
    client = _client(world, "county_official")
    url = reverse("complaints:detail", args=[c.pk])
    assert client.post(url, {"action": "accept", "reason": ""}).status_code == 302
    assert client.post(url, {"action": "forward", "reason": ""}).status_code == 302
    assert client.post(url, {"action": "investigate", "reason": ""}).status_code == 302
    bad = client.post(url, {"action": "conclude", "outcome": "substantiated", "reply": ""})
    assert bad.status_code == 422
    ok = client.post(
        url, {"action": "conclude", "outcome": "substantiated", "reply": "属实，已整改", "reason": ""}
    )
    assert ok.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.outcome, c.reply) == ("concluded", "substantiated", "属实，已整改")
    assert c.forwarded_at is not None
    # A step the status no longer allows is refused with a message, not a crash.
    again = client.post(url, {"action": "accept", "reason": ""}, follow=True)
    assert "cannot become" in again.content.decode()


def test_viewer_cannot_act_on_the_page(world):
    c = complaint(world)
    response = _client(world, "city_official").post(
        reverse("complaints:detail", args=[c.pk]), {"action": "accept"}
    )
    assert response.status_code == 403
    assert Complaint.objects.get(pk=c.pk).status == "received"


# --- The institution never sees who complained -----------------------------------------------------


@pytest.mark.parametrize("anonymous", [False, True])
def test_staff_pages_never_show_contact_or_anonymity(world, anonymous):
    c = complaint(world, status="accepted", forwarded=True, anonymous=anonymous)
    client = _client(world, "director")
    pages = [
        client.get(reverse("complaints:inst_home")).content.decode(),
        client.get(reverse("complaints:inst_detail", args=[c.pk])).content.decode(),
    ]
    assert "多收伙食费" in pages[1]
    for html in pages:
        body = html.split("<main>", 1)[1]
        for secret in (NAME, PHONE, c.reference):
            assert secret not in body
        assert "nonym" not in body.lower() and "匿名" not in body


def test_staff_pages_look_the_same_for_named_and_anonymous(world):
    named = complaint(world, status="accepted", forwarded=True, anonymous=False)
    anon = complaint(world, status="accepted", forwarded=True, anonymous=True)
    client = _client(world, "director")

    def body(c):
        html = client.get(reverse("complaints:inst_detail", args=[c.pk])).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return re.sub(r"\d", "0", html.split("<main>", 1)[1])

    assert body(named) == body(anon)


def test_director_responds_on_the_page(world):
    c = complaint(world, status="accepted", forwarded=True)
    client = _client(world, "director")
    url = reverse("complaints:inst_detail", args=[c.pk])
    assert client.post(url, {"response": "已退还多收费用"}).status_code == 302
    assert "已退还多收费用" in client.get(url).content.decode()
    assert (
        "已退还多收费用"
        in _client(world, "county_official").get(reverse("complaints:detail", args=[c.pk])).content.decode()
    )


def test_caregiver_and_unforwarded_complaints_stay_hidden(world):
    forwarded = complaint(world, status="accepted", forwarded=True)
    hidden = complaint(world, status="accepted")
    director = _client(world, "director")
    assert director.get(reverse("complaints:inst_detail", args=[hidden.pk])).status_code == 404
    caregiver = _client(world, "caregiver")
    assert caregiver.get(reverse("complaints:inst_detail", args=[forwarded.pk])).status_code == 404
    assert 'data-testid="inst-row"' not in caregiver.get(reverse("complaints:inst_home")).content.decode()
    # Staff never reach the officials' pages, even for their own institution.
    assert director.get(reverse("complaints:detail", args=[forwarded.pk])).status_code == 403


def test_my_complaints_lists_only_the_users_named_complaints(world):
    mine = complaint(world, by="parent")
    someone_elses = complaint(world)
    url = reverse("complaints:mine")
    assert _client(world).get(url).status_code == 302  # sign in first
    page = _client(world, "parent").get(url).content.decode()
    assert mine.reference in page and someone_elses.reference not in page
    assert PHONE not in page
    empty = _client(world, "caregiver").get(url).content.decode()
    assert 'data-testid="no-complaints"' in empty and mine.reference not in empty

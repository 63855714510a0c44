"""Care pages: flows, photo serving scope, the parent's day, query budgets."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.care import services
from tuoyu.care.models import MedicationRequest
from tuoyu.care.selectors import medication_for_child, parent_day

from .factories import PNG, diary_entry, incident, medication_request, menu

pytestmark = pytest.mark.django_db


def _client(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"  # pages are asserted in English
    return client


def test_parent_page_creates_a_request(world, english):
    child = world.children["own_child"]
    url = reverse("care:child_medication", args=[child.pk])
    today = timezone.localdate().isoformat()
    client = _client(world, "parent")
    response = client.post(
        url,
        {
            "medicine": "布洛芬",
            "dose": "5 ml",
            "times": "9:00，15:00",
            "start_on": today,
            "end_on": today,
            "parent_consent": "on",
        },
    )
    assert response.status_code == 302
    assert MedicationRequest.objects.get(child=child).times == "09:00,15:00"
    refused = client.post(
        url, {"medicine": "x", "dose": "1", "times": "9:00", "start_on": today, "end_on": today}
    )
    assert refused.status_code == 422 and "authorise" in refused.content.decode()


def test_parent_of_another_child_gets_404(world):
    url = reverse("care:child_medication", args=[world.children["other_child"].pk])
    assert _client(world, "parent").get(url).status_code == 404


def test_staff_page_accepts_and_records_a_dose(world):
    item = medication_request(world)
    client = _client(world, "caregiver")
    url = reverse("care:medication")
    assert client.post(url, {"request": item.pk, "action": "accept"}).status_code == 422
    assert (
        client.post(url, {"request": item.pk, "action": "accept", "authorisation_on_file": "on"}).status_code
        == 302
    )
    assert client.post(url, {"request": item.pk, "action": "dose"}).status_code == 302
    page = client.get(url).content.decode()
    assert "布洛芬混悬液" in page
    assert item.doses.count() == 1


def test_staff_page_refuses_other_institutions_request(world):
    from tuoyu.children.models import Guardian

    Guardian.objects.filter(child=world.children["jiangning_child"]).update(user=world.user("parent"))
    item = medication_request(world, child_key="jiangning_child")
    response = _client(world, "caregiver").post(
        reverse("care:medication"), {"request": item.pk, "action": "accept"}
    )
    assert response.status_code == 404


def test_photo_is_served_only_in_scope(world):
    own_class = diary_entry(world, photo=True)
    other_child = diary_entry(world, child_key="other_child", photo=True)
    url = reverse("care:diary_photo", args=[own_class.pk])
    response = _client(world, "parent").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Cache-Control"] == "private, no-store"
    assert _client(world, "parent").get(reverse("care:diary_photo", args=[other_child.pk])).status_code == 404
    for persona in ("county_official", "other_county_official", "outsider"):
        assert _client(world, persona).get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_parent_day_gathers_meals_naps_notes_photos_and_doses(world, django_assert_max_num_queries):
    child = world.children["own_child"]
    klass = world.classes["xuanwu_toddler"]
    today = timezone.localdate()
    item = menu(world, published=True, dishes=(("花生酥", "花生"), ("米饭", "大米")))
    services.allergy_substitute_set(
        actor=world.user("director"), item=item.items.get(dish="花生酥"), child=child, substitute="南瓜饼"
    )
    services.meal_served_record(
        actor=world.user("caregiver"), klass=klass, day=today, meal="lunch", intakes={child.pk: "some"}
    )
    diary_entry(world)
    diary_entry(
        world, child_key="own_child", kind="nap", nap_start=timezone.localtime().time().replace(hour=12)
    )
    diary_entry(world, photo=True)
    diary_entry(world, child_key="other_child", text="别人的")
    request = medication_request(world, "accepted")
    services.medication_dose_record(actor=world.user("caregiver"), request=request)
    with django_assert_max_num_queries(8):
        day = parent_day(child, today)
    assert day["meals"][0]["ate"] == "some" and day["meals"][0]["dishes"] == ["花生酥", "米饭"]
    assert day["meals"][0]["substitutes"] == ["花生酥 → 南瓜饼"]
    assert len(day["naps"]) == 1 and len(day["photos"]) == 1 and len(day["doses"]) == 1
    assert [e.text for e in day["notes"]] == ["今天我们画了秋天的树叶。"]
    assert medication_for_child(child)[0].doses.count() == 1


def test_parent_today_fragment_renders(world):
    from django.template.loader import render_to_string

    diary_entry(world, photo=True)
    html = render_to_string(
        "care/_parent_today.html", {"care_day": parent_day(world.children["own_child"], timezone.localdate())}
    )
    assert 'data-testid="care-photos"' in html


def test_reports_page_shows_only_the_officials_region(world):
    report = incident(world, "minor", suspected=True)
    assert (
        str(report.institution.name)
        in _client(world, "county_official").get(reverse("care:reports")).content.decode()
    )
    assert (
        report.institution.name
        not in _client(world, "other_county_official").get(reverse("care:reports")).content.decode()
    )


def test_incident_page_acknowledge_and_flag(world):
    item = incident(world, "serious")
    staff = _client(world, "director")
    url = reverse("care:incident", args=[item.pk])
    assert staff.post(url, {"action": "flag"}).status_code == 302
    county = _client(world, "county_official")
    assert county.post(url, {"action": "acknowledge", "note": "ok"}).status_code == 302
    assert 'data-testid="acknowledged"' in county.get(url).content.decode()


def test_menu_page_warns_and_publishes(world):
    item = menu(world, dishes=(("花生酥", "花生"),))
    client = _client(world, "director")
    url = reverse("care:menu", args=[item.pk])
    assert 'data-testid="allergy-warning"' in client.get(url).content.decode()
    client.post(url, {"action": "publish"})
    item.refresh_from_db()
    assert not item.published
    client.post(
        url,
        {
            "action": "substitute",
            "item": item.items.get().pk,
            "child": world.children["own_child"].pk,
            "substitute": "南瓜饼",
        },
    )
    client.post(url, {"action": "publish"})
    item.refresh_from_db()
    assert item.published
    assert _client(world, "county_official").post(url, {"action": "publish"}).status_code == 403


def test_class_day_page_adds_entries_and_meals(world):
    client = _client(world, "caregiver")
    url = reverse("care:class_day")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url, {"action": "entry", "kind": "photo", "text": "秋叶", "photo": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 302
    child = world.children["own_child"]
    response = client.post(url, {"action": "meal", "meal": "lunch", f"ate_{child.pk}": "well"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "秋叶" in page and child.name in page


def test_pages_keep_their_query_budget(world, django_assert_max_num_queries):
    for _ in range(5):
        medication_request(world)
        medication_request(world, "accepted")
        incident(world, suspected=True)
        diary_entry(world, child_key="own_child")
    for week in range(3):
        menu(
            world, week_start=timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7 * week)
        )
    director = _client(world, "director")
    county = _client(world, "county_official")
    parent = _client(world, "parent")
    for name in ("care:medication", "care:incidents", "care:menus", "care:class_day"):
        with django_assert_max_num_queries(12):
            assert director.get(reverse(name)).status_code == 200, name
    with django_assert_max_num_queries(12):
        assert county.get(reverse("care:reports")).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            parent.get(reverse("care:child_medication", args=[world.children["own_child"].pk])).status_code
            == 200
        )

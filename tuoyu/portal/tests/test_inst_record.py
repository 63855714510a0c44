"""机构端: the director keeps the record; errors stay at the field and nothing is lost."""

from __future__ import annotations

import pytest

from tuoyu.institutions.models import Institution

pytestmark = pytest.mark.usefixtures("english")


def _url(world):
    return f"/inst/institutions/{world.institutions['inst_xuanwu'].pk}/record/"


def test_director_saves_premises_and_sees_them(client, world):
    client.force_login(world.user("director"))
    client.cookies["django_language"] = "en"
    response = client.post(_url(world), {
        "form": "record", "premises_tenure": "leased", "lease_start": "2025-01-01", "lease_end": "2030-01-01",
        "children_rooms_floor": "2", "age_min_months": "6", "age_max_months": "36",
        "service_modes": ["full_day"], "opening_hours": "7:30-17:30",
    })  # fmt: skip
    assert response.status_code == 302
    institution = Institution.objects.get(pk=world.institutions["inst_xuanwu"].pk)
    assert institution.children_rooms_floor == 2 and institution.service_modes == ["full_day"]


def test_short_lease_is_shown_at_the_field_and_the_input_kept(client, world):
    client.force_login(world.user("director"))
    client.cookies["django_language"] = "en"
    response = client.post(_url(world), {
        "form": "record", "premises_tenure": "leased", "lease_start": "2025-01-01", "lease_end": "2026-06-01",
        "age_min_months": "6", "age_max_months": "36", "opening_hours": "8:00-17:00",
    })  # fmt: skip
    assert response.status_code == 200
    form = response.context["record_form"]
    assert "lease_end" in form.errors and form["opening_hours"].value() == "8:00-17:00"
    assert Institution.objects.get(pk=world.institutions["inst_xuanwu"].pk).opening_hours == ""


def test_class_over_cap_is_refused_with_the_reason(client, world):
    client.force_login(world.user("director"))
    client.cookies["django_language"] = "en"
    response = client.post(
        _url(world), {"form": "class", "name": "乳儿班", "kind": "infant", "capacity": "12"}
    )
    assert response.status_code == 200
    assert "at most 10" in str(response.context["class_form"].errors)


def test_caregiver_sees_but_cannot_change(client, world):
    client.force_login(world.user("caregiver"))
    assert client.get(_url(world)).status_code == 200
    response = client.post(
        _url(world), {"form": "class", "name": "乳儿班", "kind": "infant", "capacity": "8"}
    )
    assert response.status_code == 403


def test_director_of_another_institution_gets_404(client, world):
    client.force_login(world.user("director"))
    assert client.get(f"/inst/institutions/{world.institutions['inst_wuxi'].pk}/record/").status_code == 404


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_director_adds_a_photo_that_the_public_sees_on_the_trust_card(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.user("director"))
    upload = SimpleUploadedFile("room.png", PNG, content_type="image/png")
    response = client.post(_url(world), {"form": "photo", "caption": "活动室", "image": upload})
    assert response.status_code == 302
    client.logout()
    card = client.get(f"/public/institutions/{world.institutions['inst_xuanwu'].pk}/").content.decode()
    assert 'data-testid="photos"' in card and "活动室" in card
    photo = world.institutions["inst_xuanwu"].photos.get()
    served = client.get(f"/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_a_file_that_is_not_a_picture_is_refused_at_the_field(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.user("director"))
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("room.png", b"MZ\x90\x00 not a png", content_type="image/png")
    response = client.post(_url(world), {"form": "photo", "image": upload})
    assert response.status_code == 200
    assert "not a JPEG or PNG" in str(response.context["photo_form"].errors)
    assert not world.institutions["inst_xuanwu"].photos.exists()

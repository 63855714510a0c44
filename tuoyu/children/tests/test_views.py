import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.children.models import Application, Child, EntryCheck
from tuoyu.core.models import AuditLog

from .factories import applicant_child, apply, health_check, make_class, months_old, next_month

pytestmark = pytest.mark.usefixtures("english")


def browser(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


def test_register_page_shows_each_class_with_counts_and_vacancies(world, django_assert_max_num_queries):
    institution = world.institutions["inst_xuanwu"]
    make_class(institution, "托大一班", kind="older", capacity=20)
    for n in range(8):
        Child.objects.create(
            name=f"孩子{n}",
            sex="F",
            birth_date=months_old(15),
            institution=institution,
            klass=world.classes["xuanwu_toddler"],
        )
    client = browser(world, "caregiver")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("children:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="register-class"') == 2
    assert "10 of 15 places taken · 5 free" in body and "0 of 20 places taken · 20 free" in body
    assert body.count('data-testid="register-child"') == 10


def test_child_page_is_audited_and_masks_phones_for_officials(world):
    url = reverse("children:child", args=[world.children["own_child"].pk])
    body = browser(world, "county_official").get(url).content.decode()
    assert "138****8000" in body and "13800138000" not in body
    assert 'data-testid="check-form"' not in body
    assert AuditLog.objects.filter(action="view", object_id=str(world.children["own_child"].pk)).count() == 1
    body = browser(world, "director").get(url).content.decode()
    assert "13800138000" in body
    for form in ("check-form", "guardian-form", "pickup-form", "class-form", "leave-form"):
        assert f'data-testid="{form}"' in body, form
    body = browser(world, "caregiver").get(url).content.decode()
    assert 'data-testid="check-form"' in body and 'data-testid="leave-form"' not in body
    body = browser(world, "parent").get(url).content.decode()
    assert 'data-testid="guardian-form"' in body and 'data-testid="check-form"' not in body


def test_a_caregiver_records_a_check_on_the_child_page(world):
    child = world.children["own_child"]
    url = reverse("children:child", args=[child.pk])
    data = {
        "form": "check",
        "kind": "vaccination",
        "checked_on": timezone.localdate().isoformat(),
        "passed": "yes",
    }
    response = browser(world, "caregiver").post(url, data)
    assert response.status_code == 302
    assert EntryCheck.objects.get(child=child).kind == "vaccination"
    leave = {"form": "leave", "left_on": timezone.localdate().isoformat(), "reason": "搬家"}
    assert browser(world, "caregiver").post(url, leave).status_code == 403


def test_director_accepts_from_the_queue_onto_a_fitting_class(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    make_class(institution, "乳儿班", kind="infant", capacity=10)
    child = applicant_child(parent)
    application = apply(child, institution, parent)
    client = browser(world, "director")
    body = client.get(reverse("children:applications")).content.decode()
    assert body.count('data-testid="application"') == 1
    assert "乳儿班" not in body.split('data-testid="accept-form"')[1].split("</form>")[0]
    assert "not recorded yet" in body
    prefix = f"a{application.pk}"
    post = {
        "institution": institution.pk,
        "application": application.pk,
        "action": "accept",
        f"{prefix}-class_id": world.classes["xuanwu_toddler"].pk,
    }
    response = client.post(reverse("children:applications"), post)
    assert response.status_code == 200 and "entry health check" in response.content.decode()
    health_check(child, institution)
    response = client.post(reverse("children:applications"), post)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.klass == world.classes["xuanwu_toddler"]
    decline = {"institution": institution.pk, "application": application.pk, "action": "decline"}
    assert client.post(reverse("children:applications"), decline).status_code == 404  # decided: not open


def test_declining_from_the_queue_needs_a_reason(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    application = apply(applicant_child(parent), institution, parent)
    client = browser(world, "director")
    data = {
        "institution": institution.pk,
        "application": application.pk,
        "action": "decline",
        f"r{application.pk}-reason": "",
    }
    response = client.post(reverse("children:applications"), data)
    assert response.status_code == 200 and "Give the reason" in response.content.decode()
    data[f"r{application.pk}-reason"] = "名额已满"
    assert client.post(reverse("children:applications"), data).status_code == 302
    assert Application.objects.get(pk=application.pk).status == "declined"


def test_checks_page_lists_what_is_missing(world):
    body = browser(world, "director").get(reverse("children:checks")).content.decode()
    assert body.count('data-testid="check-due"') == 4  # two children: no health check, no vaccination check
    assert "No passed entry health check on record." in body


def test_apply_sends_the_anonymous_visitor_to_log_in_first(world):
    url = reverse("children:apply", args=[world.institutions["inst_xuanwu"].pk])
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_trust_card_links_to_the_apply_page(world):
    institution = world.institutions["inst_xuanwu"]
    body = Client().get(reverse("portal:public_institution", args=[institution.pk])).content.decode()
    assert reverse("children:apply", args=[institution.pk]) in body


def test_a_parent_applies_sees_the_application_and_withdraws_it(world):
    institution = world.institutions["inst_xuanwu"]
    client = browser(world, "parent")
    url = reverse("children:apply", args=[institution.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": "陈小雨",
        "sex": "F",
        "birth_date": months_old(17, next_month()).isoformat(),
        "relation": "mother",
        "phone": "13912345678",
        "service_mode": "full_day",
        "start_month": next_month().strftime("%Y-%m"),
    }
    response = client.post(url, {**data, "relation": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("children:my_applications")
    application = Application.objects.get(child__name="陈小雨")
    assert application.start_month == next_month()
    body = client.get(reverse("children:my_applications")).content.decode()
    assert "陈小雨" in body and institution.name in body and "Submitted" in body
    client.post(reverse("children:my_applications"), {"application": application.pk})
    assert Application.objects.get(pk=application.pk).status == "withdrawn"
    # Applying again for the same child: choose them from "Which child".
    response = client.post(
        url,
        {
            "existing_child": application.child_id,
            "service_mode": "full_day",
            "start_month": data["start_month"],
        },
    )
    assert response.status_code == 302
    assert Application.objects.filter(child=application.child, status="submitted").count() == 1


def test_the_queue_costs_the_same_however_many_applications(world, django_assert_max_num_queries):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    for n in range(6):
        apply(applicant_child(parent, f"孩子{n}"), institution, parent)
    client = browser(world, "director")
    with django_assert_max_num_queries(14):
        body = client.get(reverse("children:applications")).content.decode()
    assert body.count('data-testid="accept-form"') == 6


def test_director_links_a_guardian_account_on_the_child_page(world):
    from tuoyu.accounts.choices import Role
    from tuoyu.children.models import Guardian
    from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory

    child = world.children["other_child"]
    parent = UserFactory(username="13912345678")
    RoleAssignmentFactory(user=parent, role=Role.PARENT, region=None, institution=None)
    url = reverse("children:child", args=[child.pk])
    assert 'data-testid="link-form"' not in browser(world, "caregiver").get(url).content.decode()
    refused = browser(world, "director").post(url, {"form": "link", "position": "1", "phone": "13800000000"})
    assert refused.status_code == 200 and "sign up first" in refused.content.decode()
    done = browser(world, "director").post(url, {"form": "link", "position": "1", "phone": "13912345678"})
    assert done.status_code == 302
    assert Guardian.objects.get(child=child, position=1).user == parent

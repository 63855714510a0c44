"""Children enrolled per class: declared by the institution until the children register counts them."""

from django.test import Client
from django.urls import reverse

from tuoyu.accounts.services import token_issue
from tuoyu.core.models import AuditLog
from tuoyu.institutions.models import InstitutionClass
from tuoyu.institutions.services import institution_class_save, institution_class_set_enrolled


def test_enrolment_may_exceed_the_places_and_is_audited(world):
    institution = world.institutions["inst_xuanwu"]
    klass = institution_class_save(
        actor=None, institution=institution, name="托小一班", kind="toddler", capacity=15
    )
    assert klass.enrolled == 0
    institution_class_set_enrolled(
        actor=world.user("director"), institution=institution, class_id=klass.pk, enrolled=17
    )
    assert InstitutionClass.objects.get(pk=klass.pk).enrolled == 17
    log = AuditLog.objects.get(action="institution.class_enrolled")
    assert log.detail == {"class": "托小一班", "enrolled": 17, "before": 0}
    # Changing the class without naming the enrolment keeps it.
    institution_class_save(
        actor=None, institution=institution, name="托小一班", kind="toddler", capacity=14, class_id=klass.pk
    )
    assert InstitutionClass.objects.get(pk=klass.pk).enrolled == 17


def test_a_class_added_through_the_api_carries_its_enrolment(world):
    institution = world.institutions["inst_xuanwu"]
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=world.user('director'))}"})
    response = client.post(
        f"/api/v1/institutions/{institution.pk}/classes",
        {"name": "托大一班", "kind": "older", "capacity": 20, "enrolled": 18},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["enrolled"] == 18
    negative = client.post(
        f"/api/v1/institutions/{institution.pk}/classes",
        {"name": "托大二班", "kind": "older", "capacity": 20, "enrolled": -1},
        content_type="application/json",
    )
    assert negative.status_code == 422


def test_the_record_page_takes_the_enrolment(world):
    institution = world.institutions["inst_xuanwu"]
    client = Client()
    client.force_login(world.user("director"))
    client.post(
        reverse("portal:inst_record", args=[institution.pk]),
        {"form": "class", "name": "乳儿一班", "kind": "infant", "capacity": "8", "enrolled": "6"},
    )
    assert InstitutionClass.objects.get(institution=institution, name="乳儿一班").enrolled == 6

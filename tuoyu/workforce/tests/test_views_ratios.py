"""The 班级师幼比 section of the staff page: figures, breach messages, and the director's forms."""

from django.test import Client

from tuoyu.institutions.models import InstitutionClass
from tuoyu.workforce.models import ClassAssignment

from .factories import assign, employ, make_class


def _page(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client, f"/workforce/institutions/{world.institutions['inst_xuanwu'].pk}/staff/"


def test_director_sees_the_breach_and_the_forms(world):
    institution = world.institutions["inst_xuanwu"]
    klass = make_class(institution, "托小班1", kind="toddler", enrolled=12)
    assign(institution, 1, klass=klass)
    assign(institution, 2, klass=klass)
    employ(institution, 3, name="赵敏")
    client, url = _page(world, "director")
    body = client.get(url).content.decode()
    assert "托小班1 needs 3 caregivers for 12 children (1:5), has 2." in body
    assert 'data-testid="assign-form"' in body
    assert "1 class has too few caregivers." in body
    assert "赵敏" in body.split('data-testid="unplaced"')[1].split("</p>")[0]


def test_official_sees_the_same_figures_read_only(world):
    institution = world.institutions["inst_xuanwu"]
    klass = make_class(institution, "托小班1", kind="toddler", enrolled=12)
    assign(institution, 1, klass=klass)
    client, url = _page(world, "county_official")
    body = client.get(url).content.decode()
    assert "needs 3 caregivers for 12 children" in body
    assert 'data-testid="assign-form"' not in body
    assert 'name="form" value="end_assignment"' not in body
    assert 'name="form" value="enrolled"' not in body


def test_director_assigns_ends_and_declares_enrolment_through_the_page(world):
    institution = world.institutions["inst_xuanwu"]
    job, klass = employ(institution, 4), make_class(institution, "托大班1", kind="older", enrolled=5)
    client, url = _page(world, "director")
    response = client.post(
        url, {"form": "assign", "assign-employment": job.pk, "assign-institution_class": klass.pk}
    )
    assert response.status_code == 302
    assignment = ClassAssignment.objects.open().get()
    assert (assignment.employment, assignment.institution_class) == (job, klass)
    response = client.post(url, {"form": "enrolled", "institution_class": klass.pk, "enrolled": "9"})
    assert response.status_code == 302
    assert InstitutionClass.objects.get(pk=klass.pk).enrolled == 9
    assert "托大班1 needs 2 caregivers for 9 children (1:7), has 1." in client.get(url).content.decode()
    response = client.post(url, {"form": "end_assignment", "assignment": assignment.pk})
    assert response.status_code == 302
    assert not ClassAssignment.objects.open().exists()


def test_assigning_a_caregiver_twice_shows_the_reason(world):
    institution = world.institutions["inst_xuanwu"]
    job = employ(institution, 5, name="王芳")
    assign(institution, 5, klass=make_class(institution, "托小班1"))
    other = make_class(institution, "托小班2")
    client, url = _page(world, "director")
    response = client.post(
        url, {"form": "assign", "assign-employment": job.pk, "assign-institution_class": other.pk}
    )
    assert response.status_code == 200
    assert "王芳 is already assigned to 托小班1" in response.content.decode()


def test_caregiver_and_official_cannot_post_the_ratio_forms(world):
    institution = world.institutions["inst_xuanwu"]
    job, klass = employ(institution, 6), make_class(institution)
    for persona in ("caregiver", "county_official"):
        client, url = _page(world, persona)
        assign_post = {"form": "assign", "assign-employment": job.pk, "assign-institution_class": klass.pk}
        assert client.post(url, assign_post).status_code == 403
        enrolled_post = {"form": "enrolled", "institution_class": klass.pk, "enrolled": "3"}
        assert client.post(url, enrolled_post).status_code == 403
    assert not ClassAssignment.objects.exists()
    assert InstitutionClass.objects.get(pk=klass.pk).enrolled == 0


def test_another_institutions_class_cannot_be_declared(world):
    other = make_class(world.institutions["inst_jiangning"])
    client, url = _page(world, "director")
    response = client.post(url, {"form": "enrolled", "institution_class": other.pk, "enrolled": "3"})
    assert response.status_code == 404
    assert InstitutionClass.objects.get(pk=other.pk).enrolled == 0


def test_staff_page_with_classes_query_budget(world, django_assert_max_num_queries):
    institution = world.institutions["inst_xuanwu"]
    for n in range(10):
        assign(institution, n, klass=make_class(institution, f"班{n}", enrolled=5))
    client, url = _page(world, "director")
    with django_assert_max_num_queries(22):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="class-ratio"') == 10

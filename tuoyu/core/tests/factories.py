"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory

from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.core.validators import USCC_CHARSET, uscc_check_char
from tuoyu.institutions.choices import FilingStatus, InstitutionType, OperatingStatus, Ownership
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region


def make_uscc(n: int, division: str = "320102") -> str:
    """A valid unified social credit code, distinct for each n."""
    body = ""
    for _ in range(9):
        body = USCC_CHARSET[n % 31] + body
        n //= 31
    first17 = "52" + division + body
    return first17 + uscc_check_char(first17)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "320000000000"
    name = "江苏省"
    level = "province"
    kind = "province"
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-Tuoyu-2026")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"测试托育中心{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1000))
    type = InstitutionType.PRIVATE_RUN
    ownership = Ownership.PRIVATE
    inclusive = False
    places = 60
    status = OperatingStatus.OPERATING
    filing_status = FilingStatus.FILED
    address = "中山路1号"
    county = factory.LazyAttribute(lambda o: o.township.parent)
    city = factory.LazyAttribute(lambda o: o.township.parent.parent)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)

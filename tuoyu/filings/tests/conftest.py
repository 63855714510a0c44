from __future__ import annotations

import pytest

from tuoyu.filings import services
from tuoyu.institutions.models import Institution

from .factories import pdf

ALL_DOCS = [
    "business_licence",
    "site_proof",
    "staff_qualifications",
    "staff_health",
    "health_evaluation",
    "fire_safety",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def unfiled(world):
    """梅园托育中心 as a new enterprise that has not filed yet (serves no meals)."""
    Institution.objects.filter(pk=world.institutions["inst_xuanwu"].pk).update(
        filing_status="not_filed", legal_form="enterprise", serves_meals=False
    )
    return Institution.objects.get(pk=world.institutions["inst_xuanwu"].pk)


def complete_draft(world, institution, **kwargs):
    director = world.user("director")
    filing = services.filing_create_draft(
        actor=director, institution=institution, commitment_accepted=True, **kwargs
    )
    for kind in ALL_DOCS:
        services.filing_attach_document(actor=director, filing=filing, kind=kind, upload=pdf(f"{kind}.pdf"))
    return filing

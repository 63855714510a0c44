"""Filing rules as data: deadlines, the document checklist, upload limits, each with its source.

Source: 托育机构登记和备案办法（试行）, 国卫办人口发〔2019〕25号 (issued 2019-10, published on gov.cn
2020-01-06; document number and date as given by a secondary source). The deadlines and the materials list are
confirmed by several secondary sources (see shared/reference/domain_rules.md §3); the materials list
is cited as 第8条 by one of them only, and the deadline article is not verified.
Provinces may issue detailed rules (Jiangsu's were not found): override by changing these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tuoyu.core.files import EXTENSIONS, sniff_content_type
from tuoyu.institutions.choices import LegalForm

from .choices import DocumentKind, FilingKind

REGULATION = "托育机构登记和备案办法（试行）"
# The day of October 2019 it took effect is not verified; gov.cn published it on 2020-01-06.
EFFECTIVE = date(2019, 10, 1)


@dataclass(frozen=True)
class Deadline:
    working_days: int
    source: str
    effective: date


# The health department issues the 备案回执 within 5 working days of a submission.
RECEIPT_DEADLINE = Deadline(5, f"{REGULATION}, article not verified", EFFECTIVE)
# Verification: non-compliance is notified (and made public) within 15 working days of the receipt.
VERIFICATION_DEADLINE = Deadline(15, f"{REGULATION}, article not verified", EFFECTIVE)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Files are recognised by their bytes only (tuoyu.core.files): PDF, PNG or JPEG.
__all__ = ["EXTENSIONS", "sniff_content_type"]


@dataclass(frozen=True)
class Requirement:
    """One line of the checklist: satisfied by a document of any of `kinds`."""

    key: str
    label: str | Promise
    kinds: tuple[str, ...]
    source: str


_REG_CERT = {
    LegalForm.ENTERPRISE: DocumentKind.BUSINESS_LICENCE,
    LegalForm.INDIVIDUAL: DocumentKind.BUSINESS_LICENCE,
    LegalForm.SOCIAL_SERVICE: DocumentKind.SOCIAL_ORG_CERTIFICATE,
    LegalForm.PUBLIC_INSTITUTION: DocumentKind.PUBLIC_INSTITUTION_CERTIFICATE,
}
_MATERIALS = f"{REGULATION} 第8条 (materials; cited by one secondary source)"


def required_documents(
    institution: Any, kind: str, form: Mapping[str, Any] | None = None
) -> list[Requirement]:
    """The documents a filing of `kind` for `institution` needs.

    The 备案书 content (`form`) wins over the institution record where both say something (a change
    filing that starts serving meals needs the food licence).
    """
    if kind == FilingKind.CANCELLATION:
        # 注销: the institution reports its deregistration; no materials list is given (domain_rules §3.6).
        return []
    form = form or {}
    legal_form = institution.legal_form
    if legal_form in _REG_CERT:
        reg_kinds: tuple[str, ...] = (_REG_CERT[legal_form],)
        reg_label = DocumentKind(_REG_CERT[legal_form]).label
    else:
        # Legal form not recorded: any legal-person registration certificate will do.
        reg_kinds = tuple(dict.fromkeys(_REG_CERT.values()))
        reg_label = _("Business licence or other legal person registration certificate")
    checklist = [
        Requirement("registration", reg_label, reg_kinds, _MATERIALS),
        Requirement("site_proof", DocumentKind.SITE_PROOF.label, (DocumentKind.SITE_PROOF,), _MATERIALS),
        Requirement(
            "staff_qualifications",
            DocumentKind.STAFF_QUALIFICATIONS.label,
            (DocumentKind.STAFF_QUALIFICATIONS,),
            _MATERIALS,
        ),
        Requirement(
            "staff_health", DocumentKind.STAFF_HEALTH.label, (DocumentKind.STAFF_HEALTH,), _MATERIALS
        ),
        Requirement(
            "health_evaluation",
            DocumentKind.HEALTH_EVALUATION.label,
            (DocumentKind.HEALTH_EVALUATION,),
            _MATERIALS,
        ),
        Requirement("fire_safety", DocumentKind.FIRE_SAFETY.label, (DocumentKind.FIRE_SAFETY,), _MATERIALS),
    ]
    serves_meals = form.get("serves_meals", institution.serves_meals)
    if serves_meals:
        checklist.append(
            Requirement(
                "food_licence", DocumentKind.FOOD_LICENCE.label, (DocumentKind.FOOD_LICENCE,), _MATERIALS
            )
        )
    return checklist


def missing_documents(checklist: list[Requirement], present_kinds: set[str]) -> list[Requirement]:
    return [r for r in checklist if not present_kinds.intersection(r.kinds)]


# The 备案承诺书 is signed, not uploaded: the applicant ticks it and the text accepted is stored with
# the filing. It is legal text in the language it is filed in (Chinese), so it is data, not a UI
# string; COMMITMENT_VERSION changes whenever the text does.
COMMITMENT_VERSION = "2019-1"
COMMITMENT_TEXT = (
    "本机构承诺：所填报的备案信息和提交的材料真实、准确、完整；"
    "严格遵守《托育机构设置标准（试行）》《托育机构管理规范（试行）》等规定，"
    "保障婴幼儿安全和健康；备案事项发生变化时及时办理变更备案，终止服务时及时办理注销备案；"
    "自觉接受卫生健康部门及有关部门的监督管理和社会监督。如有虚假，愿承担相应法律责任。"
)

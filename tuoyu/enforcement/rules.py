"""Enforcement rules as data: which measures a legal provision allows, and the fine range it sets.

Sources (../shared/reference/domain_rules.md §0.1 and §5.4, both tagged [V]: checked against the
statute's text):
- 人口与计划生育法（2021修正）第41条: a 托育机构 breaking the standards or norms is ordered to correct
  and warned; refusing to correct: fine 5,000–50,000 元; serious: ordered to stop 托育 services and
  fined 50,000–100,000 元; abuse of infants: the directly responsible persons are banned for life.
- 未成年人保护法（2024修正）第126条: failing to check staff backgrounds (第62条) or hiring/keeping such a
  person: order to correct, warning, fine ≤50,000 元; refusing or serious consequences: suspension or
  revocation and a fine of 50,000–500,000 元.

An action names one rule; `fine_range` decides which amounts the service accepts. A deployment with a
local discretion benchmark (行政处罚裁量基准) narrows the ranges here, not in the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .choices import ActionKind

POPULATION_LAW = "中华人民共和国人口与计划生育法（2021修正）"
MINORS_LAW = "中华人民共和国未成年人保护法（2024修正）"


@dataclass(frozen=True)
class PenaltyRule:
    """One legal basis for enforcement: the kinds of action it allows and the fine range (yuan)."""

    key: str
    document: str
    article: str
    label: Promise  # what the rule covers, in the UI language
    text: str  # the provision's content in Chinese (published as 处罚依据)
    kinds: frozenset[str]
    fine_min: Decimal | None  # None: the rule sets no fine; Decimal(0): "up to fine_max"
    fine_max: Decimal | None
    effective: date
    verified: bool = True

    @property
    def basis(self) -> str:
        return f"{self.document} {self.article}"

    def fine_range(self) -> tuple[Decimal, Decimal] | None:
        if self.fine_max is None:
            return None
        return (self.fine_min or Decimal(0), self.fine_max)

    def amount_refusal(self, kind: str, amount: Decimal | None) -> str | None:
        """Why `amount` is not allowed for an action of `kind` under this rule, or None."""
        allowed = self.fine_range()
        if kind == ActionKind.FINE and amount is None:
            return str(_("A fine needs an amount."))
        if amount is None:
            return None
        if allowed is None or kind not in FINED_KINDS:
            return str(_("This rule sets no fine for this kind of action: leave the amount empty."))
        lo, hi = allowed
        if amount <= 0 or amount < lo or amount > hi:
            if lo > 0:
                return str(
                    _("{basis} allows a fine from {lo} to {hi} yuan.").format(
                        basis=self.basis, lo=f"{lo:,.0f}", hi=f"{hi:,.0f}"
                    )
                )
            return str(
                _("{basis} allows a fine of more than 0 and at most {hi} yuan.").format(
                    basis=self.basis, hi=f"{hi:,.0f}"
                )
            )
        return None


# Kinds of action that may carry a fine (a suspension under 第41条 "并处" a fine).
FINED_KINDS = frozenset({ActionKind.FINE, ActionKind.SUSPENSION, ActionKind.CLOSURE})

K = ActionKind
RULES: tuple[PenaltyRule, ...] = (
    PenaltyRule(
        key="ppl41_correct",
        document=POPULATION_LAW,
        article="第四十一条",
        label=_("Breach of childcare standards or norms: order to correct and warning"),
        text="托育机构违反托育服务相关标准和规范的，由卫生健康主管部门责令改正，给予警告",
        kinds=frozenset({K.WARNING, K.ORDER}),
        fine_min=None,
        fine_max=None,
        effective=date(2021, 8, 20),
    ),
    PenaltyRule(
        key="ppl41_refuse",
        document=POPULATION_LAW,
        article="第四十一条",
        label=_("Refusing to correct: fine of 5,000 to 50,000 yuan"),
        text="拒不改正的，处五千元以上五万元以下的罚款",
        kinds=frozenset({K.FINE}),
        fine_min=Decimal(5_000),
        fine_max=Decimal(50_000),
        effective=date(2021, 8, 20),
    ),
    PenaltyRule(
        key="ppl41_serious",
        document=POPULATION_LAW,
        article="第四十一条",
        label=_("Serious case: stop childcare services and fine of 50,000 to 100,000 yuan"),
        text="情节严重的，责令停止托育服务，并处五万元以上十万元以下的罚款",
        kinds=frozenset({K.FINE, K.SUSPENSION, K.CLOSURE}),
        fine_min=Decimal(50_000),
        fine_max=Decimal(100_000),
        effective=date(2021, 8, 20),
    ),
    PenaltyRule(
        key="ppl41_abuse",
        document=POPULATION_LAW,
        article="第四十一条",
        label=_("Abuse of infants: lifetime ban of the directly responsible persons"),
        text="托育机构有虐待婴幼儿行为的，其直接负责的主管人员和其他直接责任人员终身不得从事婴幼儿照护服务",
        kinds=frozenset({K.BAN}),
        fine_min=None,
        fine_max=None,
        effective=date(2021, 8, 20),
    ),
    PenaltyRule(
        key="mpl126_check",
        document=MINORS_LAW,
        article="第一百二十六条",
        label=_("Staff background not checked: order to correct, warning, fine up to 50,000 yuan"),
        text="密切接触未成年人的单位未履行查询义务，或者招用、继续聘用具有相关违法犯罪记录人员的，"
        "由教育、人力资源和社会保障、市场监督管理等部门按照职责分工责令限期改正，给予警告，并处五万元以下罚款",
        kinds=frozenset({K.WARNING, K.ORDER, K.FINE}),
        fine_min=Decimal(0),
        fine_max=Decimal(50_000),
        effective=date(2024, 4, 26),
    ),
    PenaltyRule(
        key="mpl126_serious",
        document=MINORS_LAW,
        article="第一百二十六条",
        label=_("Refusing or serious consequences: suspension or revocation, fine of 50,000 to 500,000 yuan"),
        text="拒不改正或者造成严重后果的，责令停业整顿或者吊销营业执照、吊销相关许可证，并处五万元以上五十万元以下罚款",
        kinds=frozenset({K.FINE, K.SUSPENSION, K.CLOSURE}),
        fine_min=Decimal(50_000),
        fine_max=Decimal(500_000),
        effective=date(2024, 4, 26),
    ),
)
RULES_BY_KEY: dict[str, PenaltyRule] = {r.key: r for r in RULES}
# Lazy, so each label is translated when shown (an f-string would freeze the language active at import).
RULE_CHOICES = [(r.key, format_lazy("{} · {}", r.article, r.label)) for r in RULES]


def rule_for(key: str) -> PenaltyRule | None:
    return RULES_BY_KEY.get(key)


# The hand-over checklist every closure case starts with (this deployment's list, not a national one).
HANDOVER_CHECKLIST_NOTE = _(
    "This checklist is this deployment's setting; no national list of records to hand over was found."
)

# Suggestions for a child of a closing institution: institutions within this box first (degrees of
# latitude/longitude around the closing one; about 11 km per 0.1°), widened once if too few.
SUGGESTION_BOX_DEGREES = (0.05, 0.2)
SUGGESTIONS_PER_CHILD = 5

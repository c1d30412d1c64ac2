"""Facts about the participant that meetings establish (so meeting 2 shows what meeting 1
found). Each fact belongs to a data category: it is shown only where that category is shared."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import DataCategory

# Outcomes ("education and work status": what became of the qualification path) belong to
# education: an agency sees them, in the profile, the API and the exports, only where
# "education and mapping" is shared with it (or when it reported them itself).
OUTCOME_CATEGORY = DataCategory.EDUCATION_MAPPING


@dataclass(frozen=True)
class Fact:
    key: str
    label: Promise
    category: str


FACTS = {
    f.key: f
    for f in [
        Fact("earlier_education", _("Earlier education"), DataCategory.EDUCATION_MAPPING),
        Fact("education_documented", _("Education documented"), DataCategory.EDUCATION_MAPPING),
        Fact(
            "education_approved",
            _("Education documentation approved"),
            DataCategory.EDUCATION_MAPPING,
        ),
        Fact("english_level", _("English skills"), DataCategory.EDUCATION_MAPPING),
        Fact("norwegian_progress", _("Progress in Norwegian"), DataCategory.EDUCATION_MAPPING),
        Fact("occupational_wish", _("Occupational wish"), DataCategory.EDUCATION_MAPPING),
        Fact("realistic_timeline", _("Realistic time perspective"), DataCategory.PLAN_MEETINGS),
        Fact("applied_vigo", _("Applied on vigo.no"), DataCategory.PLAN_MEETINGS),
        Fact("lanekassen", _("Applied to Lånekassen"), DataCategory.PLAN_MEETINGS),
        Fact("travel_costs", _("Needs travel-cost cover"), DataCategory.PLAN_MEETINGS),
        Fact("own_pc", _("Has own PC"), DataCategory.PLAN_MEETINGS),
        Fact("adapted_teaching", _("Needs adapted teaching"), DataCategory.HEALTH_ADAPTATION),
    ]
}

"""The knowledge content model: topic areas, cities, practices and the CAC Global Summit 2020."""

from knowledge.models.attachments import DocumentAttachment
from knowledge.models.practices import (
    PracticeAttachment,
    PracticeIndexPage,
    PracticePage,
    RelatedPractice,
)
from knowledge.models.snippets import City, CostBand, PracticeKind, PracticeStatus, TopicArea
from knowledge.models.summit import (
    SessionPage,
    SessionSummaryAttachment,
    SessionSummaryPage,
    SummitPage,
)

__all__ = [
    "City",
    "DocumentAttachment",
    "PracticeAttachment",
    "PracticeIndexPage",
    "PracticeKind",
    "PracticeStatus",
    "CostBand",
    "PracticePage",
    "RelatedPractice",
    "SessionPage",
    "SessionSummaryAttachment",
    "SessionSummaryPage",
    "SummitPage",
    "TopicArea",
]

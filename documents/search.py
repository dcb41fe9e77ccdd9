"""Full-text search (placeholder until the search engines land): matches the folded
abstract only."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from documents.models import Document


def matching(text: str) -> SelectOfScalar[int | None]:
    return select(col(Document.id)).where(func.lower(col(Document.abstract)).contains(text.lower()))

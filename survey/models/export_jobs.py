"""A large raw export made by the job worker, with its progress and file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import Model
from survey.models._time import utcnow

EXPORT_STATES = ("queued", "running", "done", "failed")


class ExportJob(Model):
    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fmt: Mapped[str] = mapped_column(String(5), default="csv")
    state: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

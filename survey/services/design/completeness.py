"""Which texts of a version have no English: English readers would see Vietnamese."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.models import SurveyVersion


def missing_english(version: SurveyVersion) -> list[str]:
    """A line per Vietnamese text without its English version, in page order."""
    missing: list[str] = []
    for vi, en, label in (
        (version.title_vi, version.title_en, _("the title")),
        (version.intro_vi, version.intro_en, _("the introduction")),
        (version.thanks_vi, version.thanks_en, _("the thank-you text")),
    ):
        if vi.strip() and not en.strip():
            missing.append(label)
    for number, page in enumerate(version.pages, 1):
        if page.title_vi.strip() and not page.title_en.strip():
            missing.append(_("the title of page %(n)s", n=number))
        for q in sorted(page.questions, key=lambda q: q.position):
            if not q.text_en.strip():
                missing.append(_("question %(code)s: its text", code=q.code))
            if q.help_vi.strip() and not q.help_en.strip():
                missing.append(_("question %(code)s: its help", code=q.code))
            for option in q.options:
                if option.label_vi.strip() and not option.label_en.strip():
                    missing.append(
                        _(
                            "question %(code)s: the option %(option)s",
                            code=q.code,
                            option=option.code,
                        )
                    )
    return missing

"""The designer's refusals, each named by a code (words: survey/admin/messages.py)."""

from __future__ import annotations

from survey.models.surveys import SurveyError


class DesignerError(SurveyError):
    """A change the designer refuses; survey/admin/messages.py gives its words."""

    codes = frozenset(
        (
            "slug_taken draft_exists nothing_published no_draft window_order "
            "unknown_action page_not_empty last_page unknown_type code_taken "
            "options_needed unknown_page condition_unknown condition_order "
            "condition_codes condition_source cannot_move nothing_to_copy "
            "only_version survey_in_use"
        ).split()
    )

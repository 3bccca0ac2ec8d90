"""The standard question banks of METHODOLOGY.md sections 1 and 2, as specs.

Each bank is a function returning a fresh ``SurveySpec``; an administrator
creates a survey from one and edits it from there. Wording follows the
methodology; bracketed placeholders ([tên cơ quan], [service]) are replaced by
a neutral "cơ quan" / "this agency", since a citizen must never see brackets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from survey.domain.conditions import one_of
from survey.domain.questions import (
    CHECK,
    LIKERT5,
    LONG_TEXT,
    MULTIPLE,
    OVERALL,
    RESPONDENT_GROUP,
    SATISFACTION_FACTORS,
    SINGLE,
    TRUST,
    ConditionSpec,
    OptionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
)

FREE_TEXT_MAX_LENGTH = 1000  # METHODOLOGY §1 Block F: "≤ 1,000 characters"

_NOT_APPLICABLE = OptionSpec("9", "Không biết/Không áp dụng", "Don't know/N/A")


def _agr5() -> tuple[OptionSpec, ...]:
    """The agreement scale AGR5: codes 1-5 and 9."""
    return (
        OptionSpec("1", "Hoàn toàn không đồng ý", "Strongly disagree"),
        OptionSpec("2", "Không đồng ý", "Disagree"),
        OptionSpec(
            "3",
            "Không đồng ý cũng không phản đối",
            "Neither agree nor disagree",
        ),
        OptionSpec("4", "Đồng ý", "Agree"),
        OptionSpec("5", "Hoàn toàn đồng ý", "Strongly agree"),
        _NOT_APPLICABLE,
    )


def _sat5() -> tuple[OptionSpec, ...]:
    """The satisfaction scale SAT5: codes 1-5 and 9."""
    return (
        OptionSpec("1", "Rất không hài lòng", "Very dissatisfied"),
        OptionSpec("2", "Không hài lòng", "Dissatisfied"),
        OptionSpec(
            "3",
            "Bình thường",
            "Neither satisfied nor dissatisfied",
        ),
        OptionSpec("4", "Hài lòng", "Satisfied"),
        OptionSpec("5", "Rất hài lòng", "Very satisfied"),
        _NOT_APPLICABLE,
    )


def _yes_no() -> tuple[OptionSpec, ...]:
    return (OptionSpec("yes", "Có", "Yes"), OptionSpec("no", "Không", "No"))


def _agree(
    code: str,
    text_vi: str,
    text_en: str,
    *,
    dimension: str | None = None,
    condition: ConditionSpec | None = None,
    required: bool = True,
    help_vi: str = "",
    help_en: str = "",
) -> QuestionSpec:
    """A five-point agreement item (AGR5)."""
    return QuestionSpec(
        code=code,
        type=LIKERT5,
        text_vi=text_vi,
        text_en=text_en,
        help_vi=help_vi,
        help_en=help_en,
        required=required,
        dimension=dimension,
        options=_agr5(),
        condition=condition,
    )


def _satisfied(
    code: str,
    text_vi: str,
    text_en: str,
    *,
    dimension: str,
    condition: ConditionSpec | None = None,
) -> QuestionSpec:
    """A five-point satisfaction item (SAT5)."""
    return QuestionSpec(
        code=code,
        type=LIKERT5,
        text_vi=text_vi,
        text_en=text_en,
        dimension=dimension,
        options=_sat5(),
        condition=condition,
    )


def _single(
    code: str,
    text_vi: str,
    text_en: str,
    options: tuple[OptionSpec, ...],
    *,
    condition: ConditionSpec | None = None,
    required: bool = True,
    dimension: str | None = None,
) -> QuestionSpec:
    return QuestionSpec(
        code=code,
        type=SINGLE,
        dimension=dimension,
        text_vi=text_vi,
        text_en=text_en,
        required=required,
        options=options,
        condition=condition,
    )


def _screening() -> QuestionSpec:
    """Q0.1, "Không → end" (METHODOLOGY §1): a "no" ends the survey politely
    and the response is kept as screened out."""
    return replace(
        _single(
            "Q0.1",
            "Ông/Bà có trực tiếp thực hiện thủ tục hành chính tại cơ quan và "
            "đã nhận kết quả không?",
            "Did you personally carry out the procedure at this agency and "
            "receive the result?",
            _yes_no(),
        ),
        end_if=one_of("Q0.1", ("no",)),
    )


def _comment(code: str, text_vi: str, text_en: str) -> QuestionSpec:
    """An optional free-text question."""
    return QuestionSpec(
        code=code,
        type=LONG_TEXT,
        text_vi=text_vi,
        text_en=text_en,
        required=False,
        max_length=FREE_TEXT_MAX_LENGTH,
    )


# --- SIPAS-style bank (METHODOLOGY §1) -------------------------------------

# No length in the intros: the form shows one estimate computed from its
# questions (survey.domain.reading_time), the same on the home page and poster.
_SIPAS_INTRO_VI = (
    "Phiếu khảo sát do Viện Nghiên cứu Phát triển TP.HCM thực hiện. "
    "Câu trả lời được bảo mật; cơ quan giải quyết hồ sơ không biết ai đã trả lời "
    "và chỉ nhận kết quả tổng hợp từ 10 người trở lên. "
    "Phiếu khảo sát không ghi danh."
)
_SIPAS_INTRO_EN = (
    "This survey is run by the HCMC Institute for Development Studies. "
    "Answers are confidential; the agency never sees who answered and only "
    "receives aggregates of 10 or more respondents. "
    "The survey is anonymous."
)
_THANKS_VI = (
    "Xin trân trọng cảm ơn Ông/Bà đã dành thời gian trả lời. "
    "Ý kiến của Ông/Bà giúp cơ quan phục vụ người dân, tổ chức tốt hơn."
)
_THANKS_EN = (
    "Thank you for taking the time to answer. "
    "Your views help the agency serve citizens and businesses better."
)

_B_STEM_VI = (
    "Xin Ông/Bà cho biết mức độ đồng ý với các nhận định sau về lần giải quyết "
    "thủ tục này."
)
_B_STEM_EN = (
    "Please indicate how much you agree with the following statements about "
    "this procedure."
)

_GAVE_FEEDBACK = ConditionSpec("B5.0", ("yes",))
_BUSINESS = ConditionSpec("Q0.2", ("business",))

# (code, Vietnamese, English) per SIPAS factor, in the order of METHODOLOGY §1.
_PERCEPTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "P1": (
        ("B1.1", "Nơi ngồi chờ có đủ chỗ ngồi.", "The waiting area had enough seats."),
        (
            "B1.2",
            "Trang thiết bị phục vụ người dân đầy đủ.",
            "Equipment for citizens was adequate.",
        ),
        ("B1.3", "Trang thiết bị phục vụ người dân hiện đại.", "Equipment was modern."),
        (
            "B1.4",
            "Trang thiết bị phục vụ người dân dễ sử dụng.",
            "Equipment was easy to use.",
        ),
    ),
    "P2": (
        (
            "B2.1",
            "Thủ tục hành chính được niêm yết công khai đầy đủ.",
            "The procedure was publicly posted in full.",
        ),
        (
            "B2.2",
            "Thủ tục hành chính được niêm yết công khai chính xác.",
            "The posted procedure was accurate.",
        ),
        (
            "B2.3",
            "Thành phần hồ sơ tôi phải nộp đúng như quy định.",
            "The documents I had to submit were as regulated.",
        ),
        (
            "B2.4",
            "Phí, lệ phí tôi phải nộp đúng như quy định.",
            "The fees I paid were as regulated.",
        ),
        (
            "B2.5",
            "Thời gian giải quyết (từ khi tiếp nhận đến khi trả kết quả) đúng như "
            "quy định.",
            "The processing time (from receipt to result) was as regulated.",
        ),
    ),
    "P3": (
        (
            "B3.1",
            "Công chức có thái độ giao tiếp lịch sự.",
            "The official communicated politely.",
        ),
        (
            "B3.2",
            "Công chức chú ý lắng nghe ý kiến của tôi.",
            "The official listened attentively to me.",
        ),
        (
            "B3.3",
            "Công chức trả lời, giải thích đầy đủ các ý kiến của tôi.",
            "The official answered and explained my questions fully.",
        ),
        (
            "B3.4",
            "Công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo.",
            "The official guided me through the forms attentively.",
        ),
        (
            "B3.5",
            "Công chức hướng dẫn kê khai hồ sơ dễ hiểu.",
            "The official's guidance was easy to understand.",
        ),
        (
            "B3.6",
            "Công chức tuân thủ đúng quy định trong giải quyết công việc.",
            "The official followed the rules in handling my case.",
        ),
    ),
    "P4": (
        (
            "B4.1",
            "Kết quả tôi nhận được đúng quy định.",
            "The result I received complied with regulations.",
        ),
        (
            "B4.2",
            "Kết quả tôi nhận được có thông tin đầy đủ.",
            "The result contained complete information.",
        ),
        (
            "B4.3",
            "Kết quả tôi nhận được có thông tin chính xác.",
            "The result contained accurate information.",
        ),
    ),
    "P5": (
        (
            "B5.1",
            "Cơ quan có bố trí hình thức tiếp nhận góp ý, phản ánh, kiến nghị.",
            "The agency provided a way to give feedback/complaints.",
        ),
        (
            "B5.2",
            "Tôi dễ dàng thực hiện góp ý, phản ánh, kiến nghị.",
            "It was easy for me to give feedback.",
        ),
        (
            "B5.3",
            "Cơ quan tiếp nhận, xử lý góp ý, phản ánh, kiến nghị tích cực.",
            "The agency received and handled feedback actively.",
        ),
        (
            "B5.4",
            "Cơ quan thông báo kết quả xử lý góp ý, phản ánh, kiến nghị kịp thời.",
            "The agency promptly notified me of the outcome of my feedback.",
        ),
    ),
}


def _perception_items(factor: str) -> tuple[QuestionSpec, ...]:
    # Only the feedback factor depends on the B5.0 filter.
    condition = _GAVE_FEEDBACK if factor == "P5" else None
    return tuple(
        _agree(code, vi, en, dimension=factor, condition=condition)
        for code, vi, en in _PERCEPTIONS[factor]
    )


def _with_stem(question: QuestionSpec) -> QuestionSpec:
    """The Block B instruction, carried as help by the first item of a page."""
    return replace(question, help_vi=_B_STEM_VI, help_en=_B_STEM_EN)


def _sipas_screening() -> PageSpec:
    return PageSpec(
        "Thông tin chung",
        "About your case",
        (
            _screening(),
            _single(
                "Q0.2",
                "Ông/Bà thực hiện với tư cách:",
                "You did this as:",
                (
                    OptionSpec("individual", "Cá nhân", "Individual"),
                    OptionSpec(
                        "business",
                        "Đại diện tổ chức, doanh nghiệp",
                        "Organisation/business representative",
                    ),
                    OptionSpec(
                        "agent",
                        "Người được ủy quyền, dịch vụ",
                        "Authorised agent/paid service",
                    ),
                ),
                dimension=RESPONDENT_GROUP,
            ),
            _single(
                "Q0.3",
                "Ông/Bà nộp hồ sơ bằng hình thức nào?",
                "How did you submit?",
                (
                    OptionSpec(
                        "counter",
                        "Trực tiếp tại Bộ phận Một cửa",
                        "In person at the one-stop shop",
                    ),
                    OptionSpec(
                        "online",
                        "Trực tuyến (Cổng DVC)",
                        "Online (public service portal)",
                    ),
                    OptionSpec("post", "Bưu chính công ích", "Public postal service"),
                    OptionSpec("other", "Khác", "Other", is_other=True),
                ),
            ),
        ),
    )


def _sipas_facts() -> PageSpec:
    return PageSpec(
        "Quá trình giải quyết thủ tục",
        "How your case went",
        (
            # Codes are the counts so that M7's mean visits reads them directly;
            # "5" stands for five or more.
            _single(
                "A1",
                "Ông/Bà đã phải đến cơ quan (hoặc liên hệ) bao nhiêu lần để hoàn "
                "thành thủ tục này, kể cả lần nộp và lần nhận kết quả?",
                "How many times did you have to go to (or contact) the agency to "
                "complete this procedure, including submission and collection?",
                (
                    OptionSpec("1", "1 lần", "Once"),
                    OptionSpec("2", "2 lần", "2 times"),
                    OptionSpec("3", "3 lần", "3 times"),
                    OptionSpec("4", "4 lần", "4 times"),
                    OptionSpec("5", "Từ 5 lần trở lên", "5 times or more"),
                ),
            ),
            _single(
                "A2",
                "Ông/Bà có bị yêu cầu bổ sung, sửa đổi hồ sơ không? "
                "Nếu có, bao nhiêu lần?",
                "Were you asked to supplement/correct your file? How many times?",
                (
                    OptionSpec("0", "Không", "No"),
                    OptionSpec("1", "1 lần", "Once"),
                    OptionSpec("2", "Từ 2 lần trở lên", "2 times or more"),
                ),
            ),
            _single(
                "A3",
                "Ông/Bà nhận kết quả so với ngày hẹn trên giấy biên nhận như thế nào?",
                "When did you receive the result compared with the date on the "
                "receipt?",
                (
                    OptionSpec("early", "Sớm hơn", "Earlier"),
                    OptionSpec("on_time", "Đúng hẹn", "On time"),
                    OptionSpec("late", "Trễ hẹn", "Late"),
                    OptionSpec("dont_remember", "Không nhớ", "Don't remember"),
                ),
            ),
            _single(
                "A4",
                "Khi trễ hẹn, Ông/Bà có nhận được văn bản xin lỗi và hẹn lại không?",
                "If late, did you receive a written apology and new date?",
                _yes_no(),
                condition=ConditionSpec("A3", ("late",)),
                required=False,
            ),
            _single(
                "A5",
                "Số tiền phí/lệ phí Ông/Bà đã nộp có được cấp biên lai không?",
                "Did you receive a receipt for all fees paid?",
                (
                    OptionSpec("yes", "Có, đầy đủ", "Yes, for all fees"),
                    OptionSpec("no", "Không", "No"),
                    OptionSpec("no_fee", "Không phải nộp phí", "No fee was charged"),
                ),
            ),
            _single(
                "A6",
                "Trong quá trình giải quyết, có ai gợi ý hoặc yêu cầu Ông/Bà chi "
                "thêm tiền, quà ngoài quy định không?",
                "During the process, did anyone suggest or ask you to pay extra "
                "money or gifts beyond the regulated fees?",
                (
                    *_yes_no(),
                    OptionSpec(
                        "prefer_not_say", "Không muốn trả lời", "Prefer not to answer"
                    ),
                ),
            ),
            _single(
                "A7",
                "Ông/Bà có phải liên hệ thêm cơ quan, đơn vị khác để hoàn thiện hồ "
                "sơ không?",
                "Did you have to contact other agencies to complete the file?",
                (
                    OptionSpec("0", "Không", "No"),
                    OptionSpec("1", "1 cơ quan", "1 agency"),
                    OptionSpec("2", "Từ 2 cơ quan trở lên", "2 agencies or more"),
                ),
            ),
        ),
    )


def _sipas_perceptions_first() -> PageSpec:
    b1, b2, b3 = (_perception_items(f) for f in ("P1", "P2", "P3"))
    # The reverse-keyed check sits inside the long grid, where straight-lining
    # (METHODOLOGY §8) happens.
    check = _agree(
        "B0.R",
        "Tôi phải chờ đợi quá lâu mới được tiếp nhận hồ sơ.",
        "I had to wait too long before my file was received.",
        dimension=CHECK,
    )
    return PageSpec(
        "Đánh giá: tiếp cận, thủ tục, công chức",
        "Your view: access, procedure, staff",
        (_with_stem(b1[0]), *b1[1:], *b2, check, *b3),
    )


def _sipas_perceptions_second() -> PageSpec:
    b4, b5 = _perception_items("P4"), _perception_items("P5")
    feedback_filter = _single(
        "B5.0",
        "Ông/Bà có góp ý, phản ánh, kiến nghị không?",
        "Did you give any feedback or complaint?",
        _yes_no(),
    )
    return PageSpec(
        "Đánh giá: kết quả, góp ý",
        "Your view: result, feedback",
        (_with_stem(b4[0]), *b4[1:], feedback_filter, *b5),
    )


def _sipas_satisfaction() -> PageSpec:
    stem_vi = "Ông/Bà hài lòng như thế nào về"
    stem_en = "How satisfied are you with"
    s1, s2, s3, s4, s5 = SATISFACTION_FACTORS
    return PageSpec(
        "Mức độ hài lòng",
        "Satisfaction",
        (
            _satisfied(
                "C1",
                f"{stem_vi} việc tiếp cận dịch vụ (nơi chờ, trang thiết bị) "
                "tại cơ quan?",
                f"{stem_en} access to the service (waiting area, equipment)?",
                dimension=s1,
            ),
            _satisfied(
                "C2",
                f"{stem_vi} thủ tục hành chính (công khai, hồ sơ, phí, thời hạn)?",
                f"{stem_en} the administrative procedure (publicity, documents, "
                "fees, time limit)?",
                dimension=s2,
            ),
            _satisfied(
                "C3",
                f"{stem_vi} công chức trực tiếp giải quyết công việc?",
                f"{stem_en} the official who handled your case?",
                dimension=s3,
            ),
            _satisfied(
                "C4",
                f"{stem_vi} kết quả giải quyết thủ tục?",
                f"{stem_en} the result?",
                dimension=s4,
            ),
            # "(nếu có)" / "(if any)" is dropped: the condition does its job.
            _satisfied(
                "C5",
                f"{stem_vi} việc tiếp nhận, xử lý góp ý, phản ánh, kiến nghị?",
                f"{stem_en} how your feedback was received and handled?",
                dimension=s5,
                condition=_GAVE_FEEDBACK,
            ),
            _satisfied(
                "C6",
                "Nhìn chung, Ông/Bà hài lòng như thế nào đối với sự phục vụ của cơ "
                "quan khi giải quyết thủ tục này?",
                "Overall, how satisfied are you with the agency's service in "
                "handling this procedure?",
                dimension=OVERALL,
            ),
        ),
    )


def _sipas_business() -> PageSpec:
    items = (
        (
            "D1",
            "Thủ tục tại Bộ phận Một cửa được niêm yết minh bạch.",
            "Procedures at the one-stop shop are transparently listed.",
        ),
        (
            "D2",
            "Hướng dẫn về thủ tục tại Bộ phận Một cửa rõ ràng, đầy đủ.",
            "Guidance on procedures is clear and adequate.",
        ),
        (
            "D3",
            "Cán bộ Bộ phận Một cửa chuyên nghiệp, am hiểu.",
            "Staff are professional and knowledgeable.",
        ),
        ("D4", "Cán bộ Bộ phận Một cửa thân thiện.", "Staff are friendly."),
        (
            "D5",
            "Ứng dụng công nghệ thông tin tại Bộ phận Một cửa tốt.",
            "IT application at the one-stop shop is good.",
        ),
    )
    questions = tuple(
        _agree(code, vi, en, condition=_BUSINESS, required=False)
        for code, vi, en in items
    )
    return PageSpec(
        "Dành cho tổ chức, doanh nghiệp",
        "For organisations and businesses",
        questions,
    )


def _sipas_suggestions() -> PageSpec:
    expectations = (
        (
            "E1",
            "Đơn giản hóa thủ tục, giảm giấy tờ",
            "Simplify procedures, fewer documents",
        ),
        ("E2", "Rút ngắn thời gian giải quyết", "Shorter processing time"),
        ("E3", "Giảm phí, lệ phí", "Lower fees"),
        ("E4", "Cải thiện thái độ phục vụ của công chức", "Better staff attitude"),
        (
            "E5",
            "Nâng cao năng lực, hướng dẫn của công chức",
            "Better staff competence/guidance",
        ),
        ("E6", "Công khai, minh bạch thông tin", "More transparency"),
        ("E7", "Mở rộng, cải thiện dịch vụ công trực tuyến", "Better online services"),
        ("E8", "Cải thiện cơ sở vật chất, nơi chờ", "Better facilities"),
        ("E9", "Tiếp nhận, xử lý góp ý tốt hơn", "Better feedback handling"),
    )
    return PageSpec(
        "Mong đợi và góp ý",
        "What should improve",
        (
            QuestionSpec(
                code="E",
                type=MULTIPLE,
                text_vi="Theo Ông/Bà, cơ quan cần ưu tiên cải thiện điều gì? "
                "(chọn tối đa 3)",
                text_en="What should the agency improve first? (choose up to 3)",
                required=False,
                options=(
                    *(OptionSpec(code, vi, en) for code, vi, en in expectations),
                    OptionSpec("E10", "Khác", "Other", is_other=True),
                ),
                max_choices=3,
            ),
            _comment(
                "F1",
                "Ông/Bà có góp ý gì để cơ quan phục vụ tốt hơn?",
                "Any suggestion to improve the service?",
            ),
        ),
    )


def sipas_bank() -> SurveySpec:
    """The SIPAS-style default survey (METHODOLOGY §1, Blocks 0 and A-F)."""
    return SurveySpec(
        title_vi="Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ "
        "của cơ quan hành chính nhà nước",
        title_en="Citizen and business satisfaction with public administrative "
        "services",
        intro_vi=_SIPAS_INTRO_VI,
        intro_en=_SIPAS_INTRO_EN,
        thanks_vi=_THANKS_VI,
        thanks_en=_THANKS_EN,
        pages=(
            _sipas_screening(),
            _sipas_facts(),
            _sipas_perceptions_first(),
            _sipas_perceptions_second(),
            _sipas_satisfaction(),
            _sipas_business(),
            _sipas_suggestions(),
        ),
    )


def sipas_short_bank() -> SurveySpec:
    """SIPAS short, for QR codes and kiosks: about two minutes on two pages.

    The screening item, the experience facts a leader acts on (visits, on
    time, informal payment asked), one satisfaction item per factor (C1-C5)
    and the overall one (C6), one optional comment. The items are the full
    form's, with the same codes and dimensions, so every metric (M1, M2, M7,
    ...) reads both forms alike; the full form stays for invited and phone
    respondents. C5 is asked of everyone, with its "not applicable" option,
    since the short form has no feedback filter.
    """
    full = {q.code: q for q in sipas_bank().questions()}
    used = ConditionSpec("Q0.1", ("yes",))  # hidden at once after a "no"
    facts = tuple(replace(full[code], condition=used) for code in ("A1", "A3", "A6"))
    satisfaction = tuple(
        replace(full[code], condition=None)
        for code in ("C1", "C2", "C3", "C4", "C5", "C6")
    )
    return SurveySpec(
        title_vi="Khảo sát nhanh sự hài lòng về thủ tục hành chính",
        title_en="Quick satisfaction survey on administrative procedures",
        intro_vi=_SIPAS_INTRO_VI,
        intro_en=_SIPAS_INTRO_EN,
        thanks_vi=_THANKS_VI,
        thanks_en=_THANKS_EN,
        pages=(
            PageSpec(
                "Lần giải quyết thủ tục này",
                "This procedure",
                (full["Q0.1"], *facts),
            ),
            PageSpec(
                "Mức độ hài lòng",
                "Satisfaction",
                (*satisfaction, full["F1"]),
            ),
        ),
    )


# --- A-11-style banks (METHODOLOGY §2) -------------------------------------

_A11_INTRO_VI = (
    "Xin Ông/Bà cho biết ý kiến về lần giao dịch vừa qua với cơ quan. "
    "Câu trả lời được bảo mật; cơ quan không biết ai đã trả lời và chỉ nhận kết "
    "quả tổng hợp từ 10 người trở lên. Phiếu khảo sát không ghi danh."
)
_A11_INTRO_EN = (
    "Please tell us about your recent interaction with this agency. "
    "Answers are confidential; the agency never sees who answered and only "
    "receives aggregates of 10 or more respondents. The survey is anonymous."
)


def a11_v1_bank() -> SurveySpec:
    """A-11 v1: the seven drivers on AGR5, main wording (METHODOLOGY §2)."""
    questions = (
        _agree(
            "X1",
            "Tôi hài lòng với dịch vụ tôi nhận được từ cơ quan.",
            "I am satisfied with the service I received from this agency.",
            dimension=OVERALL,
        ),
        _agree(
            "X2",
            "Lần giao dịch này làm tăng niềm tin của tôi vào cơ quan.",
            "This interaction increased my confidence in this agency.",
            dimension=TRUST,
        ),
        _comment(
            "X2a",
            "Ông/Bà có góp ý thêm về các điểm đánh giá trên?",
            "Any additional feedback on your scores above?",
        ),
        _agree(
            "X3",
            "Nhu cầu của tôi đã được giải quyết.",
            "My need was addressed.",
            dimension="effectiveness",
        ),
        _agree(
            "X4",
            "Tôi dễ dàng hoàn thành việc mình cần làm.",
            "It was easy to complete what I needed to do.",
            dimension="ease",
        ),
        _agree(
            "X5",
            "Thời gian để hoàn thành việc tôi cần làm là hợp lý.",
            "It took a reasonable amount of time to do what I needed to do.",
            dimension="efficiency",
        ),
        _agree(
            "X6",
            "Tôi được đối xử công bằng.",
            "I was treated fairly.",
            dimension="equity",
        ),
        _agree(
            "X7",
            "Cán bộ, công chức tôi làm việc cùng đã hỗ trợ tận tình.",
            "Employees I interacted with were helpful.",
            dimension="employee",
        ),
        _comment(
            "X8",
            "Ông/Bà có góp ý thêm cho cơ quan?",
            "Any additional feedback for this agency?",
        ),
    )
    return SurveySpec(
        title_vi="Khảo sát trải nghiệm dịch vụ (A-11, bảy yếu tố)",
        title_en="Service experience survey (A-11, seven drivers)",
        intro_vi=_A11_INTRO_VI,
        intro_en=_A11_INTRO_EN,
        thanks_vi=_THANKS_VI,
        thanks_en=_THANKS_EN,
        pages=(PageSpec("Đánh giá dịch vụ", "Your experience", questions),),
    )


def _drivers() -> tuple[OptionSpec, ...]:
    """What went well / not so well: the same list both ways (METHODOLOGY §2)."""
    return (
        OptionSpec(
            "effectiveness", "Việc của tôi được giải quyết", "My issue was resolved"
        ),
        OptionSpec("ease", "Dễ thực hiện", "Easy to do"),
        OptionSpec("efficiency", "Nhanh chóng", "Quick"),
        OptionSpec("transparency", "Minh bạch, rõ ràng", "Transparent and clear"),
        OptionSpec(
            "humanity",
            "Được tôn trọng, đối xử tử tế",
            "Treated with respect and kindness",
        ),
        OptionSpec("employee", "Cán bộ hỗ trợ tốt", "Staff were helpful"),
        OptionSpec("other", "Khác", "Other", is_other=True),
    )


def a11_v2_bank() -> SurveySpec:
    """A-11 v2: one trust item and what went well or not (METHODOLOGY §2)."""
    questions = (
        _agree(
            "T1",
            "Dựa trên trải nghiệm lần này, tôi tin tưởng cơ quan phục vụ tốt người "
            "dân.",
            "Based on this experience, I trust this agency to serve the public well.",
            dimension=TRUST,
        ),
        QuestionSpec(
            code="T2",
            type=MULTIPLE,
            text_vi="Điều gì làm tốt?",
            text_en="What went well?",
            required=False,
            options=_drivers(),
            condition=ConditionSpec("T1", ("4", "5")),
        ),
        QuestionSpec(
            code="T3",
            type=MULTIPLE,
            text_vi="Điều gì chưa tốt?",
            text_en="What didn't go so well?",
            required=False,
            options=_drivers(),
            condition=ConditionSpec("T1", ("1", "2", "3")),
        ),
        _comment("T4", "Góp ý thêm", "Additional comments"),
    )
    return SurveySpec(
        title_vi="Khảo sát nhanh sau giao dịch (A-11)",
        title_en="Quick post-transaction survey (A-11)",
        intro_vi=_A11_INTRO_VI,
        intro_en=_A11_INTRO_EN,
        thanks_vi=_THANKS_VI,
        thanks_en=_THANKS_EN,
        pages=(PageSpec("Đánh giá nhanh", "Quick feedback", questions),),
    )


TEMPLATES: dict[str, Callable[[], SurveySpec]] = {
    "sipas": sipas_bank,
    "sipas_short": sipas_short_bank,
    "a11_v1": a11_v1_bank,
    "a11_v2": a11_v2_bank,
}

# Names shown when an administrator picks a template, keyed by language.
TEMPLATE_TITLES: dict[str, dict[str, str]] = {
    "sipas": {
        "vi": "Bộ câu hỏi chuẩn SIPAS (5 yếu tố, 22 tiêu chí)",
        "en": "SIPAS-style standard bank (5 factors, 22 criteria)",
    },
    "sipas_short": {
        "vi": "SIPAS rút gọn (QR, ki-ốt: khoảng 2 phút)",
        "en": "SIPAS short (QR codes, kiosks: about 2 minutes)",
    },
    "a11_v1": {
        "vi": "A-11 phiên bản 1 (bảy yếu tố)",
        "en": "A-11 version 1 (seven drivers)",
    },
    "a11_v2": {
        "vi": "A-11 phiên bản 2 (ngắn, sau giao dịch)",
        "en": "A-11 version 2 (short, post-transaction)",
    },
}

"""Forms of the final reports domain: starting a report, the narrative with its submission, staff's decisions and
the participant assessment."""

from __future__ import annotations

from datetime import date

from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from portal.final_reports.models import (
    ATTENDANCE_LABELS,
    NARRATIVE_LABELS,
    RECOMMENDATION_LABELS,
    RELIABILITY_LABELS,
    Attendance,
    Recommendation,
    Reliability,
    ReportKind,
)
from portal.final_reports.services import MAX_SHORT, MAX_TEXT, AssessmentInput, Narrative
from portal.forms import LockedForm, PortalForm, strip
from portal.offers.fields import ChoiceRadioField, text_area

HINTS = {
    "goals_reached": "Welche Ziele des Angebots wurden erreicht, welche nicht? Bitte ohne Namen von Teilnehmenden.",
    "course": "Wie ist das Angebot verlaufen: Tätigkeiten, Anleitung, Qualifizierung, Zusammenarbeit?",
    "problems": "Was lief nicht wie geplant, und was haben Sie unternommen?",
    "outlook": "Was folgt aus den Erfahrungen (für den nächsten Zeitraum oder ein Folgeangebot)?",
}


class StartForm(PortalForm):
    """Hidden fields of the "Bericht beginnen" button of one offer's period."""

    offer_id = IntegerField(validators=[InputRequired()])
    kind = SelectField(choices=[kind.value for kind in ReportKind], validators=[InputRequired()])
    period_end = DateField(validators=[InputRequired()])

    def report_kind(self) -> ReportKind:
        return ReportKind(self.kind.data)

    def end(self) -> date:
        return self.period_end.data or date.min  # InputRequired: validated before


class NarrativeForm(LockedForm):
    goals_reached = text_area(NARRATIVE_LABELS["goals_reached"], HINTS["goals_reached"], MAX_TEXT)
    course = text_area(NARRATIVE_LABELS["course"], HINTS["course"], MAX_TEXT)
    problems = text_area(NARRATIVE_LABELS["problems"], HINTS["problems"], MAX_TEXT)
    outlook = text_area(NARRATIVE_LABELS["outlook"], HINTS["outlook"], MAX_TEXT)
    confirm = BooleanField("Ich bestätige, dass die Angaben vollständig und richtig sind.")
    submit_report = SubmitField("Bericht einreichen")  # the second button: save and submit

    def narrative(self) -> Narrative:
        return Narrative(
            goals_reached=self.goals_reached.data or "",
            course=self.course.data or "",
            problems=self.problems.data or "",
            outlook=self.outlook.data or "",
        )


class CorrectionForm(LockedForm):
    reason = text_area("Was soll der Träger korrigieren?", "Der Träger sieht diesen Text.", 2000)


class ApproveForm(LockedForm):
    """The approval button with the version counter of the report checked."""


class CheckForm(PortalForm):
    """The "Prüfung beginnen" button."""


def _choices(labels: dict[Attendance, str] | dict[Reliability, str] | dict[Recommendation, str]) -> dict[str, str]:
    return {value.value: label for value, label in labels.items()}


class AssessmentForm(PortalForm):
    attendance = ChoiceRadioField(
        "Anwesenheit", choices=_choices(ATTENDANCE_LABELS), validators=[InputRequired("Bitte wählen Sie aus.")]
    )
    reliability = ChoiceRadioField(
        "Zuverlässigkeit", choices=_choices(RELIABILITY_LABELS), validators=[InputRequired("Bitte wählen Sie aus.")]
    )
    strengths = StringField(
        "Stärken",
        description="Zum Beispiel „arbeitet sorgfältig, gut im Team“. Bitte ohne Gesundheitsdaten.",
        filters=[strip],
        validators=[InputRequired("Bitte nennen Sie die Stärken."), Length(max=MAX_SHORT)],
    )
    recommendation = ChoiceRadioField(
        "Empfehlung", choices=_choices(RECOMMENDATION_LABELS), validators=[InputRequired("Bitte wählen Sie aus.")]
    )
    recommendation_note = StringField(
        "Begründung der Empfehlung",
        description="Ein kurzer Satz, warum Sie das empfehlen.",
        filters=[strip],
        validators=[Optional(), Length(max=MAX_SHORT)],
    )

    def data_input(self) -> AssessmentInput:
        return AssessmentInput(
            attendance=Attendance(self.attendance.data),
            reliability=Reliability(self.reliability.data),
            strengths=self.strengths.data or "",
            recommendation=Recommendation(self.recommendation.data),
            recommendation_note=self.recommendation_note.data or "",
        )

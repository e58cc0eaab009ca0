"""Track timelines: what happened is stored as an event with parameters and put into words in
the reader's language, instead of a sentence in the language of whoever caused it.

Existing rows get their event from the step they record; a reason that is one of the sentences
the portal used to write (in English or Danish) is cleared, its parameters kept, because the
event now says it. A reason a person wrote stays as it is.
"""

import re

from django.db import migrations, models

# The sentences the services wrote into `reason`, in English (the msgid) and Danish.
WRITTEN = {
    "proposed": ("Proposal started.", "Forslaget er påbegyndt."),
    "submitted": ("Submitted to APS's long list.", "Indsendt til APS' bruttoliste."),
    "qualification": (
        "APS qualifies the track with the knowledge partners.",
        "APS kvalificerer sporet med videnspartnerne.",
    ),
    "recommended": ("Recommended by APS to FU.", "Indstillet af APS til FU."),
    "put_to_fu": ("Put to FU for decision.", "Forelagt FU til beslutning."),
    "started": ("The track has started.", "Sporet er startet."),
    "evaluated": ("The evaluation is written.", "Evalueringen er skrevet."),
    "closed": ("The track is closed.", "Sporet er afsluttet."),
}
ASSESSED = (
    re.compile(r"(?P<organisation>.+) published the climate assessment \(version (?P<version>\d+)\)\.", re.S),
    re.compile(r"(?P<organisation>.+) offentliggjorde den klimafaglige vurdering \(version (?P<version>\d+)\)\.", re.S),
)  # fmt: skip
FU_DECIDED = (
    re.compile(r"FU's decision “(?P<title>.*)”: (?P<outcome>[^:]+)\.", re.S),
    re.compile(r"FU's beslutning »(?P<title>.*)«: (?P<outcome>[^:]+)\.", re.S),
)
BY_STATUS = {
    "draft": "proposed",
    "submitted": "submitted",
    "withdrawn": "withdrawn",
    "in_qualification": "qualification",
    "assessed": "assessed",
    "recommended": "recommended",
    "approved": "fu_decided",
    "rejected": "fu_decided",
    "running": "started",
    "evaluated": "evaluated",
    "closed": "closed",
}


def _match(patterns, text: str):
    for pattern in patterns:
        if match := pattern.fullmatch(text):
            return match
    return None


def event_and_params(step) -> tuple[str, dict, str]:
    """(event, params, reason) for a row written before events were stored."""
    reason = step.reason.strip()
    if step.decision_id is not None:
        decided = _match(FU_DECIDED, reason)
        if step.from_status == step.to_status and decided is None:
            event = "put_to_fu"  # FU closing without outcome leaves it recommended, too
        else:
            params = {"title": step.decision.title, "outcome": step.decision.status}
            return "fu_decided", params, "" if decided else reason
    elif not step.from_status:
        event = "proposed"
    else:
        event = BY_STATUS.get(step.to_status, "")
    if event == "assessed" and (published := _match(ASSESSED, reason)):
        params = {
            "organisation": published["organisation"],
            "version": int(published["version"]),
        }
        return event, params, ""
    if reason in WRITTEN.get(event, ()):
        reason = ""
    return event, {}, reason


def forwards(apps, schema_editor):
    TrackTransition = apps.get_model("tracks", "TrackTransition")
    steps = TrackTransition.objects.select_related("decision").order_by("pk")
    changed = []
    for step in steps.iterator(chunk_size=2000):
        step.event, step.params, step.reason = event_and_params(step)
        changed.append(step)
        if len(changed) >= 2000:
            TrackTransition.objects.bulk_update(changed, ["event", "params", "reason"])
            changed = []
    TrackTransition.objects.bulk_update(changed, ["event", "params", "reason"])


def backwards(apps, schema_editor):
    """Put the Danish sentence (the portal's language) back where no reason was written."""
    TrackTransition = apps.get_model("tracks", "TrackTransition")
    for step in TrackTransition.objects.filter(reason="").select_related("decision"):
        if step.event == "assessed" and step.params:
            step.reason = "%(organisation)s offentliggjorde den klimafaglige vurdering (version %(version)s)." % step.params  # fmt: skip
        elif step.event == "fu_decided" and step.decision_id:
            step.reason = f"FU's beslutning »{step.decision.title}«: {step.decision.status}."
        else:
            step.reason = WRITTEN.get(step.event, ("", ""))[1]
        step.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("tracks", "0002_track_recent_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="tracktransition",
            name="event",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposal started."),
                    ("submitted", "Submitted to APS's long list."),
                    ("withdrawn", "The track is withdrawn."),
                    ("qualification", "APS qualifies the track with the knowledge partners."),
                    ("assessed", "The climate assessment is published."),
                    ("recommended", "Recommended by APS to FU."),
                    ("put_to_fu", "Put to FU for decision."),
                    ("fu_decided", "FU's decision is closed."),
                    ("started", "The track has started."),
                    ("evaluated", "The evaluation is written."),
                    ("closed", "The track is closed."),
                ],
                default="",
                max_length=20,
                verbose_name="event",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="tracktransition",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.RunPython(forwards, backwards),
    ]

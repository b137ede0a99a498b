"""What the assistant says, as domain responses (`Reply`) and the values that fill them.

Pure: the lead (read, never written) or plain values in, replies out. Which reply a turn
needs is decided in bot/conversation/service.py; the words are in domain.yml, every one:
here are only the values that fill them (names, links, the team, the part of day) and
which response is said.
"""

from __future__ import annotations

from typing import Any

from bot import store
from bot.conversation.reading import noted
from bot.conversation.turn import Reply
from bot.decisions.ownership import Assignment, FollowUp, When
from bot.parsing.fields import Fact
from bot.parsing.language import language_name

# The response that ends the form, by the lead's status.
NEXT_STEPS = {
    "qualified": "utter_next_qualified",
    "nurture": "utter_next_nurture",
    "disqualified": "utter_next_disqualified",
}
# What a qualified lead is told after the conclusion: who reaches out, by when they do.
FOLLOW_UP_RESPONSES: dict[When, str] = {
    "today": "utter_follow_up_today",
    "this_part_of_day": "utter_follow_up_this_part_of_day",
    "tomorrow": "utter_follow_up_tomorrow",
    "weekday": "utter_follow_up_weekday",
}
# The owner's booking link, said after who reaches out when the owner has one.
BOOKING_RESPONSE = "utter_follow_up_booking"
# The fallback owner belongs to no routing team: the visitor hears them as from this one
# (a team name, a value like routing.yml's `teams[].name`).
FALLBACK_TEAM_NAME = "sales"
# A nurture lead asked about follow-up e-mails hears their answer inside the same message.
NURTURE_WITH_CONSENT = {
    True: "utter_next_nurture_emails_yes", False: "utter_next_nurture_emails_no"}
# The redirects that name the visitor's language, and what is said instead when the lead's
# language is not known (an unverified match keeps the lead's: it may have none).
UNNAMED_LANGUAGE = {
    "utter_redirect_language": "utter_redirect_language_unnamed",
    "utter_redirect_person_language": "utter_redirect_person_language_unnamed",
}


def greeting(lead: store.Lead, conversation_id: str, verified: bool) -> Reply:
    """A returning browser (a visitor token we signed) is welcomed back; anyone else,
    including a browser whose earlier chat was only an e-mail match, introduced to.
    """
    earlier = [a for a in lead.answers if a.conversation_id != conversation_id]
    if verified and earlier:
        return Reply("utter_welcome_back", name_part(lead.name))
    return Reply("utter_intro")


def noted_reply(facts: list[tuple[Fact, str]]) -> list[Reply]:
    """The read-back of volunteered facts and corrections, if there are any."""
    said_back = noted(facts)
    return [Reply("utter_noted", {"facts": said_back})] if said_back else []


def person_requested(lead: store.Lead, redirect_reason: str | None) -> list[Reply]:
    """After a request for a person: which team fits a redirected conversation (never
    sales), else that a colleague was asked, and for a way to reach the visitor if none.
    """
    if redirect_reason is not None:
        return [with_language(f"utter_redirect_person_{redirect_reason}", lead)]
    replies = [Reply("utter_human_requested")]
    if not lead.email and not lead.phone:
        replies.append(Reply("utter_human_needs_contact"))
    return replies


def redirected(outcome: str, lead: store.Lead | None) -> Reply:
    """The redirect a form ended with ("redirected:<reason>"), in honest words."""
    reason = outcome.split(":", 1)[1] if ":" in outcome else "off_topic"
    return with_language(f"utter_redirect_{reason}", lead)


def conclusion(lead: store.Lead | None,
               follow_up: tuple[Assignment, FollowUp] | None = None) -> list[Reply]:
    """What happens next, by the lead's status, then what it depends on in the order the
    visitor reads it: who reaches out and when (`follow_up`, for a qualified lead), or
    what a nurture lead said about follow-up e-mails (inside the one nurture message).
    """
    status = lead.status if lead else "in_progress"
    values = {**name_part(lead.name if lead is not None else None),
              **email_part(lead.email if lead is not None else None)}
    replies = [Reply(next_steps_response(lead, status), values)]
    if status == "qualified" and follow_up is not None:
        replies += follow_up_replies(*follow_up)
    return replies


def follow_up_replies(assignment: Assignment, follow_up: FollowUp) -> list[Reply]:
    """Who will reach out and when, then the owner's booking link if they have one."""
    owner = assignment.owner
    values = {
        "owner_first_name": owner.first_name,
        "team": assignment.team.name if assignment.team is not None else FALLBACK_TEAM_NAME,
        "part_of_day": follow_up.part_of_day,
        "weekday": follow_up.weekday,
    }
    replies = [Reply(FOLLOW_UP_RESPONSES[follow_up.when], values)]
    if owner.booking_url:
        replies.append(Reply(BOOKING_RESPONSE, {"booking_url": owner.booking_url}))
    return replies


def unverified_conclusion(said_here: dict[str, Any]) -> Reply:
    """The end of an unverified match: the same words whatever the lead holds, with only
    the name and e-mail this conversation gave itself (`said_here`).
    """
    return Reply("utter_next_unverified", {**name_part(said_here.get("name")),
                                           **email_part(said_here.get("email"))})


def name_part(name: Any) -> dict[str, str]:
    """", Dana" for a greeting that names the visitor, "" without a name."""
    first_name = name.split(" ")[0] if isinstance(name, str) and name else ""
    return {"name_part": f", {first_name}" if first_name else ""}


def email_part(email: Any) -> dict[str, str]:
    """" at dana@example.com" for a conclusion that names the address, "" without one."""
    return {"email_part": f" at {email}" if isinstance(email, str) and email else ""}


def with_language(response: str, lead: store.Lead | None) -> Reply:
    """A redirect with the name of the lead's language ("a colleague who speaks Swedish"),
    or, for a lead whose language is not known, the response that does without it.
    """
    code = lead.language if lead is not None else None
    if code:
        return Reply(response, {"language_name": language_name(code)})
    return Reply(UNNAMED_LANGUAGE.get(response, response))


def next_steps_response(lead: store.Lead | None, status: str) -> str:
    """The conclusion's response for `status`; a nurture lead's also says what they answered
    about follow-up e-mails, when they were asked.
    """
    if status == "nurture" and lead is not None and lead.consent_follow_up is not None:
        return NURTURE_WITH_CONSENT[bool(lead.consent_follow_up)]
    return NEXT_STEPS.get(status, "utter_next_in_progress")

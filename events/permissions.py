"""Who may do what with events: the one place these rules live.

The secretariat arranges every event; a DGO's coordinators arrange their own DGO's events
(§8.5). Every signed-in person sees and may register for a published event; a draft is seen
only by those who may arrange it.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_noop

from partners.models import DGO, User
from partners.permissions import roles_of

from .models import Event

MANAGERS_ONLY = gettext_noop(
    "The secretariat arranges national events; a DGO's coordinators its own events."
)


def can_create_event(user: User | AnonymousUser, dgo: DGO | None = None) -> bool:
    """`dgo` None: may the user create any event at all (the button)? Otherwise: for that DGO,
    or a national event when `national`."""
    roles = roles_of(user)
    if roles.secretariat:
        return True
    if dgo is None:
        return roles.coordinator
    return dgo.pk in roles.coordinated_dgo_ids


def can_create_national_event(user: User | AnonymousUser) -> bool:
    return roles_of(user).secretariat


def can_manage_event(user: User | AnonymousUser, event: Event) -> bool:
    roles = roles_of(user)
    return roles.secretariat or (
        event.dgo_id is not None and event.dgo_id in roles.coordinated_dgo_ids
    )


def can_view_event(user: User | AnonymousUser, event: Event) -> bool:
    if not user.is_authenticated:
        return False
    return event.status != Event.Status.DRAFT or can_manage_event(user, event)


def visible_events_q(user: User | AnonymousUser) -> Q:
    """can_view_event as a filter: every event but drafts, and the drafts of the events the
    user may arrange (all for the secretariat, their DGOs' for a coordinator); nothing for
    someone not signed in."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    roles = roles_of(user)
    if roles.secretariat:
        return Q()
    return ~Q(status=Event.Status.DRAFT) | Q(dgo_id__in=roles.coordinated_dgo_ids)


def can_register(user: User | AnonymousUser, event: Event) -> bool:
    """Any active signed-in person, for a published event (the service checks the dates)."""
    return user.is_authenticated and user.is_active and event.status == Event.Status.PUBLISHED


def manageable_dgos(user: User | AnonymousUser):
    """The DGOs the user may arrange events for (for the form's choices)."""
    roles = roles_of(user)
    if roles.secretariat:
        return DGO.objects.order_by("name")
    return DGO.objects.filter(pk__in=roles.coordinated_dgo_ids).order_by("name")

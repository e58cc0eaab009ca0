"""Who may do what in the knowledge library: the one place these rules live.

Every signed-in person reads the library. The secretariat and the knowledge partners add
products; a knowledge partner adds in their own organisation's name and changes only those.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_noop

from partners.models import Organisation, User
from partners.permissions import roles_of

from .models import LibraryItem

ADDERS_ONLY = gettext_noop("The secretariat and the knowledge partners add knowledge products.")


def can_add_item(user: User | AnonymousUser) -> bool:
    roles = roles_of(user)
    return roles.secretariat or roles.knowledge_partner


def author_organisations(user: User | AnonymousUser):
    """The organisations the user may name as author: any for the secretariat, a knowledge
    partner's own."""
    roles = roles_of(user)
    if roles.secretariat:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=roles.knowledge_partner_org_ids).order_by("name")


def can_author_for(user: User | AnonymousUser, organisation: Organisation) -> bool:
    roles = roles_of(user)
    return roles.secretariat or organisation.pk in roles.knowledge_partner_org_ids


def can_edit_item(user: User | AnonymousUser, item: LibraryItem) -> bool:
    return can_author_for(user, item.author_organisation)

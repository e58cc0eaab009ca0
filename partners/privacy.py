"""The personal data the partners app holds about a person (see services.personal_data)."""

from .models import ApiToken, RoleAssignment, User


def personal_data(user: User) -> dict:
    return {
        "profile": {
            "id": user.pk,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "title": user.title,
            "organisation": str(user.organisation or ""),
            "municipality": str(user.municipality or ""),
            "is_active": user.is_active,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "deactivated_at": user.deactivated_at.isoformat() if user.deactivated_at else None,
        },
        "roles": [
            {
                "role": assignment.role,
                "dgo": str(assignment.dgo or ""),
                "municipality": str(assignment.municipality or ""),
                "organisation": str(assignment.organisation or ""),
                "starts_on": assignment.starts_on.isoformat(),
                "ends_on": assignment.ends_on.isoformat() if assignment.ends_on else None,
                "reason": assignment.reason,
            }
            for assignment in RoleAssignment.objects.filter(user=user).select_related(
                "dgo", "municipality", "organisation"
            )
        ],
        # Never the secret (not stored) nor its hash.
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "read_only": token.read_only,
                "created_at": token.created_at.isoformat(),
                "expires_at": token.expires_at.isoformat() if token.expires_at else None,
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
                "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            }
            for token in ApiToken.objects.filter(user=user)
        ],
    }

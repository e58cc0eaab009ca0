"""Every named URL × every role: the status each role gets (see tests/matrix)."""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ROLES
from .matrix import all_cases, cases_by_app

# Namespaces tested elsewhere: the Django admin checks is_staff itself (tests/test_admin.py).
EXCLUDED_NAMESPACES = {"admin"}


def named_urls(resolver=None, namespace: str | None = None) -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            names |= named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


CASES = all_cases()


def header_problems(response, role: str) -> list[str]:
    """The headers every response must carry (the sweep of issue 7)."""
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = {}
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    if "'unsafe-inline'" in directives.get("script-src", "'unsafe-inline'"):
        problems.append(f"script-src without unsafe-inline missing: {csp!r}")
    if directives.get("frame-ancestors") != "'none'":
        problems.append("frame-ancestors 'none' missing")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff missing")
    if not response.get("Referrer-Policy"):
        problems.append("Referrer-Policy missing")
    if role != "anonymous" and "no-store" not in response.get("Cache-Control", ""):
        problems.append("Cache-Control: no-store missing on a signed-in response")
    return problems


def test_every_named_url_has_a_case():
    covered = {case.name for case in CASES}
    missing = named_urls() - covered
    assert not missing, f"Add these URLs to tests/matrix: {sorted(missing)}"


def test_every_case_names_every_role():
    for case in CASES:
        assert set(case.expect) == set(ROLES), case.name


# One test per app, each case in a savepoint that is rolled back; a failure names the case.
@pytest.mark.parametrize("app_cases", cases_by_app(CASES), ids=lambda group: group[0])
def test_url_matrix(app_cases, session_client_for, role_users):
    failures = []
    for case in app_cases[1]:
        with transaction.atomic():
            failures.extend(case_failures(case, session_client_for, role_users))
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def case_failures(case, client_for, role_users) -> list[str]:
    kwargs = case.setup(role_users) if case.setup else case.kwargs
    url = reverse(case.name, kwargs=kwargs) + case.query
    failures = []
    for role in ROLES:
        client = client_for(role)
        response = getattr(client, case.method)(url, case.data or {})
        if response.status_code != case.expect[role]:
            failures.append(f"{role}: {response.status_code} (expected {case.expect[role]})")
        failures.extend(f"{role}: {problem}" for problem in header_problems(response, role))
        to_sign_in = case.expect[role] == 302 and role == "anonymous" and case.method == "get"
        if to_sign_in and not response.url.startswith(reverse("login")):
            failures.append(f"{role}: sent to {response.url}, not to sign in")
    return [f"{case.name} {case.method.upper()} {url}: " + "; ".join(failures)] if failures else []

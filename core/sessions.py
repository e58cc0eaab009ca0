"""Sessions kept in PostgreSQL and read through the Redis cache (Django's cached_db).

Every signed-in request reads its session; with the cache in front that read is a Redis GET
instead of a query (bench/README.md: the floor). PostgreSQL stays the record: a session
survives a cache flush, and ending a user's sessions deletes both (partners.services).

Redis is not allowed to take the pages down with it (tests/test_faults.py): when the cache
does not answer, the session is read from and written to PostgreSQL alone. A session ended
while Redis was down may linger in the cache until it expires; what it grants is still
checked against the user on every request (inactive users and changed passwords sign out,
a removed second factor no longer verifies).
"""

import logging

from django.contrib.sessions.backends import cached_db
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
CACHE_FAULTS = (RedisError, OSError)


class _TolerantCache:
    """The session cache, where a fault is a miss (reads) or skipped (writes)."""

    def __init__(self, cache):
        self._inner = cache

    def _try(self, method: str, *args, default=None, **kwargs):
        try:
            return getattr(self._inner, method)(*args, **kwargs)
        except CACHE_FAULTS as error:
            logger.warning("session cache unavailable (%s): using the database", error)
            return default

    def get(self, *args, **kwargs):
        return self._try("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._try("set", *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._try("add", *args, default=False, **kwargs)

    def delete(self, *args, **kwargs):
        return self._try("delete", *args, default=False, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._try("delete_many", *args, **kwargs)

    def __contains__(self, key) -> bool:
        return bool(self._try("has_key", key, default=False))

    def __getattr__(self, name):
        # The async methods (the portal serves WSGI) and anything else, unchanged.
        return getattr(self._inner, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _TolerantCache(self._cache)


def forget_cached(session_keys: list[str]) -> None:
    """Drop these sessions from the cache after their rows were deleted in bulk."""
    if session_keys:
        store = SessionStore()
        store._cache.delete_many([SessionStore.cache_key_prefix + key for key in session_keys])

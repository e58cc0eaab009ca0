"""Whether an error means the Celery broker is unreachable (the request goes on without it)."""


def is_broker_error(error: Exception) -> bool:
    from kombu.exceptions import OperationalError

    return isinstance(error, OperationalError | ConnectionError | TimeoutError | OSError)

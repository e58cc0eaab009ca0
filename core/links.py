"""Links to other sites that users or imports supply (websites, video meetings, knowledge
products): only http(s) URLs become links. Forms validate URL fields already; this holds even
for a value written some other way, so a `javascript:` URL never becomes a clickable link."""

from urllib.parse import urlsplit

WEB_SCHEMES = {"http", "https"}


def web_url(value: str | None) -> str:
    """The URL if it is an http(s) URL, else ''."""
    value = (value or "").strip()
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return ""
    return value if scheme in WEB_SCHEMES else ""

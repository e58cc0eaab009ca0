"""The bare WSGI response the load benchmark measures the floor against (issue 25).

gunicorn serves this module's ``application``: ``/_hello/`` is answered here, before Django
(no settings, middleware, session or database), and every other path goes to the portal's own
WSGI application, unchanged. So the hello and the pages are served by the same gunicorn
process, workers, threads and CPU in the same run, and the floor's own cost is the floor's
time per request less the hello's: what the middleware, session, sign-in and MFA check cost.
"""

from klimaalliancen.wsgi import application as portal

HELLO_PATH = "/_hello/"
BODY = b"ok"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    if environ.get("PATH_INFO") == HELLO_PATH:
        start_response("200 OK", HEADERS)
        return [BODY]
    return portal(environ, start_response)

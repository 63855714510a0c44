"""WSGI entry point (served by granian or gunicorn; ASGI measured 6-10x slower here).

The plain morning check-in is answered by a fast path in front of Django (tuoyu/attendance/fastpath.py);
every other request, and every check-in the fast path is unsure of, goes to Django unchanged.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from tuoyu.attendance.fastpath import CheckinFastPath  # noqa: E402 - needs Django set up first

# TUOYU_CHECKIN_FAST_PATH=0 serves every request through Django (to compare, or to rule the fast path out).
fast_path_off = os.environ.get("TUOYU_CHECKIN_FAST_PATH") == "0"
application = django_application if fast_path_off else CheckinFastPath(django_application)

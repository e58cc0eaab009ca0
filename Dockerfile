FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The locked runtime dependencies (exact versions with hashes; `make lock` writes the file).
COPY requirements.txt ./
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY . .
# collectstatic needs settings but no secrets of the real deployment.
RUN SECRET_KEY=build-only-key-not-used-at-runtime-0123456789abcdefghijklmnop \
    python manage.py collectstatic --noinput
# Runs as a user without a login or write access to the code; the container's root filesystem
# may be read-only (compose `read_only: true`, Kubernetes readOnlyRootFilesystem): caches and
# temporary files go to /tmp, a tmpfs or emptyDir there, and files to S3 (S3_BUCKET).
RUN useradd --system --uid 1000 --no-create-home --shell /usr/sbin/nologin portal \
 && mkdir -p /app/media && chown portal /app/media
ENV HOME=/tmp XDG_CACHE_HOME=/tmp/.cache
USER 1000
EXPOSE 8000
CMD ["gunicorn", "klimaalliancen.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

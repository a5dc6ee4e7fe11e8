# The production image: web (gunicorn), worker and beat all run from it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-noto-cjk fonts-hanazono fonts-babelstone-han fontconfig libpango-1.0-0 libpangoft2-1.0-0 curl procps \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput
RUN useradd --system --home /app linke && mkdir -p /app/var /srv/av-staging && chown linke /app/var /srv/av-staging
USER linke
EXPOSE 8000
# Threaded workers: a sync worker is killed when one request outlasts --timeout, and a tus
# PATCH from a station on a slow link can (it would lose what came after its last checkpoint).
CMD ["gunicorn", "linke.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "120"]

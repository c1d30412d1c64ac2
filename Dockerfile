# syntax=docker/dockerfile:1
# KMV production image: gunicorn (web), or `celery -A kmv worker|beat` with another command.

# --- Designsystemet CSS from npm ------------------------------------------------------
FROM node:22-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- Application ----------------------------------------------------------------------
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=0 \
    WEB_CONCURRENCY=3

# Pango/HarfBuzz and fonts for WeasyPrint (PDF reports); gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu fonts-noto-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (cached while only the code changes). The project installs no
# packages of its own (`packages = []`), so pyproject.toml and README.md are enough.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
COPY --from=assets /build/node_modules ./node_modules

# Translations and static files are built into the image. Settings refuse to load with
# DEBUG off and no key, hence a throwaway key for this step only (not kept in the image).
RUN export SECRET_KEY=build-step-only-not-used-at-run-time \
    && if find . -name '*.po' -not -path './node_modules/*' | grep -q .; then \
        python manage.py compilemessages -v 0 -i node_modules; \
    fi \
    && python manage.py collectstatic --noinput -v 0 \
    && python scripts/check_system.py

RUN useradd --create-home --uid 1000 kmv \
    && mkdir -p /app/.local \
    && chown kmv:kmv /app/.local
USER kmv

# /app/.local holds uploads, the e-mail outbox and beat's schedule: mount a volume there
# (docker-compose.yml does). gunicorn takes its worker count from WEB_CONCURRENCY.
EXPOSE 8000
# gunicorn.conf.py: the access log masks national ids in request lines (kmv/logscrub.py)
CMD ["gunicorn", "kmv.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]

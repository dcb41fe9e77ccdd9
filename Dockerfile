# eCabinet production image: the web app is built with Node, the server runs on Python.
# Build and start with compose.yaml (docker compose up -d --build).

FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# fonts-dejavu-core: Vietnamese glyphs for generated PDFs; fonts-dejavu-extra: their italics;
# fonts-liberation2: Liberation Serif (Times New Roman metrics) for signature appearances.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-dejavu-extra \
        fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --create-home --uid 10001 ecabinet
# Install the package (not editable), then drop the sources so that only the installed
# copy can be imported.
COPY pyproject.toml README.md /tmp/src/
COPY ecabinet /tmp/src/ecabinet
COPY documents /tmp/src/documents
COPY signing /tmp/src/signing
COPY realtime /tmp/src/realtime
RUN cd /tmp/src && pip install . && cd / && rm -rf /tmp/src
# The app serves the web build from ecabinet.app.FRONTEND_DIST, beside the installed
# package: put it there, and fail the build if it is not found.
COPY --from=web /src/frontend/dist /tmp/frontend-dist
RUN cd / \
    && dest="$(python -c 'from ecabinet.app import FRONTEND_DIST; print(FRONTEND_DIST)')" \
    && mkdir -p "$(dirname "$dest")" \
    && mv /tmp/frontend-dist "$dest" \
    && test -f "$dest/index.html"
# The public pages' templates go beside it (ecabinet.public.pages reads them there).
COPY frontend/templates /tmp/frontend-templates
RUN cd / \
    && dest="$(python -c 'from ecabinet.app import FRONTEND_DIST; print(FRONTEND_DIST.parent / "templates")')" \
    && mv /tmp/frontend-templates "$dest" \
    && test -f "$dest/public/base.html"
RUN mkdir -p /data /trust && chown ecabinet:ecabinet /data
ENV ECABINET_DATA_DIR=/data \
    ECABINET_TRUST_ANCHORS_DIR=/trust
WORKDIR /data
USER ecabinet
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"
CMD ["sh", "-c", "ecabinet migrate && exec ecabinet serve --host 0.0.0.0 --port 8000"]

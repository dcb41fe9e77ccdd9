# eCabinet production image: the web app is built with Node, the server runs on Python.
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 ecabinet
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ecabinet ./ecabinet
COPY documents ./documents
COPY signing ./signing
COPY realtime ./realtime
RUN pip install --no-cache-dir .
COPY --from=web /src/frontend/dist ./frontend/dist
ENV ECABINET_DATA_DIR=/data PYTHONUNBUFFERED=1
RUN mkdir -p /data /trust && chown ecabinet /data
USER ecabinet
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["sh", "-c", "ecabinet migrate && exec ecabinet serve --host 0.0.0.0 --port 8000"]

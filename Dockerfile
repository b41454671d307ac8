# The innograph API, for docker-compose.yml: syncs data/ into Neo4j on start, then serves.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    INNOGRAPH_DATA=/app/data

WORKDIR /src
COPY . .
RUN pip install . \
    && mkdir -p /app \
    && cp -r data /app/data \
    && install -m 0755 docker/api-entrypoint.sh /usr/local/bin/innograph-api \
    && rm -rf /src

WORKDIR /app
USER nobody
EXPOSE 8000
ENTRYPOINT ["innograph-api"]

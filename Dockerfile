# The innograph API, for docker-compose.yml: syncs data/ into Neo4j on start, then serves
# the API and the explorer page.

# The explorer's drawing library, from the npm registry (web/package-lock.json).
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    INNOGRAPH_DATA=/app/data

# Installed in place (editable) so the page in web/ and data/ sit beside the code that
# serves them, as in a checkout.
WORKDIR /app
COPY . .
COPY --from=web /web/node_modules web/node_modules
RUN pip install -e . \
    && install -m 0755 docker/api-entrypoint.sh /usr/local/bin/innograph-api

USER nobody
EXPOSE 8000
ENTRYPOINT ["innograph-api"]

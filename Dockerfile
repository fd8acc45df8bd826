# One image for the whole demo stack: the gateway and the three demo subgraphs (docker-compose.yml picks the
# command). The supergraph is composed at build time from the exported SDLs in schema/subgraphs/, routed to
# the compose service names (deploy/supergraph.yaml), so the image carries the exact schema it serves.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY schema ./schema
COPY deploy ./deploy

RUN pip install . \
    && mkdir -p /srv \
    && gateway compose --config deploy/supergraph.yaml --out /srv/supergraph.graphql \
    && useradd --system --no-create-home --uid 10001 app

USER app
EXPOSE 4000 4001 4002 4003
CMD ["gateway", "serve", "--config", "deploy/gateway.yaml"]

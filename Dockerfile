# Multi-stage build mirroring the README install: a venv with the locked dependencies.
FROM python:3.11-slim AS build
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.lock pyproject.toml README.md ./
COPY api ./api
COPY schema ./schema
COPY sharing ./sharing
COPY db ./db
COPY migrations ./migrations
RUN pip install --no-cache-dir --upgrade pip \
 && pip install --no-cache-dir -c requirements.lock .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 chartshare && mkdir /data && chown chartshare /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CHARTSHARE_DATABASE_URL=sqlite:////data/chartshare.db
USER chartshare
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# Migrations are their own step: docker run IMAGE chartshare migrate
CMD ["chartshare", "serve", "--host", "0.0.0.0", "--port", "8000"]

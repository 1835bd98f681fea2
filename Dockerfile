# The published site as a container: Datasette serving the built database immutable, with
# its inspect file, exactly as `provenance serve` serves it (build/site/serve.py is the one place
# for its settings; tests/test_deploy.py runs this file's CMD and checks that).
#
#   make build                      # the image serves data/ as built here
#   docker build -t bukhari-provenance .
#   docker run -p 8001:8001 bukhari-provenance        # or PORT=... as Cloud Run sets it
#
# A new build is a new image: the database never changes inside one, so every replica is
# stateless and identical, and any cache in front may keep its pages (README: "Serving
# beyond one machine").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8001
WORKDIR /app

# The pinned runtime dependencies (no test tools), and the package whose serve.py holds the settings.
COPY pyproject.toml requirements.lock README.md ./
COPY build/ build/
RUN pip install --no-cache-dir -c requirements.lock -e .

COPY metadata.yml ./
COPY plugins/ plugins/
COPY templates/ templates/
COPY static/ static/
COPY data/ data/
# Write the inspect file (row counts, hash, size) now, so it is baked into the image and
# nothing is written when a replica starts; prints the serve command for the build log.
RUN python -m build inspect /app/data

USER nobody
EXPOSE 8001
CMD ["sh", "-c", "exec python -m build serve --data /app/data --host 0.0.0.0 --port \"$PORT\""]

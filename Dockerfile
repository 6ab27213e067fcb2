# The harness in a container: for emulator runs (see docker-compose.yml, docs/docker.md) and device farms.
# Two stages: `runtime` (the default, and what `demo` and `intercept` run) installs what running the
# harness needs; `test` (the compose `tests` service) adds the test extra and the tests' Debian
# packages (Chromium, tshark, Debian's adb...). scripts/setup.sh is the one list of packages: each
# stage installs once and removes apt's lists in the same layer.
FROM python:3.11-slim-bookworm AS runtime
WORKDIR /opt/harness
COPY . .
# setup.sh installs into the project virtual environment
RUN bash scripts/setup.sh --runtime && rm -rf /var/lib/apt/lists/*
ENV PATH=/opt/harness/.venv/bin:$PATH
# Captures and CA keys are evidence: keep them on a volume, private to the container user.
ENV HARNESS_HOME=/data/harness
VOLUME ["/data/harness"]
ENTRYPOINT ["harness"]
CMD ["--help"]

FROM runtime AS test
RUN bash scripts/setup.sh && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["make", "test"]
CMD []

# the default target (`docker build .`): the runtime image
FROM runtime

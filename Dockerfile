# The harness in a container: for emulator runs (see docker-compose.yml) and device farms.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      make openjdk-17-jdk-headless libokhttp-java curl nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/harness
COPY . .
RUN bash scripts/setup.sh
# setup.sh installs into the project virtual environment
ENV PATH=/opt/harness/.venv/bin:$PATH
# Captures and CA keys are evidence: keep them on a volume, private to the container user.
ENV HARNESS_HOME=/data/harness
VOLUME ["/data/harness"]
ENTRYPOINT ["harness"]
CMD ["--help"]

# The app with its embedded model; the same install steps as the README (scripts/setup.sh).
# llama.cpp is compiled for the CPU of the machine that builds the image; set
# LLAMA_CPU_VARIANT=avx2 (or generic) to build an image that runs on older CPUs.
FROM python:3.11-slim-bookworm

ARG LLAMA_CPU_VARIANT=auto
# BETTER_MODEL=1 also installs the 1.5B "better" built-in model (1.1 GB more).
ARG BETTER_MODEL=0
ENV VENV_DIR=/opt/venv \
    BETTER_MODEL=${BETTER_MODEL} \
    XDG_CACHE_HOME=/opt/cache \
    LLAMA_CPU_VARIANT=${LLAMA_CPU_VARIANT} \
    DATA_DIR=/data \
    HF_HUB_OFFLINE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
# setup.sh needs most of the app (the model's IQ4_NL copy, the embedding export, the hands-free
# bundle, the engine's smoke test), so the whole tree comes first.
COPY . .
RUN scripts/setup.sh

EXPOSE 8501
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
# Inside the container the app must listen on all interfaces; compose publishes it on 127.0.0.1 only.
CMD ["/opt/venv/bin/streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]

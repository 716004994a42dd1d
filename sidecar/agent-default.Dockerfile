# The agent image used when neither the bottle nor its provider supplies a recipe: the project's
# Debian base with the tools every agent session expects. Provider recipes start FROM ${BASE} too.
ARG BASE=bot-bottle/base:bookworm
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl git procps \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && useradd --create-home --uid 1000 --shell /bin/bash agent
USER agent
WORKDIR /home/agent
CMD ["/bin/bash"]

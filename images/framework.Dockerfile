# mlfcore/pytorch, mlfcore/tensorflow, mlfcore/xgboost: one pinned framework (and its bundled example) on
# mlfcore/base, in a cpu and a cuda variant of the same version. Every framework image is built from this one file:
# they differ only in what images/images.toml says (name, framework, version, example, lock), which
# mlfcore.scaffold.images.build passes as build arguments; three copies would have to be kept in step by hand. Built by `make image/<name>
# VARIANT=cpu|cuda`, which stages images/<name>/ (README, locks) with this file, the variant's lock as
# requirements.lock and wheelhouse/ (WHEELHOUSE=, or empty).
#
# The framework is installed in its own stage, FROM the OS image rather than FROM the base: the base's last layer
# holds mlfcore's code, and a stage built on it would reinstall the framework on every code change. Here a code
# change only repeats the COPY below (seconds); the install stays cached (docs/images.md has the measured times).

# The parent, by build argument (docker-stacks' convention); mlfcore.scaffold.images.build passes the table's full tag.
ARG BASE_IMAGE=mlfcore/base:0.1.0-python3.11-cpu
# The same OS image the base was built from (`make os-base`), for the install stage.
ARG OS_IMAGE=local/debian:bookworm

FROM ${OS_IMAGE} AS framework
# The commit's time (images/base/Dockerfile says why): pip's .pyc files are hash-checked, not stamped.
ARG SOURCE_DATE_EPOCH
# The same Debian packages as the base's first stage (images/base/debian.lock, installed exactly by
# images/apt_install.sh): the install needs only Debian's Python.
ARG MLF_DEBIAN_SHA256
RUN --mount=type=bind,source=apt,target=/tmp/apt \
    bash /tmp/apt/apt_install.sh /tmp/apt/debian.lock /tmp/apt/sources images/base/debian.lock
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip uninstall --yes --quiet setuptools
# Only what the base lacks (the lock is resolved under the base's pins, mlfcore.scaffold.images.lock), into a prefix
# that maps onto the base's venv; scripts get /opt/venv/bin/python3 as their interpreter, the path they will run at. The
# proxy's CA bundle is a BuildKit secret, mounted for this RUN only and never written to a layer. The lock's hash
# keys the layer cache (a bind mount's content does not).
ARG MLF_IMAGE_LOCK_HASH
RUN --mount=type=secret,id=ca \
    --mount=type=bind,source=requirements.lock,target=/tmp/requirements.lock \
    --mount=type=bind,source=wheelhouse,target=/tmp/wheelhouse \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && /opt/venv/bin/pip install --require-hashes --no-deps --only-binary=:all: --ignore-installed \
        --no-warn-script-location --prefix=/opt/framework --find-links /tmp/wheelhouse -r /tmp/requirements.lock

FROM ${BASE_IMAGE}
# Re-declared: an ARG before the first FROM is not visible inside a stage (it names the parent in a label below).
ARG BASE_IMAGE
# Owned by the image user, like the base's venv: a derived image installs packages without `USER root`.
COPY --chown=1000:1000 --from=framework /opt/framework/ /opt/venv/

# What this image is (entrypoint/variables.py), set by mlfcore.scaffold.images.build from images/images.toml.
ARG MLF_IMAGE_NAME
ARG MLF_IMAGE_TAG=unknown
ARG MLF_IMAGE_VARIANT=cpu
ARG MLF_IMAGE_LOCK_HASH=unknown
ARG MLF_VERSION=unknown
ARG MLF_SOURCE=https://github.com/mlfcore/mlfcore
ARG MLF_REVISION=unknown
# The bundled example `mlf train` runs when no project is mounted (python -m mlfcore.entrypoint.examples.<name>).
ARG MLF_IMAGE_EXAMPLE
# The framework as the table names it (torch, tensorflow, xgboost) and its pinned version, for the labels.
ARG MLF_FRAMEWORK
ARG MLF_FRAMEWORK_VERSION
# The same values under names the parent's environment lacks: buildah expands ENV MLF_IMAGE_NAME=${MLF_IMAGE_NAME}
# from the parent's ENV of that name before the ARG (measured: mlfcore/pytorch carried mlfcore/base's name, tag and
# lock hash, while its LABELs, expanded from the ARGs, were right).
ARG MLF_OWN_IMAGE_NAME
ARG MLF_OWN_IMAGE_TAG=unknown
ARG MLF_OWN_IMAGE_VARIANT=cpu
ARG MLF_OWN_IMAGE_LOCK_HASH=unknown
ENV MLF_IMAGE_NAME=${MLF_OWN_IMAGE_NAME} \
    MLF_IMAGE_TAG=${MLF_OWN_IMAGE_TAG} \
    MLF_IMAGE_VARIANT=${MLF_OWN_IMAGE_VARIANT} \
    MLF_IMAGE_LOCK_HASH=${MLF_OWN_IMAGE_LOCK_HASH} \
    MLF_IMAGE_EXAMPLE=${MLF_IMAGE_EXAMPLE}
LABEL org.opencontainers.image.title="${MLF_IMAGE_NAME}" \
      org.opencontainers.image.description="${MLF_FRAMEWORK} ${MLF_FRAMEWORK_VERSION} under the mlf determinism contract" \
      org.opencontainers.image.version="${MLF_VERSION}" \
      org.opencontainers.image.source="${MLF_SOURCE}" \
      org.opencontainers.image.revision="${MLF_REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${BASE_IMAGE}" \
      io.mlfcore.image.tag="${MLF_IMAGE_TAG}" \
      io.mlfcore.image.variant="${MLF_IMAGE_VARIANT}" \
      io.mlfcore.example="${MLF_IMAGE_EXAMPLE}" \
      io.mlfcore.framework="${MLF_FRAMEWORK}" \
      io.mlfcore.framework.version="${MLF_FRAMEWORK_VERSION}" \
      io.mlfcore.lock.sha256="${MLF_IMAGE_LOCK_HASH}"

# This image's own build manifest and constraints (the base's describe the base): last, to see every package.
USER 0:0
# The build inputs (JSON from mlfcore.scaffold.images.build: commit, its time, dirty, the locks' hashes, the
# snapshot time, the builder), recorded in the manifest for `mlf sysinfo` and `mlf reproduce`; a build argument, so
# an image built FROM this one does not inherit them as its own.
ARG MLF_IMAGE_BUILD
RUN python -m mlfcore.entrypoint.sysinfo.image write /opt/mlfcore
USER 1000:1000

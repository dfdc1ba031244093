#!/usr/bin/env bash
# Installs and starts what bosun's tests need on a Debian machine: a Docker engine, an etcd
# server, static busybox (to build test images without a registry), git (for the test git
# server), Chromium (the dashboard's browser tests), openssl and openssh-server (the TLS and ssh:// tests make their certificates and
# sshd with them) and GNU time (memory measurements). Safe to run again: it skips what is
# already there and running.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
ETCD_DIR=${BOSUN_ETCD_DIR:-/tmp/bosun-etcd}

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v etcd >/dev/null || need+=(etcd-server)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v git >/dev/null || need+=(git)
# the compose migration test starts a stack with Debian's docker-compose 1.29
command -v docker-compose >/dev/null || need+=(docker-compose)
[ -x /usr/bin/chromium ] || need+=(chromium) # the dashboard's browser tests (puppeteer-core drives it)
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl) # the TLS tests make their certificates with it
[ -x /usr/sbin/sshd ] || need+=(openssh-server) # a real sshd for ssh:// engines
command -v ip >/dev/null || need+=(iproute2) # the TLS engine's own bridge
command -v gpg >/dev/null || need+=(gnupg) # the signed-commit tests make an OpenPGP key
command -v ssh-keygen >/dev/null || need+=(openssh-client) # ... and an SSH signing key
[ -x /usr/bin/time ] || need+=(time) # GNU time: the peak RSS of the CLI in the big-blob test
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy) # bosun proxy renders and runs it
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

wait_for() { # what, command...
  local what=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$what did not come up" >&2; return 1
}

if ! docker version >/dev/null 2>&1; then
  echo "starting dockerd (log: /tmp/dockerd.log)"
  $SUDO sh -c 'nohup dockerd > /tmp/dockerd.log 2>&1 &'
  wait_for dockerd docker version || { tail -20 /tmp/dockerd.log >&2; exit 1; }
fi

if ! curl -fsS http://127.0.0.1:2379/health >/dev/null 2>&1; then
  echo "starting etcd on 127.0.0.1:2379 (data: $ETCD_DIR, log: /tmp/etcd.log)"
  mkdir -p "$ETCD_DIR"
  nohup etcd --name bosun-test --data-dir "$ETCD_DIR" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster bosun-test=http://127.0.0.1:2380 > /tmp/etcd.log 2>&1 &
  wait_for etcd curl -fsS http://127.0.0.1:2379/health || { tail -20 /tmp/etcd.log >&2; exit 1; }
fi
echo "services ready: $(docker version --format 'docker {{.Server.Version}}'), etcd $(curl -fsS http://127.0.0.1:2379/version)"

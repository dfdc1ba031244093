#!/usr/bin/env bash
# Three Docker "hosts" on one machine for the cluster tests: each is a network namespace with its
# own dockerd (own containerd, data-root, exec-root, socket) and one member of a 3-member etcd,
# joined into one Docker Swarm. The machine's main engine, docker0 and routes are never touched:
# the hosts are wired through a bridge inside a "switch" namespace (the main engine's
# bridge-nf-call-iptables and FORWARD DROP in the root namespace would drop frames between them),
# and the root namespace reaches them through one veth, so tests connect to 10.231.0.1N.
#
#   harness.sh up [--managers 1|3]   idempotent; prints the environment tests read
#   harness.sh down                  idempotent; removes everything it made
#   harness.sh kill-host N           a power cut: every process of host N dies at once, link down
#   harness.sh start-host N          the host comes back with its data (rejoins swarm and etcd)
#   harness.sh kill-etcd N / start-etcd N   only host N's etcd member
#   harness.sh env                   the environment of a running harness
set -euo pipefail

NET=10.231.0
ROOT_IP=$NET.1
STATE=${BSW_STATE:-/tmp/bsw}
DATA=${BSW_DATA:-/var/lib/bsw}
HOSTS=(1 2 3)
WAIT_S=${BSW_WAIT_S:-60}

log() { echo "harness: $*" >&2; }
die() { echo "harness: $*" >&2; exit 1; }
ip_of() { echo "$NET.1$1"; }
sock_of() { echo "$STATE/h$1/docker.sock"; }
dk() { local h=$1; shift; docker -H "unix://$(sock_of "$h")" "$@"; }
# cgroup v1 freezer (or v2 unified) path that holds every process of host N, for kill-host
cg_of() {
  if [[ -d /sys/fs/cgroup/freezer ]]; then echo "/sys/fs/cgroup/freezer/bsw-h$1"; else echo "/sys/fs/cgroup/bsw-h$1"; fi
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || die "timed out after ${limit}s waiting for $what"
    sleep 0.2
  done
}

need() {
  [[ $(id -u) == 0 ]] || die "must run as root (network namespaces, dockerd)"
  for c in ip nsenter unshare dockerd containerd etcd docker; do
    command -v "$c" >/dev/null || die "$c is missing: bash test/setup-services.sh"
  done
}

net_up() {
  ip netns list | grep -qw bsw-sw && return 0
  ip netns add bsw-sw
  ip -n bsw-sw link set lo up
  ip -n bsw-sw link add bswbr type bridge
  ip -n bsw-sw link set bswbr up
  for h in "${HOSTS[@]}"; do
    ip netns add "bsw-h$h"
    ip -n "bsw-h$h" link set lo up
    ip link add "bsw-h$h-e" type veth peer name "bsw-h$h-s"
    ip link set "bsw-h$h-e" netns "bsw-h$h"
    ip link set "bsw-h$h-s" netns bsw-sw
    ip -n "bsw-h$h" link set "bsw-h$h-e" name eth0
    ip -n "bsw-h$h" addr add "$(ip_of "$h")/24" dev eth0
    ip -n "bsw-h$h" link set eth0 up
    ip -n bsw-sw link set "bsw-h$h-s" master bswbr up
  done
  ip link add bsw-root type veth peer name bsw-root-s
  ip link set bsw-root-s netns bsw-sw
  ip -n bsw-sw link set bsw-root-s master bswbr up
  ip addr add "$ROOT_IP/24" dev bsw-root
  ip link set bsw-root up
}

net_down() {
  ip link del bsw-root 2>/dev/null || true
  for n in bsw-h1 bsw-h2 bsw-h3 bsw-sw; do ip netns del "$n" 2>/dev/null || true; done
}

# Runs a command as one process tree of host N: its network namespace, a private mount and UTS
# namespace (fresh sysfs so dockerd sees the namespace's links, private /run/docker and
# /run/containerd so it starts its own containerd), and host N's cgroup so kill-host finds it.
in_host() {
  local h=$1 out=$2; shift 2
  local cg; cg=$(cg_of "$h")
  mkdir -p "$cg" "$STATE/h$h/cg"
  nsenter --net="/run/netns/bsw-h$h" -- unshare --mount --uts --propagation slave -- \
    sh -c 'h=$1 cg=$2 st=$3; shift 3
      echo $$ > "$cg/cgroup.procs"
      hostname "bsw-h$h"
      mount --rbind /sys/fs/cgroup "$st/cg"
      mount -t sysfs sysfs /sys
      mount --rbind "$st/cg" /sys/fs/cgroup
      mount -t tmpfs tmpfs /run/containerd 2>/dev/null || { mkdir -p /run/containerd && mount -t tmpfs tmpfs /run/containerd; }
      mount -t tmpfs tmpfs /run/docker 2>/dev/null || { mkdir -p /run/docker && mount -t tmpfs tmpfs /run/docker; }
      exec "$@"' sh "$h" "$cg" "$STATE/h$h" "$@" >"$out" 2>&1 &
}

dockerd_up() {
  local h=$1 dir="$STATE/h$h"
  dk "$h" info >/dev/null 2>&1 && return 0
  mkdir -p "$dir" "$DATA/h$h"
  echo '{}' >"$dir/daemon.json"
  rm -f "$(sock_of "$h")"
  in_host "$h" "$dir/dockerd.log" env DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 dockerd \
    --config-file "$dir/daemon.json" -H "unix://$(sock_of "$h")" \
    --data-root "$DATA/h$h" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    --cgroup-parent "bsw-h$h" --exec-opt native.cgroupdriver=cgroupfs \
    --bip "10.23$((1 + h)).1.1/24" --default-address-pool "base=10.24$h.0.0/16,size=24"
}

etcd_up() {
  local h=$1 ip; ip=$(ip_of "$h")
  curl -s -m 1 "http://$ip:2379/health" >/dev/null 2>&1 && return 0
  local cluster="" state=new
  for m in "${HOSTS[@]}"; do cluster+="${cluster:+,}bsw-e$m=http://$(ip_of "$m"):2380"; done
  [[ -d $DATA/etcd-h$h/member ]] && state=existing
  in_host "$h" "$STATE/h$h/etcd.log" etcd --name "bsw-e$h" --data-dir "$DATA/etcd-h$h" \
    --listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" \
    --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
    --initial-cluster "$cluster" --initial-cluster-state "$state" --initial-cluster-token bsw \
    --heartbeat-interval 100 --election-timeout 1000
}

swarm_state() { dk "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }

swarm_up() {
  local managers=$1 ip1; ip1=$(ip_of 1)
  if [[ $(swarm_state 1) != active ]]; then
    dk 1 swarm init --advertise-addr "$ip1" --listen-addr "$ip1:2377" \
      --dispatcher-heartbeat 1s --default-addr-pool 10.250.0.0/16 >/dev/null
  fi
  local role
  for h in 2 3; do
    [[ $(swarm_state "$h") == active ]] && continue
    role=worker; ((h <= managers)) && role=manager
    dk "$h" swarm join --token "$(dk 1 swarm join-token -q "$role")" \
      --advertise-addr "$(ip_of "$h")" --listen-addr "$(ip_of "$h"):2377" "$ip1:2377" >/dev/null
  done
  wait_for "$WAIT_S" "3 ready swarm nodes" nodes_ready 3
}

nodes_ready() { [[ $(dk 1 node ls --format '{{.Status}}' | grep -c Ready) -ge $1 ]]; }

# Every image of the main engine named in BSW_IMAGES is loaded on each host (no registry here).
images_up() {
  local images=${BSW_IMAGES:-}
  [[ -z $images ]] && return 0
  local tar="$STATE/images.tar"
  # shellcheck disable=SC2086
  docker save -o "$tar" $images
  for h in "${HOSTS[@]}"; do dk "$h" load -q -i "$tar" >/dev/null; done
  rm -f "$tar"
}

print_env() {
  local hosts="" etcd=""
  for h in "${HOSTS[@]}"; do
    hosts+="${hosts:+,}unix://$(sock_of "$h")"
    etcd+="${etcd:+,}$(ip_of "$h"):2379"
  done
  echo "BSW_DOCKER_HOSTS=$hosts"
  echo "BSW_MANAGER=unix://$(sock_of 1)"
  echo "BSW_ETCD=etcd://$etcd"
  echo "BSW_HOST_IPS=$(ip_of 1),$(ip_of 2),$(ip_of 3)"
}

up() {
  local managers=1
  [[ ${1:-} == --managers ]] && managers=$2
  [[ $managers == 1 || $managers == 3 ]] || die "--managers takes 1 or 3"
  need
  mkdir -p "$STATE" "$DATA"
  net_up
  for h in "${HOSTS[@]}"; do etcd_up "$h"; dockerd_up "$h"; done
  for h in "${HOSTS[@]}"; do
    wait_for "$WAIT_S" "dockerd of host $h (log: $STATE/h$h/dockerd.log)" dk "$h" info
  done
  wait_for "$WAIT_S" "the etcd cluster (logs: $STATE/h*/etcd.log)" curl -sf -m 1 "http://$(ip_of 1):2379/health"
  swarm_up "$managers"
  images_up
  print_env
}

kill_cg() { # SIGKILL every process of a host at once: frozen first so nothing forks or restarts
  local cg; cg=$(cg_of "$1")
  [[ -d $cg ]] || return 0
  [[ -f $cg/freezer.state ]] && echo FROZEN >"$cg/freezer.state"
  find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  [[ -f $cg/freezer.state ]] && echo THAWED >"$cg/freezer.state"
  local end=$((SECONDS + 10))
  while [[ -n $(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null) ]]; do
    ((SECONDS < end)) || die "processes of host $1 survived SIGKILL"
    sleep 0.1
  done
}

kill_host() {
  local h=$1
  kill_cg "$h"
  ip -n "bsw-h$h" link set eth0 down 2>/dev/null || true
}

start_host() {
  local h=$1
  ip -n "bsw-h$h" link set eth0 up
  etcd_up "$h"
  dockerd_up "$h"
  wait_for "$WAIT_S" "dockerd of host $h" dk "$h" info
}

rm_cgroups() { # empty cgroups of a host, deepest first, in every v1 hierarchy
  local base
  for base in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [[ -d ${base}bsw-h$1 ]] || continue
    find "${base}bsw-h$1" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

down() {
  for h in "${HOSTS[@]}"; do kill_cg "$h"; done
  net_down
  for h in "${HOSTS[@]}"; do rm_cgroups "$h"; done
  rm -rf "$STATE" "$DATA"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  kill-host) kill_host "${2:?host number}" ;;
  start-host) start_host "${2:?host number}" ;;
  kill-etcd) pkill -9 -f "etcd --name bsw-e${2:?host number} " || true ;;
  start-etcd) etcd_up "${2:?host number}" ;;
  env) print_env ;;
  *) die "usage: harness.sh up [--managers 1|3] | down | kill-host N | start-host N | kill-etcd N | start-etcd N | env" ;;
esac

#!/usr/bin/env bash
# Builds small local images from Debian's static busybox, because no registry may be reachable.
# Usage: examples/build-image.sh [NAME:TAG ...]   (default: bosun-demo/busybox:1 and :2)
# Each tag gets a different /VERSION file, so tags are distinct images ("versions").
set -euo pipefail
tags=("$@")
[ ${#tags[@]} -gt 0 ] || tags=(bosun-demo/busybox:1 bosun-demo/busybox:2)
busybox=$(command -v busybox || true)
[ -x /bin/busybox ] && busybox=/bin/busybox
if [ -z "$busybox" ]; then
  echo "busybox not found: install it with 'apt-get install -y busybox-static'" >&2; exit 1
fi
for tag in "${tags[@]}"; do
  if docker image inspect "$tag" >/dev/null 2>&1; then continue; fi
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/www" "$root/etc"
  cp "$busybox" "$root/bin/busybox"
  for app in sh ash httpd sleep echo cat wget nc ls env true false kill ps grep test mkdir rm; do
    ln -s busybox "$root/bin/$app"
  done
  echo "$tag" > "$root/VERSION"
  echo "ok $tag" > "$root/www/index.html"
  echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$tag" >/dev/null
  rm -rf "$root"
  echo "built image $tag"
done

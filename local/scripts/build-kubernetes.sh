#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from Debian's `kubernetes`
# source package (which ships its vendor tree, so no module download is needed) and caches the binaries
# under $1 (a directory keyed by version). Idempotent: returns at once when the binaries are there.
set -euo pipefail

out=${1:?usage: build-kubernetes.sh <output-dir>}
bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

have_all() { for b in "${bins[@]}"; do [ -x "$out/$b" ] || return 1; done; }
if have_all; then exit 0; fi

if [ "$(id -u)" != 0 ]; then
  echo "kzero: building Kubernetes needs root (apt-get install, apt-get source); run as root" >&2
  exit 1
fi

step() { echo "==> $*"; }

src_list=/etc/apt/sources.list.d/kzero-deb-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  step "enabling Debian source packages ($src_list)"
  . /etc/os-release
  cat >"$src_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: ${VERSION_CODENAME} ${VERSION_CODENAME}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

step "installing build dependencies (golang-go, rsync, dpkg-dev, reflect2 1.0.2 source)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends golang-go rsync dpkg-dev make golang-github-modern-go-reflect2-dev >/dev/null

work="$out.build"
[ -d "$work" ] && chmod -R u+w "$work" && rm -rf "$work"
mkdir -p "$work"
cd "$work"
step "downloading Debian's kubernetes source package into $work"
apt-get source -qq --download-only kubernetes >/dev/null
dpkg-source -x "$(ls kubernetes_*.dsc | head -n1)" src >/dev/null
cd src

# Kubernetes 1.20 vendors modern-go/reflect2 1.0.1, whose map iteration corrupts memory under Go >= 1.18
# (kube-apiserver dies with "fatal error: fault" in mapiterinit the first time it encodes a custom
# resource). 1.0.2 fixed it without changing its API; Debian ships its source.
step "replacing vendored modern-go/reflect2 1.0.1 with Debian's 1.0.2 (Go 1.19 compatibility)"
rsync -a --delete --exclude '*_test.go' /usr/share/gocode/src/github.com/modern-go/reflect2/ vendor/github.com/modern-go/reflect2/

step "compiling ${bins[*]} (about 8-10 minutes on 2 cores, once)"
# As Debian's own debian/rules does: a GOPATH that contains the tree as k8s.io/kubernetes, no cgo.
mkdir -p .go/src/k8s.io
ln -sfn ../../.. .go/src/k8s.io/kubernetes
export GOPATH="$PWD/.go" GOCACHE="$(dirname "$out")/go-build-cache" CGO_ENABLED=0 HOME="$work"
# KUBE_GIT_VERSION stamps `version` output (the tarball has no .git to read it from).
version=$(dpkg-parsechangelog -S Version | sed -E 's/.*really//; s/-.*//')
export KUBE_GIT_VERSION="v$version" KUBE_GIT_TREE_STATE=clean KUBE_GIT_COMMIT=debian
make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubectl" 2>&1 | sed 's/^/    /'

mkdir -p "$out"
for b in "${bins[@]}"; do install -m 0755 "_output/bin/$b" "$out/$b"; done
cd /
chmod -R u+w "$work" && rm -rf "$work"
step "cached Kubernetes v$version binaries in $out"

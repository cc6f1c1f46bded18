#!/usr/bin/env bash
# The benchmark and differential peer: kube-apiserver v1.35.0 and etcd 3.6, built and cached by
# compose/kube/build.sh (which also builds the controller manager, scheduler and kwok).
#   bash bench/peer/build.sh [kube-apiserver|etcd]...   # default: both
exec bash "$(dirname "$0")/../../compose/kube/build.sh" "$@"

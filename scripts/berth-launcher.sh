#!/bin/sh
# The berth CLI: bin/berth, copied from scripts/berth-launcher.sh by scripts/bundle-cli.mjs (see there
# for why it starts this way).
if [ -n "${NODE_EXTRA_CA_CERTS+x}" ]; then
  BERTH_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export BERTH_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi

# `berth ps` without node: node's start-up alone costs more than the whole command should. When the
# command line is one this function fully understands (global -H, then `ps` or `container ls|list|ps`
# with -a -q -s -l -n -f --no-trunc --format), the daemon is a local unix socket and curl is
# installed, the daemon renders the output (GET /berth/cli/ps: the same code as the node CLI's, in
# src/format/ps-table.ts) and curl prints it. It returns non-zero, having printed nothing, for
# anything else, and for any answer but 200 (an older daemon's 404, a bad filter or template, no
# daemon): the node CLI then runs and behaves as it always does, error messages included. Its variables
# are prefixed (sh has no locals) so that none of them changes a variable the node CLI inherits.
fast_ps() {
  bps_host=${DOCKER_HOST-}
  bps_hosts=0
  bps_command=
  while [ $# -gt 0 ] && [ -z "$bps_command" ]; do
    case $1 in
      -H|--host) [ $# -ge 2 ] || return 1; bps_host=$2; bps_hosts=$((bps_hosts + 1)); shift 2 ;;
      --host=*) bps_host=${1#--host=}; bps_hosts=$((bps_hosts + 1)); shift ;;
      ps) bps_command=ps; shift ;;
      container)
        case ${2-} in ls|list|ps) bps_command=ps; shift 2 ;; *) return 1 ;; esac ;;
      *) return 1 ;;
    esac
  done
  [ "$bps_command" = ps ] && [ "$bps_hosts" -le 1 ] || return 1
  # The endpoint, resolved as src/client/endpoint.ts does, or give up: -H, else DOCKER_HOST, else the
  # context (DOCKER_CONTEXT, then currentContext in the docker config), else the default socket.
  if [ "$bps_hosts" = 0 ] && [ -z "$bps_host" ]; then
    case ${DOCKER_CONTEXT-} in ''|default) ;; *) return 1 ;; esac
    [ -n "${DOCKER_CONFIG-}${HOME-}" ] || return 1
    bps_config=${DOCKER_CONFIG:-$HOME/.docker}/config.json
    if [ -e "$bps_config" ]; then
      grep -q currentContext "$bps_config" 2>/dev/null
      [ $? = 1 ] || return 1
    fi
    bps_host=unix:///run/berth/berth.sock
  fi
  case $bps_host in unix://?*) ;; *) return 1 ;; esac
  case $bps_host in *[[:space:]]*) return 1 ;; esac
  bps_socket=${bps_host#unix://}
  case $bps_socket in /*) ;; *) bps_socket=/$bps_socket ;; esac
  [ -z "${DOCKER_TLS_VERIFY-}" ] && [ -z "${DOCKER_API_VERSION-}" ] || return 1
  command -v curl >/dev/null 2>&1 || return 1

  # ps's flags, as commander parses them, become query parameters; the arguments already read are
  # shifted off the front while curl's arguments are appended at the back.
  bps_all= bps_latest= bps_notrunc= bps_quiet= bps_size= bps_format= bps_hasformat= bps_last=
  bps_n=$#
  while [ "$bps_n" -gt 0 ]; do
    bps_arg=$1
    shift
    bps_n=$((bps_n - 1))
    bps_value=
    case $bps_arg in
      -a|--all) bps_all=1 ;;
      -l|--latest) bps_latest=1 ;;
      -q|--quiet) bps_quiet=1 ;;
      -s|--size) bps_size=1 ;;
      --no-trunc) bps_notrunc=1 ;;
      -[alqs]*)
        bps_cluster=${bps_arg#-}
        while [ -n "$bps_cluster" ]; do
          case $bps_cluster in
            a*) bps_all=1 ;; l*) bps_latest=1 ;; q*) bps_quiet=1 ;; s*) bps_size=1 ;;
            *) return 1 ;;
          esac
          bps_cluster=${bps_cluster#?}
        done ;;
      -n|--last|-f|--filter|--format)
        [ "$bps_n" -gt 0 ] || return 1
        bps_value=$1
        shift
        bps_n=$((bps_n - 1)) ;;
      -n?*) bps_value=${bps_arg#-n} bps_arg=-n ;;
      -f?*) bps_value=${bps_arg#-f} bps_arg=-f ;;
      --last=*) bps_value=${bps_arg#--last=} bps_arg=--last ;;
      --filter=*) bps_value=${bps_arg#--filter=} bps_arg=--filter ;;
      --format=*) bps_value=${bps_arg#--format=} bps_arg=--format ;;
      *) return 1 ;;
    esac
    case $bps_arg in
      -n|--last)
        case $bps_value in ''|[-+]|*[!0-9+-]*|?*[-+]*) return 1 ;; esac
        bps_last=$bps_value ;;
      -f|--filter) set -- "$@" --data-urlencode "filter=$bps_value" ;;
      --format) bps_format=$bps_value bps_hasformat=1 ;;
    esac
  done
  [ -z "$bps_all" ] || set -- "$@" --data-urlencode all=1
  [ -z "$bps_latest" ] || set -- "$@" --data-urlencode latest=1
  [ -z "$bps_quiet" ] || set -- "$@" --data-urlencode quiet=1
  [ -z "$bps_size" ] || set -- "$@" --data-urlencode size=1
  [ -z "$bps_notrunc" ] || set -- "$@" --data-urlencode no-trunc=1
  [ -z "$bps_last" ] || set -- "$@" --data-urlencode "last=$bps_last"
  [ -z "$bps_hasformat" ] || set -- "$@" --data-urlencode "format=$bps_format"
  # The daemon renders local times only in the same time zone as ours.
  [ -z "${TZ+x}" ] || set -- "$@" --data-urlencode "tz=$TZ"

  # The body goes to our stdout (fd 3 in the group), and curl's write-out (how many bytes of body it
  # received) to its stderr, which is captured: a failure before any body falls back to the node CLI.
  {
    bps_received=$(curl -q -sG --fail --noproxy '*' --unix-socket "$bps_socket" -w '%{stderr}%{size_download}' "$@" http://berth/berth/cli/ps 2>&1 >&3)
    bps_status=$?
  } 3>&1
  [ "$bps_status" = 0 ] && exit 0
  [ "$bps_received" = 0 ] && return 1
  # Output stopped half-way: a reader that went away (`berth ps | head -1`) ends quietly as in the node
  # CLI, a daemon that went away is an error.
  case $bps_status in 23|141) exit 0 ;; esac
  echo "error during connect: the daemon's answer on $bps_socket broke off (curl: exit $bps_status)" >&2
  exit 1
}
fast_ps "$@"

self=$0
if [ -L "$self" ]; then self=$(readlink -f "$self"); fi
exec node "${self%/*}/berth.js" "$@"

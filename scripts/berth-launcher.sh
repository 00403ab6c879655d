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
# daemon): the node CLI then runs and behaves as it always does, error messages included.
fast_ps() {
  host=${DOCKER_HOST-}
  hosts=0
  command=
  while [ $# -gt 0 ] && [ -z "$command" ]; do
    case $1 in
      -H|--host) [ $# -ge 2 ] || return 1; host=$2; hosts=$((hosts + 1)); shift 2 ;;
      --host=*) host=${1#--host=}; hosts=$((hosts + 1)); shift ;;
      ps) command=ps; shift ;;
      container)
        case ${2-} in ls|list|ps) command=ps; shift 2 ;; *) return 1 ;; esac ;;
      *) return 1 ;;
    esac
  done
  [ "$command" = ps ] && [ "$hosts" -le 1 ] || return 1
  # The endpoint, resolved as src/client/endpoint.ts does, or give up: -H, else DOCKER_HOST, else the
  # context (DOCKER_CONTEXT, then currentContext in the docker config), else the default socket.
  if [ "$hosts" = 0 ] && [ -z "$host" ]; then
    case ${DOCKER_CONTEXT-} in ''|default) ;; *) return 1 ;; esac
    [ -n "${DOCKER_CONFIG-}${HOME-}" ] || return 1
    config=${DOCKER_CONFIG:-$HOME/.docker}/config.json
    if [ -e "$config" ]; then
      grep -q currentContext "$config" 2>/dev/null
      [ $? = 1 ] || return 1
    fi
    host=unix:///run/berth/berth.sock
  fi
  case $host in unix://?*) ;; *) return 1 ;; esac
  case $host in *[[:space:]]*) return 1 ;; esac
  socket=${host#unix://}
  case $socket in /*) ;; *) socket=/$socket ;; esac
  [ -z "${DOCKER_TLS_VERIFY-}" ] && [ -z "${DOCKER_API_VERSION-}" ] || return 1
  command -v curl >/dev/null 2>&1 || return 1

  # ps's flags, as commander parses them, become query parameters; the arguments already read are
  # shifted off the front while curl's arguments are appended at the back.
  all= latest= notrunc= quiet= size= format= hasformat= last=
  n=$#
  while [ "$n" -gt 0 ]; do
    arg=$1
    shift
    n=$((n - 1))
    value=
    case $arg in
      -a|--all) all=1 ;;
      -l|--latest) latest=1 ;;
      -q|--quiet) quiet=1 ;;
      -s|--size) size=1 ;;
      --no-trunc) notrunc=1 ;;
      -[alqs]*)
        cluster=${arg#-}
        while [ -n "$cluster" ]; do
          case $cluster in
            a*) all=1 ;; l*) latest=1 ;; q*) quiet=1 ;; s*) size=1 ;;
            *) return 1 ;;
          esac
          cluster=${cluster#?}
        done ;;
      -n|--last|-f|--filter|--format)
        [ "$n" -gt 0 ] || return 1
        value=$1
        shift
        n=$((n - 1)) ;;
      -n?*) value=${arg#-n} arg=-n ;;
      -f?*) value=${arg#-f} arg=-f ;;
      --last=*) value=${arg#--last=} arg=--last ;;
      --filter=*) value=${arg#--filter=} arg=--filter ;;
      --format=*) value=${arg#--format=} arg=--format ;;
      *) return 1 ;;
    esac
    case $arg in
      -n|--last)
        case $value in ''|[-+]|*[!0-9+-]*|?*[-+]*) return 1 ;; esac
        last=$value ;;
      -f|--filter) set -- "$@" --data-urlencode "filter=$value" ;;
      --format) format=$value hasformat=1 ;;
    esac
  done
  for flag in all latest quiet size; do
    eval "[ -z \"\$$flag\" ] || set -- \"\$@\" --data-urlencode $flag=1"
  done
  [ -z "$notrunc" ] || set -- "$@" --data-urlencode no-trunc=1
  [ -z "$last" ] || set -- "$@" --data-urlencode "last=$last"
  [ -z "$hasformat" ] || set -- "$@" --data-urlencode "format=$format"
  # The daemon renders local times only in the same time zone as ours.
  [ -z "${TZ+x}" ] || set -- "$@" --data-urlencode "tz=$TZ"

  # The body goes to our stdout (fd 3 in the group), and curl's write-out (how many bytes of body it
  # received) to its stderr, which is captured: a failure before any body falls back to the node CLI.
  {
    received=$(curl -q -sG --fail --noproxy '*' --unix-socket "$socket" -w '%{stderr}%{size_download}' "$@" http://berth/berth/cli/ps 2>&1 >&3)
    status=$?
  } 3>&1
  [ "$status" = 0 ] && exit 0
  [ "$received" = 0 ] && return 1
  # Output stopped half-way: a reader that went away (`berth ps | head -1`) ends quietly as in the node
  # CLI, a daemon that went away is an error.
  case $status in 23|141) exit 0 ;; esac
  echo "error during connect: the daemon's answer on $socket broke off (curl: exit $status)" >&2
  exit 1
}
fast_ps "$@"

self=$0
if [ -L "$self" ]; then self=$(readlink -f "$self"); fi
exec node "${self%/*}/berth.js" "$@"

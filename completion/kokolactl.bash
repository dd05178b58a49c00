# bash completion for kokolactl: commands, entities, each command's options, and the PO
# numbers ready to send (asked of the daemon with `kokolactl list po --ready`).
# Installed as /usr/share/bash-completion/completions/kokolactl.

# The keys of `kokolactl list ENTITY --ready`, one per line: each line reads "KEY - LABEL".
_kokolactl_ready_keys() {
  "$@" --timeout 2 list po --ready 2>/dev/null |
    awk '{ i = index($0, " - "); print (i ? substr($0, 1, i - 1) : $0) }'
}

_kokolactl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local commands="push list show sync status audit jobs job retry pause resume reload"
  local global_opts="--socket --json --timeout --help --version"
  local ctl=("${COMP_WORDS[0]}") cmd="" entity="" i w
  COMPREPLY=()

  # Find the command and its entity; keep --socket so the daemon asked is the right one.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    case $w in
      --socket) ctl+=(--socket "${COMP_WORDS[i + 1]}"); ((i++)) ;;
      --socket=*) ctl+=("$w") ;;
      --timeout | --reason | --search | --limit | --since | --user | --state | --entity) ((i++)) ;;
      -*) ;;
      *)
        if [[ -z $cmd ]]; then
          cmd=$w
        elif [[ -z $entity ]]; then
          entity=$w
        fi
        ;;
    esac
  done

  case $prev in
    --socket) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --user) mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return ;;
    --entity) mapfile -t COMPREPLY < <(compgen -W "po item vendor" -- "$cur"); return ;;
    --state)
      local states="queued sending retry_wait in_doubt delivered unchanged not_ready invalid"
      states+=" rejected failed superseded active finished"
      mapfile -t COMPREPLY < <(compgen -W "$states" -- "$cur")
      return
      ;;
    --timeout | --reason | --search | --limit | --since) return ;;
  esac

  local opts=""
  case $cmd in
    push) opts="--force --dry-run --reason --wait" ;;
    sync) opts="--wait" ;;
    jobs) opts="--state --entity --limit" ;;
    retry) opts="--failed --reason --wait" ;;
    list) opts="--ready --search --limit" ;;
    audit) opts="--since --user --limit" ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts $global_opts" -- "$cur")
    return
  fi

  case $cmd in
    "") mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur") ;;
    sync | pause | resume) [[ -z $entity ]] && mapfile -t COMPREPLY < <(compgen -W "po item vendor all" -- "$cur") ;;
    push | list | show)
      if [[ -z $entity ]]; then
        mapfile -t COMPREPLY < <(compgen -W "po item vendor" -- "$cur")
      elif [[ $cmd != list && $entity =~ ^(po|purchase-order|purchase_order)$ ]]; then
        local key
        while IFS= read -r key; do
          [[ -n $key && $key == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$key")")
        done < <(_kokolactl_ready_keys "${ctl[@]}")
      fi
      ;;
  esac
}

complete -F _kokolactl kokolactl

# Drive a running ksim from a bash script through one pipelined `ksim ctl -` connection.
# Source it, then:  ctl_open DIR;  ctl spawn --comm job || echo "$CTL_REPLY";  pid=$(ctl_field pid);  ctl_close
ctl_open() { coproc CTL { "$(dirname "${BASH_SOURCE[0]}")/ksim" ctl --dir "$1" -; }; }
ctl() { # ctl CMD ARGS...: sends one command; its answer is in CTL_REPLY; status 0 if it was ok
  printf '%s\n' "$*" >&"${CTL[1]}"
  IFS= read -r CTL_REPLY <&"${CTL[0]}" || { CTL_REPLY="err EPIPE the ctl connection ended"; return 2; }
  [[ $CTL_REPLY == ok* ]]
}
ctl_field() { local w; for w in $CTL_REPLY; do [[ $w == "$1="* ]] && { echo "${w#*=}"; return 0; }; done; return 1; }
ctl_close() { local pid=$CTL_PID; eval "exec ${CTL[1]}>&-"; wait "$pid"; }

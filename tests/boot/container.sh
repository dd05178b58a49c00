# Boots a Debian rootfs with systemd-nspawn and runs commands inside it; sourced by
# tests/boot/boot_test.sh. The recipe (docs/operations.md, "How the package is tested"):
# its own cgroup per container, --volatile=overlay so the cached rootfs stays pristine,
# --private-network, --register=no and --keep-unit because the host's PID 1 is not
# systemd, and nsenter (not machinectl) to reach the container's systemd.

# container_boot ROOTFS NAME LOG [nspawn options...]: sets CONTAINER_PID (nspawn) and
# CONTAINER_INIT (the container's systemd).
container_boot() {
  local rootfs=$1 name=$2 log=$3
  shift 3
  CONTAINER_CGROUP=kokola-boot-$name
  local hierarchy
  for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
    [ -d "$hierarchy" ] && mkdir -p "$hierarchy/$CONTAINER_CGROUP"
  done
  (
    for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
      [ -d "$hierarchy/$CONTAINER_CGROUP" ] && echo "$BASHPID" >"$hierarchy/$CONTAINER_CGROUP/cgroup.procs"
    done
    exec systemd-nspawn -q -D "$rootfs" -M "$name" --boot --register=no --keep-unit \
      --console=pipe --volatile=overlay --private-network "$@" </dev/null
  ) >"$log" 2>&1 &
  CONTAINER_PID=$!

  # The container's systemd is nspawn's child; read it again on every try, since for a
  # moment after the start the child is nspawn's own helper.
  local i state=
  for i in $(seq 300); do
    CONTAINER_INIT=$(awk '{print $1}' "/proc/$CONTAINER_PID/task/$CONTAINER_PID/children" 2>/dev/null)
    if [ -n "$CONTAINER_INIT" ]; then
      state=$(in_container systemctl is-system-running 2>/dev/null || true)
      case $state in running | degraded) return 0 ;; esac
    fi
    kill -0 "$CONTAINER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "container did not boot (state '$state')" >&2
  cat "$log" >&2
  return 1
}

# in_container CMD...: runs CMD inside the container as root, with a clean environment.
in_container() {
  nsenter -t "$CONTAINER_INIT" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 "$@"
}

# as_user USER CMD...: runs CMD inside the container as USER (with USER's groups).
as_user() {
  local user=$1
  shift
  in_container runuser -u "$user" -- "$@"
}

container_stop() {
  [ -n "${CONTAINER_PID:-}" ] || return 0
  kill -TERM "$CONTAINER_PID" 2>/dev/null || true
  local i
  for i in $(seq 100); do
    kill -0 "$CONTAINER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$CONTAINER_PID" 2>/dev/null || true
  wait "$CONTAINER_PID" 2>/dev/null || true
  local hierarchy
  for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
    [ -d "$hierarchy/$CONTAINER_CGROUP" ] &&
      find "$hierarchy/$CONTAINER_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  CONTAINER_PID=
  return 0
}

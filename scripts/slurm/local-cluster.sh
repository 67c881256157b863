#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, bound to the loopback address,
# for testing the job-array scripts in deploy/slurm without a real cluster.
#
# Usage:
#   scripts/slurm/local-cluster.sh install     install slurm-wlm and munge (Debian)
#   scripts/slurm/local-cluster.sh start DIR   write the configuration into DIR, start
#                                              munged, slurmctld and slurmd, wait until
#                                              the node is idle
#   scripts/slurm/local-cluster.sh stop DIR    stop the daemons that `start DIR` started
#
# After `start`, clients find the cluster through DIR/environment:
#   source DIR/environment && sinfo
#
# Everything the cluster writes (configuration, munge key and socket, state,
# spool, logs, PID files) stays under DIR. The daemons run in the foreground
# as background children of this script, and `stop` ends exactly the process
# ids recorded in DIR/pids, so it never touches another Slurm on the machine.
# This needs no systemd and no cgroups (proctrack/linuxproc, task/none), and
# it runs as root because slurmd must start job steps as the submitting user.
set -euo pipefail

# How long `start` waits for each daemon, and for the node to become idle.
readonly startup_timeout_seconds=60

fail() {
    echo "error: $*" >&2
    exit 1
}

# Installs the Debian packages when any is missing. The cluster never uses
# the packaged services: where an init system starts them on install, they
# keep their own socket, key and ports, apart from this cluster's.
install_packages() {
    local packages=(slurm-wlm munge)
    local missing=()
    local package
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi

    echo "installing Debian packages: ${missing[*]}" >&2
    local sudo_command=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo_command=(sudo)
    fi
    "${sudo_command[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_command[@]}" \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Prints the first TCP port from $1 upwards that nothing listens on at 127.0.0.1.
free_port() {
    local port=$1
    while (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
        port=$((port + 1))
    done
    echo "$port"
}

# Waits until the command "$@" succeeds, or fails after the startup timeout
# with the message in $description and the log file in $log.
wait_for() {
    local description=$1 log=$2
    shift 2
    local deadline=$((SECONDS + startup_timeout_seconds))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "error: $description timed out after ${startup_timeout_seconds} s; last lines of '$log':" >&2
            tail -n 20 "$log" >&2 || true
            return 1
        fi
        sleep 0.5
    done
}

node_is_idle() {
    [ "$(sinfo --noheader --nodes=localhost --format=%T 2>/dev/null)" = "idle" ]
}

# Starts a daemon in the foreground as a background child and records its
# process id under the daemon's name in DIR/pids.
start_daemon() {
    local name=$1 log=$2
    shift 2
    "$@" >>"$log" 2>&1 &
    echo "$name $!" >>"$cluster_dir/pids"
}

start_cluster() {
    cluster_dir=$(realpath -m "$1")
    if [ -s "$cluster_dir/pids" ]; then
        fail "cluster folder '$cluster_dir' already has running daemons; run '$0 stop $cluster_dir' first"
    fi
    for command in munged mungekey slurmctld slurmd sinfo; do
        command -v "$command" >/dev/null || fail "'$command' not found; run '$0 install' first"
    done
    if [ "$(id -u)" -ne 0 ]; then
        fail "user '$(id -un)' cannot start slurmd, which must run as root; run as root"
    fi

    # Folders: munged rejects a socket folder that others can write to, or
    # that clients cannot search: every folder above the socket needs
    # execute permission for all.
    mkdir -p "$cluster_dir"/{munge,state,spool,log}
    chmod 0755 "$cluster_dir" "$cluster_dir/munge"
    local ancestor=$cluster_dir
    while [ "$ancestor" != / ]; do
        ancestor=$(dirname "$ancestor")
        if [ "$(stat -c %A "$ancestor" | cut -c 10)" != x ] && [ "$(stat -c %A "$ancestor" | cut -c 10)" != t ]; then
            fail "folder '$ancestor' lacks execute permission for all users, which munged needs above its socket; chmod o+x it or choose another cluster folder"
        fi
    done
    : >"$cluster_dir/pids"

    # Munge: a fresh key and a private socket, so this cluster shares nothing
    # with a munged that may already run on the machine.
    local munge_socket="$cluster_dir/munge/munge.socket"
    mungekey --create --force --keyfile="$cluster_dir/munge/munge.key"
    start_daemon munged "$cluster_dir/log/munged.log" \
        munged --foreground \
        --socket="$munge_socket" \
        --key-file="$cluster_dir/munge/munge.key" \
        --pid-file="$cluster_dir/munge/munged.pid" \
        --seed-file="$cluster_dir/munge/munged.seed" \
        --log-file="$cluster_dir/log/munged.log"
    wait_for "munged start" "$cluster_dir/log/munged.log" test -S "$munge_socket"

    # Slurm configuration: one node, this machine's real CPUs and memory as
    # `slurmd -C` reports them (slurmd drains a node declared larger than it is).
    local hardware controller_port node_port
    hardware=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //')
    controller_port=$(free_port 6817)
    node_port=$(free_port $((controller_port + 1)))
    cat >"$cluster_dir/slurm.conf" <<EOF
# A single-node test cluster written by scripts/slurm/local-cluster.sh.
ClusterName=shoreline-local
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$controller_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
# Listen on 127.0.0.1 only, not on every interface (the default).
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
AuthInfo=socket=$munge_socket
CredType=cred/munge
StateSaveLocation=$cluster_dir/state
SlurmdSpoolDir=$cluster_dir/spool
SlurmctldPidFile=$cluster_dir/slurmctld.pid
SlurmdPidFile=$cluster_dir/slurmd.pid
SlurmctldLogFile=$cluster_dir/log/slurmctld.log
SlurmdLogFile=$cluster_dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Memory is a consumable resource, so a job without --mem gets this much per
# CPU instead of the whole node.
DefMemPerCPU=1024
ReturnToService=2
# Keep finished jobs visible to squeue and scontrol for ten minutes, so that
# scripts can read each array task's state and exit code without accounting.
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeAddr=127.0.0.1 $hardware State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
    printf 'export SLURM_CONF=%q\n' "$cluster_dir/slurm.conf" >"$cluster_dir/environment"
    export SLURM_CONF="$cluster_dir/slurm.conf"

    # Daemons: the controller first, then the node daemon, then wait for idle.
    start_daemon slurmctld "$cluster_dir/log/slurmctld.stdout" \
        slurmctld -D -f "$SLURM_CONF"
    wait_for "slurmctld start" "$cluster_dir/log/slurmctld.log" scontrol ping
    start_daemon slurmd "$cluster_dir/log/slurmd.stdout" \
        slurmd -D -N localhost -f "$SLURM_CONF"
    wait_for "node 'localhost' becoming idle" "$cluster_dir/log/slurmd.log" node_is_idle
    echo "slurm: node 'localhost' idle; controller on 127.0.0.1:$controller_port; source '$cluster_dir/environment' to use it" >&2
}

# Ends each recorded daemon by its process id, last started first, and waits
# until it has exited.
stop_cluster() {
    cluster_dir=$(realpath -m "$1")
    local pids_file="$cluster_dir/pids"
    if [ ! -f "$pids_file" ]; then
        fail "no daemons recorded in '$pids_file'; was the cluster started with '$0 start $cluster_dir'?"
    fi

    local name pid
    tac "$pids_file" | while read -r name pid; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            local deadline=$((SECONDS + 30))
            while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
                sleep 0.2
            done
            if kill -0 "$pid" 2>/dev/null; then
                echo "warning: $name (pid $pid) ignored SIGTERM for 30 s; sending SIGKILL" >&2
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
        echo "slurm: stopped $name (pid $pid)" >&2
    done
    : >"$pids_file"
}

command=${1:-}
case "$command" in
install)
    install_packages
    ;;
start)
    [ $# -eq 2 ] || fail "'start' needs a cluster folder; usage: $0 start DIR"
    start_cluster "$2"
    ;;
stop)
    [ $# -eq 2 ] || fail "'stop' needs the cluster folder given to 'start'; usage: $0 stop DIR"
    stop_cluster "$2"
    ;;
*)
    fail "unknown command '${command}'; usage: $0 install | start DIR | stop DIR"
    ;;
esac

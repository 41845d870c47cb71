#!/usr/bin/env bash
# ctest: a one-node Slurm cluster from Debian's slurm-wlm and munge, started by hand in a
# temporary directory (no systemd), runs the ci_cpu experiment as a job array of 3 shards
# through scripts/slurm/submit_sweep.sh; the merged file must hold every planned point once,
# and merging only two of the shards must fail. Daemons are stopped on every exit.
#   run_test.sh <vitperf binary> <source dir>
# Exit 77 (skipped) only when it cannot run here: not root, or the Slurm/munge programs absent.
set -euo pipefail
bin=$1
src=$2
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to start slurmd and munged (run ./run_tests as root)"
for p in munged mungekey slurmctld slurmd sbatch sinfo; do
  command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] ||
    skip "$p not installed (scripts/ensure_deps.sh installs slurm-wlm and munge)"
done
export PATH="$PATH:/usr/sbin"

tmp=$(mktemp -d /tmp/vitperf-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$status" != 0 ]; then
    for log in "$tmp"/*.log "$tmp"/out/*.out; do
      [ -f "$log" ] && { echo "---- $log"; tail -n 20 "$log"; }
    done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# munge: its own key and socket, so that a system munged (if any) is left alone.
mkdir -p "$tmp/munge" "$tmp/munge-key" && chmod 755 "$tmp/munge" && chmod 700 "$tmp/munge-key"
mungekey --create --keyfile="$tmp/munge-key/munge.key" 2>/dev/null ||
  dd if=/dev/urandom of="$tmp/munge-key/munge.key" bs=1024 count=1 status=none
chmod 600 "$tmp/munge-key/munge.key"
munged --foreground --force --key-file="$tmp/munge-key/munge.key" \
  --socket="$tmp/munge/munge.socket" --pid-file="$tmp/munge/munged.pid" \
  --seed-file="$tmp/munge-key/munged.seed" >"$tmp/munged.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$tmp/munge/munge.socket" ] || { echo "FAIL: munged did not start"; exit 1; }

# Ports nobody listens on, so that a second run (or a real cluster) does not collide.
port=$((20000 + RANDOM % 20000))
host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/out"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=vitperftest
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
  state=$(sinfo -h -N -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || { echo "FAIL: the Slurm node did not come up (state '$state')"; exit 1; }

# The sweep: ci_cpu's points in 3 array tasks, the merge after them.
out="$tmp/out"
"$src/scripts/slurm/submit_sweep.sh" -e ci_cpu -n 3 -o "$out" --device cpu --bin "$bin" --wait
cat "$out"/vitperf-merge-*.out
for i in 0 1 2; do
  grep -q "\"shard\":\"$i/3\"" "$out/shard-$i-of-3.jsonl" ||
    { echo "FAIL: shard $i/3 was not measured by its array task"; exit 1; }
done
planned=$("$bin" measure -e ci_cpu --device cpu --dry-run --json |
  python3 -c 'import json, sys; print(len(json.load(sys.stdin)["points"]))')
records=$(grep -c '"kind":"\(pipeline\|probe\)"' "$out/merged.jsonl")
[ "$planned" -gt 0 ] && [ "$records" = "$planned" ] ||
  { echo "FAIL: merged.jsonl holds $records point records, the experiment plans $planned"; exit 1; }
ids=$(python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1]) if "\"kind\":\"provenance\"" not in l]
print(len(ids) - len(set(ids)))' "$out/merged.jsonl")
[ "$ids" = 0 ] || { echo "FAIL: merged.jsonl repeats $ids ids"; exit 1; }

# The check can fail: a lost shard is refused, nothing written.
if "$bin" merge -e ci_cpu --device cpu -o "$tmp/partial.jsonl" \
  --shards "$out/shard-0-of-3.jsonl" "$out/shard-1-of-3.jsonl" >"$tmp/partial.txt"; then
  echo "FAIL: merging 2 of 3 shards passed"; exit 1
fi
grep -q "missing" "$tmp/partial.txt" && [ ! -e "$tmp/partial.jsonl" ] ||
  { echo "FAIL: the partial merge did not name the missing points"; cat "$tmp/partial.txt"; exit 1; }
# ... and a shard given twice (a task run twice) too.
if "$bin" merge -e ci_cpu --device cpu -o "$tmp/twice.jsonl" --shards "$out/shard-0-of-3.jsonl" \
  "$out/shard-0-of-3.jsonl" "$out/shard-1-of-3.jsonl" "$out/shard-2-of-3.jsonl" >"$tmp/twice.txt"; then
  echo "FAIL: merging shard 0 twice passed"; exit 1
fi
grep -q "more than once" "$tmp/twice.txt" && [ ! -e "$tmp/twice.jsonl" ] ||
  { echo "FAIL: the merge did not name the repeated points"; cat "$tmp/twice.txt"; exit 1; }
echo "slurm: 3 array tasks measured ci_cpu on $host; merged $records points, each once"

#!/usr/bin/env bash
# campaign_bench.sh [SIZE]...: the whole simulated campaign (campaign-gen, campaign-fleet,
# campaign-sim, campaign-report) at each portfolio size (default 1500 20000), with the
# wall time of each step and each process's CPU time and peak memory (VmHWM), read from
# /proc just before the fleet stops. Issue 8's scaling benchmark; not part of the tests.
# BUILD_DIR (default build) names the build; SIM_IN_FLIGHT sets sim.in_flight (else the
# configuration's); BENCH_OPTS adds settings (PATH=VALUE, space-separated) to every process. The load average is printed before and after each size: the figures
# mean little on a machine that is busy with something else.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BUILD_DIR:-build}/bin
[[ "$bin" == /* ]] || bin=$PWD/$bin
extra=()
[ -z "${SIM_IN_FLIGHT:-}" ] || extra=(-o "sim.in_flight=$SIM_IN_FLIGHT")
for setting in ${BENCH_OPTS:-}; do extra+=(-o "$setting"); done
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1500 20000)
hz=$(getconf CLK_TCK)

printf '%-9s %8s %8s %8s %8s | %-34s %8s %9s\n' accounts gen_s fleet_s sim_s report_s \
    process cpu_s peak_MiB
for n in "${sizes[@]}"; do
    state=$(mktemp -d "${TMPDIR:-/tmp}/campaign-bench-XXXXXX")
    opts=(-c config/campaign.cfg -o "broker.state_dir=$state/state"
          -o "broker.endpoint=ipc://$state/b.ipc" -o "broker.status_endpoint=ipc://$state/s.ipc"
          -o "reports.dir=$state/reports" -o "log.level=warn" -o "client.timeout_ms=600000"
          ${extra[@]+"${extra[@]}"})
    echo "load before $n: $(cut -d' ' -f1-3 /proc/loadavg)"
    t0=$(date +%s.%N)
    "$bin/campaign-gen" --accounts "$n" --seed 7 --out "$state/data" >/dev/null
    t1=$(date +%s.%N)
    "$bin/campaign-fleet" "${opts[@]}" start >/dev/null
    t2=$(date +%s.%N)
    sim_cpu=$( { /usr/bin/time -f '%U %S %M' "$bin/campaign-sim" "${opts[@]}" --seed 7 \
                 --data "$state/data" --quiet >"$state/sim.out"; } 2>&1 | tail -1)
    t3=$(date +%s.%N)
    "$bin/campaign-report" "${opts[@]}" >/dev/null
    t4=$(date +%s.%N)
    printf '%-9s %8.1f %8.1f %8.1f %8.1f |' "$n" "$(echo "$t1 - $t0" | bc)" \
        "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)" "$(echo "$t4 - $t3" | bc)"
    read -r su ss sm <<<"$sim_cpu"
    printf ' %-34s %8.1f %9.0f\n' campaign-sim "$(echo "$su + $ss" | bc)" "$((sm / 1024))"
    while read -r name pid _; do
        [[ "$name" == \#* || -z "$pid" || ! -d /proc/$pid ]] && continue
        read -r -a stat </proc/"$pid"/stat
        cpu=$(echo "scale=1; (${stat[13]} + ${stat[14]}) / $hz" | bc)
        peak=$(awk '/VmHWM/ {print int($2 / 1024)}' /proc/"$pid"/status)
        printf '%-9s %8s %8s %8s %8s | %-34s %8s %9s\n' "" "" "" "" "" "$name" "$cpu" "$peak"
    done <"$state/state/fleet.status"
    "$bin/campaign-fleet" "${opts[@]}" stop >/dev/null
    grep -E 'ARR won|deals  |overridden|submissions' "$state/sim.out" | sed 's/^/          /'
    echo "load after $n: $(cut -d' ' -f1-3 /proc/loadavg)"
    rm -rf "$state"
done

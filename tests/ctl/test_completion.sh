#!/usr/bin/env bash
# ctl/bash-completion/vqosctl (given as $1), driven as bash drives it:
# COMP_WORDS and COMP_CWORD set, _vqosctl called, COMPREPLY read. vqosctl
# is a stand-in here, a function that answers `-j port show` and `-j class
# show DIR` as vqosd would, so the names come from "a running vqosd".
# Prints "N passed, N failed".
set -u
# shellcheck source=/dev/null
source "$1"

# the stand-in runs in $(...): what it was asked goes through a file
asked=$(mktemp)
trap 'rm -f "$asked"' EXIT
vqosctl()
{
	echo "$*" >"$asked"
	case "$*" in
	*"-j port show") printf '[\n  {\n    "name": "c1",\n    "socket": "/run/vqos/c1.sock"\n  },\n  {\n    "name": "c2"\n  }\n]\n' ;;
	*"-j class show tx") printf '[\n  {\n    "name": "root",\n    "parent": null\n  },\n  {\n    "name": "web",\n    "parent": "root"\n  }\n]\n' ;;
	*) return 2 ;;
	esac
}

passed=0 failed=0
# expect "WORDS..." "COMPLETIONS": the last word is the one being completed
expect()
{
	local line=$1 want=$2 got
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_vqosctl
	got="${COMPREPLY[*]}"
	if [[ $got == "$want" ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: '$line': got '$got', want '$want'"
	fi
}

expect "vqosctl " "port class qdisc reload config lcore bottleneck stats version list-commands cost"
expect "vqosctl cl" "class"
expect "vqosctl --j" "--json"
expect "vqosctl -S /tmp/v.sock -j " "port class qdisc reload config lcore bottleneck stats version list-commands cost"
expect "vqosctl port " "show add del cost"
expect "vqosctl class " "show add change replace del"
expect "vqosctl class add " "tx rx"
expect "vqosctl class add tx name web " "name parent port rate ceil burst cburst prio quantum pps cpps cps ccps limit overcommit match"
expect "vqosctl class add tx name web c" "ceil cburst cpps cps ccps"
expect "vqosctl class add tx name web overcommit " "true false"
expect "vqosctl class add tx name web rate " ""
expect "vqosctl class change tx name " "root web"
expect "vqosctl class change tx name web parent r" "root"
expect "vqosctl class add tx name x port " "c1 c2"
expect "vqosctl class del rx " "name"
expect "vqosctl class show " "tx rx port"
expect "vqosctl class show port c" "c1 c2"
expect "vqosctl qdisc replace " "tx rx"
expect "vqosctl qdisc replace rx " "htb sched police fifo"
expect "vqosctl port del " "c1 c2"
expect "vqosctl -S /tmp/v.sock port show c" "c1 c2"
if [[ $(<"$asked") == "-S /tmp/v.sock -j port show" ]]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAIL: -S not passed on: '$(<"$asked")'"
fi
expect "vqosctl port cost c1 " "packet byte none"
expect "vqosctl port add c3 socket /tmp/c3.sock uplink net_vhost0 " "socket uplink mode mac tx rx"
expect "vqosctl port add c3 socket /tmp/c3.sock uplink net_vhost0 mode " "server client"
expect "vqosctl port add c3 socket /tmp/c3.sock uplink net_vhost0 tx parent root " \
	"tx rx name parent rate ceil burst cburst prio quantum pps cpps cps ccps limit match"
expect "vqosctl lcore " "show set"
expect "vqosctl lcore set " "sleep_max"
expect "vqosctl stats " "--prometheus"
expect "vqosctl config " "dump"
expect "vqosctl bottleneck " "-j -i"
expect "vqosctl cost calibrate --" "--appctl --interval --samples"

echo "$passed passed, $failed failed"
((failed == 0))

#!/bin/bash
# The API mount table (spawn/mount-table.c) row by row against what a container shows: build/tools/api-mounts
# prints the table as a start with the same options applies it (the table's own code), busybox's cat (static)
# prints /proc/self/mountinfo from inside, and each row must be there, in mount order at its mount point, with its
# file system type, source, flags (ro/rw, nosuid, nodev, noexec, strictatime) and modes; a bind the table makes
# with what it binds (file system and path in it: for a mask, /run/host/inaccessible/reg); a host node with its
# host mount's. Sizes are not compared. In every mode that
# changes the table or what it lands on: a picked user range or -U no, a private network or the host's, a closure
# or a -D image. Then what the host needs whatever the table says: every mount at or below /sys and /proc/sys
# read-only (but /sys/fs/cgroup, and /proc/sys/net with a network of its own), in every layer of a stack.
. "$(dirname "$0")/lib.sh"
need_root
TOOL=$BUILD/tools/api-mounts
[ -x "$TOOL" ] || skip_rest "build first: no $TOOL"
fixture tools
am=$(mname am)
img=$T/image
mkdir -p "$img/etc"

# flagset OPTS: the flags compared, from mountinfo's (or findmnt's) per-mount options, in the tool's order:
# "ro|rw" then nosuid, nodev, noexec, and strictatime (which mountinfo shows as no atime option at all)
flagset() {
	local o=",$1," out
	case $o in *,ro,*) out=ro ;; *) out=rw ;; esac
	for f in nosuid nodev noexec; do [[ $o == *",$f,"* ]] && out+=",$f"; done
	[[ $o == *,relatime,* || $o == *,noatime,* ]] || out+=",strictatime"
	echo "$out"
}
# atime_of FLAGSET: ",strictatime" or nothing (a bind the table makes keeps its source's atime flags)
atime_of() { [[ $1 == *,strictatime ]] && echo ",strictatime"; true; }
# modes OPTIONS [FSTYPE]: the mode=, ptmxmode= of options, as octal numbers without leading zeros, sorted. tmpfs
# shows no mode= for its default (1777): with FSTYPE tmpfs, none means that.
modes() {
	local kv out=() o=",$1,"
	[ "${2:-}" = tmpfs ] && [[ $o != *,mode=* ]] && o+="mode=1777,"
	for kv in ${o//,/ }; do
		case $kv in mode=* | ptmxmode=*) out+=("${kv%%=*}=$(printf %o $((8#${kv#*=})))") ;; esac
	done
	printf '%s\n' "${out[@]}" | sort | paste -sd, -
}

# check_mode LABEL LAUNCHER-ARGS...: one claim per row of the table in this mode, then the extras and the policy
check_mode() {
	local label=$1 tool_args=() mi rows line
	shift
	for a in "$@"; do case $a in --private-network | --private-users=no) tool_args+=("$a") ;; esac; done
	rows=$("$TOOL" "${tool_args[@]}") || { _report 1 "$label: api-mounts ran" "$rows"; return; }
	mi=$(run "$am" "$@" -- cat /proc/self/mountinfo 2>&1)
	[[ $mi == *" / "* ]] || { _report 1 "$label: the container's mountinfo was read" "$mi"; return; }

	# mountinfo, by line: id parent dev root mountpoint opts ... - fstype source superopts
	local -A used=()
	local ids=() mps=() devs=() roots=() opts=() types=() srcs=() supers=() parents=() n=0 l rest
	while IFS= read -r l; do
		read -r ids[n] parents[n] devs[n] roots[n] mps[n] opts[n] rest <<<"$l"
		rest=${l#* - }
		read -r types[n] srcs[n] supers[n] <<<"$rest"
		n=$((n + 1))
	done <<<"$mi"

	# The mount inside that holds PATH (the longest mount point above it, the top of its stack): its index
	holder() {
		local path=$1 best=-1 blen=-1 i m
		for ((i = 0; i < n; i++)); do
			m=${mps[i]}
			if [ "$m" = / ] || [ "$path" = "$m" ] || [[ $path == "$m/"* ]]; then
				[ ${#m} -ge $blen ] && { best=$i; blen=${#m}; }
			fi
		done
		echo "$best"
	}

	local where kind what type flags options i k want got diag hostline hfs hopts hroot htarget hold
	while IFS=$'\t' read -r where kind what type flags options; do
		# the next unused entry at this mount point, in mount order
		k=-1
		for ((i = 0; i < n; i++)); do
			[ "${mps[i]}" = "$where" ] && [ -z "${used[$i]:-}" ] && { k=$i; break; }
		done
		if [ "$k" = -1 ]; then
			# read-only, writable, mask: "missing: nothing to do" (the kernel has no such file; same kernel here)
			if [[ $kind == read-only || $kind == writable || $kind == mask ]] && [ ! -e "$where" ]; then
				lacking["$kind $where"]=$((${lacking["$kind $where"]:-0} + 1))
			else
				_report 1 "$label: $kind $where is mounted" "no (further) mount at $where in:
$mi"
			fi
			continue
		fi
		used[$k]=1
		case $kind in
		fs)
			want="$type $what / $flags $(modes "$options" "$type")"
			got="${types[k]} ${srcs[k]} ${roots[k]} $(flagset "${opts[k]}") $(modes "${supers[k]}" "${types[k]}")"
			want=${want% } got=${got% }
			;;
		read-only | writable)
			# a bind of the path onto itself: the file system it is in, its own directory there
			hold=${parents[k]}
			for ((i = 0; i < n; i++)); do [ "${ids[i]}" = "$hold" ] && hold=$i && break; done
			rest=${where#"${mps[hold]%/}"}
			want="${devs[hold]} ${roots[hold]%/}$rest $flags$(atime_of "$(flagset "${opts[hold]}")")"
			got="${devs[k]} ${roots[k]} $(flagset "${opts[k]}")"
			;;
		mask)
			# the file the table binds over it, below the container's root
			hold=$(holder "/$what")
			rest=/$what
			rest=${rest#"${mps[hold]%/}"}
			want="${devs[hold]} ${roots[hold]%/}$rest $flags$(atime_of "$(flagset "${opts[hold]}")")"
			got="${devs[k]} ${roots[k]} $(flagset "${opts[k]}")"
			;;
		bind-device | bind-console)
			# a host node: its file system, place and flags are those of the host's mount that holds it
			hostline=$(findmnt -n -o FSTYPE,VFS-OPTIONS,FSROOT,TARGET -T "$what")
			read -r hfs hopts hroot htarget <<<"$hostline"
			rest=${what#"${htarget%/}"}
			want="$hfs ${hroot%/}$rest $(flagset "$hopts")"
			got="${types[k]} ${roots[k]} $(flagset "${opts[k]}")"
			;;
		*) want="a kind the test knows" got=$kind ;;
		esac
		diag="table: $where $kind $what $type $flags
mountinfo: ${ids[k]} ${parents[k]} ${devs[k]} ${roots[k]} ${mps[k]} ${opts[k]} - ${types[k]} ${srcs[k]} ${supers[k]}"
		[ "$got" = "$want" ]
		_report $? "$label: $kind $where: $want" "got:  $got
want: $want
$diag"
	done <<<"$rows"

	# Nothing at the API points that the table does not have (/run/host is runhost.c's, the store the store's).
	local extra=""
	for ((i = 0; i < n; i++)); do
		[ -n "${used[$i]:-}" ] && continue
		case ${mps[i]} in
		/dev | /dev/* | /proc | /proc/* | /sys | /sys/* | /tmp | /tmp/* | /run) extra+="${mps[i]} (${types[i]}) " ;;
		esac
	done
	assert_eq "$label: no mount at the API points but the table's" "$extra" ""

	# The host's part, whatever the table says: /sys and /proc/sys read-only in every layer.
	local writable=""
	for ((i = 0; i < n; i++)); do
		case ${mps[i]} in
		/sys/fs/cgroup) continue ;;
		/proc/sys/net) [[ " $* " == *" --private-network "* ]] && continue ;;
		esac
		case ${mps[i]} in
		/sys | /sys/* | /proc/sys | /proc/sys/*)
			[[ ,${opts[i]}, == *,ro,* ]] || writable+="${mps[i]} (${types[i]} ${opts[i]}) " ;;
		esac
	done
	assert_eq "$label: every mount at or below /sys and /proc/sys is read-only (every layer)" "$writable" ""
}

# Rows whose file this kernel lacks (one counted skip each, for all modes)
declare -A lacking=()
check_mode "picked range, host network, closure"
check_mode "picked range, private network, closure" --private-network
check_mode "-U no, host network, closure" --private-users=no
check_mode "-U no, private network, closure" --private-users=no --private-network
check_mode "picked range, host network, -D image" -D "$img"
check_mode "picked range, private network, -D image" -D "$img" --private-network
check_mode "-U no, host network, -D image" -D "$img" --private-users=no
check_mode "-U no, private network, -D image" -D "$img" --private-users=no --private-network

# What a writable /sys would let -U no root do to the host: write a host-wide switch (its own value: nothing changes
# even when the write goes through).
if [ -w /sys/kernel/mm/ksm/run ]; then
	out=$(run "$am" --private-users=no -- \
		sh -c 'read v < /sys/kernel/mm/ksm/run && echo "$v" > /sys/kernel/mm/ksm/run && echo written' 2>&1)
	assert_match "-U no, host network: root inside cannot write the host's /sys/kernel/mm/ksm/run" "$out" "Read-only file system"
else
	skip "-U no, host network: root inside cannot write the host's /sys/kernel/mm/ksm/run" "no KSM on this host"
fi

for r in "${!lacking[@]}"; do
	skip "$r (in ${lacking[$r]} modes)" "this kernel has no ${r#* }"
done
ok "nothing of $am is left behind" leftovers "$am"

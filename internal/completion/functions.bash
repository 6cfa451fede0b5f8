
# --- functions (internal/completion/functions.bash) ---

# __golxc_tool TOOL ARGS: golxc's lxc-TOOL (through golxc when it is in
# PATH, so LXC's own tools installed beside it do not answer).
__golxc_tool() {
	local t=$1
	shift
	if type -P golxc >/dev/null 2>&1; then
		golxc "$t" "$@"
	else
		command "lxc-$t" "$@"
	fi
}

__golxc_ls() { __golxc_tool ls "$@"; }

# __golxc_reply: COMPREPLY from stdin, one candidate a line.
__golxc_reply() {
	mapfile -t COMPREPLY
}

__golxc_words() {
	__golxc_reply < <(compgen -W "$1" -- "$cur")
}

__golxc_compgen() {
	compopt -o filenames 2>/dev/null
	__golxc_reply < <(compgen "$1" -- "$cur")
}

# __golxc_list SEP WORDS: complete the last SEP-separated part of cur.
__golxc_list() {
	local sep=$1 head= last=$cur
	if [[ $cur == *"$1"* ]]; then
		head=${cur%"$sep"*}$sep
		last=${cur##*"$sep"}
	fi
	__golxc_reply < <(compgen -P "$head" -W "$2" -- "$last")
}

# __golxc_lxcpath_args: path=(-P DIR ...) from the lxcpath(s) given on
# the command line (-P, --lxcpath); empty: the default one. The caller
# declares path.
__golxc_lxcpath_args() {
	local i w v
	path=()
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		((i == COMP_CWORD)) && continue
		w=${COMP_WORDS[i]} v=
		case $w in
		-P | --lxcpath)
			v=${COMP_WORDS[i + 1]-}
			[[ $v == = ]] && v=${COMP_WORDS[i + 2]-}
			;;
		--lxcpath=*) v=${w#*=} ;;
		-P?*) v=${w#-P} ;;
		esac
		[[ -n $v ]] && path+=(-P "$v")
	done
	return 0
}

# __golxc_names FILTER: container names from the lxcpath(s) given on the
# command line, else the default one.
__golxc_names() {
	local -a path=() list=()
	__golxc_lxcpath_args
	mapfile -t list < <(__golxc_ls -1 $1 "${path[@]}" 2>/dev/null)
	__golxc_reply < <(compgen -W "${list[*]}" -- "$cur")
}

# __golxc_tool_names: names with the tool's state filter.
__golxc_tool_names() {
	[[ -v __golxc_namefilter[$tool] ]] && __golxc_names "${__golxc_namefilter[$tool]}"
	return 0
}

# __golxc_has_name: a container name is on the command line already (-n,
# --name or an operand).
__golxc_has_name() {
	local i w prev
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]} prev=${COMP_WORDS[i - 1]}
		case $w in
		-n | --name | --name=*) return 0 ;;
		=) continue ;;
		-*) continue ;;
		esac
		[[ $prev == = ]] && continue
		[[ -v __golxc_args["$tool $prev"] ]] && continue
		return 0
	done
	return 1
}

# __golxc_first_operand WORDS: WORDS for the first operand only.
__golxc_first_operand() {
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} != -* ]] && return 0
	done
	__golxc_words "$1"
}

# __golxc_defines: KEY= for -s/--define KEY=VAL.
__golxc_defines() {
	[[ $cur == *=* ]] && return 0
	compopt -o nospace 2>/dev/null
	__golxc_reply < <(compgen -S = -W "$__golxc_keys" -- "$cur")
}

__golxc_templates() {
	local d f list=$__golxc_builtin_templates
	for d in $__golxc_template_dirs; do
		for f in "$d"/lxc-*; do
			[[ -x $f && " $list " != *" ${f##*/lxc-} "* ]] && list+=" ${f##*/lxc-}"
		done
	done
	__golxc_words "$list"
}

__golxc_interfaces() {
	local f list=
	for f in /sys/class/net/*; do
		list+=" ${f##*/}"
	done
	__golxc_words "$list"
}

# __golxc_cgroup_operand: lxc-cgroup [-n] NAME STATE-OBJECT [VALUE]:
# running containers' names, then the state objects of that container,
# then nothing (the value is free), as LXC's completion.
__golxc_cgroup_operand() {
	local i w prev name= named=false
	local -a ops=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]} prev=${COMP_WORDS[i - 1]}
		[[ $prev == = ]] && ((i > 1)) && prev=${COMP_WORDS[i - 2]}
		case $w in
		--name=*) name=${w#--name=} named=true ;;
		= | -*) ;;
		*)
			if [[ $prev == -n || $prev == --name ]]; then
				name=$w named=true
			elif ! [[ $prev == -* && -v __golxc_args["$tool $prev"] ]]; then
				ops+=("$w")
			fi
			;;
		esac
	done
	if ! $named; then
		if ((${#ops[@]} == 0)); then
			__golxc_tool_names
			return 0
		fi
		name=${ops[0]}
		ops=("${ops[@]:1}")
	fi
	((${#ops[@]} == 0)) && __golxc_cgroup_files "$name"
	return 0
}

# __golxc_cgroup_files NAME: the state objects lxc-cgroup reads and
# writes: the controller files of the running container's own cgroups
# (from its init's /proc/PID/cgroup: a child cgroup has files the root
# lacks, pids.max for one), else those of the hierarchies' roots.
__golxc_cgroup_files() {
	local root=/sys/fs/cgroup pid= line ctrls rel d c f
	local -a path=()
	local -A seen=()
	__golxc_lxcpath_args
	[[ -n $1 ]] && pid=$(__golxc_tool info "${path[@]}" -n "$1" -p -H 2>/dev/null)
	if [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cgroup ]]; then
		while IFS=: read -r _ ctrls rel; do
			if [[ -z $ctrls ]]; then # cgroup v2 (unified)
				d=$root
				[[ -r $d/cgroup.controllers ]] || d=$root/unified
				d=$d$rel
				[[ -r $d/cgroup.controllers ]] || continue
				for c in $(<"$d/cgroup.controllers"); do
					for f in "$d/$c".*; do
						[[ -f $f ]] && seen[${f##*/}]=1
					done
				done
				continue
			fi
			[[ $ctrls == name=* ]] && continue
			for c in ${ctrls//,/ }; do
				# cpu,cpuacct is mounted as one directory, or as two
				d=$root/$ctrls$rel
				[[ -d $d ]] || d=$root/$c$rel
				for f in "$d/$c".*; do
					[[ -f $f ]] && seen[${f##*/}]=1
				done
			done
		done <"/proc/$pid/cgroup"
	else
		for d in "$root"/*/; do
			c=${d%/}
			c=${c##*/}
			for f in "$d$c".*; do
				[[ -f $f ]] && seen[${f##*/}]=1
			done
		done
		for d in "$root" "$root/unified"; do
			[[ -r $d/cgroup.controllers ]] || continue
			for c in $(<"$d/cgroup.controllers"); do
				for f in "$d/$c".*; do
					[[ -f $f ]] && seen[${f##*/}]=1
				done
			done
		done
	fi
	__golxc_words "${!seen[*]}"
}

# __golxc_template_given END: the -t/--template value before word END.
__golxc_template_given() {
	local i w
	for ((i = 1; i < $1; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-t | --template)
			w=${COMP_WORDS[i + 1]-}
			[[ $w == = ]] && w=${COMP_WORDS[i + 2]-}
			printf '%s\n' "$w"
			return 0
			;;
		--template=*) printf '%s\n' "${w#*=}"; return 0 ;;
		-t?*) printf '%s\n' "${w#-t}"; return 0 ;;
		esac
	done
	return 1
}

# __golxc_download_options DASHDASH: lxc-create -t download -- OPTIONS:
# the template's options; their arguments are free.
__golxc_download_options() {
	[[ $(__golxc_template_given "$1") == download ]] || return 0
	local w
	if ((COMP_CWORD - 1 > $1)); then
		for w in $__golxc_download_args; do
			[[ $prev == "$w" ]] && return 0
		done
	fi
	[[ $cur == -* || -z $cur ]] && __golxc_words "$__golxc_download_opts"
	return 0
}

# __golxc_complete: the completion function of every lxc-* tool.
__golxc_complete() {
	local tool=${COMP_WORDS[0]##*/} cur=${COMP_WORDS[COMP_CWORD]-} prev= i
	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value arrives as "--opt" "=" "value" (COMP_WORDBREAKS).
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	# After "--" comes a command (lxc-attach, lxc-execute) or the
	# template's options: the built-in download template's are known.
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			[[ $tool == lxc-create ]] && __golxc_download_options "$i"
			return 0
		fi
	done
	if [[ -n $prev && -v __golxc_args["$tool $prev"] ]]; then
		eval "${__golxc_args["$tool $prev"]}"
		return 0
	fi
	if [[ $cur == -* ]]; then
		__golxc_words "${__golxc_opts[$tool]-}"
		return 0
	fi
	if [[ -v __golxc_operand[$tool] ]]; then
		eval "${__golxc_operand[$tool]}"
		return 0
	fi
	__golxc_has_name || __golxc_tool_names
	return 0
}

# __golxc_main: golxc TOOL ARGS... completes as lxc-TOOL ARGS...
__golxc_main() {
	local cur=${COMP_WORDS[COMP_CWORD]-} t list="version man --list-implemented completion image"
	if [[ ${COMP_WORDS[1]-} == image ]]; then
		((COMP_CWORD == 2)) && __golxc_words "$__golxc_image_commands"
		return 0
	fi
	if ((COMP_CWORD == 1)); then
		for t in "${!__golxc_opts[@]}"; do
			list+=" ${t#lxc-}"
		done
		__golxc_words "$list"
		return 0
	fi
	t=${COMP_WORDS[1]}
	[[ $t == lxc-* ]] || t=lxc-$t
	[[ -v __golxc_opts[$t] ]] || return 0
	COMP_WORDS=("$t" "${COMP_WORDS[@]:2}")
	((COMP_CWORD--))
	__golxc_complete
}


# --- functions (internal/completion/functions.bash) ---

# __golxc_ls ARGS: golxc's lxc-ls (through golxc when it is in PATH, so
# LXC's own lxc-ls installed beside it does not answer).
__golxc_ls() {
	if type -P golxc >/dev/null 2>&1; then
		golxc ls "$@"
	else
		command lxc-ls "$@"
	fi
}

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

# __golxc_names FILTER: container names from the lxcpath(s) given on the
# command line (-P, --lxcpath), else the default one.
__golxc_names() {
	local -a path=() list=()
	local i w v
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

# __golxc_cgroup_files: the controller files lxc-cgroup reads and writes
# (cgroup v1 hierarchies, then the controllers of the v2 root).
__golxc_cgroup_files() {
	local d c f list= root=/sys/fs/cgroup
	for d in "$root"/*/; do
		c=${d%/}
		c=${c##*/}
		for f in "$d$c".*; do
			[[ -f $f ]] && list+=" ${f##*/}"
		done
	done
	for d in "$root" "$root/unified"; do
		[[ -r $d/cgroup.controllers ]] || continue
		for c in $(<"$d/cgroup.controllers"); do
			for f in "$d/$c".*; do
				[[ -f $f ]] && list+=" ${f##*/}"
			done
		done
	done
	__golxc_words "$list"
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
	# After "--" comes a command (lxc-attach, lxc-execute, templates).
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -- ]] && return 0
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
	local cur=${COMP_WORDS[COMP_CWORD]-} t list="version man --list-implemented completion"
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

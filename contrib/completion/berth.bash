# bash completion for berth(8).
# Commands and flags come from the program's own --help (built from its
# command table), so this file never lags behind the program it completes.
# Container ids come from `berth list -q` with the --root being used.

_berth_flags() {
	# "   --env, -e KEY=VALUE   text" -> --env -e
	"$@" --help 2>/dev/null | sed -n 's/^   \(-[^ ,]*\)\(, \(-[^ ]*\)\)\{0,1\}.*/\1 \3/p'
}

_berth_takes_value() {
	# Whether flag $2 of "$1 --help" is followed by an argument name.
	local help=$1 flag=$2
	grep -Eq -- "^   ([^ ]+, )?${flag}(,[^ ]*)? [A-Z]" <<<"$help" ||
		grep -Eq -- "^   --[^ ]+, ${flag} [A-Z]" <<<"$help"
}

_berth() {
	local cur prev words cword
	_init_completion || return
	local prog=${words[0]} i cmd= root=() global_help cmd_help
	global_help=$("$prog" --help 2>/dev/null)
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--root) root=(--root "${words[i + 1]}"); ((i++)) ;;
		--root=*) root=(--root "${words[i]#--root=}") ;;
		-*) _berth_takes_value "$global_help" "${words[i]%%=*}" && [[ ${words[i]} != *=* ]] && ((i++)) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		--root) _filedir -d; return ;;
		--log) _filedir; return ;;
		--log-format) COMPREPLY=($(compgen -W 'text json' -- "$cur")); return ;;
		--rootless) COMPREPLY=($(compgen -W 'true false auto' -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_berth_flags "$prog")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(sed -n '/^COMMANDS:/,/^$/s/^   \([a-z]\+\) .*/\1/p' <<<"$global_help")" -- "$cur"))
		fi
		return
	fi

	cmd_help=$("$prog" "$cmd" --help 2>/dev/null)
	if [[ $prev == -* ]] && _berth_takes_value "$cmd_help" "$prev"; then
		case $prev in
		--bundle | -b | --cwd | --image-path | --work-path | --parent-path) _filedir -d ;;
		--format | -f) COMPREPLY=($(compgen -W 'table json' -- "$cur")) ;;
		*) _filedir ;;
		esac
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_berth_flags "$prog" "$cmd")" -- "$cur"))
		return
	fi
	# The first operand of every command that takes one is a container id;
	# kill's second is a signal.
	local operands=0
	for ((i = i + 1; i < cword; i++)); do
		if [[ ${words[i]} == -* ]]; then
			_berth_takes_value "$cmd_help" "${words[i]}" && ((i++))
		else
			((operands++))
		fi
	done
	case $cmd:$operands in
	spec:* | features:* | list:*) ;;
	*:0) COMPREPLY=($(compgen -W "$("$prog" "${root[@]}" list -q 2>/dev/null)" -- "$cur")) ;;
	kill:1) COMPREPLY=($(compgen -W "$(compgen -A signal | sed -n 's/^SIG//p')" -- "$cur")) ;;
	esac
}
complete -F _berth berth

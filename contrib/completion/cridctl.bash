# bash completion for cridctl(1).
# Commands and flags come from cridctl's own --help (built from its command
# table), so this file never lags behind the program. Pod and container ids
# are asked of the crid being talked to (-r), with a short timeout.

_cridctl_flags() {
	# Every -x and --long word of the usage text of "$@ --help".
	"$@" --help 2>/dev/null | grep -o -- '\[\{0,1\}--\{0,1\}[a-z][a-z-]*' | tr -d '[' | sort -u
}

_cridctl() {
	local cur prev words cword
	_init_completion || return
	local prog=${words[0]} i cmd= endpoint=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-r | --runtime-endpoint) endpoint=(-r "${words[i + 1]}"); ((i++)) ;;
		-i | --image-endpoint | -t | --timeout) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		-r | --runtime-endpoint | -i | --image-endpoint)
			COMPREPLY=($(compgen -W 'unix:///run/crid/crid.sock' -- "$cur")); return ;;
		-t | --timeout) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '-r --runtime-endpoint -i --image-endpoint -t --timeout -h --help -v --version' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("$prog" --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')" -- "$cur"))
		fi
		return
	fi

	case $prev in
	-o) COMPREPLY=($(compgen -W 'table json yaml name' -- "$cur")); return ;;
	-s)
		case $cmd in
		pods) COMPREPLY=($(compgen -W 'ready notready' -- "$cur")) ;;
		ps) COMPREPLY=($(compgen -W 'created running exited unknown' -- "$cur")) ;;
		logs) COMPREPLY=($(compgen -W 'stdout stderr' -- "$cur")) ;;
		esac
		return ;;
	-p) COMPREPLY=($(compgen -W "$("$prog" "${endpoint[@]}" -t 2 pods -q 2>/dev/null)" -- "$cur")); return ;;
	--id | --name | --namespace | --label | -n | -t | --tail | --since | --timeout | \
		--creds | --auth | -r | --cpu-* | --cpuset-* | --memory) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_cridctl_flags "$prog" "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	runp | create) _filedir json ;;
	inspectp | stopp | rmp | statsp)
		COMPREPLY=($(compgen -W "$("$prog" "${endpoint[@]}" -t 2 pods -q 2>/dev/null)" -- "$cur")) ;;
	start | inspect | stop | rm | logs | exec | stats | update)
		COMPREPLY=($(compgen -W "$("$prog" "${endpoint[@]}" -t 2 ps -aq 2>/dev/null)" -- "$cur")) ;;
	inspecti | rmi)
		COMPREPLY=($(compgen -W "$("$prog" "${endpoint[@]}" -t 2 images -q 2>/dev/null)" -- "$cur")) ;;
	esac
}
complete -F _cridctl cridctl

# completion.bash - bash completion for mail-server, mail-dns and mail-agent.
#
#   . scripts/completion.bash      (or copy it to /etc/bash_completion.d/mail)
#
# Completes options, subcommands, files after --conf and directories after --data;
# server names after -n come from the config's `mail-server --list-servers`.

_mail_conf_of() { # the --conf/-c value on the command line, else conf/mail.yaml
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in --conf|-c) echo "${COMP_WORDS[i + 1]}"; return ;; esac
	done
	echo conf/mail.yaml
}

_mail_server() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--conf|-c) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--data|-d) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
	--name|-n)
		mapfile -t COMPREPLY < <(compgen -W "$("${COMP_WORDS[0]}" --list-servers --conf "$(_mail_conf_of)" 2>/dev/null |
			awk '$1 == "server" { print $2 }')" -- "$cur")
		return ;;
	queue) mapfile -t COMPREPLY < <(compgen -W "--json retry delete hold release" -- "$cur"); return ;;
	retry) mapfile -t COMPREPLY < <(compgen -W "--all" -- "$cur"); return ;;
	fault) mapfile -t COMPREPLY < <(compgen -W "add list clear" -- "$cur"); return ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "--name --conf --data --check --list-servers --version --help queue fault" -- "$cur")
}

_mail_dns() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--conf|-c|--zone|--control) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	fault) mapfile -t COMPREPLY < <(compgen -W "add list clear" -- "$cur"); return ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "--conf --zone --listen --threads --control --version --help fault" -- "$cur")
}

_mail_agent() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--conf|--body-file) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	pop) mapfile -t COMPREPLY < <(compgen -W "stat list retr dele uidl top" -- "$cur"); return ;;
	imap) mapfile -t COMPREPLY < <(compgen -W "stat list read flag unflag expunge" -- "$cur"); return ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "-e -p --conf -s -P -I --tls --imaps --auth send pop imap ping trace --to --subject --body --body-file --version --help" -- "$cur")
}

complete -F _mail_server mail-server
complete -F _mail_dns mail-dns
complete -F _mail_agent mail-agent

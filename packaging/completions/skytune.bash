# bash completion for skytune(1)                          -*- shell-script -*-
# SPDX-License-Identifier: MIT
# Installed as /usr/share/bash-completion/completions/skytune. Commands and options are read from
# `skytune --help` and `skytune COMMAND --help`, so they always match the installed program;
# policy names come from the policy directories (local ones first, as skytune searches them).

_skytune_policies() {
        local IFS=: dir f dirs=${SKYTUNE_POLICY_PATH:-/etc/skytune/policies:/usr/share/skytune/policies}
        for dir in $dirs; do
                for f in "$dir"/*.conf; do
                        [[ -e $f ]] || continue
                        f=${f##*/}
                        printf '%s\n' "${f%.conf}"
                done
        done | sort -u
}

# Tunable names as 'skytune get --all' prints them ("vm.swappiness = 60").
_skytune_tunables() {
        "$1" get --all 2>/dev/null | awk -F ' = ' '{ print $1 }'
}

_skytune_commands() {
        "$1" --help 2>/dev/null | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'
}

# The options a command's --help lists, two spaces in ("  --name ARG   what it does"); deeper
# indented lines continue a description.
# `_skytune_options PROG COMMAND [SUBCOMMAND]` (db's options are its subcommands').
_skytune_options() {
        { "$@" --help 2>/dev/null | awk '/^  --[a-z]/ { print $1 }'; echo --help; } | sort -u
}

_skytune() {
        local cur prev words cword
        _init_completion || return
        local prog=${words[0]} cmd= i
        for ((i = 1; i < cword; i++)); do
                if [[ ${words[i]} != -* ]]; then
                        cmd=${words[i]}
                        break
                fi
        done

        if [[ -z $cmd ]]; then
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W '--help --version' -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$(_skytune_commands "$prog")" -- "$cur"))
                fi
                return
        fi

        case $prev in
        --policy)
                COMPREPLY=($(compgen -W "$(_skytune_policies)" -- "$cur"))
                [[ $cur == */* || $cur == *.conf ]] && _filedir conf
                return ;;
        --format)
                COMPREPLY=($(compgen -W 'text json prometheus' -- "$cur"))
                return ;;
        --arrival)
                COMPREPLY=($(compgen -W 'constant uniform poisson' -- "$cur"))
                return ;;
        --allow-risk)
                COMPREPLY=($(compgen -W 'low medium high' -- "$cur"))
                return ;;
        --builtin)
                COMPREPLY=($(compgen -W 'tpcb-like select-only suite' -- "$cur"))
                return ;;
        --db-workload)
                COMPREPLY=($(compgen -W 'select-only tpcb-like' -- "$cur"))
                return ;;
        --pattern)
                COMPREPLY=($(compgen -W 'spike gradual surge breakpoint endurance' -- "$cur"))
                return ;;
        --range)
                COMPREPLY=($(compgen -W '5m 15m 1h 6h 24h 2d 7d 30d' -- "$cur"))
                return ;;
        --config)
                _filedir conf
                return ;;
        --out | --plan | --profile | --from | --baseline | --cacert | --html | --junit | --scenario | --body-file | --out-ndjson | --script | --file | --password-file | --dsn-file | --hdr-log | --sweep)
                _filedir
                return ;;
        --sysroot | --dir)
                _filedir -d
                return ;;
        --server-pid)
                COMPREPLY=($(compgen -W "$(cd /proc 2>/dev/null && printf '%s ' [0-9]*)" -- "$cur"))
                return ;;
        --server-unit)
                COMPREPLY=($(compgen -W "$(systemctl list-units --type=service --all --no-legend --plain 2>/dev/null |
                        awk '{ print $1 }')" -- "$cur"))
                return ;;
        --probes)
                COMPREPLY=($(compgen -W 'cpu memory disk net sched http db' -- "$cur"))
                return ;;
        --duration | --interval | --rounds | --round-duration | --users | --rate | --url | --method | --data | \
        --header | -H | --timeout | --threads | --target | --noise | --seed | --ramp | --think | --threshold | \
        --segment | --start-at | --dsn | --database | --clients | --db-clients | --iterations | --param | \
        --latency-limit | --scale | --transactions | --progress | --min-rows | --factor | --spike | --before | \
        --after | --spikes | --to | --start | --increment | --step | --max-steps | --slo-error-rate | --slo-p99 | \
        --slo-lateness | --sustain | --repeats | --resolution | --warmup | --rest | --hold | --window | --since | \
        --until | --repeat | --keep-days | --keep-runs | --slo-p95)
                return ;;
        esac

        local sub= j
        for ((j = i + 1; j < cword; j++)); do
                [[ ${words[j]} != -* ]] && { sub=${words[j]}; break; }
        done
        if [[ $cur == -* ]]; then
                if [[ $cmd == db || ($cmd == bench && -n $sub) || ($cmd == load && $sub == merge) ]]; then
                        COMPREPLY=($(compgen -W "$(_skytune_options "$prog" "$cmd" $sub)" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$(_skytune_options "$prog" "$cmd")" -- "$cur"))
                fi
                return
        fi
        case $cmd in
        help)
                COMPREPLY=($(compgen -W "$(_skytune_commands "$prog")" -- "$cur")) ;;
        get)
                COMPREPLY=($(compgen -W "$(_skytune_tunables "$prog")" -- "$cur")) ;;
        set)
                [[ $cur == *=* ]] && return
                COMPREPLY=($(compgen -W "$(_skytune_tunables "$prog")" -S = -- "$cur"))
                compopt -o nospace ;;
        diff | report)
                _filedir json ;;
        load)
                # `load merge AGENT.json...`; otherwise a URL, which has no completion.
                if [[ $prev == load ]]; then
                        COMPREPLY=($(compgen -W 'merge' -- "$cur"))
                elif [[ $sub == merge ]]; then
                        _filedir json
                fi ;;
        scenario)
                if [[ $prev == scenario ]]; then
                        COMPREPLY=($(compgen -W 'check' -- "$cur"))
                else
                        _filedir conf
                fi ;;
        bench)
                if [[ -z $sub ]]; then
                        COMPREPLY=($(compgen -W 'check run compare baseline trends export import list schedule' -- "$cur"))
                elif [[ $sub == baseline && $prev == baseline ]]; then
                        COMPREPLY=($(compgen -W 'set accept show' -- "$cur"))
                elif [[ $sub == export && $prev == --format ]]; then
                        COMPREPLY=($(compgen -W 'skytune asv otava bencher' -- "$cur"))
                elif [[ $prev == --history ]]; then
                        _filedir db
                elif [[ $sub == check || $sub == run ]]; then
                        _filedir conf
                fi ;;
        probe)
                COMPREPLY=($(compgen -W 'cpu memory disk net sched http db' -- "$cur")) ;;
        db)
                [[ -z $sub ]] && COMPREPLY=($(compgen -W 'query load init clean inspect explain pool-sweep advise' -- "$cur")) ;;
        alerts)
                if [[ $prev == --store ]]; then
                        _filedir db
                elif [[ -z $sub || $sub == -* ]]; then
                        COMPREPLY=($(compgen -W 'check test silence silences unsilence --store --json --history --since --alert' -- "$cur"))
                elif [[ $sub == silence* || $sub == unsilence ]]; then
                        COMPREPLY=($(compgen -W '--for --start --comment --all --store --json' -- "$cur"))
                else
                        _filedir conf
                fi ;;
        dashboard)
                [[ $prev == --store ]] && _filedir db ;;
        monitor)
                if [[ -z $sub ]]; then
                        COMPREPLY=($(compgen -W 'query series summary' -- "$cur"))
                elif [[ $prev == --store ]]; then
                        _filedir db
                elif [[ $sub == summary && $cur == -* ]]; then
                        COMPREPLY=($(compgen -W '--minutes --since --until --store --json' -- "$cur"))
                fi ;;
        policy)
                case $sub in
                "") COMPREPLY=($(compgen -W 'list show check keys' -- "$cur")) ;;
                show) COMPREPLY=($(compgen -W "$(_skytune_policies)" -- "$cur")) ;;
                check)
                        COMPREPLY=($(compgen -W "$(_skytune_policies) findings --findings" -- "$cur"))
                        _filedir conf ;;
                esac ;;
        esac
} &&
        complete -F _skytune skytune

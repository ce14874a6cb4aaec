# tests/userlib.sh: throwaway users of group "cell", for the tests that
# speak as ordinary users.  Sourced after tests/lib.sh; the test's EXIT
# trap calls del_users.  Helpers name their variables _x.
#
#	add_user VAR		a new user, its name in VAR; its home is
#				$USER_HOMES/home-NAME (no dir made), or
#				/nonexistent when USER_HOMES is unset
#	del_users		remove every user add_user made
#	as USER cmd...		run cmd as USER, with its groups
#	ctl_as USER args...	cellctl as USER
#	ctl_refused USER args...
#				cellctl as USER is refused: status 125, one
#				"cellctl: " line on stderr, nothing on stdout
#				(or just $REFUSED_STDOUT), within
#				${REFUSED_TIMEOUT:-10} s; what it said is in
#				$T/r.out and $T/r.err
#	audited USER VERB WHAT	the audit log has a line of USER's VERB
#				naming WHAT

add_user() {
	_u=celldt$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	_h=${USER_HOMES:+$USER_HOMES/home-$_u}
	_i=0
	until useradd --no-create-home --home-dir "${_h:-/nonexistent}" \
	    --shell /usr/sbin/nologin --user-group --groups cell "$_u"; do
		_i=$((_i + 1))	# another run may hold the passwd lock
		[ $_i -lt 20 ] || return 1
		sleep 0.1
	done
	echo "$_u" >> "$T/users"
	eval "$1=$_u"
}

del_users() {
	[ -f "$T/users" ] || return 0
	for _u in $(cat "$T/users"); do
		_i=0
		until userdel -f "$_u" 2>/dev/null ||
		    ! id "$_u" >/dev/null 2>&1; do
			_i=$((_i + 1))	# another run may hold the lock
			[ $_i -lt 20 ] ||
			    { echo "# $_u: not removed" >&2; break; }
			sleep 0.1
		done
	done
	rm -f "$T/users"
}

as() {	# user command...
	_u=$1
	shift
	setpriv --reuid="$(id -u "$_u")" --regid="$(id -g "$_u")" \
	    --init-groups env CELLD_SOCK="$CELLD_SOCK" "$@"
}

ctl_as() {	# user cellctl-arguments...
	_u=$1
	shift
	as "$_u" "$CELLCTL" "$@"
}

ctl_refused() {	# user cellctl-arguments...
	_u=$1
	shift
	as "$_u" timeout "${REFUSED_TIMEOUT:-10}" "$CELLCTL" "$@" \
	    > "$T/r.out" 2> "$T/r.err"
	_s=$?
	cat "$T/r.out" "$T/r.err"
	echo "status $_s: $*"
	[ $_s = 125 ] && [ "$(wc -l < "$T/r.err")" = 1 ] &&
	    grep -q '^cellctl: ' "$T/r.err" && { [ ! -s "$T/r.out" ] ||
	    { [ -n "${REFUSED_STDOUT:-}" ] &&
	    [ "$(cat "$T/r.out")" = "$REFUSED_STDOUT" ]; }; }
}

audited() {	# user verb what
	grep "\"uid\": *$(id -u "$1")[,}]" "$T/lib/audit.log" |
	    grep "\"verb\": *\"$2\"" | grep -q "$3"
}

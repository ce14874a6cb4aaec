# Image ownership (issues 5 and 6): A and B are ordinary users.  Each
# test is an attack by one of them on the other's images or on the
# shared ones (root's, and busybox), and fails if it works.
. tests/lib.sh
trap 'del_users; cleanup' EXIT
. tests/userlib.sh
MK="python3 tests/images/mkarchive.py"

add_user UA && add_user UB || exit 1
write_conf 'policy group "cell" { max containers 4 }'
start_celld || exit 1
mkdir -m 0755 "$T/arch"
$MK multi "$T/arch/a.tar" mine:1 && $MK multi "$T/arch/b.tar" busybox:latest &&
    $MK multi "$T/arch/r.tar" shared:1 && chmod 0644 "$T/arch"/*.tar || exit 1
ctl_as "$UA" image load -q -i "$T/arch/a.tar" > "$T/ua.load" 2>&1
cellctl image load -q -i "$T/arch/r.tar" > /dev/null 2>&1

t_user_loads_and_runs_own_image() {
	cat "$T/ua.load"
	ctl_as "$UA" run --rm mine:1 | grep -q "hello from the image" &&
	    [ "$(cellctl image inspect mine:1 | awk -F': ' \
	    '/"owner"/ { sub(",", "", $2); print $2 }')" = "$(id -u "$UA")" ]
}

# attack: B reads, runs, removes or retags A's image
t_other_user_cannot_see_run_or_remove_it() {
	ctl_as "$UB" images | grep -q '^mine ' && return 1
	ctl_as "$UB" image inspect mine:1 >/dev/null 2>&1 && return 1
	ctl_as "$UB" run --rm mine:1 true 2>/dev/null && return 1
	ctl_as "$UB" image rm mine:1 2>/dev/null && return 1
	ctl_as "$UB" image tag mine:1 stolen:1 2>/dev/null && return 1
	ctl_as "$UB" image save mine:1 > /dev/null 2>&1 && return 1
	cellctl image inspect mine:1 >/dev/null
}

# attack: A replaces the shared busybox with its own archive
t_user_cannot_load_over_a_shared_image() {
	before=$(cellctl image inspect busybox | grep -A2 layers)
	err=$(ctl_as "$UA" image load -i "$T/arch/b.tar" 2>&1); rc=$?
	echo "$err"
	[ $rc = 125 ] && echo "$err" | grep -q "belongs to another user" &&
	    [ "$(cellctl image inspect busybox | grep -A2 layers)" = "$before" ]
}

# attack: A retags its image over root's, or removes root's
t_user_cannot_tag_over_or_remove_shared_images() {
	ctl_as "$UA" image tag mine:1 shared:1 2>/dev/null && return 1
	ctl_as "$UA" image rm shared:1 2>/dev/null && return 1
	ctl_as "$UA" image rm busybox 2>/dev/null && return 1
	cellctl image inspect shared:1 >/dev/null &&
	    cellctl image inspect busybox >/dev/null
}

t_users_use_shared_images_and_tag_them_as_their_own() {
	ctl_as "$UB" run --rm shared:1 | grep -q hello || return 1
	ctl_as "$UB" image tag busybox bbcopy:1 || return 1
	ctl_as "$UB" run --rm bbcopy:1 true && ctl_as "$UB" image rm bbcopy:1
}

# attack: a user prunes the shared store
t_prune_is_for_admins() {
	ctl_as "$UA" image prune 2>/dev/null && return 1
	cellctl image prune >/dev/null
}

t_root_sees_and_manages_every_image() {
	cellctl images | grep -q '^mine ' && cellctl image tag mine:1 m2:1 &&
	    cellctl image rm m2:1 >/dev/null
}

t_image_verbs_are_audited() {
	grep "\"uid\":$(id -u "$UA")" "$T/lib/audit.log" | grep -q 'image-load' &&
	    grep -q 'image-rm' "$T/lib/audit.log"
}

run_tests

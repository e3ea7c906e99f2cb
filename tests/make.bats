#!/usr/bin/env bats
# make.bats: install and uninstall honour DESTDIR, PREFIX and MANPREFIX.

setup() {
	load /usr/lib/bats/bats-support/load
	load /usr/lib/bats/bats-assert/load
	top=$BATS_TEST_DIRNAME/..
	dest=$BATS_TEST_TMPDIR/dest
}

@test "make install puts programs, man pages and completions under DESTDIR" {
	run make -s -C "$top" install DESTDIR="$dest" PREFIX=/opt/cr \
	    MANPREFIX=/opt/man
	assert_success
	for p in "$top"/cmd/*.c; do
		p=$(basename "$p" .c)
		[ -x "$dest/opt/cr/bin/$p" ]
		[ -f "$dest/opt/man/man1/$p.1" ]
		[ -f "$dest/opt/cr/share/bash-completion/completions/$p" ]
		[ -f "$dest/opt/cr/share/zsh/vendor-completions/_$p" ]
	done
	run "$dest/opt/cr/bin/udp-recv" -h
	assert_success
	assert_output --partial "usage: udp-recv"
}

@test "make uninstall removes everything install put there" {
	make -s -C "$top" install DESTDIR="$dest" PREFIX=/opt/cr \
	    MANPREFIX=/opt/man
	run make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/opt/cr \
	    MANPREFIX=/opt/man
	assert_success
	run find "$dest" -type f
	assert_output ""
}

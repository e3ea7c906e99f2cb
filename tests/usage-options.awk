# usage-options.awk: read a usage line or a SYNOPSIS on stdin, print one
# line per option: "-x" for a flag, "-x ARG" for an option that takes an
# argument ("-x NAME", the argument's own name, with -v names=1). "[-abc]"
# lists flags. Used by tests/lint-usage.sh and tests/vocabulary.bats.
{ text = text " " $0 }
END {
	gsub(/[][|{}]/, " & ", text)
	n = split(text, tok, /[ \t]+/)
	for (i = 1; i <= n; i++) {
		t = tok[i]
		if (t !~ /^-[[:alnum:]]+$/)
			continue
		if (length(t) > 2) {
			for (j = 2; j <= length(t); j++)
				print "-" substr(t, j, 1)
			continue
		}
		nx = tok[i + 1]
		if (nx != "" && nx !~ /^[][|{}.-]/)
			print t " " (names ? nx : "ARG")
		else
			print t
	}
}

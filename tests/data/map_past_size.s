# tests/data/map_past_size.dis, as dis-as assembles it (50 bytes).
# Type 0 (module data) is 8 bytes but its map "ff" marks eight pointer
# words. The word item at @mp+4 fails instantiation's pointer-map check, and
# destroying the half-built module data walked the map past the object into
# the string's heap header: SIGSEGV before any instruction ran. The loader
# now refuses the map ("type 0: pointer map marks word 2, outside size 8").
	ret
	entry	0, 1
	desc	$0,8,"ff"
	desc	$1,32,""
	var	@mp,8
	string	@mp+0,"hi"
	word	@mp+4,5
	module	A
	link	1,0,0x4244b354,"init"
	source	"a.b"

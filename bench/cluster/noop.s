#0
	ret	
	entry	0, 1
	desc	$0,4,"80"
	desc	$1,40,"00c0"
	var	@mp,4
	module	Noop
	link	1,0,0x4244b354,"init"
	ldts	@ldt,0
	source	"/bench/cluster/noop.b"

#0
	load	0(mp),$0,12(mp)
	frame	$1,48(fp)
	movp	8(mp),32(48(fp))
	lea	44(fp),16(48(fp))
	mcall	48(fp),$0,12(mp)
	movw	$0,40(fp)
	addw	$1,40(fp)
	jmp	$6
	entry	0, 2
	desc	$0,16,"f0"
	desc	$1,40,"0080"
	desc	$2,56,"00c0"
	var	@mp,16
	string	@mp+0,"$Sys"
	string	@mp+8,"spinning\n"
	module	Spin
	link	2,0,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	source	"/cluster_tests/jobs/spin.b"

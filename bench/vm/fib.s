#0
	blew	$2,32(fp),$3
	movw	32(fp),0(16(fp))
	ret	
	frame	$2,40(fp)
	subw	$1,32(fp),32(40(fp))
	lea	36(fp),16(40(fp))
	call	40(fp),$0
	frame	$2,44(fp)
	subw	$2,32(fp),32(44(fp))
	lea	40(fp),16(44(fp))
#10
	call	44(fp),$0
	addw	40(fp),36(fp),0(16(fp))
	ret	
	load	0(mp),$0,12(mp)
	frame	$2,52(fp)
	movw	$32,32(52(fp))
	lea	48(fp),16(52(fp))
	call	52(fp),$0
	frame	$1,44(fp)
	movp	4(mp),32(44(fp))
#20
	movw	48(fp),36(44(fp))
	lea	40(fp),16(44(fp))
	mcall	44(fp),$0,12(mp)
	ret	
	entry	13, 3
	desc	$0,16,"f0"
	desc	$1,40,"0080"
	desc	$2,48,""
	desc	$3,56,"00c0"
	var	@mp,16
	string	@mp+0,"$Sys"
	string	@mp+4,"%d\n"
	module	Fib
	link	3,13,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	source	"/bench/vm/fib.b"

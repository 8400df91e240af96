# init()
#0
	load	4(mp),$0,0(mp)
	movw	$0,40(fp)
	bgew	40(fp),$3,$15
	bnew	40(fp),$1,$5
	jmp	$15
	raise	8(mp)
	jmp	$8
	jmp	$8
	frame	$2,48(fp)
	movp	12(mp),32(48(fp))
#10
	movw	40(fp),36(48(fp))
	lea	52(fp),16(48(fp))
	mcall	48(fp),$0,0(mp)
	addw	$1,40(fp)
	jmp	$2
	frame	$2,48(fp)
	movp	16(mp),32(48(fp))
	lea	52(fp),16(48(fp))
	mcall	48(fp),$0,0(mp)
	ret	
	entry	0, 1
	desc	$0,20,"f8"
	desc	$1,56,"00d0"
	desc	$2,40,"0080"
	var	@mp,20
	string	@mp+4,"$Sys"
	string	@mp+8,"x"
	string	@mp+12,"after %d\n"
	string	@mp+16,"done\n"
	module	ExcBreak
	link	1,0,0x4244b354,"init"
	ldts	@ldt,16
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	exceptions	1
	exception	3, 6, 44, -1, 1, 0
	exctab	"x", 7
	exctab	*, -1
	source	"tests/limbo/progs/23_exception_break.b"

#0
	load	0(mp),$0,20(mp)
	movw	$100000000,44(fp)
	beqw	16(mp),36(fp),$10
	tail	36(fp),52(fp)
	beqw	52(fp),16(mp),$10
	movp	16(mp),52(fp)
	tail	36(fp),52(fp)
	headp	52(fp),52(fp)
	cvtcw	52(fp),44(fp)
	movp	16(mp),52(fp)
#10
	movl	8(mp),64(fp)
	movw	$0,40(fp)
	bgew	40(fp),44(fp),$17
	cvtwl	40(fp),72(fp)
	addl	72(fp),64(fp)
	addw	$1,40(fp)
	jmp	$12
	frame	$1,56(fp)
	movp	4(mp),32(56(fp))
	movl	64(fp),40(56(fp))
#20
	lea	48(fp),16(56(fp))
	mcall	56(fp),$0,20(mp)
	ret	
	entry	0, 2
	desc	$0,24,"cc"
	desc	$1,48,"0080"
	desc	$2,80,"00c4"
	var	@mp,24
	string	@mp+0,"$Sys"
	string	@mp+4,"%bd\n"
	long	@mp+8,0 # 0000000000000000
	module	Loop
	link	2,0,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	source	"/bench/vm/loop.b"

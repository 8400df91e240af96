#0
	load	4(mp),$0,16(mp)
	tail	36(fp),36(fp)
	movw	$0,40(fp)
	beqw	8(mp),36(fp),$8
	headp	36(fp),52(fp)
	cvtcw	52(fp),40(fp)
	movp	8(mp),52(fp)
	tail	36(fp),36(fp)
	bgew	$0,40(fp),$13
	mframe	16(mp),$1,56(fp)
#10
	movw	40(fp),32(56(fp))
	lea	48(fp),16(56(fp))
	mcall	56(fp),$1,16(mp)
	movp	8(mp),44(fp)
	beqw	8(mp),36(fp),$21
	headp	36(fp),52(fp)
	addc	52(fp),0(mp),52(fp)
	addc	52(fp),44(fp)
	movp	8(mp),52(fp)
	tail	36(fp),36(fp)
#20
	jmp	$14
	frame	$1,48(fp)
	movp	12(mp),32(48(fp))
	movw	40(fp),36(48(fp))
	movp	44(fp),40(48(fp))
	lea	56(fp),16(48(fp))
	mcall	48(fp),$0,16(mp)
	ret	
	entry	0, 2
	desc	$0,20,"f8"
	desc	$1,48,"00a0"
	desc	$2,64,"00d4"
	var	@mp,20
	string	@mp+0," "
	string	@mp+4,"$Sys"
	string	@mp+12,"slept %d%s\n"
	module	Sleep
	link	2,0,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,2
	ext	@ldt+4,0xac849033,"print"
	ext	@ldt+16,0xe67bf126,"sleep"
	source	"/cluster_tests/jobs/sleep.b"

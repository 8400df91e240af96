#0
	newa	32(fp),$1,40(fp)
	lena	40(fp),52(fp)
	beqw	$0,52(fp),$7
	subw	$1,52(fp)
	indb	40(fp),56(fp),52(fp)
	movb	8(mp),0(56(fp))
	jmp	$2
	movw	$2,36(fp)
	mulw	36(fp),36(fp),56(fp)
	bgew	56(fp),32(fp),$20
#10
	indb	40(fp),56(fp),36(fp)
	bneb	0(56(fp)),8(mp),$18
	mulw	36(fp),36(fp),44(fp)
	bgew	44(fp),32(fp),$18
	indb	40(fp),56(fp),44(fp)
	movb	9(mp),0(56(fp))
	addw	36(fp),44(fp)
	jmp	$13
	addw	$1,36(fp)
	jmp	$8
#20
	movw	$0,48(fp)
	movw	$2,36(fp)
	bgew	36(fp),32(fp),$28
	indb	40(fp),56(fp),36(fp)
	bneb	0(56(fp)),8(mp),$26
	addw	$1,48(fp)
	addw	$1,36(fp)
	jmp	$22
	movw	48(fp),0(16(fp))
	ret	
#30
	load	0(mp),$0,16(mp)
	movw	$0,44(fp)
	movw	$0,40(fp)
	blew	$3,40(fp),$41
	frame	$4,52(fp)
	movw	$10000000,32(52(fp))
	lea	48(fp),16(52(fp))
	call	52(fp),$0
	addw	48(fp),44(fp)
	addw	$1,40(fp)
#40
	jmp	$33
	frame	$2,48(fp)
	movp	4(mp),32(48(fp))
	movw	44(fp),36(48(fp))
	lea	52(fp),16(48(fp))
	mcall	48(fp),$0,16(mp)
	ret	
	entry	30, 3
	desc	$0,20,"d8"
	desc	$1,1,""
	desc	$2,40,"0080"
	desc	$3,56,"00c0"
	desc	$4,64,"0020"
	var	@mp,20
	string	@mp+0,"$Sys"
	string	@mp+4,"%d\n"
	byte	@mp+8,0
	byte	@mp+9,1
	module	Sieve
	link	3,30,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	source	"/bench/vm/sieve.b"

#0
	load	0(mp),$0,12(mp)
	movp	8(mp),44(fp)
	movw	$0,40(fp)
	blew	$1000000,40(fp),$10
	lenc	44(fp),52(fp)
	modw	$26,40(fp),56(fp)
	addw	$97,56(fp)
	insc	56(fp),52(fp),44(fp)
	addw	$1,40(fp)
	jmp	$3
#10
	movw	$0,48(fp)
	movw	$0,40(fp)
	lenc	44(fp),56(fp)
	blew	56(fp),40(fp),$18
	indc	44(fp),40(fp),56(fp)
	addw	56(fp),48(fp)
	addw	$1,40(fp)
	jmp	$12
	frame	$1,52(fp)
	movp	4(mp),32(52(fp))
#20
	lenc	44(fp),36(52(fp))
	movw	48(fp),40(52(fp))
	lea	56(fp),16(52(fp))
	mcall	52(fp),$0,12(mp)
	ret	
	entry	0, 2
	desc	$0,16,"f0"
	desc	$1,48,"0080"
	desc	$2,64,"00d0"
	var	@mp,16
	string	@mp+0,"$Sys"
	string	@mp+4,"%d %d\n"
	module	Strcat
	link	2,0,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	source	"/bench/vm/strcat.b"

#0
	newa	32(fp),$1,40(fp)
	movw	$0,36(fp)
	bgew	36(fp),32(fp),$13
	indw	40(fp),44(fp),36(fp)
	newa	32(fp),$2,0(44(fp))
	lena	0(44(fp)),48(fp)
	beqw	$0,48(fp),$11
	subw	$1,48(fp)
	indf	0(44(fp)),52(fp),48(fp)
	movf	8(mp),0(52(fp))
#10
	jmp	$6
	addw	$1,36(fp)
	jmp	$2
	movp	40(fp),0(16(fp))
	ret	
	movw	$0,48(fp)
	bgew	48(fp),44(fp),$42
	indw	32(fp),68(fp),48(fp)
	movp	0(68(fp)),60(fp)
	indw	40(fp),68(fp),48(fp)
#20
	movp	0(68(fp)),64(fp)
	movw	$0,52(fp)
	bgew	52(fp),44(fp),$38
	movf	8(mp),72(fp)
	movw	$0,56(fp)
	bgew	56(fp),44(fp),$34
	indf	60(fp),68(fp),56(fp)
	movf	0(68(fp)),80(fp)
	indw	36(fp),68(fp),56(fp)
	indf	0(68(fp)),68(fp),52(fp)
#30
	mulf	0(68(fp)),80(fp)
	addf	80(fp),72(fp)
	addw	$1,56(fp)
	jmp	$25
	indf	64(fp),68(fp),52(fp)
	movf	72(fp),0(68(fp))
	addw	$1,52(fp)
	jmp	$22
	movp	32(mp),64(fp)
	movp	32(mp),60(fp)
#40
	addw	$1,48(fp)
	jmp	$16
	ret	
	load	0(mp),$0,36(mp)
	frame	$4,64(fp)
	movw	$200,32(64(fp))
	lea	48(fp),16(64(fp))
	call	64(fp),$0
	frame	$4,64(fp)
	movw	$200,32(64(fp))
#50
	lea	52(fp),16(64(fp))
	call	64(fp),$0
	frame	$4,64(fp)
	movw	$200,32(64(fp))
	lea	56(fp),16(64(fp))
	call	64(fp),$0
	movw	$0,40(fp)
	blew	$200,40(fp),$78
	movw	$0,44(fp)
	blew	$200,44(fp),$76
#60
	indw	48(fp),64(fp),40(fp)
	indf	0(64(fp)),64(fp),44(fp)
	mulw	$2,44(fp),68(fp)
	addw	40(fp),68(fp)
	modw	$17,68(fp)
	cvtwf	68(fp),80(fp)
	mulf	80(fp),16(mp),0(64(fp))
	indw	52(fp),68(fp),40(fp)
	indf	0(68(fp)),68(fp),44(fp)
	mulw	$3,40(fp),64(fp)
#70
	addw	44(fp),64(fp)
	modw	$13,64(fp)
	cvtwf	64(fp),80(fp)
	mulf	80(fp),24(mp),0(68(fp))
	addw	$1,44(fp)
	jmp	$59
	addw	$1,40(fp)
	jmp	$57
	movf	8(mp),72(fp)
	movw	$0,60(fp)
#80
	blew	$5,60(fp),$100
	frame	$6,68(fp)
	movp	48(fp),32(68(fp))
	movp	52(fp),36(68(fp))
	movp	56(fp),40(68(fp))
	movw	$200,44(68(fp))
	call	68(fp),$15
	movw	$0,40(fp)
	blew	$200,40(fp),$98
	movw	$0,44(fp)
#90
	blew	$200,44(fp),$96
	indw	56(fp),68(fp),40(fp)
	indf	0(68(fp)),68(fp),44(fp)
	addf	0(68(fp)),72(fp)
	addw	$1,44(fp)
	jmp	$90
	addw	$1,40(fp)
	jmp	$88
	addw	$1,60(fp)
	jmp	$80
#100
	frame	$3,64(fp)
	movp	4(mp),32(64(fp))
	movf	72(fp),40(64(fp))
	lea	68(fp),16(64(fp))
	mcall	64(fp),$0,36(mp)
	ret	
	entry	43, 5
	desc	$0,40,"c0c0"
	desc	$1,4,"80"
	desc	$2,8,""
	desc	$3,48,"0080"
	desc	$4,56,"0020"
	desc	$5,88,"00ce"
	desc	$6,88,"00e180"
	var	@mp,40
	string	@mp+0,"$Sys"
	string	@mp+4,"%.4f\n"
	real	@mp+8,0 # 0000000000000000
	real	@mp+16,.0625 # 3fb0000000000000
	real	@mp+24,.125 # 3fc0000000000000
	module	Matmul
	link	5,43,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	source	"/bench/vm/matmul.b"

#0
	bgew	$0,32(fp),$14
	subw	$1,32(fp)
	new	$1,36(fp)
	frame	$2,40(fp)
	movw	32(fp),32(40(fp))
	lea	0(36(fp)),16(40(fp))
	call	40(fp),$0
	frame	$2,40(fp)
	movw	32(fp),32(40(fp))
	lea	4(36(fp)),16(40(fp))
#10
	call	40(fp),$0
	movp	36(fp),0(16(fp))
	movp	12(mp),36(fp)
	ret	
	new	$1,36(fp)
	movp	12(mp),0(36(fp))
	movp	12(mp),4(36(fp))
	movp	36(fp),0(16(fp))
	movp	12(mp),36(fp)
	ret	
#20
	beqw	0(32(fp)),12(mp),$32
	frame	$3,40(fp)
	movp	0(32(fp)),32(40(fp))
	lea	36(fp),16(40(fp))
	call	40(fp),$20
	addw	$1,36(fp)
	frame	$3,44(fp)
	movp	4(32(fp)),32(44(fp))
	lea	40(fp),16(44(fp))
	call	44(fp),$20
#30
	addw	40(fp),36(fp),0(16(fp))
	ret	
	movw	$1,0(16(fp))
	ret	
	load	0(mp),$0,20(mp)
	movw	$4,48(fp)
	addw	$2,48(fp),40(fp)
	blew	$16,40(fp),$39
	movw	$16,40(fp)
	addw	$1,40(fp),64(fp)
#40
	frame	$2,72(fp)
	movw	64(fp),32(72(fp))
	lea	92(fp),16(72(fp))
	call	72(fp),$0
	frame	$3,88(fp)
	movp	92(fp),32(88(fp))
	movp	12(mp),92(fp)
	lea	84(fp),16(88(fp))
	call	88(fp),$20
	frame	$3,80(fp)
#50
	movp	16(mp),32(80(fp))
	movw	64(fp),36(80(fp))
	movw	84(fp),40(80(fp))
	lea	76(fp),16(80(fp))
	mcall	80(fp),$0,20(mp)
	frame	$2,72(fp)
	movw	40(fp),32(72(fp))
	lea	68(fp),16(72(fp))
	call	72(fp),$0
	movw	48(fp),44(fp)
#60
	bgtw	44(fp),40(fp),$88
	subw	44(fp),40(fp),72(fp)
	addw	48(fp),72(fp)
	shlw	72(fp),$1,60(fp)
	movw	$0,52(fp)
	movw	$0,56(fp)
	bgew	56(fp),60(fp),$79
	frame	$2,84(fp)
	movw	44(fp),32(84(fp))
	lea	92(fp),16(84(fp))
#70
	call	84(fp),$0
	frame	$3,88(fp)
	movp	92(fp),32(88(fp))
	movp	12(mp),92(fp)
	lea	72(fp),16(88(fp))
	call	88(fp),$20
	addw	72(fp),52(fp)
	addw	$1,56(fp)
	jmp	$66
	frame	$3,88(fp)
#80
	movp	4(mp),32(88(fp))
	movw	60(fp),36(88(fp))
	movw	44(fp),40(88(fp))
	movw	52(fp),44(88(fp))
	lea	72(fp),16(88(fp))
	mcall	88(fp),$0,20(mp)
	addw	$2,44(fp)
	jmp	$60
	frame	$3,80(fp)
	movp	68(fp),32(80(fp))
#90
	lea	84(fp),16(80(fp))
	call	80(fp),$20
	frame	$3,88(fp)
	movp	8(mp),32(88(fp))
	movw	40(fp),36(88(fp))
	movw	84(fp),40(88(fp))
	lea	72(fp),16(88(fp))
	mcall	88(fp),$0,20(mp)
	ret	
	entry	34, 4
	desc	$0,24,"fc"
	desc	$1,8,"c0"
	desc	$2,48,"0040"
	desc	$3,48,"0080"
	desc	$4,96,"00c041"
	var	@mp,24
	string	@mp+0,"$Sys"
	string	@mp+4,"%d	 trees of depth %d	 check: %d\n"
	string	@mp+8,"long lived tree of depth %d	 check: %d\n"
	string	@mp+16,"stretch tree of depth %d	 check: %d\n"
	module	Binarytrees
	link	4,34,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	source	"/bench/vm/binarytrees.b"

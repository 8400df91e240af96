#0
	load	0(mp),$0,24(mp)
	mframe	24(mp),$0,44(fp)
	movp	20(mp),32(44(fp))
	movw	$1,36(44(fp))
	movw	$420,40(44(fp))
	lea	40(fp),16(44(fp))
	mcall	44(fp),$0,24(mp)
	bnew	16(mp),40(fp),$19
	mframe	24(mp),$1,56(fp)
	movw	$2,32(56(fp))
#10
	lea	52(fp),16(56(fp))
	mcall	56(fp),$1,24(mp)
	frame	$2,48(fp)
	movp	52(fp),32(48(fp))
	movp	16(mp),52(fp)
	movp	12(mp),36(48(fp))
	lea	44(fp),16(48(fp))
	mcall	48(fp),$2,24(mp)
	raise	8(mp)
	tail	36(fp),36(fp)
#20
	beqw	16(mp),36(fp),$29
	frame	$3,48(fp)
	movp	40(fp),32(48(fp))
	movp	4(mp),36(48(fp))
	headp	36(fp),40(48(fp))
	lea	56(fp),16(48(fp))
	mcall	48(fp),$2,24(mp)
	tail	36(fp),36(fp)
	jmp	$20
	frame	$1,48(fp)
#30
	movp	28(mp),32(48(fp))
	lea	56(fp),16(48(fp))
	mcall	48(fp),$3,24(mp)
	ret	
	entry	0, 4
	desc	$0,32,"ff"
	desc	$1,40,"0080"
	desc	$2,40,"00c0"
	desc	$3,48,"00e0"
	desc	$4,64,"00e4"
	var	@mp,32
	string	@mp+0,"$Sys"
	string	@mp+4,"%s\n"
	string	@mp+8,"fail:create"
	string	@mp+12,"files: cannot create out/result.txt: %r\n"
	string	@mp+20,"out/result.txt"
	string	@mp+28,"wrote out/result.txt\n"
	module	Files
	link	4,0,0x4244b354,"init"
	ldts	@ldt,1
	word	@ldt+0,4
	ext	@ldt+4,0x54db77d9,"create"
	ext	@ldt+16,0x1478f993,"fildes"
	ext	@ldt+28,0xf46486c8,"fprint"
	ext	@ldt+40,0xac849033,"print"
	source	"/cluster_tests/jobs/files.b"

#0
	lena	32(fp),64(fp)
	movw	$0,56(fp)
	bgew	56(fp),64(fp),$59
	indw	32(fp),68(fp),56(fp)
	movp	0(68(fp)),48(fp)
	movf	0(48(fp)),144(fp)
	movf	8(48(fp)),152(fp)
	movf	16(48(fp)),160(fp)
	movf	48(48(fp)),184(fp)
	movf	24(48(fp)),120(fp)
#10
	movf	32(48(fp)),128(fp)
	movf	40(48(fp)),136(fp)
	addw	$1,56(fp),60(fp)
	bgew	60(fp),64(fp),$47
	indw	32(fp),68(fp),60(fp)
	movp	0(68(fp)),52(fp)
	subf	0(52(fp)),144(fp),88(fp)
	subf	8(52(fp)),152(fp),96(fp)
	subf	16(52(fp)),160(fp),104(fp)
	mulf	88(fp),88(fp),176(fp)
#20
	mulf	96(fp),96(fp),72(fp)
	addf	72(fp),176(fp)
	mulf	104(fp),104(fp),72(fp)
	addf	72(fp),176(fp),168(fp)
	mframe	272(mp),$0,68(fp)
	movf	168(fp),32(68(fp))
	lea	112(fp),16(68(fp))
	mcall	68(fp),$0,272(mp)
	mulf	168(fp),112(fp),72(fp)
	divf	72(fp),40(fp),112(fp)
#30
	mulf	48(52(fp)),112(fp),80(fp)
	mulf	80(fp),88(fp),72(fp)
	subf	72(fp),120(fp)
	mulf	80(fp),96(fp),72(fp)
	subf	72(fp),128(fp)
	mulf	80(fp),104(fp),72(fp)
	subf	72(fp),136(fp)
	mulf	112(fp),184(fp),80(fp)
	mulf	80(fp),88(fp),72(fp)
	addf	72(fp),24(52(fp))
#40
	mulf	80(fp),96(fp),72(fp)
	addf	72(fp),32(52(fp))
	mulf	80(fp),104(fp),72(fp)
	addf	72(fp),40(52(fp))
	movp	276(mp),52(fp)
	addw	$1,60(fp)
	jmp	$13
	movf	120(fp),24(48(fp))
	movf	128(fp),32(48(fp))
	movf	136(fp),40(48(fp))
#50
	mulf	120(fp),40(fp),72(fp)
	addf	72(fp),144(fp),0(48(fp))
	mulf	128(fp),40(fp),72(fp)
	addf	72(fp),152(fp),8(48(fp))
	mulf	136(fp),40(fp),72(fp)
	addf	72(fp),160(fp),16(48(fp))
	movp	276(mp),48(fp)
	addw	$1,56(fp)
	jmp	$2
	ret	
#60
	movf	16(mp),80(fp)
	lena	32(fp),52(fp)
	movw	$0,44(fp)
	bgew	44(fp),52(fp),$105
	indw	32(fp),56(fp),44(fp)
	movp	0(56(fp)),36(fp)
	movf	24(36(fp)),120(fp)
	movf	32(36(fp)),128(fp)
	movf	40(36(fp)),136(fp)
	movf	48(36(fp)),88(fp)
#70
	mulf	120(fp),120(fp),72(fp)
	mulf	128(fp),128(fp),64(fp)
	addf	64(fp),72(fp)
	mulf	136(fp),136(fp),64(fp)
	addf	64(fp),72(fp)
	mulf	80(mp),88(fp),64(fp)
	mulf	64(fp),72(fp)
	addf	72(fp),80(fp)
	addw	$1,44(fp),48(fp)
	bgew	48(fp),52(fp),$102
#80
	indw	32(fp),56(fp),48(fp)
	movp	0(56(fp)),40(fp)
	movf	0(36(fp)),64(fp)
	subf	0(40(fp)),64(fp),96(fp)
	movf	8(36(fp)),64(fp)
	subf	8(40(fp)),64(fp),104(fp)
	movf	16(36(fp)),64(fp)
	subf	16(40(fp)),64(fp),112(fp)
	mframe	272(mp),$0,56(fp)
	mulf	96(fp),96(fp),64(fp)
#90
	mulf	104(fp),104(fp),72(fp)
	addf	72(fp),64(fp)
	mulf	112(fp),112(fp),72(fp)
	addf	72(fp),64(fp),32(56(fp))
	lea	144(fp),16(56(fp))
	mcall	56(fp),$0,272(mp)
	mulf	48(40(fp)),88(fp),64(fp)
	divf	144(fp),64(fp)
	subf	64(fp),80(fp)
	movp	276(mp),40(fp)
#100
	addw	$1,48(fp)
	jmp	$79
	movp	276(mp),36(fp)
	addw	$1,44(fp)
	jmp	$63
	movf	80(fp),0(16(fp))
	ret	
	movf	16(mp),64(fp)
	movf	16(mp),72(fp)
	movf	16(mp),80(fp)
#110
	movw	$0,40(fp)
	lena	32(fp),44(fp)
	blew	44(fp),40(fp),$127
	indw	32(fp),44(fp),40(fp)
	movp	0(44(fp)),36(fp)
	movf	24(36(fp)),56(fp)
	mulf	48(36(fp)),56(fp)
	addf	56(fp),64(fp)
	movf	32(36(fp)),56(fp)
	mulf	48(36(fp)),56(fp)
#120
	addf	56(fp),72(fp)
	movf	40(36(fp)),56(fp)
	mulf	48(36(fp)),56(fp)
	addf	56(fp),80(fp)
	movp	276(mp),36(fp)
	addw	$1,40(fp)
	jmp	$111
	indw	32(fp),44(fp),$0
	movp	0(44(fp)),48(fp)
	negf	64(fp),56(fp)
#130
	divf	184(mp),56(fp),24(48(fp))
	movp	276(mp),48(fp)
	indw	32(fp),44(fp),$0
	movp	0(44(fp)),48(fp)
	negf	72(fp),56(fp)
	divf	184(mp),56(fp),32(48(fp))
	movp	276(mp),48(fp)
	indw	32(fp),44(fp),$0
	movp	0(44(fp)),48(fp)
	negf	80(fp),56(fp)
#140
	divf	184(mp),56(fp),40(48(fp))
	movp	276(mp),48(fp)
	ret	
	load	4(mp),$1,280(mp)
	load	0(mp),$0,272(mp)
	newa	$5,$1,40(fp)
	indw	40(fp),60(fp),$0
	new	$3,48(fp)
	movf	16(mp),0(48(fp))
	movf	16(mp),8(48(fp))
#150
	movf	16(mp),16(48(fp))
	movf	16(mp),24(48(fp))
	movf	16(mp),32(48(fp))
	movf	16(mp),40(48(fp))
	movf	184(mp),48(48(fp))
	movp	48(fp),0(60(fp))
	movp	276(mp),48(fp)
	indw	40(fp),60(fp),$1
	new	$3,48(fp)
	movf	152(mp),0(48(fp))
#160
	movf	248(mp),8(48(fp))
	movf	216(mp),16(48(fp))
	movf	96(mp),24(48(fp))
	movf	136(mp),32(48(fp))
	movf	200(mp),40(48(fp))
	movf	64(mp),48(48(fp))
	movp	48(fp),0(60(fp))
	movp	276(mp),48(fp)
	indw	40(fp),60(fp),$2
	new	$3,48(fp)
#170
	movf	160(mp),0(48(fp))
	movf	144(mp),8(48(fp))
	movf	232(mp),16(48(fp))
	movf	240(mp),24(48(fp))
	movf	128(mp),32(48(fp))
	movf	40(mp),40(48(fp))
	movf	56(mp),48(48(fp))
	movp	48(fp),0(60(fp))
	movp	276(mp),48(fp)
	indw	40(fp),60(fp),$3
#180
	new	$3,48(fp)
	movf	168(mp),0(48(fp))
	movf	256(mp),8(48(fp))
	movf	224(mp),16(48(fp))
	movf	120(mp),24(48(fp))
	movf	104(mp),32(48(fp))
	movf	192(mp),40(48(fp))
	movf	24(mp),48(48(fp))
	movp	48(fp),0(60(fp))
	movp	276(mp),48(fp)
#190
	indw	40(fp),60(fp),$4
	new	$3,48(fp)
	movf	176(mp),0(48(fp))
	movf	264(mp),8(48(fp))
	movf	72(mp),16(48(fp))
	movf	112(mp),24(48(fp))
	movf	88(mp),32(48(fp))
	movf	208(mp),40(48(fp))
	movf	32(mp),48(48(fp))
	movp	48(fp),0(60(fp))
#200
	movp	276(mp),48(fp)
	frame	$5,60(fp)
	movp	40(fp),32(60(fp))
	call	60(fp),$107
	frame	$6,56(fp)
	movp	40(fp),32(56(fp))
	lea	64(fp),16(56(fp))
	call	56(fp),$60
	frame	$2,52(fp)
	movp	8(mp),32(52(fp))
#210
	movf	64(fp),40(52(fp))
	lea	60(fp),16(52(fp))
	mcall	52(fp),$0,280(mp)
	movw	$0,44(fp)
	blew	$1000000,44(fp),$221
	frame	$7,56(fp)
	movp	40(fp),32(56(fp))
	movf	48(mp),40(56(fp))
	call	56(fp),$0
	addw	$1,44(fp)
#220
	jmp	$214
	frame	$6,60(fp)
	movp	40(fp),32(60(fp))
	lea	64(fp),16(60(fp))
	call	60(fp),$60
	frame	$2,52(fp)
	movp	8(mp),32(52(fp))
	movf	64(fp),40(52(fp))
	lea	56(fp),16(52(fp))
	mcall	52(fp),$0,280(mp)
#230
	ret	
	entry	143, 4
	desc	$0,284,"e0000000000000000e"
	desc	$1,4,"80"
	desc	$2,48,"0080"
	desc	$3,56,""
	desc	$4,72,"00e8"
	desc	$5,88,"00c8"
	desc	$6,152,"00e0"
	desc	$7,192,"008c"
	var	@mp,284
	string	@mp+0,"$Math"
	string	@mp+4,"$Sys"
	string	@mp+8,"%.9f\n"
	real	@mp+16,0 # 0000000000000000
	real	@mp+24,.0017237240570597112 # 3f5c3dd29cf41eb3
	real	@mp+32,.0020336868699246304 # 3f60a8f3531799ac
	real	@mp+40,.008415761376584154 # 3f813c485f1123b4
	real	@mp+48,.01 # 3f847ae147ae147b
	real	@mp+56,.011286326131968767 # 3f871d490d07c637
	real	@mp+64,.03769367487038949 # 3fa34c95d9ab33d8
	real	@mp+72,.17925877295037118 # 3fc6f1f393abe540
	real	@mp+80,.5 # 3fe0000000000000
	real	@mp+88,.5946989986476762 # 3fe307c631c4fba3
	real	@mp+96,.606326392995832 # 3fe367069b93ccbc
	real	@mp+104,.8687130181696082 # 3febcc7f3e54bbc5
	real	@mp+112,.979090732243898 # 3fef54b61659bc4a
	real	@mp+120,1.0827910064415354 # 3ff1531ca9911bef
	real	@mp+128,1.8256623712304119 # 3ffd35e9bf1f8f13
	real	@mp+136,2.81198684491626 # 40067ef2f57d949b
	real	@mp+144,4.124798564124305 # 40107fcb31de01b0
	real	@mp+152,4.841431442464721 # 40135da0343cd92c
	real	@mp+160,8.34336671824458 # 4020afcdc332ca67
	real	@mp+168,12.894369562139131 # 4029c9eacea7d9cf
	real	@mp+176,15.379697114850917 # 402ec267a905572a
	real	@mp+184,39.47841760435743 # 4043bd3cc9be45de
	real	@mp+192,-.010832637401363636 # bf862f6bfaf23e7c
	real	@mp+200,-.02521836165988763 # bf99d2d79a5a0715
	real	@mp+208,-.034755955504078104 # bfa1cb88587665f6
	real	@mp+216,-.10362204447112311 # bfba86f96c25ebf0
	real	@mp+224,-.22330757889265573 # bfcc9557be257da0
	real	@mp+232,-.4035234171143214 # bfd9d353e1eb467c
	real	@mp+240,-1.0107743461787924 # bff02c21b8879442
	real	@mp+248,-1.1603200440274284 # bff290abc01fdb7c
	real	@mp+256,-15.111151401698631 # c02e38e8d626667e
	real	@mp+264,-25.919314609987964 # c039eb5833c8a220
	module	Nbody
	link	4,143,0x4244b354,"init"
	ldts	@ldt,2
	word	@ldt+0,1
	ext	@ldt+4,0xa1d1fe48,"sqrt"
	word	@ldt+1,1
	ext	@ldt+8,0xac849033,"print"
	source	"/bench/vm/nbody.b"

#0
	movw	$7,36(fp)
	cvtwl	36(fp),40(fp)
	cvtwf	36(fp),48(fp)
	movp	16(mp),56(fp)
	indw	56(fp),60(fp),$1
	lena	56(fp),64(fp)
	newa	$3,$1,56(fp)
	beqw	36(fp),$7,$9
	raise	4(mp)
	ret
	entry	0, 2
	desc	$0,40,"48"
	desc	$1,4,""
	desc	$2,72,"0002"
	var	@mp,40
	string	@mp+4,"oops"
	byte	@mp+8,1,2,255
	word	@mp+12,-5
	array	@mp+16,$1,3
	indir	@mp+16,1
	word	@mp+0,42
	apop
	real	@mp+24,2.5
	long	@mp+32,1234567890123
	module	Data
	link	2,0,0x4244b354,"init"
	source	"data.b"

#0
	load	4(mp),$0,0(mp)
	movp	8(mp),40(fp)
	beqw	36(fp),12(mp),$9
	tail	36(fp),44(fp)
	beqw	44(fp),12(mp),$9
	movp	12(mp),44(fp)
	tail	36(fp),44(fp)
	headp	44(fp),40(fp)
	movp	12(mp),44(fp)
	frame	$2,48(fp)
#10
	movp	16(mp),32(48(fp))
	movp	40(fp),36(48(fp))
	lea	52(fp),16(48(fp))
	mcall	48(fp),$0,0(mp)
	ret
	entry	0, 1
	desc	$0,20,"f8"
	desc	$1,56,"00f0"
	desc	$2,40,"00c0"
	var	@mp,20
	string	@mp+4,"$Sys"
	string	@mp+8,"world"
	string	@mp+16,"hello, %s\n"
	module	Hello
	link	1,0,0x4244b354,"init"
	ldts	@ldt,16
	word	@ldt+0,1
	ext	@ldt+4,0xac849033,"print"
	source	"examples/hello/hello.b"

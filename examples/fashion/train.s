# Fashion-MNIST classifier: a multilayer perceptron 784-256-128-10 (ReLU)
# trained with mini-batch SGD (batch 64, momentum 0.9, lr 0.05 halved after
# every epoch, as PyTorch's StepLR(gamma=0.5)).
#
# Dis assembly as Inferno's `limbo -S` writes it; `dis-as` turns it into
# train.dis. The epoch and batch loops, the forward and backward passes and
# the updates are Dis code: each tensor operation is one mcall into the
# builtin module $Tensor (module/tensor.m).
#
# Usage: dis-run train.dis [DIR [EPOCHS [LIMIT]]]
#   DIR     the IDX files (default /usr/share/datasets/fashion-mnist)
#   EPOCHS  default 5
#   LIMIT   training images to use (default: all 60,000)
#
# Module data (mp): 0 sys, 4 tensor, 8 nil, 12..52 strings, 56..208 the
# tensors (data sets, parameters W1 b1 W2 b2 W3 b3, their velocities and
# gradients, activations of a batch, activations of the test set), 216..
# real constants. init's frame: 40 the callee frame being built, 44 dir,
# 48 epoch, 52 batch, 56 batches per epoch, 60 correct, 64 start time,
# 72 loss sum, 104 readidx's (tensor, error) tuple, 116 the permutation.
#0
	load	12(mp),$0,0(mp)
	load	16(mp),$1,4(mp)
	movp	20(mp),44(fp)
	movw	$5,128(fp)
	movw	$60000,132(fp)
	tail	36(fp),36(fp)
	beqw	36(fp),8(mp),$16
	headp	36(fp),44(fp)
	tail	36(fp),36(fp)
	beqw	36(fp),8(mp),$16
#10
	headp	36(fp),112(fp)
	cvtcw	112(fp),128(fp)
	tail	36(fp),36(fp)
	beqw	36(fp),8(mp),$16
	headp	36(fp),112(fp)
	cvtcw	112(fp),132(fp)
	addc	24(mp),44(fp),112(fp)
	mframe	4(mp),$0,40(fp)
	movp	112(fp),32(40(fp))
	lea	104(fp),16(40(fp))
#20
	mcall	40(fp),$0,4(mp)
	bnew	108(fp),8(mp),$533
	movp	104(fp),56(mp)
	addc	28(mp),44(fp),112(fp)
	mframe	4(mp),$0,40(fp)
	movp	112(fp),32(40(fp))
	lea	104(fp),16(40(fp))
	mcall	40(fp),$0,4(mp)
	bnew	108(fp),8(mp),$533
	movp	104(fp),60(mp)
#30
	addc	32(mp),44(fp),112(fp)
	mframe	4(mp),$0,40(fp)
	movp	112(fp),32(40(fp))
	lea	104(fp),16(40(fp))
	mcall	40(fp),$0,4(mp)
	bnew	108(fp),8(mp),$533
	movp	104(fp),64(mp)
	addc	36(mp),44(fp),112(fp)
	mframe	4(mp),$0,40(fp)
	movp	112(fp),32(40(fp))
#40
	lea	104(fp),16(40(fp))
	mcall	40(fp),$0,4(mp)
	bnew	108(fp),8(mp),$533
	movp	104(fp),68(mp)
	mframe	4(mp),$3,40(fp)
	movp	56(mp),32(40(fp))
	movf	232(mp),40(40(fp))
	mcall	40(fp),$3,4(mp)
	mframe	4(mp),$3,40(fp)
	movp	64(mp),32(40(fp))
#50
	movf	232(mp),40(40(fp))
	mcall	40(fp),$3,4(mp)
	movw	0(56(mp)),124(fp)
	blew	132(fp),124(fp),$55
	movw	124(fp),132(fp)
	divw	$64,132(fp),56(fp)
	mframe	4(mp),$2,40(fp)
	movw	$784,32(40(fp))
	movw	$256,36(40(fp))
	movf	256(mp),40(40(fp))
#60
	movw	$1,48(40(fp))
	lea	72(mp),16(40(fp))
	mcall	40(fp),$2,4(mp)
	mframe	4(mp),$2,40(fp)
	movw	$256,32(40(fp))
	movw	$128,36(40(fp))
	movf	264(mp),40(40(fp))
	movw	$2,48(40(fp))
	lea	80(mp),16(40(fp))
	mcall	40(fp),$2,4(mp)
#70
	mframe	4(mp),$2,40(fp)
	movw	$128,32(40(fp))
	movw	$10,36(40(fp))
	movf	272(mp),40(40(fp))
	movw	$3,48(40(fp))
	lea	88(mp),16(40(fp))
	mcall	40(fp),$2,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$256,36(40(fp))
#80
	lea	76(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$128,36(40(fp))
	lea	84(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$10,36(40(fp))
#90
	lea	92(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$784,32(40(fp))
	movw	$256,36(40(fp))
	lea	96(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$256,36(40(fp))
#100
	lea	100(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$256,32(40(fp))
	movw	$128,36(40(fp))
	lea	104(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$128,36(40(fp))
#110
	lea	108(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$128,32(40(fp))
	movw	$10,36(40(fp))
	lea	112(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$10,36(40(fp))
#120
	lea	116(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$784,32(40(fp))
	movw	$256,36(40(fp))
	lea	120(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$256,36(40(fp))
#130
	lea	124(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$256,32(40(fp))
	movw	$128,36(40(fp))
	lea	128(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$128,36(40(fp))
#140
	lea	132(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$128,32(40(fp))
	movw	$10,36(40(fp))
	lea	136(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$1,32(40(fp))
	movw	$10,36(40(fp))
#150
	lea	140(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$784,36(40(fp))
	lea	144(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$1,36(40(fp))
#160
	lea	148(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$256,36(40(fp))
	lea	152(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$256,36(40(fp))
#170
	lea	156(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$128,36(40(fp))
	lea	160(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$128,36(40(fp))
#180
	lea	164(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$10,36(40(fp))
	lea	168(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$10,36(40(fp))
#190
	lea	172(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$128,36(40(fp))
	lea	176(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$128,36(40(fp))
#200
	lea	180(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$256,36(40(fp))
	lea	184(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	$64,32(40(fp))
	movw	$256,36(40(fp))
#210
	lea	188(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	movw	0(64(mp)),124(fp)
	mframe	4(mp),$1,40(fp)
	movw	124(fp),32(40(fp))
	movw	$256,36(40(fp))
	lea	192(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	124(fp),32(40(fp))
#220
	movw	$256,36(40(fp))
	lea	196(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	124(fp),32(40(fp))
	movw	$128,36(40(fp))
	lea	200(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	124(fp),32(40(fp))
#230
	movw	$128,36(40(fp))
	lea	204(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	mframe	4(mp),$1,40(fp)
	movw	124(fp),32(40(fp))
	movw	$10,36(40(fp))
	lea	208(mp),16(40(fp))
	mcall	40(fp),$1,4(mp)
	movw	$1,48(fp)
	bgtw	48(fp),128(fp),$532
#240
	mframe	0(mp),$0,40(fp)
	lea	64(fp),16(40(fp))
	mcall	40(fp),$0,0(mp)
	movw	0(56(mp)),124(fp)
	mframe	4(mp),$12,40(fp)
	movw	124(fp),32(40(fp))
	movw	48(fp),36(40(fp))
	lea	116(fp),16(40(fp))
	mcall	40(fp),$12,4(mp)
	movf	248(mp),72(fp)
#250
	movw	$0,60(fp)
	movw	$0,52(fp)
	bgew	52(fp),56(fp),$445
	mulw	$64,52(fp),120(fp)
	mframe	4(mp),$13,40(fp)
	movp	144(mp),32(40(fp))
	movp	56(mp),36(40(fp))
	movp	116(fp),40(40(fp))
	movw	120(fp),44(40(fp))
	mcall	40(fp),$13,4(mp)
#260
	mframe	4(mp),$13,40(fp)
	movp	148(mp),32(40(fp))
	movp	60(mp),36(40(fp))
	movp	116(fp),40(40(fp))
	movw	120(fp),44(40(fp))
	mcall	40(fp),$13,4(mp)
	mframe	4(mp),$4,40(fp)
	movp	152(mp),32(40(fp))
	movp	144(mp),36(40(fp))
	movp	72(mp),40(40(fp))
#270
	movw	$0,44(40(fp))
	movw	$0,48(40(fp))
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$5,40(fp)
	movp	152(mp),32(40(fp))
	movp	76(mp),36(40(fp))
	mcall	40(fp),$5,4(mp)
	mframe	4(mp),$7,40(fp)
#280
	movp	156(mp),32(40(fp))
	movp	152(mp),36(40(fp))
	mcall	40(fp),$7,4(mp)
	mframe	4(mp),$4,40(fp)
	movp	160(mp),32(40(fp))
	movp	156(mp),36(40(fp))
	movp	80(mp),40(40(fp))
	movw	$0,44(40(fp))
	movw	$0,48(40(fp))
	movf	240(mp),56(40(fp))
#290
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$5,40(fp)
	movp	160(mp),32(40(fp))
	movp	84(mp),36(40(fp))
	mcall	40(fp),$5,4(mp)
	mframe	4(mp),$7,40(fp)
	movp	164(mp),32(40(fp))
	movp	160(mp),36(40(fp))
	mcall	40(fp),$7,4(mp)
#300
	mframe	4(mp),$4,40(fp)
	movp	168(mp),32(40(fp))
	movp	164(mp),36(40(fp))
	movp	88(mp),40(40(fp))
	movw	$0,44(40(fp))
	movw	$0,48(40(fp))
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$5,40(fp)
#310
	movp	168(mp),32(40(fp))
	movp	92(mp),36(40(fp))
	mcall	40(fp),$5,4(mp)
	mframe	4(mp),$9,40(fp)
	movp	172(mp),32(40(fp))
	movp	168(mp),36(40(fp))
	movp	148(mp),40(40(fp))
	lea	80(fp),16(40(fp))
	mcall	40(fp),$9,4(mp)
	addf	80(fp),72(fp)
#320
	mframe	4(mp),$10,40(fp)
	movp	168(mp),32(40(fp))
	movp	148(mp),36(40(fp))
	lea	68(fp),16(40(fp))
	mcall	40(fp),$10,4(mp)
	addw	68(fp),60(fp)
	mframe	4(mp),$4,40(fp)
	movp	136(mp),32(40(fp))
	movp	164(mp),36(40(fp))
	movp	172(mp),40(40(fp))
#330
	movw	$1,44(40(fp))
	movw	$0,48(40(fp))
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$6,40(fp)
	movp	140(mp),32(40(fp))
	movp	172(mp),36(40(fp))
	movf	248(mp),40(40(fp))
	mcall	40(fp),$6,4(mp)
#340
	mframe	4(mp),$4,40(fp)
	movp	176(mp),32(40(fp))
	movp	172(mp),36(40(fp))
	movp	88(mp),40(40(fp))
	movw	$0,44(40(fp))
	movw	$1,48(40(fp))
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$8,40(fp)
#350
	movp	180(mp),32(40(fp))
	movp	176(mp),36(40(fp))
	movp	160(mp),40(40(fp))
	mcall	40(fp),$8,4(mp)
	mframe	4(mp),$4,40(fp)
	movp	128(mp),32(40(fp))
	movp	156(mp),36(40(fp))
	movp	180(mp),40(40(fp))
	movw	$1,44(40(fp))
	movw	$0,48(40(fp))
#360
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$6,40(fp)
	movp	132(mp),32(40(fp))
	movp	180(mp),36(40(fp))
	movf	248(mp),40(40(fp))
	mcall	40(fp),$6,4(mp)
	mframe	4(mp),$4,40(fp)
	movp	184(mp),32(40(fp))
#370
	movp	180(mp),36(40(fp))
	movp	80(mp),40(40(fp))
	movw	$0,44(40(fp))
	movw	$1,48(40(fp))
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$8,40(fp)
	movp	188(mp),32(40(fp))
	movp	184(mp),36(40(fp))
#380
	movp	152(mp),40(40(fp))
	mcall	40(fp),$8,4(mp)
	mframe	4(mp),$4,40(fp)
	movp	120(mp),32(40(fp))
	movp	144(mp),36(40(fp))
	movp	188(mp),40(40(fp))
	movw	$1,44(40(fp))
	movw	$0,48(40(fp))
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
#390
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$6,40(fp)
	movp	124(mp),32(40(fp))
	movp	188(mp),36(40(fp))
	movf	248(mp),40(40(fp))
	mcall	40(fp),$6,4(mp)
	mframe	4(mp),$11,40(fp)
	movp	72(mp),32(40(fp))
	movp	120(mp),36(40(fp))
	movp	96(mp),40(40(fp))
#400
	movf	216(mp),48(40(fp))
	movf	224(mp),56(40(fp))
	mcall	40(fp),$11,4(mp)
	mframe	4(mp),$11,40(fp)
	movp	76(mp),32(40(fp))
	movp	124(mp),36(40(fp))
	movp	100(mp),40(40(fp))
	movf	216(mp),48(40(fp))
	movf	224(mp),56(40(fp))
	mcall	40(fp),$11,4(mp)
#410
	mframe	4(mp),$11,40(fp)
	movp	80(mp),32(40(fp))
	movp	128(mp),36(40(fp))
	movp	104(mp),40(40(fp))
	movf	216(mp),48(40(fp))
	movf	224(mp),56(40(fp))
	mcall	40(fp),$11,4(mp)
	mframe	4(mp),$11,40(fp)
	movp	84(mp),32(40(fp))
	movp	132(mp),36(40(fp))
#420
	movp	108(mp),40(40(fp))
	movf	216(mp),48(40(fp))
	movf	224(mp),56(40(fp))
	mcall	40(fp),$11,4(mp)
	mframe	4(mp),$11,40(fp)
	movp	88(mp),32(40(fp))
	movp	136(mp),36(40(fp))
	movp	112(mp),40(40(fp))
	movf	216(mp),48(40(fp))
	movf	224(mp),56(40(fp))
#430
	mcall	40(fp),$11,4(mp)
	mframe	4(mp),$11,40(fp)
	movp	92(mp),32(40(fp))
	movp	140(mp),36(40(fp))
	movp	116(mp),40(40(fp))
	movf	216(mp),48(40(fp))
	movf	224(mp),56(40(fp))
	mcall	40(fp),$11,4(mp)
	addw	$1,52(fp)
	mframe	4(mp),$14,40(fp)
#440
	movp	44(mp),32(40(fp))
	movw	52(fp),36(40(fp))
	movw	56(fp),40(40(fp))
	mcall	40(fp),$14,4(mp)
	jmp	$252
	mframe	4(mp),$14,40(fp)
	movp	44(mp),32(40(fp))
	movw	56(fp),36(40(fp))
	movw	56(fp),40(40(fp))
	mcall	40(fp),$14,4(mp)
#450
	mframe	4(mp),$4,40(fp)
	movp	192(mp),32(40(fp))
	movp	64(mp),36(40(fp))
	movp	72(mp),40(40(fp))
	movw	$0,44(40(fp))
	movw	$0,48(40(fp))
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$5,40(fp)
#460
	movp	192(mp),32(40(fp))
	movp	76(mp),36(40(fp))
	mcall	40(fp),$5,4(mp)
	mframe	4(mp),$7,40(fp)
	movp	196(mp),32(40(fp))
	movp	192(mp),36(40(fp))
	mcall	40(fp),$7,4(mp)
	mframe	4(mp),$4,40(fp)
	movp	200(mp),32(40(fp))
	movp	196(mp),36(40(fp))
#470
	movp	80(mp),40(40(fp))
	movw	$0,44(40(fp))
	movw	$0,48(40(fp))
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$5,40(fp)
	movp	200(mp),32(40(fp))
	movp	84(mp),36(40(fp))
	mcall	40(fp),$5,4(mp)
#480
	mframe	4(mp),$7,40(fp)
	movp	204(mp),32(40(fp))
	movp	200(mp),36(40(fp))
	mcall	40(fp),$7,4(mp)
	mframe	4(mp),$4,40(fp)
	movp	208(mp),32(40(fp))
	movp	204(mp),36(40(fp))
	movp	88(mp),40(40(fp))
	movw	$0,44(40(fp))
	movw	$0,48(40(fp))
#490
	movf	240(mp),56(40(fp))
	movf	248(mp),64(40(fp))
	mcall	40(fp),$4,4(mp)
	mframe	4(mp),$5,40(fp)
	movp	208(mp),32(40(fp))
	movp	92(mp),36(40(fp))
	mcall	40(fp),$5,4(mp)
	mframe	4(mp),$10,40(fp)
	movp	208(mp),32(40(fp))
	movp	68(mp),36(40(fp))
#500
	lea	152(fp),16(40(fp))
	mcall	40(fp),$10,4(mp)
	cvtwf	56(fp),88(fp)
	divf	88(fp),72(fp),88(fp)
	mulw	$64,56(fp),124(fp)
	cvtwf	124(fp),96(fp)
	cvtwf	60(fp),136(fp)
	mulf	280(mp),136(fp)
	divf	96(fp),136(fp)
	cvtwf	152(fp),144(fp)
#510
	mulf	280(mp),144(fp)
	movw	0(64(mp)),124(fp)
	cvtwf	124(fp),96(fp)
	divf	96(fp),144(fp)
	mframe	0(mp),$0,40(fp)
	lea	68(fp),16(40(fp))
	mcall	40(fp),$0,0(mp)
	subw	64(fp),68(fp)
	cvtwf	68(fp),96(fp)
	divf	288(mp),96(fp)
#520
	frame	$2,40(fp)
	movp	40(mp),32(40(fp))
	movw	48(fp),36(40(fp))
	movf	88(fp),40(40(fp))
	movf	136(fp),48(40(fp))
	movf	144(fp),56(40(fp))
	movf	96(fp),64(40(fp))
	lea	68(fp),16(40(fp))
	mcall	40(fp),$1,0(mp)
	mulf	296(mp),216(mp)
#530
	addw	$1,48(fp)
	jmp	$239
	ret
	addc	108(fp),48(mp),112(fp)
	raise	112(fp)
	entry	0,1
	desc	$0,304,"fffffffffffff8"
	desc	$1,160,"00d0003c"
	desc	$2,72,"0080"
	var	@mp,304
	string	@mp+12,"$Sys"
	string	@mp+16,"$Tensor"
	string	@mp+20,"/usr/share/datasets/fashion-mnist"
	string	@mp+24,"/train-images-idx3-ubyte.gz"
	string	@mp+28,"/train-labels-idx1-ubyte.gz"
	string	@mp+32,"/t10k-images-idx3-ubyte.gz"
	string	@mp+36,"/t10k-labels-idx1-ubyte.gz"
	string	@mp+40,"epoch %d  loss %.4f  train %.2f%%  test %.2f%%  %.2fs\n"
	string	@mp+44,"training"
	string	@mp+48,"fail:"
	real	@mp+216,0.05
	real	@mp+224,0.9
	real	@mp+232,0.00392156862745098
	real	@mp+240,1.0
	real	@mp+248,0.0
	real	@mp+256,0.050507627227610534
	real	@mp+264,0.08838834764831845
	real	@mp+272,0.125
	real	@mp+280,100.0
	real	@mp+288,1000.0
	real	@mp+296,0.5
	module	Train
	link	1,0,0x4244b354,"init"
	ldts	@ldt,220
	word	@ldt+0,2
	ext	@ldt+4,0x616977e8,"millisec"
	ext	@ldt+20,0xac849033,"print"
	word	@ldt+32,15
	ext	@ldt+36,0x026a0857,"readidx"
	ext	@ldt+48,0xd109f822,"zeros"
	ext	@ldt+60,0xffcb2399,"randn"
	ext	@ldt+72,0xaa98ac18,"scale"
	ext	@ldt+84,0xb0599d93,"gemm"
	ext	@ldt+96,0x57e782e0,"addrow"
	ext	@ldt+108,0x4c440f33,"sumrows"
	ext	@ldt+120,0x57e782e0,"relu"
	ext	@ldt+132,0xc2c66a19,"relugrad"
	ext	@ldt+148,0x44b3d961,"xent"
	ext	@ldt+160,0xba46f6f5,"correct"
	ext	@ldt+172,0x780c7976,"sgd"
	ext	@ldt+180,0xbb0a363f,"perm"
	ext	@ldt+192,0x5488cf6e,"gather"
	ext	@ldt+204,0x8453f742,"progress"
	source	"examples/fashion/train.s"

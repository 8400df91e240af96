# Draw: the part of Inferno's graphics module that a command's type names.
#
# Every Inferno command is `init: fn(ctxt: ref Draw->Context, argv: list of
# string)`, and a module's type signature hashes the whole structure of the
# types its functions take.  Acheron has no display and no $Draw builtin:
# this file declares only the adts reachable from Context, each with exactly
# the data fields (names, types, order) of Inferno's module/draw.m, so that
# `init` hashes to the same signature and our programs link against
# Inferno's and the other way round.  Member functions, constants and the
# adts nothing here reaches (Font, for one) are left out: they do not enter
# Context's signature (a signature hashes an adt's data fields, not its
# functions).  Programs that draw need Inferno itself.

Draw: module
{
	PATH:	con "$Draw";

	# A pixel channel descriptor, packed.
	Chans: adt
	{
		desc:	int;
	};

	Point: adt
	{
		x:	int;
		y:	int;
	};

	# min inclusive, max exclusive.
	Rect: adt
	{
		min:	Point;
		max:	Point;
	};

	Image: adt
	{
		r:	Rect;	# data area, in the image's own coordinates
		clipr:	Rect;	# drawing is clipped to it
		depth:	int;	# bits per pixel
		chans:	Chans;
		repl:	int;	# non-zero: the data area tiles the plane
		display:	ref Display;
		screen:	ref Screen;	# nil unless the image is a window
		iname:	string;
	};

	Display: adt
	{
		image:	ref Image;	# the whole screen
		white:	ref Image;
		black:	ref Image;
		opaque:	ref Image;
		transparent:	ref Image;
	};

	Screen: adt
	{
		id:	int;
		image:	ref Image;	# the window tree's root
		fill:	ref Image;	# what uncovered areas are painted with
		display:	ref Display;
	};

	# One mouse event.
	Pointer: adt
	{
		buttons:	int;	# bit 0 is the leftmost button
		xy:	Point;
		msec:	int;	# time stamp, milliseconds
	};

	# What a command is started with: nil under dis-run.
	Context: adt
	{
		display:	ref Display;
		screen:	ref Screen;
		wm:	chan of (string, chan of (string, ref Wmcontext));
	};

	# A program's connection to the window manager.
	Wmcontext: adt
	{
		kbd:	chan of int;
		ptr:	chan of ref Pointer;
		ctl:	chan of string;	# window manager to program
		wctl:	chan of string;	# program to window manager
		images:	chan of ref Image;
		connfd:	ref Sys->FD;
		ctxt:	ref Context;
	};
};
